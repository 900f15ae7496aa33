"""`npaccel.Array`: an immutable array living on an XLA device, the result of eager ops."""
from __future__ import annotations

import operator

import numpy as np

from npaccel import _runtime
from npaccel.core.aval import ShapedArray
from npaccel.core.trace import pytype_aval_mappings


class Array:
    """An immutable device array. NumPy reads it with `np.asarray` (zero-copy on CPU)."""
    __slots__ = ("_buf", "aval", "_npy", "__weakref__")
    __array_priority__ = 100

    def __init__(self, buf, aval: ShapedArray):
        self._buf = buf
        self.aval = aval
        self._npy = None

    shape = property(lambda self: self.aval.shape)
    dtype = property(lambda self: self.aval.dtype)
    ndim = property(lambda self: self.aval.ndim)
    size = property(lambda self: self.aval.size)
    weak_type = property(lambda self: self.aval.weak_type)

    @property
    def device(self):
        return self._buf._sharding.device

    def _value(self) -> np.ndarray:
        if self._npy is None:
            self._npy = _runtime.to_host(self._buf, self.aval.shape, self.aval.dtype)
        return self._npy

    def __array__(self, dtype=None, copy=None):
        value = self._value()
        if copy:
            return np.array(value, dtype)
        if dtype is not None and np.dtype(dtype) != value.dtype:
            if copy is False:
                raise ValueError("converting an npaccel.Array to another dtype needs a copy")
            return value.astype(dtype)
        return value

    def block_until_ready(self) -> "Array":
        self._buf.block_until_ready()
        return self

    def item(self):
        return self._value().item()

    def tolist(self):
        return self._value().tolist()

    def __bool__(self):
        return bool(self._value())

    def __int__(self):
        return int(self._value())

    def __float__(self):
        return float(self._value())

    def __complex__(self):
        return complex(self._value())

    def __index__(self):
        return operator.index(self._value())

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        value = self._value()
        if value.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return iter(value)

    def __repr__(self):
        body = np.array2string(self._value(), separator=", ", prefix="Array(")
        return f"Array({body}, dtype={self.dtype})"

    def __str__(self):
        return str(self._value())

    def __reduce__(self):
        return (_from_numpy, (np.array(self._value()), self.weak_type))

    def __dlpack__(self, *args, **kwargs):
        return self._value().__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._value().__dlpack_device__()

    __hash__ = None


def _from_numpy(x: np.ndarray, weak_type: bool = False) -> Array:
    return Array(_runtime.device_put(x), ShapedArray(x.shape, x.dtype, weak_type))


def device_put(x) -> Array:
    """Copy a NumPy array (or scalar) to the default device as an npaccel.Array."""
    if isinstance(x, Array):
        return x
    x = np.asarray(x)
    return _from_numpy(x)


pytype_aval_mappings[Array] = operator.attrgetter("aval")
