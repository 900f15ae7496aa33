"""numpy.lib.stride_tricks: sliding_window_view (broadcast_to lives in
npaccel.numpy.manipulation).

NumPy returns a strided view; here the windows are gathered into a new value with the
view's shape (each windowed axis shortened by window - 1, the window axes appended),
which the mutable ndarray layer wraps as a read-only array.
"""
from __future__ import annotations

import numpy as np

from npaccel.lax import shape as lax_shape
from npaccel.numpy import indexing
from npaccel.numpy._core import asvalue, normalize_axis, shape_of

__all__ = ["sliding_window_view"]


def _window_axis(x, axis: int, size: int):
    """Windows of `size` along `axis`: that axis shortened by size - 1 and a new last axis
    of length size, out[..., i, ..., w] = x[..., i + w, ...] (one gather)."""
    n = shape_of(x)[axis] - size + 1
    positions = np.arange(n)[:, None] + np.arange(size)[None, :]
    windows = indexing.getitem(x, (slice(None),) * axis + (positions,))
    return lax_shape.moveaxis(windows, axis + 1, -1)


def sliding_window_view(x, window_shape, axis=None, *, subok: bool = False,
                        writeable: bool = False):
    """numpy.lib.stride_tricks.sliding_window_view: every window of `window_shape` over
    `axis` (all axes if None; an axis may repeat), window axes last.

    # Note: the result is a copy, not a view: `writeable=True` (writing through to x) is
    # not supported and raises NotImplementedError; `subok` is ignored."""
    if writeable:
        raise NotImplementedError("sliding_window_view(writeable=True): npaccel returns a "
                                  "copy of the windows, not a view that writes through to x")
    window_shape = tuple(window_shape) if np.iterable(window_shape) else (window_shape,)
    window_shape = tuple(int(w) for w in window_shape)
    x = asvalue(x)
    ndim = len(shape_of(x))
    if any(w < 0 for w in window_shape):
        raise ValueError("`window_shape` cannot contain negative values")
    if axis is None:
        axis = tuple(range(ndim))
        if len(window_shape) != len(axis):
            raise ValueError(f"Since axis is `None`, must provide window_shape for all "
                             f"dimensions of `x`; got {len(window_shape)} window_shape "
                             f"elements and `x.ndim` is {ndim}.")
    else:
        axis = tuple(axis) if np.iterable(axis) else (axis,)
        axis = tuple(normalize_axis(a, ndim) for a in axis)
        if len(window_shape) != len(axis):
            raise ValueError(f"Must provide matching length window_shape and axis; got "
                             f"{len(window_shape)} window_shape elements and {len(axis)} "
                             "axes elements.")
    trimmed = list(shape_of(x))
    for ax, size in zip(axis, window_shape):
        if trimmed[ax] < size:
            raise ValueError("window shape cannot be larger than input array shape")
        trimmed[ax] -= size - 1
    for ax, size in zip(axis, window_shape):
        x = _window_axis(x, ax, size)
    return x
