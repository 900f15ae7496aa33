"""npaccel.random: the Threefry-2x32 generator against its published test vectors,
determinism (eager == jit, same key same numbers), key derivation, vmap over keys, output
dtypes and shapes, error classes, and the distributions (scipy.stats tests with a fixed
key and generous thresholds).

Samples share a few fixed shapes: every new shape or dtype is an XLA compile.
"""
import math

import ml_dtypes
import numpy as np
import pytest
import scipy.stats

import npaccel
from npaccel import lax
from npaccel import random as nprandom
from npaccel.core.trace import ConcretizationError

KEY = nprandom.PRNGKey(1701)
N = 20000                 # samples for the statistical checks
P_MIN = 1e-3              # the smallest acceptable p-value (a fixed key makes it deterministic)
FLOATS = [np.float16, ml_dtypes.bfloat16, np.float32, np.float64]


def _np(x):
    return np.asarray(x)


def _assert_same(actual, expected):
    """Equal bits and integers; floats equal up to the last bits XLA's fusion may change
    (jit fuses elementwise functions that eager evaluation runs one by one)."""
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    if expected.dtype.kind in "biu":
        np.testing.assert_array_equal(actual, expected)
    else:
        tol = 1e-12 if expected.dtype in (np.float64, np.complex128) else 1e-5
        np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol)


# --- the generator ---------------------------------------------------------------------------

# Known-answer test vectors of Threefry-2x32 with 20 rounds, from the Random123
# distribution (kat_vectors, "threefry2x32_20"): (counter, key, expected output). These are
# the one set of typed-in numbers in the tests: they are the algorithm's specification,
# and no installed library computes Threefry to compare against.
_THREEFRY_KAT = [
    ((0x00000000, 0x00000000), (0x00000000, 0x00000000), (0x6b200159, 0x99ba4efe)),
    ((0xffffffff, 0xffffffff), (0xffffffff, 0xffffffff), (0x1cb996fc, 0xbb002be7)),
    ((0x243f6a88, 0x85a308d3), (0x13198a2e, 0x03707344), (0xc4923a9c, 0x483df7a0)),
]


@pytest.mark.parametrize("counter,key,expected", _THREEFRY_KAT)
def test_threefry_known_answers(counter, key, expected):
    out = nprandom.threefry_2x32(np.array(key, np.uint32), np.array(counter, np.uint32))
    np.testing.assert_array_equal(_np(out), np.array(expected, np.uint32))
    jitted = npaccel.jit(nprandom.threefry_2x32)(np.array(key, np.uint32),
                                                 np.array(counter, np.uint32))
    np.testing.assert_array_equal(_np(jitted), np.array(expected, np.uint32))


def test_threefry_layout_odd_count_and_vmap():
    """As jax.random.threefry_2x32: the flattened count's first half are the x0 words and
    its second half the x1 words, an odd count padded with a zero x1 word."""
    key = np.array([0x13198a2e, 0x03707344], np.uint32)
    count = np.arange(1, 6, dtype=np.uint32).reshape(5, 1)
    out = _np(nprandom.threefry_2x32(key, count))
    assert out.shape == (5, 1) and out.dtype == np.uint32
    x0, x1 = [1, 2, 3], [4, 5, 0]
    for j in range(3):
        y = _np(nprandom.threefry_2x32(key, np.array([x0[j], x1[j]], np.uint32)))
        assert out[j, 0] == y[0]
        if j < 2:
            assert out[3 + j, 0] == y[1]
    keys = np.stack([key, key ^ np.uint32(1)])
    batched = _np(npaccel.vmap(nprandom.threefry_2x32, in_axes=(0, None))(keys, count))
    np.testing.assert_array_equal(batched[0], out)
    assert not np.array_equal(batched[1], out)


# --- keys ------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 42, 2 ** 32 + 7, -1, -2 ** 63, 2 ** 64 - 1])
def test_key_from_python_int(seed):
    bits64 = seed % 2 ** 64
    expected = np.array([bits64 >> 32, bits64 & 0xFFFFFFFF], np.uint32)
    for make in (nprandom.PRNGKey, nprandom.key):
        k = make(seed)
        assert _np(k).dtype == np.uint32 and _np(k).shape == (2,)
        np.testing.assert_array_equal(_np(k), expected)


