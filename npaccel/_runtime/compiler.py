"""StableHLO module -> Executable, through an in-memory LRU and the on-disk cache.

XLA takes 25-300 ms to compile even a one-op program, so every compile is looked up first
in memory (this process) and then on disk (earlier processes) under a key that covers
everything that could change the machine code.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import platform
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from . import disk_cache
from ._jaxlib import jaxlib_version, xc
from .backend import client, default_device, sharding_for
from .dtypes import canonical_types
from .executable import Executable
from .mlir import ir, main_signature, spell_types

_DEFAULT_CACHE_SIZE = 4096


class _LRU:
    """A bounded, thread-safe least-recently-used map."""

    def __init__(self, capacity: int):
        self._capacity = capacity
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def _capacity_from_env() -> int:
    try:
        return max(0, int(os.environ.get("NPACCEL_EXECUTABLE_CACHE_SIZE", "")))
    except ValueError:
        return _DEFAULT_CACHE_SIZE


_memory = _LRU(_capacity_from_env())
_stats = {"memory_hits": 0, "disk_hits": 0, "compiles": 0}
_stats_lock = threading.Lock()


def _count(event: str) -> None:
    with _stats_lock:
        _stats[event] += 1


def cache_info() -> dict:
    """Counters of this process's compile requests, and where the disk cache lives."""
    with _stats_lock:
        info = dict(_stats)
    directory = disk_cache.cache_dir()
    info.update(memory_size=len(_memory), disk_dir=None if directory is None else str(directory))
    return info


def clear_memory_cache() -> None:
    """Forget this process's executables (the disk cache stays)."""
    _memory.clear()


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:  # length-prefixed, so no two part lists hash the same stream
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


def _host_cpu() -> str:
    # Executables hold machine code for this CPU's features; a cache directory shared
    # between machines (a network home) must not hand AVX-512 code to a CPU without it.
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line for line in f if line.startswith("flags")), "")
    except OSError:
        flags = platform.processor()
    return f"{platform.machine()} {flags}"


@functools.lru_cache(maxsize=None)
def _compile_options(device) -> xc.CompileOptions:
    options = xc.CompileOptions()
    # Without an explicit assignment XLA runs the program on device 0 whatever device list
    # it is compiled or deserialized with (and then rejects buffers on `device`).
    options.device_assignment = xc.DeviceAssignment.create(np.array([[device.id]], np.int32))
    return options


@functools.lru_cache(maxsize=None)
def _environment_key(device) -> bytes:
    """Everything besides the module that decides the compiled code, for one device."""
    c = client()
    parts = (str(disk_cache.FORMAT_VERSION), jaxlib_version, c.platform, c.platform_version,
             device.device_kind, str(len(c.devices())), os.environ.get("XLA_FLAGS", ""),
             _host_cpu())
    # The serialized options are deterministic across processes and name the device (a
    # deserialized executable runs where it was compiled to run).
    options = _compile_options(device).SerializeAsString()
    return options + _digest(*(p.encode() for p in parts)).encode()


def _bytecode(module: ir.Module) -> bytes:
    if not isinstance(module, ir.Module):
        raise TypeError(f"compile_module expects an ir.Module, got {type(module).__name__}")
    buffer = io.BytesIO()
    module.operation.write_bytecode(file=buffer)
    return buffer.getvalue()


def _check_signature(module: ir.Module, in_types, out_types) -> None:
    signature = main_signature(module)
    if signature is None:
        raise ValueError("the module has no func.func @main to compile")
    declared = (spell_types(in_types), spell_types(out_types))
    if list(signature) != list(declared):
        raise TypeError(f"declared types {declared[0]} -> {declared[1]} do not match the "
                        f"module's main {signature[0]} -> {signature[1]}")


def compile_module(module: ir.Module, in_types: Sequence[tuple], out_types: Sequence[tuple],
                   device=None) -> Executable:
    """Compile `module` (whose @main takes in_types, returns out_types) for `device`."""
    device = default_device() if device is None else device
    sharding_for(device)  # a ValueError now for a device of another client
    in_types, out_types = canonical_types(in_types), canonical_types(out_types)
    key = _digest(_bytecode(module), _environment_key(device))
    executable = _memory.get(key)
    if executable is not None:
        _count("memory_hits")
        # The cached types were checked against this very module, so different
        # declared types are a mismatch: _check_signature says which.
        if (executable.in_types, executable.out_types) != (in_types, out_types):
            _check_signature(module, in_types, out_types)
        return executable
    _check_signature(module, in_types, out_types)
    executable = Executable(_load_or_compile(key, module, device), in_types, out_types, device)
    _memory.put(key, executable)
    return executable


def _load_or_compile(key: str, module: ir.Module, device):
    loaded = _load_from_disk(key, device)
    if loaded is not None:
        _count("disk_hits")
        return loaded
    loaded = client().compile_and_load(module, xc.DeviceList((device,)), _compile_options(device))
    _count("compiles")
    _save_to_disk(key, loaded)
    return loaded


def _load_from_disk(key: str, device):
    payload = disk_cache.load(key)
    if payload is None:
        return None
    try:
        return client().deserialize_executable(payload, xc.DeviceList((device,)),
                                               _compile_options(device))
    except Exception:  # an intact file from a build XLA cannot read: recompile, overwrite
        return None


def _save_to_disk(key: str, loaded) -> None:
    if disk_cache.cache_dir() is None:
        return  # skip serializing (up to a few ms) when nothing will be written
    try:
        payload = client().serialize_executable(loaded)
    except Exception:  # e.g. a program XLA cannot serialize: it just stays uncached
        return
    disk_cache.store(key, payload)
