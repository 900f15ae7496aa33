"""Shape primitives: iota, broadcast_in_dim, reshape, transpose, rev, squeeze,
concatenate, pad. Each lowers to one StableHLO op."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from npaccel._runtime import hlo, ir
from npaccel.core import dtypes
from npaccel.core.aval import ShapedArray
from npaccel.core.trace import get_aval
from npaccel.lax._standard import (as_operand, canonical_axes, check_same_dtypes, is_python_scalar,
                                   standard_primitive, weak)
from npaccel.transforms import lowering
from npaccel.transforms.ad import deflinear, is_undefined
from npaccel.transforms.batching import batching_rules, bdim_at_front

HLO_OPS: dict[str, str] = {}


def _ints(xs) -> tuple[int, ...]:
    return tuple(int(x) for x in xs)


def _i64_array(values) -> ir.Attribute:
    return ir.DenseI64ArrayAttr.get(list(map(int, values)))


# --- iota --------------------------------------------------------------------------------

def _iota_abstract_eval(*, dtype, shape, dimension):
    if not 0 <= dimension < len(shape):
        raise ValueError(f"iota dimension must be in [0, {len(shape)}), got {dimension}")
    if any(d < 0 for d in shape):
        raise ValueError(f"iota shape must be non-negative, got {shape}")
    return ShapedArray(shape, dtypes.check_supported(dtype))


iota_p = standard_primitive(
    "iota", _iota_abstract_eval,
    lambda ctx, *, dtype, shape, dimension: hlo.IotaOp(
        lowering.ir_type(ctx.avals_out[0]), ir.IntegerAttr.get(ir.IntegerType.get_signless(64), dimension)).result)
HLO_OPS["iota"] = "stablehlo.iota"


def iota(dtype, size: int):
    """[0, 1, ..., size - 1] (stablehlo.iota)."""
    return iota_p.bind(dtype=np.dtype(dtype), shape=(int(size),), dimension=0)


def broadcasted_iota(dtype, shape: Sequence[int], dimension: int):
    """Indices along `dimension` of an array of `shape` (stablehlo.iota)."""
    return iota_p.bind(dtype=np.dtype(dtype), shape=_ints(shape), dimension=int(dimension))


# --- broadcast_in_dim ---------------------------------------------------------------------

def _broadcast_in_dim_abstract_eval(x, *, shape, broadcast_dimensions):
    if len(broadcast_dimensions) != x.ndim:
        raise TypeError(f"broadcast_in_dim broadcast_dimensions must have length equal to the "
                        f"operand rank {x.ndim}, got {broadcast_dimensions}")
    if any(not 0 <= d < len(shape) for d in broadcast_dimensions) or \
            list(broadcast_dimensions) != sorted(set(broadcast_dimensions)):
        raise TypeError(f"broadcast_in_dim broadcast_dimensions must be strictly increasing "
                        f"and within the output rank {len(shape)}, got {broadcast_dimensions}")
    for i, d in enumerate(broadcast_dimensions):
        if x.shape[i] not in (1, shape[d]):
            raise TypeError(f"broadcast_in_dim operand dimension {i} of size {x.shape[i]} "
                            f"cannot be broadcast to size {shape[d]} (output shape {shape})")
    return ShapedArray(shape, x.dtype, x.weak_type)


def _broadcast_in_dim_transpose(ct, x, *, shape, broadcast_dimensions):
    from npaccel.lax.reduction import reduce_sum
    unit = [i for i, d in enumerate(broadcast_dimensions) if x.aval.shape[i] == 1 and shape[d] != 1]
    summed = tuple(d for d in range(len(shape)) if d not in broadcast_dimensions) + \
        tuple(broadcast_dimensions[i] for i in unit)
    out = reduce_sum(ct, tuple(sorted(summed))) if summed else ct
    return [reshape(out, x.aval.shape)]


def _broadcast_in_dim_batch(axis_size, vals, dims, *, shape, broadcast_dimensions):
    (x,), (d,) = vals, dims
    x = bdim_at_front(x, d, axis_size)
    return broadcast_in_dim(x, (axis_size, *shape), (0, *[b + 1 for b in broadcast_dimensions])), 0


broadcast_in_dim_p = standard_primitive(
    "broadcast_in_dim", _broadcast_in_dim_abstract_eval,
    lambda ctx, x, *, shape, broadcast_dimensions: hlo.BroadcastInDimOp(
        lowering.ir_type(ctx.avals_out[0]), x, _i64_array(broadcast_dimensions)).result)
deflinear(broadcast_in_dim_p, _broadcast_in_dim_transpose)
batching_rules[broadcast_in_dim_p] = _broadcast_in_dim_batch
HLO_OPS["broadcast_in_dim"] = "stablehlo.broadcast_in_dim"


def broadcast_in_dim(x, shape: Sequence[int], broadcast_dimensions: Sequence[int]):
    """Broadcast `x` into `shape`, its axis i landing on broadcast_dimensions[i]
    (stablehlo.broadcast_in_dim)."""
    x = as_operand(x)
    shape, dims = _ints(shape), _ints(broadcast_dimensions)
    if get_aval(x).shape == shape and dims == tuple(range(len(shape))):
        return x
    return broadcast_in_dim_p.bind(x, shape=shape, broadcast_dimensions=dims)


def broadcast(x, sizes: Sequence[int]):
    """Add leading dimensions of `sizes` to x."""
    x = as_operand(x)
    nd = get_aval(x).ndim
    return broadcast_in_dim(x, (*sizes, *get_aval(x).shape), range(len(sizes), len(sizes) + nd))


def full(shape: Sequence[int], fill_value, dtype=None):
    """An array of `shape` filled with the scalar `fill_value` (of `dtype` if given)."""
    from npaccel.lax.convert import convert_element_type
    value = as_operand(fill_value)
    if is_python_scalar(value) or isinstance(value, (np.ndarray, np.generic)):
        value = np.asarray(value, dtype if dtype is not None else dtypes.python_scalar_dtype(value))
    if get_aval(value).shape != ():
        raise TypeError(f"full must be called with a scalar fill_value, got shape {get_aval(value).shape}")
    if dtype is not None and get_aval(value).dtype != np.dtype(dtype):
        value = convert_element_type(value, dtype)
    return broadcast_in_dim(value, shape, ())


def full_like(x, fill_value, dtype=None, shape=None):
    aval = get_aval(as_operand(x))
    return full(aval.shape if shape is None else shape, fill_value,
                aval.dtype if dtype is None else dtype)


def zeros_like_array(x):
    return full_like(x, 0)


# --- reshape ------------------------------------------------------------------------------

def _reshape_abstract_eval(x, *, new_sizes, dimensions):
    if any(d < 0 for d in new_sizes):
        raise TypeError(f"reshape new_sizes must all be non-negative, got {new_sizes}")
    if math.prod(new_sizes) != x.size:
        raise TypeError(f"reshape total size must be unchanged, got new_sizes {new_sizes} "
                        f"for shape {x.shape}")
    if dimensions is not None:
        raise NotImplementedError("reshape with dimensions: transpose first")
    return ShapedArray(new_sizes, x.dtype, x.weak_type)


def _reshape_batch(axis_size, vals, dims, *, new_sizes, dimensions):
    (x,), (d,) = vals, dims
    x = bdim_at_front(x, d, axis_size)
    return reshape(x, (axis_size, *new_sizes)), 0


reshape_p = standard_primitive(
    "reshape", _reshape_abstract_eval,
    lambda ctx, x, *, new_sizes, dimensions: hlo.ReshapeOp(lowering.ir_type(ctx.avals_out[0]), x).result)
deflinear(reshape_p, lambda ct, x, **_: [reshape(ct, x.aval.shape)])
batching_rules[reshape_p] = _reshape_batch
HLO_OPS["reshape"] = "stablehlo.reshape"


def reshape(x, new_sizes: Sequence[int], dimensions: Sequence[int] | None = None):
    """`x` with shape `new_sizes` (row-major); `dimensions` first permutes x (stablehlo.reshape)."""
    x = as_operand(x)
    if dimensions is not None:
        x = transpose(x, dimensions)
    new_sizes = _ints(new_sizes)
    if get_aval(x).shape == new_sizes:
        return x
    return reshape_p.bind(x, new_sizes=new_sizes, dimensions=None)


# --- squeeze / expand_dims -----------------------------------------------------------------

def _squeeze_abstract_eval(x, *, dimensions):
    for d in dimensions:
        if not 0 <= d < x.ndim or x.shape[d] != 1:
            raise ValueError(f"cannot select an axis to squeeze out which has size not equal "
                             f"to one, got shape={x.shape} and dimensions={dimensions}")
    return ShapedArray([s for i, s in enumerate(x.shape) if i not in dimensions], x.dtype, x.weak_type)


def _squeeze_batch(axis_size, vals, dims, *, dimensions):
    (x,), (d,) = vals, dims
    x = bdim_at_front(x, d, axis_size)
    return squeeze(x, [a + 1 for a in dimensions]), 0


squeeze_p = standard_primitive(
    "squeeze", _squeeze_abstract_eval,
    lambda ctx, x, *, dimensions: hlo.ReshapeOp(lowering.ir_type(ctx.avals_out[0]), x).result)
deflinear(squeeze_p, lambda ct, x, *, dimensions: [reshape(ct, x.aval.shape)])
batching_rules[squeeze_p] = _squeeze_batch
HLO_OPS["squeeze"] = "stablehlo.reshape"



def squeeze(x, dimensions: Sequence[int]):
    """Remove the size-1 `dimensions` of x (stablehlo.reshape)."""
    x = as_operand(x)
    dims = tuple(sorted(set(canonical_axes(dimensions, get_aval(x).ndim, "squeeze"))))
    return squeeze_p.bind(x, dimensions=dims) if dims else x


def expand_dims(x, dimensions: Sequence[int]):
    """Insert size-1 axes at `dimensions` of the result (stablehlo.broadcast_in_dim)."""
    x = as_operand(x)
    aval = get_aval(x)
    ndim_out = aval.ndim + len(dimensions)
    dims = sorted(canonical_axes(dimensions, ndim_out, "expand_dims"))
    shape = list(aval.shape)
    for d in dims:
        shape.insert(d, 1)
    kept = [i for i in range(ndim_out) if i not in dims]
    return broadcast_in_dim(x, shape, kept)


# --- transpose -------------------------------------------------------------------------------

def _transpose_abstract_eval(x, *, permutation):
    if sorted(permutation) != list(range(x.ndim)):
        raise TypeError(f"transpose permutation isn't a permutation of operand dimensions, "
                        f"got permutation {permutation} for operand shape {x.shape}")
    return ShapedArray([x.shape[p] for p in permutation], x.dtype, x.weak_type)


def _transpose_batch(axis_size, vals, dims, *, permutation):
    (x,), (d,) = vals, dims
    perm = [p if p < d else p + 1 for p in permutation]
    return transpose(x, (d, *perm)), 0


transpose_p = standard_primitive(
    "transpose", _transpose_abstract_eval,
    lambda ctx, x, *, permutation: hlo.TransposeOp(x, _i64_array(permutation)).result)
deflinear(transpose_p, lambda ct, x, *, permutation: [transpose(ct, np.argsort(permutation))])
batching_rules[transpose_p] = _transpose_batch
HLO_OPS["transpose"] = "stablehlo.transpose"


def transpose(x, permutation: Sequence[int]):
    """Permute the axes of x (stablehlo.transpose)."""
    x = as_operand(x)
    permutation = _ints(permutation)
    if permutation == tuple(range(len(permutation))) and len(permutation) == get_aval(x).ndim:
        return x
    return transpose_p.bind(x, permutation=permutation)


def moveaxis(x, src: int, dst: int):
    x = as_operand(x)
    nd = get_aval(x).ndim
    src, dst = src % nd, dst % nd
    perm = [i for i in range(nd) if i != src]
    perm.insert(dst, src)
    return transpose(x, perm)


# --- rev ------------------------------------------------------------------------------------

def _rev_abstract_eval(x, *, dimensions):
    if len(set(dimensions)) != len(dimensions) or any(not 0 <= d < x.ndim for d in dimensions):
        raise ValueError(f"rev dimensions must be unique and in range for rank {x.ndim}, "
                         f"got {dimensions}")
    return x


def _rev_batch(axis_size, vals, dims, *, dimensions):
    (x,), (d,) = vals, dims
    return rev(x, [a + (a >= d) for a in dimensions]), d


rev_p = standard_primitive(
    "rev", _rev_abstract_eval,
    lambda ctx, x, *, dimensions: hlo.ReverseOp(x, _i64_array(dimensions)).result)
deflinear(rev_p, lambda ct, x, *, dimensions: [rev(ct, dimensions)])
batching_rules[rev_p] = _rev_batch
HLO_OPS["rev"] = "stablehlo.reverse"


def rev(x, dimensions: Sequence[int]):
    """Reverse x along `dimensions` (stablehlo.reverse)."""
    return rev_p.bind(as_operand(x), dimensions=_ints(dimensions))


# --- concatenate -----------------------------------------------------------------------------

def _concatenate_abstract_eval(*avals, dimension):
    if not avals:
        raise ValueError("concatenate requires at least one operand")
    check_same_dtypes("concatenate", avals)
    nd = avals[0].ndim
    if not 0 <= dimension < nd:
        raise ValueError(f"concatenate dimension out of bounds: dimension {dimension} for "
                         f"shapes {', '.join(str(a.shape) for a in avals)}")
    for a in avals:
        if a.ndim != nd or any(s != t for i, (s, t) in enumerate(zip(a.shape, avals[0].shape))
                               if i != dimension):
            raise TypeError(f"Cannot concatenate arrays with shapes that differ in dimensions "
                            f"other than the one being concatenated: concatenating along "
                            f"dimension {dimension} for shapes {', '.join(str(b.shape) for b in avals)}.")
    shape = list(avals[0].shape)
    shape[dimension] = sum(a.shape[dimension] for a in avals)
    return ShapedArray(shape, avals[0].dtype, weak(*avals))


def _concatenate_transpose(ct, *operands, dimension):
    from npaccel.lax.slicing import slice_in_dim
    outs, start = [], 0
    for x in operands:
        size = (x.aval if is_undefined(x) else get_aval(x)).shape[dimension]
        outs.append(slice_in_dim(ct, start, start + size, axis=dimension) if is_undefined(x) else None)
        start += size
    return outs


def _concatenate_batch(axis_size, vals, dims, *, dimension):
    vals = [bdim_at_front(v, d, axis_size) for v, d in zip(vals, dims)]
    return concatenate(vals, dimension + 1), 0


concatenate_p = standard_primitive(
    "concatenate", _concatenate_abstract_eval,
    lambda ctx, *xs, dimension: hlo.ConcatenateOp(list(xs), dimension).result)
deflinear(concatenate_p, _concatenate_transpose)
batching_rules[concatenate_p] = _concatenate_batch
HLO_OPS["concatenate"] = "stablehlo.concatenate"


def concatenate(operands: Sequence, dimension: int):
    """Join `operands` along `dimension` (stablehlo.concatenate)."""
    operands = [as_operand(x) for x in operands]
    if len(operands) == 1:
        return operands[0]
    return concatenate_p.bind(*operands, dimension=int(dimension))


def padtype_to_pads(in_shape, window_shape, window_strides, padding) -> list[tuple[int, int]]:
    """(low, high) padding per spatial axis for 'VALID', 'SAME' (extra padding high) or
    'SAME_LOWER' (extra padding low); `window_shape` is the dilated window extent."""
    if not len(in_shape) == len(window_shape) == len(window_strides):
        raise ValueError(f"padtype_to_pads needs one window size and stride per spatial axis, "
                         f"got in_shape {tuple(in_shape)}, window_shape {tuple(window_shape)} "
                         f"and window_strides {tuple(window_strides)}")
    kind = padding.upper() if isinstance(padding, str) else padding
    if kind == "VALID":
        return [(0, 0)] * len(in_shape)
    if kind not in ("SAME", "SAME_LOWER"):
        raise ValueError(f"Unrecognized padding type: expected 'VALID', 'SAME' or "
                         f"'SAME_LOWER', got {padding!r}")
    pads = []
    for size, window, stride in zip(in_shape, window_shape, window_strides):
        out = -(-size // stride)
        total = max(0, (out - 1) * stride + window - size)
        small, large = total // 2, total - total // 2
        pads.append((small, large) if kind == "SAME" else (large, small))
    return pads


# --- pad --------------------------------------------------------------------------------------

def _pad_abstract_eval(x, padding_value, *, padding_config):
    check_same_dtypes("pad", [x, padding_value])
    if padding_value.shape != ():
        raise TypeError(f"pad padding_value must be a scalar, got shape {padding_value.shape}")
    if len(padding_config) != x.ndim:
        raise ValueError(f"pad padding_config has length {len(padding_config)}, expected the "
                         f"operand rank {x.ndim}")
    shape = []
    for d, (lo, hi, interior) in zip(x.shape, padding_config):
        if interior < 0:
            raise ValueError(f"pad interior padding must be non-negative, got {padding_config}")
        size = lo + hi + d + max(d - 1, 0) * interior
        if size < 0:
            raise ValueError(f"pad produces a negative dimension size for {padding_config} "
                             f"and shape {x.shape}")
        shape.append(size)
    return ShapedArray(shape, x.dtype, x.weak_type)


def _pad_lower(ctx, x, padding_value, *, padding_config):
    lo, hi, interior = zip(*padding_config) if padding_config else ((), (), ())
    return hlo.PadOp(x, padding_value, _i64_array(lo), _i64_array(hi), _i64_array(interior)).result


def _pad_transpose(ct, x, padding_value, *, padding_config):
    from npaccel.lax.elementwise import sub
    from npaccel.lax.reduction import reduce_sum
    from npaccel.lax.slicing import slice as lax_slice
    shape = x.aval.shape if is_undefined(x) else get_aval(x).shape
    # Undo negative padding by padding with zeros, then take the strided interior.
    unpadded = pad(ct, 0, [(max(-lo, 0), max(-hi, 0), 0) for lo, hi, _ in padding_config])
    start = [max(lo, 0) for lo, _, _ in padding_config]
    limit = [s + (d - 1) * (i + 1) + 1 if d else s
             for s, d, (_, _, i) in zip(start, shape, padding_config)]
    strides = [i + 1 for _, _, i in padding_config]
    ct_x = reshape(lax_slice(unpadded, start, limit, strides), shape)
    all_axes = lambda v: tuple(range(get_aval(v).ndim))  # noqa: E731
    ct_value = sub(reduce_sum(ct, all_axes(ct)), reduce_sum(ct_x, all_axes(ct_x)))
    return [ct_x if is_undefined(x) else None,
            ct_value if is_undefined(padding_value) else None]


def _pad_batch(axis_size, vals, dims, *, padding_config):
    x, padding_value = vals
    dx, dp = dims
    if dp is not None:
        from npaccel.lax.elementwise import select_n
        # A batched padding value: pad with zeros, then select the value per batch entry.
        x = bdim_at_front(x, dx, axis_size)
        mask = pad(full(get_aval(x).shape[1:], True, bool), np.asarray(False),
                   padding_config)
        padded = pad(x, np.zeros((), get_aval(x).dtype), [(0, 0, 0), *padding_config])
        pv = broadcast_in_dim(bdim_at_front(padding_value, dp, axis_size), get_aval(padded).shape, (0,))
        mask = broadcast_in_dim(mask, get_aval(padded).shape, tuple(range(1, get_aval(padded).ndim)))
        return select_n(mask, pv, padded), 0
    config = list(padding_config)
    config.insert(dx, (0, 0, 0))
    return pad(x, padding_value, config), dx


pad_p = standard_primitive("pad", _pad_abstract_eval, _pad_lower)
deflinear(pad_p, _pad_transpose)
batching_rules[pad_p] = _pad_batch
HLO_OPS["pad"] = "stablehlo.pad"


def pad(x, padding_value, padding_config: Sequence[tuple[int, int, int]]):
    """Pad x with `padding_value`: (low, high, interior) per axis; low/high may be negative
    (stablehlo.pad)."""
    x = as_operand(x)
    padding_value = as_operand(padding_value)
    if is_python_scalar(padding_value):
        padding_value = np.asarray(padding_value, get_aval(x).dtype)
    config = tuple(_ints(c) for c in padding_config)
    return pad_p.bind(x, padding_value, padding_config=config)
