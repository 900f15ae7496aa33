"""npaccel.numpy.reductions against NumPy: values, result dtypes and shapes over every dtype,
0-d and empty shapes, axes and keywords (dtype=, keepdims=, where=, initial=, ddof=,
correction=, mean=), NaN handling, every quantile method, NumPy's exception classes; jit
against eager, vmap against a loop and derivatives against finite differences for a
representative subset."""
from functools import partial

import numpy as np
import pytest

import npaccel
from npaccel.core.trace import ConcretizationError
from npaccel.numpy import reductions as nr
from harness import assert_close, check_grads
from tests.numpy._against_numpy import ALL, quiet_numpy, rand  # noqa: F401 (autouse fixture)
from tests.numpy._against_numpy import same_many as _same_many

SHAPES = [(), (0,), (5,), (2, 3), (0, 3)]
same_many = partial(_same_many, nr)


REDUCTIONS = ["sum", "prod", "max", "min", "amax", "amin", "all", "any", "mean", "var", "std",
              "ptp", "argmax", "argmin", "count_nonzero", "cumsum", "cumprod", "median",
              "nansum", "nanprod", "nanmax", "nanmin", "nanargmax", "nanargmin", "nanmean",
              "nanvar", "nanstd", "nancumsum", "nancumprod", "nanmedian"]


# --- every dtype, shapes and axes --------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL, ids=lambda d: np.dtype(d).name)
def test_dtypes(dtype):
    x = rand((2, 3), dtype)
    same_many([(name, (x,), {"axis": 1 if name in ("var", "median", "argmax") else None})
               for name in REDUCTIONS])


@pytest.mark.parametrize("dtype", [np.float64, np.int8, np.complex64], ids=str)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_shapes(shape, dtype):
    x = rand(shape, dtype)
    calls = [(name, (x,), {"axis": axis}) for name in REDUCTIONS for axis in (0, -1, 2)]
    calls += [(name, (x,), {"axis": (0, -1)}) for name in ("sum", "max", "all", "mean", "var",
                                                          "median", "nanmax", "nanstd")]
    same_many(calls)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.complex128], ids=str)
def test_nan_handling(dtype):
    x = rand((3, 4), dtype, nans=True)
    all_nan = np.full((2, 3), np.nan, dtype)
    all_nan[1, 1] = 1
    names = [name for name in REDUCTIONS if "nan" in name and "arg" not in name]
    calls = [(name, (a,), {"axis": axis}) for name in names for a, axis in
             ((x, None), (x, 0), (all_nan, 1))]
    calls += [(name, (x,), {"axis": 1}) for name in ("max", "min", "median", "argmax", "mean")]
    same_many(calls, tol=2e-2 if dtype == np.float16 else None)
    # nanargmax/nanargmin raise on an all-NaN slice: eagerly only.
    same_many([(name, (a,), {"axis": 1}) for name in ("nanargmax", "nanargmin")
               for a in (x, all_nan)], eager=True)


def test_eager_matches_numpy():
    for dtype in (np.uint16, np.complex64):
        x = rand((2, 3), dtype, nans=True)
        same_many([(name, (x,), {"axis": 0}) for name in REDUCTIONS[::2]], eager=True)


