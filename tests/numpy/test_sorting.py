"""npaccel.numpy.sorting against NumPy: sort, argsort, lexsort, partition, argpartition,
searchsorted, nonzero, flatnonzero, argwhere, where and extract over every dtype, 0-d and
empty shapes, NaN and complex orders, keywords and NumPy's exception classes; size= and
ConcretizationError under jit/vmap; jit against eager, vmap against a loop, derivatives of
sorted values against finite differences."""
from functools import partial

import numpy as np
import pytest

import npaccel
from npaccel.core.trace import ConcretizationError
from npaccel.numpy import sorting as ns
from harness import assert_close, check_grads
from tests.numpy._against_numpy import ALL, quiet_numpy  # noqa: F401 (autouse fixture)
from tests.numpy._against_numpy import rand as _rand
from tests.numpy._against_numpy import same_many as _same_many

SHAPES = [(), (0,), (7,), (3, 4), (0, 3)]
rand = partial(_rand, ties=True)


# Reference functions where NumPy leaves a choice: argsort breaks ties stably here, and
# partition's arrangement is a full sort (one NumPy allows).
REFERENCE = {
    "argsort": lambda a, axis=-1, **kw: (np.argsort(a, axis=axis, **kw),
                                         np.argsort(a, axis=axis, kind="stable"))[1],
    "argpartition": lambda a, kth, axis=-1, **kw: (np.argpartition(a, kth, axis=axis, **kw),
                                                   np.argsort(a, axis=axis, kind="stable"))[1],
    "partition": lambda a, kth, axis=-1, **kw: np.sort(np.partition(a, kth, axis=axis, **kw),
                                                       axis=axis),
}


same_many = partial(_same_many, ns, reference=REFERENCE)


# --- sorting ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL, ids=lambda d: np.dtype(d).name)
def test_sort_dtypes(dtype):
    x = rand((3, 4), dtype, nans=True)
    calls = []
    for axis in (-1, 0, None):
        calls += [("sort", (x,), {"axis": axis}), ("argsort", (x,), {"axis": axis}),
                  ("partition", (x, 1), {"axis": axis}), ("argpartition", (x, 1), {"axis": axis})]
    calls += [("lexsort", ((x[0], x[1], x[2]),), {}), ("lexsort", (x,), {"axis": 0}),
              ("sort", (x,), {"kind": "stable"}), ("argsort", (x,), {"stable": True})]
    same_many(calls)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_sort_shapes(shape):
    x = rand(shape, np.float64, nans=True)
    calls = []
    for axis in (-1, 0, 1, None):
        calls += [("sort", (x,), {"axis": axis}), ("argsort", (x,), {"axis": axis}),
                  ("partition", (x, 0), {"axis": axis}), ("argpartition", (x, -1), {"axis": axis}),
                  ("lexsort", ([x, -x],), {"axis": axis if axis is not None else -1})]
    same_many(calls)


def test_partition_kth_element():
    x = rand((4, 9), np.float64, nans=True)
    for kth in (0, 4, -1, [1, 7]):
        got = np.asarray(ns.partition(x, kth, axis=1))
        want = np.partition(x, kth, axis=1)
        for k in np.atleast_1d(kth):
            np.testing.assert_array_equal(got[:, k], want[:, k])
        idx = np.asarray(ns.argpartition(x, kth, axis=1))
        np.testing.assert_array_equal(np.take_along_axis(x, idx, 1)[:, kth],
                                      want[:, kth])


def test_stable_argsort_and_lexsort_ties():
    x = np.array([3, 1, 3, 1, 2, 3, 1, 1] * 5)
    np.testing.assert_array_equal(np.asarray(ns.argsort(x)), np.argsort(x, kind="stable"))
    keys = (np.array([1, 1, 0, 0, 1]), np.array([2.0, 1.0, 2.0, np.nan, 2.0]))
    np.testing.assert_array_equal(np.asarray(ns.lexsort(keys)), np.lexsort(keys))


def test_nan_and_complex_order():
    f = np.array([np.nan, 1.0, -np.inf, np.inf, -0.0, 0.0, np.nan, -1.0])
    z = np.array([complex(np.nan, 1), 1 + 1j, complex(1, np.nan), 1 - 1j, complex(np.nan, np.nan),
                  -1 + 2j, 1 + 1j, complex(np.nan, 0)])
    same_many([(name, (a,), {}) for name in ("sort", "argsort") for a in (f, z)])


# --- searchsorted --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL, ids=lambda d: np.dtype(d).name)
def test_searchsorted(dtype):
    a = np.sort(rand((9,), dtype, nans=True))
    v = rand((2, 5), dtype, seed=1, nans=True)
    unsorted = rand((9,), dtype, seed=2)
    calls = [("searchsorted", (a, v), {}), ("searchsorted", (a, v), {"side": "right"}),
             ("searchsorted", (a, v[0, 0]), {}), ("searchsorted", (a[:0], v), {}),
             ("searchsorted", (unsorted, v), {"sorter": np.argsort(unsorted, kind="stable")}),
             ("searchsorted", (a, 1), {"side": "right"}), ("searchsorted", (a, 1.5), {})]
    same_many(calls)


def test_searchsorted_promotion_and_errors():
    a = np.array([1, 2, 2, 3], np.int8)
    same_many([("searchsorted", (a, 300), {}),
               ("searchsorted", (np.array([1, 2], np.uint8), -1), {}),
               ("searchsorted", (a, np.array([1.5, 2.0])), {"side": "right"}),
               ("searchsorted", (a.astype(np.float32), 2.0000001), {}),
               ("searchsorted", (np.ones((2, 2)), 1), {}), ("searchsorted", (np.float64(1), 1), {}),
               ("searchsorted", (a, 1), {"side": "foo"}), ("searchsorted", (a, 1), {"side": None}),
               ("searchsorted", (a, 1), {"sorter": [0, 1]})], eager=True)


