"""Differential tests of numpy.linalg (npaccel/numpy/linalg.py) and numpy.fft (fft.py)
against NumPy: square and stacked matrices (made well-conditioned where the function needs
it), ill-shaped ones (so LinAlgError/ValueError classes are compared), invariants where
NumPy's answer is not unique (eigenvectors, singular vectors, QR signs), and fft lengths,
axes and norms."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.differential._differential import arrays, differential, dtypes, shapes
from tests.differential._keywords import (axes, check_kw, check_native, keywords,
                                          scalar_if_0d)

la = np.linalg

# Matrices: 0-d, empty, 1x1, square, stacked square, and not square.
SQUARE_SHAPES = ((), (0, 0), (1, 1), (3, 3), (2, 3, 3), (2, 3))
LINALG_KINDS = "iufc"  # float16 is drawn too: NumPy's TypeError is compared
TOL = {np.dtype("float32"): 2e-4, np.dtype("complex64"): 2e-4}


def _tol(a):
    return TOL.get(np.result_type(a, np.float32) if a.dtype.kind in "biu" else a.dtype, 1e-9)


def _matrix(data, kinds=LINALG_KINDS, shapes_=SQUARE_SHAPES):
    return data.draw(arrays(kinds=kinds, shape=data.draw(st.sampled_from(shapes_))))


def _square(a) -> bool:
    return a.ndim >= 2 and a.shape[-1] == a.shape[-2]


def _invertible(a):
    """a plus 10 I: diagonally dominant for the pool's values, so well-conditioned (other
    shapes unchanged, for the exception classes)."""
    if not _square(a):
        return a
    with np.errstate(all="ignore"):
        return (a + 10 * np.eye(a.shape[-1], dtype=a.dtype)).astype(a.dtype)


def _positive_definite(a):
    """A Hermitian, diagonally dominant matrix with a positive diagonal: positive definite."""
    if not _square(a):
        return a
    with np.errstate(all="ignore"):
        h = a + np.swapaxes(a, -1, -2).conj()
        return (h + 20 * np.eye(a.shape[-1], dtype=a.dtype)).astype(a.dtype)


# name -> (matrix preparation, keyword strategies)
MATRIX_FUNCTIONS = {
    "det": (_invertible, {}),
    "slogdet": (_invertible, {}),
    "inv": (_invertible, {}),
    "cholesky": (_positive_definite, {"upper": st.booleans()}),
    "eigvalsh": (_positive_definite, {"UPLO": st.sampled_from(["L", "U", "X"])}),
    "svdvals": (_invertible, {}),
    "cond": (_invertible, {"p": st.sampled_from([None, 1, -1, 2, -2, np.inf, -np.inf, "fro",
                                                 "nuc", 3])}),
    "matrix_rank": (lambda a: a, {"tol": st.sampled_from([None, 0.5]),
                                  "hermitian": st.just(False),
                                  "rtol": st.sampled_from([None, 1e-3])}),
    "pinv": (_invertible, {"rcond": st.sampled_from([None, 1e-10]),
                           "hermitian": st.just(False)}),
    "matrix_power": (_invertible, {"n": st.sampled_from([0, 1, 2, 3, -1, -2, 1.5])}),
    "matrix_norm": (lambda a: a, {"ord": st.sampled_from(["fro", "nuc", 1, -1, 2, -2,
                                                          np.inf, -np.inf, 3]),
                                  "keepdims": st.booleans()}),
    "matrix_transpose": (lambda a: a, {}),
    "trace": (lambda a: a, {"offset": st.sampled_from([0, 1, -1]),
                            "dtype": st.sampled_from([None, "float64", "complex128"])}),
    "diagonal": (lambda a: a, {"offset": st.sampled_from([0, 1, -2])}),
}


@pytest.mark.parametrize("name", MATRIX_FUNCTIONS)
@differential
@given(data=st.data())
def test_matrix_function(name, data):
    prepare, strategies = MATRIX_FUNCTIONS[name]
    a = prepare(_matrix(data))
    positional = ("n",) if name == "matrix_power" else ()
    kwargs = keywords(data.draw, strategies)
    if name == "matrix_power" and "n" not in kwargs:
        kwargs["n"] = 2
    args = [kwargs.pop(key) for key in positional]
    check_kw(getattr(la, name), a, *args, tol_=_tol(a), **kwargs)


def _solve_pair(data):
    a = _invertible(_matrix(data))
    b_shape = data.draw(st.sampled_from([a.shape, a.shape[:-1], a.shape[-1:] + (2,), (4,)]))
    return a, data.draw(arrays(a.dtype, shape=b_shape))


@differential
@given(data=st.data())
def test_solve(data):
    a, b = _solve_pair(data)
    check_kw(la.solve, a, b, tol_=_tol(a))


@differential
@given(data=st.data())
def test_lstsq(data):
    # Tall or square, full column rank: a diagonally dominant top block.
    shape = data.draw(st.sampled_from([(3, 3), (4, 3), (1, 1), (0, 0), (3,)]))
    a = data.draw(arrays(kinds="if", shape=shape))
    if a.ndim == 2 and a.size:
        a[:a.shape[1]] += 10 * np.eye(a.shape[1], dtype=a.dtype)
    b = data.draw(arrays(a.dtype, shape=data.draw(st.sampled_from(
        [a.shape[:1], a.shape[:1] + (2,), (2,)]))))
    kwargs = keywords(data.draw, {"rcond": st.sampled_from([None, 1e-6])})
    check_kw(la.lstsq, a, b, tol_=_tol(a), **kwargs)


# --- decompositions: invariants -----------------------------------------------------------

def _eig_invariant(a):
    """The eigenvalues (sorted) and the residual |A v - v w| (small), not v itself."""
    w, v = la.eig(a)
    return np.sort(w), np.abs(a @ v - v * w[..., None, :]) < 1e-3 * (1 + np.abs(w[..., None, :]))


def _eigh_invariant(a, **kwargs):
    """Eigenvalues (ascending) and |v| (signs and phases are free)."""
    w, v = la.eigh(a, **kwargs)
    return w, np.abs(v)


def _svd_invariant(a, **kwargs):
    """Singular values, the reconstruction u s vh, and the factors' shapes."""
    r = la.svd(a, **kwargs)
    if not kwargs.get("compute_uv", True):
        return r
    u, s, vh = r
    k = s.shape[-1]
    return s, (u[..., :k] * s[..., None, :]) @ vh[..., :k, :], u.shape, vh.shape


