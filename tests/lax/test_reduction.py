"""Reduction lax primitives against NumPy (see tests/harness.py for the checks)."""
from functools import partial

import numpy as np
import pytest

import npaccel
from npaccel.core import dtypes as core_dtypes
from npaccel.lax import elementwise as ew
from npaccel.lax import reduction
from npaccel.transforms.staging import make_jaxpr
from harness import (ALL, BOOL, FLOATS, INTS, NUMERIC, OpRecord, check_grads, op_tests,
                     rand_default)

ORDERED = BOOL + INTS + FLOATS
# Secondary records (other axes, window variants) try a sample of the dtypes.
SAMPLE_ORDERED = [np.bool_, np.int8, np.uint16, np.int64, np.float16, core_dtypes.bfloat16,
                  np.float32, np.float64]
SAMPLE_INTS = [np.int8, np.uint16, np.int32, np.uint64]
SAMPLE_NUMERIC = [np.int8, np.uint32, np.float16, core_dtypes.bfloat16, np.float32, np.float64,
                  np.complex64, np.complex128]


# --- references -----------------------------------------------------------------------------

def _same_dtype(f):
    """NumPy widens small integers in sum/prod/cumsum; lax keeps (and wraps) the dtype."""
    return lambda x, *args, **kw: np.asarray(f(x, *args, **kw)).astype(x.dtype)


def _np_reduce(ufunc, axes):
    return _same_dtype(lambda x: ufunc.reduce(x, axis=axes))


def _reversed_along(f, axis):
    return lambda x: np.flip(f(np.flip(x, axis)), axis)


def _np_cumulative(f, axis, reverse):
    g = _same_dtype(lambda x: f(x, axis=axis))
    return _reversed_along(g, axis) if reverse else g


def _identity(ufunc, dtype):
    """The identity of a NumPy ufunc for `dtype`; NumPy has none for maximum/minimum, so
    take the dtype's extreme value."""
    dtype = np.dtype(dtype)
    if ufunc in (np.maximum, np.minimum):
        lowest = ufunc is np.maximum
        if dtype == np.bool_:
            return np.asarray(not lowest)
        if dtype.kind in "iu":
            info = np.iinfo(dtype)
            return np.asarray(info.min if lowest else info.max, dtype)
        return np.asarray(-np.inf if lowest else np.inf, dtype)
    return np.asarray(ufunc.identity, dtype)


