"""npaccel.numpy.linalg against numpy.linalg: values, result dtypes and exception classes
over float32/float64/complex64/complex128 and integer input, square, rectangular,
batched and empty shapes, every keyword. Decompositions whose vectors are unique only up
to sign (phase) are compared through what does not depend on that choice:
reconstructions, orthonormality, eigenvalues and singular values, |diag(R)|. Then
jit against eager, vmap against a loop and derivatives against finite differences, and
the errors that only eager evaluation can raise (none under jit)."""
import warnings

import numpy as np
import pytest

import npaccel
from npaccel.numpy import linalg as nla, reductions
from harness import assert_close, check_grads

FLOATS = [np.float32, np.float64, np.complex64, np.complex128]
DTYPES = FLOATS + [np.int64]
SQUARE = [(3, 3), (2, 3, 3), (1, 1), (0, 0), (2, 0, 0)]
RECTANGULAR = [(4, 3), (3, 4), (2, 4, 3), (0, 3), (3, 0)]
LinAlgError = np.linalg.LinAlgError


def _id(x):
    return np.dtype(x).name if isinstance(x, type) else str(x)


# --- inputs ----------------------------------------------------------------------------------

def rand(shape, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        return rng.integers(-4, 5, size=shape).astype(dtype)
    x = rng.standard_normal(shape)
    if dtype.kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def _eye_like(shape):
    return np.eye(shape[-1]) if shape else 1


def well(shape, dtype=np.float64, seed=0):
    """Square, with a strong diagonal: far from singular."""
    return (rand(shape, dtype, seed) + 4 * shape[-1] * _eye_like(shape)).astype(dtype)


def _h(x):
    return np.conj(np.swapaxes(x, -1, -2))


def hermitian(shape, dtype=np.float64, seed=0):
    x = rand(shape, dtype, seed)
    return (x + _h(x)).astype(dtype)


def positive_definite(shape, dtype=np.float64, seed=0):
    x = rand(shape, dtype, seed)
    return (x @ _h(x) + shape[-1] * _eye_like(shape)).astype(dtype)


def _tol(dtype):
    return 2e-4 if np.dtype(dtype) in (np.float32, np.complex64) else 1e-9


@pytest.fixture(autouse=True)
def _quiet():
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


# --- comparing with NumPy -----------------------------------------------------------------------

def _exception_class(e):
    for cls in (LinAlgError, np.exceptions.AxisError, IndexError, ValueError, TypeError,
                AttributeError):
        if isinstance(e, cls):
            return cls
    return type(e)


def _close(actual, expected, tol=None, what=""):
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected), what
        assert type(actual) is type(expected), f"{what}: {type(actual)} != {type(expected)}"
        for a, e in zip(actual, expected):
            _close(a, e, tol, what)
        return
    expected = np.asarray(expected)
    assert_close(actual, expected, _tol(expected.dtype) if tol is None else tol, err_msg=what)


