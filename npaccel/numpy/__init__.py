"""npaccel.numpy: NumPy's API in pure Python on lax, organised like NumPy's reference.

Functions take array-likes and return lax values (npaccel.Array, or tracers inside
transformations); `np.*` calls on npaccel.ndarray reach them through npaccel.dispatch by
NumPy's own names. This file only re-exports what the topic modules define.
"""
import importlib as _importlib

import numpy as _np

_TOPICS = ("ufuncs", "creation", "manipulation", "mathematical", "reductions", "sorting",
           "sets", "products", "polynomial", "window", "indexing", "functional", "bitwise",
           "dtype_routines", "io")


def _numpy_names(module) -> dict:
    """The names of NumPy's namespace that a topic module provides: its `__all__`, or else
    what it defines itself (never what it merely imports, such as lax's `sort`)."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, v in vars(module).items()
                 if getattr(v, "__module__", None) == module.__name__ or type(v).__name__ == "ufunc"]
    return {n: getattr(module, n) for n in names if not n.startswith("_") and hasattr(_np, n)}


# The first topic to define a name owns it (each NumPy function lives in one place).
for _topic in _TOPICS:
    for _name, _value in _numpy_names(_importlib.import_module(f"npaccel.numpy.{_topic}")).items():
        globals().setdefault(_name, _value)

from npaccel.numpy import fft, lib, linalg  # noqa: E402,F401  (numpy.fft, .lib, .linalg)

# NumPy's dtypes and constants, so `npaccel.numpy` reads like `numpy`.
for _name in ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
              "uint64", "float16", "float32", "float64", "complex64", "complex128", "e",
              "pi", "inf", "nan", "newaxis", "dtype", "finfo", "iinfo", "result_type",
              "can_cast", "promote_types", "issubdtype", "isdtype"):
    globals().setdefault(_name, getattr(_np, _name))