# --- keywords ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.float16, np.complex64], ids=str)
def test_keywords(dtype):
    x = rand((2, 3), dtype)
    mask = np.array([[True, False, True], [False, True, True]])
    calls = []
    for name in ("sum", "prod", "max", "min", "all", "nansum", "nanmax"):
        calls += [(name, (x,), {"axis": 0, "keepdims": True}),
                  (name, (x,), {"where": mask, "initial": 1}), (name, (x,), {"where": mask[0]}),
                  (name, (x,), {"axis": (0, 1), "initial": 3})]
    for name in ("sum", "prod", "cumsum", "mean", "nanmean", "nancumprod"):
        calls += [(name, (x,), {"dtype": d}) for d in (np.int16, np.float32, np.complex128)]
    for name in ("mean", "var", "std", "nanmean", "nanvar", "nanstd"):
        calls += [(name, (x,), {"where": mask}), (name, (x,), {"axis": 1, "keepdims": True}),
                  (name, (x,), {"dtype": np.float32, "axis": 0})]
    for name in ("var", "nanstd"):
        calls += [(name, (x,), {"ddof": 1}), (name, (x,), {"ddof": 3, "axis": 0}),
                  (name, (x,), {"correction": 1, "axis": 1}),
                  (name, (x,), {"mean": np.ones((2, 1)), "axis": 1, "keepdims": True})]
    for name in ("argmax", "nanargmin", "count_nonzero", "median", "nanmedian", "ptp"):
        calls += [(name, (x,), {"keepdims": True}), (name, (x,), {"axis": 1, "keepdims": True})]
    calls += [("cumulative_sum", (x[0],), {"include_initial": True}),
              ("cumulative_prod", (x,), {"axis": 1, "include_initial": True}),
              ("cumulative_sum", (x,), {"axis": 0, "dtype": np.float64}),
              ("cumulative_prod", (np.float32(2),), {}), ("cumulative_sum", (x,), {})]
    same_many(calls, tol=2e-2 if dtype == np.float16 else None)


def test_result_dtypes():
    # The rules the brief calls out, spelled out once more.
    assert nr.sum(np.ones(3, np.int8)).dtype == np.int64
    assert nr.sum(np.ones(3, np.uint8)).dtype == np.uint64
    assert nr.sum(np.ones(3, np.bool_)).dtype == np.int64
    assert nr.mean(np.ones(3, np.int16)).dtype == np.float64
    assert nr.mean(np.ones(3, np.float16)).dtype == np.float16
    assert nr.var(np.ones(3, np.complex64)).dtype == np.float32
    assert nr.std(np.ones(3, np.complex128)).dtype == np.float64
    assert nr.argmax(np.ones(3, np.float32)).dtype == np.int64


def test_float16_mean_accumulates_in_float32():
    # The sum is beyond float16's range of exact integers.
    x = np.full(4096, 1.0, np.float16) + np.float16(0.0009765625)
    assert_close(nr.mean(x), np.mean(x), 1e-3)
    assert np.isfinite(float(nr.mean(np.full(100, 60000, np.float16))))


def test_complex_order_and_nan():
    z = np.array([1 + 1j, 1 + 3j, 2 - 1j, 2 + 0j, 2 - 1j])
    znan = np.array([1 + 1j, complex(np.nan, 2), complex(3, np.nan), 4])
    same_many([(name, (a,), {}) for name in ("max", "min", "argmax", "argmin", "ptp", "nanmax",
                                               "nanmin", "nanargmax", "nanargmin")
               for a in (z, znan)], eager=True)


def test_ties_and_nan_positions():
    x = np.array([[3.0, 1.0, 3.0, np.nan], [1.0, 1.0, 0.0, 0.0]])
    same_many([(name, (x,), {"axis": axis}) for name in ("argmax", "argmin", "nanargmax",
                                                         "nanargmin", "max", "min")
               for axis in (None, 1)], eager=True)


# --- order statistics --------------------------------------------------------------------

METHODS = ["inverted_cdf", "averaged_inverted_cdf", "closest_observation",
           "interpolated_inverted_cdf", "hazen", "weibull", "linear", "median_unbiased",
           "normal_unbiased", "lower", "higher", "midpoint", "nearest"]


def test_quantile_methods():
    x = rand((3, 7), np.float64)
    xnan = rand((3, 7), np.float64, nans=True)
    q = np.array([0.0, 0.1, 0.5, 0.77, 1.0])
    calls = []
    for m in METHODS:
        calls += [("quantile", (x, q), {"method": m}),
                  ("quantile", (x, 0.3), {"method": m, "axis": 1, "keepdims": True}),
                  ("nanquantile", (xnan, q), {"method": m, "axis": 1}),
                  ("percentile", (xnan, [25, 50]), {"method": m, "axis": 0}),
                  ("nanpercentile", (x, 40), {"method": m})]
    same_many(calls)


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint16, np.float16, np.float32,
                                   np.complex64], ids=str)