def same(fn, *args, tolerance=None, **kwargs):
    """npaccel's numpy.linalg.`fn` against NumPy's: values, dtypes, result types, or
    NumPy's exception class."""
    what = f"{fn} {[getattr(a, 'shape', type(a).__name__) for a in args]} {kwargs}"
    try:
        expected = getattr(np.linalg, fn)(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 (what NumPy raises is the specification)
        with pytest.raises(_exception_class(e)):
            getattr(nla, fn)(*args, **kwargs)
        return
    _close(getattr(nla, fn)(*args, **kwargs), expected, tolerance, what)


# --- solve, inv, det, slogdet, matrix_power ------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES, ids=_id)
@pytest.mark.parametrize("fn", ["inv", "det", "slogdet"])
def test_square_unary_dtypes(fn, dtype):
    same(fn, well((2, 3, 3), dtype))


@pytest.mark.parametrize("shape", SQUARE, ids=str)
@pytest.mark.parametrize("fn", ["inv", "det", "slogdet", "eigvalsh", "cholesky"])
def test_square_unary_shapes(fn, shape):
    same(fn, positive_definite(shape))


def test_integer_and_bool_input():
    same("det", np.array([[1, 2], [3, 4]], np.int8))
    same("inv", np.array([[True, False], [True, True]]))
    same("solve", np.array([[2, 1], [1, 3]], np.uint8), np.array([1, 2], np.int32))
    same("slogdet", -well((3, 3), np.int32))


def test_det_signs():
    # An odd permutation, a negative determinant and a complex phase.
    same("det", np.array([[0.0, 1.0], [1.0, 0.0]]))
    same("slogdet", np.array([[0.0, 2.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, -3.0]]))
    same("slogdet", np.array([[1j, 2.0], [0.5, 3 - 1j]]))


@pytest.mark.parametrize("dtype", DTYPES, ids=_id)
def test_solve_dtypes(dtype):
    same("solve", well((2, 3, 3), dtype), rand((2, 3, 2), dtype, 1))
    same("solve", well((3, 3), dtype), rand((3,), dtype, 1))


@pytest.mark.parametrize("shapes", [
    ((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (3,)), ((2, 3, 3), (3, 1)),
    ((2, 3, 3), (2, 3, 4)), ((3, 3), (2, 3, 2)), ((2, 1, 3, 3), (4, 3, 2)),
    ((0, 0), (0,)), ((2, 0, 0), (2, 0, 3)), ((3, 3), (3, 0)),
    # errors: b's core size, b 0-d, a not square, a 1-d, batches that do not broadcast
    ((3, 3), (2,)), ((3, 3), (2, 3)), ((3, 3), ()), ((3, 2), (3,)), ((3,), (3,)),
    ((2, 3, 3), (4, 3, 1)),
    # NumPy 2: a 2-d b is a matrix, even when it looks like a stack of vectors
    ((2, 3, 3), (2, 3)),
], ids=str)
def test_solve_shapes(shapes):
    a_shape, b_shape = shapes
    a = well(a_shape) if len(a_shape) >= 2 and a_shape[-1] == a_shape[-2] else rand(a_shape)
    same("solve", a, rand(b_shape, seed=1))


def test_solve_mixed_dtypes():
    same("solve", well((3, 3), np.float32), rand((3,), np.float64, 1))
    same("solve", well((3, 3), np.float32), rand((3,), np.complex64, 1))
    same("solve", well((3, 3), np.int64), rand((3, 2), np.float32, 1))
    same("solve", well((3, 3)).tolist(), [1, 2, 3])


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 6, -1, -2, -3])
def test_matrix_power(n):
    same("matrix_power", well((2, 3, 3)), n)
    same("matrix_power", well((3, 3), np.int64), n, tolerance=1e-9)


def test_matrix_power_errors_and_dtypes():
    same("matrix_power", well((3, 3), np.float32), 4)
    same("matrix_power", np.eye(2, dtype=bool), 3)
    same("matrix_power", well((3, 3)), 2.0)
    same("matrix_power", rand((3, 2)), 2)
    same("matrix_power", rand((3,)), 2)
    same("matrix_power", np.zeros((0, 0)), 3)


@pytest.mark.parametrize("fn", ["inv", "solve"])
def test_singular_matrix_raises(fn):
    singular = np.array([[[1.0, 2.0], [2.0, 4.0]], [[1.0, 0.0], [0.0, 1.0]]])
    args = (singular,) if fn == "inv" else (singular, np.ones(2))
    with pytest.raises(LinAlgError, match="Singular matrix"):
        getattr(nla, fn)(*args)
    same(fn, *args)
    same(fn, *[np.zeros((3, 3))] + ([np.ones(3)] if fn == "solve" else []))


def test_singular_det_slogdet():
    same("det", np.array([[1.0, 2.0], [2.0, 4.0]]))
    same("slogdet", np.zeros((2, 3, 3)))
    same("slogdet", np.zeros((2, 2), np.complex128))
    same("matrix_power", np.zeros((2, 2)), -1)


@pytest.mark.parametrize("fn", ["inv", "det", "slogdet", "cholesky", "eigvalsh", "eigvals",
                                "eig", "eigh"])
def test_square_errors(fn):
    same(fn, rand((3, 2)))
    same(fn, rand((3,)))
    same(fn, np.float64(2.0))
    same(fn, well((3, 3), np.float16))


def test_tensorsolve_and_tensorinv():
    a = well((6, 6)).reshape(2, 3, 6)
    same("tensorsolve", a, rand((2, 3)))
    same("tensorsolve", a.reshape(2, 3, 2, 3).transpose(0, 2, 1, 3), rand((2, 3)), axes=(1, 3))
    same("tensorsolve", well((4, 4)).reshape(4, 2, 2), rand((4,)))
    same("tensorsolve", rand((2, 3, 4)), rand((2, 3)))
    same("tensorsolve", a, rand((2, 3)), axes=(-1,))
    same("tensorinv", well((6, 6)).reshape(6, 2, 3), ind=1)
    same("tensorinv", well((6, 6)).reshape(2, 3, 2, 3))
    same("tensorinv", well((6, 6)).reshape(2, 3, 6), ind=0)
    same("tensorinv", rand((2, 3, 4)), ind=1)