@pytest.mark.parametrize("seed", [np.int64(-5), np.int32(-5), np.uint32(7), np.int8(-1),
                                  np.uint64(2 ** 63 + 3)])
def test_key_from_typed_seed_eager_equals_jit(seed):
    """As JAX: a seed narrower than 64 bits has a high word of 0 and its low word is the
    seed modulo 2**32."""
    bits = int(seed) % 2 ** (64 if np.dtype(type(seed)).itemsize == 8 else 32)
    expected = np.array([bits >> 32, bits & 0xFFFFFFFF], np.uint32)
    np.testing.assert_array_equal(_np(nprandom.key(seed)), expected)
    np.testing.assert_array_equal(_np(npaccel.jit(nprandom.key)(seed)), expected)


def test_key_errors():
    for seed, error in [(2 ** 64, OverflowError), (-2 ** 63 - 1, OverflowError),
                        (1.5, TypeError), (np.array([1, 2]), TypeError), ("0", TypeError)]:
        with pytest.raises(error):
            nprandom.PRNGKey(seed)
    with pytest.raises(ValueError):
        nprandom.key(0, impl="rbg")


def test_split_and_fold_in_give_new_streams():
    keys = _np(nprandom.split(KEY, 4))
    assert keys.shape == (4, 2) and keys.dtype == np.uint32
    rows = {tuple(r) for r in keys} | {tuple(_np(KEY))}
    assert len(rows) == 5, "split keys must differ from each other and from the parent"
    folded = {tuple(_np(nprandom.fold_in(KEY, d))) for d in range(4)}
    assert len(folded) == 4 and tuple(_np(KEY)) not in folded
    # As JAX (partitionable threefry): split(key, n)[i] is fold_in(key, i).
    for i in range(4):
        np.testing.assert_array_equal(keys[i], _np(nprandom.fold_in(KEY, i)))
    # Different keys give different numbers.
    draws = [tuple(_np(nprandom.uniform(k, (4,)))) for k in keys]
    assert len(set(draws)) == 4
    assert _np(nprandom.split(KEY)).shape == (2, 2)
    assert _np(nprandom.split(KEY, (2, 3))).shape == (2, 3, 2)
    assert _np(nprandom.split(KEY, 0)).shape == (0, 2)
    np.testing.assert_array_equal(_np(nprandom.split(KEY, (2, 3))).reshape(6, 2),
                                  _np(nprandom.split(KEY, 6)))


def test_fold_in_data_types_and_jit():
    a = _np(nprandom.fold_in(KEY, 3))
    np.testing.assert_array_equal(a, _np(nprandom.fold_in(KEY, np.uint8(3))))
    np.testing.assert_array_equal(a, _np(npaccel.jit(nprandom.fold_in)(KEY, np.int64(3))))
    for bad, error in [(1.5, TypeError), (np.arange(2), TypeError)]:
        with pytest.raises(error):
            nprandom.fold_in(KEY, bad)


def test_key_data_and_wrap():
    np.testing.assert_array_equal(_np(nprandom.key_data(KEY)), _np(KEY))
    np.testing.assert_array_equal(_np(nprandom.wrap_key_data(_np(KEY))), _np(KEY))
    with pytest.raises(TypeError):
        nprandom.wrap_key_data(np.zeros(2, np.int32))


@pytest.mark.parametrize("bad", [np.zeros(2, np.int32), np.zeros(3, np.uint32),
                                 np.zeros((2, 2), np.uint32), 0])
def test_bad_keys_raise_type_error(bad):
    for call in [lambda k: nprandom.uniform(k), lambda k: nprandom.split(k),
                 lambda k: nprandom.normal(k, (2,)), lambda k: nprandom.fold_in(k, 1)]:
        with pytest.raises(TypeError, match="PRNG key"):
            call(bad)


# --- samplers: one table for determinism, jit, vmap, dtypes and shapes -------------------------