def _qr_invariant(a, **kwargs):
    """|r| (row signs are free) and, with q, the reconstruction q r and q's shape."""
    r = la.qr(a, **kwargs)
    mode = kwargs.get("mode", "reduced")
    if mode == "r":
        return np.abs(r)
    if mode == "raw":
        return tuple(x.shape for x in r)
    q, r = r
    return np.abs(r), q @ r, q.shape


# name -> (invariant, preparation, keyword strategies)
DECOMPOSITIONS = {
    "eig": (_eig_invariant, _invertible, {}),
    "eigvals": (lambda a: np.sort(la.eigvals(a)), _invertible, {}),
    "eigh": (_eigh_invariant, _positive_definite, {"UPLO": st.sampled_from(["L", "U"])}),
    "svd": (_svd_invariant, _invertible, {"full_matrices": st.booleans(),
                                          "compute_uv": st.booleans()}),
    "qr": (_qr_invariant, lambda a: a, {"mode": st.sampled_from(["reduced", "complete", "r",
                                                                 "raw", "bogus"])}),
}


@pytest.mark.parametrize("name", DECOMPOSITIONS)
@differential
@given(data=st.data())
def test_decomposition(name, data):
    invariant, prepare, strategies = DECOMPOSITIONS[name]
    a = prepare(_matrix(data))
    invariant.__name__ = name
    check_kw(invariant, a, tol_=_tol(a), **keywords(data.draw, strategies))


# --- products and norms -------------------------------------------------------------------

@pytest.mark.parametrize("name", ["matmul", "outer", "cross", "vecdot", "tensordot"])
@differential
@given(data=st.data())
def test_linalg_product(name, data):
    dtype = data.draw(dtypes())
    a_shape = data.draw(shapes())
    b_shape = data.draw(st.sampled_from([a_shape, a_shape[::-1], a_shape[-1:]]) | shapes())
    if name == "cross":
        a_shape, b_shape = (data.draw(st.sampled_from([(3,), (2, 3), (2,), (2, 1, 3)]))
                            for _ in range(2))
    a, b = data.draw(arrays(dtype, a_shape)), data.draw(arrays(dtype, b_shape))
    strategies = {"vecdot": {"axis": axes(2, tuples=False, none=False)},
                  "cross": {"axis": axes(2, tuples=False, none=False)},
                  "tensordot": {"axes": st.sampled_from([0, 1, 2, ([0], [0])])}}.get(name, {})
    check_kw(getattr(la, name), a, b, **keywords(data.draw, strategies))


@differential
@given(data=st.data())
def test_multi_dot(data):
    n = data.draw(st.sampled_from([2, 3, 4]))
    dims = data.draw(st.lists(st.sampled_from([1, 2, 3]), min_size=n + 1, max_size=n + 1))
    dtype = data.draw(dtypes("iufc"))
    mats = [data.draw(arrays(dtype, (dims[i], dims[i + 1]))) for i in range(n)]
    if data.draw(st.booleans()):  # 1-d ends, or a mismatch
        mats[0] = mats[0][0]
        mats[-1] = data.draw(arrays(dtype, data.draw(st.sampled_from(
            [(dims[-2],), (dims[-2], 2), (4, 4)]))))
    check_kw(la.multi_dot, mats)


@differential
@given(data=st.data())
def test_norm(data):
    a = data.draw(arrays(kinds="biufc", specials=True))
    axis = data.draw(st.sampled_from([None, 0, -1, (0, 1), (1, 0), (0, 0), 3]))
    ords = [None, 1, -1, 2, -2, np.inf, -np.inf, 0, 3, 0.5, "fro", "nuc"]
    kwargs = keywords(data.draw, {"ord": st.sampled_from(ords), "keepdims": st.booleans()})
    check_kw(la.norm, a, axis=axis, **kwargs)