# --- cholesky -------------------------------------------------------------------------------------

@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("dtype", DTYPES, ids=_id)
def test_cholesky(dtype, upper):
    a = positive_definite((2, 3, 3), dtype)
    same("cholesky", a, upper=upper)
    # Only one triangle is read: garbage in the other one changes nothing.
    rows, cols = np.indices((3, 3))
    unread = (rows < cols) if not upper else (rows > cols)
    same("cholesky", np.where(unread, rand((3, 3), dtype, 5) * 10, a), upper=upper)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_not_positive_definite(upper):
    bad = np.stack([np.eye(3), -np.eye(3)])
    with pytest.raises(LinAlgError, match="Matrix is not positive definite"):
        nla.cholesky(bad, upper=upper)
    same("cholesky", np.array([[1.0, 2.0], [2.0, 1.0]], np.complex64), upper=upper)


# --- qr ---------------------------------------------------------------------------------------

def _check_qr(a, mode):
    expected = np.linalg.qr(a, mode)
    actual = nla.qr(a, mode)
    tol = _tol(a.dtype if a.dtype.kind in "fc" else np.float64)
    if mode in ("raw", "r"):  # LAPACK's Householder QR: deterministic, compared as it is
        _close(actual, expected, tol)
        return
    assert type(actual) is type(expected)
    q, r = (np.asarray(x) for x in actual)
    for x, e in zip((q, r), expected):
        assert (x.dtype, x.shape) == (e.dtype, e.shape)
    np.testing.assert_allclose(q @ r, a, rtol=tol, atol=tol)
    np.testing.assert_allclose(np.triu(r), r)
    k = q.shape[-1]
    np.testing.assert_allclose(_h(q) @ q, np.broadcast_to(np.eye(k), q.shape[:-2] + (k, k)),
                               atol=tol)
    diagonal = lambda x: np.abs(np.diagonal(x, axis1=-2, axis2=-1))  # noqa: E731
    np.testing.assert_allclose(diagonal(r), diagonal(expected.R), rtol=tol, atol=tol)


@pytest.mark.parametrize("mode", ["reduced", "complete", "r", "raw"])
@pytest.mark.parametrize("shape", RECTANGULAR + [(2, 0, 3)], ids=str)
def test_qr_shapes(shape, mode):
    _check_qr(rand(shape), mode)


@pytest.mark.parametrize("dtype", DTYPES, ids=_id)
def test_qr_dtypes(dtype):
    for mode in ("reduced", "complete", "raw"):
        _check_qr(rand((2, 4, 3), dtype), mode)


def test_qr_modes_and_errors():
    same("qr", rand((3, 2)), mode="full")
    same("qr", rand((3, 2)), mode="economic")
    same("qr", rand((3, 2)), mode="bogus")
    same("qr", rand((3,)))
    same("qr", rand((3, 3), np.float16))
    with pytest.warns(DeprecationWarning):
        nla.qr(rand((3, 2)), mode="f")


# --- eigh, eigvalsh, eig, eigvals --------------------------------------------------------------

@pytest.mark.parametrize("UPLO", ["L", "U", "u"])
@pytest.mark.parametrize("dtype", DTYPES, ids=_id)
def test_eigh(dtype, UPLO):
    a = hermitian((2, 3, 3), dtype)
    # Garbage in the triangle that is not read.
    rows, cols = np.indices((3, 3))
    unread = (rows < cols) if UPLO == "L" else (rows > cols)
    a = np.where(unread, rand((3, 3), dtype, 3), a)
    full = np.where(unread, _h(a), a)
    w_e, v_e = np.linalg.eigh(a, UPLO)
    result = nla.eigh(a, UPLO)
    assert type(result) is type(np.linalg.eigh(a, UPLO))
    w, v = np.asarray(result.eigenvalues), np.asarray(result.eigenvectors)
    tol = _tol(w_e.dtype)
    assert_close(w, w_e, tol)
    assert (v.dtype, v.shape) == (v_e.dtype, v_e.shape)
    np.testing.assert_allclose(full @ v, v * w[..., None, :], rtol=tol, atol=tol * 10)
    np.testing.assert_allclose(_h(v) @ v, np.broadcast_to(np.eye(3), v.shape), atol=tol)
    same("eigvalsh", a, UPLO=UPLO)