_P = np.array([0.1, 0.2, 0.3, 0.4])
_COV = np.array([[2.0, 0.3], [0.3, 0.5]])
SAMPLERS = {
    "bits": (lambda k: nprandom.bits(k, (3, 2)), np.uint64, (3, 2)),
    "bits_u8": (lambda k: nprandom.bits(k, (5,), np.uint8), np.uint8, (5,)),
    "uniform": (lambda k: nprandom.uniform(k, (3, 2)), np.float64, (3, 2)),
    "uniform_f32_range": (lambda k: nprandom.uniform(k, (2, 3), np.float32, -2.0,
                                                     np.array([1.0, 2.0, 3.0])),
                          np.float32, (2, 3)),
    "normal": (lambda k: nprandom.normal(k, (4,)), np.float64, (4,)),
    "normal_c64": (lambda k: nprandom.normal(k, (4,), np.complex64), np.complex64, (4,)),
    "randint": (lambda k: nprandom.randint(k, (6,), -5, 7), np.int64, (6,)),
    "randint_u8": (lambda k: nprandom.randint(k, (6,), 0, 256, np.uint8), np.uint8, (6,)),
    "bernoulli": (lambda k: nprandom.bernoulli(k, 0.3, (5,)), np.bool_, (5,)),
    "bernoulli_p_shape": (lambda k: nprandom.bernoulli(k, np.full((2, 2), 0.5)), np.bool_,
                          (2, 2)),
    "choice": (lambda k: nprandom.choice(k, 7, (3,)), np.int64, (3,)),
    "choice_array_axis": (lambda k: nprandom.choice(k, np.arange(12.0).reshape(3, 4), (2,),
                                                    axis=1), np.float64, (3, 2)),
    "choice_no_replace": (lambda k: nprandom.choice(k, 7, (5,), replace=False), np.int64, (5,)),
    "choice_p": (lambda k: nprandom.choice(k, 4, (2, 3), p=_P), np.int64, (2, 3)),
    "choice_p_no_replace": (lambda k: nprandom.choice(k, 4, (3,), replace=False, p=_P),
                            np.int64, (3,)),
    "permutation_int": (lambda k: nprandom.permutation(k, 9), np.int64, (9,)),
    "permutation_axis": (lambda k: nprandom.permutation(k, np.arange(15).reshape(3, 5), 1),
                         np.int64, (3, 5)),
    "permutation_independent": (lambda k: nprandom.permutation(
        k, np.arange(15).reshape(3, 5), 1, independent=True), np.int64, (3, 5)),
    "categorical": (lambda k: nprandom.categorical(k, np.log(np.full((3, 5), 0.2))), np.int64,
                    (3,)),
    "categorical_shape": (lambda k: nprandom.categorical(k, np.zeros((3, 5)), axis=0,
                                                         shape=(2, 5)), np.int64, (2, 5)),
    "gumbel": (lambda k: nprandom.gumbel(k, (4,)), np.float64, (4,)),
    "exponential": (lambda k: nprandom.exponential(k, (4,), np.float32), np.float32, (4,)),
    "laplace": (lambda k: nprandom.laplace(k, (4,)), np.float64, (4,)),
    "logistic": (lambda k: nprandom.logistic(k, (4,)), np.float64, (4,)),
    "cauchy": (lambda k: nprandom.cauchy(k, (4,)), np.float64, (4,)),
    "rademacher": (lambda k: nprandom.rademacher(k, (4,)), np.int64, (4,)),
    "truncated_normal": (lambda k: nprandom.truncated_normal(k, -1.0, np.array([0.5, 2.0])),
                         np.float64, (2,)),
    "multivariate_normal": (lambda k: nprandom.multivariate_normal(k, np.ones(2), _COV, (3,)),
                            np.float64, (3, 2)),
    # (gamma's siblings loggamma and beta share its sampler: see the statistical tests)
    "gamma": (lambda k: nprandom.gamma(k, np.array([0.3, 1.0, 4.0])), np.float64, (3,)),
    "dirichlet": (lambda k: nprandom.dirichlet(k, np.array([1.0, 2.0, 0.5]), (2,)), np.float64,
                  (2, 3)),
}
_NAMES = sorted(SAMPLERS)