# --- nonzero, argwhere, where, extract -------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL, ids=lambda d: np.dtype(d).name)
def test_nonzero_family(dtype):
    calls = []
    for shape in SHAPES:
        x = rand(shape, dtype, nans=True)
        calls += [("nonzero", (x,), {}), ("flatnonzero", (x,), {}), ("argwhere", (x,), {}),
                  ("where", (x,), {}), ("extract", (x, x), {}),
                  ("where", (x, x, np.zeros((), dtype)), {})]
    same_many(calls, eager=True)


def test_where_three_arguments():
    c = np.array([[True, False, True]])
    same_many([("where", (c, np.int8(1), 2), {}),
               ("where", (c, np.arange(3, dtype=np.int8), 2.5), {}),
               ("where", (c, [[1], [2]], np.float32(3)), {}), ("where", (1, 2, 3), {}),
               ("where", ([1, 0], 1j, np.uint8(4)), {}), ("where", (c, 1), {}),
               ("where", (c, np.ones(2), np.ones(3)), {})], eager=True)


def test_extract_and_errors():
    same_many([("extract", (np.array([1, 0, 1]), np.array([5, 6])), {}),
               ("extract", (np.array([1, 0]), np.array([5, 6, 7])), {}),
               ("extract", ([[1, 0]], [[5, 6]]), {}), ("nonzero", (np.float64(1),), {}),
               ("sort", (np.float64(1),), {}), ("sort", (np.ones(3),), {"axis": 1}),
               ("sort", (np.ones(3),), {"kind": "foo"}), ("sort", (np.ones(3),), {"kind": 1}),
               ("sort", (np.ones(3),), {"order": "a"}),
               ("sort", (np.ones(3),), {"kind": "stable", "stable": True}),
               ("argsort", (np.ones(3),), {"axis": 1.0}), ("argsort", (np.float64(2),), {}),
               ("lexsort", ([],), {}), ("lexsort", ([np.ones(3), np.ones(2)],), {}),
               ("lexsort", (np.float64(1),), {}), ("lexsort", (np.array([3, 1, 2]),), {}),
               ("partition", (np.ones(3), 3), {}), ("partition", (np.ones(3), -4), {}),
               ("partition", (np.ones(3), 1.0), {}), ("partition", (np.ones(3), True), {}),
               ("partition", (np.ones(3), 1), {"kind": "foo"}),
               ("partition", (np.ones(3), [[1]]), {}), ("partition", (np.zeros(0), 0), {}),
               ("argpartition", (np.float64(3), 0), {})], eager=True)


def test_size_and_fill_value():
    x = np.array([[0, 2, 0], [3, 0, 4]])
    for f in (npaccel.jit, lambda g: g):
        got = f(lambda v: ns.nonzero(v, size=6, fill_value=-1))(x)
        want = [np.concatenate([i, np.full(3, -1)]) for i in np.nonzero(x)]
        for g, w in zip(got, want):
            assert_close(g, w, 0)
        assert_close(f(lambda v: ns.flatnonzero(v, size=2))(x), np.flatnonzero(x)[:2], 0)
        assert_close(f(lambda v: ns.argwhere(v, size=5, fill_value=(7, 8)))(x),
                     np.concatenate([np.argwhere(x), [[7, 8], [7, 8]]]), 0)
        assert_close(f(lambda v: ns.extract(v > 1, v, size=4, fill_value=9))(x),
                     np.array([2, 3, 4, 9]), 0)
        got = f(lambda v: ns.where(v, size=1))(x)
        assert_close(got[0], np.array([0]), 0)
    rows = np.array([[0, 1, 1, 0], [1, 0, 0, 0]])
    batched = npaccel.vmap(lambda v: ns.nonzero(v, size=3)[0])(rows)
    assert_close(batched, np.array([[1, 2, 0], [0, 0, 0]]), 0)


@pytest.mark.parametrize("name", ["nonzero", "flatnonzero", "argwhere", "where", "extract"])
def test_value_dependent_shapes_raise_under_jit(name):
    fun = (lambda v: ns.extract(v, v)) if name == "extract" else getattr(ns, name)
    with pytest.raises(ConcretizationError, match=name):
        npaccel.jit(fun)(np.array([0, 1, 2]))
    with pytest.raises(ConcretizationError, match=name):
        npaccel.vmap(fun)(np.array([[0, 1, 2]]))


# --- transformations ----------------------------------------------------------------------

SUBSET = {
    "sort": lambda a: ns.sort(a, axis=0),
    "sort_flat": lambda a: ns.sort(a, axis=None),
    "argsort": lambda a: ns.argsort(a, axis=1),
    "lexsort": lambda a: ns.lexsort(a),
    "partition": lambda a: ns.partition(a, 2, axis=1),
    "searchsorted": lambda a: ns.searchsorted(ns.sort(a, axis=None), a, side="right"),
    "where": lambda a: ns.where(a > 0, a, 2.0 * a),
}


@pytest.mark.parametrize("name", list(SUBSET))
def test_jit_and_vmap(name):
    fun = SUBSET[name]
    x = rand((3, 4), np.float64) + np.arange(12).reshape(3, 4) * 1e-3
    assert_close(npaccel.jit(fun)(x), fun(x), 0)
    xs = np.stack([x, -x, x[::-1]])
    assert_close(npaccel.vmap(fun)(xs), np.stack([np.asarray(fun(b)) for b in xs]), 0)


@pytest.mark.parametrize("name", ["sort", "sort_flat", "partition", "where"])
def test_grad(name):
    x = np.random.default_rng(3).standard_normal((3, 4))
    check_grads(SUBSET[name], [x], order=2)
