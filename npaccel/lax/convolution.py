"""Convolution (stablehlo.convolution): conv_general_dilated, with its dimension-number and
padding helpers and the wrappers conv, conv_with_general_padding and conv_transpose.

Everything below speaks of the canonical layout: lhs (batch N, feature C, spatial...), rhs
(output feature O, input feature I, spatial...), output (N, O, spatial...); a
ConvDimensionNumbers says where each of those axes sits in the actual arrays.
"""
from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from npaccel._runtime import hlo, ir
from npaccel.core.aval import ShapedArray
from npaccel.core.trace import get_aval
from npaccel.lax._standard import (NUM, as_operand, check_dtype, check_same_dtypes,
                                   standard_primitive, weak)
from npaccel.lax.convert import convert_element_type
from npaccel.lax.contraction import (canonical_preferred, canonicalize_precision, ct_operands,
                             precision_attr, result_dtype)
from npaccel.lax.shape import full, moveaxis, padtype_to_pads, reshape, rev, transpose
from npaccel.transforms import lowering
from npaccel.transforms.ad import defjvp, is_undefined, transpose_rules
from npaccel.transforms.batching import batching_rules

# Negative padding adds a stablehlo.slice of lhs (see _slice_off_negative_padding).
HLO_OPS = {"conv_general_dilated": "stablehlo.convolution"}


class ConvDimensionNumbers(NamedTuple):
    """Where the canonical axes sit: lhs_spec = (batch, feature, spatial...), rhs_spec =
    (output feature, input feature, spatial...), out_spec = (batch, feature, spatial...)."""
    lhs_spec: tuple[int, ...]
    rhs_spec: tuple[int, ...]
    out_spec: tuple[int, ...]


def _ints(xs) -> tuple[int, ...]:
    return tuple(int(x) for x in xs)


def _dilate(size: int, dilation: int) -> int:
    """The extent of `size` elements with `dilation - 1` holes between neighbours."""
    return 0 if size == 0 else 1 + (size - 1) * dilation


def _windows(rhs_shape, dnums, rhs_dilation) -> list[int]:
    """The dilated window extent along each spatial axis."""
    return [_dilate(rhs_shape[d], r) for d, r in zip(dnums.rhs_spec[2:], rhs_dilation)]


def _swap01(spec) -> tuple[int, ...]:
    """A spec with its batch/feature (or output/input feature) roles exchanged."""
    return (spec[1], spec[0], *spec[2:])


# --- dimension numbers and padding ---------------------------------------------------------

_SPEC_LETTERS = (("N", "C"), ("O", "I"), ("N", "C"))


def _spec_from_strings(specs: Sequence[str]) -> ConvDimensionNumbers:
    """('NCHW', 'OIHW', 'NCHW')-style strings; spatial axes are matched by letter, in the
    order the rhs string lists them."""
    for spec, (a, b) in zip(specs, _SPEC_LETTERS):
        if spec.count(a) != 1 or spec.count(b) != 1 or len(set(spec)) != len(spec):
            raise TypeError(f"convolution dimension_numbers {spec!r} must contain '{a}' and "
                            f"'{b}' exactly once and no repeated letters")
    spatial = [set(s) - set(pair) for s, pair in zip(specs, _SPEC_LETTERS)]
    if not spatial[0] == spatial[1] == spatial[2]:
        raise TypeError(f"convolution dimension_numbers must have the same spatial letters "
                        f"in each element, got {tuple(specs)}")
    rhs_spatial = [c for c in specs[1] if c not in "OI"]
    return ConvDimensionNumbers(*[(s.index(a), s.index(b), *[s.index(c) for c in rhs_spatial])
                                  for s, (a, b) in zip(specs, _SPEC_LETTERS)])


def conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers) -> ConvDimensionNumbers:
    """ConvDimensionNumbers from None (NCHW/OIHW/NCHW), a ConvDimensionNumbers, or three
    layout strings such as ('NHWC', 'HWIO', 'NHWC')."""
    ndim = len(lhs_shape)
    if ndim != len(rhs_shape):
        raise TypeError(f"convolution requires lhs and rhs ndim to be equal, got "
                        f"{len(lhs_shape)} and {len(rhs_shape)}")
    if ndim < 2:
        raise TypeError(f"convolution requires operands of rank >= 2, got {ndim}")
    if dimension_numbers is None:
        return ConvDimensionNumbers(*[tuple(range(ndim))] * 3)
    if isinstance(dimension_numbers, (tuple, list)) and len(dimension_numbers) == 3:
        if all(isinstance(s, str) for s in dimension_numbers):
            if any(len(s) != ndim for s in dimension_numbers):
                raise TypeError(f"convolution dimension_numbers {tuple(dimension_numbers)} "
                                f"must each have length equal to the operand rank {ndim}")
            return _spec_from_strings(dimension_numbers)
        if all(isinstance(s, (tuple, list)) for s in dimension_numbers):
            return ConvDimensionNumbers(*map(_ints, dimension_numbers))
    raise TypeError("convolution dimension_numbers must be None, a ConvDimensionNumbers or "
                    f"a tuple of three layout strings, got {dimension_numbers!r}")


