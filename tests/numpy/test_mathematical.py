"""npaccel.numpy.mathematical against NumPy: values, result dtypes and exception classes
for clip, around/round, fix, angle, real, imag, the is* tests, nan_to_num, real_if_close,
isclose, allclose, array_equal, array_equiv, sinc, i0, interp and unwrap over the dtypes
NumPy accepts (0-d, empty and special values included); jit against eager and
derivatives against finite differences."""
import warnings

import numpy as np
import pytest

import npaccel
from npaccel.core.trace import ConcretizationError
from npaccel.numpy import mathematical as nm
from harness import assert_close, check_grads, default_tol
from tests.numpy._against_numpy import expected_exception

ALL = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
       np.uint64, np.float16, np.float32, np.float64, np.complex64, np.complex128]
_SPECIAL = np.array([0.0, -0.0, 1.5, -2.5, 0.5, np.nan, np.inf, -np.inf, 3.25, -7.75, 1e3])


def sample(dtype, shape=(11,), seed=0):
    """Values of `dtype` including, for inexact dtypes, NaN, +-inf, +-0 and halves."""
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    if dtype == np.bool_:
        x = rng.random(n) < 0.5
    elif dtype.kind in "iu":
        x = rng.integers(0 if dtype.kind == "u" else -60, 60, size=n)
    else:
        x = np.resize(_SPECIAL, n) * (1 + 0.1 * rng.random(n) * (np.arange(n) % 3 == 2))
        if dtype.kind == "c":
            x = x + 1j * np.roll(x, 3)
    return np.asarray(x).astype(dtype).reshape(shape)



def _tol(dtype):
    dtype = np.dtype(dtype)
    return 2e-3 if dtype == np.float16 else 10 * default_tol(dtype)


def same(name, *args, tol=None, **kwargs):
    """npaccel's `name` against NumPy's: values and dtype, or NumPy's exception class."""
    np_fn, na_fn = getattr(np, name), getattr(nm, name)
    try:
        expected = np_fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 (what NumPy raises is the specification)
        with pytest.raises(expected_exception(e)):
            na_fn(*args, **kwargs)
        return
    actual = na_fn(*args, **kwargs)
    if isinstance(expected, bool):   # allclose, array_equal, iscomplexobj...
        assert bool(np.asarray(actual)) is expected, name
        return
    expected = np.asarray(expected)
    assert_close(actual, expected, _tol(expected.dtype) if tol is None else tol,
                 err_msg=f"{name} {kwargs}")


@pytest.fixture(autouse=True)
def _quiet():
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


DT_IDS = lambda d: np.dtype(d).name  # noqa: E731

# --- elementwise functions of one array, over every dtype -----------------------------------

UNARY = ["real", "imag", "angle", "isreal", "iscomplex", "isneginf", "isposinf", "fix",
         "nan_to_num", "real_if_close", "sinc", "i0", "around", "round", "isrealobj",
         "iscomplexobj"]


@pytest.mark.parametrize("dtype", ALL, ids=DT_IDS)
def test_unary_dtypes(dtype):
    x = sample(dtype)
    for name in UNARY:
        same(name, x)


@pytest.mark.parametrize("shape", [(), (0,), (2, 3)], ids=str)
def test_unary_shapes(shape):
    x = sample(np.float64, shape)
    for name in UNARY:
        same(name, x)
    same("angle", sample(np.complex128, shape), deg=True)


def test_python_scalars():
    for name in ("real", "imag", "angle", "sinc", "i0", "fix", "nan_to_num", "isneginf",
                 "isreal", "iscomplexobj"):
        for value in (3, -2.5, 1 + 2j):
            same(name, value)


# --- clip --------------------------------------------------------------------------------

CLIP = [(-1.0, 1.0, {}), (0, 300, {}), (0, 3.5, {}), (np.nan, 1, {}), (1, np.nan, {}),
        (None, 0.5, {}), (-0.5, None, {}), (None, None, {}), (2.0, -2.0, {}),
        (-1, 3, {}), (np.float32(-1), np.float32(1), {})]


@pytest.mark.parametrize("dtype", ALL, ids=DT_IDS)
def test_clip_dtypes(dtype):
    x = sample(dtype)
    for lo, hi, kw in CLIP:
        same("clip", x, lo, hi, **kw)


