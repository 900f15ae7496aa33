"""Histograms, bincount and digitize: part of NumPy's "Statistics" section, re-exported by
npaccel.numpy.reductions (their home in the package's layout).

Equal-width bins follow NumPy's own algorithm exactly (the bin from the affine map of the
value, corrected by one against the linspace edges), so values on an edge land where as _where
NumPy puts them; explicit edges use a binary search. Counts are scatter-adds. The number
of bins a string estimator picks ('auto', 'fd', ...) and bincount's length depend on
values: they are read from the device, so under jit/vmap they raise ConcretizationError
(bincount takes jax.numpy's `length=` for a fixed size).
"""
from __future__ import annotations

import builtins
import math
import operator

import numpy as np

from npaccel.core import dtypes
from npaccel.core.trace import ConcretizationError
from npaccel.lax import elementwise as ew
from npaccel.lax import reduction as lax_red
from npaccel.lax import shape as lax_shape
from npaccel.lax import slicing
# NumPy-named helpers are imported under private names, so that npaccel.numpy exports only
# this module's own functions under NumPy's names.
from npaccel.numpy._core import PYTHON_SCALARS, asvalue, dtype_of, shape_of
from npaccel.numpy._core import astype as _astype
from npaccel.numpy._core import result_type as _result_type
from npaccel.numpy._reducing import (F64, INDEX, add, binary, comparison_dtype, concrete_int,
                                     count_true, difference, div, host, iota, kernel, operand,
                                     rounded, search_sorted, sort_with, sub)
from npaccel.numpy._reducing import full as _full
from npaccel.numpy._reducing import ravel as _ravel
from npaccel.numpy._reducing import sum_dtype as _sum_dtype
from npaccel.numpy._reducing import take as _take
from npaccel.numpy._reducing import where as _where
from npaccel.transforms.jit import jit

__all__ = ["histogram", "histogram2d", "histogramdd", "histogram_bin_edges", "bincount",
           "digitize"]


def _stats():
    # The estimators use min, max, std and percentile; imported late, as reductions
    # re-exports this module.
    from npaccel.numpy import reductions
    return reductions


def _scatter_add(length, idx, updates):
    """zeros(length) with updates added at idx (entries out of range dropped)."""
    dn = slicing.ScatterDimensionNumbers((), (0,), (0,))
    return slicing.scatter_add(_full((length,), 0, dtype_of(updates)),
                               lax_shape.expand_dims(idx, (1,)), updates, dn, mode="drop")


def _clip_index(idx, upper):
    return ew.max(ew.min(idx, _full(shape_of(idx), upper, INDEX)), _full(shape_of(idx), 0, INDEX))


# --- bin edges ---------------------------------------------------------------------------

def _finite_or_raise(first, last, what):
    known = [host(e) for e in (first, last)]
    if builtins.all(k is not None for k in known) and not np.all(np.isfinite(known)):
        raise ValueError(f"{what} range of [{known[0]}, {known[1]}] is not finite")


def _outer_edges(a, range_):
    """NumPy's _get_outer_edges: the range, or the data's min and max, widened by 0.5 when
    equal; Python scalars stay weak for the dtype rules."""
    if range_ is not None:
        first, last = (operand(e) for e in range_)
        known = [host(e) for e in (first, last)]
        if builtins.all(k is not None for k in known) and known[0] > known[1]:
            raise ValueError("max must be larger than min in range parameter.")
        _finite_or_raise(first, last, "supplied")
    elif math.prod(shape_of(a)) == 0:
        first, last = 0, 1
    else:
        first, last = _stats().min(a), _stats().max(a)
        _finite_or_raise(first, last, "autodetected")
    if builtins.all(type(e) in PYTHON_SCALARS for e in (first, last)):
        return (first - 0.5, last + 0.5) if first == last else (first, last)
    known = [host(e) for e in (first, last)]
    if builtins.all(k is not None for k in known):
        return (sub(first, 0.5), add(last, 0.5)) if known[0] == known[1] else (first, last)
    # Under jit the widening is a select.
    same = binary(ew.eq, first, last)
    widen = lambda e, d: ew.select(same, binary(ew.add, e, d),  # noqa: E731
                                   _astype(e, _result_type(e, 0.5)))
    return widen(first, -0.5), widen(last, 0.5)


