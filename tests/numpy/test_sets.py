"""npaccel.numpy.sets against NumPy: unique (every return_* flag, axis, equal_nan), the
Array API unique_* functions, intersect1d, union1d, setdiff1d, setxor1d and isin over every
dtype, 0-d and empty shapes, NaN and complex values, assume_unique and NumPy's exception
classes; size=/fill_value= and ConcretizationError under jit/vmap; jit against eager and
vmap against a loop where shapes are static."""
import numpy as np
import pytest

import npaccel
from npaccel.core.trace import ConcretizationError
from npaccel.numpy import sets as nst
from harness import assert_close, check_grads, default_tol
from tests.numpy._against_numpy import ALL, quiet_numpy  # noqa: F401 (autouse fixture)
from tests.numpy._against_numpy import rand as _rand
from tests.numpy._against_numpy import same_many as _same_many


def rand(shape, dtype, seed=0, nans=False):
    """Few distinct values (many repeats), and a -0.0 beside the 0.0s for floats."""
    x = _rand(shape, dtype, seed, nans, ties=True)
    if np.dtype(dtype).kind == "f" and x.size > 3:
        x.flat[3] = -0.0
    return x


def same_many(calls):
    """Eagerly: the output shapes depend on values."""
    _same_many(nst, calls, eager=True)


def _flags():
    return [dict(return_index=i, return_inverse=v, return_counts=c)
            for i in (False, True) for v in (False, True) for c in (False, True)]


# --- unique ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL, ids=lambda d: np.dtype(d).name)
def test_unique_dtypes(dtype):
    x = rand((3, 5), dtype, nans=True)
    every = {"return_index": True, "return_inverse": True, "return_counts": True}
    calls = [("unique", (x,), {}), ("unique", (x,), every),
             ("unique", (x,), {"equal_nan": False, "return_counts": True})]
    if dtype != np.float16:
        # Note: NumPy orders float16 rows with NaN first (its structured compare), unlike
        # its float16 sort and the other dtypes' rows; npaccel puts NaN last throughout.
        calls.append(("unique", (x,), {"axis": 0, **every}))
        calls.append(("unique", (x[:, :2],), {"axis": 1, "return_counts": True}))
    same_many(calls)


def test_unique_flags():
    x = rand((3, 5), np.float64, nans=True)
    same_many([("unique", (x,), flags) for flags in _flags()]
              + [("unique", (x,), {"axis": 1, **flags}) for flags in _flags()])


@pytest.mark.parametrize("shape", [(), (0,), (6,), (0, 3), (2, 0), (2, 3, 2)], ids=str)
def test_unique_shapes(shape):
    x = rand(shape, np.float64, nans=True)
    calls = [("unique", (x,), dict(return_index=True, return_inverse=True, return_counts=True))]
    for axis in (0, 1, -1, 3):
        calls.append(("unique", (x,), dict(axis=axis, return_index=True, return_inverse=True,
                                           return_counts=True)))
    same_many(calls)


def test_unique_nan_rows_and_signed_zeros():
    same_many([("unique", (np.array([[1, np.nan], [1, np.nan], [0, 1]]),), {"axis": 0}),
               ("unique", (np.array([[0.0, 1], [-0.0, 1]]),), {"axis": 0, "return_index": True}),
               ("unique", (np.array([-0.0, 0.0, np.nan, np.nan]),), {"return_counts": True}),
               ("unique", (np.array([complex(1, np.nan), complex(np.nan, 1), 1, 1]),),
                {"return_index": True}),
               ("unique", (np.ones((2, 3)),), {"axis": 1.5}),
               ("unique", ([3, 1, 3],), {"sorted": True})])


@pytest.mark.parametrize("name", ["unique_values", "unique_counts", "unique_inverse",
                                  "unique_all"])
@pytest.mark.parametrize("dtype", [np.bool_, np.int16, np.uint64, np.float32, np.complex128],
                         ids=str)
def test_array_api_unique(name, dtype):
    x = rand((3, 4), dtype, nans=True)
    got, want = getattr(nst, name)(x), getattr(np, name)(x)
    if name == "unique_values":
        # Note: NumPy may return hash order; npaccel returns sorted values.
        assert_close(got, np.sort(want), default_tol(want.dtype))
        return
    assert type(got).__name__ == type(want).__name__
    order = np.argsort(want.values, kind="stable")  # NumPy's order may differ: compare as maps
    assert_close(got.values, want.values[order], default_tol(want.values.dtype))
    if hasattr(want, "counts"):
        assert_close(got.counts, want.counts[order], 0)
    if hasattr(want, "indices"):
        assert_close(got.indices, want.indices[order], 0)
    if hasattr(want, "inverse_indices"):
        values = np.asarray(got.values)
        assert_close(values[np.asarray(got.inverse_indices)], want.values[want.inverse_indices],
                     default_tol(want.values.dtype))


# --- set operations ----------------------------------------------------------------------

PAIRS = [
    (np.array([1, 2, 2, 3, np.nan]), np.array([2, 2, 3, 4, np.nan])),
    (np.array([1, 2, 3], np.int8), np.array([2, 3, 4])),
    (np.array([[1, 2], [2, 3]]), 2),
    (np.array([]), np.array([1.0])),
    (np.array([], np.int8), np.array([], np.int8)),
    (np.array([3, 1, 2, 3]), np.array([2])),
    (np.array([1, 1, 2]), np.array([1, 2])),
    (np.array([1, 2], np.int8), np.array([1.5, 2.0])),
    (np.array([1 + 1j, 2, complex(np.nan, 1)]), np.array([2, 1 + 1j])),
    (np.array([True, False]), np.array([True])),
    (np.array([3, 1], np.uint8), np.array([2, 5], np.int8)),
]


