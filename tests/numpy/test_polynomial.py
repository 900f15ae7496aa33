"""npaccel.numpy.polynomial against NumPy: values, result dtypes and exception classes for
poly, polyval, polyadd, polysub, polymul, polydiv, polyder, polyint, polyfit and roots;
jit against eager, and derivatives against finite differences."""
import warnings

import numpy as np
import pytest

import npaccel
from npaccel.core.trace import ConcretizationError
from npaccel.numpy import polynomial as npoly
from harness import assert_close, check_grads
from tests.numpy._against_numpy import expected_exception

DTYPES = [np.bool_, np.int8, np.int64, np.uint16, np.float16, np.float32, np.float64,
          np.complex64, np.complex128]
DT_IDS = lambda d: np.dtype(d).name  # noqa: E731


def rand(shape, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        return rng.integers(1, 5, size=shape).astype(dtype)
    x = rng.standard_normal(shape)
    if dtype.kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)



def _tol(dtype):
    dtype = np.dtype(dtype)
    return 3e-2 if dtype == np.float16 else 1e-4 if dtype.itemsize <= 8 and dtype.kind in "fc" \
        and dtype in (np.float32, np.complex64) else 1e-9


def _close(actual, expected, tol, where):
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected), where
        for a, e in zip(actual, expected):
            _close(a, e, tol, where)
        return
    if isinstance(expected, float):   # rcond, and poly([]) == 1.0
        assert float(np.asarray(actual)) == pytest.approx(expected), where
        return
    expected = np.asarray(expected)
    assert_close(actual, expected, _tol(expected.dtype) if tol is None else tol,
                 check_dtype=expected.dtype != np.int32, err_msg=where)   # lstsq's rank


def same(name, *args, tol=None, **kwargs):
    """npaccel's `name` against NumPy's: values and dtype, or NumPy's exception class."""
    np_fn, na_fn = getattr(np, name), getattr(npoly, name)
    try:
        expected = np_fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 (what NumPy raises is the specification)
        with pytest.raises(expected_exception(e)):
            na_fn(*args, **kwargs)
        return
    _close(na_fn(*args, **kwargs), expected, tol, f"{name} {kwargs}")


@pytest.fixture(autouse=True)
def _quiet():
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# --- poly and roots ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES, ids=DT_IDS)
def test_poly_dtypes(dtype):
    same("poly", rand(4, dtype))


def test_poly_cases():
    for zeros in ([], [2.0], [1 + 1j, 1 - 1j], [1 + 1j, 2], [[1.0, 2], [3, 4]],
                  rand((3, 3)), rand((3, 3), np.float32), rand((2, 2), np.complex128),
                  np.ones((2, 3)), np.ones((0, 0)), np.ones((2, 2, 2)), 3.0):
        same("poly", zeros)


ROOTS = [[1, -3, 2], [1, 0, 1], [0, 0, 1, 2, 0, 0], [0, 0], [5], [2, 0], [1, 2, 3, 4, 5],
         np.float32([1, -3, 2]), np.complex128([1, 1j, 2]), [True, False], [[1, 2]], 3.0]


@pytest.mark.parametrize("p", ROOTS, ids=str)
def test_roots(p):
    try:
        expected = np.roots(p)
    except Exception as e:  # noqa: BLE001
        with pytest.raises(expected_exception(e)):
            npoly.roots(p)
        return
    actual = np.asarray(npoly.roots(p))
    # The order of eigenvalues is LAPACK's; compare them sorted.
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    np.testing.assert_allclose(np.sort_complex(actual), np.sort_complex(expected),
                               rtol=1e-5, atol=1e-6)


def test_roots_and_poly_need_concrete_values():
    with pytest.raises(ConcretizationError, match="roots"):
        npaccel.jit(npoly.roots)(np.array([1.0, -3, 2]))
    with pytest.raises(ConcretizationError, match="poly"):
        npaccel.jit(npoly.poly)(np.array([1 + 1j, 1 - 1j]))
    npaccel.jit(npoly.poly)(np.array([1.0, 2.0]))   # real zeros: a static dtype


