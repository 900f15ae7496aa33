"""The few array operations the interpreters themselves need (zeros, broadcasting, moving
a batch axis, adding cotangents). npaccel.lax supplies them at import, which keeps the
dependency arrow pointing from lax to transforms."""
from __future__ import annotations

from typing import Callable

zeros: Callable = None            # zeros(aval) -> array of zeros of aval.shape/dtype
add: Callable = None              # add(x, y), same shapes and dtypes
broadcast_to_front: Callable = None  # (x, size) -> x with a new leading axis of `size`
moveaxis: Callable = None         # moveaxis(x, src, dst)
convert: Callable = None          # convert(x, dtype)
reshape: Callable = None          # reshape(x, shape)
slice_first: Callable = None      # x[start:stop] along axis 0
slice_last: Callable = None       # x[..., start:stop]


def provide(**ops: Callable) -> None:
    globals().update(ops)