@pytest.mark.parametrize("pair", range(len(PAIRS)))
def test_set_operations(pair):
    a, b = PAIRS[pair]
    calls = [("union1d", (a, b), {}), ("isin", (a, b), {"invert": True, "kind": "sort"})]
    for assume_unique in (False, True):
        calls += [("intersect1d", (a, b), {"assume_unique": assume_unique, "return_indices": True}),
                  ("setdiff1d", (a, b), {"assume_unique": assume_unique}),
                  ("setxor1d", (a, b), {"assume_unique": assume_unique})]
    same_many(calls)


@pytest.mark.parametrize("dtype", ALL, ids=lambda d: np.dtype(d).name)
def test_set_operation_dtypes(dtype):
    a, b = rand((7,), dtype, nans=True), rand((2, 3), dtype, seed=1, nans=True)
    same_many([("intersect1d", (a, b), {"return_indices": True}), ("union1d", (a, b), {}),
               ("setdiff1d", (a, b), {}), ("setxor1d", (a, b), {}), ("isin", (b, a), {}),
               ("isin", (np.float64(1), a), {}), ("isin", (a, np.array([], dtype)), {})])


def test_isin_kinds():
    same_many([("isin", (np.array([1, 5, 2]), [2, 3]), {"kind": "table"}),
               ("isin", (np.array([True, False]), [True]), {"kind": "table", "invert": True}),
               ("isin", (np.ones(2), [1]), {"kind": "foo"}),
               ("isin", (np.ones(2), [1]), {"kind": "table"}),
               ("isin", (np.array([1, 2], np.int8), [1000]), {})])


# --- fixed sizes under transformations ----------------------------------------------------

def test_size_and_fill_value():
    x = np.array([3, 1, 3, 2, 1, 3])
    for f in (npaccel.jit, lambda g: g):
        got = f(lambda v: nst.unique(v, size=5, return_index=True, return_inverse=True,
                                     return_counts=True))(x)
        want = (np.array([1, 2, 3, 1, 1]), np.array([1, 3, 0, 0, 0]),
                np.array([2, 0, 2, 1, 0, 2]), np.array([2, 1, 3, 0, 0]))
        for g, w in zip(got, want):
            assert_close(g, w, 0)
        assert_close(f(lambda v: nst.unique(v, size=2))(x), np.array([1, 2]), 0)
        assert_close(f(lambda v: nst.unique(v, size=4, fill_value=-7))(x),
                     np.array([1, 2, 3, -7]), 0)
        assert_close(f(lambda v: nst.intersect1d(v, [3, 9, 1], size=3))(x), np.array([1, 3, 1]), 0)
        assert_close(f(lambda v: nst.union1d(v, [9], size=5, fill_value=0))(x),
                     np.array([1, 2, 3, 9, 0]), 0)
        assert_close(f(lambda v: nst.setdiff1d(v, [3], size=3))(x), np.array([1, 2, 1]), 0)
        assert_close(f(lambda v: nst.setxor1d(v, [3, 7], size=3))(x), np.array([1, 2, 7]), 0)
        got = f(lambda v: nst.unique_all(v, size=4))(x)
        assert_close(got.counts, np.array([2, 1, 3, 0]), 0)
    batched = npaccel.vmap(lambda v: nst.unique(v, size=3, return_counts=True))(
        np.array([[1, 1, 2], [5, 4, 5]]))
    assert_close(batched[0], np.array([[1, 2, 1], [4, 5, 4]]), 0)
    assert_close(batched[1], np.array([[2, 1, 0], [1, 2, 0]]), 0)


@pytest.mark.parametrize("name", ["unique", "unique_values", "unique_counts", "unique_inverse",
                                  "unique_all", "intersect1d", "union1d", "setdiff1d",
                                  "setxor1d"])
def test_value_dependent_shapes_raise_under_jit(name):
    fun = getattr(nst, name)
    call = (lambda v: fun(v, v)) if name.endswith("1d") else fun
    with pytest.raises(ConcretizationError, match=name):
        npaccel.jit(call)(np.array([1, 2, 2]))
    with pytest.raises(ConcretizationError, match=name):
        npaccel.vmap(call)(np.array([[1, 2, 2]]))


def test_isin_transformations():
    x = np.array([[1.0, 2.0, 3.0], [4.0, np.nan, 2.0]])
    t = np.array([2.0, 4.0, np.nan])
    assert_close(npaccel.jit(nst.isin)(x, t), np.isin(x, t), 0)
    assert_close(npaccel.vmap(lambda v: nst.isin(v, t))(x), np.isin(x, t), 0)
    assert_close(npaccel.vmap(nst.isin, in_axes=(0, None))(x, t), np.isin(x, t), 0)


def test_grad_through_unique_values():
    # The values unique returns are entries of its input: derivatives pass through.
    x = np.array([0.5, -1.0, 2.0, 0.25])
    check_grads(lambda v: nst.unique(v, size=4), [x], order=1)
