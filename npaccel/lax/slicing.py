"""Slicing and indexing primitives: slice, dynamic_slice, dynamic_update_slice, gather and
the scatter family (scatter, scatter_add, scatter_mul, scatter_min, scatter_max).

Each lowers to one StableHLO op, except gather in FILL_OR_DROP mode and scatter in CLIP
mode, whose `# Note:` comments say why. Start and gather/scatter indices are integer
operands and are never differentiated.
"""
from __future__ import annotations

import enum
import math
from functools import partial
from typing import Callable, NamedTuple, Sequence

import numpy as np

from npaccel._runtime import hlo, ir
from npaccel.core import dtypes
from npaccel.core.aval import ShapedArray
from npaccel.core.trace import Primitive, get_aval
from npaccel.lax._standard import (ANY, INT, NUM, ORDERED, as_operand, check_dtype,
                                   is_python_scalar, standard_primitive)
from npaccel.lax.convert import convert_element_type
from npaccel.lax.elementwise import (add, bitwise_and, clamp, div, eq, ge, le, lt, mul,
                                     select)
from npaccel.lax.elementwise import max as maximum
from npaccel.lax.shape import (broadcast_in_dim, concatenate, full, full_like, iota, pad,
                               reshape, squeeze)
from npaccel.transforms import lowering
from npaccel.transforms.ad import (Zero, add_tangents, deflinear, instantiate, is_undefined,
                                   jvp_rules, transpose_rules)
from npaccel.transforms.batching import batching_rules, bdim_at_front
from npaccel.transforms.staging import trace_to_closed_jaxpr

HLO_OPS: dict[str, str] = {}

def _ints(xs) -> tuple[int, ...]:
    return tuple(int(x) for x in xs)


def _i64_array(values) -> ir.Attribute:
    return ir.DenseI64ArrayAttr.get(list(map(int, values)))


def _aval(x) -> ShapedArray:
    """The aval of a primal, known or (in transpose rules) undefined."""
    return x.aval if is_undefined(x) else get_aval(x)


def _zeros(shape, dtype):
    return full(shape, 0, dtype)


def _shift(dims, by: int = 1) -> tuple[int, ...]:
    return tuple(d + by for d in dims)


def _canonical_axis(axis: int, ndim: int, name: str) -> int:
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}: axis {axis} is out of bounds for an array of rank {ndim}")
    return axis % ndim


def _emit(fun: Callable, avals, args, **params) -> ir.Value:
    """Emit `fun(*args, **params)`, written with lax ops, inline in a lowering: for the few
    primitives whose semantics need more than one StableHLO op."""
    jaxpr, consts = trace_to_closed_jaxpr(lambda *xs: [fun(*xs, **params)], avals)
    const_values = [lowering.ir_constant(np.asarray(c)) for c in consts]
    return lowering.lower_jaxpr_body(jaxpr, [*const_values, *args])[0]


# --- slice -----------------------------------------------------------------------------------

