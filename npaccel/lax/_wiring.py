"""Connect lax to the layers around it: the array operations the interpreters need, and
Python operators on npaccel arrays and tracers."""
from __future__ import annotations

import numpy as np

from npaccel.core import dtypes
from npaccel.core.trace import Tracer, get_aval
from npaccel.lax import convert, elementwise as ew, shape
from npaccel.transforms import ops
from npaccel.transforms.array import Array


def _slice_axis(axis):
    def f(x, start, stop):
        from npaccel.lax.slicing import slice_in_dim
        return slice_in_dim(x, start, stop, axis=axis)
    return f


ops.provide(
    zeros=lambda aval: shape.full(aval.shape, 0, aval.dtype),
    add=ew.add,
    broadcast_to_front=lambda x, size: shape.broadcast(x, (size,)),
    moveaxis=shape.moveaxis,
    convert=convert.convert_element_type,
    reshape=shape.reshape,
    slice_first=_slice_axis(0),
    slice_last=_slice_axis(-1),
)


# --- operators -----------------------------------------------------------------------------
# Note: these give npaccel.Array and tracers NumPy's broadcasting and NEP 50 promotion for
# the arithmetic below; the full NumPy face (indexing, methods, ufunc dispatch) comes from
# npaccel's ndarray layer, not from here.

_WEAK_STAND_INS = {"b": False, "i": 0, "u": 0, "f": 0.0, "c": 0j}


def _dtype_or_scalar(x):
    """What np.result_type needs: Python scalars, and weak-typed values (Python scalars
    that went through a trace), stay weak under NEP 50."""
    if type(x) in (bool, int, float, complex):
        return x
    aval = get_aval(x)
    return _WEAK_STAND_INS[aval.dtype.kind] if aval.weak_type else aval.dtype


def _promote(*args):
    """NumPy's result dtype and broadcast shape for `args`, and the args converted to them."""
    dtype = np.result_type(*[_dtype_or_scalar(a) for a in args])
    shapes = [get_aval(a).shape for a in args if type(a) not in (bool, int, float, complex)]
    out_shape = np.broadcast_shapes(*shapes) if shapes else ()
    return [_broadcast_to(_as_dtype(a, dtype), out_shape) for a in args]


def _as_dtype(x, dtype):
    if type(x) in (bool, int, float, complex):
        return np.asarray(x, dtype)   # NumPy's OverflowError for out-of-range Python ints
    return convert.convert_element_type(x, dtype)


def _broadcast_to(x, out_shape):
    aval = get_aval(x)
    if aval.shape == out_shape:
        return x
    nd = len(out_shape)
    squeezed = [i for i, d in enumerate(aval.shape) if d == 1 and out_shape[nd - aval.ndim + i] != 1]
    if squeezed:
        x = shape.squeeze(x, squeezed)
    kept = [nd - aval.ndim + i for i in range(aval.ndim) if i not in squeezed]
    return shape.broadcast_in_dim(x, out_shape, kept)


def _binary(fn, reflected=False):
    def op(self, other):
        if not isinstance(other, (Tracer, Array, np.ndarray, np.generic, bool, int, float, complex)):
            return NotImplemented
        a, b = (other, self) if reflected else (self, other)
        return fn(*_promote(a, b))
    return op


def _true_divide(x, y):
    if not dtypes.is_inexact(get_aval(x).dtype):
        x, y = convert.convert_element_type(x, np.float64), convert.convert_element_type(y, np.float64)
    return ew.div(x, y)


def _power(x, y):
    if dtypes.is_inexact(get_aval(x).dtype):
        return ew.pow(x, y)
    raise TypeError("integer ** on npaccel arrays: use lax.integer_pow with a static exponent")


def _bool_aware(arith, logical):
    """NumPy adds booleans with `or` and multiplies them with `and`."""
    return lambda x, y: (logical if get_aval(x).dtype == np.bool_ else arith)(x, y)


def _subtract(x, y):
    if get_aval(x).dtype == np.bool_:
        raise TypeError("numpy boolean subtract, the `-` operator, is not supported, use the "
                        "bitwise_xor, the `^` operator, or the logical_xor function instead.")
    return ew.sub(x, y)


_BINARY = {"add": _bool_aware(ew.add, ew.bitwise_or), "sub": _subtract,
           "mul": _bool_aware(ew.mul, ew.bitwise_and), "truediv": _true_divide,
           "pow": _power, "and": ew.bitwise_and, "or": ew.bitwise_or, "xor": ew.bitwise_xor}
_COMPARE = {"lt": ew.lt, "le": ew.le, "gt": ew.gt, "ge": ew.ge, "eq": ew.eq, "ne": ew.ne}


def _install(cls):
    for name, fn in _BINARY.items():
        setattr(cls, f"__{name}__", _binary(fn))
        setattr(cls, f"__r{name}__", _binary(fn, reflected=True))
    for name, fn in _COMPARE.items():
        setattr(cls, f"__{name}__", _binary(fn))
    cls.__neg__ = lambda self: ew.neg(self)
    cls.__pos__ = lambda self: self
    cls.__abs__ = lambda self: ew.abs(self)
    cls.__invert__ = lambda self: ew.bitwise_not(self)
    cls.__hash__ = None


_install(Tracer)
_install(Array)