def test_eigh_shapes_and_errors():
    for shape in SQUARE:
        same("eigvalsh", hermitian(shape))
        w, v = nla.eigh(hermitian(shape))
        assert np.asarray(v).shape == shape and np.asarray(w).shape == shape[:-1]
    same("eigh", hermitian((3, 3)), UPLO="X")
    same("eigvalsh", hermitian((3, 3)), UPLO=1)


def _sorted_eigenvalues(w):
    w = np.asarray(w)
    return np.sort(np.round(w.astype(np.complex128), 5), axis=-1)


def _check_eig(a):
    expected = np.linalg.eig(a)
    result = nla.eig(a)
    assert type(result) is type(expected)
    w, v = (np.asarray(x) for x in result)
    for x, e in zip((w, v), expected):
        assert (x.dtype, x.shape) == (e.dtype, e.shape)
    tol = _tol(w.dtype)
    np.testing.assert_allclose(_sorted_eigenvalues(w), _sorted_eigenvalues(expected[0]),
                               rtol=tol * 10, atol=tol * 10)
    np.testing.assert_allclose(a @ v, v * w[..., None, :], rtol=tol * 10, atol=tol * 10)
    np.testing.assert_allclose(np.linalg.norm(v, axis=-2), 1, rtol=tol)
    eigenvalues = np.asarray(nla.eigvals(a))
    assert eigenvalues.dtype == np.linalg.eigvals(a).dtype
    np.testing.assert_allclose(_sorted_eigenvalues(eigenvalues), _sorted_eigenvalues(w),
                               rtol=tol * 10, atol=tol * 10)


@pytest.mark.parametrize("dtype", DTYPES, ids=_id)
def test_eig(dtype):
    _check_eig(rand((2, 3, 3), dtype))          # real input: complex pairs
    _check_eig(hermitian((3, 3), dtype))        # real input, real eigenvalues: real result


def test_eig_shapes_and_errors():
    for shape in SQUARE:
        _check_eig(well(shape))
    with pytest.raises(LinAlgError, match="infs or NaNs"):
        nla.eig(np.array([[1.0, np.nan], [0.0, 1.0]]))
    same("eigvals", np.array([[1.0, np.inf], [0.0, 1.0]]))
    # A rotation: eigenvalues +-i from real input.
    same("eigvals", np.array([[0.0, -1.0], [1.0, 0.0]]))


# --- svd, svdvals, pinv, matrix_rank, lstsq, cond ---------------------------------------------

def _check_svd(a, full_matrices=True, hermitian=False):
    expected = np.linalg.svd(a, full_matrices, hermitian=hermitian)
    result = nla.svd(a, full_matrices, hermitian=hermitian)
    assert type(result) is type(expected)
    u, s, vh = (np.asarray(x) for x in result)
    for x, e in zip((u, s, vh), expected):
        assert (x.dtype, x.shape) == (e.dtype, e.shape)
    tol = _tol(s.dtype)
    assert_close(s, expected.S, tol)
    k = s.shape[-1]
    np.testing.assert_allclose((u[..., :k] * s[..., None, :]) @ vh[..., :k, :], a,
                               rtol=tol * 10, atol=tol * 10)
    for x in (u, _h(vh)):
        eye = np.broadcast_to(np.eye(x.shape[-1]), x.shape[:-2] + (x.shape[-1],) * 2)
        np.testing.assert_allclose(_h(x) @ x, eye, atol=tol * 10)
    same("svd", a, full_matrices, compute_uv=False, hermitian=hermitian)


@pytest.mark.parametrize("full_matrices", [True, False])
@pytest.mark.parametrize("shape", RECTANGULAR + [(2, 0, 3)], ids=str)
def test_svd_shapes(shape, full_matrices):
    _check_svd(rand(shape), full_matrices)


@pytest.mark.parametrize("dtype", DTYPES, ids=_id)
def test_svd_dtypes(dtype):
    _check_svd(rand((2, 3, 4), dtype))
    _check_svd(hermitian((2, 3, 3), dtype), hermitian=True)
    same("svdvals", rand((4, 3), dtype))


def test_svd_hermitian_shapes_and_errors():
    for shape in SQUARE:
        _check_svd(hermitian(shape), hermitian=True)
    same("svd", rand((3,)))
    same("svd", rand((3, 4)), hermitian=True)
    same("svd", rand((3, 4), np.float16))
    same("svdvals", rand((2,)))
    with pytest.raises(LinAlgError, match="SVD did not converge"):
        nla.svd(np.array([[np.nan, 1.0], [1.0, 1.0]]))


@pytest.mark.parametrize("dtype", DTYPES, ids=_id)
def test_pinv_dtypes(dtype):
    same("pinv", rand((2, 4, 3), dtype))
    same("pinv", hermitian((3, 3), dtype), hermitian=True)