def _slice_abstract_eval(x, *, start_indices, limit_indices, strides):
    if len(start_indices) != x.ndim or len(limit_indices) != x.ndim or len(strides) != x.ndim:
        raise TypeError(f"slice start_indices, limit_indices and strides must have length equal "
                        f"to the operand rank {x.ndim}, got {start_indices}, {limit_indices}, "
                        f"{strides}")
    if any(s <= 0 for s in strides):
        raise ValueError(f"slice strides must be positive, got {strides}")
    for start, limit, d in zip(start_indices, limit_indices, x.shape):
        if not 0 <= start <= limit <= d:
            raise TypeError(f"slice indices must satisfy 0 <= start <= limit <= dimension size, "
                            f"got start_indices {start_indices} and limit_indices "
                            f"{limit_indices} for operand shape {x.shape}")
    shape = [-(-(limit - start) // s)
             for start, limit, s in zip(start_indices, limit_indices, strides)]
    return ShapedArray(shape, x.dtype, x.weak_type)


def _slice_transpose(ct, x, *, start_indices, limit_indices, strides):
    shape = x.aval.shape
    out_shape = get_aval(ct).shape
    # The last element taken sits at start + (n - 1) * stride; pad zeros around and between.
    ends = [start + (n - 1) * s + 1 if n else start
            for start, n, s in zip(start_indices, out_shape, strides)]
    config = [(start, d - end, s - 1)
              for start, end, d, s in zip(start_indices, ends, shape, strides)]
    return [pad(ct, 0, config)]


def _slice_batch(axis_size, vals, dims, *, start_indices, limit_indices, strides):
    (x,), (d,) = vals, dims
    start, limit, step = list(start_indices), list(limit_indices), list(strides)
    start.insert(d, 0)
    limit.insert(d, axis_size)
    step.insert(d, 1)
    return slice(x, start, limit, step), d


slice_p = standard_primitive(
    "slice", _slice_abstract_eval,
    lambda ctx, x, *, start_indices, limit_indices, strides: hlo.SliceOp(
        x, _i64_array(start_indices), _i64_array(limit_indices), _i64_array(strides)).result)
deflinear(slice_p, _slice_transpose)
batching_rules[slice_p] = _slice_batch
HLO_OPS["slice"] = "stablehlo.slice"


def slice(operand, start_indices: Sequence[int], limit_indices: Sequence[int],
          strides: Sequence[int] | None = None):
    """operand[start:limit:stride] along every axis, with static bounds (stablehlo.slice)."""
    operand = as_operand(operand)
    strides = (1,) * len(start_indices) if strides is None else strides
    return slice_p.bind(operand, start_indices=_ints(start_indices),
                        limit_indices=_ints(limit_indices), strides=_ints(strides))


def slice_in_dim(operand, start_index: int | None, limit_index: int | None, stride: int = 1,
                 axis: int = 0):
    """operand[..., start:limit:stride, ...] along `axis`; None bounds mean the whole axis
    and negative bounds count from its end, as in Python."""
    operand = as_operand(operand)
    shape = get_aval(operand).shape
    axis = _canonical_axis(axis, len(shape), "slice_in_dim")
    size = shape[axis]
    start = 0 if start_index is None else int(start_index)
    limit = size if limit_index is None else int(limit_index)
    start, limit = (start + size if start < 0 else start), (limit + size if limit < 0 else limit)
    starts, limits, strides = [0] * len(shape), list(shape), [1] * len(shape)
    starts[axis], limits[axis], strides[axis] = start, limit, int(stride)
    return slice(operand, starts, limits, strides)


def index_in_dim(operand, index: int, axis: int = 0, keepdims: bool = True):
    """operand[..., index, ...] along `axis` (a negative index counts from the end)."""
    operand = as_operand(operand)
    shape = get_aval(operand).shape
    axis = _canonical_axis(axis, len(shape), "index_in_dim")
    index = int(index)
    wrapped = index + shape[axis] if index < 0 else index
    if not 0 <= wrapped < shape[axis]:
        raise IndexError(f"index {index} is out of bounds for axis {axis} with size {shape[axis]}")
    out = slice_in_dim(operand, wrapped, wrapped + 1, 1, axis)
    return out if keepdims else squeeze(out, (axis,))


# --- start indices of the dynamic ops --------------------------------------------------------

def _check_index_count(name: str, starts, shape) -> None:
    if len(starts) != len(shape):
        raise TypeError(f"{name} start_indices must have length equal to the number of "
                        f"dimensions of the operand, got {len(starts)} indices for operand "
                        f"shape {tuple(shape)}")


def _check_start_indices(name: str, operand, starts) -> None:
    _check_index_count(name, starts, operand.shape)
    for s in starts:
        check_dtype(name, INT, s, "start_indices")
        if s.shape != ():
            raise TypeError(f"{name} start_indices must be scalars, got shape {s.shape}")
    if len({s.dtype for s in starts}) > 1:
        raise TypeError(f"{name} start_indices must all have the same dtype, got "
                        f"{', '.join(s.dtype.name for s in starts)}")


def _index_list(start_indices) -> list:
    """The start indices as a list of scalars (a 1-d array is split into its elements)."""
    if isinstance(start_indices, (list, tuple)):
        return [as_operand(i) for i in start_indices]
    start_indices = as_operand(start_indices)
    aval = get_aval(start_indices)
    if aval.ndim != 1:
        raise TypeError(f"start_indices must be a sequence of scalars or a 1-d array, got "
                        f"shape {aval.shape}")
    if isinstance(start_indices, np.ndarray):
        return list(start_indices)
    return [reshape(slice(start_indices, [i], [i + 1]), ()) for i in range(aval.shape[0])]


def _is_concrete_host(x) -> bool:
    return is_python_scalar(x) or isinstance(x, (np.ndarray, np.generic))


def _dynamic_indices(name: str, shape, start_indices, allow_negative_indices) -> list:
    """Start indices of one common integer dtype, negative ones taken from the end of their
    axis where allowed (as jax.lax does); the primitive then clamps like XLA."""
    starts = _index_list(start_indices)
    _check_index_count(name, starts, shape)
    for s in starts:
        if type(s) is bool or not dtypes.is_integer(get_aval(s).dtype):
            raise TypeError(f"{name} start_indices must be integers, got "
                            f"{get_aval(s).dtype.name if type(s) is not bool else 'bool'}")
    array_dtypes = [get_aval(s).dtype for s in starts if not is_python_scalar(s)]
    if not array_dtypes:
        dtype = np.dtype(np.int64)
    else:  # wide enough for -size .. size, so that wrapping cannot overflow
        dtype = np.result_type(*array_dtypes, np.min_scalar_type(-max(shape, default=0)))
        dtype = dtype if dtypes.is_integer(dtype) else np.dtype(np.int64)  # uint64 + int64
    allow = allow_negative_indices
    allow = [bool(allow)] * len(shape) if isinstance(allow, (bool, np.bool_)) else list(allow)
    return [_wrap_negative(s, d, dtype, a) for s, d, a in zip(starts, shape, allow)]


def _wrap_negative(index, size: int, dtype, allow: bool):
    if _is_concrete_host(index):
        value = int(index)
        return np.asarray(value + size if allow and value < 0 else value, dtype)
    index = convert_element_type(index, dtype)
    if not allow or not dtypes.is_signed(dtype):
        return index
    return select(lt(index, 0), add(index, size), index)


def _zero_index(starts):
    return np.zeros((), get_aval(starts[0]).dtype if starts else np.int64)


def _index_vector(starts, dims, axis_size):
    """Scalar start indices, some batched, as one (axis_size, n) index array."""
    columns = [broadcast_in_dim(bdim_at_front(s, d, axis_size), (axis_size, 1), (0,))
               for s, d in zip(starts, dims)]
    return concatenate(columns, 1)


# --- dynamic_slice ----------------------------------------------------------------------------

def _dynamic_slice_abstract_eval(operand, *starts, slice_sizes):
    _check_start_indices("dynamic_slice", operand, starts)
    if len(slice_sizes) != operand.ndim:
        raise TypeError(f"dynamic_slice slice_sizes must have length equal to the operand rank "
                        f"{operand.ndim}, got {slice_sizes}")
    if any(s < 0 for s in slice_sizes):
        raise ValueError(f"dynamic_slice slice_sizes must be non-negative, got {slice_sizes}")
    if any(s > d for s, d in zip(slice_sizes, operand.shape)):
        raise TypeError(f"dynamic_slice slice_sizes must be less than or equal to the operand "
                        f"shape, got slice_sizes {slice_sizes} for operand shape {operand.shape}")
    return ShapedArray(slice_sizes, operand.dtype, operand.weak_type)


def _dynamic_slice_jvp(primals, tangents, *, slice_sizes):
    operand, *starts = primals
    out = dynamic_slice_p.bind(operand, *starts, slice_sizes=slice_sizes)
    t = tangents[0]
    if type(t) is Zero:
        return out, Zero.like(out)
    return out, dynamic_slice_p.bind(t, *starts, slice_sizes=slice_sizes)


def _dynamic_slice_transpose(ct, operand, *starts, slice_sizes):
    zeros = _zeros(operand.aval.shape, operand.aval.dtype)
    return [dynamic_update_slice_p.bind(zeros, ct, *starts)] + [None] * len(starts)


def _dynamic_slice_batch(axis_size, vals, dims, *, slice_sizes):
    operand, *starts = vals
    operand_dim, *start_dims = dims
    if all(d is None for d in start_dims):
        starts.insert(operand_dim, _zero_index(starts))
        sizes = list(slice_sizes)
        sizes.insert(operand_dim, axis_size)
        return dynamic_slice_p.bind(operand, *starts, slice_sizes=tuple(sizes)), operand_dim
    # Batched start indices: a gather of one clamped window per batch entry (gather clamps
    # its start indices exactly as dynamic_slice does).
    indices = _index_vector(starts, start_dims, axis_size)
    n = len(slice_sizes)
    window = tuple(range(1, n + 1))
    if operand_dim is None:
        dnums = GatherDimensionNumbers(window, (), tuple(range(n)))
    else:
        operand = bdim_at_front(operand, operand_dim, axis_size)
        dnums = GatherDimensionNumbers(window, (), window, (0,), (0,))
        slice_sizes = (1, *slice_sizes)
    return gather_p.bind(operand, indices, dimension_numbers=dnums, slice_sizes=slice_sizes,
                         indices_are_sorted=False, unique_indices=False,
                         mode=GatherScatterMode.CLIP, fill_value=None), 0


dynamic_slice_p = standard_primitive(
    "dynamic_slice", _dynamic_slice_abstract_eval,
    lambda ctx, operand, *starts, slice_sizes: hlo.DynamicSliceOp(
        operand, list(starts), _i64_array(slice_sizes)).result)
jvp_rules[dynamic_slice_p] = _dynamic_slice_jvp
transpose_rules[dynamic_slice_p] = _dynamic_slice_transpose
batching_rules[dynamic_slice_p] = _dynamic_slice_batch
HLO_OPS["dynamic_slice"] = "stablehlo.dynamic_slice"


def dynamic_slice(operand, start_indices, slice_sizes: Sequence[int], *,
                  allow_negative_indices: bool | Sequence[bool] = True):
    """The window of `slice_sizes` at traced `start_indices` (stablehlo.dynamic_slice).

    Negative indices count from the end of their axis (if allowed); a window that would
    overrun the operand is moved back inside it, as XLA clamps start indices."""
    operand = as_operand(operand)
    shape = get_aval(operand).shape
    starts = _dynamic_indices("dynamic_slice", shape, start_indices, allow_negative_indices)
    return dynamic_slice_p.bind(operand, *starts, slice_sizes=_ints(slice_sizes))


def dynamic_slice_in_dim(operand, start_index, slice_size: int, axis: int = 0, *,
                         allow_negative_indices: bool = True):
    """dynamic_slice along one `axis`: operand[..., start:start + slice_size, ...]."""
    operand = as_operand(operand)
    shape = get_aval(operand).shape
    axis = _canonical_axis(axis, len(shape), "dynamic_slice_in_dim")
    starts, sizes, allow = [0] * len(shape), list(shape), [False] * len(shape)
    starts[axis], sizes[axis], allow[axis] = start_index, int(slice_size), allow_negative_indices
    return dynamic_slice(operand, starts, sizes, allow_negative_indices=allow)


def dynamic_index_in_dim(operand, index, axis: int = 0, keepdims: bool = True, *,
                         allow_negative_indices: bool = True):
    """operand[..., index, ...] along `axis` with a traced index."""
    operand = as_operand(operand)
    axis = _canonical_axis(axis, get_aval(operand).ndim, "dynamic_index_in_dim")
    out = dynamic_slice_in_dim(operand, index, 1, axis,
                               allow_negative_indices=allow_negative_indices)
    return out if keepdims else squeeze(out, (axis,))


# --- dynamic_update_slice -----------------------------------------------------------------------

def _dynamic_update_slice_abstract_eval(operand, update, *starts):
    _check_start_indices("dynamic_update_slice", operand, starts)
    if update.dtype != operand.dtype:
        raise TypeError(f"dynamic_update_slice update must have the dtype of the operand, got "
                        f"{update.dtype.name} and {operand.dtype.name}")
    if update.ndim != operand.ndim or any(u > d for u, d in zip(update.shape, operand.shape)):
        raise TypeError(f"dynamic_update_slice update shape must have the operand's rank and "
                        f"fit inside it, got update shape {update.shape} for operand shape "
                        f"{operand.shape}")
    return operand.update(weak_type=operand.weak_type and update.weak_type)


def _dynamic_update_slice_jvp(primals, tangents):
    operand, update, *starts = primals
    t_operand, t_update = tangents[:2]
    out = dynamic_update_slice_p.bind(operand, update, *starts)
    if type(t_operand) is Zero and type(t_update) is Zero:
        return out, Zero.like(out)
    return out, dynamic_update_slice_p.bind(instantiate(t_operand), instantiate(t_update), *starts)


def _dynamic_update_slice_transpose(ct, operand, update, *starts):
    update_shape = _aval(update).shape
    ct_dtype = get_aval(ct).dtype
    ct_operand = (dynamic_update_slice_p.bind(ct, _zeros(update_shape, ct_dtype), *starts)
                  if is_undefined(operand) else None)
    ct_update = (dynamic_slice_p.bind(ct, *starts, slice_sizes=update_shape)
                 if is_undefined(update) else None)
    return [ct_operand, ct_update] + [None] * len(starts)


def _dynamic_update_slice_batch(axis_size, vals, dims):
    operand, update, *starts = vals
    operand_dim, update_dim, *start_dims = dims
    operand = bdim_at_front(operand, operand_dim, axis_size)
    update = bdim_at_front(update, update_dim, axis_size)
    if all(d is None for d in start_dims):
        return dynamic_update_slice_p.bind(operand, update, _zero_index(starts), *starts), 0
    # Batched start indices: a scatter of one clamped window per batch entry.
    indices = _index_vector(starts, start_dims, axis_size)
    window = tuple(range(1, len(starts) + 1))
    dnums = ScatterDimensionNumbers(window, (), window, (0,), (0,))
    return scatter_p.bind(operand, indices, update, dimension_numbers=dnums,
                          indices_are_sorted=True, unique_indices=True,
                          mode=GatherScatterMode.CLIP), 0


dynamic_update_slice_p = standard_primitive(
    "dynamic_update_slice", _dynamic_update_slice_abstract_eval,
    lambda ctx, operand, update, *starts: hlo.DynamicUpdateSliceOp(
        operand, update, list(starts)).result)
jvp_rules[dynamic_update_slice_p] = _dynamic_update_slice_jvp
transpose_rules[dynamic_update_slice_p] = _dynamic_update_slice_transpose
batching_rules[dynamic_update_slice_p] = _dynamic_update_slice_batch
HLO_OPS["dynamic_update_slice"] = "stablehlo.dynamic_update_slice"


def dynamic_update_slice(operand, update, start_indices, *,
                         allow_negative_indices: bool | Sequence[bool] = True):
    """`operand` with `update` written at traced `start_indices`
    (stablehlo.dynamic_update_slice); indices are wrapped and clamped as in dynamic_slice."""
    operand, update = as_operand(operand), as_operand(update)
    shape = get_aval(operand).shape
    starts = _dynamic_indices("dynamic_update_slice", shape, start_indices, allow_negative_indices)
    return dynamic_update_slice_p.bind(operand, update, *starts)


def dynamic_update_slice_in_dim(operand, update, start_index, axis: int, *,
                                allow_negative_indices: bool = True):
    """dynamic_update_slice along one `axis`."""
    operand = as_operand(operand)
    ndim = get_aval(operand).ndim
    axis = _canonical_axis(axis, ndim, "dynamic_update_slice_in_dim")
    starts, allow = [0] * ndim, [False] * ndim
    starts[axis], allow[axis] = start_index, allow_negative_indices
    return dynamic_update_slice(operand, update, starts, allow_negative_indices=allow)


def dynamic_update_index_in_dim(operand, update, index, axis: int, *,
                                allow_negative_indices: bool = True):
    """Write `update` at `index` of `axis`; `update` may lack that axis."""
    operand, update = as_operand(operand), as_operand(update)
    ndim = get_aval(operand).ndim
    axis = _canonical_axis(axis, ndim, "dynamic_update_index_in_dim")
    if get_aval(update).ndim == ndim - 1:
        update_shape = list(get_aval(update).shape)
        update_shape.insert(axis, 1)
        update = reshape(update, update_shape)
    return dynamic_update_slice_in_dim(operand, update, index, axis,
                                       allow_negative_indices=allow_negative_indices)


# --- gather / scatter parameters -----------------------------------------------------------------

class GatherDimensionNumbers(NamedTuple):
    """How the axes of a gather's operand, start indices and output relate (as
    jax.lax.GatherDimensionNumbers; the index vector is always the last axis of the indices).

    offset_dims: output axes holding the slice (window) axes, ascending.
    collapsed_slice_dims: operand axes of slice size 1 dropped from the output, ascending.
    start_index_map: the operand axis each index-vector entry starts.
    operand_batching_dims / start_indices_batching_dims: paired axes of equal size that the
      gather maps over together (operand slice size 1 on them).
    """
    offset_dims: tuple[int, ...]
    collapsed_slice_dims: tuple[int, ...]
    start_index_map: tuple[int, ...]
    operand_batching_dims: tuple[int, ...] = ()
    start_indices_batching_dims: tuple[int, ...] = ()


class ScatterDimensionNumbers(NamedTuple):
    """How the axes of a scatter's operand, indices and updates relate (as
    jax.lax.ScatterDimensionNumbers; the index vector is the last axis of the indices).

    update_window_dims: update axes holding the window, ascending.
    inserted_window_dims: operand axes of window size 1 that updates leave out, ascending.
    scatter_dims_to_operand_dims: the operand axis each index-vector entry starts.
    operand_batching_dims / scatter_indices_batching_dims: paired axes of equal size that
      the scatter maps over together.
    """
    update_window_dims: tuple[int, ...]
    inserted_window_dims: tuple[int, ...]
    scatter_dims_to_operand_dims: tuple[int, ...]
    operand_batching_dims: tuple[int, ...] = ()
    scatter_indices_batching_dims: tuple[int, ...] = ()


class GatherScatterMode(enum.Enum):
    """What a gather or scatter does with out-of-bounds indices.

    CLIP: indices are clamped so that the whole window is in bounds.
    FILL_OR_DROP: a gathered window that is partly out of bounds is filled with the fill
      value; a scattered window that is partly out of bounds is dropped.
    PROMISE_IN_BOUNDS: the caller promises in-bounds indices; XLA then clamps gathers and
      drops scatters, and gradients assume the promise holds.
    """
    CLIP = enum.auto()
    FILL_OR_DROP = enum.auto()
    PROMISE_IN_BOUNDS = enum.auto()

    @staticmethod
    def from_any(s) -> "GatherScatterMode":
        if isinstance(s, GatherScatterMode):
            return s
        if s == "clip":
            return GatherScatterMode.CLIP
        if s is None or s in ("fill", "drop"):
            return GatherScatterMode.FILL_OR_DROP
        if s == "promise_in_bounds":
            return GatherScatterMode.PROMISE_IN_BOUNDS
        raise ValueError(f"Unknown gather/scatter mode {s!r}: expected 'clip', 'fill', 'drop', "
                         "'promise_in_bounds' or a GatherScatterMode")


def _check_dims(op: str, what: str, dims, bound: int, ascending: bool = False) -> None:
    if (any(not 0 <= d < bound for d in dims) or len(set(dims)) != len(dims)
            or (ascending and list(dims) != sorted(dims))):
        order = "unique, ascending" if ascending else "unique"
        raise ValueError(f"{op} {what} must be {order} and in [0, {bound}), got {dims}")


def _check_batching_dims(op, operand, indices, operand_dims, index_dims, names) -> None:
    _check_dims(op, names[0], operand_dims, operand.ndim)
    _check_dims(op, names[1], index_dims, indices.ndim - 1)
    if len(operand_dims) != len(index_dims):
        raise ValueError(f"{op} {names[0]} and {names[1]} must have the same length, got "
                         f"{operand_dims} and {index_dims}")
    for a, b in zip(operand_dims, index_dims):
        if operand.shape[a] != indices.shape[b]:
            raise TypeError(f"{op} batching dimensions must have equal sizes, got operand "
                            f"shape {operand.shape} and indices shape {indices.shape} for "
                            f"{names[0]}={operand_dims}, {names[1]}={index_dims}")


def _check_indices(op: str, indices, index_map, operand_ndim: int, map_name: str) -> None:
    check_dtype(op, INT, indices, "indices")
    if indices.ndim < 1:
        raise TypeError(f"{op} indices must have rank >= 1 (the last axis is the index "
                        f"vector), got shape {indices.shape}")
    _check_dims(op, map_name, index_map, operand_ndim)
    if len(index_map) != indices.shape[-1]:
        raise TypeError(f"{op} {map_name} must have one entry per element of the index vector "
                        f"(the last axis of indices, size {indices.shape[-1]}), got {index_map}")


def _default_fill(dtype):
    """gather's fill value for FILL_OR_DROP when none is given (as jax.lax.gather)."""
    if dtypes.is_inexact(dtype):
        return np.nan
    if dtypes.is_signed(dtype):
        return np.iinfo(dtype).min
    if dtypes.is_integer(dtype):
        return np.iinfo(dtype).max
    return True


def _canonical_fill(fill_value, dtype):
    """A hashable fill value param; None stands for the default (NaN, whose inequality to
    itself would defeat the cache of compiled primitives)."""
    if fill_value is None:
        return None
    value = np.asarray(fill_value, dtype)
    if value.shape != ():
        raise TypeError(f"gather fill_value must be a scalar, got shape {value.shape}")
    value = value.item() if dtype != dtypes.bfloat16 else float(value)
    if dtypes.is_float(dtype) and np.isnan(value):
        return None
    return value


# --- gather ---------------------------------------------------------------------------------------

def _gather_abstract_eval(operand, indices, *, dimension_numbers, slice_sizes, indices_are_sorted,
                          unique_indices, mode, fill_value):
    dn = dimension_numbers
    _check_indices("gather", indices, dn.start_index_map, operand.ndim, "start_index_map")
    _check_dims("gather", "collapsed_slice_dims", dn.collapsed_slice_dims, operand.ndim, True)
    _check_batching_dims("gather", operand, indices, dn.operand_batching_dims,
                         dn.start_indices_batching_dims,
                         ("operand_batching_dims", "start_indices_batching_dims"))
    if set(dn.operand_batching_dims) & set(dn.collapsed_slice_dims + dn.start_index_map):
        raise ValueError(f"gather operand_batching_dims must be disjoint from "
                         f"collapsed_slice_dims and start_index_map, got {dn}")
    if len(slice_sizes) != operand.ndim:
        raise TypeError(f"gather slice_sizes must have one entry per operand dimension "
                        f"(rank {operand.ndim}), got {slice_sizes}")
    if any(not 0 <= s <= d for s, d in zip(slice_sizes, operand.shape)):
        raise TypeError(f"gather slice_sizes must be in [0, operand dimension size], got "
                        f"{slice_sizes} for operand shape {operand.shape}")
    if any(slice_sizes[d] > 1 for d in dn.collapsed_slice_dims + dn.operand_batching_dims):
        raise TypeError(f"gather slice_sizes must be at most 1 on collapsed and batching "
                        f"dimensions, got {slice_sizes} for {dn}")
    window = [s for d, s in enumerate(slice_sizes)
              if d not in dn.collapsed_slice_dims and d not in dn.operand_batching_dims]
    out_ndim = len(window) + indices.ndim - 1
    _check_dims("gather", "offset_dims", dn.offset_dims, out_ndim, True)
    if len(dn.offset_dims) != len(window):
        raise TypeError(f"gather offset_dims must have one entry per window dimension of the "
                        f"operand ({len(window)}), got {dn.offset_dims}")
    windows, batch = iter(window), iter(indices.shape[:-1])
    shape = [next(windows) if i in dn.offset_dims else next(batch) for i in range(out_ndim)]
    return ShapedArray(shape, operand.dtype, operand.weak_type)


def _gather_lower(ctx, operand, indices, *, dimension_numbers, slice_sizes, indices_are_sorted,
                  unique_indices, mode, fill_value):
    if mode == GatherScatterMode.FILL_OR_DROP:
        return _emit(_gather_fill, ctx.avals_in, [operand, indices],
                     dimension_numbers=dimension_numbers, slice_sizes=slice_sizes,
                     indices_are_sorted=indices_are_sorted, unique_indices=unique_indices,
                     fill_value=fill_value)
    dn = dimension_numbers
    attr = hlo.GatherDimensionNumbers.get(
        offset_dims=list(dn.offset_dims), collapsed_slice_dims=list(dn.collapsed_slice_dims),
        operand_batching_dims=list(dn.operand_batching_dims),
        start_indices_batching_dims=list(dn.start_indices_batching_dims),
        start_index_map=list(dn.start_index_map), index_vector_dim=ctx.avals_in[1].ndim - 1)
    return hlo.GatherOp(operand, indices, attr, _i64_array(slice_sizes),
                        indices_are_sorted=ir.BoolAttr.get(indices_are_sorted),
                        results=[lowering.ir_type(ctx.avals_out[0])]).result


def _upper_bounds(upper, aval):
    """Per-entry upper bounds of index vectors, in the indices' dtype and shape (bounds
    beyond the dtype's range saturate: no index of that dtype exceeds them anyway)."""
    cap = min(int(np.iinfo(aval.dtype).max), int(np.iinfo(np.int64).max))
    upper = np.minimum(np.asarray(upper, np.int64), cap).astype(aval.dtype)
    return broadcast_in_dim(upper, aval.shape, (aval.ndim - 1,))


def _in_bounds(indices, upper):
    """Whether every index vector (last axis of `indices`) lies in [0, upper]."""
    aval = get_aval(indices)
    ok = le(indices, _upper_bounds(upper, aval))
    if dtypes.is_signed(aval.dtype):
        ok = bitwise_and(ok, ge(indices, full(aval.shape, 0, aval.dtype)))
    columns = [reshape(slice_in_dim(ok, k, k + 1, axis=-1), aval.shape[:-1])
               for k in range(aval.shape[-1])]
    result = columns[0] if columns else full(aval.shape[:-1], True, np.bool_)
    for c in columns[1:]:
        result = bitwise_and(result, c)
    return result


def _gather_fill(operand, indices, *, dimension_numbers, slice_sizes, fill_value, **params):
    # Note: XLA's gather clamps out-of-bounds windows; FILL_OR_DROP gathers the clamped
    # windows and then replaces, with a select, every window whose index vector is out of
    # bounds: compare/and ops on the indices, a broadcast and a select beside the gather.
    dn = dimension_numbers
    out = gather_p.bind(operand, indices, dimension_numbers=dn, slice_sizes=slice_sizes,
                        mode=GatherScatterMode.CLIP, fill_value=None, **params)
    operand_shape, out_aval = get_aval(operand).shape, get_aval(out)
    upper = [operand_shape[d] - slice_sizes[d] for d in dn.start_index_map]
    batch_axes = [i for i in range(out_aval.ndim) if i not in dn.offset_dims]
    mask = broadcast_in_dim(_in_bounds(indices, upper), out_aval.shape, batch_axes)
    fill = _default_fill(out_aval.dtype) if fill_value is None else fill_value
    return select(mask, out, full(out_aval.shape, fill, out_aval.dtype))


def _gather_jvp(primals, tangents, **params):
    operand, indices = primals
    out = gather_p.bind(operand, indices, **params)
    t = tangents[0]
    if type(t) is Zero:
        return out, Zero.like(out)
    if params["mode"] == GatherScatterMode.FILL_OR_DROP:
        params = {**params, "fill_value": 0}  # filled windows do not depend on the operand
    return out, gather_p.bind(t, indices, **params)


def _gather_transpose(ct, operand, indices, *, dimension_numbers, slice_sizes, indices_are_sorted,
                      unique_indices, mode, fill_value):
    dn = dimension_numbers
    scatter_dn = ScatterDimensionNumbers(dn.offset_dims, dn.collapsed_slice_dims,
                                         dn.start_index_map, dn.operand_batching_dims,
                                         dn.start_indices_batching_dims)
    zeros = _zeros(operand.aval.shape, get_aval(ct).dtype)
    return [scatter_add_p.bind(zeros, indices, ct, dimension_numbers=scatter_dn,
                               indices_are_sorted=indices_are_sorted,
                               unique_indices=unique_indices, mode=mode), None]


def _gather_batch(axis_size, vals, dims, *, dimension_numbers, slice_sizes, **params):
    operand, indices = vals
    operand_dim, indices_dim = dims
    dn = dimension_numbers
    if indices_dim is None:
        # The batch axis is one more window axis, taken whole and put first in the output.
        operand = bdim_at_front(operand, operand_dim, axis_size)
        dn = GatherDimensionNumbers((0, *_shift(dn.offset_dims)), _shift(dn.collapsed_slice_dims),
                                    _shift(dn.start_index_map), _shift(dn.operand_batching_dims),
                                    dn.start_indices_batching_dims)
        slice_sizes = (axis_size, *slice_sizes)
    elif operand_dim is None:
        # The batch axis is one more batch axis of the indices, first in the output.
        indices = bdim_at_front(indices, indices_dim, axis_size)
        dn = dn._replace(offset_dims=_shift(dn.offset_dims),
                         start_indices_batching_dims=_shift(dn.start_indices_batching_dims))
    else:
        # Both batched: a pair of batching dimensions (StableHLO gathers map over them).
        operand = bdim_at_front(operand, operand_dim, axis_size)
        indices = bdim_at_front(indices, indices_dim, axis_size)
        dn = GatherDimensionNumbers(_shift(dn.offset_dims), _shift(dn.collapsed_slice_dims),
                                    _shift(dn.start_index_map),
                                    (0, *_shift(dn.operand_batching_dims)),
                                    (0, *_shift(dn.start_indices_batching_dims)))
        slice_sizes = (1, *slice_sizes)
    return gather_p.bind(operand, indices, dimension_numbers=dn, slice_sizes=slice_sizes,
                         **params), 0


gather_p = standard_primitive("gather", _gather_abstract_eval, _gather_lower)
jvp_rules[gather_p] = _gather_jvp
transpose_rules[gather_p] = _gather_transpose
batching_rules[gather_p] = _gather_batch
HLO_OPS["gather"] = "stablehlo.gather"


def _gather_dnums(dn) -> GatherDimensionNumbers:
    return GatherDimensionNumbers(*(_ints(field) for field in dn))


def _scatter_dnums(dn) -> ScatterDimensionNumbers:
    return ScatterDimensionNumbers(*(_ints(field) for field in dn))


def gather(operand, start_indices, dimension_numbers: GatherDimensionNumbers,
           slice_sizes: Sequence[int], *, unique_indices: bool = False,
           indices_are_sorted: bool = False, mode: str | GatherScatterMode | None = None,
           fill_value=None):
    """Windows of `slice_sizes` from `operand` at `start_indices` (stablehlo.gather).

    `mode` (default PROMISE_IN_BOUNDS, as jax.lax.gather) says what happens to
    out-of-bounds windows; with 'fill' they hold `fill_value` (default NaN for inexact
    dtypes, the minimum of signed and the maximum of unsigned integers, True for bool)."""
    operand, start_indices = as_operand(operand), as_operand(start_indices)
    mode = GatherScatterMode.from_any(GatherScatterMode.PROMISE_IN_BOUNDS if mode is None else mode)
    fill = (_canonical_fill(fill_value, get_aval(operand).dtype)
            if mode == GatherScatterMode.FILL_OR_DROP else None)
    return gather_p.bind(operand, start_indices, dimension_numbers=_gather_dnums(dimension_numbers),
                         slice_sizes=_ints(slice_sizes),
                         indices_are_sorted=bool(indices_are_sorted),
                         unique_indices=bool(unique_indices), mode=mode, fill_value=fill)


# --- scatter family ----------------------------------------------------------------------------

def _window_sizes(operand_shape, updates_shape, dn: ScatterDimensionNumbers) -> tuple[int, ...]:
    """The extent of one update window along each operand axis."""
    window = iter(updates_shape[d] for d in dn.update_window_dims)
    skipped = set(dn.inserted_window_dims) | set(dn.operand_batching_dims)
    return tuple(1 if d in skipped else next(window) for d in range(len(operand_shape)))


def _scatter_as_gather(dn: ScatterDimensionNumbers, operand_shape, updates_shape):
    """The gather that reads back, in the shape of the updates, what a scatter writes."""
    gather_dn = GatherDimensionNumbers(dn.update_window_dims, dn.inserted_window_dims,
                                       dn.scatter_dims_to_operand_dims, dn.operand_batching_dims,
                                       dn.scatter_indices_batching_dims)
    return gather_dn, _window_sizes(operand_shape, updates_shape, dn)


def _scatter_abstract_eval(name, accepted, operand, indices, updates, *, dimension_numbers,
                           indices_are_sorted, unique_indices, mode):
    dn = dimension_numbers
    check_dtype(name, accepted, operand)
    if updates.dtype != operand.dtype:
        raise TypeError(f"{name} updates must have the dtype of the operand, got "
                        f"{updates.dtype.name} and {operand.dtype.name}")
    _check_indices(name, indices, dn.scatter_dims_to_operand_dims, operand.ndim,
                   "scatter_dims_to_operand_dims")
    _check_dims(name, "update_window_dims", dn.update_window_dims, updates.ndim, True)
    _check_dims(name, "inserted_window_dims", dn.inserted_window_dims, operand.ndim, True)
    _check_batching_dims(name, operand, indices, dn.operand_batching_dims,
                         dn.scatter_indices_batching_dims,
                         ("operand_batching_dims", "scatter_indices_batching_dims"))
    indexed = dn.inserted_window_dims + dn.scatter_dims_to_operand_dims
    if set(dn.operand_batching_dims) & set(indexed):
        raise ValueError(f"{name} operand_batching_dims must be disjoint from "
                         f"inserted_window_dims and scatter_dims_to_operand_dims, got {dn}")
    window_axes = [d for d in range(operand.ndim)
                   if d not in dn.inserted_window_dims and d not in dn.operand_batching_dims]
    scatter_axes = [d for d in range(updates.ndim) if d not in dn.update_window_dims]
    if (len(window_axes) != len(dn.update_window_dims)
            or [updates.shape[d] for d in scatter_axes] != list(indices.shape[:-1])):
        raise TypeError(f"{name} updates shape {updates.shape} does not match operand shape "
                        f"{operand.shape} and indices shape {indices.shape} under {dn}")
    if any(updates.shape[u] > operand.shape[o] for u, o in zip(dn.update_window_dims, window_axes)):
        raise TypeError(f"{name} update windows must fit in the operand, got updates shape "
                        f"{updates.shape} for operand shape {operand.shape} under {dn}")
    return operand.update(weak_type=operand.weak_type and updates.weak_type)


def _scatter_op(ctx, combine, operand, indices, updates, dn, indices_are_sorted, unique_indices):
    attr = hlo.ScatterDimensionNumbers.get(
        update_window_dims=list(dn.update_window_dims),
        inserted_window_dims=list(dn.inserted_window_dims),
        input_batching_dims=list(dn.operand_batching_dims),
        scatter_indices_batching_dims=list(dn.scatter_indices_batching_dims),
        scattered_dims_to_operand_dims=list(dn.scatter_dims_to_operand_dims),
        index_vector_dim=ctx.avals_in[1].ndim - 1)
    op = hlo.ScatterOp([lowering.ir_type(ctx.avals_out[0])], [operand], indices, [updates], attr,
                       indices_are_sorted=ir.BoolAttr.get(indices_are_sorted),
                       unique_indices=ir.BoolAttr.get(unique_indices))
    scalar = lowering.ir_type(ShapedArray((), ctx.avals_in[0].dtype))
    block = op.update_computation.blocks.append(scalar, scalar)
    with ir.InsertionPoint(block):
        hlo.ReturnOp([combine(*block.arguments)])
    return op.results[0]


def _clip_indices(indices, *, upper):
    """Clamp each index vector (last axis) to [0, upper]."""
    aval = get_aval(indices)
    return clamp(full(aval.shape, 0, aval.dtype), indices, _upper_bounds(upper, aval))


def _scatter_lowering(combine: Callable) -> Callable:
    def lower(ctx, operand, indices, updates, *, dimension_numbers, indices_are_sorted,
              unique_indices, mode):
        dn = dimension_numbers
        if mode == GatherScatterMode.CLIP:
            # Note: XLA's scatter drops out-of-bounds windows; CLIP first clamps every index
            # vector so that its window fits (a stablehlo.clamp with broadcast bounds).
            shape = ctx.avals_in[0].shape
            sizes = _window_sizes(shape, ctx.avals_in[2].shape, dn)
            upper = [shape[d] - sizes[d] for d in dn.scatter_dims_to_operand_dims]
            indices = _emit(_clip_indices, ctx.avals_in[1:2], [indices], upper=tuple(upper))
        # Note: FILL_OR_DROP needs nothing more: XLA's scatter skips every window that is
        # not wholly in bounds (StableHLO leaves this to the implementation; XLA documents it).
        return _scatter_op(ctx, combine, operand, indices, updates, dn, indices_are_sorted,
                           unique_indices)
    return lower


def _scatter_batch(prim, axis_size, vals, dims, *, dimension_numbers, **params):
    operand, indices, updates = vals
    operand_dim, indices_dim, updates_dim = dims
    dn = dimension_numbers
    operand = bdim_at_front(operand, operand_dim, axis_size)
    updates = bdim_at_front(updates, updates_dim, axis_size)
    if indices_dim is None:
        # The batch axis is one more window axis, first in operand and updates.
        dn = ScatterDimensionNumbers((0, *_shift(dn.update_window_dims)),
                                     _shift(dn.inserted_window_dims),
                                     _shift(dn.scatter_dims_to_operand_dims),
                                     _shift(dn.operand_batching_dims),
                                     dn.scatter_indices_batching_dims)
    else:
        # Batched indices: a pair of batching dimensions (StableHLO scatters map over them).
        indices = bdim_at_front(indices, indices_dim, axis_size)
        dn = ScatterDimensionNumbers(_shift(dn.update_window_dims), _shift(dn.inserted_window_dims),
                                     _shift(dn.scatter_dims_to_operand_dims),
                                     (0, *_shift(dn.operand_batching_dims)),
                                     (0, *_shift(dn.scatter_indices_batching_dims)))
    return prim.bind(operand, indices, updates, dimension_numbers=dn, **params), 0


# name: (accepted dtypes, combiner of the update region)
_SCATTERS = {
    "scatter": (ANY, lambda x, y: y),
    "scatter_add": (NUM, lambda x, y: hlo.AddOp(x, y).result),
    "scatter_mul": (NUM, lambda x, y: hlo.MulOp(x, y).result),
    "scatter_min": (ORDERED, lambda x, y: hlo.MinOp(x, y).result),
    "scatter_max": (ORDERED, lambda x, y: hlo.MaxOp(x, y).result),
}
# Note: scatter_min/max leave out complex dtypes: XLA's min/max of complex numbers compare
# only the real parts, where NumPy orders complex numbers lexicographically.


def _make_scatter(name: str) -> Primitive:
    accepted, combine = _SCATTERS[name]
    prim = standard_primitive(name, partial(_scatter_abstract_eval, name, accepted),
                              _scatter_lowering(combine))
    batching_rules[prim] = partial(_scatter_batch, prim)
    HLO_OPS[name] = "stablehlo.scatter"
    return prim


scatter_p = _make_scatter("scatter")
scatter_add_p = _make_scatter("scatter_add")
scatter_mul_p = _make_scatter("scatter_mul")
scatter_min_p = _make_scatter("scatter_min")
scatter_max_p = _make_scatter("scatter_max")


def _linear_scatter_jvp(prim, primals, tangents, **params):
    """jvp of a scatter linear in (operand, updates) together: scatter and scatter_add."""
    operand, indices, updates = primals
    t_operand, _, t_updates = tangents
    out = prim.bind(operand, indices, updates, **params)
    if type(t_operand) is Zero and type(t_updates) is Zero:
        return out, Zero.like(out)
    return out, prim.bind(instantiate(t_operand), indices, instantiate(t_updates), **params)


def _scatter_add_transpose(ct, operand, indices, updates, *, dimension_numbers, indices_are_sorted,
                           unique_indices, mode):
    ct_updates = None
    if is_undefined(updates):
        gather_dn, sizes = _scatter_as_gather(dimension_numbers, _aval(operand).shape,
                                              updates.aval.shape)
        ct_updates = gather_p.bind(ct, indices, dimension_numbers=gather_dn, slice_sizes=sizes,
                                   indices_are_sorted=indices_are_sorted,
                                   unique_indices=unique_indices, mode=mode, fill_value=0)
    return [ct if is_undefined(operand) else None, None, ct_updates]


jvp_rules[scatter_add_p] = partial(_linear_scatter_jvp, scatter_add_p)
transpose_rules[scatter_add_p] = _scatter_add_transpose


def _scatter_winners(operand_shape, indices, updates_shape, dn, mode, indices_are_sorted):
    """For a scatter whose windows may overlap: which operand elements no update reaches,
    and which update elements are the ones written. Each update window gets a distinct
    positive id, the ids are scattered, and an update wins where it reads its own id back."""
    scatter_axes = [d for d in range(len(updates_shape)) if d not in dn.update_window_dims]
    id_shape = [updates_shape[d] for d in scatter_axes]
    ids = add(reshape(iota(np.int32, math.prod(id_shape)), id_shape), 1)
    ids = broadcast_in_dim(ids, updates_shape, scatter_axes)
    params = dict(dimension_numbers=dn, indices_are_sorted=indices_are_sorted,
                  unique_indices=False, mode=mode)
    written = scatter_p.bind(_zeros(operand_shape, np.int32), indices, ids, **params)
    gather_dn, sizes = _scatter_as_gather(dn, operand_shape, updates_shape)
    read_back = gather_p.bind(written, indices, dimension_numbers=gather_dn, slice_sizes=sizes,
                              indices_are_sorted=indices_are_sorted, unique_indices=False,
                              mode=mode, fill_value=0)
    return eq(written, 0), eq(ids, read_back)


def _scatter_jvp(primals, tangents, *, dimension_numbers, indices_are_sorted, unique_indices, mode):
    params = dict(dimension_numbers=dimension_numbers, indices_are_sorted=indices_are_sorted,
                  unique_indices=unique_indices, mode=mode)
    t_operand, _, t_updates = tangents
    if unique_indices or (type(t_operand) is Zero and type(t_updates) is Zero):
        return _linear_scatter_jvp(scatter_p, primals, tangents, **params)
    # Overlapping windows: which update wins is unspecified, so pick the winners once and
    # build both primal and tangent from them with a scatter_add (see _scatter_winners).
    operand, indices, updates = primals
    kept, wins = _scatter_winners(get_aval(operand).shape, indices, get_aval(updates).shape,
                                  dimension_numbers, mode, indices_are_sorted)

    def masked_scatter(x, u):
        return scatter_add_p.bind(select(kept, x, full_like(x, 0)), indices,
                                  select(wins, u, full_like(u, 0)), **params)

    return (masked_scatter(operand, updates),
            masked_scatter(instantiate(t_operand), instantiate(t_updates)))


def _scatter_transpose(ct, operand, indices, updates, *, dimension_numbers, indices_are_sorted,
                       unique_indices, mode):
    if not unique_indices:
        # The jvp above only emits a linear scatter for unique indices.
        raise NotImplementedError("scatter transpose requires unique_indices=True")
    updates_shape = _aval(updates).shape
    params = dict(dimension_numbers=dimension_numbers, indices_are_sorted=indices_are_sorted,
                  unique_indices=True, mode=mode)
    ct_dtype = get_aval(ct).dtype
    ct_operand = (scatter_p.bind(ct, indices, _zeros(updates_shape, ct_dtype), **params)
                  if is_undefined(operand) else None)
    ct_updates = None
    if is_undefined(updates):
        gather_dn, sizes = _scatter_as_gather(dimension_numbers, _aval(operand).shape,
                                              updates_shape)
        ct_updates = gather_p.bind(ct, indices, dimension_numbers=gather_dn, slice_sizes=sizes,
                                   indices_are_sorted=indices_are_sorted, unique_indices=True,
                                   mode=mode, fill_value=0)
    return [ct_operand, None, ct_updates]


jvp_rules[scatter_p] = _scatter_jvp
transpose_rules[scatter_p] = _scatter_transpose


def _scatter_mul_jvp(primals, tangents, **params):
    # Linear in the operand for fixed updates. The updates' derivative is a product over
    # the other updates landing on the same element; it is implemented for unique indices.
    operand, indices, updates = primals
    t_operand, _, t_updates = tangents
    out = scatter_mul_p.bind(operand, indices, updates, **params)
    tangent = Zero.like(out)
    if type(t_operand) is not Zero:
        tangent = scatter_mul_p.bind(t_operand, indices, updates, **params)
    if type(t_updates) is not Zero:
        if not params["unique_indices"]:
            raise NotImplementedError(
                "scatter_mul is differentiable with respect to its updates only with "
                "unique_indices=True (the operand's derivative has no such limit)")
        spread = scatter_add_p.bind(full_like(operand, 0), indices, t_updates, **params)
        tangent = add_tangents(tangent, mul(operand, spread))
    return out, tangent


def _scatter_mul_transpose(ct, operand, indices, updates, **params):
    if is_undefined(updates):
        raise ValueError("scatter_mul is not linear in its updates; cannot transpose")
    return [scatter_mul_p.bind(ct, indices, updates, **params), None, None]


jvp_rules[scatter_mul_p] = _scatter_mul_jvp
transpose_rules[scatter_mul_p] = _scatter_mul_transpose


def _scatter_extremum_jvp(prim, primals, tangents, *, dimension_numbers, indices_are_sorted,
                          unique_indices, mode):
    # The output takes the derivative of whichever value (operand or update) it equals;
    # ties share it evenly, as max/min do.
    params = dict(dimension_numbers=dimension_numbers, indices_are_sorted=indices_are_sorted,
                  unique_indices=unique_indices, mode=mode)
    operand, indices, updates = primals
    t_operand, _, t_updates = tangents
    out = prim.bind(operand, indices, updates, **params)
    if type(t_operand) is Zero and type(t_updates) is Zero:
        return out, Zero.like(out)
    t_operand, t_updates = instantiate(t_operand), instantiate(t_updates)
    dtype = get_aval(out).dtype
    gather_dn, sizes = _scatter_as_gather(dimension_numbers, get_aval(operand).shape,
                                          get_aval(updates).shape)
    # In FILL_OR_DROP mode dropped updates read back NaN (the fill): they never win.
    out_at_updates = gather_p.bind(out, indices, dimension_numbers=gather_dn, slice_sizes=sizes,
                                   indices_are_sorted=indices_are_sorted,
                                   unique_indices=unique_indices, mode=mode, fill_value=None)
    update_wins, operand_wins = eq(updates, out_at_updates), eq(operand, out)
    count = scatter_add_p.bind(convert_element_type(operand_wins, dtype), indices,
                               convert_element_type(update_wins, dtype), **params)
    total = scatter_add_p.bind(select(operand_wins, t_operand, full_like(t_operand, 0)), indices,
                               select(update_wins, t_updates, full_like(t_updates, 0)), **params)
    return out, div(total, maximum(count, full_like(count, 1)))


jvp_rules[scatter_min_p] = partial(_scatter_extremum_jvp, scatter_min_p)
jvp_rules[scatter_max_p] = partial(_scatter_extremum_jvp, scatter_max_p)


def _scatter_public(prim: Primitive, doc: str) -> Callable:
    def f(operand, scatter_indices, updates, dimension_numbers: ScatterDimensionNumbers, *,
          indices_are_sorted: bool = False, unique_indices: bool = False,
          mode: str | GatherScatterMode | None = None):
        return prim.bind(as_operand(operand), as_operand(scatter_indices), as_operand(updates),
                         dimension_numbers=_scatter_dnums(dimension_numbers),
                         indices_are_sorted=bool(indices_are_sorted),
                         unique_indices=bool(unique_indices), mode=GatherScatterMode.from_any(mode))
    f.__name__ = f.__qualname__ = prim.name
    f.__doc__ = doc + (" Out-of-bounds windows are dropped unless `mode` says otherwise "
                       "(default FILL_OR_DROP, as jax.lax).")
    return f


scatter = _scatter_public(scatter_p, "`operand` with the `updates` windows written at "
                          "`scatter_indices`; which of overlapping updates wins is unspecified "
                          "(stablehlo.scatter).")
scatter_add = _scatter_public(scatter_add_p, "`operand` plus the `updates` windows at "
                              "`scatter_indices`, overlaps summed (stablehlo.scatter).")
scatter_mul = _scatter_public(scatter_mul_p, "`operand` times the `updates` windows at "
                              "`scatter_indices`, overlaps multiplied (stablehlo.scatter).")
scatter_min = _scatter_public(scatter_min_p, "Elementwise minimum of `operand` and the "
                              "`updates` windows at `scatter_indices` (stablehlo.scatter).")
scatter_max = _scatter_public(scatter_max_p, "Elementwise maximum of `operand` and the "
                              "`updates` windows at `scatter_indices` (stablehlo.scatter).")
