"""The differential harness covers every natively implemented callable and ufunc method."""
import importlib
import pathlib

import numpy as np

from npaccel.dispatch import coverage


def _covered() -> set[str]:
    names: set[str] = set()
    for path in sorted(pathlib.Path(__file__).parent.glob("test_*.py")):
        if path.stem != "test_coverage":
            module = importlib.import_module(f"tests.differential.{path.stem}")
            names |= set(getattr(module, "COVERED", ()))
    return names


def _ufunc_methods(name: str, ufunc: np.ufunc) -> list[str]:
    """The methods NumPy defines for this ufunc: reductions need two inputs, one output."""
    methods = ["at"]
    if ufunc.nin == 2 and ufunc.nout == 1:
        methods += ["reduce", "accumulate", "reduceat", "outer"]
    elif ufunc.nin == 2:
        methods += ["outer"]
    return [f"{name}.{m}" for m in methods]


def _native() -> set[str]:
    native = set()
    for prefix, entries in coverage.report().items():
        for name, status in entries.items():
            if status != "native":
                continue
            native.add(f"{prefix}.{name}")
            obj = getattr(coverage.NAMESPACES[prefix], name)
            if isinstance(obj, np.ufunc):
                native.update(_ufunc_methods(f"{prefix}.{name}", obj))
    return native


def test_every_native_callable_is_in_the_differential_harness():
    missing = sorted(_native() - _covered())
    assert not missing, f"{len(missing)} native callables lack a differential test: {missing}"