@pytest.mark.parametrize("name", _NAMES)
def test_sampler_dtype_shape_determinism_and_jit(name):
    fun, dtype, shape = SAMPLERS[name]
    first = _np(fun(KEY))
    assert first.dtype == np.dtype(dtype) and first.shape == shape, name
    np.testing.assert_array_equal(_np(fun(KEY)), first)          # same key, same numbers
    _assert_same(_np(npaccel.jit(fun)(KEY)), first)                # eager == jit
    other = _np(fun(nprandom.fold_in(KEY, 1)))
    assert other.shape == shape
    if first.dtype.kind in "fcu":  # (small discrete outputs may coincide by chance)
        assert not np.array_equal(other, first), f"{name}: another key, the same numbers"


_VMAP_NAMES = ["bits", "uniform", "uniform_f32_range", "normal", "normal_c64", "randint",
               "randint_u8", "bernoulli", "choice", "choice_p", "choice_no_replace",
               "permutation_int", "permutation_axis", "categorical", "gumbel",
               "truncated_normal", "multivariate_normal", "gamma"]


@pytest.mark.parametrize("name", _VMAP_NAMES)
def test_vmap_over_keys_equals_loop(name):
    fun = SAMPLERS[name][0]
    keys = _np(nprandom.split(KEY, 3))
    batched = _np(npaccel.vmap(fun)(keys))
    loop = np.stack([_np(fun(keys[i])) for i in range(3)])
    _assert_same(batched, loop)


def test_vmap_over_keys_under_jit_and_in_axes():
    keys = _np(nprandom.split(KEY, 4))
    f = npaccel.jit(npaccel.vmap(lambda k: nprandom.normal(k, (3,)), in_axes=1, out_axes=1))
    out = _np(f(keys.T.copy()))
    np.testing.assert_array_equal(out.T, np.stack([_np(nprandom.normal(k, (3,))) for k in keys]))


def test_vmap_over_parameters():
    minvals = np.array([0.0, 10.0, 20.0])
    sample = lambda m: nprandom.uniform(KEY, (4,), minval=m, maxval=m + 1)  # noqa: E731
    out = _np(npaccel.vmap(sample)(minvals))
    unit = _np(nprandom.uniform(KEY, (4,)))
    np.testing.assert_allclose(out - minvals[:, None], np.stack([unit] * 3), atol=1e-12)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_uniform_normal_float_dtypes(dtype):
    u = _np(nprandom.uniform(KEY, (N,), dtype)).astype(np.float64)
    assert _np(nprandom.uniform(KEY, (2,), dtype)).dtype == np.dtype(dtype)
    assert u.min() >= 0 and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.01 and abs(u.var() - 1 / 12) < 0.01
    z = _np(nprandom.normal(KEY, (N,), dtype)).astype(np.float64)
    assert np.all(np.isfinite(z))
    assert abs(z.mean()) < 0.03 and abs(z.var() - 1) < 0.05


def test_uniform_uses_all_mantissa_bits_in_float64():
    u = _np(nprandom.uniform(KEY, (N,)))
    # 52 random mantissa bits: the low bits are not all zero, as 32-bit draws would leave.
    mantissas = (u + 1.0).view(np.uint64) & np.uint64(0xFFFFF)
    assert np.count_nonzero(mantissas) > 0.99 * N


def test_zero_size_and_scalar_shapes():
    assert _np(nprandom.uniform(KEY)).shape == ()
    assert _np(nprandom.normal(KEY, (0, 3))).shape == (0, 3)
    assert _np(nprandom.randint(KEY, (0,), 0, 3)).shape == (0,)
    assert _np(nprandom.bits(KEY, 3, np.uint32)).shape == (3,)   # an int is a 1-d shape
    assert _np(nprandom.choice(KEY, 5, (0,))).shape == (0,)


# --- distributions ---------------------------------------------------------------------------