def test_clip_keywords_and_arrays():
    x = sample(np.float64, (2, 3))
    same("clip", x, min=0)
    same("clip", x, max=0.5)
    same("clip", x, min=-1, max=1)
    same("clip", x)
    same("clip", x, 0, 1, min=0)                     # ValueError
    same("clip", x, a_min=0)                         # TypeError
    same("clip", x, np.array([-1.0, 0, 1]), np.array([[1.0], [2.0]]))
    same("clip", x, 0, 1, dtype=np.float32)
    same("clip", np.int8([-100, 5, 100]), -300, 300)
    same("clip", np.uint8([0, 5, 200]), -1, 255)
    with pytest.raises(TypeError, match="ndarray"):
        nm.clip(x, 0, 1, out=x)


# --- rounding ----------------------------------------------------------------------------

@pytest.mark.parametrize("decimals", [-2, -1, 0, 1, 3])
@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.int64, np.uint16, np.float16,
                                   np.float32, np.float64, np.complex128], ids=DT_IDS)
def test_around(dtype, decimals):
    x = sample(dtype) * (np.array(37, dtype) if np.dtype(dtype).kind in "iuc" else 1)
    same("around", x, decimals)
    same("round", x, decimals=decimals)


def test_round_halves_to_even():
    same("around", np.array([0.5, 1.5, 2.5, -0.5, -2.5, 0.125, 0.375]), 0)
    same("around", np.array([0.125, 0.375, 1.25]), 2)
    same("around", np.int64([15, 25, 35, -15, 150, 250]), -1)


# --- comparisons -------------------------------------------------------------------------

def test_isclose():
    x = sample(np.float64)
    y = x + np.where(np.arange(11) % 2, 1e-9, 1e-3)
    for a, b in [(x, y), (x, x), (y, 1.0), (1, 1.0), (np.int8([1, 2]), np.int8([1, 3])),
                 (np.uint8([1, 200]), np.uint8([2, 200])), (x.astype(np.float32), 1.0),
                 (x + 1j, y + 1j), (True, np.array([True, False]))]:
        same("isclose", a, b)
        same("isclose", a, b, equal_nan=True)
        same("isclose", a, b, rtol=1e-2, atol=0)
        same("allclose", a, b)
        same("allclose", a, b, equal_nan=True)


def test_array_equal_and_equiv():
    x = sample(np.float64)
    cases = [(x, x), (x, x.copy()), (x, x + 1), ([1, 2], [1, 2, 3]), ([1], [1.0]),
             (np.int8([1, 2]), np.float32([1, 2])), ([[1, 2]], [1, 2]),
             (sample(np.complex128), sample(np.complex128)), (np.zeros((0, 2)), np.zeros((0, 2)))]
    for a, b in cases:
        same("array_equal", a, b)
        same("array_equal", a, b, equal_nan=True)
        same("array_equiv", a, b)
    same("array_equiv", [1, 2], [[1, 2], [1, 2]])
    same("array_equiv", [1, 2], [[1, 2, 3]])


def test_comparisons_return_0d_values():
    assert np.asarray(nm.allclose([1.0], [1.0])).shape == ()
    assert bool(nm.array_equal([1, 2], [1, 2])) is True
    assert bool(nm.array_equiv([1, 2], [1])) is False


def test_real_if_close():
    same("real_if_close", np.array([1 + 1e-20j, 2]))
    same("real_if_close", np.array([1 + 1e-5j, 2]))
    same("real_if_close", np.array([1 + 1e-5j, 2]), tol=1e-4)
    same("real_if_close", np.array([1 + 1e-10j], np.complex64), tol=1000)
    with pytest.raises(ConcretizationError, match="real_if_close"):
        npaccel.jit(nm.real_if_close)(np.array([1 + 0j]))


def test_nan_to_num_replacements():
    for dtype in (np.float16, np.float32, np.float64, np.complex64, np.complex128):
        x = sample(dtype)
        same("nan_to_num", x, nan=-1.0, posinf=9.0, neginf=-9.0)
        same("nan_to_num", x, copy=False, posinf=1e3)


# --- interp ------------------------------------------------------------------------------

XP = np.array([-2.0, -1.0, 0.0, 0.5, 2.0, 3.0])
FP = np.array([1.0, -1.0, 2.0, 0.0, 4.0, 3.0])
XS = np.array([-3.0, -2.0, -1.5, 0.0, 0.25, 1.0, 2.0, 2.5, 3.0, 4.0, np.nan])


@pytest.mark.parametrize("kw", [{}, dict(left=-5.0), dict(right=7.0), dict(left=0, right=1),
                                dict(period=2.5), dict(period=-4.0)], ids=str)
def test_interp(kw):
    same("interp", XS, XP, FP, **kw)
    same("interp", XS, XP, FP + 1j * FP[::-1], **kw)
    same("interp", XS.reshape(1, 11), XP, FP.astype(np.float32), **kw)


