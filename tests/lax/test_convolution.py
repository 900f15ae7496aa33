"""conv_general_dilated and its wrappers against a NumPy reference that slides windows over
the dilated, padded input (see tests/harness.py for the checks)."""
from functools import partial

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

import npaccel
from npaccel.lax import convolution as lax_conv
from harness import (COMPLEX, FLOATS, OpRecord, assert_close, bfloat16, check_grads,
                     default_tol, op_tests, rand_default)

DTYPES = FLOATS + COMPLEX + [np.int32]
FEW = [np.float32, np.float64]
CONV_OP = ["stablehlo.convolution"]


def _wide(x):
    kind = "c" if x.dtype.kind == "c" else "i" if x.dtype.kind in "iu" else "f"
    return x.astype({"c": np.complex128, "i": np.int64, "f": np.float64}[kind])


# --- the NumPy reference -----------------------------------------------------------------

def _dilate_and_pad(x, dilation, pads):
    """x (N, C, *spatial) with dilation - 1 zeros between elements, then padded with zeros
    (negative pads crop)."""
    sizes = [0 if s == 0 else (s - 1) * d + 1 for s, d in zip(x.shape[2:], dilation)]
    out = np.zeros(x.shape[:2] + tuple(sizes), x.dtype)
    out[(Ellipsis,) + tuple(slice(None, None, d) for d in dilation)] = x
    out = np.pad(out, [(0, 0), (0, 0)] + [(max(lo, 0), max(hi, 0)) for lo, hi in pads])
    crop = [slice(max(-lo, 0), max(0, size - max(-hi, 0)))
            for (lo, hi), size in zip(pads, out.shape[2:])]
    return out[(slice(None), slice(None), *crop)]


