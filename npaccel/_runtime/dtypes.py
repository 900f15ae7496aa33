"""The dtypes the runtime moves and compiles, and how a (shape, dtype) pair is spelled."""

from __future__ import annotations

from collections.abc import Iterable

import ml_dtypes
import numpy as np

# NumPy dtype -> MLIR element type. Integers are signless in StableHLO except the
# unsigned ones, which MLIR spells `ui<N>`. Byte-swapped dtypes are deliberately absent:
# XLA would read their bytes in native order.
MLIR_ELEMENT_TYPES: dict[np.dtype, str] = {
    np.dtype(np.bool_): "i1",
    np.dtype(np.int8): "i8",
    np.dtype(np.int16): "i16",
    np.dtype(np.int32): "i32",
    np.dtype(np.int64): "i64",
    np.dtype(np.uint8): "ui8",
    np.dtype(np.uint16): "ui16",
    np.dtype(np.uint32): "ui32",
    np.dtype(np.uint64): "ui64",
    np.dtype(np.float16): "f16",
    np.dtype(ml_dtypes.bfloat16): "bf16",
    np.dtype(np.float32): "f32",
    np.dtype(np.float64): "f64",
    np.dtype(np.complex64): "complex<f32>",
    np.dtype(np.complex128): "complex<f64>",
}

TypeSpec = tuple[tuple[int, ...], np.dtype]


def check_dtype(dtype) -> np.dtype:
    """Return `dtype` as an np.dtype, or raise TypeError if the runtime cannot hold it."""
    dtype = np.dtype(dtype)
    if dtype not in MLIR_ELEMENT_TYPES:
        names = ", ".join(sorted(str(d) for d in MLIR_ELEMENT_TYPES))
        raise TypeError(f"dtype {dtype.str!r} ({dtype}) is not supported on device; "
                        f"supported: {names} (native byte order)")
    return dtype


def _check_shape(shape) -> tuple[int, ...]:
    shape = tuple(shape)
    if not all(isinstance(d, (int, np.integer)) and d >= 0 for d in shape):
        raise TypeError(f"shape {shape!r} must be a tuple of non-negative ints")
    return tuple(int(d) for d in shape)


def canonical_types(types: Iterable[tuple]) -> tuple[TypeSpec, ...]:
    """Normalise a sequence of (shape, dtype) pairs, validating both parts."""
    return tuple((_check_shape(shape), check_dtype(dtype)) for shape, dtype in types)


def format_type(shape: tuple[int, ...], dtype: np.dtype) -> str:
    """`f32[2,3]`-style text for error messages."""
    return f"{dtype}[{','.join(str(d) for d in shape)}]"