@pytest.mark.parametrize("kwargs", [{}, {"rcond": 0.3}, {"rtol": None}, {"rtol": 0.3},
                                    {"rcond": np.array([0.1, 0.9])}, {"rcond": 0.1, "rtol": 0.1},
                                    {"hermitian": True}], ids=str)
def test_pinv_keywords(kwargs):
    a = hermitian((2, 3, 3))
    a[1] = np.diag([3.0, 1.0, 0.5])
    same("pinv", a, **kwargs)


def test_pinv_shapes():
    for shape in RECTANGULAR + [(2, 0, 3), (1, 1)]:
        same("pinv", rand(shape))
    same("pinv", np.zeros((3, 0), np.int64))
    same("pinv", rand((3,)))
    same("pinv", np.ones((3, 2), np.int64), rtol=None)  # finfo of an integer dtype


@pytest.mark.parametrize("kwargs", [{}, {"tol": 0.5}, {"rtol": 0.2}, {"hermitian": True},
                                    {"tol": np.array([0.1, 10.0])}, {"tol": 1.0, "rtol": 1.0}],
                         ids=str)
def test_matrix_rank(kwargs):
    a = np.stack([np.diag([3.0, 1.0, 0.0]), hermitian((3, 3))])
    same("matrix_rank", a, **kwargs)


def test_matrix_rank_shapes_and_dtypes():
    for dtype in DTYPES:
        same("matrix_rank", rand((4, 3), dtype) @ rand((3, 5), dtype, 1))
    for x in [np.zeros(3), np.ones(3), np.float64(0.0), np.float64(2.0), rand((2, 0, 3))]:
        same("matrix_rank", x)
    same("matrix_rank", np.ones((3, 3)) * 1e-30)


@pytest.mark.parametrize("shapes", [((4, 3), (4,)), ((4, 3), (4, 2)), ((3, 4), (3,)),
                                    ((3, 3), (3, 2)), ((4, 0), (4,)), ((0, 3), (0,)),
                                    ((4, 3), (4, 0)), ((4, 3), (3,)), ((2, 4, 3), (2, 4)),
                                    ((4, 3), (4, 2, 1))], ids=str)
def test_lstsq_shapes(shapes):
    same("lstsq", rand(shapes[0]), rand(shapes[1], seed=1))


@pytest.mark.parametrize("dtype", DTYPES, ids=_id)
def test_lstsq_dtypes(dtype):
    same("lstsq", rand((5, 3), dtype), rand((5, 2), dtype, 1))


def test_lstsq_rank_and_rcond():
    deficient = rand((5, 2)) @ rand((2, 3), seed=1)  # rank 2 < n: no residuals
    same("lstsq", deficient, rand((5,), seed=2))
    tall = np.diag([3.0, 1.0, 1e-3])[[0, 1, 2, 0, 1]]
    for rcond in (None, 1e-2, 1e-4, -1.0):
        same("lstsq", tall, rand((5, 2), seed=2), rcond=rcond)
    same("lstsq", rand((5, 3), np.float32), rand((5,), np.float64, 1))
    same("lstsq", rand((5, 3), np.int64), rand((5,), np.complex64, 1))


@pytest.mark.parametrize("p", [None, 1, -1, 2, -2, np.inf, -np.inf, "fro", "nuc"], ids=str)
def test_cond(p):
    same("cond", well((2, 3, 3)) - 6 * np.eye(3), p)
    same("cond", rand((3, 4)), p)
    same("cond", np.array([[1.0, 2.0], [2.0, 4.0]]), p)   # singular: inf
    same("cond", np.zeros((2, 2)), p)


def test_cond_dtypes_and_errors():
    for dtype in DTYPES:
        same("cond", well((3, 3), dtype))
        same("cond", well((3, 3), dtype), "fro")
    same("cond", np.zeros((0, 0)))
    same("cond", rand((3, 3)), 3)
    same("cond", rand((3, 3)), "bogus")
    same("cond", np.array([[np.nan, 1.0], [1.0, 1.0]]), "fro")


# --- norms ----------------------------------------------------------------------------------------

VECTOR_ORDS = [None, 2, 1, 0, np.inf, -np.inf, 3, 0.5, -1, -2]
MATRIX_ORDS = [None, "fro", "nuc", np.inf, -np.inf, 1, -1, 2, -2]


