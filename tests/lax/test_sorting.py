"""sort, sort_key_val and top_k against np.sort / np.argsort(kind='stable') / np.lexsort
(see tests/harness.py for the checks)."""
from functools import partial

import numpy as np
import pytest

import npaccel
from npaccel.lax import sorting
from harness import (ALL, BOOL, INTS, OpRecord, assert_close, check_grads,
                     lowered_ops, op_tests, rand_default)

REAL = [np.float16, np.float32, np.float64]


# --- inputs --------------------------------------------------------------------------------

def _ties_and_specials(rng, shape, dtype):
    """Few distinct values (so stability matters), with NaN, +-inf and -0.0 mixed in."""
    dtype = np.dtype(dtype)
    if dtype.kind not in "fc" and dtype.name != "bfloat16":
        return rand_default(rng, shape, dtype)
    pool = np.array([-1.5, -0.0, 0.0, 0.5, 2.0, np.inf, -np.inf, np.nan])
    x = rng.choice(pool, shape)
    if dtype.kind == "c":
        x = x.astype(np.complex128)
        x.imag = rng.choice(pool, shape)
    return x.astype(dtype)


def _ties(rng, shape, dtype):
    """Small integers in any dtype: many ties, no NaNs."""
    return rng.integers(0, 3, shape).astype(dtype)


# --- references -----------------------------------------------------------------------------

def _sort_ref(x, dimension=-1):
    return np.sort(x, dimension, kind="stable")


def _take(xs, perm, axis):
    return tuple(np.take_along_axis(x, perm, axis) for x in xs)


def _key_val_ref(keys, values, dimension=-1):
    return _take((keys, values), np.argsort(keys, dimension, kind="stable"), dimension)


def _two_keys_ref(k1, k2, values):
    """Lexicographic by (k1, k2) along the last axis; np.lexsort wants the primary key last."""
    perm = np.stack([np.lexsort((b, a)) for a, b in zip(k1.reshape(-1, k1.shape[-1]),
                                                         k2.reshape(-1, k2.shape[-1]))])
    return _take((k1, k2, values), perm.reshape(k1.shape), -1)


def _top_k_ref(x, k):
    """Largest first, ties to the lower index: a stable ascending sort of the reversed
    array, read backwards."""
    n = x.shape[-1]
    perm = n - 1 - np.argsort(x[..., ::-1], -1, kind="stable")[..., ::-1][..., :k]
    return np.take_along_axis(x, perm, -1), perm.astype(np.int32)


# --- the op table ---------------------------------------------------------------------------

def _sort_multi(*operands, num_keys=1, dimension=-1, is_stable=True):
    return sorting.sort(operands, dimension, is_stable, num_keys)


RECORDS = [
    OpRecord("sort", sorting.sort, _sort_ref, [((5,),), ((3, 4),), ((2, 0),)], ALL,
             rng=_ties_and_specials, grad=False),
    OpRecord("sort_grad", sorting.sort, _sort_ref, [((5,),), ((3, 4),)], [np.float64]),
    OpRecord("sort_dim0", partial(sorting.sort, dimension=0), partial(_sort_ref, dimension=0),
             [((4, 3),), ((3, 2, 2),)], [np.float32, np.float64, np.int32, np.complex64],
             rng=_ties_and_specials, grad=False),
    OpRecord("sort_unstable", partial(sorting.sort, is_stable=False), _sort_ref, [((6,),)],
             [np.float64, np.int8]),
    # Integer outputs have no tangents to compare with finite differences: the records
    # that return them check derivatives through the *_values records below.
    OpRecord("sort_key_val", sorting.sort_key_val, _key_val_ref,
             [((6,), (6,)), ((2, 5), (2, 5))], [np.float32, np.float64],
             arg_dtypes=lambda d: [np.int32, d], rng=[_ties, rand_default], grad=False),
    OpRecord("sort_key_val_values", lambda k, v: sorting.sort_key_val(k, v)[1],
             lambda k, v: _key_val_ref(k, v)[1], [((6,), (6,)), ((2, 5), (2, 5))],
             [np.float64], arg_dtypes=lambda d: [np.int32, d], rng=[_ties, rand_default],
             grad_argnums=[1]),
    OpRecord("sort_key_val_nan_keys", sorting.sort_key_val, _key_val_ref, [((7,), (7,))],
             [np.float64, np.complex128], arg_dtypes=lambda d: [d, np.int64],
             rng=[_ties_and_specials, rand_default], grad=False),
    OpRecord("sort_two_keys", partial(_sort_multi, num_keys=2), _two_keys_ref,
             [((8,), (8,), (8,)), ((2, 6), (2, 6), (2, 6))], [np.float64, np.uint8],
             arg_dtypes=lambda d: [np.int16, d, np.float64], rng=[_ties, _ties, rand_default],
             grad=False),
    OpRecord("sort_two_keys_values", lambda *xs: _sort_multi(*xs, num_keys=2)[2],
             lambda *xs: _two_keys_ref(*xs)[2], [((8,), (8,), (8,)), ((2, 6), (2, 6), (2, 6))],
             [np.float64], arg_dtypes=lambda d: [np.int16, d, d], rng=[_ties, _ties, rand_default],
             grad_argnums=[2]),
    OpRecord("top_k", partial(sorting.top_k, k=3), partial(_top_k_ref, k=3),
             [((5,),), ((2, 6),), ((3,),)], REAL + INTS + BOOL, hlo_ops=["chlo.top_k"],
             grad=False),
    OpRecord("top_k_values", lambda x: sorting.top_k(x, 3)[0], lambda x: _top_k_ref(x, 3)[0],
             [((5,),), ((2, 6),), ((3,),)], [np.float64]),
    OpRecord("top_k_ties", partial(sorting.top_k, k=4), partial(_top_k_ref, k=4),
             [((6,),), ((2, 5),)], [np.float32, np.int32], rng=_ties, grad=False),
    OpRecord("top_k_all", lambda x: sorting.top_k(x, 4)[0], lambda x: _top_k_ref(x, 4)[0],
             [((4,),)], [np.float64]),
    OpRecord("top_k_axis0", partial(sorting.top_k, k=2, axis=0),
             lambda x: tuple(np.moveaxis(o, -1, 0) for o in _top_k_ref(np.moveaxis(x, 0, -1), 2)),
             [((3, 4),), ((4, 2, 3),)], [np.float32, np.float64, np.int32], grad=False),
]