# --- polyval -----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES, ids=DT_IDS)
def test_polyval_dtypes(dtype):
    same("polyval", rand(4, dtype), rand((2, 3), dtype, seed=1))


def test_polyval_cases():
    p, x = rand(5), rand((2, 3), seed=1)
    same("polyval", p, x)
    same("polyval", p, 3)
    same("polyval", [], x)
    same("polyval", np.int8([1, 2, 3]), 2)
    same("polyval", np.int64([1, 2]), np.float32(1.5))
    same("polyval", p.astype(np.float32), x)
    same("polyval", rand((3, 2)), rand(2, seed=1))       # 2-d p: columns broadcast
    same("polyval", 3.0, x)                               # TypeError: 0-d p


# --- arithmetic --------------------------------------------------------------------------

ARITH = [([1, 2, 3], [1, 2]), ([1.0], [1, 2]), ([1, 2], [1, 2, 3]), ([True], [True, False]),
         (np.int8([1, 2]), np.float32([1, 2, 3])), ([1j, 2], [3]), (3, [1, 2]),
         ([[1, 2]], [1, 2]), ([[1, 2]], [1])]


@pytest.mark.parametrize("a,b", ARITH, ids=str)
def test_polyadd_polysub(a, b):
    same("polyadd", a, b)
    same("polysub", a, b)


MUL = [([1, 2, 3], [4, 5]), ([0, 0, 1, 2], [3]), ([0, 0], [3, 4]), ([0, 1], [0, 0, 2]),
       (np.int8([1, 2]), np.float32([1, 2])), ([True, True], [True, False]), ([1j], [2, 1]),
       (2.0, [1, 2]), ([[1, 2]], [1])]


@pytest.mark.parametrize("a,b", MUL, ids=str)
def test_polymul(a, b):
    same("polymul", a, b)


DIV = [([1, 2, 3, 4], [1, 1]), ([1, 2], [1, 2, 3]), (np.float32([1, 2, 3]), [2.0, 1]),
       ([1, 0, -1], [1, 1]), ([3], [2]), ([1, 2, 1], [1, 1]), (np.int8([4, 2, 6]), [2]),
       ([1j, 2, 3], [1, 1j]), ([1, 2, 3, 4, 5, 6], [2, 1, 3])]


@pytest.mark.parametrize("u,v", DIV, ids=str)
def test_polydiv(u, v):
    same("polydiv", u, v)


def test_trimming_needs_values_unless_disabled():
    with pytest.raises(ConcretizationError, match="polymul"):
        npaccel.jit(npoly.polymul)(np.array([1.0, 2]), np.array([3.0]))
    with pytest.raises(ConcretizationError, match="polydiv"):
        npaccel.jit(npoly.polydiv)(np.array([1.0, 2, 1]), np.array([1.0, 1]))
    a, b = np.array([1.0, 2, 3]), np.array([4.0, 5])
    mul = npaccel.jit(lambda a, b: npoly.polymul(a, b, trim_leading_zeros=False))
    assert_close(mul(a, b), np.polymul(a, b), 1e-12)
    q, r = npaccel.jit(lambda u, v: npoly.polydiv(u, v, trim_leading_zeros=False))(a, b)
    eq, er = np.polydiv(a, b)
    assert_close(q, eq, 1e-12)
    assert_close(np.asarray(r)[-len(er):], er, 1e-12)


# --- calculus ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES, ids=DT_IDS)
def test_polyder_polyint_dtypes(dtype):
    p = rand(5, dtype)
    same("polyder", p)
    same("polyint", p)


def test_polyder_cases():
    p = rand(5)
    for m in (0, 1, 3, 5, 7, -1, 2.0):
        same("polyder", p, m)
    same("polyder", rand((3, 2)))
    same("polyder", 3.0)


def test_polyint_cases():
    p = rand(5)
    for m, k in ((0, None), (1, None), (3, None), (2, [1, 2]), (2, 3), (3, [1, 2, 3, 4]),
                 (3, [1, 2]), (-1, None), (1, 2j), (2, np.int8([1, 2]))):
        same("polyint", p, m, k)
    same("polyint", [], 2)