@pytest.mark.parametrize("ord", VECTOR_ORDS, ids=str)
def test_norm_vectors(ord):
    x = rand((2, 5))
    same("norm", x[0], ord)
    same("norm", x, ord, axis=1)
    same("norm", x, ord, axis=(0,), keepdims=True)
    same("norm", rand((2, 5), np.complex64), ord, axis=-1)


@pytest.mark.parametrize("ord", MATRIX_ORDS, ids=str)
def test_norm_matrices(ord):
    x = rand((2, 3, 4))
    same("norm", x[0], ord)
    same("norm", x, ord, axis=(1, 2))
    same("norm", x, ord, axis=(2, 0), keepdims=True)
    same("norm", rand((3, 4), np.complex128), ord, axis=(-1, -2))
    same("norm", np.zeros((0, 3)), ord)


@pytest.mark.parametrize("dtype", DTYPES + [np.float16, np.bool_, np.int8], ids=_id)
def test_norm_dtypes(dtype):
    x = rand((3, 4), dtype)
    tol = 2e-3 if dtype == np.float16 else None
    same("norm", x, tolerance=tol)
    same("norm", x, 1, tolerance=tol)
    same("norm", x, axis=0, tolerance=tol)
    same("norm", x, "fro", keepdims=True, tolerance=tol)
    same("norm", x, 3, axis=1, tolerance=5e-3 if dtype == np.float16 else None)


def test_norm_shapes_and_errors():
    same("norm", np.float64(-3.0))
    same("norm", np.float64(-3.0), keepdims=True)
    same("norm", rand((2, 3, 4)))
    same("norm", rand((2, 3, 4)), keepdims=True)
    same("norm", np.zeros((0,)), np.inf)
    same("norm", np.zeros((0,)), -np.inf)            # min of nothing: ValueError
    same("norm", np.zeros((2, 0)), -2)
    same("norm", rand((2, 3, 4)), 1)                 # 3 axes: ValueError
    same("norm", rand((3,)), "fro")                  # string order of a vector
    same("norm", rand((3,)), "nuc")
    same("norm", rand((3, 3)), 3)                    # not a matrix order
    same("norm", rand((3, 3)), "bogus")
    same("norm", rand((3, 3)), axis=(0, 0))
    same("norm", rand((3, 3)), axis=(0, 1, 1))
    same("norm", rand((3, 3)), axis=[0, 1])
    same("norm", rand((3, 3)), axis=2)
    same("norm", rand((3, 3)), 2, axis=(0, 5))
    same("norm", rand((3, 3)), axis=1.5)


@pytest.mark.parametrize("kwargs", [{}, {"axis": 1}, {"axis": (0, 2)}, {"axis": (-1, 0)},
                                    {"axis": ()}, {"keepdims": True},
                                    {"axis": (0, 2), "keepdims": True}, {"ord": 1, "axis": -2},
                                    {"ord": np.inf}, {"ord": 0, "axis": (1,)},
                                    {"ord": "fro"}, {"axis": (0, 0)}, {"axis": 3}], ids=str)
def test_vector_norm(kwargs):
    x = rand((2, 3, 4))
    same("vector_norm", x, **kwargs)


@pytest.mark.parametrize("kwargs", [{}, {"keepdims": True}, {"ord": 2}, {"ord": "nuc"},
                                    {"ord": -np.inf, "keepdims": True}, {"ord": 3}], ids=str)
def test_matrix_norm(kwargs):
    same("matrix_norm", rand((2, 3, 4), np.complex64), **kwargs)
    same("matrix_norm", rand((4,)), **kwargs)


def test_vector_norm_scalars_and_ints():
    same("vector_norm", np.float32(-2.0))
    same("vector_norm", np.float32(-2.0), keepdims=True)
    same("vector_norm", rand((3, 2), np.int64), axis=0)


# --- multi_dot and the products, views and reductions --------------------------------------------

@pytest.mark.parametrize("shapes", [
    [(2, 3), (3, 4)], [(3,), (3, 4), (4,)], [(10, 30), (30, 5), (5, 60)],
    [(2, 30), (30, 5), (5, 60), (60, 4)], [(5,), (5, 10), (10, 2), (2, 30), (30,)],
    [(4, 3), (3, 2), (2, 6), (6, 1)], [(3,), (3,)], [(2, 3)], [(2, 3), (3, 4, 1), (1, 2)],
    [(3, 4), (5, 6), (6, 2)],
], ids=str)
def test_multi_dot(shapes):
    arrays = [rand(s, seed=i) for i, s in enumerate(shapes)]
    same("multi_dot", arrays)