def test_quantile_dtypes(dtype):
    x = rand((2, 5), dtype)
    calls = []
    for q in (0.25, [0.5, 0.9], np.float32(0.3), 0, [[0.2, 1]]):
        for m in ("linear", "lower", "nearest", "hazen"):
            calls.append(("quantile", (x, q), {"method": m}))
            calls.append(("nanquantile", (x, q), {"method": m, "axis": 1}))
    calls += [("percentile", (x, 50), {}), ("percentile", (x, np.float16(30)), {}),
              ("median", (x,), {"axis": 1}), ("nanmedian", (x,), {"keepdims": True})]
    same_many(calls, tol=2e-2 if dtype == np.float16 else None)


def test_quantile_shapes_and_errors():
    x = rand((2, 3, 4), np.float64)
    calls = [("quantile", (x, [0.2, 0.6]), {"axis": (0, 2)}),
             ("quantile", (x, 0.5), {"axis": (2, 0), "keepdims": True}),
             ("median", (x,), {"axis": (0, 1)}), ("nanmedian", (x,), {"axis": (1, 2)}),
             ("quantile", (np.float64(3.0), 0.5), {}), ("median", (np.float64(3),), {}),
             ("nanquantile", (np.zeros((0, 3)), [0.5, 0.7]), {"axis": 0}),
             ("quantile", (x, 1.5), {}), ("percentile", (x, -1), {}),
             ("quantile", (x, 0.5), {"method": "foo"}), ("quantile", (x + 1j, 0.5), {}),
             ("quantile", (np.zeros(0), 0.5), {}), ("quantile", (x, np.zeros((1, 1, 1))), {}),
             ("quantile", (x, 0.5), {"axis": 3}), ("median", (x,), {"axis": (0, 0)}),
             ("quantile", (np.array([True, False]), 0.5), {}),
             ("quantile", (np.array([1.0, np.inf]), 1.0), {})]
    same_many(calls, eager=True)


def test_weighted_quantiles():
    x = rand((2, 5), np.float64)
    xnan = rand((2, 5), np.float64, nans=True)
    w = np.array([[0.0, 1, 2, 0.5, 1], [3, 0, 1, 1, 0]])
    q = [0.0, 0.3, 0.5, 1.0]
    kw = {"method": "inverted_cdf"}
    same_many([("quantile", (x, q), {"weights": w, "axis": 1, **kw}),
               ("quantile", (x, 0.4), {"weights": w[0], "axis": 1, **kw}),
               ("quantile", (x, q), {"weights": w, **kw}),
               ("percentile", (x, 50), {"weights": w, "axis": 0, **kw}),
               ("nanquantile", (xnan, q), {"weights": w, "axis": 1, **kw}),
               ("quantile", (x, 0.5), {"weights": w}),
               ("quantile", (x, 0.5), {"weights": w[0], **kw}),
               ("quantile", (x, 0.5), {"weights": -w, "axis": 1, **kw}),
               ("quantile", (x, 0.5), {"weights": 0 * w, "axis": 1, **kw}),
               ("quantile", (x, 0.5), {"weights": w[:, :2], "axis": 1, **kw})], eager=True)


# --- average, differences, integration ---------------------------------------------------

@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.float32, np.float64, np.complex64],
                         ids=str)