def _linspace_dtype(first, last):
    """The dtype np.linspace(first, last) computes in (inexact; Python scalars weak)."""
    dtype = _result_type(first, last)
    return dtype if dtypes.is_inexact(dtype) else F64


def _edge(i, k, start, stop):
    """Edge i (any shape) of np.linspace(start, stop, k + 1) as NumPy computes it: i * step
    + start in start's dtype, each operation rounded (float16 through float32, as NumPy's
    half arithmetic), the last edge exactly `stop`."""
    dtype = dtype_of(start)
    wide = np.dtype(np.float32) if dtype.itemsize < 4 else dtype
    r = lambda v: _astype(_astype(v, dtype), wide)  # noqa: E731  (round to dtype)
    s0, s1 = (lax_shape.broadcast_in_dim(_astype(e, wide), shape_of(i), ()) for e in (start, stop))
    kk = lax_shape.broadcast_in_dim(k, shape_of(i), ())
    step = r(ew.div(r(ew.sub(s1, s0)), _astype(kk, wide)))
    y = r(ew.add(r(rounded(ew.mul(_astype(i, wide), step))), s0))
    return _astype(ew.select(ew.eq(i, kk), s1, y), dtype)


@kernel("num", "dtype")
def _linspace_kernel(start, stop, k, *, num, dtype):
    # k (= num) is an operand, not a constant: XLA turns a division by a constant into a
    # multiplication by its reciprocal, which rounds the step differently from NumPy.
    return _astype(_edge(iota(num + 1), k, start, stop), dtype)


def _linspace(start, stop, num: int, dtype):
    return _linspace_kernel(start, stop, np.asarray(num, INDEX), num=num, dtype=dtype)


def _equal_bins(first, last, a, num):
    """np.linspace(first, last, num + 1) in NumPy's bin dtype, and the arguments of the
    equal-bin count: the range in the comparison dtype and in the linspace dtype."""
    compute, bin_dtype = _linspace_dtype(first, last), _bin_dtype(first, last, a)
    cmp = comparison_dtype(a, first, last)
    start, stop = _astype(first, compute), _astype(last, compute)
    edges = _linspace(start, stop, num, bin_dtype)
    return edges, (_astype(first, cmp), _astype(last, cmp), start, stop)


def _bin_dtype(first, last, a):
    dtype = _result_type(first, last, a)
    return dtype if dtypes.is_inexact(dtype) else _result_type(dtype, 0.0)


def _bin_selectors():
    """NumPy's bin width estimators (on concrete data; widths are Python floats)."""
    r = _stats()

    def value(x):
        return host(x).item()

    def ptp_(x):
        # NumPy's _ptp: max - min without wrapping (unsigned for signed integers).
        hi, lo = host(r.max(x)), host(r.min(x))
        return int(hi) - int(lo) if dtype_of(x).kind in "iu" else (hi - lo).item()

    def sqrt_(x, n, range_):
        return ptp_(x) / np.sqrt(n)

    def sturges(x, n, range_):
        return ptp_(x) / (np.log2(n) + 1.0)

    def rice(x, n, range_):
        return ptp_(x) / (2.0 * n ** (1.0 / 3))

    def scott(x, n, range_):
        return (24.0 * np.pi ** 0.5 / n) ** (1.0 / 3.0) * value(r.std(x))

    def fd(x, n, range_):
        hi, lo = host(r.percentile(x, [75, 25]))
        return 2.0 * (hi - lo) * n ** (-1.0 / 3.0)

    def doane(x, n, range_):
        if n > 2:
            sg1 = np.sqrt(6.0 * (n - 2) / ((n + 1.0) * (n + 3)))
            sigma = value(r.std(x))
            if sigma > 0.0:
                g1 = value(r.mean(ew.integer_pow(div(sub(x, r.mean(x)), sigma), 3)))
                return ptp_(x) / (1.0 + np.log2(n) + np.log2(1.0 + abs(g1) / sg1))
        return 0.0

    def auto(x, n, range_):
        return builtins.min(builtins.max(fd(x, n, range_), sqrt_(x, n, range_) / 2),
                            sturges(x, n, range_))

    def stone(x, n, range_):
        width = ptp_(x)
        if n <= 1 or width == 0:
            return 0
        upper = builtins.max(100, int(np.sqrt(n)))
        edges, bounds = _equal_bins(*_outer_edges(x, range_), x, 1)
        scores = []
        for k in range(1, upper + 1):
            # One compiled kernel serves every k: the bin count is data, the slots fixed.
            counts = _uniform_kernel(x, None, *bounds, np.asarray(k, INDEX), length=upper,
                                     bin_dtype=dtype_of(edges))
            p = host(counts) / n
            scores.append((2 - (n + 1) * p.dot(p)) / (width / k))
        return width / (1 + int(np.argmin(scores)))

    return {"stone": stone, "auto": auto, "doane": doane, "fd": fd, "rice": rice,
            "scott": scott, "sqrt": sqrt_, "sturges": sturges}


