"""The LAPACK-backed linalg primitives (lu, qr, eigh, svd, eig, schur, tridiagonal_solve)
against numpy.linalg and scipy.linalg (see tests/harness.py for the table's checks).

Decompositions are unique only up to the sign (phase) of singular vectors and
eigenvectors, so the records compare what does not depend on that choice: eigenvalues,
singular values, reconstructions, |entries| of vectors; derivatives are checked on the
same gauge-invariant functions.
"""
import subprocess
import sys
import warnings

import numpy as np
import pytest
import scipy.linalg

import npaccel
from npaccel.lax import elementwise as ew
from npaccel.lax import linalg
from npaccel.lax import linalg_lapack as lapack
from npaccel.lax.contraction import dot_general
from npaccel.lax.convert import convert_element_type
from npaccel.lax.shape import broadcast_in_dim, transpose
from npaccel.lax.sorting import sort
from harness import OpRecord, assert_close, check_grads, lowered_ops, op_tests, rand_default

DTYPES = [np.float32, np.float64, np.complex64, np.complex128]
SQUARE = [((3, 3),), ((2, 3, 3),)]
RECTANGULAR = [((4, 3),), ((2, 3, 4),), ((3, 3),)]


# --- helpers on both sides ------------------------------------------------------------------

def _mm(x, y):
    nd = x.ndim
    batch = tuple(range(nd - 2))
    return dot_general(x, y, (((nd - 1,), (nd - 2,)), (batch, batch)))


def _h(x):
    """Conjugate transpose of the last two axes (npaccel values)."""
    nd = x.ndim
    x = transpose(x, (*range(nd - 2), nd - 1, nd - 2))
    return ew.conj(x) if np.dtype(x.dtype).kind == "c" else x


def _np_h(x):
    return np.swapaxes(x, -1, -2).conj()


def _scale_columns(x, s):
    """x[..., :, j] * s[..., j] (npaccel values)."""
    s = broadcast_in_dim(s, x.shape, (*range(x.ndim - 2), x.ndim - 1))
    return x * convert_element_type(s, x.dtype)


def _each_matrix(f, *arrays):
    """Apply a 2-D NumPy/SciPy function (one or several outputs) to each matrix."""
    batch = arrays[0].shape[:-2]
    outs = [f(*[a[i] for a in arrays]) for i in np.ndindex(*batch)]
    if not batch:
        return outs[0]
    stack = lambda xs: np.stack(xs).reshape(*batch, *xs[0].shape)  # noqa: E731
    return tuple(map(stack, zip(*outs))) if isinstance(outs[0], tuple) else stack(outs)


def _hermitian_part(x):
    return (x + _np_h(x)) / 2


# --- inputs --------------------------------------------------------------------------------

def _well_conditioned(rng, shape, dtype):
    """Random, with a strong diagonal: well away from singular."""
    x = rand_default(rng, shape, dtype)
    return (x + 3 * np.eye(*shape[-2:])).astype(dtype)


def _tridiagonal_args(rng, shapes, dtype):
    return [rand_default(rng, s, dtype) + (4 if i == 1 else 0) for i, s in enumerate(shapes)]


# --- references -----------------------------------------------------------------------------

