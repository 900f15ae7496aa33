"""NumPy dtypes as npaccel sees them: the supported set, kinds, and weak scalar types."""
from __future__ import annotations

import numpy as np
import ml_dtypes

bfloat16 = np.dtype(ml_dtypes.bfloat16)

# The dtype of a tangent or cotangent of a value that cannot be differentiated
# (integers, booleans): a zero-size void type, as in JAX.
float0 = np.dtype([("float0", np.void, 0)])

SUPPORTED = tuple(np.dtype(d) for d in (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", bfloat16, "float32", "float64", "complex64", "complex128"))

_SHORT = {"bool": "bool", "bfloat16": "bf16"}
_KIND_PREFIX = {"i": "i", "u": "u", "f": "f", "c": "c", "V": "f"}


def short_name(dtype: np.dtype) -> str:
    """f32, i64, c128, bf16, bool: the names used in printed jaxprs."""
    dtype = np.dtype(dtype)
    if dtype.name in _SHORT:
        return _SHORT[dtype.name]
    if dtype == float0:
        return "float0"
    return f"{_KIND_PREFIX[dtype.kind]}{dtype.itemsize * 8}"


class UnsupportedDTypeError(TypeError):
    """An array of a dtype XLA has no type for (object, strings, datetimes, longdouble):
    the NumPy face computes such calls with NumPy on the host instead."""


def check_supported(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in SUPPORTED:
        raise UnsupportedDTypeError(f"npaccel does not support arrays of dtype {dtype}")
    return dtype


def is_float(dtype) -> bool:
    dtype = np.dtype(dtype)
    return dtype.kind == "f" or dtype == bfloat16


def is_complex(dtype) -> bool:
    return np.dtype(dtype).kind == "c"


def is_inexact(dtype) -> bool:
    return is_float(dtype) or is_complex(dtype)


def is_integer(dtype) -> bool:
    return np.dtype(dtype).kind in "iu"


def is_signed(dtype) -> bool:
    return np.dtype(dtype).kind == "i"


def is_bool(dtype) -> bool:
    return np.dtype(dtype) == np.bool_


def real_dtype(dtype) -> np.dtype:
    """complex64 -> float32, complex128 -> float64; real types map to themselves."""
    dtype = np.dtype(dtype)
    return np.dtype(np.float32 if dtype == np.complex64 else np.float64) if is_complex(dtype) else dtype


def complex_dtype(dtype) -> np.dtype:
    return np.dtype(np.complex64 if np.dtype(dtype) in (np.float32, np.complex64) else np.complex128)


def tangent_dtype(dtype) -> np.dtype:
    """The dtype of tangents of values of `dtype`: itself if inexact, else float0."""
    return np.dtype(dtype) if is_inexact(dtype) else float0


# Python scalars are "weak": their dtype yields to the other operand (NEP 50).
_PYTHON_SCALAR_DTYPES = {bool: np.dtype(bool), int: np.dtype(np.int64),
                         float: np.dtype(np.float64), complex: np.dtype(np.complex128)}


def python_scalar_dtype(x) -> np.dtype | None:
    """The default dtype of a Python scalar, or None if `x` is not one."""
    return _PYTHON_SCALAR_DTYPES.get(type(x))


def finfo(dtype):
    return ml_dtypes.finfo(dtype) if np.dtype(dtype) == bfloat16 else np.finfo(dtype)


def iinfo(dtype):
    return np.iinfo(dtype)