globals().update(op_tests(RECORDS))


# --- NaN placement, exactly -----------------------------------------------------------------

def _bits_equal(actual, expected):
    """Equal including which component of a complex number is NaN (allclose is not)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.dtype == expected.dtype
    real = np.dtype(expected.dtype.char.lower()) if expected.dtype.kind == "c" else expected.dtype
    np.testing.assert_array_equal(actual.view(real), expected.view(real))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
def test_nan_order_matches_numpy(dtype):
    x = _ties_and_specials(np.random.default_rng(3), (4, 12), dtype)
    _bits_equal(sorting.sort(x), np.sort(x, -1, kind="stable"))


def test_complex_nan_classes():
    """NumPy's order: R+Rj < R+nanj < nan+Rj < nan+nanj, each class by its finite parts."""
    nan = np.nan
    x = np.array([complex(nan, 1), complex(2, nan), complex(1, 1), complex(nan, nan),
                  complex(1, nan), complex(nan, 0), complex(0, 3), complex(2, 0)])
    _bits_equal(sorting.sort(x), np.sort(x, kind="stable"))


def test_negative_zero_ties_are_stable():
    x = np.array([0.0, -0.0, 1.0, -0.0, 0.0])
    values, order = sorting.sort_key_val(x, np.arange(5))
    assert_close(order, np.argsort(x, kind="stable"), 0)
    assert_close(np.signbit(np.asarray(values)), np.signbit(np.sort(x, kind="stable")), 0)


# --- derivatives beyond the table -----------------------------------------------------------

def test_grad_complex():
    x = rand_default(np.random.default_rng(0), (2, 5), np.complex128)
    check_grads(lambda x: sorting.sort(x, 0), [x])


def test_grad_all_operands():
    """Tangents of keys and values are both permuted; integer keys have none."""
    rng = np.random.default_rng(0)
    k, v = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    check_grads(lambda k, v: _sort_multi(k, v, num_keys=1, dimension=0), [k, v])
    check_grads(lambda k, v: _sort_multi(k, v, num_keys=2), [k, v])


def test_grad_of_jit_and_vmap():
    x = np.random.default_rng(0).standard_normal((3, 5))
    check_grads(npaccel.jit(npaccel.vmap(lambda r: sorting.top_k(r, 2)[0], in_axes=1)), [x])


def test_grad_top_k_other_axis():
    x = np.random.default_rng(1).standard_normal((4, 3))
    check_grads(lambda x: sorting.top_k(x, 2, axis=0)[0], [x])


def test_top_k_tangents_follow_nans():
    """top_k takes NaN as largest and -0.0 below +0.0; the tangents travel with their values."""
    x = np.array([1.0, np.nan, -0.0, 0.0, 3.0])
    t = np.arange(5.0)
    (values, indices), (t_values, _) = npaccel.jvp(lambda x: sorting.top_k(x, 4), (x,), (t,))
    assert_close(indices, np.array([1, 4, 0, 3], np.int32), 0)
    assert_close(t_values, t[np.asarray(indices)], 0)


# --- lowering: one sort op, the rest is its comparator --------------------------------------

@pytest.mark.parametrize("operands", [
    (np.ones(3),), (np.ones(3, np.complex64), np.ones(3, np.int32)), (np.ones(3, bool),)])
def test_lowering_is_one_sort(operands):
    ops = lowered_ops(lambda *xs: sorting.sort(xs, num_keys=len(xs)), *operands)
    comparator_ops = {"stablehlo.compare", "stablehlo.and", "stablehlo.or", "stablehlo.not",
                      "stablehlo.real", "stablehlo.imag"}
    assert ops[0] == "stablehlo.sort" and set(ops[1:]) <= comparator_ops, ops


# --- errors --------------------------------------------------------------------------------

@pytest.mark.parametrize("call, error, match", [
    (lambda: sorting.sort((np.ones(3), np.ones(4))), TypeError, "same shape"),
    (lambda: sorting.sort(np.ones(3), dimension=1), ValueError, "out of bounds"),
    (lambda: sorting.sort(np.ones(()),), TypeError, "rank"),
    (lambda: sorting.sort((np.ones(3),), num_keys=2), ValueError, "num_keys"),
    (lambda: sorting.sort((np.ones(3),), num_keys=0), ValueError, "num_keys"),
    (lambda: sorting.sort(()), TypeError, "at least one"),
    (lambda: sorting.top_k(np.ones(3), 4), ValueError, "between 0"),
    (lambda: sorting.top_k(np.ones(3), -1), ValueError, "between 0"),
    (lambda: sorting.top_k(np.ones(3), 1.5), TypeError, "integer"),
    (lambda: sorting.top_k(np.ones(()), 1), TypeError, "rank"),
    (lambda: sorting.top_k(np.ones((2, 3)), 1, axis=2), ValueError, "out of bounds"),
    (lambda: sorting.top_k(np.ones(3, np.complex64), 1), TypeError, "complex64"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
