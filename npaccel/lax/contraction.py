"""Contractions: dot_general (stablehlo.dot_general) and the wrappers built on it, dot and
batch_matmul; also the Precision enum and the preferred_element_type checks that
convolution shares."""
from __future__ import annotations

import enum

import numpy as np

from npaccel._runtime import hlo, ir
from npaccel.core import dtypes
from npaccel.core.aval import ShapedArray
from npaccel.core.trace import get_aval
from npaccel.lax._standard import (BOOL, NUM, as_operand, check_dtype, check_same_dtypes,
                                   standard_primitive, weak)
from npaccel.lax.convert import convert_element_type
from npaccel.lax.shape import transpose
from npaccel.transforms import lowering
from npaccel.transforms.ad import defjvp, is_undefined, transpose_rules
from npaccel.transforms.batching import batching_rules

HLO_OPS = {"dot_general": "stablehlo.dot_general"}


# --- shared with convolution: precision and accumulation type ----------------------------

class Precision(enum.Enum):
    """How precisely an accelerator computes products of 32-bit floats (CPUs are always
    exact). Strings name the levels too: 'default'/'bfloat16', 'high'/'tensorfloat32',
    'highest'/'float32'."""
    DEFAULT = 0
    HIGH = 1
    HIGHEST = 2

    @classmethod
    def _missing_(cls, value):
        aliases = {"default": cls.DEFAULT, "fastest": cls.DEFAULT, "bfloat16": cls.DEFAULT,
                   "high": cls.HIGH, "tensorfloat32": cls.HIGH,
                   "highest": cls.HIGHEST, "float32": cls.HIGHEST}
        return aliases.get(value.lower()) if isinstance(value, str) else None

    def __str__(self):
        return self.name

    def __repr__(self):
        return f"Precision.{self.name}"


def canonicalize_precision(precision) -> tuple[Precision, Precision] | None:
    """None, one level for both operands, or a pair (lhs, rhs): a hashable parameter."""
    if precision is None:
        return None
    try:
        if isinstance(precision, (Precision, str)):
            return (Precision(precision),) * 2
        if isinstance(precision, (tuple, list)) and len(precision) == 2:
            return tuple(Precision(p) for p in precision)
    except ValueError:
        pass
    raise ValueError(f"precision must be None, a Precision, a string or a pair of them, "
                     f"got {precision!r}")


def precision_attr(precision) -> ir.ArrayAttr | None:
    if precision is None:
        return None
    return ir.ArrayAttr.get([hlo.PrecisionAttr.get(p.name) for p in precision])


_KINDS = {"integral": dtypes.is_integer, "floating": dtypes.is_float,
          "complex": dtypes.is_complex, "bool": dtypes.is_bool}


def _kind(dtype) -> str:
    return next(k for k, test in _KINDS.items() if test(dtype))


def result_dtype(name: str, dtype: np.dtype, preferred_element_type) -> np.dtype:
    """The output dtype of a contraction of `dtype` operands: `preferred_element_type`
    (accumulate int8 in int32, float16 in float32) when given, else `dtype`."""
    if preferred_element_type is None:
        return dtype
    preferred = dtypes.check_supported(preferred_element_type)
    if _kind(dtype) != _kind(preferred):
        raise TypeError(f"{name}: input type {dtype.name} is incompatible with "
                        f"preferred_element_type {preferred.name}; both must be integral, "
                        "floating or complex")
    if preferred.itemsize < dtype.itemsize:
        raise TypeError(f"{name}: preferred_element_type {preferred.name} must not be "
                        f"narrower than the input type {dtype.name}")
    return preferred


def canonical_preferred(preferred_element_type) -> np.dtype | None:
    return None if preferred_element_type is None else np.dtype(preferred_element_type)


def ct_operands(ct, other):
    """A cotangent may be wider than the operands (preferred_element_type): compute its
    transpose at the cotangent's dtype, so both operands of the contraction agree."""
    return ct, convert_element_type(other, get_aval(ct).dtype)


# --- dot_general -----------------------------------------------------------------------

def _free_dims(ndim: int, contracting, batch) -> list[int]:
    return [d for d in range(ndim) if d not in contracting and d not in batch]


def _check_dims(side: str, aval: ShapedArray, contracting, batch) -> None:
    dims = (*contracting, *batch)
    if any(not 0 <= d < aval.ndim for d in dims):
        raise TypeError(f"dot_general requires {side} dimension numbers to be nonnegative and "
                        f"less than the rank {aval.ndim} of {side}, got contracting "
                        f"{contracting} and batch {batch}")
    if len(set(dims)) != len(dims):
        raise TypeError(f"dot_general requires {side} batch and contracting dimensions to be "
                        f"distinct and free of repeats, got contracting {contracting} and "
                        f"batch {batch}")