def _conv_nchw(lhs, rhs, strides, pads, lhs_dilation, rhs_dilation):
    """One group: out[n, o, x] = sum_{c, k} padded[n, c, x * stride + k] * kernel[o, c, k]."""
    n = lhs.ndim - 2
    x = _dilate_and_pad(lhs, lhs_dilation, pads)
    w = _dilate_and_pad(rhs, rhs_dilation, [(0, 0)] * n)
    out_sizes = [max(0, (a - k) // s + 1) for a, k, s in zip(x.shape[2:], w.shape[2:], strides)]
    if 0 in out_sizes:
        return np.zeros((lhs.shape[0], rhs.shape[0], *out_sizes), x.dtype)
    windows = sliding_window_view(x, w.shape[2:], axis=tuple(range(2, n + 2)))
    windows = windows[(slice(None), slice(None), *[slice(None, None, s) for s in strides])]
    xs, ks = "xyz"[:n], "XYZ"[:n]
    return np.einsum(f"nc{xs}{ks},oc{ks}->no{xs}", windows, w)


def same_pads(in_sizes, windows, strides, lower=False):
    """TensorFlow's 'SAME': ceil(in / stride) outputs, the odd padding element high (or low)."""
    pads = []
    for size, k, s in zip(in_sizes, windows, strides):
        total = max(0, (-(-size // s) - 1) * s + k - size)
        pads.append((total - total // 2, total // 2) if lower else (total // 2, total - total // 2))
    return pads


def numpy_conv(lhs, rhs, window_strides, padding, lhs_dilation=None, rhs_dilation=None,
               dimension_numbers=None, feature_group_count=1, batch_group_count=1,
               preferred_element_type=None):
    n = lhs.ndim - 2
    lhs_dilation, rhs_dilation = lhs_dilation or (1,) * n, rhs_dilation or (1,) * n
    specs = lax_conv.conv_dimension_numbers(lhs.shape, rhs.shape, dimension_numbers)
    out_dtype = preferred_element_type or lhs.dtype
    lhs, rhs = np.transpose(_wide(lhs), specs.lhs_spec), np.transpose(_wide(rhs), specs.rhs_spec)
    if isinstance(padding, str):
        windows = [(k - 1) * d + 1 for k, d in zip(rhs.shape[2:], rhs_dilation)]
        padding = [(0, 0)] * n if padding == "VALID" else \
            same_pads(lhs.shape[2:], windows, window_strides, padding == "SAME_LOWER")
    # Groups: lhs split along batch (batch groups) or features, rhs along output features;
    # the group results are concatenated along the output features.
    groups = max(feature_group_count, batch_group_count)
    lhs_parts = np.split(lhs, groups, axis=0 if batch_group_count > 1 else 1)
    out = np.concatenate([_conv_nchw(l, r, window_strides, padding, lhs_dilation, rhs_dilation)
                          for l, r in zip(lhs_parts, np.split(rhs, groups, axis=0))], axis=1)
    return np.transpose(out, np.argsort(specs.out_spec)).astype(out_dtype)


# --- the op table --------------------------------------------------------------------------

def _hlo_ops(padding):
    """Negative padding is lowered as a slice of lhs before the convolution."""
    negative = not isinstance(padding, str) and any(p < 0 for pair in padding for p in pair)
    return ["stablehlo.slice"] * negative + CONV_OP


def _conv(name, shapes, dtypes=FEW, record_kw=None, **params):
    """A conv_general_dilated record: `params` go to both npaccel and the reference."""
    return OpRecord(name, partial(lax_conv.conv_general_dilated, **params),
                    partial(numpy_conv, **params), shapes, dtypes,
                    hlo_ops=_hlo_ops(params["padding"]), **(record_kw or {}))


NHWC = ("NHWC", "HWIO", "NHWC")


def _int8s(rng, shape, dtype):
    """int8 values whose sums of products overflow int8 but not int32."""
    return rng.integers(-100, 100, shape).astype(dtype)


RECORDS = [
    # The dtype sweep; vmap (dtype-blind) is left to the records below, which keeps the
    # number of compilations down.
    _conv("conv1d", [((2, 3, 5), (4, 3, 2)), ((1, 1, 4), (2, 1, 4))], DTYPES,
          window_strides=(1,), padding="VALID", record_kw=dict(batch=False)),
    _conv("conv1d_strided", [((2, 3, 5), (4, 3, 2))], window_strides=(2,), padding="SAME"),
    _conv("conv2d_strided_padded", [((1, 2, 5, 4), (3, 2, 2, 3))], FEW + [np.complex128],
          window_strides=(2, 1), padding=((1, 0), (2, 1))),
    _conv("conv2d_negative_padding", [((1, 2, 5, 4), (3, 2, 2, 3))],
          window_strides=(1, 2), padding=((-1, 1), (0, -1))),
    # XLA:CPU alone gets float32/float16 padding (-1, 1) wrong at these sizes.
    _conv("conv2d_shift_padding", [((2, 2, 8, 8), (4, 2, 3, 3))],
          [np.float16, np.float32, np.float64],
          window_strides=(1, 1), padding=((-1, 1), (1, -1)), record_kw=dict(grad=False)),
    _conv("conv2d_dilated", [((1, 2, 4, 4), (3, 2, 2, 2))], window_strides=(1, 1),
          padding=((1, 1), (0, 1)), lhs_dilation=(2, 1), rhs_dilation=(1, 2)),
    _conv("conv2d_feature_groups", [((1, 4, 4, 3), (6, 2, 2, 2))], FEW + [np.complex64],
          window_strides=(1, 1), padding=((0, 0), (1, 0)), feature_group_count=2),
    _conv("conv2d_batch_groups", [((4, 3, 4, 4), (4, 3, 2, 2))], FEW + [np.int32],
          window_strides=(1, 1), padding="VALID", batch_group_count=2),
    _conv("conv1d_batch_groups_dilated", [((4, 3, 5), (6, 3, 2))], window_strides=(2,),
          padding=((1, 2),), lhs_dilation=(2,), rhs_dilation=(2,), batch_group_count=2),
    _conv("conv1d_feature_groups_dilated", [((2, 6, 5), (6, 2, 2))], window_strides=(2,),
          padding=((1, 2),), lhs_dilation=(2,), rhs_dilation=(2,), feature_group_count=3),
    _conv("conv2d_nhwc_same", [((2, 5, 4, 3), (2, 2, 3, 4))], FLOATS, window_strides=(2, 2),
          padding="SAME", dimension_numbers=NHWC),
    _conv("conv2d_nhwc_same_lower_groups", [((2, 5, 4, 4), (2, 2, 2, 4))],
          window_strides=(1, 2), padding="SAME_LOWER", rhs_dilation=(1, 2),
          dimension_numbers=NHWC, feature_group_count=2),
    _conv("conv2d_mixed_layouts", [((2, 5, 4, 3), (4, 2, 2, 3))], window_strides=(2, 1),
          padding=((0, 1), (1, 1)), dimension_numbers=("NHWC", "OHWI", "CWNH")),
    _conv("conv2d_batch_groups_layouts", [((6, 4, 3, 4), (4, 2, 3, 2))], window_strides=(2, 3),
          padding=((-1, 2), (2, -1)), lhs_dilation=(1, 2), rhs_dilation=(2, 1),
          batch_group_count=2, dimension_numbers=("NCHW", "IHWO", "HWNC")),
    _conv("conv0d", [((2, 3), (4, 3))], window_strides=(), padding=()),
    _conv("conv3d", [((1, 2, 3, 3, 3), (2, 2, 2, 1, 2))], [np.float64],
          window_strides=(1, 2, 1), padding=((0, 1), (1, 0), (0, 0)), rhs_dilation=(1, 1, 2)),
    _conv("conv_empty_output", [((1, 2, 2), (3, 2, 4))], window_strides=(1,), padding="VALID"),
    _conv("conv_int8_to_int32", [((2, 3, 5), (4, 3, 2))], [np.int8], window_strides=(1,),
          padding="SAME", preferred_element_type=np.int32,
          record_kw=dict(rng=_int8s)),
    _conv("conv_to_float32", [((2, 3, 5), (4, 3, 2))], [np.float16, bfloat16],
          window_strides=(2,), padding="SAME", preferred_element_type=np.float32,
          record_kw=dict(tol=1e-5)),
    OpRecord("conv", partial(lax_conv.conv, window_strides=(1, 2), padding="SAME"),
             partial(numpy_conv, window_strides=(1, 2), padding="SAME"),
             [((2, 2, 4, 5), (3, 2, 3, 2))], FEW, hlo_ops=CONV_OP),
    OpRecord("conv_with_general_padding",
             partial(lax_conv.conv_with_general_padding, window_strides=(2, 1),
                    padding=((1, 2), (0, -1)), lhs_dilation=(1, 2), rhs_dilation=(2, 1)),
             partial(numpy_conv, window_strides=(2, 1), padding=((1, 2), (0, -1)),
                    lhs_dilation=(1, 2), rhs_dilation=(2, 1)),
             [((2, 2, 4, 3), (3, 2, 2, 2))], FEW, hlo_ops=_hlo_ops(((0, -1),))),
    OpRecord("conv_transpose",
             partial(lax_conv.conv_transpose, strides=(2, 1), padding=((1, 2), (0, 1)),
                    rhs_dilation=(1, 2)),
             partial(numpy_conv, window_strides=(1, 1), padding=((1, 2), (0, 1)),
                    lhs_dilation=(2, 1), rhs_dilation=(1, 2), dimension_numbers=NHWC),
             [((2, 3, 3, 2), (2, 2, 2, 3))], FEW, hlo_ops=CONV_OP),
]

globals().update(op_tests(RECORDS))


# --- vmap with batch axes away from the front ----------------------------------------------

_VMAP_RECORDS = {r.name: r for r in RECORDS if r.name in (
    "conv2d_feature_groups", "conv2d_batch_groups", "conv2d_mixed_layouts",
    "conv1d_batch_groups_dilated")}


@pytest.mark.parametrize("name", sorted(_VMAP_RECORDS))
@pytest.mark.parametrize("in_axes", [(1, 2), (2, None), (None, 1)])
def test_vmap_inner_axes(name, in_axes):
    record, size = _VMAP_RECORDS[name], 2
    lhs, rhs = record.make_args(record.shapes[0], np.float64)
    args = [np.stack([x * (i + 1) for i in range(size)], ax) if ax is not None else x
            for x, ax in zip((lhs, rhs), in_axes)]
    expected = np.stack([record.reference(*[np.take(a, i, ax) if ax is not None else a
                                            for a, ax in zip(args, in_axes)])
                         for i in range(size)])
    assert_close(npaccel.vmap(record.fun, in_axes=in_axes)(*args), expected, 1e-12)


# --- transposition against NumPy ---------------------------------------------------------

def _numpy_transpose(linear, in_shape, ct):
    """The transpose of `linear` (NumPy arrays in and out) applied to ct, column by column."""
    basis = np.eye(int(np.prod(in_shape))).reshape(-1, *in_shape)
    return np.array([np.vdot(linear(e), ct) for e in basis]).reshape(in_shape)


@pytest.mark.parametrize("in_size, padding", [(4, "SAME"), (5, "VALID")])
def test_conv_transpose_is_conv_gradient(in_size, padding):
    """transpose_kernel=True makes conv_transpose the transpose of the strided convolution
    with the same kernel and padding (TensorFlow's conv2d_transpose)."""
    rng = np.random.default_rng(0)
    x_shape, strides = (1, in_size, in_size, 2), (2, 2)
    kernel = rng.standard_normal((3, 3, 2, 3))
    forward = partial(numpy_conv, rhs=kernel, window_strides=strides, padding=padding,
                     dimension_numbers=NHWC)
    ct = rng.standard_normal(forward(np.zeros(x_shape)).shape)
    out = lax_conv.conv_transpose(ct, kernel, strides, padding, transpose_kernel=True)
    assert_close(out, _numpy_transpose(forward, x_shape, ct), 1e-12)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_vjp_preferred_element_type(dtype):
    """A float64 cotangent of narrower operands: cotangents come back in the operands'
    dtype, and agree with NumPy's transposes computed in float64."""
    rng = np.random.default_rng(0)
    params = dict(window_strides=(2,), padding=((1, 0),), feature_group_count=2)
    lhs = rng.standard_normal((2, 4, 5)).astype(dtype)
    rhs = rng.standard_normal((4, 2, 3)).astype(dtype)
    f = partial(lax_conv.conv_general_dilated, preferred_element_type=np.float64, **params)
    out, f_vjp = npaccel.vjp(f, lhs, rhs)
    ct = rng.standard_normal(np.shape(out))
    ct_lhs, ct_rhs = f_vjp(ct)
    wide_lhs, wide_rhs = lhs.astype(np.float64), rhs.astype(np.float64)
    expected_lhs = _numpy_transpose(lambda x: numpy_conv(x, wide_rhs, **params), lhs.shape, ct)
    expected_rhs = _numpy_transpose(lambda w: numpy_conv(wide_lhs, w, **params), rhs.shape, ct)
    assert_close(ct_lhs, expected_lhs.astype(dtype), default_tol(dtype))
    assert_close(ct_rhs, expected_rhs.astype(dtype), default_tol(dtype))


def test_grad_complex():
    """Complex operands: the dot-product test checks the (unconjugated) transposes."""
    rng = np.random.default_rng(0)
    lhs = rand_default(rng, (1, 4, 5), np.complex128)
    rhs = rand_default(rng, (4, 2, 2), np.complex128)
    f = partial(lax_conv.conv_general_dilated, window_strides=(2,), padding=((1, 1),),
               rhs_dilation=(2,), feature_group_count=2)
    check_grads(f, [lhs, rhs], order=1, modes=("rev",))


# --- dimension numbers and padding helpers -----------------------------------------------

@pytest.mark.parametrize("specs", [("NCHW", "OIHW", "NCHW"), NHWC, ("NHWC", "OHWI", "CWNH"),
                                   ("HNCW", "WIHO", "WHCN"), ("NCH", "OIH", "NCH")])
def test_conv_dimension_numbers(specs):
    """Each spec, applied as a permutation, brings the arrays into the canonical layout."""
    sizes = {"N": 2, "C": 3, "O": 5, "I": 3, "H": 7, "W": 11}
    shapes = [tuple(sizes[c] for c in s) for s in specs]
    dnums = lax_conv.conv_dimension_numbers(shapes[0], shapes[1], specs)
    assert isinstance(dnums, lax_conv.ConvDimensionNumbers)
    hash(dnums)
    for shape, spec, canonical in zip(shapes, dnums, ("NC", "OI", "NC")):
        spatial = [c for c in specs[1] if c not in "OI"]
        expected = tuple(sizes[c] for c in canonical + "".join(spatial))
        assert tuple(shape[d] for d in spec) == expected
    assert lax_conv.conv_dimension_numbers(shapes[0], shapes[1], dnums) == dnums


def test_conv_dimension_numbers_default():
    dnums = lax_conv.conv_dimension_numbers((1, 2, 3, 4), (5, 2, 3, 3), None)
    assert dnums == lax_conv.ConvDimensionNumbers(*[tuple(range(4))] * 3)


@pytest.mark.parametrize("padding", ["SAME", "SAME_LOWER", "VALID", "same"])
@pytest.mark.parametrize("size, window, stride", [(5, 3, 1), (5, 2, 2), (4, 3, 2), (2, 5, 1),
                                                  (7, 1, 3)])
def test_padtype_to_pads(padding, size, window, stride):
    """'SAME' gives ceil(size / stride) outputs with the least padding, split evenly (odd
    element high; low for 'SAME_LOWER'); 'VALID' pads nothing."""
    ((lo, hi),) = lax_conv.padtype_to_pads((size,), (window,), (stride,), padding)
    if padding == "VALID":
        assert (lo, hi) == (0, 0)
        return
    out = len(range(0, size + lo + hi - window + 1, stride))
    assert out == -(-size // stride)
    assert (lo, hi) == tuple(same_pads([size], [window], [stride], padding == "SAME_LOWER")[0])


# --- errors ------------------------------------------------------------------------------

X = np.ones((1, 4, 5, 5))
W = np.ones((6, 2, 3, 3))
conv = lax_conv.conv_general_dilated


@pytest.mark.parametrize("call, error, match", [
    (lambda: conv(X, W.astype(np.float32), (1, 1), "VALID", feature_group_count=2),
     TypeError, "same dtypes"),
    (lambda: conv(X, W[0], (1, 1), "VALID"), TypeError, "ndim"),
    (lambda: conv(X, W, (1, 1), "VALID"), TypeError, "feature dimension"),
    (lambda: conv(X.astype(bool), W.astype(bool), (1, 1), "VALID"), TypeError, "bool"),
    (lambda: conv(X, W, (1, 1), "VALID", feature_group_count=4), TypeError, "feature dimension"),
    (lambda: conv(X, np.ones((5, 1, 3, 3)), (1, 1), "VALID", feature_group_count=4),
     ValueError, "multiple of feature_group_count"),
    (lambda: conv(X, np.ones((6, 4, 3, 3)), (1, 1), "VALID", batch_group_count=2),
     ValueError, "batch_group_count"),
    (lambda: conv(X, W, (1, 1), "VALID", feature_group_count=2, batch_group_count=2),
     ValueError, "both"),
    (lambda: conv(X, W, (1, 1), "VALID", feature_group_count=0), ValueError, "positive"),
    (lambda: conv(X, W, (1,), ((0, 0), (0, 0)), feature_group_count=2), ValueError,
     "window_strides"),
    (lambda: conv(X, W, (1, 0), "VALID", feature_group_count=2), ValueError, "positive"),
    (lambda: conv(X, W, (1, 1), ((0, 0),), feature_group_count=2), ValueError, "padding"),
    (lambda: conv(X, W, (1, 1), "FULL", feature_group_count=2), ValueError, "padding type"),
    (lambda: conv(X, W, (1, 1), [1, 2], feature_group_count=2), TypeError, "padding"),
    (lambda: conv(X, W, (1, 1), "SAME", lhs_dilation=(2, 1), feature_group_count=2),
     ValueError, "String padding"),
    (lambda: conv(X, W, (1, 1), "VALID", rhs_dilation=(1, 0), feature_group_count=2),
     ValueError, "rhs_dilation"),
    (lambda: conv(X, W, (1, 1), "VALID", feature_group_count=2,
                  dimension_numbers=("NCHW", "OIHW", "NCHQ")), TypeError, "spatial letters"),
    (lambda: conv(X, W, (1, 1), "VALID", feature_group_count=2,
                  dimension_numbers=("NCHH", "OIHW", "NCHW")), TypeError, "exactly once"),
    (lambda: conv(X, W, (1, 1), "VALID", feature_group_count=2,
                  dimension_numbers=("NCH", "OIH", "NCH")), TypeError, "length"),
    (lambda: conv(X, W, (1, 1), "VALID", feature_group_count=2,
                  dimension_numbers=((0, 1, 2, 2), (0, 1, 2, 3), (0, 1, 2, 3))),
     TypeError, "permutation"),
    (lambda: conv(X, W, (1, 1), "VALID", feature_group_count=2, precision="fast"),
     ValueError, "precision"),
    (lambda: conv(X, W, (1, 1), "VALID", feature_group_count=2,
                  preferred_element_type=np.int32), TypeError, "incompatible"),
    (lambda: lax_conv.conv_transpose(X, W, (1, 1), "FULL"), ValueError, "padding"),
    (lambda: conv(X, np.ones((6, 2, 0, 3)), (1, 1), "VALID", feature_group_count=2),
     ValueError, "non-empty window"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