def _estimated_bins(a, name, range_, weights):
    """The number of equal bins a string estimator picks (read from the device)."""
    selectors = _bin_selectors()
    if name not in selectors:
        raise ValueError(f"{name!r} is not a valid estimator for `bins`")
    if weights is not None:
        raise TypeError("Automated estimation of the number of bins is not supported for "
                        "weighted data")
    if host(a) is None:
        raise ConcretizationError(
            f"histogram(bins={name!r}): the number of bins depends on the values of the data, "
            "which are not known inside jit/vmap; pass the number of bins or the bin edges")
    first, last = _outer_edges(a, range_)
    x = a
    if range_ is not None:
        from npaccel.numpy.sorting import extract
        cmp = comparison_dtype(a, first, last)
        x = extract(ew.bitwise_and(binary(ew.ge, a, first, cmp), binary(ew.le, a, last, cmp)), a)
    n = math.prod(shape_of(x))
    if n == 0:
        return 1
    width = selectors[name](x, n, range_)
    if not width:
        return 1
    if dtype_of(a).kind in "iu" and width < 1:
        width = 1
    span = float(np.asarray(host(last), np.float64) - np.asarray(host(first), np.float64))
    return int(np.ceil(span / width))


def _bin_edges(a, bins, range_, weights):
    """NumPy's _get_bin_edges: the edges, and the equal-bin count's arguments (or None)."""
    if isinstance(bins, str):
        bins = _estimated_bins(a, bins, range_, weights)
    elif np.ndim(bins) == 0:
        try:
            bins = operator.index(bins)
        except TypeError:
            raise TypeError("`bins` must be an integer, a string, or an array") from None
        if bins < 1:
            raise ValueError("`bins` must be positive, when an integer")
    elif np.ndim(bins) == 1:
        edges = asvalue(bins)
        known = host(edges)
        if known is not None and np.any(known[:-1] > known[1:]):
            raise ValueError("`bins` must increase monotonically, when an array")
        return edges, None
    else:
        raise ValueError("`bins` must be 1d, when an array")
    return _equal_bins(*_outer_edges(a, range_), a, bins)


# --- counting ------------------------------------------------------------------------------

def _counted(keep, weights):
    """What each entry adds: 1 (int64) or its weight (summed in int64, float64 or complex128
    as np.bincount does), 0 where not kept."""
    if weights is None:
        return _astype(keep, INDEX)
    kind = dtype_of(weights).kind
    wide = np.complex128 if kind == "c" else (np.int64 if kind in "biu" else F64)
    return _where(keep, _astype(weights, wide), 0)


@kernel("length", "bin_dtype")
def _uniform_kernel(a, weights, lo, hi, start, stop, k, *, length, bin_dtype):
    """Counts (or summed weights) of `a` in k equal bins over [lo, hi] (the range in the
    comparison dtype; start and stop in the linspace dtype), by NumPy's algorithm: the bin
    from (x - first) / (last - first) * k, then one step down or up where x falls below or
    on/above the linspace edges. Scattered into `length` slots."""
    shape = shape_of(a)
    spread = lambda v: lax_shape.broadcast_in_dim(v, shape, ())  # noqa: E731
    cmp = _astype(a, dtype_of(lo))
    keep = ew.bitwise_and(ew.ge(cmp, spread(lo)), ew.le(cmp, spread(hi)))
    x = _astype(a, bin_dtype)
    x64, lo64, hi64 = _astype(x, F64), spread(_astype(lo, F64)), spread(_astype(hi, F64))
    f = ew.mul(ew.div(ew.sub(x64, lo64), ew.sub(hi64, lo64)), spread(_astype(k, F64)))
    idx = _astype(ew.select(keep, f, _full(shape, 0.0, F64)), INDEX)
    last_bin = ew.sub(spread(k), _full(shape, 1, INDEX))
    idx = ew.min(idx, last_bin)
    edge = lambda i: _astype(_edge(i, k, start, stop), bin_dtype)  # noqa: E731
    one = _full(shape, 1, INDEX)
    idx = ew.select(ew.lt(x, edge(idx)), ew.sub(idx, one), idx)
    up = ew.bitwise_and(ew.ge(x, edge(ew.add(idx, one))), ew.ne(idx, last_bin))
    idx = _clip_index(ew.select(up, ew.add(idx, one), idx), length - 1)
    hist = _scatter_add(length, idx, _counted(keep, weights))
    if weights is not None and dtype_of(weights) == np.bool_:
        return ew.ne(hist, _full(shape_of(hist), 0, INDEX))  # NumPy's bool += : any weight
    return hist if weights is None else _astype(hist, dtype_of(weights))