# --- polyfit -----------------------------------------------------------------------------

XS = np.linspace(0, 1, 12)
YS = np.sin(3 * XS)


@pytest.mark.parametrize("kw", [{}, dict(w=np.linspace(1, 2, 12)), dict(full=True), dict(cov=True),
                                dict(cov="unscaled"), dict(rcond=1e-10), dict(full=True, w=XS + 1)],
                         ids=str)
def test_polyfit(kw):
    same("polyfit", XS, YS, 3, **kw)
    same("polyfit", XS, np.stack([YS, YS ** 2], 1), 2, **kw)


def test_polyfit_cases():
    same("polyfit", XS.astype(np.float32), YS.astype(np.float32), 2)
    same("polyfit", np.arange(10), np.arange(10) ** 2, 2)
    same("polyfit", XS, YS + 1j * XS, 2)
    same("polyfit", XS[:3], YS[:3], 4)                      # wide: minimum-norm
    same("polyfit", XS[:3], YS[:3], 4, full=True)
    same("polyfit", XS, YS, 0)
    for bad in ((XS, YS, -1), (XS[:, None], YS, 1), (XS[:0], YS[:0], 1), (XS, YS[:5], 1),
                (XS, YS[:, None, None], 1), (XS, YS, 1, None, False, np.ones((12, 1))),
                (XS, YS, 1, None, False, np.ones(3)), (XS[:3], YS[:3], 3, None, False, None, True)):
        same("polyfit", *bad)


def test_polyfit_rank_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        npoly.polyfit([1.0, 1, 1, 1], [1.0, 2, 3, 4], 2)
    assert any(issubclass(w.category, np.exceptions.RankWarning) for w in caught)


# --- transformations ---------------------------------------------------------------------

P = rand(5)
X = rand((2, 3), seed=1)
JIT_CASES = [
    ("polyval", lambda p, x: npoly.polyval(p, x), [P, X]),
    ("polyadd", lambda a, b: npoly.polyadd(a, b), [P, P[:3]]),
    ("polysub", lambda a, b: npoly.polysub(a, b), [P[:2], P]),
    ("polyder", lambda p: npoly.polyder(p, 2), [P]),
    ("polyint", lambda p: npoly.polyint(p, 2, k=[1.0, 2.0]), [P]),
    ("poly", npoly.poly, [P[:3]]),
    ("polyfit", lambda x, y: npoly.polyfit(x, y, 3), [XS, YS]),
    ("polyfit_w", lambda x, y, w: npoly.polyfit(x, y, 2, w=w), [XS, YS, XS + 1]),
]


@pytest.mark.parametrize("name,fun,args", JIT_CASES, ids=[c[0] for c in JIT_CASES])
def test_jit_matches_eager(name, fun, args):
    assert_close(npaccel.jit(fun)(*args), fun(*args), 1e-10, err_msg=name)


GRAD_CASES = [c for c in JIT_CASES if c[0] != "polyfit_w"]


@pytest.mark.parametrize("name,fun,args", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_grads(name, fun, args):
    check_grads(fun, args, order=1, tol=1e-4 if name == "polyfit" else 1e-5)


def test_grads_second_order_polyval():
    check_grads(lambda p, x: npoly.polyval(p, x), [P, X], order=2)


def test_grad_polymul_polydiv():
    a, b = np.array([1.0, 2, 3]), np.array([4.0, 5])
    check_grads(lambda a, b: npoly.polymul(a, b), [a, b], order=1)
    check_grads(lambda u, v: npoly.polydiv(u, v, trim_leading_zeros=False), [a, b], order=1)


def test_vmap_polyval():
    ps = np.stack([P, P * 2, P - 1])
    expected = np.stack([np.asarray(npoly.polyval(p, X)) for p in ps])
    assert_close(npaccel.vmap(npoly.polyval, in_axes=(0, None))(ps, X), expected, 1e-12)


def test_grad_roots():
    # Eagerly, roots is differentiable: the eigenvalues of the companion matrix.
    check_grads(lambda p: npoly.roots(p), [np.array([1.0, -3.0, 2.0])], order=1,
                modes=("fwd",))