def _xla_pads(shape, window, strides, padding):
    """XLA's 'SAME' padding: ceil(n / stride) outputs, the odd element padded at the end."""
    if padding == "VALID":
        return [(0, 0)] * len(shape)
    pads = []
    for n, w, s in zip(shape, window, strides):
        total = max((-(-n // s) - 1) * s + w - n, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def _pad_with(x, value, axis, lo, hi):
    """Pad (or crop, if negative) `x` along `axis` with `value`."""
    x = np.moveaxis(x, axis, 0)
    x = x[max(-lo, 0):x.shape[0] - max(-hi, 0)]
    fill = lambda k: np.full((max(k, 0), *x.shape[1:]), value, x.dtype)  # noqa: E731
    return np.moveaxis(np.concatenate([fill(lo), x, fill(hi)]), 0, axis)


def np_reduce_window(x, init, ufunc, window, strides, padding, base_dilation=None,
                     window_dilation=None):
    """Sliding-window reduction in plain NumPy, one output element at a time."""
    nd = x.ndim
    base = base_dilation or (1,) * nd
    dilation = window_dilation or (1,) * nd
    init = np.asarray(init, x.dtype)
    dilated = np.full([(n - 1) * b + 1 if n else 0 for n, b in zip(x.shape, base)], init, x.dtype)
    dilated[tuple(slice(None, None, b) for b in base)] = x
    if isinstance(padding, str):
        padding = _xla_pads(dilated.shape, [(w - 1) * d + 1 for w, d in zip(window, dilation)],
                            strides, padding)
    for axis, (lo, hi) in enumerate(padding):
        dilated = _pad_with(dilated, init, axis, lo, hi)
    spans = [(w - 1) * d + 1 for w, d in zip(window, dilation)]
    out_shape = [(p - span) // s + 1 for p, span, s in zip(dilated.shape, spans, strides)]
    out = np.empty(out_shape, x.dtype)
    for idx in np.ndindex(*out_shape):
        win = dilated[tuple(slice(i * s, i * s + span, d)
                            for i, s, span, d in zip(idx, strides, spans, dilation))]
        out[idx] = ufunc.reduce(win.ravel(), initial=init)
    return out


def np_linear_recurrence(a, b, axis, reverse):
    a, b = np.moveaxis(a, axis, 0), np.moveaxis(b, axis, 0)
    order = range(len(b) - 1, -1, -1) if reverse else range(len(b))
    h, out = np.zeros_like(b[0]), np.empty_like(b)
    for i in order:
        h = out[i] = a[i] * h + b[i]
    return np.moveaxis(out, 0, axis)


# --- input generators -------------------------------------------------------------------------

def _with_zeros(rng, shape, dtype):
    """Random values with zeros: one in the first row, two in the last (for the derivatives
    of products)."""
    x = rand_default(rng, shape, dtype)
    x.reshape(-1)[[0, -2, -1]] = 0
    return x


def _with_ties(rng, shape, dtype):
    """Few distinct values, so ties are common; NaNs in float arrays (for argmax/argmin)."""
    x = rng.integers(0, 3, size=shape)
    if np.dtype(dtype) == np.bool_:
        return (x > 0)
    x = x.astype(dtype)
    if core_dtypes.is_float(dtype):
        x[rng.random(shape) < 0.15] = np.nan
    return x


def _halved(rng, shape, dtype):
    """Floats of magnitude around 1/2, so that products stay moderate in low precision."""
    x = rand_default(rng, shape, dtype)
    return (x / 2).astype(dtype) if core_dtypes.is_inexact(dtype) else x


# --- records ----------------------------------------------------------------------------------

def _ops(op, *body):
    """The lowering: the op, then the ops of its region body."""
    return [op, *body]


_LAST_AXIS_SHAPES = [((3, 4),), ((5,),), ((0, 3),), ((2, 0),)]


def _reduce_records(name, ufunc, dtypes, rng=rand_default, grad=True):
    fun = getattr(reduction, f"reduce_{name}")
    return [
        OpRecord(f"reduce_{name}_last", partial(fun, axes=(-1,)), _np_reduce(ufunc, -1),
                 _LAST_AXIS_SHAPES, dtypes, rng=rng, grad=grad, hlo_ops=["stablehlo.reduce"]),
        OpRecord(f"reduce_{name}_0_2", partial(fun, axes=(0, 2)), _np_reduce(ufunc, (0, 2)),
                 [((2, 3, 4),), ((3, 1, 2),)], dtypes[-3:], rng=rng, grad=grad),
    ]


def _np_max_or_min(ufunc, axes):
    """np.max/np.min, with the dtype's extreme as `initial` so that empty reductions work."""
    return lambda x: ufunc.reduce(x, axis=axes, initial=_identity(ufunc, x.dtype))


def _chooser_records(name, ufunc, dtypes):
    fun = getattr(reduction, f"reduce_{name}")
    return [
        OpRecord(f"reduce_{name}_{tag}", partial(fun, axes=axes), _np_max_or_min(ufunc, axes),
                 shapes, dtypes, hlo_ops=["stablehlo.reduce"])
        for tag, axes, shapes, dtypes in (
            ("last", (-1,), _LAST_AXIS_SHAPES[:3], dtypes),
            ("0_2", (0, 2), [((2, 3, 4),)], [np.int8, np.float32, np.float64, np.complex128]),
            ("empty", (0,), [((0, 3),)], [np.float32, np.int16]))
    ]


REDUCE_RECORDS = (
    _reduce_records("sum", np.add, NUMERIC)
    + _reduce_records("prod", np.multiply, NUMERIC, rng=_halved)
    + _reduce_records("and", np.bitwise_and, BOOL + INTS, grad=False)
    + _reduce_records("or", np.bitwise_or, BOOL + SAMPLE_INTS, grad=False)
    + _reduce_records("xor", np.bitwise_xor, BOOL + SAMPLE_INTS, grad=False)
    + _chooser_records("max", np.maximum, ALL)
    + _chooser_records("min", np.minimum, SAMPLE_ORDERED + [np.complex64])
    + [
        OpRecord("reduce_sum_none", partial(reduction.reduce_sum, axes=()), lambda x: x,
                 [((3, 4),), ((),)], [np.float32, np.float64, np.int32]),
        OpRecord("reduce_sum_all", partial(reduction.reduce_sum, axes=(0, 1, 2)),
                 _np_reduce(np.add, None), [((2, 3, 4),)], [np.float32, np.float64]),
        OpRecord("reduce_prod_zeros", partial(reduction.reduce_prod, axes=(1,)),
                 _np_reduce(np.multiply, 1), [((3, 4),), ((2, 5),)], [np.float64],
                 rng=_with_zeros),
        OpRecord("reduce_prod_zeros_all", partial(reduction.reduce_prod, axes=(0, 1)),
                 _np_reduce(np.multiply, (0, 1)), [((2, 3),)], [np.float64], rng=_with_zeros),
    ]
)

_ARG_SHAPES = {-1: [((3, 4),), ((6,),), ((2, 3, 4),)], 0: [((3, 4),), ((6,),)],
               1: [((3, 4),), ((2, 5, 3),)]}


def _np_arg(name, axis, index_dtype):
    return lambda x: getattr(np, name)(x, axis=axis).astype(index_dtype)


# The lowering (an iota and a reduce whose body depends on the dtype) is checked in
# test_argmax_lowering; the derivative (zero) in test_argmax_has_zero_derivative.
ARG_RECORDS = [
    OpRecord(f"{name}_{axis}",
             partial(getattr(reduction, name), axis=axis, index_dtype=index_dtype),
             _np_arg(name, axis, index_dtype), _ARG_SHAPES[axis],
             ORDERED if axis == -1 else SAMPLE_ORDERED[::2], rng=_with_ties, grad=False)
    for name in ("argmax", "argmin")
    for axis, index_dtype in ((-1, np.int32), (0, np.int64), (1, np.int32))
]


def _cumulative_records(name, np_fun, dtypes, body, rng=rand_default):
    fun = getattr(reduction, name)
    return [
        OpRecord(f"{name}_last", partial(fun, axis=-1), _np_cumulative(np_fun, -1, False),
                 _LAST_AXIS_SHAPES, dtypes, rng=rng,
                 hlo_ops=_ops("stablehlo.reduce_window", *body)),
        OpRecord(f"{name}_0_reverse", partial(fun, axis=0, reverse=True),
                 _np_cumulative(np_fun, 0, True), [((4, 3),), ((2, 3, 2),)], dtypes[-4:],
                 rng=rng),
    ]


_LOGADDEXP_BODY = ["stablehlo.subtract", "stablehlo.maximum", "stablehlo.abs",
                   "stablehlo.negate", "stablehlo.exponential", "stablehlo.log_plus_one",
                   "stablehlo.add", "stablehlo.compare", "stablehlo.add", "stablehlo.select"]


def _linear_recurrence_record(name, axis, reverse, shapes, dtypes):
    return OpRecord(name, partial(reduction._linear_recurrence, axis=axis, reverse=reverse),
                    partial(np_linear_recurrence, axis=axis, reverse=reverse), shapes, dtypes)


CUMULATIVE_RECORDS = (
    _cumulative_records("cumsum", np.cumsum, NUMERIC, ["stablehlo.add"])
    + _cumulative_records("cumprod", np.cumprod, NUMERIC, ["stablehlo.multiply"],
                          rng=_halved)
    + _cumulative_records("cummax", np.maximum.accumulate, ORDERED, ["stablehlo.maximum"])
    + _cumulative_records("cummin", np.minimum.accumulate, SAMPLE_ORDERED, ["stablehlo.minimum"])
    + _cumulative_records("cumlogsumexp", np.logaddexp.accumulate, FLOATS, _LOGADDEXP_BODY)
    + [
        OpRecord("cumprod_zeros", partial(reduction.cumprod, axis=1),
                 _np_cumulative(np.cumprod, 1, False), [((3, 4),)], [np.float64],
                 rng=_with_zeros),
        OpRecord("cumprod_zeros_reverse", partial(reduction.cumprod, axis=1, reverse=True),
                 _np_cumulative(np.cumprod, 1, True), [((2, 5),)], [np.float64],
                 rng=_with_zeros),
        # The tangents of the cumulative reductions, tested as an op of its own.
        _linear_recurrence_record("linear_recurrence", -1, False,
                                  [((3, 4), (3, 4)), ((5,), (5,)), ((2, 7), (2, 7))],
                                  [np.float32, np.float64, np.complex128]),
        _linear_recurrence_record("linear_recurrence_reverse", 0, True, [((4, 2), (4, 2))],
                                  [np.float64]),
    ]
)


def _window_record(name, computation, init, ufunc, dtypes, window, strides, padding,
                   base_dilation=None, window_dilation=None, shapes=(((3, 4),), ((4, 5),)),
                   **kw):
    """reduce_window against np_reduce_window; `init` is a value or a function of the dtype."""
    def init_value(dtype):
        return init(dtype) if callable(init) else np.asarray(init, dtype)

    def fun(x):
        return reduction.reduce_window(x, init_value(x.dtype), computation, window, strides,
                                       padding, base_dilation, window_dilation)

    def ref(x):
        return np_reduce_window(x, init_value(x.dtype), ufunc, window, strides, padding,
                                base_dilation, window_dilation)
    return OpRecord(name, fun, ref, list(shapes), dtypes, **kw)


_window_sum = partial(_window_record, computation=ew.add, init=partial(_identity, np.add),
                      ufunc=np.add)
_window_max = partial(_window_record, computation=ew.max, init=partial(_identity, np.maximum),
                      ufunc=np.maximum)
_window_min = partial(_window_record, computation=ew.min, init=partial(_identity, np.minimum),
                      ufunc=np.minimum)
F32_F64 = [np.float32, np.float64]


def _variadic_window(x, y):
    return reduction.reduce_window((x, y), (0, -np.inf),
                                   lambda a, b: (ew.add(a[0], b[0]), ew.max(a[1], b[1])),
                                   (2, 2), (1, 1), "VALID")


def _np_variadic_window(x, y):
    return (np_reduce_window(x, 0, np.add, (2, 2), (1, 1), "VALID"),
            np_reduce_window(y, -np.inf, np.maximum, (2, 2), (1, 1), "VALID"))


WINDOW_RECORDS = [
    _window_sum(name="window_sum_valid", dtypes=SAMPLE_NUMERIC, window=(2, 2),
                strides=(1, 1), padding="VALID",
                hlo_ops=_ops("stablehlo.reduce_window", "stablehlo.add")),
    _window_sum(name="window_sum_strided_padded", dtypes=F32_F64 + [np.int32], window=(2, 3),
                strides=(2, 1), padding=((1, 0), (1, 2))),
    _window_sum(name="window_sum_dilated", dtypes=[np.float64, np.int32], window=(2, 2),
                strides=(1, 2), padding=((1, 1), (0, 1)), base_dilation=(2, 1),
                window_dilation=(1, 2)),
    _window_sum(name="window_sum_negative_padding", dtypes=[np.float64], window=(2, 1),
                strides=(1, 1), padding=((-1, 1), (0, -1))),
    _window_sum(name="window_sum_same", dtypes=[np.float64, np.complex64], window=(3, 2),
                strides=(2, 1), padding="SAME", shapes=(((3, 4),), ((5, 2),), ((0, 3),))),
    _window_max(name="window_max_valid", dtypes=SAMPLE_ORDERED, window=(2, 2), strides=(1, 1),
                padding="VALID", hlo_ops=_ops("stablehlo.reduce_window", "stablehlo.maximum")),
    _window_max(name="window_max_strided_padded", dtypes=F32_F64, window=(2, 2),
                strides=(2, 2), padding=((0, 1), (1, 0))),
    _window_max(name="window_max_same", dtypes=[np.float64, np.int8], window=(3, 3),
                strides=(2, 1), padding="SAME"),
    _window_max(name="window_max_base_dilated", dtypes=[np.float64], window=(2, 3),
                strides=(1, 2), padding=((0, 1), (1, 1)), base_dilation=(2, 1)),
    # Reverse mode refuses window dilation: see test_window_dilated_max_forward_mode.
    _window_max(name="window_max_window_dilated", dtypes=[np.float64, np.uint8], window=(2, 2),
                strides=(1, 1), padding=((1, 0), (0, 0)), window_dilation=(2, 2), grad=False),
    _window_min(name="window_min_valid", dtypes=SAMPLE_ORDERED, window=(3, 1), strides=(1, 1),
                padding="VALID", hlo_ops=_ops("stablehlo.reduce_window", "stablehlo.minimum")),
    _window_min(name="window_min_strided_padded", dtypes=[np.float64, np.int64], window=(2, 2),
                strides=(1, 3), padding=((1, 0), (0, 1))),
    # A max with init 0 (not max's identity) is a generic reduce_window (forward-mode
    # derivatives only: test_generic_reductions_forward_mode).
    _window_record("window_relu_max", ew.max, 0, np.maximum, F32_F64 + [np.int32], (2, 2),
                   (1, 1), ((0, 1), (0, 1)), grad=False,
                   hlo_ops=_ops("stablehlo.reduce_window", "stablehlo.maximum")),
    OpRecord("window_variadic", _variadic_window, _np_variadic_window, [((3, 4), (3, 4))],
             F32_F64, grad=False),
]


def _generic_product(x):
    """A lambda is not recognised as a monoid: the generic primitive with a traced body."""
    return reduction.reduce(x, np.asarray(1, x.dtype), lambda a, b: ew.mul(a, b), (0,))


def _variadic_reduce(x, y):
    return reduction.reduce((x, y), (0.0, np.inf),
                            lambda a, b: (ew.add(a[0], b[0]), ew.min(a[1], b[1])), (0,))


GENERIC_RECORDS = [
    OpRecord("reduce_monoid_add", lambda x: reduction.reduce(x, 0, ew.add, (1,)),
             _np_reduce(np.add, 1), [((3, 4),)], [np.float64, np.int32],
             hlo_ops=["stablehlo.reduce"]),
    OpRecord("reduce_generic", _generic_product, _np_reduce(np.multiply, 0),
             [((3, 4),), ((2, 3, 2),)], [np.float32, np.int32, np.complex64],
             rng=_halved, grad=False, hlo_ops=["stablehlo.reduce"]),
    OpRecord("reduce_variadic", _variadic_reduce, lambda x, y: (np.sum(x, 0), np.min(y, 0)),
             [((3, 4), (3, 4)), ((2, 2, 3), (2, 2, 3))], F32_F64, grad=False),
]

globals().update(op_tests(REDUCE_RECORDS + ARG_RECORDS + CUMULATIVE_RECORDS + WINDOW_RECORDS
                          + GENERIC_RECORDS))


# --- lowering of argmax: an iota feeding one variadic reduce ------------------------------------

def test_argmax_lowering():
    from harness import lowered_ops
    ops = lowered_ops(lambda x: reduction.argmax(x, 1, np.int32), np.ones((3, 4), np.int32))
    assert ops[:2] == ["stablehlo.iota", "stablehlo.reduce"]
    assert "stablehlo.reduce" not in ops[2:]


# --- derivatives beyond the tables ----------------------------------------------------------------

def test_reduce_max_ties_share_the_tangent():
    x = np.array([1.0, 3.0, 3.0, 0.5, 3.0])
    t = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    _, dy = npaccel.jvp(lambda v: reduction.reduce_max(v, (0,)), (x,), (t,))
    np.testing.assert_allclose(dy, np.mean(t[x == np.max(x)]))


def test_argmax_has_zero_derivative():
    x = np.arange(6.0).reshape(2, 3)
    _, dy = npaccel.jvp(lambda v: reduction.argmax(v, 1, np.int32), (x,), (np.ones_like(x),))
    assert np.asarray(dy).dtype == core_dtypes.float0


def test_window_dilated_max_forward_mode():
    x = np.random.default_rng(0).standard_normal((4, 5))
    f = lambda v: reduction.reduce_window(v, -np.inf, ew.max, (2, 2), (1, 1), "VALID",  # noqa: E731
                                          window_dilation=(2, 1))
    check_grads(f, [x], order=2, modes=("fwd",))
    with pytest.raises(NotImplementedError, match="window dilation"):
        npaccel.vjp(f, x)[1](np.ones((2, 4)))


def test_max_pool_gradient_routes_to_the_maximum():
    x = np.random.default_rng(1).standard_normal((4, 6))
    g = npaccel.grad(lambda v: reduction.reduce_sum(
        reduction.reduce_window(v, -np.inf, ew.max, (2, 2), (2, 2), "VALID"), (0, 1)))(x)
    blocks = x.reshape(2, 2, 3, 2).transpose(0, 2, 1, 3).reshape(2, 3, 4)
    expected = np.zeros_like(blocks)
    np.put_along_axis(expected, np.argmax(blocks, -1)[..., None], 1.0, -1)
    expected = expected.reshape(2, 3, 2, 2).transpose(0, 2, 1, 3).reshape(4, 6)
    np.testing.assert_array_equal(g, expected)


def test_grad_under_jit_and_vmap():
    x = np.random.default_rng(2).standard_normal((3, 4, 5))

    def loss(v):
        return reduction.reduce_sum(reduction.cumlogsumexp(reduction.cumprod(v, 1), 0), (0, 1))

    expected = np.stack([npaccel.grad(loss)(x[i]) for i in range(3)])
    batched = npaccel.jit(npaccel.vmap(npaccel.grad(loss), in_axes=2, out_axes=2))
    np.testing.assert_allclose(batched(np.moveaxis(x, 0, 2)), np.moveaxis(expected, 0, 2),
                               rtol=1e-12)


@pytest.mark.parametrize("name", ["cumprod", "cummax", "cumlogsumexp"])
def test_cumulative_gradients_of_long_axes(name):
    # Long enough for a variadic scan-shaped reduce_window to crash XLA's CPU compiler,
    # which is why the tangent recurrence lowers to a parallel scan instead.
    x = 1 + 0.01 * np.random.default_rng(4).standard_normal(600)
    fun = getattr(reduction, name)
    g = npaccel.jit(npaccel.grad(lambda v: reduction.reduce_sum(fun(v, 0), (0,))))(x)
    y = {"cumprod": np.cumprod, "cummax": np.maximum.accumulate,
         "cumlogsumexp": np.logaddexp.accumulate}[name](x)
    # sum_i dy_i/dx_j, from NumPy: y_i / x_j for cumprod; the number of i whose running
    # maximum is x_j for cummax; sum_{i >= j} exp(x_j - y_i) for cumlogsumexp.
    if name == "cumprod":
        expected = np.cumsum(y[::-1])[::-1] / x
    elif name == "cummax":
        expected = np.bincount(np.maximum.accumulate(np.where(x == y, np.arange(x.size), 0)),
                               minlength=x.size).astype(float)
    else:
        expected = np.exp(x) * np.cumsum(np.exp(-y)[::-1])[::-1]
    np.testing.assert_allclose(g, expected, rtol=1e-10)


def test_variadic_scan_windows():
    # Scan-shaped variadic reduce_windows of this length abort XLA's CPU compiler unless
    # reduce_window keeps them out of XLA's scan rewriter.
    n = 600
    x = np.random.default_rng(5).standard_normal(n)
    sums, maxima = reduction.reduce_window(
        (x, x), (0.0, -np.inf), lambda a, b: (ew.add(a[0], b[0]), ew.max(a[1], b[1])), (n,),
        (1,), ((n - 1, 0),))
    np.testing.assert_allclose(sums, np.cumsum(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(maxima, np.maximum.accumulate(x))
    g = npaccel.grad(lambda v: reduction.reduce_sum(
        reduction.reduce_window(v, -np.inf, ew.max, (n,), (1,), ((0, n - 1),)), (0,)))(x)
    running_max = np.maximum.accumulate(x[::-1])[::-1]
    winner = np.minimum.accumulate(np.where(x == running_max, np.arange(n), n)[::-1])[::-1]
    np.testing.assert_array_equal(g, np.bincount(winner, minlength=n))


_GENERIC_FORWARD = {
    "reduce_product": (lambda x: reduction.reduce(x, 1.0, lambda a, b: ew.mul(a, b), (0,)), 1),
    "reduce_variadic": (lambda x, y: reduction.reduce(
        (x, y), (0.0, -np.inf), lambda a, b: (ew.add(a[0], b[0]), ew.max(a[1], b[1])), (1,)), 2),
    "reduce_window_relu_max": (lambda x: reduction.reduce_window(x, 0.0, ew.max, (2, 2), (1, 1),
                                                                 "SAME"), 1),
    "reduce_window_product": (lambda x: reduction.reduce_window(
        x, 1.0, lambda a, b: ew.mul(a, b), (2, 1), (1, 1), ((1, 0), (0, 0))), 1),
}


@pytest.mark.parametrize("name", _GENERIC_FORWARD)
def test_generic_reductions_forward_mode(name):
    fun, nargs = _GENERIC_FORWARD[name]
    rng = np.random.default_rng(3)
    args = [rng.standard_normal((3, 4)) for _ in range(nargs)]
    check_grads(fun, args, order=2, modes=("fwd",))


def test_generic_reductions_refuse_reverse_mode():
    fun, _ = _GENERIC_FORWARD["reduce_product"]
    with pytest.raises(NotImplementedError, match="Transpose rule .* 'reduce'"):
        npaccel.grad(lambda x: reduction.reduce_sum(fun(x), (0,)))(np.ones((3, 4)))


# --- dispatch of `reduce` and `reduce_window` to the monoid primitives ----------------------

@pytest.mark.parametrize("computation,init,prim", [
    (ew.add, 0.0, "reduce_sum"), (ew.mul, 1.0, "reduce_prod"), (ew.max, -np.inf, "reduce_max"),
    (ew.min, np.inf, "reduce_min"), (ew.add, 1.0, "reduce"),
    (lambda a, b: ew.add(a, b), 0.0, "reduce"),
])
def test_reduce_dispatch(computation, init, prim):
    jaxpr = make_jaxpr(lambda x: reduction.reduce(x, init, computation, (0,)))(np.ones(3))
    assert [e.primitive.name for e in jaxpr.eqns] == [prim]


def test_reduce_bitwise_dispatch():
    x = np.ones(3, np.uint8)
    jaxpr = make_jaxpr(lambda v: reduction.reduce(v, np.uint8(255), ew.bitwise_and, (0,)))(x)
    assert [e.primitive.name for e in jaxpr.eqns] == ["reduce_and"]


@pytest.mark.parametrize("computation,init,prim", [
    (ew.add, 0.0, "reduce_window_sum"), (ew.max, -np.inf, "reduce_window_max"),
    (ew.min, np.inf, "reduce_window_min"), (ew.max, 0.0, "reduce_window"),
    (ew.mul, 1.0, "reduce_window"),
])
def test_reduce_window_dispatch(computation, init, prim):
    def fun(x):
        return reduction.reduce_window(x, init, computation, (2,), (1,), "VALID")
    jaxpr = make_jaxpr(fun)(np.ones(3))
    assert [e.primitive.name for e in jaxpr.eqns] == [prim]


def test_padtype_to_pads():
    for shape, window, strides in [((5, 4), (3, 2), (2, 1)), ((1, 7), (4, 4), (3, 2))]:
        assert list(reduction.padtype_to_pads(shape, window, strides, "SAME")) == \
            _xla_pads(shape, window, strides, "SAME")
        lower = reduction.padtype_to_pads(shape, window, strides, "SAME_LOWER")
        assert [(hi, lo) for lo, hi in lower] == _xla_pads(shape, window, strides, "SAME")
        assert reduction.padtype_to_pads(shape, window, strides, "valid") == [(0, 0), (0, 0)]


# --- errors --------------------------------------------------------------------------------------

X = np.ones((2, 3))


@pytest.mark.parametrize("call", [
    lambda: reduction.reduce_sum(X, (2,)),
    lambda: reduction.reduce_max(X, (-3,)),
    lambda: reduction.reduce_prod(X, (0, 0)),
    lambda: reduction.reduce_sum(X, (1, -1)),
    lambda: reduction.reduce(X, 0.0, ew.add, (5,)),
    lambda: reduction.argmax(X, 2, np.int32),
    lambda: reduction.argmin(np.ones((0, 3)), 0, np.int32),
    lambda: reduction.cumsum(X, 2),
    lambda: reduction.cummax(X, -3),
    lambda: reduction.reduce_window(X, 0.0, ew.add, (1, 1), (1, 1), ((-3, 0), (0, 0))),
    lambda: reduction.reduce_window(X, 0.0, ew.add, (1,), (1,), "VALID"),
    lambda: reduction.reduce_window(X, 0.0, ew.add, (1, 1), (0, 1), "VALID"),
    lambda: reduction.reduce_window(X, 0.0, ew.add, (1, 1), (1, 1), "FULL"),
    lambda: reduction.reduce_window(X, 0.0, ew.add, (1, 1), (1, 1), "VALID", None, (0, 1)),
], ids=lambda f: "")
def test_bad_parameters_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize("call", [
    lambda: reduction.reduce_sum(np.ones(3, bool), (0,)),
    lambda: reduction.reduce_and(np.ones(3), (0,)),
    lambda: reduction.argmax(np.ones(3, np.complex64), 0, np.int32),
    lambda: reduction.argmax(X, 0, np.float32),
    lambda: reduction.cumlogsumexp(np.ones(3, np.int32), 0),
    lambda: reduction.reduce((X, X), (0.0,), lambda a, b: a, (0,)),
    lambda: reduction.reduce(X, 0.0, lambda a, b: (a, b), (0,)),
    lambda: reduction.reduce(X, np.float32(0), lambda a, b: ew.max(a, b), (0,)),
    lambda: reduction.reduce((X, np.ones(2)), (0.0, 0.0), lambda a, b: a, (0,)),
], ids=lambda f: "")
def test_bad_types_raise_type_error(call):
    with pytest.raises(TypeError):
        call()


def test_vmap_over_init_values_is_refused():
    with pytest.raises(NotImplementedError, match="init values"):
        npaccel.vmap(lambda x, i: reduction.reduce(x, i, lambda a, b: ew.add(a, b), (0,)))(
            np.ones((2, 3)), np.zeros(2))
