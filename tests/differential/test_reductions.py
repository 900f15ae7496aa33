"""Differential tests of reductions, statistics and histograms (npaccel/numpy/reductions.py,
_histograms.py) against NumPy: random dtypes, shapes (0-d, empty), axes (negative, tuples,
out of range) and keywords (keepdims, dtype, ddof, where, initial, quantile methods, ...)."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.differential._differential import arrays, differential, dtypes, shapes
from tests.differential._keywords import axes, check_kw, keywords, scalar_if_0d

DTYPE_ARGS = [None, "bool", "int8", "int32", "uint16", "int64", "float16", "float32",
              "float64", "complex128"]


def _dtype_arg(a, exact: bool = True):
    """A dtype= value; integer ones only for integer input and exact results (casting NaN,
    infinities or negative floats to integers is undefined in C, so NumPy's answer is the
    platform's; means and variances of empty slices are NaN)."""
    exact = exact and a.dtype.kind in "biu"
    return st.sampled_from([d for d in DTYPE_ARGS if exact or d is None or d[0] in "fc"])


def _where(a):
    """A mask shaped like `a`, broadcasting to it, or (sometimes) not broadcasting."""
    return st.sampled_from([a.shape, a.shape[1:], (4,)]).flatmap(
        lambda shape: arrays(np.bool_, shape))


# keyword -> strategy of its values, given the input array
KEYWORDS = {
    "axis": lambda a: axes(a.ndim),
    "axis1": lambda a: axes(a.ndim, tuples=False),        # one axis or None
    "axis_int": lambda a: axes(a.ndim, tuples=False, none=False),
    "keepdims": lambda a: st.booleans(),
    "dtype": lambda a: _dtype_arg(a),
    "fdtype": lambda a: _dtype_arg(a, exact=False),
    "initial": lambda a: st.sampled_from([-1, 0, 2, 2.5]),
    "where": _where,
    "ddof": lambda a: st.sampled_from([0, 1, 2, 0.5]),
}

# name -> (input kinds, keywords it takes); "axis1" is an axis= that takes no tuples.
REDUCTIONS = {
    **dict.fromkeys(["sum", "prod", "nansum", "nanprod"],
                    ("biufc", ("axis", "keepdims", "dtype", "initial", "where"))),
    **dict.fromkeys(["max", "min", "amax", "amin", "nanmax", "nanmin"],
                    ("biufc", ("axis", "keepdims", "initial", "where"))),
    **dict.fromkeys(["all", "any"], ("biufc", ("axis", "keepdims", "where"))),
    **dict.fromkeys(["mean", "nanmean"], ("biufc", ("axis", "keepdims", "fdtype", "where"))),
    **dict.fromkeys(["var", "std", "nanvar", "nanstd"],
                    ("biufc", ("axis", "keepdims", "fdtype", "where", "ddof"))),
    **dict.fromkeys(["ptp", "count_nonzero", "median", "nanmedian"],
                    ("biufc", ("axis", "keepdims"))),
    **dict.fromkeys(["argmax", "argmin", "nanargmax", "nanargmin"],
                    ("biufc", ("axis1", "keepdims"))),
    **dict.fromkeys(["cumsum", "cumprod", "nancumsum", "nancumprod"],
                    ("biufc", ("axis1", "dtype"))),
}

DIVIDING = {"mean", "nanmean", "var", "std", "nanvar", "nanstd", "median", "nanmedian"}


def _call(name: str, kwargs: dict) -> dict:
    """The keyword names of the table as the function spells them."""
    spelling = {"axis1": "axis", "axis_int": "axis", "fdtype": "dtype"}
    return {spelling.get(key, key): value for key, value in kwargs.items()}


@pytest.mark.parametrize("name", REDUCTIONS)
@differential
@given(data=st.data())
def test_reduction(name, data):
    kinds, keys = REDUCTIONS[name]
    a = data.draw(arrays(kinds=kinds, specials=True))
    if name in DIVIDING and a.dtype.kind == "c":
        # Known difference (see the report): a complex infinity divided by a count is
        # complex division in NumPy (inf * 0 parts become NaN), not in npaccel.
        a = np.where(np.isinf(a), np.nan, a)
    kwargs = keywords(data.draw, {key: KEYWORDS[key](a) for key in keys})
    check_kw(getattr(np, name), a, **_call(name, kwargs))


@pytest.mark.parametrize("name", ["cumulative_sum", "cumulative_prod"])
@differential
@given(data=st.data())
def test_cumulative(name, data):
    a = data.draw(arrays(specials=True))
    kwargs = keywords(data.draw, {"axis": axes(a.ndim, tuples=False),
                                  "dtype": _dtype_arg(a),
                                  "include_initial": st.booleans()})
    check_kw(getattr(np, name), a, **kwargs)


QUANTILE_METHODS = ["inverted_cdf", "averaged_inverted_cdf", "closest_observation",
                    "interpolated_inverted_cdf", "hazen", "weibull", "linear",
                    "median_unbiased", "normal_unbiased", "lower", "higher", "midpoint",
                    "nearest", "no_such_method"]
# name -> the scale of q (percentiles are quantiles times 100)
QUANTILES = {"quantile": 1, "nanquantile": 1, "percentile": 100, "nanpercentile": 100}


@pytest.mark.parametrize("name", QUANTILES)
@differential
@given(data=st.data())
def test_quantile(name, data):
    a = data.draw(arrays(kinds="biuf", specials=True))
    q = data.draw(st.sampled_from([0.0, 0.25, 0.5, 1.0, [0.1, 0.5, 0.9], [[0.0], [1.0]],
                                   1.5, -0.25]))
    q = np.asarray(q) * QUANTILES[name]
    kwargs = keywords(data.draw, {"axis": axes(a.ndim), "keepdims": st.booleans(),
                                  "method": st.sampled_from(QUANTILE_METHODS)})
    check_kw(scalar_if_0d(getattr(np, name)), a, q, **kwargs)


@pytest.mark.parametrize("name", ["quantile", "percentile"])
@differential
@given(data=st.data())
def test_weighted_quantile(name, data):
    """weights= (NumPy takes them with method='inverted_cdf' only)."""
    a = data.draw(arrays(kinds="if", shape=data.draw(shapes(1, nonempty=True))))
    weights = data.draw(arrays("float64", shape=data.draw(
        st.sampled_from([a.shape, a.shape[-1:]])), kinds="f")) ** 2 + 0.5
    axis = data.draw(st.sampled_from([None, -1]))
    method = data.draw(st.sampled_from(["inverted_cdf", "linear"]))
    check_kw(scalar_if_0d(getattr(np, name)), a, 0.5 * QUANTILES[name], axis=axis, weights=weights,
          method=method)


# NumPy returns 0-d arrays here; npaccel's dispatch (npaccel/dispatch/protocols.py, not
# this module's to fix) returns NumPy scalars. The tests above compare values regardless.
@differential
@given(data=st.data())
def test_average(data):
    a = data.draw(arrays(kinds="biufc"))
    axis = data.draw(axes(a.ndim))
    shape = data.draw(st.sampled_from([a.shape, a.shape[-1:], (4,)]))
    weights = data.draw(st.one_of(st.none(), arrays(shape=shape, kinds="iuf")))
    kwargs = keywords(data.draw, {"returned": st.booleans(), "keepdims": st.booleans()})
    check_kw(np.average, a, axis=axis, weights=weights, **kwargs)


@differential
@given(data=st.data())
def test_diff(data):
    a = data.draw(arrays(specials=True))
    kwargs = keywords(data.draw, {
        "n": st.sampled_from([0, 1, 2, 3, -1]), "axis": axes(a.ndim, tuples=False, none=False),
        "prepend": st.one_of(st.just(0), arrays(a.dtype, a.shape)),
        "append": st.one_of(st.just(1.5), arrays(a.dtype, a.shape))})
    check_kw(np.diff, a, **kwargs)


@differential
@given(data=st.data())
def test_ediff1d(data):
    a = data.draw(arrays(kinds="iuf"))
    ends = st.one_of(st.none(), st.just(0), arrays(a.dtype, shape=data.draw(shapes(max_ndim=1))))
    kwargs = keywords(data.draw, {"to_end": ends, "to_begin": ends})
    check_kw(np.ediff1d, a, **kwargs)


@differential
@given(data=st.data())
def test_gradient(data):
    a = data.draw(arrays(kinds="iufc"))
    axis = data.draw(st.one_of(st.none(), axes(a.ndim, tuples=False, none=False)))
    naxes = a.ndim if axis is None else 1
    spacing = data.draw(st.sampled_from([(), (2.0,), (0.5,) * naxes,
                                         tuple(np.arange(1.0, n + 1.0) ** 1.5
                                               for n in a.shape[:naxes])
                                         if axis is None else (np.arange(3.0),)]))
    kwargs = keywords(data.draw, {"edge_order": st.sampled_from([1, 2, 3])})
    check_kw(np.gradient, a, *spacing, axis=axis, **kwargs)


@differential
@given(data=st.data())
def test_trapezoid(data):
    y = data.draw(arrays(kinds="biufc"))
    axis = data.draw(axes(y.ndim, tuples=False, none=False))
    x = data.draw(st.one_of(st.none(), arrays(kinds="if", shape=y.shape),
                            arrays(kinds="if", shape=y.shape[-1:])))
    kwargs = keywords(data.draw, {"dx": st.sampled_from([0.5, 2])})
    check_kw(np.trapezoid, y, x, axis=axis, **kwargs)


@pytest.mark.parametrize("name", ["cov", "corrcoef"])
@differential
@given(data=st.data())
def test_covariance(name, data):
    m = data.draw(arrays(kinds="biufc", shape=data.draw(shapes(max_ndim=2))))
    y = data.draw(st.one_of(st.none(), arrays(m.dtype, shape=m.shape)))
    strategies = {"rowvar": st.booleans(), "dtype": st.sampled_from([None, "float32"])}
    if name == "cov":
        n = m.shape[-1] if m.ndim else 1
        strategies.update(bias=st.booleans(), ddof=st.sampled_from([None, 0, 2]),
                          fweights=arrays("int64", (n,), kinds="u"),
                          aweights=arrays("float64", (n,), kinds="u"))
    check_kw(getattr(np, name), m, y, **keywords(data.draw, strategies), tol_=1e-4)


@pytest.mark.parametrize("name", ["convolve", "correlate"])
@differential
@given(data=st.data())
def test_convolution(name, data):
    a = data.draw(arrays(shape=data.draw(shapes(max_ndim=1))))
    v = data.draw(arrays(shape=data.draw(shapes(max_ndim=2))))
    kwargs = keywords(data.draw, {"mode": st.sampled_from(["full", "same", "valid", "x"])})
    check_kw(getattr(np, name), a, v, **kwargs)


# --- histograms ----------------------------------------------------------------------------

BINS = [1, 3, 10, [0.0, 1.0, 2.5], [-3.0, 0.0, 0.0, 4.0], [2.0, 1.0], 0, "auto", "sturges"]


@pytest.mark.parametrize("name", ["histogram", "histogram_bin_edges"])
@differential
@given(data=st.data())
def test_histogram(name, data):
    a = data.draw(arrays(kinds="biuf"))
    strategies = {"bins": st.sampled_from(BINS),
                  "range": st.sampled_from([None, (-1.0, 2.0), (0, 0), (2.0, 1.0)]),
                  "weights": st.one_of(st.none(), arrays(shape=a.shape, kinds="iuf"))}
    if name == "histogram":
        strategies["density"] = st.booleans()
    check_kw(getattr(np, name), a, **keywords(data.draw, strategies))


@pytest.mark.parametrize("name", ["histogram2d", "histogramdd"])
@differential
@given(data=st.data())
def test_histogram_nd(name, data):
    n = data.draw(st.sampled_from([0, 1, 4]))
    dtype = data.draw(dtypes("iuf"))
    x, y = (data.draw(arrays(dtype, (n,))) for _ in range(2))
    args = (x, y) if name == "histogram2d" else (np.stack([x, y], axis=-1),)
    kwargs = keywords(data.draw, {
        "bins": st.sampled_from([2, [1, 3], [[0.0, 1.0, 4.0], [-1.0, 2.0]], 0]),
        "range": st.sampled_from([[(-1.0, 2.0), (0.0, 3.0)], [(0, 0), (1, 1)]]),
        "density": st.booleans(),
        "weights": arrays(shape=(n,), kinds="if")})
    check_kw(getattr(np, name), *args, **kwargs)


@differential
@given(data=st.data())
def test_bincount(data):
    x = data.draw(arrays(kinds="biu", shape=data.draw(shapes(max_ndim=1)))
                  | arrays(kinds="if", shape=data.draw(shapes(max_ndim=1))))
    kwargs = keywords(data.draw, {"weights": arrays(shape=x.shape, kinds="biuf"),
                                  "minlength": st.sampled_from([0, 3, 10, -1])})
    check_kw(np.bincount, x, **kwargs)


@differential
@given(data=st.data())
def test_digitize(data):
    x = data.draw(arrays(kinds="iuf", specials=True))
    bins = data.draw(st.sampled_from([[0.0, 1.0, 2.5], [3, 1, 0], [1.0], [], [[0.0, 1.0]],
                                      [0, 2, 1]]))
    kwargs = keywords(data.draw, {"right": st.booleans()})
    check_kw(np.digitize, x, np.asarray(bins), **kwargs)


COVERED = {f"numpy.{name}" for name in [
    *REDUCTIONS, "cumulative_sum", "cumulative_prod", *QUANTILES, "average", "diff",
    "ediff1d", "gradient", "trapezoid", "cov", "corrcoef", "convolve", "correlate",
    "histogram", "histogram_bin_edges", "histogram2d", "histogramdd", "bincount",
    "digitize"]}