def _ks(samples, cdf, *args):
    return scipy.stats.kstest(np.asarray(samples, np.float64), cdf, args=args).pvalue


@pytest.mark.parametrize("name,sample,cdf,args", [
    ("uniform", lambda k: nprandom.uniform(k, (N,)), "uniform", ()),
    ("uniform_range", lambda k: nprandom.uniform(k, (N,), minval=-3.0, maxval=2.0), "uniform",
     (-3.0, 5.0)),
    ("uniform_f32", lambda k: nprandom.uniform(k, (N,), np.float32), "uniform", ()),
    ("normal", lambda k: nprandom.normal(k, (N,)), "norm", ()),
    ("normal_f32", lambda k: nprandom.normal(k, (N,), np.float32), "norm", ()),
    ("normal_complex_real", lambda k: np.real(_np(nprandom.normal(k, (N,), np.complex128))),
     "norm", (0.0, np.sqrt(0.5))),
    ("exponential", lambda k: nprandom.exponential(k, (N,)), "expon", ()),
    ("gumbel", lambda k: nprandom.gumbel(k, (N,)), "gumbel_r", ()),
    ("laplace", lambda k: nprandom.laplace(k, (N,)), "laplace", ()),
    ("logistic", lambda k: nprandom.logistic(k, (N,)), "logistic", ()),
    ("cauchy", lambda k: nprandom.cauchy(k, (N,)), "cauchy", ()),
    ("truncated_normal", lambda k: nprandom.truncated_normal(k, -0.5, 1.5, (N,)), "truncnorm",
     (-0.5, 1.5)),
    ("gamma_small", lambda k: nprandom.gamma(k, 0.4, (N,)), "gamma", (0.4,)),
    ("gamma_large", lambda k: nprandom.gamma(k, 3.5, (N,)), "gamma", (3.5,)),
    ("loggamma", lambda k: np.exp(_np(nprandom.loggamma(k, 2.0, (N,)))), "gamma", (2.0,)),
    ("beta", lambda k: nprandom.beta(k, 2.0, 0.7, (N,)), "beta", (2.0, 0.7)),
])
def test_kolmogorov_smirnov(name, sample, cdf, args):
    samples = _np(sample(KEY))
    assert samples.shape == (N,)
    assert _ks(samples, cdf, *args) > P_MIN, name


def test_kolmogorov_smirnov_uses_independent_draws():
    """The transforms above share one uniform stream per key (the KS statistic of a
    monotone transform is the same): different keys give different statistics."""
    a = _ks(_np(nprandom.exponential(KEY, (N,))), "expon")
    b = _ks(_np(nprandom.exponential(nprandom.fold_in(KEY, 1), (N,))), "expon")
    assert a != b and min(a, b) > P_MIN


def test_uniform_and_normal_moments():
    u = _np(nprandom.uniform(KEY, (N,)))
    assert abs(u.mean() - 0.5) < 5 * math.sqrt(1 / 12 / N)
    assert abs(u.var() - 1 / 12) < 0.005
    z = _np(nprandom.normal(KEY, (N,)))
    assert abs(z.mean()) < 5 / math.sqrt(N)
    assert abs(z.var() - 1) < 0.05
    c = _np(nprandom.normal(KEY, (N,), np.complex128))
    assert abs(np.mean(np.abs(c) ** 2) - 1) < 0.05
    assert abs(np.corrcoef(c.real, c.imag)[0, 1]) < 0.05


def test_uniform_range_broadcasts_parameters():
    lo, hi = np.array([[-1.0], [0.5]]), np.array([1.0, 2.0, 3.0])
    u = _np(nprandom.uniform(KEY, (2, 3), minval=lo, maxval=hi))
    assert np.all(u >= lo) and np.all(u < hi)
    big = _np(nprandom.uniform(KEY, (N, 2), minval=np.array([2.0, -4.0]), maxval=3.0))
    assert np.all(big[:, 0] >= 2) and np.all(big[:, 0] < 3)
    assert np.all(big[:, 1] >= -4) and np.all(big[:, 1] < 3)