def test_average_and_differences(dtype):
    x = rand((3, 4), dtype)
    w = rand((3, 4), np.float64) ** 2 + 0.1
    calls = [("average", (x,), {}), ("average", (x,), {"axis": 1, "keepdims": True}),
             ("average", (x,), {"weights": w, "returned": True}),
             ("average", (x,), {"axis": 0, "weights": w[:, 0], "returned": True}),
             ("average", (x,), {"axis": (0, 1), "weights": w, "keepdims": True}),
             ("average", (x,), {"returned": True, "axis": 1})]
    for n in (0, 1, 2, 5):
        calls += [("diff", (x,), {"n": n}), ("diff", (x,), {"n": n, "axis": 0})]
    calls += [("diff", (x,), {"prepend": 0, "append": x[:, :1]}),
              ("diff", (x,), {"axis": 0, "prepend": x[:1], "append": 1.5}),
              ("ediff1d", (x,), {}), ("ediff1d", (x,), {"to_begin": [1, 2], "to_end": 3}),
              ("gradient", (x,), {}), ("gradient", (x, 2.0), {"axis": 1, "edge_order": 2}),
              ("gradient", (x, [1.0, 2.0, 4.0], np.array([0.0, 1.0, 2.5, 3.0])), {}),
              ("gradient", (x, np.arange(4)), {"axis": -1, "edge_order": 2}),
              ("gradient", (x, np.array([0, 1, 2])), {"axis": 0}),
              ("trapezoid", (x,), {}), ("trapezoid", (x,), {"dx": 0.5, "axis": 0}),
              ("trapezoid", (x,), {"x": [0.0, 1.0, 3.0], "axis": 0}),
              ("trapezoid", (x,), {"x": w})]
    same_many(calls)


def test_difference_errors():
    x = rand((2, 3), np.float64)
    same_many([("diff", (x,), {"n": -1}), ("diff", (np.float64(1),), {}),
               ("diff", (x,), {"axis": 2}), ("diff", (x,), {"append": x}),
               ("ediff1d", (np.arange(3),), {"to_begin": 1.5}),
               ("ediff1d", (np.array([1, 2], np.int8),), {"to_begin": 1000}),
               ("ediff1d", (np.array([True]),), {}), ("gradient", (np.ones(1),), {}),
               ("gradient", (x,), {"edge_order": 3}), ("gradient", (x, 1, 2, 3), {}),
               ("gradient", (x, np.ones((2, 2))), {"axis": 0}),
               ("gradient", (x, np.ones(4)), {"axis": 1}),
               ("gradient", (np.array([True, False]),), {}),
               ("average", (x,), {"weights": np.ones(3)}),
               ("average", (x,), {"weights": np.ones(2), "axis": 1}),
               ("average", (x,), {"weights": np.zeros(3), "axis": 1}),
               ("average", (x,), {"axis": 2})], eager=True)


# --- covariance, correlation, convolution ------------------------------------------------

@pytest.mark.parametrize("dtype", [np.bool_, np.int16, np.float32, np.float64, np.complex128],
                         ids=str)
def test_cov_corrcoef(dtype):
    x = rand((3, 5), dtype)
    y = rand((2, 5), dtype, seed=1)
    fw, aw = np.array([1, 2, 1, 3, 1]), np.array([0.5, 1.0, 2.0, 1.0, 0.25])
    calls = [("cov", (x,), {}), ("cov", (x,), {"rowvar": False, "bias": True}),
             ("cov", (x, y), {"ddof": 2}), ("cov", (x[0],), {}), ("cov", (x[0], y[0]), {}),
             ("cov", (x,), {"fweights": fw, "aweights": aw}), ("cov", (x,), {"aweights": aw}),
             ("cov", (x,), {"fweights": fw, "ddof": 0}), ("cov", (x,), {"dtype": np.float32}),
             ("cov", (x[:, :1],), {}), ("cov", (x.T, y.T), {"rowvar": False}),
             ("corrcoef", (x,), {}), ("corrcoef", (x[0],), {}), ("corrcoef", (x[0], y[0]), {}),
             ("corrcoef", (x, y), {"rowvar": True})]
    same_many(calls, tol=1e-4 if dtype in (np.float32,) else None)


def test_cov_errors():
    x = rand((2, 3), np.float64)
    same_many([("cov", (np.ones((2, 2, 2)),), {}), ("cov", (x,), {"ddof": 1.5}),
               ("cov", (x,), {"fweights": [1.5, 1, 1]}), ("cov", (x,), {"fweights": [-1, 1, 1]}),
               ("cov", (x,), {"aweights": [[1, 1, 1]]}), ("cov", (x,), {"aweights": [1, 1]}),
               ("cov", (x,), {"ddof": 5}), ("cov", (np.zeros((0, 3)),), {})], eager=True)


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint8, np.float32, np.complex64],
                         ids=str)
