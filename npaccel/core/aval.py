"""Abstract values: what tracing knows about an array (shape, dtype, weak type)."""
from __future__ import annotations

import math

import numpy as np

from npaccel.core import dtypes


class ShapedArray:
    """An array of known shape and dtype whose values are unknown.

    `weak_type` marks values that came from Python scalars: under NEP 50 their dtype
    yields to that of the other operand.
    """
    __slots__ = ("shape", "dtype", "weak_type", "_hash")

    def __init__(self, shape, dtype, weak_type: bool = False):
        self.shape = tuple(int(d) for d in shape)
        self.dtype = np.dtype(dtype)
        self.weak_type = bool(weak_type)
        # Avals key every executable cache lookup: hash once.
        self._hash = hash((self.shape, self.dtype, self.weak_type))

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: math.prod(self.shape))

    def update(self, shape=None, dtype=None, weak_type=None) -> "ShapedArray":
        return ShapedArray(self.shape if shape is None else shape,
                           self.dtype if dtype is None else dtype,
                           self.weak_type if weak_type is None else weak_type)

    def strip_weak_type(self) -> "ShapedArray":
        return self.update(weak_type=False) if self.weak_type else self

    def __eq__(self, other):
        return (type(other) is ShapedArray and self.shape == other.shape
                and self.dtype == other.dtype and self.weak_type == other.weak_type)

    def __hash__(self):
        return self._hash

    def str_short(self) -> str:
        return f"{dtypes.short_name(self.dtype)}[{','.join(map(str, self.shape))}]"

    def __repr__(self):
        weak = ", weak_type=True" if self.weak_type else ""
        return f"ShapedArray({self.shape}, {self.dtype}{weak})"


def aval_of_value(x) -> ShapedArray:
    """The abstract value of a concrete (non-tracer) value: NumPy array, scalar, Python scalar."""
    py_dtype = dtypes.python_scalar_dtype(x)
    if py_dtype is not None:
        return ShapedArray((), py_dtype, weak_type=True)
    if isinstance(x, (np.ndarray, np.generic)):
        # float0 arrays are the (instantiated) tangents of integer values: they have avals,
        # though no computation accepts them.
        dtype = x.dtype if x.dtype == dtypes.float0 else dtypes.check_supported(x.dtype)
        return ShapedArray(x.shape, dtype)
    raise TypeError(f"Value {x!r} of type {type(x).__name__} is not a valid npaccel array type")


def canonical_value(x) -> np.ndarray:
    """A concrete value as a NumPy array of its aval's dtype."""
    if isinstance(x, np.ndarray):
        return x
    py_dtype = dtypes.python_scalar_dtype(x)
    if py_dtype is not None:
        return np.asarray(x, py_dtype)
    return np.asarray(x)