def test_bits_are_uniform():
    b = _np(nprandom.bits(KEY, (N,), np.uint32))
    per_bit = ((b[:, None] >> np.arange(32, dtype=np.uint32)) & 1).mean(axis=0)
    assert np.all(np.abs(per_bit - 0.5) < 0.02)
    b64 = _np(nprandom.bits(KEY, (N,)))
    per_bit64 = ((b64[:, None] >> np.arange(64, dtype=np.uint64)) & np.uint64(1)).mean(axis=0)
    assert np.all(np.abs(per_bit64 - 0.5) < 0.02)


@pytest.mark.parametrize("dtype,lo,hi", [(np.int64, -5, 7), (np.int8, -128, 128),
                                         (np.uint8, 0, 256), (np.int32, 10, 13),
                                         (np.uint64, 0, np.uint64(2 ** 64 - 1)),
                                         (np.int16, -3, 1000)])
def test_randint_range_and_coverage(dtype, lo, hi):
    """maxval may lie just above the dtype (256 for uint8 covers all of it)."""
    x = _np(nprandom.randint(KEY, (N,), lo, hi, dtype))
    assert x.dtype == np.dtype(dtype)
    assert x.min() >= lo and x.max() < hi
    span = int(hi) - lo
    if span <= 300:
        counts = np.bincount((x.astype(np.int64) - lo), minlength=span)
        assert np.all(counts > 0), "every value in range appears"
        assert scipy.stats.chisquare(counts).pvalue > P_MIN
    else:  # wide ranges: uniform on [lo, hi)
        assert _ks((x.astype(np.float64) - lo) / span, "uniform") > P_MIN


def test_randint_empty_range_and_array_bounds():
    """As JAX: maxval <= minval returns minval; bounds broadcast; float bounds truncate."""
    np.testing.assert_array_equal(_np(nprandom.randint(KEY, (6,), 5, 3)), np.full(6, 5))
    np.testing.assert_array_equal(_np(nprandom.randint(KEY, (6,), 4, 4)), np.full(6, 4))
    x = _np(nprandom.randint(KEY, (N, 3), np.array([0, 10, -5]), np.array([2, 20, -4])))
    assert set(np.unique(x[:, 0])) == {0, 1} and set(np.unique(x[:, 2])) == {-5}
    assert x[:, 1].min() == 10 and x[:, 1].max() == 19
    y = _np(nprandom.randint(KEY, (N,), 0.0, 3.9))
    assert y.dtype == np.int64 and set(np.unique(y)) == {0, 1, 2}
    z = _np(nprandom.randint(KEY, (N,), -1000, 1000, np.uint8))   # clipped to uint8's range
    assert z.min() == 0 and z.max() == 255


def test_bernoulli_frequency():
    for p in (0.0, 0.3, 1.0):
        x = _np(nprandom.bernoulli(KEY, p, (N,)))
        assert x.dtype == np.bool_
        assert abs(x.mean() - p) < 5 * math.sqrt(max(p * (1 - p), 1e-12) / N) + 1e-12
    per_entry = _np(nprandom.bernoulli(KEY, np.array([0.1, 0.9]), (N, 2)))
    assert abs(per_entry[:, 0].mean() - 0.1) < 0.02 and abs(per_entry[:, 1].mean() - 0.9) < 0.02
    assert _np(nprandom.bernoulli(KEY, np.float32(0.5), (3,))).dtype == np.bool_


def test_permutations_are_permutations():
    for n in (1, 2, 9, 3000):   # 3000 elements: two sorting rounds
        p = _np(nprandom.permutation(KEY, n))
        np.testing.assert_array_equal(np.sort(p), np.arange(n))
    x = np.arange(24).reshape(4, 6)
    rows = _np(nprandom.permutation(KEY, x))          # whole rows move
    assert sorted(map(tuple, rows)) == sorted(map(tuple, x))
    cols = _np(nprandom.permutation(KEY, x, axis=1, independent=True))
    for r, c in zip(x, cols):
        np.testing.assert_array_equal(np.sort(c), r)
    # Every position is equally likely: position of element 0 over many keys.
    keys = _np(nprandom.split(KEY, 600))
    firsts = _np(npaccel.vmap(lambda k: nprandom.permutation(k, 6))(keys))[:, 0]
    assert scipy.stats.chisquare(np.bincount(firsts, minlength=6)).pvalue > P_MIN