def test_correlate_convolve(dtype):
    a, v = rand((6,), dtype), rand((3,), dtype, seed=1)
    calls = []
    for mode in ("valid", "same", "full"):
        for p, r in ((a, v), (v, a), (a, a), (a[:1], v), (a, 2)):
            calls += [("correlate", (p, r), {"mode": mode}), ("convolve", (p, r), {"mode": mode})]
    calls += [("correlate", (a, v), {}), ("convolve", (a, np.float64(2)), {}),
              ("correlate", (a.reshape(2, 3), v), {}), ("correlate", (a, []), {}),
              ("convolve", ([], a), {}), ("correlate", (a, v), {"mode": "foo"})]
    same_many(calls)


# --- histograms, bincount, digitize ------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.float16, np.float32, np.float64],
                         ids=str)
def test_histogram(dtype):
    x = rand((4, 5), dtype)
    w = rand((4, 5), np.float32) ** 2
    calls = []
    for bins in (1, 4, [-1.0, 0.0, 0.5, 2.0], np.array([-1, 0, 0, 1, 3])):
        for rng in (None, (-1, 1), (0, 0)):
            calls += [("histogram", (x,), {"bins": bins, "range": rng}),
                      ("histogram", (x,), {"bins": bins, "range": rng, "density": True}),
                      ("histogram", (x,), {"bins": bins, "range": rng, "weights": w}),
                      ("histogram_bin_edges", (x,), {"bins": bins, "range": rng})]
    calls += [("histogram", (np.zeros(0, dtype),), {"bins": 3}),
              ("histogram", (x,), {"weights": (w * 4).astype(np.int8)}),
              ("histogram", (x,), {"bins": [-1, 0, 2], "weights": (w * 4).astype(np.int8)}),
              ("histogram", (x,), {"bins": [-1, 0, 2], "weights": w.astype(np.float16)}),
              ("histogram", (x,), {"weights": w > 0.5})]
    same_many(calls, tol=2e-2 if dtype == np.float16 else None)
    # complex64 weights: the density's float64 arithmetic starts from complex64 sums.
    same_many([("histogram", (x,), {"weights": w * (1 + 2j), "density": True})], tol=1e-5)


@pytest.mark.parametrize("bins", ["auto", "fd", "doane", "scott", "stone", "rice", "sturges",
                                  "sqrt"])
def test_histogram_estimators(bins):
    x = rand((50,), np.float64)
    calls = [("histogram", (x,), {"bins": bins}),
             ("histogram_bin_edges", (x,), {"bins": bins, "range": (-1, 1)}),
             ("histogram", (np.arange(-5, 20, dtype=np.int8),), {"bins": bins}),
             ("histogram", (np.array([-128, 127, 0, 5, 5, 7], np.int8),), {"bins": bins})]
    same_many(calls, eager=True)
    with pytest.raises(ConcretizationError, match="histogram"):
        npaccel.jit(lambda a: nr.histogram(a, bins=bins))(x)


def test_histogram_errors():
    x = rand((2, 3), np.float64)
    with pytest.raises(TypeError):  # NumPy's UFuncTypeError: int64 running sums into bool
        nr.histogram(x, bins=[0, 1, 2], weights=x > 0)
    same_many([("histogram", (x,), {"bins": 0}), ("histogram", (x,), {"bins": 2.5}),
               ("histogram", (x,), {"bins": [[1, 2]]}), ("histogram", (x,), {"bins": [2, 1]}),
               ("histogram", (x,), {"range": (2, 1)}), ("histogram", (x,), {"range": (0, np.inf)}),
               ("histogram", (np.array([1, np.nan]),), {}), ("histogram", (x,), {"bins": "foo"}),
               ("histogram", (x,), {"bins": "auto", "weights": x}),
               ("histogram", (x,), {"weights": x[0]}),
               ("histogramdd", (x.T,), {"bins": [2]}), ("histogramdd", (x.T,), {"range": [(0, 1)]}),
               ("histogramdd", (x.T,), {"bins": [0, 2]}),
               ("histogramdd", (x.T,), {"bins": [np.array([2, 1]), 2]})], eager=True)


