"""The only part of npaccel that imports jaxlib: devices, transfers, compiling, executing.

Importing this package checks the jaxlib version and loads the MLIR bindings; the XLA
client itself is created on first use.
"""

from ._jaxlib import jaxlib_version  # first: quiets XLA's logging before jaxlib loads
from .compiler import cache_info, clear_memory_cache, compile_module
from .backend import default_device, devices
from .executable import Executable
from .lapack import ensure_lapack
from .mlir import chlo, context, func, hlo, ir, ir_element_type, ir_tensor_type
from .transfer import device_put, to_host

__all__ = [
    "ir", "hlo", "chlo", "func", "context", "ir_element_type", "ir_tensor_type",
    "default_device", "devices", "device_put", "to_host",
    "compile_module", "Executable", "cache_info", "clear_memory_cache", "jaxlib_version",
    "ensure_lapack",
]
