"""NumPy's "Binary operations" that are not ufuncs: packbits and unpackbits."""
from __future__ import annotations

import numpy as np

from npaccel.lax import elementwise as ew, reduction, shape as lax_shape
from npaccel.numpy import _core


def _weights(bitorder, dtype):
    if bitorder not in ("big", "little"):
        raise ValueError("'order' must be either 'little' or 'big'")
    w = 2 ** np.arange(8)
    return (w[::-1] if bitorder == "big" else w).astype(dtype)


def packbits(a, axis=None, bitorder="big"):
    """Pack the truth values of `a` into uint8 bytes along `axis` (flattened if None)."""
    x = _core.asvalue(a)
    if _core.dtype_of(x).kind not in "biu":
        raise TypeError("Expected an input array of integer or boolean data type")
    if axis is None:
        x, axis = lax_shape.reshape(x, (int(np.prod(_core.shape_of(x))),)), 0
    shape = _core.shape_of(x)
    axis = _core.normalize_axis(axis, len(shape))
    bits = _core.astype(ew.ne(x, lax_shape.full_like(x, 0)), np.uint8)
    n = shape[axis]
    pad = (-n) % 8
    bits = lax_shape.pad(bits, np.uint8(0), [(0, pad if k == axis else 0, 0) for k in range(len(shape))])
    grouped = lax_shape.reshape(bits, (*shape[:axis], (n + pad) // 8, 8, *shape[axis + 1:]))
    w = _core.broadcast_to(lax_shape.broadcast_in_dim(_weights(bitorder, np.uint8), _core.shape_of(grouped), (axis + 1,)),
                           _core.shape_of(grouped))
    return reduction.reduce_sum(ew.mul(grouped, w), (axis + 1,))


def unpackbits(a, axis=None, count=None, bitorder="big"):
    """The bits of uint8 `a` along `axis` (flattened if None), optionally `count` of them."""
    x = _core.asvalue(a)
    if _core.dtype_of(x) != np.uint8:
        raise TypeError("Expected an input array of unsigned byte data type")
    if axis is None:
        x, axis = lax_shape.reshape(x, (int(np.prod(_core.shape_of(x))),)), 0
    shape = _core.shape_of(x)
    axis = _core.normalize_axis(axis, len(shape))
    expanded = lax_shape.expand_dims(x, (axis + 1,))
    out_shape = (*shape[:axis + 1], 8, *shape[axis + 1:])
    shifts = np.arange(8, dtype=np.uint8)[::-1] if bitorder == "big" else np.arange(8, dtype=np.uint8)
    if bitorder not in ("big", "little"):
        raise ValueError("'order' must be either 'little' or 'big'")
    s = lax_shape.broadcast_in_dim(shifts, out_shape, (axis + 1,))
    bits = ew.bitwise_and(ew.shift_right_logical(_core.broadcast_to(expanded, out_shape), s),
                          lax_shape.full(out_shape, 1, np.uint8))
    flat = lax_shape.reshape(bits, (*shape[:axis], shape[axis] * 8, *shape[axis + 1:]))
    if count is None:
        return flat
    from npaccel.numpy.indexing import getitem
    total = shape[axis] * 8
    count = int(count)
    if count < 0:
        count = max(total + count, 0)
    if count <= total:
        return getitem(flat, (slice(None),) * axis + (slice(0, count),))
    return lax_shape.pad(flat, np.uint8(0), [(0, count - total if k == axis else 0, 0)
                                              for k in range(len(shape))])