@pytest.mark.parametrize("dtype", [np.int8, np.float32, np.float64], ids=str)
def test_histogramdd(dtype):
    x, y, z = (rand((12,), dtype, seed=s) for s in range(3))
    w = rand((12,), np.float64) ** 2
    edges = np.array([-1.0, 0.0, 0.5, 2.0])
    calls = [("histogramdd", (np.stack([x, y, z], 1),), {"bins": 3}),
             ("histogramdd", (np.stack([x, y], 1),),
              {"bins": (2, 4), "weights": w, "density": True}),
             ("histogramdd", (x,), {"bins": 4}), ("histogramdd", ([x, y],), {"bins": [edges, 2]}),
             ("histogramdd", (np.stack([x, y], 1),), {"range": [None, (0, 1)]}),
             ("histogram2d", (x, y), {}), ("histogram2d", (x, y), {"bins": [3, edges]}),
             ("histogram2d", (x, y), {"bins": edges, "weights": w, "density": True}),
             ("histogram2d", (x, y), {"bins": 3, "range": [(-1, 1), (0, 2)]})]
    same_many(calls)


def test_bincount_and_digitize():
    calls = []
    for x in (np.array([1, 2, 5, 2]), np.array([True, False]), np.array([], np.int64), [],
              np.array([3], np.uint8), np.array([7], np.uint64), np.array([1.0, 2]),
              np.array([[1, 2]]), np.array(1), np.array([-1, 2])):
        calls += [("bincount", (x,), {}), ("bincount", (x,), {"minlength": 7}),
                  ("bincount", (x,), {"weights": np.full(np.shape(x), 0.5, np.float32)})]
    calls += [("bincount", (np.array([1]),), {"minlength": -1}),
              ("bincount", (np.array([1]),), {"minlength": None}),
              ("bincount", (np.array([1]),), {"weights": [1, 2]}),
              ("bincount", (np.array([1]),), {"weights": [1j]})]
    values = np.array([0, 1, 1.5, 2, 3, 4, np.nan])
    for bins in ([1, 2, 3], [3, 2, 1], [1, 1, 1], [], [2], [3, 1, 2], [[1, 2]], 1):
        for right in (False, True):
            calls += [("digitize", (values, bins), {"right": right}),
                      ("digitize", (np.arange(5, dtype=np.int8), bins), {"right": right})]
    calls += [("digitize", (values + 1j, [1]), {}), ("digitize", (2.5, [1, 2, 3]), {})]
    same_many(calls, eager=True)


def test_bincount_length_under_jit():
    x = np.array([0, 3, 3, 1])
    with pytest.raises(ConcretizationError, match="bincount"):
        npaccel.jit(nr.bincount)(x)
    got = npaccel.jit(lambda v: nr.bincount(v, length=6))(x)
    assert_close(got, np.bincount(x, minlength=6), 0)
    assert_close(npaccel.jit(lambda v: nr.bincount(v, length=2))(x), np.array([1, 1]), 0)
    got = npaccel.vmap(lambda v: nr.bincount(v, length=4))(np.array([[0, 1, 1], [3, 3, 3]]))
    assert_close(got, np.array([[1, 2, 0, 0], [0, 0, 0, 3]]), 0)


def test_digitize_under_jit():
    x = np.array([0, 1, 1.5, 2, 3, 4])
    for bins in ([1.0, 2, 3], [3.0, 2, 1]):
        for right in (False, True):
            got = npaccel.jit(lambda v, b: nr.digitize(v, b, right=right))(x, np.array(bins))
            assert_close(got, np.digitize(x, bins, right=right), 0)


# --- errors -------------------------------------------------------------------------------