@kernel()
def _edges_kernel(a, weights, edges):
    """Counts (or summed weights) between explicit edges by NumPy's cumulative method: the
    data sorted (weights riding along), the running count (or running weight, in the
    weights' dtype) read where each edge would go (the last edge inclusive), differenced."""
    dtype = _result_type(dtype_of(a), dtype_of(edges))
    x, e = _astype(a, dtype), _astype(edges, dtype)
    nb = shape_of(e)[0] - 1
    if weights is None:
        s, cumulative = sort_with([x], [], 0)[0][0], None
    else:
        (s,), (w,) = sort_with([x], [weights], 0)
        running = lax_red.cumsum(_astype(w, _sum_dtype(dtype_of(w))), 0)
        cumulative = lax_shape.concatenate([_full((1,), 0, dtype_of(running)), running], 0)
    inner = slicing.slice_in_dim(e, 0, nb)
    at = lax_shape.concatenate([search_sorted(s, inner, "left"),
                                search_sorted(s, slicing.slice_in_dim(e, nb, nb + 1), "right")], 0)
    if cumulative is not None:
        at = _astype(_take(cumulative, at, 0), dtype_of(weights))
    return difference(at, 0)


@kernel()
def _density_kernel(hist, edges):
    widths = _astype(difference(edges, 0), F64)
    total = lax_red.reduce_sum(_astype(hist, _sum_dtype(dtype_of(hist))), (0,))
    return div(div(hist, widths), total)


def _histogram_input(a, weights):
    a = asvalue(a)
    if dtype_of(a) == np.bool_:
        a = _astype(a, np.uint8)  # as NumPy (which warns), so that the data can be subtracted
    if weights is not None:
        weights = asvalue(weights)
        if shape_of(weights) != shape_of(a):
            raise ValueError("weights should have the same shape as a.")
        weights = _ravel(weights)
    return _ravel(a), weights


def histogram_bin_edges(a, bins=10, range=None, weights=None):
    """numpy.histogram_bin_edges."""
    a, weights = _histogram_input(a, weights)
    return _bin_edges(a, bins, range, weights)[0]


def histogram(a, bins=10, range=None, density=None, weights=None):
    """numpy.histogram: counts (or summed weights) per bin, and the bin edges."""
    a, weights = _histogram_input(a, weights)
    edges, uniform = _bin_edges(a, bins, range, weights)
    nb = shape_of(edges)[0] - 1
    if uniform is None:
        if weights is not None and dtype_of(weights) == np.bool_:
            # As NumPy: its running weights are int64 and cannot be added into booleans.
            raise TypeError("Cannot cast ufunc 'add' output from dtype('int64') to "
                            "dtype('bool') with casting rule 'same_kind'")
        hist = _edges_kernel(a, weights, edges)
    else:
        hist = _uniform_kernel(a, weights, *uniform, np.asarray(nb, INDEX), length=nb,
                               bin_dtype=dtype_of(edges))
    return (_density_kernel(hist, edges) if density else hist), edges