def test_interp_special_cases():
    same("interp", 1.5, [1, 2], [3, 4])
    same("interp", XS, [1.0], [2.0])
    same("interp", XS, [0.0, 1, 2], [0.0, np.inf, 1.0])
    same("interp", XS, XP, FP, left=np.float32(1))
    same("interp", np.int8([0, 1, 2]), np.int16([0, 2]), np.int32([0, 4]))
    same("interp", XS, XP[:0], FP[:0])               # ValueError: empty
    same("interp", XS, XP, FP[:3])                   # ValueError: lengths
    same("interp", XS, XP.reshape(2, 3), FP.reshape(2, 3))
    same("interp", XS, XP, FP, period=0)
    same("interp", XS, XP.reshape(2, 3), FP.reshape(2, 3), period=1)


# --- unwrap ------------------------------------------------------------------------------

PHASE = np.cumsum(np.random.default_rng(0).standard_normal((3, 10)) * 2.5, axis=1)


@pytest.mark.parametrize("kw", [{}, dict(axis=0), dict(discont=1.0), dict(discont=5.0),
                                dict(period=4.0), dict(period=360, discont=90), dict(axis=2)],
                         ids=str)
def test_unwrap(kw):
    same("unwrap", PHASE, **kw)


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.int32, np.float16, np.float32],
                         ids=DT_IDS)
def test_unwrap_dtypes(dtype):
    x = (PHASE * 10).astype(dtype) if np.dtype(dtype) != np.bool_ else PHASE > 0
    same("unwrap", x)
    if np.dtype(dtype).kind == "i":
        same("unwrap", x, period=16)
        same("unwrap", x, period=15, discont=3.5)


def test_unwrap_edges():
    same("unwrap", np.float64(3.0))
    same("unwrap", np.zeros(0))
    same("unwrap", np.ones(1))
    same("unwrap", np.array([0.0, np.pi, 2 * np.pi, -np.pi]))


# --- transformations ---------------------------------------------------------------------

JIT_CASES = [
    ("clip", lambda x: nm.clip(x, -0.5, 0.7), XS),
    ("around", lambda x: nm.around(x, 1), XS),
    ("sinc", nm.sinc, XS),
    ("i0", nm.i0, np.array([0.0, 1.0, -7.5, 8.5, 30.0])),
    ("interp", lambda x: nm.interp(x, XP, FP), XS),
    ("interp_period", lambda x: nm.interp(x, XP, FP, period=2.5), XS),
    ("unwrap", nm.unwrap, PHASE),
    ("isclose", lambda x: nm.isclose(x, 0.5, equal_nan=True), XS),
    ("nan_to_num", nm.nan_to_num, XS),
    ("angle", lambda x: nm.angle(x, True), XS + 1j),
]


@pytest.mark.parametrize("name,fun,x", JIT_CASES, ids=[c[0] for c in JIT_CASES])
def test_jit_matches_eager(name, fun, x):
    assert_close(npaccel.jit(fun)(x), fun(x), 1e-12, err_msg=name)


def test_allclose_under_jit():
    assert bool(npaccel.jit(lambda a, b: nm.allclose(a, b))(XP, XP + 1e-12))
    assert not bool(npaccel.jit(lambda a, b: nm.array_equal(a, b))(XP, XP + 1))


SMOOTH = np.array([-2.3, -1.2, 0.3, 0.9, 1.7, 2.6])


def test_grad_clip():
    check_grads(lambda x, lo, hi: nm.clip(x, lo, hi), [SMOOTH, np.array(-1.0), np.array(1.5)])


def test_grad_interp():
    x = np.array([-1.7, -0.4, 0.2, 0.8, 2.4])
    check_grads(lambda x, xp, fp: nm.interp(x, xp, fp), [x, XP, FP], order=1)
    check_grads(lambda x: nm.interp(x, XP, FP, period=5.0), [x], order=1)


def test_grad_special_functions():
    check_grads(nm.i0, [np.array([0.3, -1.5, 7.0, 9.0, 20.0])], order=1)
    check_grads(nm.sinc, [SMOOTH], order=2)
    check_grads(lambda x: nm.unwrap(x, axis=0), [PHASE[:, :4].T], order=1)
    check_grads(lambda x: nm.angle(x), [SMOOTH + 0.5j], order=1)
    check_grads(lambda x: nm.around(x, 2) * 0 + nm.real(x * x), [SMOOTH], order=1)


def test_vmap_interp():
    xs = np.stack([XS[:-1], XS[:-1] * 0.5])
    expected = np.stack([np.asarray(nm.interp(x, XP, FP)) for x in xs])
    assert_close(npaccel.vmap(lambda x: nm.interp(x, XP, FP))(xs), expected, 1e-12)
