"""The default (CPU) client and its devices, and the aval/sharding objects jaxlib reads.

jaxlib's C++ side reads only a few attributes of the aval and sharding objects passed to
it (see the jaxlib-runtime notes, section 1), so plain slotted classes stand in for jax's.
"""

from __future__ import annotations

import threading

import numpy as np

from ._jaxlib import xc

_client = None
_client_lock = threading.Lock()
# Returned on every transfer: jaxlib calls `_to_xla_hlo_sharding` each time, so build it once.
_REPLICATED = xc.HloSharding.replicate()
_shardings: dict = {}


def client():
    """The default client, created on first use (never at import)."""
    global _client
    if _client is None:
        with _client_lock:
            if _client is None:
                _client = xc.make_cpu_client()
    return _client


def devices() -> list:
    """The devices of the default client."""
    return list(client().devices())


def default_device():
    """The first device of the default client."""
    return client().devices()[0]


class Aval:
    """Shape and dtype of a device buffer; jaxlib reads these three attributes only."""

    __slots__ = ("shape", "dtype", "weak_type")

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype):
        self.shape = shape
        self.dtype = dtype
        self.weak_type = False

    def __repr__(self) -> str:
        return f"Aval({self.shape}, {self.dtype})"


class OnDevice:
    """The sharding of a buffer that lives whole on one device."""

    __slots__ = ("device", "_internal_device_list", "memory_kind")

    def __init__(self, device):
        self.device = device
        self._internal_device_list = xc.DeviceList((device,))
        self.memory_kind = None  # the device's default memory

    def _to_xla_hlo_sharding(self, ndim: int):
        return _REPLICATED

    def __repr__(self) -> str:
        return f"OnDevice({self.device})"


def sharding_for(device) -> OnDevice:
    """The one OnDevice object per device; a device of another client is a ValueError."""
    sharding = _shardings.get(device)
    if sharding is None:
        if device not in client().devices():
            raise ValueError(f"{device!r} is not a device of the default client "
                             f"(devices: {devices()})")
        sharding = _shardings.setdefault(device, OnDevice(device))
    return sharding