def test_errors():
    x = rand((2, 3), np.float64)
    xi = np.arange(6).reshape(2, 3)
    same_many([("sum", (x,), {"axis": 2}), ("sum", (x,), {"axis": (0, 0)}),
               ("sum", (x,), {"axis": 1.0}), ("sum", (x,), {"where": [1, 0, 1]}),
               ("sum", (x,), {"where": np.array([1.0, 0, 1])}), ("max", (np.zeros(0),), {}),
               ("min", (np.zeros((0, 3)),), {"axis": 0}), ("min", (np.zeros((0, 3)),), {"axis": 1}),
               ("max", (x,), {"where": [True, False, True]}), ("max", (xi,), {"initial": 1.5}),
               ("max", (np.int8(3),), {"initial": 300}), ("max", (np.zeros(0),), {"initial": 2}),
               ("sum", (np.arange(3, dtype=np.int8),), {"dtype": np.int8, "initial": 300}),
               ("sum", (np.float64(2),), {"axis": 0}), ("sum", (np.float64(2),), {"axis": (0,)}),
               ("mean", (np.float64(2),), {"axis": 0}), ("nanmean", (np.float64(2),), {"axis": -1}),
               ("argmax", (x,), {"axis": (0,)}), ("argmax", (np.zeros((0, 3)),), {"axis": 0}),
               ("argmax", (np.zeros((0, 3)),), {"axis": 1}), ("argmin", (x,), {"axis": 2}),
               ("argmax", (np.float64(2),), {"axis": 0}), ("mean", (x,), {"axis": 2}),
               ("var", (x,), {"ddof": 1, "correction": 1}), ("cumsum", (x,), {"axis": (0,)}),
               ("cumsum", (x,), {"axis": 2}), ("cumsum", (np.float64(2),), {"axis": 1}),
               ("cumulative_sum", (x,), {}), ("nanargmax", (np.array([np.nan, np.nan]),), {}),
               ("nanargmin", (np.array([[np.nan, 1], [np.nan, np.nan]]),), {"axis": 1}),
               ("nanargmax", (np.zeros(0),), {}), ("nanmax", (np.zeros(0),), {}),
               ("ptp", (np.array([True]),), {}), ("ptp", (np.zeros(0, bool),), {}),
               ("median", (x,), {"axis": 3}), ("count_nonzero", (x,), {"axis": 2})], eager=True)
    with pytest.raises(TypeError, match="out="):
        nr.sum(x, out=np.zeros(()))


# --- transformations ----------------------------------------------------------------------

SUBSET = {
    "sum": lambda a: nr.sum(a, axis=1),
    "mean": nr.mean,
    "var": lambda a: nr.var(a, axis=0, ddof=1),
    "std": lambda a: nr.std(a, axis=(0, 1), keepdims=True),
    "max": lambda a: nr.max(a, axis=0),
    "prod": nr.prod,
    "cumsum": lambda a: nr.cumsum(a, axis=1),
    "median": lambda a: nr.median(a, axis=1),
    "percentile": lambda a: nr.percentile(a, [10, 50, 90], axis=0),
    "nanmean": lambda a: nr.nanmean(a, axis=1),
    "quantile_hazen": lambda a: nr.quantile(a, 0.3, method="hazen"),
    "average": lambda a: nr.average(a, axis=1, weights=np.arange(1.0, 5.0)),
    "cov": nr.cov,
    "gradient": nr.gradient,
    "trapezoid": nr.trapezoid,
    "correlate": lambda a: nr.correlate(a[0], a[1, :2], "same"),
}


def _leaves(x):
    return npaccel.tree_util.tree_leaves(x)


@pytest.mark.parametrize("name", list(SUBSET))
def test_jit_and_vmap(name):
    fun = SUBSET[name]
    x = rand((3, 4), np.float64)
    eager = fun(x)
    for a, e in zip(_leaves(npaccel.jit(fun)(x)), _leaves(eager)):
        assert_close(a, e, 1e-12)
    xs = np.stack([x, 2 * x, x - 1])
    batched = npaccel.vmap(fun)(xs)
    loop = [fun(b) for b in xs]
    for i, leaf in enumerate(_leaves(batched)):
        assert_close(leaf, np.stack([np.asarray(_leaves(r)[i]) for r in loop]), 1e-12)


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "max", "prod", "cumsum",
                                  "median", "percentile", "nanmean", "cov", "correlate"])
def test_grad(name):
    x = rand((3, 4), np.float64)
    check_grads(SUBSET[name], [x], order=1 if name == "cov" else 2)