# --- conv_general_dilated --------------------------------------------------------------

def _check_conv_params(n: int, window_strides, padding, lhs_dilation, rhs_dilation,
                       feature_group_count, batch_group_count) -> None:
    for name, value in [("window_strides", window_strides), ("padding", padding),
                        ("lhs_dilation", lhs_dilation), ("rhs_dilation", rhs_dilation)]:
        if len(value) != n:
            raise ValueError(f"conv_general_dilated {name} must have one entry per spatial "
                             f"dimension ({n}), got {value}")
    for name, value in [("window_strides", window_strides), ("lhs_dilation", lhs_dilation),
                        ("rhs_dilation", rhs_dilation)]:
        if any(v < 1 for v in value):
            raise ValueError(f"conv_general_dilated {name} must be positive, got {value}")
    if feature_group_count < 1 or batch_group_count < 1:
        raise ValueError(f"conv_general_dilated feature_group_count and batch_group_count must "
                         f"be positive, got {feature_group_count} and {batch_group_count}")
    if feature_group_count > 1 and batch_group_count > 1:
        raise ValueError("conv_general_dilated feature_group_count and batch_group_count "
                         "cannot both be greater than 1")


def _check_specs(dnums: ConvDimensionNumbers, ndim: int) -> None:
    for name, spec in zip(ConvDimensionNumbers._fields, dnums):
        if sorted(spec) != list(range(ndim)):
            raise TypeError(f"conv_general_dilated dimension_numbers.{name} must be a "
                            f"permutation of range({ndim}), got {spec}")


def _check_groups(n: int, c: int, o: int, i: int, fgc: int, bgc: int) -> None:
    if c % fgc or c // fgc != i:
        raise TypeError(f"conv_general_dilated lhs feature dimension size {c} must equal the "
                        f"rhs input feature dimension size {i} times feature_group_count {fgc}")
    if o % fgc:
        raise ValueError(f"conv_general_dilated rhs output feature dimension size {o} must be "
                         f"a multiple of feature_group_count {fgc}")
    if n % bgc or o % bgc:
        raise ValueError(f"conv_general_dilated batch_group_count {bgc} must divide the lhs "
                         f"batch dimension size {n} and the rhs output feature dimension "
                         f"size {o}")


