"""Only npaccel/_runtime may import jaxlib, and nothing in npaccel may import jax."""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "npaccel"
RUNTIME = PACKAGE / "_runtime"

_FROM = re.compile(r"^\s*from\s+([\w.]+)\s+import\b")
_IMPORT = re.compile(r"^\s*import\s+(.+)")


def _imported_modules(line: str) -> list[str]:
    """Top-level package names imported by one source line (`import a.b as c, d` -> a, d)."""
    match = _FROM.match(line)
    if match:
        return [match.group(1).split(".")[0]]  # relative imports give "" and never match
    match = _IMPORT.match(line)
    if match:
        names = match.group(1).split("#")[0].split(",")
        return [name.split()[0].split(".")[0] for name in names if name.strip()]
    return []


def _imports_by_file():
    for path in sorted(PACKAGE.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for module in _imported_modules(line):
                yield path, number, module


def test_package_found():
    assert (RUNTIME / "__init__.py").is_file()


def test_only_runtime_imports_jaxlib():
    offenders = [f"{path.relative_to(PACKAGE.parent)}:{number}"
                 for path, number, module in _imports_by_file()
                 if module == "jaxlib" and RUNTIME not in path.parents]
    assert offenders == [], "jaxlib imported outside npaccel/_runtime"


def test_nothing_imports_jax():
    offenders = [f"{path.relative_to(PACKAGE.parent)}:{number}"
                 for path, number, module in _imports_by_file() if module == "jax"]
    assert offenders == [], "npaccel must never import jax"


def test_import_line_parsing():
    cases = {
        "import jax": ["jax"], "import jax.numpy as jnp": ["jax"],
        "  from jax import lax": ["jax"], "from jax._src import core": ["jax"],
        "import numpy as np, jaxlib": ["numpy", "jaxlib"],
        "from jaxlib.mlir import ir": ["jaxlib"], "from . import _jaxlib": [],
        "from .mlir import ir": [], "# import jax": [], "x = 'import jax'": [],
        "import jaxlib  # the runtime": ["jaxlib"],
    }
    for line, expected in cases.items():
        assert [m for m in _imported_modules(line) if m] == expected, line