def _lu_ref(x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        return _each_matrix(lambda a: scipy.linalg.lu_factor(a)[0], x)


def _pivots_ref(x):
    def one(a):  # SciPy's p_indices satisfy (L U)[p] = a; lu's permutation a[perm] = L U
        perm = np.argsort(scipy.linalg.lu(a, p_indices=True)[0])
        return scipy.linalg.lu_factor(a)[1].astype(np.int32), perm.astype(np.int32)
    return _each_matrix(one, x)


def _orthonormal_ref(q):
    """What Q^H Q is for Q with orthonormal columns."""
    k = q.shape[-1]
    return np.broadcast_to(np.eye(k, dtype=q.dtype), (*q.shape[:-2], k, k))


def _qr_fun(full_matrices):
    def fun(x):
        q, r = linalg.qr(x, full_matrices=full_matrices)
        return _mm(q, r), abs(q), abs(r), _mm(_h(q), q)
    return fun


def _qr_ref(full_matrices):
    def ref(x):
        q, r = np.linalg.qr(x, mode="complete" if full_matrices else "reduced")
        return x, abs(q), abs(r), _orthonormal_ref(q)
    return ref


def _eigh_fun(**params):
    def fun(x):
        v, w = linalg.eigh(x, **params)
        return w, _mm(_scale_columns(v, w), _h(v)), abs(v)
    return fun


def _eigh_ref(symmetrize=True, uplo="L"):
    def ref(x):
        h = _hermitian_part(x) if symmetrize else x
        w, v = np.linalg.eigh(h, UPLO=uplo)
        full = (v * w[..., None, :]) @ _np_h(v)
        return w, full.astype(x.dtype), abs(v)
    return ref


def _svd_fun(x):
    u, s, vh = linalg.svd(x, full_matrices=False)
    return s, _mm(_scale_columns(u, s), vh), abs(u), abs(vh)


def _svd_ref(x):
    u, s, vh = np.linalg.svd(x, full_matrices=False)
    return s, x, abs(u), abs(vh)


def _svd_full_fun(x):
    u, s, vh = linalg.svd(x, full_matrices=True)
    return s, _mm(_h(u), u), _mm(vh, _h(vh))


def _svd_full_ref(x):
    u, s, vh = np.linalg.svd(x, full_matrices=True)
    return s, _orthonormal_ref(u), _orthonormal_ref(vh)


def _eig_fun(x):
    w, vl, vr = linalg.eig(x)
    residual = _mm(convert_element_type(x, w.dtype), vr) - _scale_columns(vr, w)
    return sort(w), residual


def _complex_dtype(x):
    return np.result_type(x.dtype, np.complex64)


def _eigvals_ref(x):
    return np.sort(np.linalg.eigvals(x).astype(_complex_dtype(x)))


def _eig_ref(x):
    return _eigvals_ref(x), np.zeros(x.shape, _complex_dtype(x))


def _eigvals_fun(x):
    (w,) = linalg.eig(x, compute_left_eigenvectors=False, compute_right_eigenvectors=False)
    return sort(w)


def _eigvecs_fun(x):
    """Eigenvalues and elementwise squares of the eigenvectors: insensitive to the sign
    LAPACK leaves free (but not to the phase it fixes)."""
    w, vl, vr = linalg.eig(x, enable_eigvec_derivs=True)
    return w, vl * vl, vr * vr


def _schur_fun(x):
    t, z = linalg.schur(x)
    return _mm(_mm(z, t), _h(z)), abs(t)


def _schur_ref(x):
    t = _each_matrix(lambda a: scipy.linalg.schur(a, output="real" if a.dtype.kind == "f"
                                                   else "complex")[0], x)
    return x, abs(t)


def _tridiagonal_ref(dl, d, du, b):
    def dense(dl, d, du):
        return np.diag(d) + np.diag(dl[1:], -1) + np.diag(du[:-1], 1)
    matrices = np.stack([dense(dl[i], d[i], du[i]) for i in np.ndindex(*d.shape[:-1])])
    x = np.linalg.solve(matrices.reshape(-1, *matrices.shape[-2:]), b.reshape(-1, *b.shape[-2:]))
    return x.reshape(b.shape).astype(b.dtype)


def _geqrf_ref(x):
    def one(a):
        h, tau = np.linalg.qr(a, mode="raw")
        return h.T.astype(a.dtype), tau.astype(a.dtype)
    return _each_matrix(one, x)


def _householder_fun(x):
    return linalg.householder_product(*linalg.geqrf(x))


def _householder_ref(x):
    return np.linalg.qr(x, mode="reduced")[0]


# --- the op table ------------------------------------------------------------------------------

RECORDS = [
    OpRecord("lu", lambda x: linalg.lu(x)[0], _lu_ref, RECTANGULAR, DTYPES, tol=1e-4,
             grad_order=1),
    OpRecord("lu_pivots", lambda x: linalg.lu(x)[1:], _pivots_ref, [((3, 3),), ((2, 4, 4),)],
             [np.float64, np.complex64], grad=False),
    OpRecord("qr", _qr_fun(False), _qr_ref(False), RECTANGULAR, DTYPES, tol=1e-4, grad_order=1),
    OpRecord("qr_full", _qr_fun(True), _qr_ref(True), [((4, 3),), ((2, 3, 4),)],
             [np.float64, np.complex64], tol=1e-4, grad=False),
    OpRecord("qr_full_wide", _qr_fun(True), _qr_ref(True), [((3, 4),)], [np.float64],
             grad_order=1),
    OpRecord("geqrf", linalg.geqrf, _geqrf_ref, [((4, 3),), ((2, 3, 4),)],
             [np.float64, np.complex64], tol=1e-4, grad=False, hlo_ops=["stablehlo.custom_call"]),
    OpRecord("householder_product", _householder_fun, _householder_ref, [((4, 3),), ((2, 3, 3),)],
             [np.float32, np.complex128], tol=1e-4, grad=False),
    OpRecord("eigh", _eigh_fun(), _eigh_ref(), SQUARE, DTYPES, tol=1e-4, grad_tol=1e-4,
             grad_order=1),
    OpRecord("eigh_upper_only", _eigh_fun(lower=False, symmetrize_input=False),
             _eigh_ref(symmetrize=False, uplo="U"), [((3, 3),)], [np.float64, np.complex128],
             grad_tol=1e-4, grad_order=1),
    OpRecord("svd", _svd_fun, _svd_ref, RECTANGULAR, DTYPES, tol=1e-4, grad_tol=1e-4,
             grad_order=1),
    OpRecord("svd_full", _svd_full_fun, _svd_full_ref, [((4, 3),), ((2, 3, 4),)],
             [np.float32, np.complex128], tol=1e-4, grad=False),
    OpRecord("svd_values", lambda x: linalg.svd(x, compute_uv=False),
             lambda x: np.linalg.svd(x, compute_uv=False), RECTANGULAR,
             [np.float32, np.float64, np.complex128], tol=1e-4,
             grad_order=1),
    OpRecord("eig", _eig_fun, _eig_ref, SQUARE, DTYPES, tol=1e-4, grad=False),
    OpRecord("eigvals", _eigvals_fun, _eigvals_ref, SQUARE, DTYPES,
             tol=1e-4, grad_order=1),
    OpRecord("schur", _schur_fun, _schur_ref, SQUARE, [np.float64, np.complex64], tol=1e-4,
             grad=False),
    OpRecord("tridiagonal_solve", linalg.tridiagonal_solve, _tridiagonal_ref,
             [((3,), (3,), (3,), (3, 2)), ((2, 4), (2, 4), (2, 4), (2, 4, 1))], DTYPES,
             rng=[rand_default, lambda r, s, d: (rand_default(r, s, d) + 4).astype(d),
                  rand_default, rand_default], tol=1e-4, grad_order=1),
]

globals().update(op_tests(RECORDS))


# --- derivatives beyond the table ------------------------------------------------------------

def _complex(rng, shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


@pytest.mark.parametrize("shape", [(3, 3), (4, 3), (3, 4)])
def test_grad_complex(shape):
    rng = np.random.default_rng(0)
    x = _complex(rng, shape)
    check_grads(lambda x: linalg.lu(x)[0], [x], order=1)
    check_grads(_qr_fun(False), [x], order=1)
    check_grads(_svd_fun, [x], order=1, tol=1e-4)


def test_grad_eigh_complex_and_second_order():
    rng = np.random.default_rng(0)
    check_grads(_eigh_fun(), [_complex(rng, (3, 3))], order=1, tol=1e-4)
    check_grads(lambda x: linalg.eigh(x)[1], [rng.standard_normal((3, 3))], order=2, tol=1e-4)


@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_grad_eig_vectors(dtype):
    x = rand_default(np.random.default_rng(1), (3, 3), dtype)
    check_grads(_eigvecs_fun, [x], order=1, tol=1e-4)


def test_grad_qr_pivoting_and_tridiagonal_complex():
    rng = np.random.default_rng(0)
    check_grads(lambda x: linalg.qr(x, pivoting=True, full_matrices=False)[:2],
                [rng.standard_normal((4, 3))], order=1)
    args = _tridiagonal_args(rng, [(4,), (4,), (4,), (4, 2)], np.complex128)
    check_grads(linalg.tridiagonal_solve, args, order=1)


def test_grad_of_jit_and_vmap():
    x = rand_default(np.random.default_rng(0), (2, 3, 3), np.float64)
    check_grads(npaccel.jit(npaccel.vmap(_svd_fun)), [x], order=1, tol=1e-4)
    check_grads(npaccel.jit(npaccel.vmap(lambda x: linalg.lu(x)[0])), [x], order=1)


# --- behaviour ---------------------------------------------------------------------------------

def test_lu_singular_matrix():
    """A singular matrix factors (no error, no crash): U gets an exact zero on its
    diagonal and lu_p reports LAPACK's info > 0, the NumPy layer's LinAlgError signal."""
    x = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    lu_, pivots, perm = (np.asarray(v) for v in linalg.lu(x))
    assert_close(lu_, _lu_ref(x), 1e-12)
    assert (np.diagonal(lu_) == 0).any()
    info = np.asarray(lapack.lu_p.bind(np.stack([x, np.eye(3)]))[2])
    assert info[0] > 0 and info[1] == 0
    # Solving with it gives infinities/NaNs, as jax's does, rather than an exception.
    solved = np.asarray(linalg.triangular_solve(lu_, np.eye(3), left_side=True, lower=False))
    assert not np.isfinite(solved).all()


def test_failures_give_nans():
    x = np.full((2, 3, 3), np.nan)
    x[0] = np.eye(3)
    for values in [linalg.eigh(x)[1], linalg.svd(x, compute_uv=False), linalg.eig(x)[0]]:
        values = np.asarray(values)
        assert np.isnan(values[1]).all() and np.isfinite(values[0]).all()


def test_tridiagonal_singular_gives_nans():
    zeros = np.zeros((2, 3))
    x = np.asarray(linalg.tridiagonal_solve(zeros, np.stack([np.ones(3), np.zeros(3)]), zeros,
                                            np.ones((2, 3, 1))))
    assert_close(x[0], np.ones((3, 1)), 0)
    assert np.isnan(x[1]).all()


def test_eig_left_eigenvectors():
    x = rand_default(np.random.default_rng(0), (2, 4, 4), np.float64)
    w, vl, vr = (np.asarray(v) for v in linalg.eig(x))
    assert_close(_np_h(vl) @ x, w[..., :, None] * _np_h(vl), 1e-12)
    assert_close(np.linalg.norm(vl, axis=-2), np.ones((2, 4)), 1e-12)
    assert_close(abs(vr), abs(np.linalg.eig(x)[1]), 1e-10)


def test_eigh_subset_by_index():
    x = _hermitian_part(rand_default(np.random.default_rng(0), (4, 4), np.float64))
    v, w = linalg.eigh(x, subset_by_index=(1, 3))
    assert_close(w, np.linalg.eigvalsh(x)[1:3], 1e-12)
    assert np.asarray(v).shape == (4, 2)


def test_qr_pivoting_matches_scipy():
    x = rand_default(np.random.default_rng(0), (4, 3), np.float64)
    q, r, p = (np.asarray(v) for v in linalg.qr(x, pivoting=True, full_matrices=False))
    _, r_ref, p_ref = scipy.linalg.qr(x, pivoting=True, mode="economic")
    assert_close(p, p_ref.astype(np.int32), 0)
    assert_close(abs(r), abs(r_ref), 1e-12)
    assert_close(q @ r, x[:, p], 1e-12)


def test_lu_pivots_to_permutation_vmap():
    pivots = np.array([[2, 2, 2], [1, 2, 2]], np.int32)
    perms = npaccel.vmap(lambda p: linalg.lu_pivots_to_permutation(p, 4))(pivots)
    expected = []
    for row in pivots:  # the permutation that the row swaps make, applied to range(4)
        perm = np.arange(4)
        for i, j in enumerate(row):
            perm[[i, j]] = perm[[j, i]]
        expected.append(perm)
    assert_close(perms, np.array(expected, np.int32), 0)


@pytest.mark.parametrize("shape", [(0, 0), (3, 0), (0, 3), (0, 2, 2)])
def test_empty_matrices(shape):
    x = np.zeros(shape)
    assert np.asarray(linalg.lu(x)[0]).shape == shape
    for full in (True, False):
        mode = "complete" if full else "reduced"
        for ours, ref in zip(linalg.qr(x, full_matrices=full), np.linalg.qr(x, mode=mode)):
            assert_close(ours, ref, 0)
        svd_ref = np.linalg.svd(x, full_matrices=full)
        for ours, ref in zip(linalg.svd(x, full_matrices=full), svd_ref):
            assert_close(ours, ref, 0)
    if shape[-1] == shape[-2]:
        w_ref, v_ref = np.linalg.eigh(x)
        assert_close(linalg.eigh(x)[1], w_ref, 0)
        assert np.asarray(linalg.eig(x)[2]).shape == v_ref.shape


def test_lowering_is_one_custom_call():
    x = np.eye(3)
    one_call = ["stablehlo.custom_call"]
    assert lowered_ops(lambda x: lapack.lu_p.bind(x), x) == one_call
    assert lowered_ops(lambda x: lapack.eigh_p.bind(x, lower=True), x) == one_call
    svd = lambda x: lapack.svd_p.bind(x, full_matrices=False, compute_uv=True,  # noqa: E731
                                      algorithm=linalg.SvdAlgorithm.DEFAULT)
    assert lowered_ops(svd, x) == one_call
    assert lowered_ops(lambda x: linalg.geqrf(x), x) == one_call
    eig = lambda x: lapack.eig_p.bind(x, compute_left_eigenvectors=False,  # noqa: E731
                                      compute_right_eigenvectors=True, enable_eigvec_derivs=False)
    assert lowered_ops(eig, x) == ["stablehlo.custom_call", "stablehlo.complex"]
    assert lowered_ops(eig, x.astype(np.complex64)) == one_call


def test_svd_qr_algorithm_matches_default():
    x = rand_default(np.random.default_rng(0), (2, 4, 3), np.float64)
    s = linalg.svd(x, compute_uv=False, algorithm=linalg.SvdAlgorithm.QR)
    assert_close(s, np.linalg.svd(x, compute_uv=False), 1e-12)
    u, s, vh = linalg.svd(x, algorithm=linalg.SvdAlgorithm.QR)
    assert_close(np.asarray(u)[..., :3] * np.asarray(s)[..., None, :] @ np.asarray(vh), x, 1e-12)


def test_import_does_not_load_scipy():
    code = ("import sys, npaccel, npaccel.lax.linalg; "
            "assert 'scipy' not in sys.modules, 'scipy imported'; "
            "assert 'jaxlib.lapack' not in sys.modules, 'jaxlib.lapack imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


# --- errors ------------------------------------------------------------------------------------

A = np.eye(3)


def _jvp(f, x):
    return npaccel.jvp(f, (x,), (np.ones_like(x),))


@pytest.mark.parametrize("call, error, match", [
    (lambda: linalg.lu(np.ones(3)), ValueError, "matrices"),
    (lambda: linalg.lu(np.eye(2, dtype=np.int32)), TypeError, "int32"),
    (lambda: linalg.eigh(np.ones((2, 3))), ValueError, "square"),
    (lambda: linalg.eig(np.ones((2, 3))), ValueError, "square"),
    (lambda: linalg.svd(np.eye(2, dtype=np.float16)), TypeError, "float16"),
    (lambda: linalg.svd(A, algorithm=linalg.SvdAlgorithm.JACOBI), NotImplementedError,
     "JACOBI"),
    (lambda: linalg.eigh(A, subset_by_index=(2, 1)), ValueError, "subset_by_index"),
    (lambda: linalg.schur(A, sort_eig_vals=True), NotImplementedError, "sorted"),
    (lambda: linalg.householder_product(np.ones((2, 3)), np.ones(2)), ValueError, "m >= n"),
    (lambda: linalg.tridiagonal_solve(np.ones(3), np.ones(3), np.ones(2), np.ones((3, 1))),
     TypeError, "shape"),
    (lambda: linalg.lu_pivots_to_permutation(np.zeros(3, np.int32), 2), ValueError, "at least"),
    (lambda: _jvp(lambda x: linalg.eig(x)[0], A), NotImplementedError, "enable_eigvec_derivs"),
    (lambda: _jvp(lambda x: linalg.qr(x)[0], np.ones((3, 2))), NotImplementedError,
     "full_matrices"),
    (lambda: _jvp(lambda x: linalg.svd(x)[0], np.ones((3, 2))), NotImplementedError,
     "full_matrices"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
