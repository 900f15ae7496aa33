"""Sorting primitives: sort (stablehlo.sort with a comparator region) and top_k (chlo.top_k).

Floating-point keys sort as NumPy sorts them: NaNs last, -0.0 equal to +0.0; complex keys
sort lexicographically by (real, imag) with NumPy's NaN placement. Derivatives permute the
tangents with the sort itself (the tangents ride along as extra, non-key operands), which
is linear in them and transposes by sorting back with the inverse permutation.
"""
from __future__ import annotations

import functools

import numpy as np

from npaccel._runtime import chlo, hlo
from npaccel.core import dtypes
from npaccel.core.aval import ShapedArray
from npaccel.core.trace import get_aval
from npaccel.lax import elementwise as ew
from npaccel.lax._standard import BOOL, FLOAT, INT, as_operand, check_dtype, standard_primitive
from npaccel.lax.convert import bitcast_convert_type
from npaccel.lax.shape import broadcasted_iota, full, moveaxis, rev
from npaccel.transforms import lowering
from npaccel.transforms.ad import Zero, is_undefined, jvp_rules, transpose_rules
from npaccel.transforms.batching import batching_rules, bdim_at_front, move_batch_axis
from npaccel.transforms.staging import trace_to_closed_jaxpr

HLO_OPS = {"sort": "stablehlo.sort", "top_k": "chlo.top_k"}


def _index_dtype(size: int) -> np.dtype:
    return np.dtype(np.int32 if size < 2 ** 31 else np.int64)


# --- the comparator ---------------------------------------------------------------------
# Each key contributes (less, equal) predicates on a pair of scalars; the comparator is
# the lexicographic `less` over the keys. Built from lax ops, traced once per signature.

def _nan_last(a, b):
    """NumPy's float order: NaNs after everything, all NaNs equal."""
    a_nan, b_nan = ew.ne(a, a), ew.ne(b, b)
    less = ew.bitwise_or(ew.lt(a, b), ew.bitwise_and(b_nan, ew.bitwise_not(a_nan)))
    equal = ew.bitwise_or(ew.eq(a, b), ew.bitwise_and(a_nan, b_nan))
    return [(less, equal)]


def _flag_order(a, b):
    """False before True, for the NaN flags of complex keys."""
    return ew.bitwise_and(ew.bitwise_not(a), b), ew.eq(a, b)


def _complex_order(a, b):
    # NumPy's complex order: by which parts are NaN (none < imag < real < both), then by
    # the real part, then by the imaginary part.
    ar, ai, br, bi = ew.real(a), ew.imag(a), ew.real(b), ew.imag(b)
    return [_flag_order(ew.ne(ar, ar), ew.ne(br, br)), _flag_order(ew.ne(ai, ai), ew.ne(bi, bi)),
            *_nan_last(ar, br), *_nan_last(ai, bi)]


def _key_order(a, b):
    dtype = get_aval(a).dtype
    if dtypes.is_complex(dtype):
        return _complex_order(a, b)
    if dtypes.is_float(dtype):
        return _nan_last(a, b)
    return [(ew.lt(a, b), ew.eq(a, b))]


def _lexicographic_less(pairs):
    less = pairs[-1][0]
    for key_less, key_equal in reversed(pairs[:-1]):
        less = ew.bitwise_or(key_less, ew.bitwise_and(key_equal, less))
    return less


@functools.lru_cache(maxsize=None)
def _comparator_jaxpr(operand_dtypes: tuple, num_keys: int):
    def less(*args):
        pairs = [p for i in range(num_keys) for p in _key_order(args[2 * i], args[2 * i + 1])]
        return [_lexicographic_less(pairs)]
    avals = [ShapedArray((), d) for d in operand_dtypes for _ in range(2)]
    jaxpr, consts = trace_to_closed_jaxpr(less, avals)
    assert not consts, "the sort comparator captured array constants"
    return jaxpr, avals


# --- sort -----------------------------------------------------------------------------------

