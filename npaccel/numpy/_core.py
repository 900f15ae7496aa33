"""What every npaccel.numpy function starts with: turning array-likes into lax values,
and NumPy's dtype rules (NEP 50) for them.

A *value* is what lax operates on: an npaccel.Array (eager), a Tracer (inside a
transformation), or a NumPy array (a constant). npaccel.numpy functions take array-likes
(those, Python scalars and sequences, and any object with `__npaccel_value__`, such as
the mutable npaccel.ndarray) and return values.
"""
from __future__ import annotations

import numpy as np

from npaccel.core import dtypes
from npaccel.core.trace import ConcretizationError, Tracer, concrete_or_error, get_aval
from npaccel.lax import convert, shape as lax_shape
from npaccel.transforms.array import Array

PYTHON_SCALARS = (bool, int, float, complex)
_WEAK_STAND_INS = {"b": False, "i": 0, "u": 0, "f": 0.0, "c": 0j}


def is_value(x) -> bool:
    return isinstance(x, (Array, Tracer))


def asvalue(x, dtype=None):
    """`x` as a lax value (of `dtype` if given), with NumPy's conversion rules."""
    unwrap = getattr(x, "__npaccel_value__", None)
    if unwrap is not None:
        x = unwrap()
    if is_value(x):
        return x if dtype is None else convert.convert_element_type(x, dtype)
    if isinstance(x, (list, tuple)) and _holds_values(x):
        return _stack_nested(x, dtype)
    if isinstance(x, np.ndarray) and dtype is None and x.dtype in dtypes.SUPPORTED:
        return x
    try:
        host = np.asarray(x, dtype)
    except TypeError as e:
        raise TypeError(f"cannot convert {type(x).__name__} to an npaccel array: {e}") from None
    if not host.dtype.isnative:
        # Byte order is a property of host memory: device arrays hold the same values natively.
        host = host.astype(host.dtype.newbyteorder("="))
    if host.dtype not in dtypes.SUPPORTED:
        raise dtypes.UnsupportedDTypeError(f"npaccel does not support arrays of dtype {host.dtype} "
                        f"(from {type(x).__name__})")
    return host


def _holds_values(seq) -> bool:
    return any(is_value(e) or hasattr(e, "__npaccel_value__")
               or (isinstance(e, (list, tuple)) and _holds_values(e)) for e in seq)


def _stack_nested(seq, dtype):
    """A nested sequence containing traced values, stacked along new leading axes."""
    items = [asvalue(e) for e in seq]
    dtype = result_type(*items) if dtype is None else np.dtype(dtype)
    shapes = {shape_of(e) for e in items}
    if len(shapes) > 1:
        raise ValueError("setting an array element with a sequence. The requested array has "
                         "an inhomogeneous shape")
    items = [lax_shape.expand_dims(convert.convert_element_type(e, dtype), (0,)) for e in items]
    return lax_shape.concatenate(items, 0)


def shape_of(x) -> tuple[int, ...]:
    return get_aval(x).shape if not isinstance(x, PYTHON_SCALARS) else ()


def dtype_of(x) -> np.dtype:
    return get_aval(x).dtype if not isinstance(x, PYTHON_SCALARS) else dtypes.python_scalar_dtype(x)


def dtype_or_weak(x):
    """What NumPy's promotion sees: a dtype, or a Python scalar for weak operands (Python
    scalars, and values traced from them)."""
    if type(x) in PYTHON_SCALARS:
        return x
    aval = get_aval(x)
    return _WEAK_STAND_INS[aval.dtype.kind] if aval.weak_type else aval.dtype


def result_type(*args) -> np.dtype:
    """np.result_type under NEP 50 for values, dtypes and Python scalars."""
    return np.result_type(*[a if isinstance(a, (np.dtype, type)) else dtype_or_weak(a)
                            for a in args])


def astype(x, dtype):
    """`x` converted to `dtype` (Python scalars checked for overflow, as NumPy does)."""
    dtype = np.dtype(dtype)
    if type(x) in PYTHON_SCALARS:
        return np.asarray(x, dtype)
    return convert.convert_element_type(x, dtype)


def broadcast_to(x, shape):
    """x broadcast to `shape` under NumPy's rules (trailing alignment, size-1 stretch)."""
    shape = tuple(int(d) for d in shape)
    xs = shape_of(x)
    if xs == shape:
        return x
    if len(xs) > len(shape) or any(a not in (1, b) for a, b in zip(xs[::-1], shape[::-1])):
        raise ValueError(f"operands could not be broadcast together with remapped shapes "
                         f"[original->remapped]: {xs} and requested shape {shape}")
    lead = len(shape) - len(xs)
    squeezed = [i for i, d in enumerate(xs) if d == 1 and shape[lead + i] != 1]
    if squeezed:
        x = lax_shape.squeeze(x, squeezed)
    kept = [lead + i for i in range(len(xs)) if i not in squeezed]
    return lax_shape.broadcast_in_dim(x, shape, kept)


def broadcast_shapes(*shapes) -> tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ValueError("operands could not be broadcast together with shapes "
                         + " ".join(str(tuple(s)) for s in shapes)) from None


def promote_and_broadcast(*args, dtype=None):
    """The args converted to one dtype (NEP 50 result, or `dtype`) and broadcast together."""
    dtype = result_type(*args) if dtype is None else np.dtype(dtype)
    shape = broadcast_shapes(*[shape_of(a) for a in args])
    return [broadcast_to(astype(a, dtype), shape) for a in args]


def normalize_axis(axis: int, ndim: int, name: str = "axis") -> int:
    """NumPy's AxisError (an IndexError and ValueError) for an out-of-range axis."""
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(axis, ndim)
    return axis % ndim


def normalize_axes(axis, ndim: int) -> tuple[int, ...]:
    """None -> all axes; an int or a tuple -> sorted unique non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = tuple(normalize_axis(a, ndim) for a in axes)
    if len(set(out)) != len(out):
        raise ValueError("duplicate value in 'axis'")
    return out


def concrete(x, name: str, remedy: str = "call it outside the transformation") -> np.ndarray:
    """x's value on the host, for results whose dtype or shape depends on it; under
    jit/vmap a ConcretizationError naming the function `name` and the remedy."""
    try:
        return concrete_or_error(x, name)
    except ConcretizationError:
        raise ConcretizationError(
            f"{name}: the result's dtype or shape depends on the input values, which are "
            f"unknown inside jit/vmap; {remedy}") from None
