"""Moving arrays between host (NumPy) and device (jaxlib buffers)."""

from __future__ import annotations

import ctypes
import math

import numpy as np

from ._jaxlib import xc
from .backend import Aval, default_device, sharding_for
from .dtypes import check_dtype


def device_put(x: np.ndarray, device=None, *, may_alias: bool = False) -> xc.ArrayImpl:
    """Copy a NumPy array onto `device` (default: the default device).

    `x` must already have the dtype wanted on device; jaxlib never checks the data against
    the aval, so a mismatch here would silently mislabel the buffer.
    may_alias=False snapshots `x`: later writes to `x` never reach the device.
    may_alias=True lets the device alias `x`'s memory; the caller promises never to mutate it.
    """
    if isinstance(x, np.generic):
        x = np.asarray(x)
    if not isinstance(x, np.ndarray):
        raise TypeError(f"device_put expects a numpy.ndarray, got {type(x).__name__}")
    dtype = check_dtype(x.dtype)
    device = default_device() if device is None else device
    # force_copy (6th argument) instead of the default ZERO_COPY, which aliases or copies
    # asynchronously, so a later host write races with the device.
    return xc.batched_device_put(Aval(x.shape, dtype), sharding_for(device), [x], [device],
                                 True, not may_alias, enable_x64=True)


def to_host(buffer: xc.ArrayImpl, shape: tuple | None = None, dtype=None) -> np.ndarray:
    """A read-only NumPy view (a copy only where jaxlib must) of a device buffer, whose
    shape and dtype the caller may pass (reading `buffer.aval` imports jax, or tries to)."""
    if not isinstance(buffer, xc.ArrayImpl):
        raise TypeError(f"to_host expects a device buffer, got {type(buffer).__name__}")
    if buffer.is_deleted():
        raise RuntimeError("to_host: the device buffer has been deleted")
    host = _cpu_view(buffer, shape, dtype) if shape is not None else None
    if host is None:
        # Not np.asarray: it silently returns an object array for bf16 and deleted buffers.
        host, _ = buffer._single_device_array_to_np_array_did_copy()
    if host.flags.writeable:  # a copy (e.g. unpacked sub-byte types) may come back writable
        host.flags.writeable = False
    return host


def _cpu_view(buffer: xc.ArrayImpl, shape: tuple, dtype) -> np.ndarray | None:
    """On the CPU a device buffer is host memory: view it without a copy. (jaxlib's own
    transfer costs 100-300 µs a call, most of it failed attempts to import jax.) None where
    the buffer is not a plain dense row-major CPU array."""
    if buffer.platform() != "cpu":
        return None
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes == 0 or str(buffer._pjrt_layout) != _ROW_MAJOR[len(shape)]:
        return None
    buffer.block_until_ready()
    raw = (ctypes.c_char * nbytes).from_address(buffer.unsafe_buffer_pointer())
    raw.owner = buffer  # the view keeps the device buffer, and so its memory, alive
    return np.frombuffer(raw, dtype).reshape(shape)


_ROW_MAJOR = ["{" + ",".join(str(d) for d in reversed(range(n))) + "}" for n in range(65)]