def _sort_abstract_eval(*operands, dimension, is_stable, num_keys):
    if not operands:
        raise TypeError("sort requires at least one operand")
    shape = operands[0].shape
    if any(x.shape != shape for x in operands):
        raise TypeError(f"sort requires all operands to have the same shape, got "
                        f"{', '.join(str(x.shape) for x in operands)}")
    if not 0 <= dimension < len(shape):
        raise ValueError(f"sort dimension {dimension} is out of bounds for operands of rank "
                         f"{len(shape)}")
    if not 1 <= num_keys <= len(operands):
        raise ValueError(f"sort num_keys must be between 1 and the number of operands "
                         f"({len(operands)}), got {num_keys}")
    return [x.strip_weak_type() for x in operands]


def _sort_lower(ctx, *operands, dimension, is_stable, num_keys):
    op = hlo.SortOp([lowering.ir_type(a) for a in ctx.avals_out], list(operands),
                    dimension=dimension, is_stable=is_stable)
    jaxpr, avals = _comparator_jaxpr(tuple(a.dtype for a in ctx.avals_in), num_keys)
    lowering.lower_region(op.comparator, jaxpr, avals)
    return list(op.results)


def _sort_jvp(primals, tangents, *, dimension, is_stable, num_keys):
    # Stable for both sorts, so that ties put primals and tangents in the same order.
    params = dict(dimension=dimension, is_stable=True, num_keys=num_keys)
    out = sort_p.bind(*primals, **params)
    nonzero = [i for i, t in enumerate(tangents) if type(t) is not Zero]
    tangents_out = [Zero.like(o) for o in out]
    if nonzero:
        permuted = sort_p.bind(*primals[:num_keys], *[tangents[i] for i in nonzero], **params)
        for i, t in zip(nonzero, permuted[num_keys:]):
            tangents_out[i] = t
    return out, tangents_out


def _sort_transpose(cts, *operands, dimension, is_stable, num_keys):
    keys = operands[:num_keys]
    if any(is_undefined(k) for k in keys):
        raise ValueError("sort is linear only in its non-key operands; it cannot be "
                         "transposed with respect to a sort key")
    shape = get_aval(keys[0]).shape
    iota = broadcasted_iota(_index_dtype(shape[dimension]), shape, dimension)
    # perm[j] is the input position of output j: sorting (perm, ct) by perm sends each
    # cotangent back to the position its value came from.
    perm = sort_p.bind(*keys, iota, dimension=dimension, is_stable=True, num_keys=num_keys)[-1]
    linear = [i for i, x in enumerate(operands)
              if is_undefined(x) and type(cts[i]) is not Zero]
    cts_in: list = [None] * len(operands)
    if linear:
        restored = sort_p.bind(perm, *[cts[i] for i in linear], dimension=dimension,
                               is_stable=True, num_keys=1)[1:]
        for i, ct in zip(linear, restored):
            cts_in[i] = ct
    return cts_in


def _sort_batch(axis_size, vals, dims, *, dimension, is_stable, num_keys):
    vals = [bdim_at_front(v, d, axis_size) for v, d in zip(vals, dims)]
    out = sort_p.bind(*vals, dimension=dimension + 1, is_stable=is_stable, num_keys=num_keys)
    return out, [0] * len(out)


sort_p = standard_primitive("sort", _sort_abstract_eval, _sort_lower, multiple_results=True)
jvp_rules[sort_p] = _sort_jvp
transpose_rules[sort_p] = _sort_transpose
batching_rules[sort_p] = _sort_batch


def _canonical_dimension(dimension: int, ndim: int, name: str) -> int:
    dimension = int(dimension)
    if not -ndim <= dimension < ndim:
        raise ValueError(f"{name}: dimension {dimension} is out of bounds for operands of "
                         f"rank {ndim}")
    return dimension % ndim


def sort(operand, dimension: int = -1, is_stable: bool = True, num_keys: int = 1):
    """Sort along `dimension` (stablehlo.sort). A sequence of operands is sorted together,
    lexicographically by its first `num_keys` operands; returns a tuple then.

    NaNs sort last and -0.0 equals +0.0, as in NumPy; complex numbers sort by real part,
    then imaginary part.
    """
    single = not isinstance(operand, (tuple, list))
    operands = [as_operand(x) for x in ([operand] if single else operand)]
    if not operands:
        raise TypeError("sort requires at least one operand")
    ndim = get_aval(operands[0]).ndim
    if ndim == 0:
        raise TypeError("sort requires operands of rank at least 1, got a scalar")
    out = sort_p.bind(*operands, dimension=_canonical_dimension(dimension, ndim, "sort"),
                      is_stable=bool(is_stable), num_keys=int(num_keys))
    return out[0] if single else tuple(out)