def test_choice_properties():
    x = _np(nprandom.choice(KEY, 10, (8,), replace=False))
    assert len(np.unique(x)) == 8 and x.min() >= 0 and x.max() < 10
    a = np.arange(30.0).reshape(3, 10)
    y = _np(nprandom.choice(KEY, a, (10,), replace=False, axis=1))
    np.testing.assert_array_equal(np.sort(y, axis=1), a)
    w = _np(nprandom.choice(KEY, 4, (4,), replace=False, p=_P))
    assert sorted(w) == [0, 1, 2, 3]
    counts = np.bincount(_np(nprandom.choice(KEY, 4, (N,), p=_P)), minlength=4)
    assert scipy.stats.chisquare(counts, _P * N).pvalue > P_MIN
    uniform_counts = np.bincount(_np(nprandom.choice(KEY, 5, (N,))), minlength=5)
    assert scipy.stats.chisquare(uniform_counts).pvalue > P_MIN
    zero_weight = _np(nprandom.choice(KEY, 3, (N,), p=np.array([0.5, 0.0, 0.5])))
    assert 1 not in zero_weight
    picked = _np(nprandom.choice(KEY, np.array([3, 1, 4]), (5,)))
    assert set(picked) <= {3, 1, 4} and picked.dtype == np.int64


def test_categorical_frequencies():
    probs = np.array([0.1, 0.6, 0.3])
    x = _np(nprandom.categorical(KEY, np.log(probs), shape=(N,)))
    assert x.dtype == np.int64
    assert scipy.stats.chisquare(np.bincount(x, minlength=3), probs * N).pvalue > P_MIN
    # A batch of distributions, each along axis 0.
    logits = np.log(np.array([[0.9, 0.1], [0.1, 0.9]]))
    y = _np(nprandom.categorical(KEY, logits, axis=0, shape=(N, 2)))
    assert abs(y[:, 0].mean() - 0.1) < 0.02 and abs(y[:, 1].mean() - 0.9) < 0.02
    z = _np(nprandom.categorical(KEY, np.array([0.0, -np.inf, 0.0]), shape=(1000,)))
    assert 1 not in z


def test_truncated_normal_bounds_and_multivariate_covariance():
    t = _np(nprandom.truncated_normal(KEY, -0.1, 0.1, (N,)))
    assert t.min() > -0.1 and t.max() < 0.1
    mean = np.array([1.0, -2.0])
    s = _np(nprandom.multivariate_normal(KEY, mean, _COV, (N,)))
    np.testing.assert_allclose(s.mean(axis=0), mean, atol=0.05)
    np.testing.assert_allclose(np.cov(s.T), _COV, atol=0.06)
    batched = _np(nprandom.multivariate_normal(KEY, np.zeros((3, 2)), np.stack([_COV] * 3)))
    assert batched.shape == (3, 2)


