"""NumPy's functions that write into their first argument (np.copyto, np.put, np.place,
np.putmask, np.fill_diagonal, np.put_along_axis): each computes the new value functionally and assigns it,
so they also work on arrays inside jit/grad/vmap."""
from __future__ import annotations

import math

import numpy as np

from npaccel.dispatch.ndarray import ndarray
from npaccel.lax import elementwise as ew, shape as lax_shape
from npaccel.numpy import _core, indexing


def _target(a, name: str) -> ndarray:
    if not isinstance(a, ndarray):
        raise TypeError(f"{name} writes into its argument: it must be an npaccel.ndarray, "
                        f"got {type(a).__name__}")
    return a


def _cyclic(values, n: int, dtype):
    """`values` flattened and repeated (cyclically, as NumPy does) to length n."""
    values = _core.astype(_core.asvalue(values), dtype)
    flat = lax_shape.reshape(values, (math.prod(_core.shape_of(values)),))
    size = _core.shape_of(flat)[0]
    if size == 0:
        raise ValueError("cannot place or put from an empty array of values")
    reps = -(-n // size)
    tiled = lax_shape.concatenate([flat] * reps, 0) if reps > 1 else flat
    return indexing.getitem(tiled, slice(0, n))


def copyto(dst, src, casting="same_kind", where=True) -> None:
    dst = _target(dst, "copyto")
    if isinstance(src, _core.PYTHON_SCALARS):
        # NumPy's rules for a Python scalar (weak, range-checked) are NumPy's to apply.
        np.copyto(np.empty((), dst.dtype), src, casting=casting)
    elif not np.can_cast(_core.dtype_of(_core.asvalue(src)), dst.dtype, casting):
        raise TypeError(f"Cannot cast array data from {_core.dtype_of(_core.asvalue(src))!r} "
                        f"to {dst.dtype!r} according to the rule {casting!r}")
    src = _core.asvalue(src)
    new = _core.broadcast_to(_core.astype(src, dst.dtype), dst.shape)
    if where is not True:
        new = ew.select(_core.broadcast_to(_core.asvalue(where), dst.shape), new,
                        dst.__npaccel_value__())
    dst._assign(new)


def _is_empty(x) -> bool:
    return math.prod(_core.shape_of(_core.asvalue(x))) == 0


def put(a, ind, v, mode="raise") -> None:
    a = _target(a, "put")
    if _is_empty(ind) or _is_empty(v):
        return  # NumPy: nothing to write
    a.put(ind, v, mode)


def putmask(a, mask, values) -> None:
    a = _target(a, "putmask")
    mask = _core.asvalue(mask)
    if math.prod(_core.shape_of(mask)) != a.size:
        raise ValueError("putmask: mask and data must be the same size")
    if _is_empty(values):
        return
    if isinstance(values, _core.PYTHON_SCALARS):
        np.putmask(np.zeros(1, a.dtype), np.zeros(1, bool), values)   # NumPy's scalar rules
    elif not np.can_cast(_core.dtype_of(_core.asvalue(values)), a.dtype, "safe"):
        raise TypeError(f"Cannot cast array data from {_core.dtype_of(_core.asvalue(values))!r} "
                        f"to {a.dtype!r} according to the rule 'safe'")
    mask = lax_shape.reshape(_core.astype(mask, np.dtype(bool)), a.shape)
    tiled = lax_shape.reshape(_cyclic(values, a.size, a.dtype), a.shape)
    a._assign(ew.select(mask, tiled, a.__npaccel_value__()))


def put_along_axis(arr, indices, values, axis) -> None:
    from npaccel.numpy import manipulation
    arr = _target(arr, "put_along_axis")
    arr._assign(manipulation.put_along_axis(arr, indices, values, axis))


def place(arr, mask, vals) -> None:
    arr = _target(arr, "place")
    host_mask = np.asarray(indexing._concrete(_core.asvalue(mask), "np.place"))
    # NumPy checks sizes, emptiness and casting; on a host stand-in it raises exactly that.
    stand_in = np.zeros(arr.shape, arr.dtype)
    np.place(stand_in, host_mask, np.asarray(vals) if hasattr(vals, "__npaccel_value__") else vals)
    if host_mask.any():
        arr[host_mask.reshape(arr.shape).astype(bool)] = stand_in[host_mask.reshape(arr.shape).astype(bool)]


def fill_diagonal(a, val, wrap=False) -> None:
    a = _target(a, "fill_diagonal")
    if a.ndim < 2:
        raise ValueError("array must be at least 2-d")
    if a.ndim > 2 and len(set(a.shape)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    # NumPy's definition: every (sum of strides)-th element of the flattened array.
    step = 1 + sum(int(np.prod(a.shape[k + 1:])) for k in range(a.ndim - 1))
    end = a.size if wrap or a.ndim > 2 else a.shape[1] * a.shape[1]
    positions = np.arange(0, min(end, a.size), step)
    flat = lax_shape.reshape(a.__npaccel_value__(), (a.size,))
    values = _cyclic(val, len(positions), a.dtype)
    a._assign(lax_shape.reshape(indexing.setitem(flat, positions, values), a.shape))


FUNCTIONS = {"numpy.copyto": copyto, "numpy.put": put, "numpy.putmask": putmask,
             "numpy.place": place, "numpy.fill_diagonal": fill_diagonal,
             "numpy.put_along_axis": put_along_axis}