def _conv_abstract_eval(lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
                        dimension_numbers, feature_group_count, batch_group_count, precision,
                        preferred_element_type):
    check_dtype("conv_general_dilated", NUM, lhs, "lhs")
    check_same_dtypes("conv_general_dilated", [lhs, rhs])
    if lhs.ndim != rhs.ndim or lhs.ndim < 2:
        raise TypeError(f"conv_general_dilated requires lhs and rhs of equal rank >= 2, got "
                        f"shapes {lhs.shape} and {rhs.shape}")
    _check_specs(dimension_numbers, lhs.ndim)
    _check_conv_params(lhs.ndim - 2, window_strides, padding, lhs_dilation, rhs_dilation,
                       feature_group_count, batch_group_count)
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    (n, c, *in_sizes), (o, i, *k_sizes) = ([a.shape[d] for d in spec] for a, spec in
                                           [(lhs, lhs_spec), (rhs, rhs_spec)])
    _check_groups(n, c, o, i, feature_group_count, batch_group_count)
    if 0 in k_sizes:
        raise ValueError(f"conv_general_dilated requires a non-empty window, got rhs shape "
                         f"{rhs.shape}")
    spatial = [max(0, (_dilate(s, ld) + lo + hi - _dilate(k, rd)) // stride + 1)
               for s, k, stride, (lo, hi), ld, rd in
               zip(in_sizes, k_sizes, window_strides, padding, lhs_dilation, rhs_dilation)]
    shape = [0] * lhs.ndim
    for axis, size in zip(out_spec, [n // batch_group_count, o, *spatial]):
        shape[axis] = size
    dtype = result_dtype("conv_general_dilated", lhs.dtype, preferred_element_type)
    return ShapedArray(shape, dtype, weak(lhs, rhs) and preferred_element_type is None)


def _crop_for_padding(size: int, dilation: int, lo: int, hi: int):
    """(start, stop) of the input elements to keep and the non-negative (lo, hi) padding
    that together give the same padded, dilated extent as (lo, hi)."""
    start = -(lo // dilation) if lo < 0 else 0
    removed_high = -(hi // dilation) if hi < 0 else 0
    if start + removed_high >= size:
        # Nothing survives the cropping: keep an empty input of the same padded extent.
        return (0, 0), (0, max(0, _dilate(size, dilation) + lo + hi))
    return (start, size - removed_high), (lo + start * dilation, hi + removed_high * dilation)


def _slice_off_negative_padding(lhs, lhs_aval, lhs_spec, padding, lhs_dilation):
    # Note: XLA:CPU reads uninitialised memory in float32/float16 convolutions padded
    # (-1, 1) along an axis (a fresh buffer is garbage, not zero), so negative padding is
    # applied as a stablehlo.slice of the input first: convolution plus this one slice.
    if all(lo >= 0 and hi >= 0 for lo, hi in padding):
        return lhs, padding
    start, limit = [0] * lhs_aval.ndim, list(lhs_aval.shape)
    pads = []
    for axis, (lo, hi), dilation in zip(lhs_spec[2:], padding, lhs_dilation):
        (start[axis], limit[axis]), pad = _crop_for_padding(lhs_aval.shape[axis], dilation, lo, hi)
        pads.append(pad)
    return hlo.SliceOp(lhs, start, limit, [1] * lhs_aval.ndim).result, tuple(pads)


def _conv_lower(ctx, lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
                dimension_numbers, feature_group_count, batch_group_count, precision,
                preferred_element_type):
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    lhs, padding = _slice_off_negative_padding(lhs, ctx.avals_in[0], lhs_spec, padding,
                                               lhs_dilation)
    dnums = hlo.ConvDimensionNumbers.get(
        input_batch_dimension=lhs_spec[0], input_feature_dimension=lhs_spec[1],
        input_spatial_dimensions=list(lhs_spec[2:]),
        kernel_output_feature_dimension=rhs_spec[0], kernel_input_feature_dimension=rhs_spec[1],
        kernel_spatial_dimensions=list(rhs_spec[2:]),
        output_batch_dimension=out_spec[0], output_feature_dimension=out_spec[1],
        output_spatial_dimensions=list(out_spec[2:]))
    pads = ir.DenseIntElementsAttr.get(np.asarray(padding, np.int64).reshape(len(padding), 2))
    return hlo.ConvolutionOp(
        lowering.ir_type(ctx.avals_out[0]), lhs, rhs, dnums, feature_group_count,
        batch_group_count, window_strides=list(window_strides), padding=pads,
        lhs_dilation=list(lhs_dilation), rhs_dilation=list(rhs_dilation),
        precision_config=precision_attr(precision)).result


# --- transposes --------------------------------------------------------------------------
# Per spatial axis, with Ld = dilated input extent, Kd = dilated window extent and Od =
# output extent dilated by the stride, out[x] = sum_k in_dilated[x*s + k*rd - lo] * w[k].

def _move_block(x, src: int, dst: int, groups: int):
    """Split axis `src` into `groups` blocks and fold the block index into axis `dst` as
    its major part: sizes (S, D) become (S / groups, groups * D)."""
    shape = list(get_aval(x).shape)
    x = reshape(x, [*shape[:src], groups, shape[src] // groups, *shape[src + 1:]])
    order = [a for a in range(len(shape) + 1) if a != src]
    order.insert(order.index(dst + (dst > src)), src)
    shape[src] //= groups
    shape[dst] *= groups
    return reshape(transpose(x, order), shape)


def _lhs_transpose_padding(in_sizes, k_sizes, out_sizes, params):
    # in_dilated[j] gets ct_dilated[j + lo - k*rd] * w[k]: a correlation of the stride-dilated
    # cotangent with the reversed kernel, padded by Kd - 1 - lo before and sized so that the
    # stride lhs_dilation picks exactly the lhs elements.
    pads = []
    for s, k, o, stride, (lo, _), ld, rd in zip(in_sizes, k_sizes, out_sizes,
                                                params["window_strides"], params["padding"],
                                                params["lhs_dilation"], params["rhs_dilation"]):
        before = _dilate(k, rd) - 1 - lo
        pads.append((before, _dilate(s, ld) + _dilate(k, rd) - 1 - _dilate(o, stride) - before))
    return tuple(pads)


def _rhs_transpose_padding(in_sizes, k_sizes, out_sizes, params):
    # w[k] gets sum_x ct[x] * in_dilated[x*s + k*rd - lo]: the padded input correlated with
    # the stride-dilated cotangent, with stride rd; the high pad leaves exactly K windows.
    return tuple((lo, _dilate(k, rd) - 1 - lo + _dilate(o, stride) - _dilate(s, ld))
                 for s, k, o, stride, (lo, _), ld, rd in
                 zip(in_sizes, k_sizes, out_sizes, params["window_strides"], params["padding"],
                     params["lhs_dilation"], params["rhs_dilation"]))


def _spatial_sizes(shape, spec):
    return [shape[d] for d in spec[2:]]


def _conv_transpose_lhs(ct, rhs, lhs_aval, params):
    lhs_spec, rhs_spec, out_spec = params["dimension_numbers"]
    fgc, bgc = params["feature_group_count"], params["batch_group_count"]
    groups = max(fgc, bgc)
    if groups > 1:
        # The transposed kernel's output features are rhs's input axis: give it the groups,
        # taken from rhs's output feature axis.
        rhs = _move_block(rhs, rhs_spec[0], rhs_spec[1], groups)
    rhs_shape = get_aval(rhs).shape
    pads = _lhs_transpose_padding(_spatial_sizes(lhs_aval.shape, lhs_spec),
                                  _spatial_sizes(rhs_shape, rhs_spec),
                                  _spatial_sizes(get_aval(ct).shape, out_spec), params)
    ct, rhs = ct_operands(ct, rhs)
    out = conv_general_dilated(
        ct, rev(rhs, rhs_spec[2:]), params["lhs_dilation"], pads,
        lhs_dilation=params["window_strides"], rhs_dilation=params["rhs_dilation"],
        dimension_numbers=ConvDimensionNumbers(out_spec, _swap01(rhs_spec), lhs_spec),
        feature_group_count=groups, precision=params["precision"])
    if bgc > 1:
        # Batch group g of lhs came out as feature block g: put it back into the batch axis.
        out = _move_block(out, lhs_spec[1], lhs_spec[0], bgc)
    return convert_element_type(out, lhs_aval.dtype)


def _conv_transpose_rhs(ct, lhs, rhs_aval, params):
    lhs_spec, rhs_spec, out_spec = params["dimension_numbers"]
    pads = _rhs_transpose_padding(_spatial_sizes(get_aval(lhs).shape, lhs_spec),
                                  _spatial_sizes(rhs_aval.shape, rhs_spec),
                                  _spatial_sizes(get_aval(ct).shape, out_spec), params)
    ct, lhs = ct_operands(ct, lhs)
    # lhs's features and the cotangent's batch are contracted, so lhs's feature axis plays
    # the batch and vice versa; the group counts trade places with them.
    out = conv_general_dilated(
        lhs, ct, params["rhs_dilation"], pads, lhs_dilation=params["lhs_dilation"],
        rhs_dilation=params["window_strides"],
        dimension_numbers=ConvDimensionNumbers(_swap01(lhs_spec), _swap01(out_spec),
                                               _swap01(rhs_spec)),
        feature_group_count=params["batch_group_count"],
        batch_group_count=params["feature_group_count"], precision=params["precision"])
    return convert_element_type(out, rhs_aval.dtype)


def _conv_transpose_rule(ct, lhs, rhs, **params):
    if get_aval(ct).size == 0:
        # An empty output has zero cotangents; the transposed convolutions would have
        # empty windows, which XLA rejects.
        return [full(x.aval.shape, 0, x.aval.dtype) if is_undefined(x) else None
                for x in (lhs, rhs)]
    return [_conv_transpose_lhs(ct, rhs, lhs.aval, params) if is_undefined(lhs) else None,
            _conv_transpose_rhs(ct, lhs, rhs.aval, params) if is_undefined(rhs) else None]


# --- batching --------------------------------------------------------------------------

def _fold_in(x, bdim: int, axis: int, size: int, groups: int = 1):
    """Fold the vmapped axis (at `bdim`) into `axis` (numbered without it), inside each of
    `groups` blocks: element (g, b, j) lands at g * (size * M) + b * M + j."""
    out_shape = list(get_aval(x).shape)
    del out_shape[bdim]
    out_shape[axis] *= size
    inner = axis + (axis >= bdim)
    if groups > 1:
        shape = list(get_aval(x).shape)
        shape[inner:inner + 1] = [groups, shape[inner] // groups]
        x = reshape(x, shape)
        bdim += bdim > inner
        inner += 1
    # The vmapped axis goes right before the (inner block of the) target axis.
    return reshape(moveaxis(x, bdim, inner - (bdim < inner)), out_shape)


def _split_out(x, axis: int, size: int, groups: int = 1):
    """Undo _fold_in: the vmapped axis comes out at `axis`."""
    shape = list(get_aval(x).shape)
    m = shape[axis] // (groups * size)
    if groups == 1:
        return reshape(x, [*shape[:axis], size, m, *shape[axis + 1:]])
    x = moveaxis(reshape(x, [*shape[:axis], groups, size, m, *shape[axis + 1:]]), axis + 1, axis)
    return reshape(x, [*shape[:axis], size, groups * m, *shape[axis + 1:]])


def _conv_batch(axis_size, vals, dims, **params):
    (lhs, rhs), (ld, rd) = vals, dims
    lhs_spec, rhs_spec, out_spec = params["dimension_numbers"]
    fgc, bgc = params["feature_group_count"], params["batch_group_count"]
    if ld is not None and rd is not None:
        # Each batch member is its own group: of features, or of batches when the
        # convolution already groups batches.
        if bgc > 1:
            lhs = _fold_in(lhs, ld, lhs_spec[0], axis_size)
            params["batch_group_count"] = bgc * axis_size
        else:
            lhs = _fold_in(lhs, ld, lhs_spec[1], axis_size)
            params["feature_group_count"] = fgc * axis_size
        out = conv_general_dilated_p.bind(lhs, _fold_in(rhs, rd, rhs_spec[0], axis_size), **params)
        return _split_out(out, out_spec[1], axis_size), out_spec[1]
    if ld is not None:
        # More images: fold into the batch axis, inside each batch group.
        lhs = _fold_in(lhs, ld, lhs_spec[0], axis_size, bgc)
        out = conv_general_dilated_p.bind(lhs, rhs, **params)
        return _split_out(out, out_spec[0], axis_size), out_spec[0]
    # More filters: fold into the output features, inside each feature or batch group.
    rhs = _fold_in(rhs, rd, rhs_spec[0], axis_size, fgc * bgc)
    out = conv_general_dilated_p.bind(lhs, rhs, **params)
    return _split_out(out, out_spec[1], axis_size, fgc * bgc), out_spec[1]


conv_general_dilated_p = standard_primitive("conv_general_dilated", _conv_abstract_eval,
                                            _conv_lower)
defjvp(conv_general_dilated_p,
       lambda g, lhs, rhs, **params: conv_general_dilated_p.bind(g, rhs, **params),
       lambda g, lhs, rhs, **params: conv_general_dilated_p.bind(lhs, g, **params))
transpose_rules[conv_general_dilated_p] = _conv_transpose_rule
batching_rules[conv_general_dilated_p] = _conv_batch


def _canonical_padding(padding, n: int):
    try:
        pads = tuple((int(lo), int(hi)) for lo, hi in padding)
    except (TypeError, ValueError):
        raise TypeError(f"convolution padding must be 'SAME', 'VALID', 'SAME_LOWER' or a "
                        f"sequence of {n} (low, high) pairs, got {padding!r}") from None
    return pads


def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None,
                         rhs_dilation=None, dimension_numbers=None, feature_group_count=1,
                         batch_group_count=1, precision=None, preferred_element_type=None):
    """General dilated convolution (stablehlo.convolution).

    `padding` is 'SAME', 'VALID', 'SAME_LOWER' or (low, high) per spatial axis (negative
    values crop); `lhs_dilation` inserts holes into the input (a transposed convolution),
    `rhs_dilation` into the window (atrous convolution). `dimension_numbers` is None
    (NCHW/OIHW/NCHW), a ConvDimensionNumbers or layout strings like ('NHWC', 'HWIO',
    'NHWC'). `feature_group_count` G splits input features into G groups, each convolved
    with its own block of O/G filters; `batch_group_count` B does the same with the batch.
    """
    lhs, rhs = as_operand(lhs), as_operand(rhs)
    lhs_shape, rhs_shape = get_aval(lhs).shape, get_aval(rhs).shape
    dnums = conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers)
    n = len(lhs_shape) - 2
    lhs_dilation = (1,) * n if lhs_dilation is None else _ints(lhs_dilation)
    rhs_dilation = (1,) * n if rhs_dilation is None else _ints(rhs_dilation)
    window_strides = _ints(window_strides)
    if isinstance(padding, str):
        if any(d != 1 for d in lhs_dilation):
            raise ValueError("String padding is not implemented for transposed convolution "
                             "(lhs_dilation > 1): give the padding explicitly or use "
                             "conv_transpose")
        padding = padtype_to_pads([lhs_shape[d] for d in dnums.lhs_spec[2:]],
                                  _windows(rhs_shape, dnums, rhs_dilation), window_strides,
                                  padding)
    return conv_general_dilated_p.bind(
        lhs, rhs, window_strides=window_strides, padding=_canonical_padding(padding, n),
        lhs_dilation=lhs_dilation, rhs_dilation=rhs_dilation, dimension_numbers=dnums,
        feature_group_count=int(feature_group_count), batch_group_count=int(batch_group_count),
        precision=canonicalize_precision(precision),
        preferred_element_type=canonical_preferred(preferred_element_type))


def conv(lhs, rhs, window_strides, padding, precision=None, preferred_element_type=None):
    """Convolution of NCHW images with OIHW filters (stablehlo.convolution)."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_with_general_padding(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
                              precision=None, preferred_element_type=None):
    """Convolution of NCHW images with OIHW filters, with dilations
    (stablehlo.convolution)."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=lhs_dilation,
                                rhs_dilation=rhs_dilation, precision=precision,
                                preferred_element_type=preferred_element_type)


# --- conv_transpose ---------------------------------------------------------------------

_TRANSPOSE_LAYOUTS = {2: ("NC", "IO", "NC"), 3: ("NHC", "HIO", "NHC"),
                      4: ("NHWC", "HWIO", "NHWC"), 5: ("NHWDC", "HWDIO", "NHWDC")}


def _conv_transpose_padding(k: int, s: int, padding: str) -> tuple[int, int]:
    """Padding of the stride-dilated input so that 'SAME' gives in * s outputs and 'VALID'
    in * s + max(k - s, 0), as TensorFlow's transposed convolution does."""
    if padding == "SAME":
        total = k + s - 2
        before = k - 1 if s > k - 1 else -(-total // 2)
    elif padding == "VALID":
        total = k + s - 2 + max(k - s, 0)
        before = k - 1
    else:
        raise ValueError(f"conv_transpose padding must be 'SAME', 'VALID' or explicit pairs, "
                         f"got {padding!r}")
    return before, total - before


def conv_transpose(lhs, rhs, strides, padding, rhs_dilation=None, dimension_numbers=None,
                   transpose_kernel=False, precision=None, preferred_element_type=None):
    """Fractionally strided ("transposed") convolution: the input dilated by `strides`,
    convolved with stride 1 (stablehlo.convolution). Default layouts are NHWC/HWIO/NHWC;
    `transpose_kernel` flips the window and swaps the kernel's I and O axes, which makes
    this the gradient of the strided convolution with the same kernel (TensorFlow's
    conv2d_transpose)."""
    lhs, rhs = as_operand(lhs), as_operand(rhs)
    ndim = get_aval(lhs).ndim
    if dimension_numbers is None:
        if ndim not in _TRANSPOSE_LAYOUTS:
            raise ValueError(f"conv_transpose has no default dimension_numbers for rank {ndim}")
        dimension_numbers = _TRANSPOSE_LAYOUTS[ndim]
    dnums = conv_dimension_numbers(get_aval(lhs).shape, get_aval(rhs).shape, dimension_numbers)
    rhs_dilation = (1,) * (ndim - 2) if rhs_dilation is None else _ints(rhs_dilation)
    if isinstance(padding, str):
        windows = _windows(get_aval(rhs).shape, dnums, rhs_dilation)
        padding = [_conv_transpose_padding(k, s, padding.upper())
                   for k, s in zip(windows, strides)]
    if transpose_kernel:
        rhs = rev(rhs, dnums.rhs_spec[2:])
        perm = list(range(ndim))
        perm[dnums.rhs_spec[0]], perm[dnums.rhs_spec[1]] = dnums.rhs_spec[1], dnums.rhs_spec[0]
        rhs = transpose(rhs, perm)
    return conv_general_dilated(lhs, rhs, (1,) * (ndim - 2), padding, lhs_dilation=strides,
                                rhs_dilation=rhs_dilation, dimension_numbers=dnums,
                                precision=precision, preferred_element_type=preferred_element_type)