def test_multi_dot_order_and_dtypes():
    """The chain's order decides the float32 rounding: the same as NumPy's order."""
    arrays = [rand(s, np.float32, i) for i, s in enumerate([(2, 30), (30, 5), (5, 60), (60, 4)])]
    same("multi_dot", arrays, tolerance=1e-5)
    same("multi_dot", [rand((2, 3), np.int8), rand((3, 3), np.int64), rand((3, 2), np.float32)])
    with pytest.raises(TypeError, match="ndarray"):
        nla.multi_dot(arrays, out=np.zeros((2, 4)))


def test_products_and_views():
    a, b = rand((2, 3, 3)), rand((3, 3), seed=1)
    same("matmul", a, b)
    same("matmul", rand((3,), np.int32), rand((3, 2), np.int32))
    same("tensordot", a, b)
    same("tensordot", a, b, axes=1)
    same("tensordot", a, b, axes=([1, 2], [0, 1]))
    same("matrix_transpose", a)
    same("matrix_transpose", rand((3,)))
    same("diagonal", a)
    same("diagonal", a, offset=1)
    same("diagonal", rand((3,)))
    same("trace", a)
    same("trace", a, offset=-1, dtype=np.float32)
    same("trace", rand((3, 3), np.int8))
    same("vecdot", rand((2, 3), np.complex128), rand((3,), np.complex128, 1))
    same("vecdot", rand((3, 2)), rand((3, 2), seed=1), axis=0)
    same("outer", rand((3,)), rand((4,), np.int64, 1))
    same("outer", rand((3, 1)), rand((4,)))
    same("cross", rand((2, 3)), rand((3,), seed=1))
    same("cross", rand((3, 2)), rand((3, 2), seed=1), axis=0)
    same("cross", rand((2, 2)), rand((2, 2), seed=1))
    same("cross", rand((3,)), rand((3,), seed=1), axis=2)


def test_names_match_numpy():
    for name in np.linalg.__all__:
        assert hasattr(nla, name), name
    assert nla.LinAlgError is np.linalg.LinAlgError
    for result in ("EigResult", "EighResult", "QRResult", "SlogdetResult", "SVDResult"):
        assert getattr(nla, result) is getattr(np.linalg._linalg, result)


# --- transformations: jit, vmap, grad --------------------------------------------------------------

def _abs_diag_r(a):
    r = nla.qr(a).R
    return npaccel.lax.abs(nla.diagonal(r))


# name: (function, argument makers (seed -> array)); float64 inputs.
TRANSFORMED = {
    "solve": (nla.solve, [lambda s: well((3, 3), seed=s), lambda s: rand((3, 2), seed=s + 9)]),
    "solve_vector": (nla.solve, [lambda s: well((3, 3), seed=s),
                                 lambda s: rand((3,), seed=s + 9)]),
    "inv": (nla.inv, [lambda s: well((3, 3), seed=s)]),
    "det": (nla.det, [lambda s: well((3, 3), seed=s)]),
    "slogdet": (lambda a: tuple(nla.slogdet(a)), [lambda s: well((3, 3), seed=s) - 12 * np.eye(3)]),
    "norm_vector": (nla.norm, [lambda s: rand((4,), seed=s)]),
    "norm_fro": (lambda x: nla.norm(x, "fro"), [lambda s: rand((3, 4), seed=s)]),
    "norm_2": (lambda x: nla.norm(x, 2), [lambda s: rand((3, 4), seed=s)]),
    "eigh_values": (lambda a: nla.eigh(a).eigenvalues, [lambda s: hermitian((3, 3), seed=s)]),
    "svd_values": (lambda a: nla.svd(a).S, [lambda s: rand((3, 3), seed=s)]),
    "svd_values_thin": (lambda a: nla.svd(a, full_matrices=False).S,
                        [lambda s: rand((4, 3), seed=s)]),
    "svdvals": (nla.svdvals, [lambda s: rand((3, 4), seed=s)]),
    "lstsq": (lambda a, b: nla.lstsq(a, b)[0], [lambda s: rand((4, 3), seed=s),
                                                  lambda s: rand((4, 2), seed=s + 9)]),
    "pinv": (nla.pinv, [lambda s: rand((4, 3), seed=s)]),
    "cholesky": (nla.cholesky, [lambda s: positive_definite((3, 3), seed=s)]),
    "qr_abs_diag_r": (_abs_diag_r, [lambda s: rand((4, 3), seed=s)]),
}


def _args(name, seed=0):
    return [make(seed) for make in TRANSFORMED[name][1]]