@kernel("sizes")
def _histogramdd_kernel(sample, weights, edges, *, sizes):
    """NumPy's histogramdd count: each coordinate's bin by a right-sided search (a value on
    the last edge goes into the last bin), outliers in extra bins at both ends, one flat
    scatter over the padded grid, then the outliers cut off."""
    n, d = shape_of(sample)
    flat = _full((n,), 0, INDEX)
    for i, e in enumerate(edges):
        col = lax_shape.squeeze(slicing.slice_in_dim(sample, i, i + 1, axis=1), (1,))
        dtype = _result_type(dtype_of(col), dtype_of(e))
        col, e = _astype(col, dtype), _astype(e, dtype)
        idx = search_sorted(e, col, "right")
        last = _take(e, np.asarray(shape_of(e)[0] - 1), 0)
        on_edge = ew.eq(col, lax_shape.broadcast_in_dim(last, (n,), ()))
        idx = ew.select(on_edge, ew.sub(idx, _full((n,), 1, INDEX)), idx)
        flat = ew.add(ew.mul(flat, _full((n,), sizes[i], INDEX)), idx)
    updates = _full((n,), 1.0, F64) if weights is None else _astype(weights, F64)
    hist = lax_shape.reshape(_scatter_add(math.prod(sizes), flat, updates), sizes)
    return slicing.slice(hist, (1,) * d, tuple(s - 1 for s in sizes))


def histogramdd(sample, bins=10, range=None, density=None, weights=None):
    """numpy.histogramdd: a D-dimensional histogram of N points (an (N, D) array, or a
    sequence of D coordinate arrays); float64 counts."""
    from_sequence = isinstance(sample, (list, tuple))
    sample = asvalue(sample)
    if len(shape_of(sample)) < 2:
        sample = lax_shape.reshape(sample, (math.prod(shape_of(sample)), 1))
    elif from_sequence:  # D coordinate arrays: np.atleast_2d(sample).T
        sample = lax_shape.transpose(sample, (1, 0))
    n, d = shape_of(sample)
    if weights is not None:
        weights = asvalue(weights)
        if dtypes.is_complex(dtype_of(weights)):
            raise TypeError("Cannot cast array data from dtype('complex128') to "
                            "dtype('float64') according to the rule 'safe'")
    try:
        if len(bins) != d:
            raise ValueError("The dimension of bins must be equal to the dimension of the "
                             "sample x.")
    except TypeError:
        bins = d * [bins]
    if range is None:
        range = (None,) * d
    elif len(range) != d:
        raise ValueError("range argument must have one entry per dimension")
    edges = []
    for i in builtins.range(d):
        if np.ndim(bins[i]) == 0:
            if bins[i] < 1:
                raise ValueError(f"`bins[{i}]` must be positive, when an integer")
            column = lax_shape.squeeze(slicing.slice_in_dim(sample, i, i + 1, axis=1), (1,))
            lo, hi = _outer_edges(column, range[i])
            try:
                num = operator.index(bins[i])
            except TypeError:
                raise TypeError(f"`bins[{i}]` must be an integer, when a scalar") from None
            compute = _linspace_dtype(lo, hi)
            edges.append(_linspace(_astype(lo, compute), _astype(hi, compute), num, compute))
        elif np.ndim(bins[i]) == 1:
            e = asvalue(bins[i])
            known = host(e)
            if known is not None and np.any(known[:-1] > known[1:]):
                raise ValueError(f"`bins[{i}]` must be monotonically increasing, when an array")
            edges.append(e)
        else:
            raise ValueError(f"`bins[{i}]` must be a scalar or 1d array")
    sizes = tuple(shape_of(e)[0] + 1 for e in edges)
    hist = _histogramdd_kernel(sample, weights, edges, sizes=sizes)
    if density:
        hist = _density_dd_kernel(hist, edges)
    return hist, edges


@kernel()
def _density_dd_kernel(hist, edges):
    d, total = len(edges), lax_red.reduce_sum(hist, tuple(range(len(edges))))
    for i, e in enumerate(edges):
        shape = [1] * d
        shape[i] = shape_of(e)[0] - 1
        hist = div(hist, lax_shape.reshape(_astype(difference(e, 0), F64), tuple(shape)))
    return div(hist, total)


def histogram2d(x, y, bins=10, range=None, density=None, weights=None):
    """numpy.histogram2d: histogramdd of the points (x, y)."""
    if len(x) != len(y):
        raise ValueError("x and y must have the same length.")
    try:
        n = len(bins)
    except TypeError:
        n = 1
    if n != 1 and n != 2:
        bins = [bins, bins]
    hist, edges = histogramdd([x, y], bins, range, density, weights)
    return hist, edges[0], edges[1]