def _check_sizes(what: str, lhs: ShapedArray, rhs: ShapedArray, lhs_dims, rhs_dims) -> None:
    if len(lhs_dims) != len(rhs_dims):
        raise TypeError(f"dot_general requires equal numbers of lhs and rhs {what} dimensions, "
                        f"got lhs {lhs_dims} and rhs {rhs_dims}")
    lhs_sizes = tuple(lhs.shape[d] for d in lhs_dims)
    rhs_sizes = tuple(rhs.shape[d] for d in rhs_dims)
    if lhs_sizes != rhs_sizes:
        raise TypeError(f"dot_general requires {what} dimensions to have the same shape, got "
                        f"{lhs_sizes} and {rhs_sizes} (lhs shape {lhs.shape}, rhs shape "
                        f"{rhs.shape})")


def _dot_general_abstract_eval(lhs, rhs, *, dimension_numbers, precision,
                               preferred_element_type):
    check_dtype("dot_general", NUM | BOOL, lhs, "lhs")
    check_same_dtypes("dot_general", [lhs, rhs])
    (lc, rc), (lb, rb) = dimension_numbers
    _check_dims("lhs", lhs, lc, lb)
    _check_dims("rhs", rhs, rc, rb)
    _check_sizes("batch", lhs, rhs, lb, rb)
    _check_sizes("contracting", lhs, rhs, lc, rc)
    shape = ([lhs.shape[d] for d in lb] + [lhs.shape[d] for d in _free_dims(lhs.ndim, lc, lb)]
             + [rhs.shape[d] for d in _free_dims(rhs.ndim, rc, rb)])
    dtype = result_dtype("dot_general", lhs.dtype, preferred_element_type)
    return ShapedArray(shape, dtype, weak(lhs, rhs) and preferred_element_type is None)


def _dot_general_lower(ctx, lhs, rhs, *, dimension_numbers, precision, preferred_element_type):
    (lc, rc), (lb, rb) = dimension_numbers
    dnums = hlo.DotDimensionNumbers.get(lhs_batching_dimensions=list(lb),
                                        rhs_batching_dimensions=list(rb),
                                        lhs_contracting_dimensions=list(lc),
                                        rhs_contracting_dimensions=list(rc))
    return hlo.DotGeneralOp(lowering.ir_type(ctx.avals_out[0]), lhs, rhs, dnums,
                            precision_config=precision_attr(precision)).result


def _swap_dimension_numbers(dimension_numbers):
    (lc, rc), (lb, rb) = dimension_numbers
    return (rc, lc), (rb, lb)


def _transpose_for_lhs(ct, rhs, lhs_aval, dimension_numbers, precision):
    """The cotangent of lhs: contract ct's rhs-free axes with rhs's free axes (batch with
    batch), then permute the result (batch, lhs free, lhs contracting in rhs order) back
    into lhs's axis order."""
    (lc, rc), (lb, rb) = dimension_numbers
    nb, n_lhs_free = len(lb), len(_free_dims(lhs_aval.ndim, lc, lb))
    rhs_free = _free_dims(get_aval(rhs).ndim, rc, rb)
    ct_rhs_free = tuple(range(nb + n_lhs_free, nb + n_lhs_free + len(rhs_free)))
    ct, rhs = ct_operands(ct, rhs)
    out = dot_general(ct, rhs, ((ct_rhs_free, tuple(rhs_free)), (tuple(range(nb)), rb)),
                      precision)
    # The result's axes stand for these lhs axes; rhs's leftover axes come in rhs order.
    lc_by_rhs_order = [lc[i] for i in np.argsort(rc, kind="stable")]
    axes = [*lb, *_free_dims(lhs_aval.ndim, lc, lb), *lc_by_rhs_order]
    return convert_element_type(transpose(out, tuple(np.argsort(axes))), lhs_aval.dtype)


def _dot_general_transpose(ct, lhs, rhs, *, dimension_numbers, precision,
                           preferred_element_type):
    ct_lhs = ct_rhs = None
    if is_undefined(lhs):
        ct_lhs = _transpose_for_lhs(ct, rhs, lhs.aval, dimension_numbers, precision)
    if is_undefined(rhs):
        # dot_general(rhs, lhs, swapped) is the output with its lhs-free and rhs-free
        # blocks exchanged: swap them in ct and transpose as for lhs.
        (lc, rc), (lb, rb) = dimension_numbers
        nb = len(lb)
        n_lhs_free = len(_free_dims(get_aval(lhs).ndim, lc, lb))
        n_rhs_free = len(_free_dims(rhs.aval.ndim, rc, rb))
        perm = [*range(nb), *range(nb + n_lhs_free, nb + n_lhs_free + n_rhs_free),
                *range(nb, nb + n_lhs_free)]
        swapped_precision = precision[::-1] if precision else None
        ct_rhs = _transpose_for_lhs(transpose(ct, perm), lhs, rhs.aval,
                                    _swap_dimension_numbers(dimension_numbers), swapped_precision)
    return [ct_lhs, ct_rhs]


def _shift(dims, bdim: int) -> tuple[int, ...]:
    """Axis numbers of an operand once a batch axis is at `bdim`."""
    return tuple(d + (d >= bdim) for d in dims)


