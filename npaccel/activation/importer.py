"""Who sees the proxied `numpy`: an import hook that hands it to modules in scope only.

Patching the global `numpy` module would reach NumPy's own internals (its Cython code
calls `np.asarray` through module globals and needs a real ndarray), and Cython callers make
no Python frame to inspect. The importing module's globals, which Python passes to
`__import__`, answer the question instead: `import numpy` in a module in scope returns the
proxy; everywhere else NumPy is itself.
"""
from __future__ import annotations

import builtins
import os
import sys
import sysconfig
from typing import Callable

Scope = Callable[[str, "str | None"], bool]

_LIBRARY_DIRS = tuple(os.path.realpath(p) + os.sep for p in {
    sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")})
_LIBRARIES = ("numpy", "scipy", "npaccel", "jaxlib", "ml_dtypes", "optree")


def user_code(name: str, file: str | None) -> bool:
    """The script and the user's own modules: not NumPy/SciPy/npaccel, not installed."""
    if name == "__main__":
        return True
    if name.partition(".")[0] in _LIBRARIES:
        return False
    return file is not None and not os.path.realpath(file).startswith(_LIBRARY_DIRS)


def test_modules(name: str, file: str | None) -> bool:
    """Test modules and their helpers, wherever they live (NumPy's tests are inside
    `numpy.*`, or import as top-level `test_*` where a tests folder has no __init__.py)."""
    parts = name.split(".")
    return (parts[-1].startswith("test_") or parts[-1] == "conftest"
            or "tests" in parts[:-1]) and parts[0] != "npaccel"


class ImportHook:
    """Replaces `builtins.__import__` while installed; `proxies` maps module names to the
    proxy modules that modules in `scope` get instead."""

    def __init__(self, proxies: dict, scope: Scope):
        self.proxies = proxies
        self.scope = scope
        self._import = builtins.__import__

    def __call__(self, name, globals=None, locals=None, fromlist=(), level=0):
        module = self._import(name, globals, locals, fromlist, level)
        if level or not name.startswith("numpy") or not globals:
            return module
        if not self.scope(globals.get("__name__", ""), globals.get("__file__")):
            return module
        return self.proxies.get(module.__name__, module)

    def install(self) -> None:
        builtins.__import__ = self
        # Modules in scope imported before activation (the script's own, say) see it too.
        for module in list(sys.modules.values()):
            self.rebind(module)

    def uninstall(self) -> None:
        builtins.__import__ = self._import

    def rebind(self, module) -> None:
        namespace = getattr(module, "__dict__", None)
        if not namespace or not self.scope(namespace.get("__name__", ""),
                                           namespace.get("__file__")):
            return
        for attr, value in list(namespace.items()):
            proxy = self.proxies.get(getattr(value, "__name__", None))
            if proxy is not None and value is sys.modules.get(value.__name__):
                namespace[attr] = proxy