def sort_key_val(keys, values, dimension: int = -1, is_stable: bool = True):
    """Sort `keys` along `dimension` and permute `values` the same way (stablehlo.sort)."""
    return sort((keys, values), dimension, is_stable, num_keys=1)


# --- top_k ------------------------------------------------------------------------------------

def _top_k_abstract_eval(x, *, k):
    check_dtype("top_k", BOOL | INT | FLOAT, x)
    if x.ndim < 1:
        raise TypeError("top_k operand must have rank at least 1, got a scalar")
    if not 0 <= k <= x.shape[-1]:
        raise ValueError(f"top_k k must be between 0 and the size of the last axis "
                         f"({x.shape[-1]}), got {k}")
    shape = (*x.shape[:-1], k)
    return [ShapedArray(shape, x.dtype), ShapedArray(shape, np.int32)]


def _top_k_lower(ctx, x, *, k):
    types = [lowering.ir_type(a) for a in ctx.avals_out]
    return list(chlo.TopKOp(x, k, results=types).results)


_SIGNED_OF_WIDTH = {2: np.int16, 4: np.int32, 8: np.int64}


def _total_order_key(x):
    """Integers that order floats as chlo.top_k does (IEEE total order: -NaN < -inf <
    ... < -0.0 < +0.0 < ... < +inf < +NaN): flip the magnitude bits of negative numbers."""
    dtype = get_aval(x).dtype
    int_dtype = np.dtype(_SIGNED_OF_WIDTH[dtype.itemsize])
    bits = bitcast_convert_type(x, int_dtype)
    shape = get_aval(x).shape
    sign = ew.shift_right_arithmetic(bits, full(shape, 8 * dtype.itemsize - 1, int_dtype))
    magnitude = full(shape, np.iinfo(int_dtype).max, int_dtype)
    return ew.bitwise_xor(bits, ew.bitwise_and(sign, magnitude))


def _top_k_jvp(primals, tangents, *, k):
    (x,), (t,) = primals, tangents
    values, indices = top_k_p.bind(x, k=k)
    if type(t) is Zero:
        return [values, indices], [Zero.like(values), Zero.like(indices)]
    from npaccel.lax.slicing import slice_in_dim
    # Put the tangents in top_k's order with a sort (ascending by value, ties by larger
    # index first, then reversed), and keep the first k: linear in t, and transposable.
    shape, last = get_aval(x).shape, get_aval(x).ndim - 1
    position = rev(broadcasted_iota(_index_dtype(shape[last]), shape, last), (last,))
    ordered = sort_p.bind(_total_order_key(x), position, t, dimension=last, is_stable=True,
                          num_keys=2)[2]
    t_out = slice_in_dim(rev(ordered, (last,)), 0, k, axis=last)
    return [values, indices], [t_out, Zero.like(indices)]


def _top_k_batch(axis_size, vals, dims, *, k):
    (x,), (d,) = vals, dims
    if d == get_aval(x).ndim - 1:
        x, d = move_batch_axis(axis_size, d, 0, x), 0
    return top_k_p.bind(x, k=k), [d, d]


top_k_p = standard_primitive("top_k", _top_k_abstract_eval, _top_k_lower, multiple_results=True)
jvp_rules[top_k_p] = _top_k_jvp
batching_rules[top_k_p] = _top_k_batch


def top_k(operand, k: int, *, axis: int = -1):
    """The `k` largest entries along `axis`, largest first, and their int32 indices
    (chlo.top_k, which works on the last axis: another axis is moved there and back).
    Ties go to the lower index; NaNs count as largest."""
    if isinstance(k, (bool, np.bool_)) or int(k) != k:
        raise TypeError(f"top_k k must be an integer, got {k!r}")
    operand = as_operand(operand)
    ndim = get_aval(operand).ndim
    if ndim == 0:
        raise TypeError("top_k operand must have rank at least 1, got a scalar")
    axis = _canonical_dimension(axis, ndim, "top_k")
    if axis == ndim - 1:
        return tuple(top_k_p.bind(operand, k=int(k)))
    outs = top_k_p.bind(moveaxis(operand, axis, -1), k=int(k))
    return tuple(moveaxis(o, -1, axis) for o in outs)