def _dot_general_batch(axis_size, vals, dims, *, dimension_numbers, precision,
                       preferred_element_type):
    (lhs, rhs), (ld, rd) = vals, dims
    (lc, rc), (lb, rb) = dimension_numbers
    if ld is not None:
        lc, lb = _shift(lc, ld), _shift(lb, ld)
    if rd is not None:
        rc, rb = _shift(rc, rd), _shift(rb, rd)
    if ld is not None and rd is not None:
        # Both batched: the vmapped axis is one more dot_general batch dimension, and
        # batch dimensions come first in the output.
        new_dims, out_dim = ((lc, rc), ((ld, *lb), (rd, *rb))), 0
    elif ld is not None:
        # Only lhs: the vmapped axis is a free lhs axis, placed after the batch axes.
        new_dims = ((lc, rc), (lb, rb))
        out_dim = len(lb) + _free_dims(get_aval(lhs).ndim, lc, lb).index(ld)
    else:
        new_dims = ((lc, rc), (lb, rb))
        n_lhs_free = len(_free_dims(get_aval(lhs).ndim, lc, lb))
        out_dim = len(lb) + n_lhs_free + _free_dims(get_aval(rhs).ndim, rc, rb).index(rd)
    return dot_general_p.bind(lhs, rhs, dimension_numbers=new_dims, precision=precision,
                              preferred_element_type=preferred_element_type), out_dim


dot_general_p = standard_primitive("dot_general", _dot_general_abstract_eval, _dot_general_lower)
defjvp(dot_general_p,
       lambda g, lhs, rhs, **params: dot_general_p.bind(g, rhs, **params),
       lambda g, lhs, rhs, **params: dot_general_p.bind(lhs, g, **params))
transpose_rules[dot_general_p] = _dot_general_transpose
batching_rules[dot_general_p] = _dot_general_batch


def _canonical_dimension_numbers(dimension_numbers):
    try:
        (lc, rc), (lb, rb) = dimension_numbers
        return tuple(tuple(int(d) for d in ds) for ds in (lc, rc)), \
            tuple(tuple(int(d) for d in ds) for ds in (lb, rb))
    except (TypeError, ValueError):
        raise TypeError("dot_general dimension_numbers must be ((lhs_contracting, "
                        "rhs_contracting), (lhs_batch, rhs_batch)), sequences of ints; got "
                        f"{dimension_numbers!r}") from None


def dot_general(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    """General contraction (stablehlo.dot_general).

    dimension_numbers = ((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch)). The
    result's axes are the batch axes, then lhs's free axes, then rhs's free axes, each in
    operand order. Both operands must have the same dtype; `preferred_element_type` asks
    for a wider result (e.g. int8 x int8 -> int32, float16 -> float32 accumulation).
    """
    return dot_general_p.bind(
        as_operand(lhs), as_operand(rhs),
        dimension_numbers=_canonical_dimension_numbers(dimension_numbers),
        precision=canonicalize_precision(precision),
        preferred_element_type=canonical_preferred(preferred_element_type))


def dot(lhs, rhs, precision=None, preferred_element_type=None):
    """Vector/matrix products: vector . vector, matrix @ vector, vector @ matrix and
    matrix @ matrix, contracting lhs's last axis with rhs's first (stablehlo.dot_general)."""
    lhs, rhs = as_operand(lhs), as_operand(rhs)
    lhs_shape, rhs_shape = get_aval(lhs).shape, get_aval(rhs).shape
    if not (1 <= len(lhs_shape) <= 2 and 1 <= len(rhs_shape) <= 2
            and lhs_shape[-1] == rhs_shape[0]):
        raise TypeError(f"Incompatible shapes for dot: got {lhs_shape} and {rhs_shape}.")
    return dot_general(lhs, rhs, (((len(lhs_shape) - 1,), (0,)), ((), ())), precision,
                       preferred_element_type)


def batch_matmul(lhs, rhs, precision=None):
    """Matrix products over the leading (batch) axes: out[..., i, j] = sum_k
    lhs[..., i, k] * rhs[..., k, j] (stablehlo.dot_general)."""
    lhs, rhs = as_operand(lhs), as_operand(rhs)
    lhs_shape, rhs_shape = get_aval(lhs).shape, get_aval(rhs).shape
    if min(len(lhs_shape), len(rhs_shape)) < 2:
        raise ValueError(f"Arguments to batch_matmul must be at least 2D, got "
                         f"{lhs_shape} and {rhs_shape}")
    if len(lhs_shape) != len(rhs_shape):
        raise ValueError(f"Arguments to batch_matmul must have same ndim, got "
                         f"{len(lhs_shape)} and {len(rhs_shape)}")
    batch = tuple(range(len(lhs_shape) - 2))
    return dot_general(lhs, rhs, (((len(lhs_shape) - 1,), (len(rhs_shape) - 2,)),
                                  (batch, batch)), precision)

