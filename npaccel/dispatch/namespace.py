"""The Array API namespace of npaccel arrays (`x.__array_namespace__()`): npaccel.numpy's
functions, returning ArrayAPIArray — npaccel arrays whose 0-d results stay 0-d arrays (never
NumPy scalars), as the standard requires, through every later operation."""
from __future__ import annotations

import functools
import importlib
import types

import numpy as np

from npaccel.core.trace import Tracer
from npaccel.dispatch.ndarray import ArrayAPIArray, ndarray
from npaccel.transforms.array import Array
from npaccel.dispatch import views
from npaccel.dispatch.protocols import wrap
from npaccel.numpy import _core
import npaccel.numpy as xnp

API_VERSION = "2023.12"
_DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
           "float32", "float64", "complex64", "complex128")
_CONSTANTS = ("e", "inf", "nan", "newaxis", "pi")


def _argsort(impl):
    def argsort(x, /, *, axis=-1, descending=False, stable=True):
        if not descending:
            return impl(x, axis=axis, kind="stable" if stable else None)
        # Stable and descending: the ascending stable order of the reversed array, reversed.
        n = _core.shape_of(_core.asvalue(x))[axis]
        flipped = xnp.flip(impl(xnp.flip(x, axis), axis=axis, kind="stable"), axis)
        return xnp.subtract(n - 1, flipped)
    return argsort


def _sort(impl):
    def sort(x, /, *, axis=-1, descending=False, stable=True):
        out = impl(x, axis=axis, kind="stable" if stable else None)
        return xnp.flip(out, axis) if descending else out
    return sort


# Where the standard's signature is not NumPy's: adapters from the standard's to NumPy's.
_STANDARD_SIGNATURES = {
    "clip": lambda impl: lambda x, /, min=None, max=None: impl(x, min, max),
    "sort": _sort,
    "argsort": _argsort,
}


class _Namespace(types.ModuleType):
    """A lazily filled module: attribute lookups resolve to wrapped implementations."""

    def __init__(self, name: str, impl_module: str):
        super().__init__(name)
        self._impl_module = impl_module

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        if attr in _DTYPES:
            value = np.dtype(attr)
        elif attr in _CONSTANTS:
            value = getattr(np, attr)
        else:
            impl = getattr(importlib.import_module(self._impl_module), attr, None)
            if impl is None or not callable(impl):
                raise AttributeError(f"npaccel's array API namespace has no attribute {attr!r}")
            if attr in _STANDARD_SIGNATURES and self._impl_module == "npaccel.numpy":
                impl = _STANDARD_SIGNATURES[attr](impl)
            value = _wrapped(impl, self._impl_module, attr) if not isinstance(impl, type) \
                else impl
        setattr(self, attr, value)
        return value


def _wrapped(impl, impl_module: str, name: str):
    """The namespace's function: views where NumPy's function gives views (code written
    for the standard writes through them, as SciPy's does), else a new array."""
    numpy_module = impl_module.removeprefix("npaccel.")          # numpy, numpy.linalg, ...
    public = f"{numpy_module}.{name}"
    numpy_func = getattr(importlib.import_module(numpy_module), name, None)

    @functools.wraps(impl)
    def f(*args, **kwargs):
        if args and isinstance(args[0], ndarray):
            if public in views.VIEW_FUNCTIONS and numpy_func is not None:
                return views.function_view(public, numpy_func, impl, args[0], args[1:], kwargs)
            if public in views.METHOD_VIEWS:
                return views.METHOD_VIEWS[public](*args, **kwargs)
        return wrap(impl(*args, **kwargs), cls=ArrayAPIArray)
    return f


class _Info:
    """`xp.__array_namespace_info__()`: what the namespace offers (array API 2023.12)."""

    def capabilities(self) -> dict:
        return {"boolean indexing": True, "data-dependent shapes": True}

    def default_device(self) -> str:
        return "cpu"

    def devices(self) -> list:
        return ["cpu"]

    def default_dtypes(self, *, device=None) -> dict:
        return {"real floating": np.dtype("float64"), "complex floating": np.dtype("complex128"),
                "integral": np.dtype("int64"), "indexing": np.dtype("int64")}

    def dtypes(self, *, device=None, kind=None) -> dict:
        names = [n for n in _DTYPES if kind is None or np.isdtype(np.dtype(n), kind)]
        return {n: np.dtype(n) for n in names}


array_api = _Namespace("npaccel.array_api", "npaccel.numpy")
array_api.__array_namespace_info__ = _Info
array_api.__array_api_version__ = API_VERSION
array_api.linalg = _Namespace("npaccel.array_api.linalg", "npaccel.numpy.linalg")
array_api.fft = _Namespace("npaccel.array_api.fft", "npaccel.numpy.fft")
array_api.ndarray = ArrayAPIArray


def __array_namespace__(self, api_version: str | None = None):
    if api_version not in (None, "2022.12", "2023.12"):
        raise ValueError(f"npaccel supports the array API 2023.12, not {api_version!r}")
    return array_api


# Values (eager arrays, tracers) that user code receives answer it too.
ndarray.__array_namespace__ = Array.__array_namespace__ = Tracer.__array_namespace__ = \
    __array_namespace__