def test_dirichlet_and_gamma_moments():
    alpha = np.array([0.5, 2.0, 3.5])
    d = _np(nprandom.dirichlet(KEY, alpha, (N,)))
    np.testing.assert_allclose(d.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(d.mean(axis=0), alpha / alpha.sum(), atol=0.01)
    g = _np(nprandom.gamma(KEY, 0.01, (N,)))
    assert np.all(g >= 0) and np.all(np.isfinite(g))
    lg = _np(nprandom.loggamma(KEY, 1e-3, (N,)))
    assert np.all(np.isfinite(lg)) and np.median(lg) < -100   # tiny values, kept in log space


# --- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("call,error", [
    (lambda: nprandom.uniform(KEY, (2.5,)), TypeError),
    (lambda: nprandom.uniform(KEY, "ab"), TypeError),
    (lambda: nprandom.normal(KEY, (-1,)), ValueError),
    (lambda: nprandom.uniform(KEY, (3,), minval=np.zeros(2)), ValueError),
    (lambda: nprandom.uniform(KEY, (3,), minval=np.zeros((2, 3))), ValueError),
    (lambda: nprandom.uniform(KEY, (3,), np.int32), ValueError),
    (lambda: nprandom.normal(KEY, (3,), np.int64), ValueError),
    (lambda: nprandom.gumbel(KEY, (3,), np.complex64), ValueError),
    (lambda: nprandom.randint(KEY, (3,), 0, 5, np.float64), TypeError),
    (lambda: nprandom.randint(KEY, (3,), np.zeros(2, np.int64), 5), ValueError),
    (lambda: nprandom.bits(KEY, (3,), np.int32), ValueError),
    (lambda: nprandom.bernoulli(KEY, 1, (3,)), TypeError),
    (lambda: nprandom.bernoulli(KEY, np.full(2, 0.5), (3,)), ValueError),
    (lambda: nprandom.choice(KEY, 3, (5,), replace=False), ValueError),
    (lambda: nprandom.choice(KEY, 0, (2,)), ValueError),
    (lambda: nprandom.choice(KEY, 4, 3), TypeError),
    (lambda: nprandom.choice(KEY, 4, (2,), p=np.ones(3) / 3), ValueError),
    (lambda: nprandom.choice(KEY, np.ones((2, 3)), (2,), axis=2), np.exceptions.AxisError),
    (lambda: nprandom.permutation(KEY, 2.5), TypeError),
    (lambda: nprandom.permutation(KEY, np.ones(3), axis=1), np.exceptions.AxisError),
    (lambda: nprandom.categorical(KEY, np.zeros((2, 3)), shape=(4,)), ValueError),
    (lambda: nprandom.multivariate_normal(KEY, np.zeros(2), np.eye(3)), ValueError),
    (lambda: nprandom.multivariate_normal(KEY, 0.0, np.eye(1)), ValueError),
    (lambda: nprandom.dirichlet(KEY, 1.0), ValueError),
    (lambda: nprandom.gamma(KEY, np.ones(2), (3,)), ValueError),
    (lambda: nprandom.threefry_2x32(np.zeros(2, np.uint32), np.zeros(2, np.int32)), TypeError),
])
def test_errors(call, error):
    with pytest.raises(error):
        call()


def test_value_dependent_sizes_need_concrete_values():
    with pytest.raises(ConcretizationError):
        npaccel.jit(lambda n: nprandom.permutation(KEY, n))(np.int64(5))
    with pytest.raises(ConcretizationError):
        npaccel.jit(lambda n: nprandom.choice(KEY, n, (2,)))(np.int64(5))


# --- derivatives -----------------------------------------------------------------------------

def _finite_difference(f, x, eps=1e-6):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


@pytest.mark.parametrize("loss", [
    lambda m: lax.reduce_sum(lax.sin(nprandom.uniform(KEY, (5,), minval=m, maxval=3.0)), (0,)),
    lambda m: lax.reduce_sum(lax.sin(nprandom.uniform(KEY, (5,), minval=-1.0, maxval=m)), (0,)),
    lambda s: lax.reduce_sum(lax.mul(nprandom.normal(KEY, (5,)),
                                     lax.broadcast_in_dim(lax.mul(s, s), (5,), ())), (0,)),
    lambda m: lax.reduce_sum(lax.exp(nprandom.multivariate_normal(
        KEY, lax.broadcast_in_dim(m, (2,), ()), _COV, (4,))), (0, 1)),
])
def test_grad_of_reparameterised_samples(loss):
    x = 1.3
    g = float(npaccel.grad(loss)(x))
    np.testing.assert_allclose(g, _finite_difference(lambda v: float(loss(v)), x), rtol=1e-6)
    np.testing.assert_allclose(float(npaccel.jit(npaccel.grad(loss))(x)), g, rtol=1e-12)


def test_gamma_parameter_derivatives_raise():
    with pytest.raises(NotImplementedError, match="derivatives"):
        npaccel.grad(lambda a: lax.reduce_sum(nprandom.gamma(KEY, a, (2,)), (0,)))(2.0)