@differential
@given(data=st.data())
def test_vector_norm(data):
    a = data.draw(arrays(kinds="biufc", specials=True))
    kwargs = keywords(data.draw, {
        "axis": axes(a.ndim), "keepdims": st.booleans(),
        "ord": st.sampled_from([1, -1, 2, -2, np.inf, -np.inf, 0, 3, 0.5, "fro"])})
    check_kw(la.vector_norm, a, **kwargs)


@pytest.mark.parametrize("name", ["tensorinv", "tensorsolve"])
@differential
@given(data=st.data())
def test_tensor_inverse(data, name):
    # A (2, 3, 6)-reshaped invertible 6 x 6 matrix, or ill-shaped operands.
    dtype = data.draw(dtypes("ifc"))
    m = _invertible(data.draw(arrays(dtype, (6, 6))))
    shape = data.draw(st.sampled_from([(6, 2, 3), (2, 3, 6), (2, 3, 2, 3), (6, 6), (2, 3, 3)]))
    a = m.reshape(shape) if np.prod(shape) == 36 else data.draw(arrays(dtype, shape))
    if name == "tensorinv":
        kwargs = keywords(data.draw, {"ind": st.sampled_from([1, 2, 0])})
        check_kw(la.tensorinv, a, tol_=_tol(a), **kwargs)
    else:
        b = data.draw(arrays(dtype, data.draw(st.sampled_from([a.shape[:1], (6,), (2, 3)]))))
        kwargs = keywords(data.draw, {"axes": st.sampled_from([None, (0,), (2,)])})
        check_kw(la.tensorsolve, a, b, tol_=_tol(a), **kwargs)


# --- fft ------------------------------------------------------------------------------------

NORMS = [None, "backward", "ortho", "forward", "bogus"]
FFT_1D = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
FFT_ND = ["fft2", "ifft2", "fftn", "ifftn", "rfft2", "irfft2", "rfftn", "irfftn"]
REAL_INPUT = {"rfft", "ihfft", "rfft2", "rfftn"}


def _fft_input(data, name):
    return data.draw(arrays(kinds="biuf" if name in REAL_INPUT else "biufc"))


def _fft_tol(a):
    return 1e-3 if a.dtype.kind in "biu" or a.dtype.itemsize <= 8 and a.dtype.kind == "c" \
        or a.dtype.itemsize <= 4 else 1e-9


@pytest.mark.parametrize("name", FFT_1D)
@differential
@given(data=st.data())
def test_fft(name, data):
    a = _fft_input(data, name)
    kwargs = keywords(data.draw, {"n": st.sampled_from([None, 1, 2, 5, 0]),
                                  "axis": axes(a.ndim, tuples=False, none=False),
                                  "norm": st.sampled_from(NORMS)})
    check_kw(getattr(np.fft, name), a, tol_=_fft_tol(a), **kwargs)


@pytest.mark.parametrize("name", FFT_ND)
@differential
@given(data=st.data())
def test_fftn(name, data):
    a = _fft_input(data, name)
    s = st.sampled_from([None, (2,), (3, 2), (4, 1, 2), (0, 2)])
    ax = st.sampled_from([None, (0,), (-1,), (0, 1), (1, 0), (-2, -1), (0, 0), (5,)])
    kwargs = keywords(data.draw, {"s": s, "axes": ax, "norm": st.sampled_from(NORMS)})
    check_kw(scalar_if_0d(getattr(np.fft, name)), a, tol_=_fft_tol(a), **kwargs)


@pytest.mark.parametrize("name", ["fftshift", "ifftshift"])
@differential
@given(data=st.data())
def test_fftshift(name, data):
    # Not 0-d: NumPy's roll raises there, which fft.py deliberately does not copy (its Note).
    a = data.draw(arrays(shape=data.draw(shapes(min_ndim=1))))
    kwargs = keywords(data.draw, {"axes": axes(a.ndim)})
    check_kw(getattr(np.fft, name), a, **kwargs)


@pytest.mark.parametrize("name", ["fftfreq", "rfftfreq"])
@pytest.mark.parametrize("n, d", [(1, 1.0), (4, 1.0), (5, 0.5), (8, 2), (0, 1.0)])
def test_fftfreq(name, n, d):
    check_native(f"fft.{name}", n, d=d)


COVERED = ({f"numpy.linalg.{name}" for name in [
    *MATRIX_FUNCTIONS, "solve", "lstsq", *DECOMPOSITIONS, "matmul", "outer", "cross",
    "vecdot", "tensordot", "multi_dot", "norm", "vector_norm", "tensorinv", "tensorsolve"]}
    | {f"numpy.fft.{name}" for name in [*FFT_1D, *FFT_ND, "fftshift", "ifftshift",
                                        "fftfreq", "rfftfreq"]})
