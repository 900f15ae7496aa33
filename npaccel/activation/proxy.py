"""The `numpy` that accelerated code sees: NumPy itself, except that what NumPy's functions
return as host arrays comes back as npaccel arrays.

Functions that receive npaccel arrays already dispatch to npaccel through NumPy's
protocols; what the proxy adds is the start of the chain: `np.array([...])`, `np.zeros(n)`,
`np.linspace(...)`, `np.random.rand(...)` make npaccel arrays, so an unchanged script runs
on npaccel from its first line. NumPy's own internals keep the real module (the import hook
decides who sees the proxy), because NumPy's Cython code calls `np.asarray` and must get a
real ndarray back.

Wrappers are callable objects, not functions: tests write `array = np.array` as a class
attribute, which would bind a function as a method.
"""
from __future__ import annotations

import types

import numpy as np

from npaccel.core.dtypes import SUPPORTED
from npaccel.dispatch.ndarray import ndarray

# NumPy's conversions that return their argument when it already fits: the proxy keeps
# that identity for npaccel arrays (`np.asarray(x) is x`).
_PASS_THROUGH = frozenset({"asarray", "asanyarray", "ascontiguousarray", "asfortranarray",
                           "asarray_chkfinite"})
_INDEX_BUILDERS = frozenset({"mgrid", "ogrid", "r_", "c_"})


def to_device(result, keep=()):
    """NumPy arrays of a dtype npaccel supports become npaccel arrays, inside tuples and
    lists too; objects in `keep` (the call's own arguments, e.g. an `out=`) stay as they are."""
    if isinstance(result, np.ndarray) and type(result) is np.ndarray:
        if result.dtype in SUPPORTED and not any(result is k for k in keep):
            return ndarray(result)
        return result
    if isinstance(result, tuple):
        items = [to_device(r, keep) for r in result]
        return type(result)(*items) if hasattr(result, "_fields") else tuple(items)
    if isinstance(result, list):
        return [to_device(r, keep) for r in result]
    return result


class DeviceResults:
    """A NumPy callable whose array results come back as npaccel arrays."""

    def __init__(self, func, name: str):
        self.__wrapped__ = func
        self.__name__ = name
        self.__doc__ = getattr(func, "__doc__", None)
        self._pass_through = name in _PASS_THROUGH

    def __call__(self, *args, **kwargs):
        if self._pass_through and args and isinstance(args[0], ndarray):
            dtype = kwargs.get("dtype", args[1] if len(args) > 1 else None)
            if dtype is None or np.dtype(dtype) == args[0].dtype:
                return args[0]
        return to_device(self.__wrapped__(*args, **kwargs), keep=args + tuple(kwargs.values()))

    def __repr__(self) -> str:
        return f"<npaccel-activated {self.__wrapped__!r}>"


class DeviceItems:
    """`np.r_`, `np.c_`, `np.mgrid`, `np.ogrid`: index-expression builders of arrays."""

    def __init__(self, builder):
        self.__wrapped__ = builder

    def __getitem__(self, key):
        return to_device(self.__wrapped__[key])

    def __len__(self) -> int:
        return len(self.__wrapped__)

    def __getattr__(self, name):
        return getattr(self.__wrapped__, name)


def _wraps(value) -> bool:
    """Plain callables are wrapped; classes, ufuncs (which dispatch by themselves and are
    type-checked by user code) and modules are not."""
    return (callable(value) and not isinstance(value, (type, np.ufunc, types.ModuleType))
            and not hasattr(value, "__enter__"))


class ProxyModule(types.ModuleType):
    """A module that mirrors `real`, with its array-returning callables wrapped and some
    names replaced (`overrides`, e.g. submodule proxies)."""

    def __init__(self, real: types.ModuleType, overrides: dict | None = None):
        super().__init__(real.__name__, real.__doc__)
        self.__dict__["_real"] = real
        for name, value in vars(real).items():
            if not name.startswith("__"):
                self.__dict__[name] = self._wrap(name, value)
        for name in ("__file__", "__path__", "__version__", "__all__", "__spec__"):
            if hasattr(real, name):
                self.__dict__[name] = getattr(real, name)
        self.__dict__.update(overrides or {})

    @staticmethod
    def _wrap(name: str, value):
        if name in _INDEX_BUILDERS:
            return DeviceItems(value)
        if name.startswith("_") or not _wraps(value):
            return value
        return DeviceResults(value, name)

    def __getattr__(self, name):
        # NumPy loads some attributes lazily (its module __getattr__): wrap them on arrival.
        value = self._wrap(name, getattr(self._real, name))
        self.__dict__[name] = value
        return value

    def __dir__(self):
        return sorted(set(dir(self._real)) | set(self.__dict__))
