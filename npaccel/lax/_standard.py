"""Building blocks shared by every lax family: defining a primitive from its rules,
dtype classes, and the handling of Python scalars in public wrappers."""
from __future__ import annotations

from typing import Callable

import numpy as np

from npaccel.core import dtypes
from npaccel.core.aval import ShapedArray
from npaccel.core.trace import Primitive, Tracer, abstract_eval_rules, get_aval
from npaccel.transforms import lowering


def standard_primitive(name: str, abstract_eval: Callable, lower: Callable,
                       multiple_results: bool = False) -> Primitive:
    """A primitive with its abstract evaluation and lowering rules registered."""
    prim = Primitive(name, multiple_results)
    abstract_eval_rules[prim] = abstract_eval
    lowering.lowering_rules[prim] = lower
    return prim


# Dtype classes, named as in the error messages they produce.
class DtypeClass:
    def __init__(self, name: str, test: Callable[[np.dtype], bool]):
        self.name = name
        self.test = test

    def __or__(self, other: "DtypeClass") -> "DtypeClass":
        return DtypeClass(f"{self.name} or {other.name}", lambda d: self.test(d) or other.test(d))

    def __call__(self, dtype) -> bool:
        return self.test(np.dtype(dtype))


BOOL = DtypeClass("bool", dtypes.is_bool)
SIGNED = DtypeClass("signed integer", dtypes.is_signed)
INT = DtypeClass("integer", dtypes.is_integer)
FLOAT = DtypeClass("floating", dtypes.is_float)
COMPLEX = DtypeClass("complex", dtypes.is_complex)
INEXACT = FLOAT | COMPLEX
NUM = INT | INEXACT
ANY = BOOL | NUM
ORDERED = BOOL | INT | FLOAT


def check_dtype(name: str, accepted: DtypeClass, aval: ShapedArray, position: str = "") -> None:
    if not accepted(aval.dtype):
        where = f" for {position}" if position else ""
        raise TypeError(f"{name} does not accept dtype {aval.dtype.name}{where}. "
                        f"Accepted dtypes are {accepted.name}.")


def check_same_dtypes(name: str, avals) -> None:
    if len({a.dtype for a in avals}) > 1:
        raise TypeError(f"lax.{name} requires arguments to have the same dtypes, got "
                        f"{', '.join(a.dtype.name for a in avals)}.")


def check_same_shapes(name: str, avals) -> None:
    if len({a.shape for a in avals}) > 1:
        raise TypeError(f"{name} got incompatible shapes for broadcasting: "
                        f"{', '.join(map(str, (a.shape for a in avals)))}.")


def canonical_axes(axes, ndim: int, name: str) -> tuple[int, ...]:
    """Axes in [0, ndim), negative ones counted from the end; ValueError if out of range."""
    out = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < ndim:
            raise ValueError(f"{name}: axis {a} is out of bounds for an array of rank {ndim}")
        out.append(a % ndim)
    return tuple(out)


def weak(*avals) -> bool:
    return all(a.weak_type for a in avals)


# --- Python scalars in public wrappers -------------------------------------------------

_SCALAR_FITS = {bool: "biufc", int: "iufc", float: "fc", complex: "c"}


def is_python_scalar(x) -> bool:
    return type(x) in _SCALAR_FITS


def coerce_scalars(*args):
    """Give Python scalars the dtype of the array operands (as a weak type would), so
    `lax.add(x_f32, 1.0)` is f32; arrays keep their dtypes."""
    arrays = [a for a in args if not is_python_scalar(a)]
    if not arrays:
        return args
    dtype = get_aval(arrays[0]).dtype
    kind = "f" if dtype == dtypes.bfloat16 else dtype.kind
    return tuple(np.asarray(a, dtype) if is_python_scalar(a) and kind in _SCALAR_FITS[type(a)]
                 else a for a in args)


def as_operand(x):
    """Public wrappers accept tracers, npaccel/NumPy arrays, NumPy and Python scalars, and
    objects holding a value (`__npaccel_value__`, as npaccel.ndarray)."""
    if isinstance(x, Tracer) or is_python_scalar(x) or hasattr(x, "aval"):
        return x
    unwrap = getattr(x, "__npaccel_value__", None)
    if unwrap is not None:
        return unwrap()
    if isinstance(x, (np.ndarray, np.generic)):
        return x
    if isinstance(x, (list, tuple)):
        raise TypeError(f"lax operations take arrays, not {type(x).__name__}s; "
                        "convert with numpy.asarray first")
    return np.asarray(x)