# --- bincount and digitize -------------------------------------------------------------------

@kernel("length")
def _bincount_kernel(x, weights, *, length):
    idx = _astype(x, INDEX)
    # Negative values (possible only with length=) are dropped, like values >= length.
    idx = ew.select(ew.lt(idx, _full(shape_of(idx), 0, INDEX)),
                    _full(shape_of(idx), length, INDEX), idx)
    updates = _full(shape_of(idx), 1, INDEX) if weights is None else _astype(weights, F64)
    return _scatter_add(length, idx, updates)


@jit
def _bincount_bounds(x):
    idx = _astype(x, INDEX)
    return (count_true(ew.lt(idx, _full(shape_of(idx), 0, INDEX))),
            lax_red.reduce_max(idx, (0,)))


def bincount(x, /, weights=None, minlength=0, *, length=None):
    """numpy.bincount: occurrences of each non-negative integer (float64 summed weights
    with `weights`). The length is max(x) + 1 (at least minlength), read from the device;
    under jit/vmap pass `length=` (jax.numpy's keyword).

    # Note: with length= negative values and values >= length are dropped, not errors."""
    # An empty sequence is an empty list of integers (its NumPy conversion is float64).
    x = asvalue(x, INDEX if isinstance(x, (list, tuple)) and not x else None)
    if len(shape_of(x)) != 1:
        raise ValueError("object of too small depth for desired array" if not shape_of(x)
                         else "object too deep for desired array")
    if dtype_of(x).kind not in "biu":
        raise TypeError(f"Cannot cast array data from dtype('{dtype_of(x)}') to "
                        f"dtype('int64') according to the rule 'safe'")
    if minlength is None:
        raise TypeError("use 0 instead of None for minlength")
    minlength = operator.index(minlength)
    if minlength < 0:
        raise ValueError("'minlength' must not be negative")
    if weights is not None:
        weights = asvalue(weights)
        if dtypes.is_complex(dtype_of(weights)):
            raise TypeError("bincount weights must be real numbers, got complex")
        if shape_of(weights) != shape_of(x):
            raise ValueError("The weights and list don't have the same length.")
    n = shape_of(x)[0]
    if n == 0:  # as NumPy: int64 zeros for empty input, weights or not
        return _full((minlength if length is None else operator.index(length),), 0, INDEX)
    if length is None:
        negative, top = _bincount_bounds(x)
        if concrete_int(negative, "bincount", "pass length="):
            raise ValueError("'list' argument must have no negative elements")
        length = builtins.max(concrete_int(top, "bincount", "pass length=") + 1, minlength)
    return _bincount_kernel(x, weights, length=operator.index(length))


@kernel("side", "direction")
def _digitize_kernel(x, bins, *, side, direction):
    n = shape_of(bins)[0]
    up = search_sorted(bins, x, side)
    down = ew.sub(_full(shape_of(x), n, INDEX), search_sorted(lax_shape.rev(bins, (0,)), x, side))
    if direction != "either" or n == 0:
        return down if direction == "down" else up
    rising = ew.ge(_take(bins, np.asarray(n - 1), 0), _take(bins, np.asarray(0), 0))
    return ew.select(lax_shape.broadcast_in_dim(rising, shape_of(up), ()), up, down)


def digitize(x, bins, right=False):
    """numpy.digitize: the index of the bin each x falls in (bins increasing or
    decreasing)."""
    x, bins = asvalue(x), asvalue(bins)
    if dtypes.is_complex(dtype_of(x)):
        raise TypeError("x may not be complex")
    if len(shape_of(bins)) != 1:
        raise ValueError("object of too small depth for desired array" if not shape_of(bins)
                         else "object too deep for desired array")
    known = host(bins)
    direction = "either"
    if known is not None:
        steps = np.diff(known)
        if np.all(steps >= 0):
            direction = "up"
        elif np.all(steps <= 0):
            direction = "down"
        else:
            raise ValueError("bins must be monotonically increasing or decreasing")
    # Note: under jit/vmap the direction comes from the end points (as jax.numpy), and
    # non-monotonic bins go undetected.
    dtype = _result_type(dtype_of(x), dtype_of(bins))
    return _digitize_kernel(_astype(x, dtype), _astype(bins, dtype),
                            side="left" if right else "right", direction=direction)