def _tree_close(actual, expected, tol=1e-9):
    actual = actual if isinstance(actual, tuple) else (actual,)
    expected = expected if isinstance(expected, tuple) else (expected,)
    for a, e in zip(actual, expected):
        assert_close(a, e, tol)


@pytest.mark.parametrize("name", list(TRANSFORMED))
def test_jit(name):
    fn, args = TRANSFORMED[name][0], _args(name)
    _tree_close(npaccel.jit(fn)(*args), fn(*args))


@pytest.mark.parametrize("name", list(TRANSFORMED))
def test_vmap(name):
    fn = TRANSFORMED[name][0]
    per_example = [_args(name, seed) for seed in range(3)]
    stacked = [np.stack(xs) for xs in zip(*per_example)]
    batched = npaccel.vmap(fn)(*stacked)
    loop = [fn(*args) for args in per_example]
    if isinstance(batched, tuple):
        expected = tuple(np.stack([np.asarray(r[i]) for r in loop]) for i in range(len(batched)))
    else:
        expected = np.stack([np.asarray(r) for r in loop])
    _tree_close(tuple(batched) if isinstance(batched, tuple) else batched, expected)


@pytest.mark.parametrize("name", list(TRANSFORMED))
def test_grad(name):
    fn = TRANSFORMED[name][0]
    check_grads(fn, _args(name), order=1, tol=1e-5)


@pytest.mark.parametrize("name", ["solve", "det", "eigh_values", "norm_2"])
def test_grad_second_order(name):
    check_grads(TRANSFORMED[name][0], _args(name), order=2, tol=1e-4)


def test_grad_complex():
    a = well((3, 3), np.complex128)
    check_grads(nla.inv, [a], order=1)
    check_grads(lambda x: nla.eigvalsh(x), [hermitian((3, 3), np.complex128)], order=1)


def test_jit_and_vmap_decompositions():
    a = rand((2, 3, 3), np.complex128)
    for fn in (lambda x: tuple(nla.eig(x)), lambda x: tuple(nla.eigh(x)),
               lambda x: tuple(nla.qr(x, "complete")), lambda x: tuple(nla.svd(x))):
        _tree_close(npaccel.jit(fn)(a), fn(a))
        _tree_close(npaccel.vmap(fn)(a), tuple(np.stack([np.asarray(r[i]) for r in
                                                         (fn(a[0]), fn(a[1]))])
                                               for i in range(len(fn(a)))))


def test_jit_keeps_static_keywords():
    a = rand((4, 3))
    for fn in (lambda x: nla.norm(x, "nuc"), lambda x: nla.matrix_rank(x),
               lambda x: nla.cond(x), lambda x: nla.matrix_power(x[:3], -2),
               lambda x: nla.pinv(x, hermitian=False, rtol=None),
               lambda x: nla.multi_dot([x, nla.matrix_transpose(x), x])):
        _tree_close(npaccel.jit(fn)(a), fn(a))


def test_errors_under_jit_become_nans():
    """No exception can be raised from abstract values: results hold infs/NaNs (as JAX)."""
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    assert not np.all(np.isfinite(np.asarray(npaccel.jit(nla.inv)(singular))))
    assert not np.all(np.isfinite(np.asarray(npaccel.jit(nla.solve)(singular, np.ones(2)))))
    assert np.isnan(np.asarray(npaccel.jit(nla.cholesky)(-np.eye(2)))).any()
    batched = npaccel.vmap(nla.cholesky)(np.stack([np.eye(2), -np.eye(2)]))
    assert np.isnan(np.asarray(batched)[1]).any()
    # eig of real input stays complex when traced; eagerly it is real if it can be.
    sym = hermitian((3, 3))
    assert np.asarray(nla.eigvals(sym)).dtype == np.float64
    traced = np.asarray(npaccel.jit(nla.eigvals)(sym))
    assert traced.dtype == np.complex128
    np.testing.assert_allclose(np.sort(traced.real), np.linalg.eigvalsh(sym), atol=1e-9)
    # lstsq's residuals under jit: whatever the rank (eagerly: NumPy's rule).
    x, residuals, rank, s = npaccel.jit(nla.lstsq)(rand((5, 3)), rand((5,), seed=1))
    expected = np.linalg.lstsq(rand((5, 3)), rand((5,), seed=1))
    _close((x, residuals, rank, s), tuple(expected))


def test_singular_check_under_grad():
    """Eagerly under grad the primal is concrete: the error is raised as NumPy's."""
    with pytest.raises(LinAlgError, match="Singular matrix"):
        npaccel.grad(lambda a: reductions.sum(nla.inv(a)))(np.zeros((2, 2)))
