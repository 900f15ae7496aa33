"""Differential tests of sorting, searching, counting and set routines
(npaccel/numpy/sorting.py, sets.py) against NumPy: random dtypes (NaN, ±inf and integer
limits included), shapes (0-d, empty), axes and keywords."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.differential._differential import (arrays, broadcast_shapes, differential, dtypes,
                                              shapes)
from tests.differential._keywords import axes, check_kw, keywords, scalar_if_0d

SORT_KINDS = [None, "quicksort", "mergesort", "heapsort", "stable", "bogus"]


@pytest.mark.parametrize("name", ["sort", "argsort"])
@differential
@given(data=st.data())
def test_sort(name, data):
    # Note: these arrays are short enough that NumPy's quicksort is an insertion sort,
    # which is stable, so argsort's ties have one answer.
    a = data.draw(arrays(specials=True))
    kwargs = keywords(data.draw, {"axis": axes(a.ndim, tuples=False),
                                  "kind": st.sampled_from(SORT_KINDS),
                                  "stable": st.sampled_from([None, True, False])})
    check_kw(getattr(np, name), a, **kwargs)


def _partitioned(name):
    """What a partition determines: the sorted values, and those at the kth places (the
    arrangement of the others is NumPy's choice)."""
    def invariant(a, kth, **kwargs):
        axis = kwargs.get("axis", -1)
        r = getattr(np, name)(a, kth, **kwargs)
        if name == "argpartition":
            base = a.reshape(-1) if axis is None else (a.reshape(1) if a.ndim == 0 else a)
            r = np.take_along_axis(base, r, axis=-1 if axis is None else axis)
        axis = -1 if axis is None else axis
        if r.size == 0:  # np.take checks no index then (npaccel's take does: not ours)
            return np.sort(r, axis=axis)
        return np.sort(r, axis=axis), np.take(r, kth, axis=axis)
    invariant.__name__ = name
    return invariant


@pytest.mark.parametrize("name", ["partition", "argpartition"])
@differential
@given(data=st.data())
def test_partition(name, data):
    a = data.draw(arrays(kinds="biuf", specials=True, shape=data.draw(shapes(min_ndim=1))))
    kth = data.draw(st.sampled_from([0, -1, 1, [0, 1], 3, 5, True, 1.0]))
    kwargs = keywords(data.draw, {"axis": axes(a.ndim, tuples=False),
                                  "kind": st.sampled_from(["introselect", "quick"])})
    check_kw(_partitioned(name), a, kth, **kwargs)


@differential
@given(data=st.data())
def test_lexsort(data):
    shape = data.draw(shapes())
    keys = [data.draw(arrays(shape=shape, specials=True)) for _ in range(data.draw(
        st.integers(1, 3)))]
    if data.draw(st.booleans()):  # a mismatched key
        keys.append(data.draw(arrays(shape=data.draw(shapes()))))
    kwargs = keywords(data.draw, {"axis": axes(len(shape), tuples=False, none=False)})
    # A tuple (NumPy dispatches on a tuple's entries, not on a list's) or one stacked array.
    keys = data.draw(st.sampled_from([tuple(keys), np.stack(keys) if len(keys) == 1 else
                                      tuple(keys)]))
    check_kw(np.lexsort, keys, **kwargs)


@differential
@given(data=st.data())
def test_searchsorted(data):
    dtype = data.draw(dtypes())
    a = data.draw(arrays(dtype, shape=data.draw(shapes(max_ndim=1)), specials=True))
    v = data.draw(arrays(dtype, specials=True) | arrays(specials=True))
    sorted_ = data.draw(st.booleans())
    kwargs = keywords(data.draw, {"side": st.sampled_from(["left", "right", "middle"])})
    if sorted_ or a.ndim == 0:
        check_kw(np.searchsorted, np.sort(a) if a.ndim else a, v, **kwargs)
    else:
        check_kw(np.searchsorted, a, v, sorter=np.argsort(a, kind="stable"), **kwargs)


@pytest.mark.parametrize("name", ["nonzero", "flatnonzero", "argwhere"])
@differential
@given(data=st.data())
def test_nonzero(name, data):
    check_kw(getattr(np, name), data.draw(arrays(specials=True)))


@differential
@given(data=st.data())
def test_where(data):
    cond_shape, x_shape, y_shape = data.draw(broadcast_shapes(3))
    cond = data.draw(arrays(shape=cond_shape, kinds="bif"))
    if data.draw(st.booleans()):
        check_kw(np.where, cond)
        return
    x = data.draw(arrays(shape=x_shape, specials=True) | st.sampled_from([2, 1.5, True]))
    y = data.draw(arrays(shape=y_shape, specials=True))
    check_kw(np.where, cond, x, y)


@differential
@given(data=st.data())
def test_extract(data):
    arr = data.draw(arrays(specials=True))
    shape = data.draw(st.sampled_from([arr.shape, (arr.size,), (4,)]))
    check_kw(np.extract, data.draw(arrays(kinds="bi", shape=shape)), arr)


# --- sets ----------------------------------------------------------------------------------

UNIQUE_FLAGS = ["return_index", "return_inverse", "return_counts"]


@differential
@given(data=st.data())
def test_unique(data):
    a = data.draw(arrays(specials=True))
    strategies = dict.fromkeys(UNIQUE_FLAGS, st.booleans())
    strategies.update(axis=axes(a.ndim, tuples=False), equal_nan=st.booleans())
    kwargs = keywords(data.draw, strategies)
    if kwargs.get("equal_nan") is False and np.isnan(a.real if a.dtype.kind == "c" else
                                                     a.astype(float)).sum() > 1:
        # Several NaNs kept apart: NumPy does not specify the order of their indices.
        kwargs.pop("return_index", None)
    check_kw(np.unique, a, **kwargs)


@pytest.mark.parametrize("name", ["unique_all", "unique_counts", "unique_inverse",
                                  "unique_values"])
@differential
@given(data=st.data())
def test_unique_array_api(name, data):
    fun = scalar_if_0d(getattr(np, name))
    if name == "unique_values":  # NumPy's order is its hash table's: compare sorted
        fun = lambda x: np.sort(np.unique_values(x))  # noqa: E731
    check_kw(fun, data.draw(arrays(specials=True)))


def _set_args(data):
    """Two arrays of one dtype (sometimes two), and whether to assume them unique (they
    then are: NumPy's result for repeated entries under assume_unique is unspecified)."""
    dtype = data.draw(dtypes("biuf"))
    other = data.draw(st.just(dtype) | dtypes("biuf"))
    a, b = (data.draw(arrays(d, specials=True)) for d in (dtype, other))
    assume = data.draw(st.booleans())
    if assume:
        a, b = (np.unique(x) for x in (a, b))
    return a, b, assume


SET_OPS = ["intersect1d", "setdiff1d", "setxor1d", "union1d"]


@pytest.mark.parametrize("name", SET_OPS)
@differential
@given(data=st.data())
def test_set_op(name, data):
    a, b, assume = _set_args(data)
    kwargs = {} if name == "union1d" else {"assume_unique": assume}
    if name == "intersect1d":
        kwargs.update(keywords(data.draw, {"return_indices": st.booleans()}))
    check_kw(getattr(np, name), a, b, **kwargs)


@differential
@given(data=st.data())
def test_isin(data):
    a, b, assume = _set_args(data)
    kwargs = keywords(data.draw, {"invert": st.booleans(),
                                  "kind": st.sampled_from([None, "sort", "table", "hash"])})
    check_kw(scalar_if_0d(np.isin), a, b, assume_unique=assume, **kwargs)


# NumPy returns 0-d arrays here; npaccel's dispatch (npaccel/dispatch/protocols.py, not
# this module's to fix) returns NumPy scalars. The tests above compare values regardless.
COVERED = {f"numpy.{name}" for name in [
    "sort", "argsort", "partition", "argpartition", "lexsort", "searchsorted", "nonzero",
    "flatnonzero", "argwhere", "where", "extract", "unique", "unique_all", "unique_counts",
    "unique_inverse", "unique_values", *SET_OPS, "isin"]}
