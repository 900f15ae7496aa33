"""NumPy's data-type routines and type predicates, for npaccel values as for NumPy arrays."""
from __future__ import annotations

import numpy as np

from npaccel.numpy import _core


def _host_like(x):
    """A zero-size NumPy stand-in with x's dtype and shape (what the routines look at)."""
    if _core.is_value(x) or hasattr(x, "__npaccel_value__"):
        v = _core.asvalue(x)
        return np.lib.stride_tricks.as_strided(np.zeros((), _core.dtype_of(v)),
                                               _core.shape_of(v), [0] * len(_core.shape_of(v)))
    return x


def can_cast(from_, to, casting="safe") -> bool:
    return np.can_cast(_host_like(from_), to, casting)


def result_type(*arrays_and_dtypes) -> np.dtype:
    return np.result_type(*[_host_like(a) for a in arrays_and_dtypes])


def common_type(*arrays):
    return np.common_type(*[_host_like(a) for a in arrays])


def min_scalar_type(a):
    if _core.is_value(a) or hasattr(a, "__npaccel_value__"):
        v = _core.asvalue(a)
        if _core.shape_of(v):
            return np.dtype(_core.dtype_of(v))   # as NumPy: arrays keep their dtype
        return np.min_scalar_type(np.asarray(v))
    return np.min_scalar_type(a)


def mintypecode(typechars, typeset="GDFgdf", default="d"):
    return np.mintypecode([_host_like(t).dtype.char if hasattr(_host_like(t), "dtype") else t
                           for t in typechars], typeset, default)


def typename(char):
    return np.typename(char)


def isscalar(element) -> bool:
    """npaccel arrays, even 0-d ones, are arrays, not scalars (as NumPy's ndarray)."""
    if _core.is_value(element) or hasattr(element, "__npaccel_value__"):
        return False
    return np.isscalar(element)


def iterable(y) -> bool:
    if _core.is_value(y) or hasattr(y, "__npaccel_value__"):
        return len(_core.shape_of(_core.asvalue(y))) > 0
    return np.iterable(y)


def isfortran(a) -> bool:
    """npaccel arrays are always in C order."""
    return False


def astype(x, dtype, /, *, copy=True, device=None):
    """x converted to `dtype` (the array API's astype)."""
    return _core.astype(_core.asvalue(x), dtype)
