"""Activation: unchanged NumPy code runs on npaccel (`NPACCEL=1 python script.py`,
`python -m npaccel script.py`, the compat_suite pytest plugin).

Modules in scope get a proxied `numpy` whose array-making functions return npaccel arrays
(`proxy.py`); from there NumPy's own dispatch protocols carry every call to npaccel.
"""
from __future__ import annotations

import numpy

from npaccel.activation import importer, proxy, random, testing
from npaccel.activation.importer import Scope, test_modules, user_code

_SCOPES = {"user": user_code, "tests": test_modules}
_hook: importer.ImportHook | None = None


def _proxies() -> dict:
    submodules = {"random": random.proxy_module(), "testing": testing.proxy_module(),
                  "linalg": proxy.ProxyModule(numpy.linalg),
                  "fft": proxy.ProxyModule(numpy.fft)}
    top = proxy.ProxyModule(numpy, submodules)
    return {"numpy": top, **{f"numpy.{name}": m for name, m in submodules.items()}}


def activate(scope: str | Scope = "user") -> None:
    """Give modules in `scope` ("user": the script and the user's own modules; "tests":
    test modules; or a predicate `(module_name, file) -> bool`) the proxied numpy."""
    global _hook
    deactivate()
    _hook = importer.ImportHook(_proxies(), _SCOPES.get(scope, scope))
    _hook.install()


def deactivate() -> None:
    global _hook
    if _hook is not None:
        _hook.uninstall()
        _hook = None


def is_active() -> bool:
    return _hook is not None


def activate_from_environment() -> None:
    """The `.pth` start-up hook's entry: NPACCEL=1 (or `tests`) activates."""
    import os
    value = os.environ.get("NPACCEL", "")
    if value not in ("", "0"):
        activate("tests" if value == "tests" else "user")
