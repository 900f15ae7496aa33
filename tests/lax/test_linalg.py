"""cholesky and triangular_solve against np.linalg.cholesky and
scipy.linalg.solve_triangular (see tests/harness.py for the checks)."""
import itertools

import numpy as np
import pytest
import scipy.linalg

import npaccel
from npaccel.lax import linalg
from harness import OpRecord, assert_close, check_grads, lowered_ops, op_tests, rand_default

DTYPES = [np.float32, np.float64, np.complex64, np.complex128]
CHOLESKY_OPS = ["stablehlo.cholesky", "stablehlo.iota", "stablehlo.iota", "stablehlo.compare",
                "stablehlo.select"]


# --- inputs --------------------------------------------------------------------------------

def _positive_definite(rng, shape, dtype):
    """M M^H + n I: Hermitian and well conditioned."""
    m = rand_default(rng, shape, dtype).astype(np.complex128 if np.dtype(dtype).kind == "c"
                                               else np.float64)
    n = shape[-1]
    return (m @ np.swapaxes(m, -1, -2).conj() + n * np.eye(n)).astype(dtype)


def _triangular_ish(rng, shape, dtype):
    """A full matrix with a strong diagonal: whichever triangle is read, it is well
    conditioned, and the other triangle holds values the solve must ignore."""
    return (rand_default(rng, shape, dtype) + 3 * np.eye(shape[-1])).astype(dtype)


# --- references -----------------------------------------------------------------------------

def _each_matrix(f, *arrays):
    """Apply a 2-D reference to each matrix of a batch."""
    batch = arrays[0].shape[:-2]
    outs = [f(*[a[i] for a in arrays]) for i in np.ndindex(*batch)]
    return np.stack(outs).reshape(*batch, *outs[0].shape) if batch else outs[0]


def _solve_reference(left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    """op(a) x = b (or x op(a) = b, i.e. op(a)^T x^T = b^T) with SciPy, op(a) explicit."""
    def solve(a, b):
        op_a = a.T if transpose_a else a
        op_a = op_a.conj() if conjugate_a else op_a
        kw = dict(lower=lower != transpose_a, unit_diagonal=unit_diagonal)
        if left_side:
            return scipy.linalg.solve_triangular(op_a, b, **kw)
        return scipy.linalg.solve_triangular(op_a, b.T, trans="T", **kw).T

    def ref(a, b):
        return _each_matrix(solve, a, b).astype(b.dtype)
    return ref


def _cholesky_ref(x):
    return np.linalg.cholesky(x).astype(x.dtype)


# --- the op table ---------------------------------------------------------------------------

def _solve_record(name, dtypes, hlo=("stablehlo.triangular_solve",), **params):
    def fun(a, b):
        return linalg.triangular_solve(a, b, **params)
    shapes = ([((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 2))] if params.get("left_side") else
              [((3, 3), (2, 3)), ((2, 3, 3), (2, 1, 3))])
    return OpRecord(name, fun, _solve_reference(**{**_SOLVE_DEFAULTS, **params}), shapes,
                    dtypes, rng=[_triangular_ish, rand_default], hlo_ops=list(hlo))


_SOLVE_DEFAULTS = dict(left_side=False, lower=False, transpose_a=False, conjugate_a=False,
                       unit_diagonal=False)

RECORDS = [
    OpRecord("cholesky", linalg.cholesky, _cholesky_ref, [((3, 3),), ((2, 3, 3),), ((1, 1),)],
             DTYPES, rng=_positive_definite, grad_tol=1e-4),
    OpRecord("cholesky_lower_only", lambda x: linalg.cholesky(x, symmetrize_input=False),
             _cholesky_ref, [((3, 3),)], DTYPES, rng=_positive_definite, hlo_ops=CHOLESKY_OPS,
             grad_tol=1e-4, grad_order=1),
    _solve_record("solve_left_lower", DTYPES, left_side=True, lower=True),
    _solve_record("solve_left_upper_transposed", [np.float64, np.complex64], left_side=True,
                  transpose_a=True),
    _solve_record("solve_left_lower_adjoint_unit", [np.complex128, np.float32], left_side=True,
                  lower=True, transpose_a=True, conjugate_a=True, unit_diagonal=True),
    _solve_record("solve_right_upper", DTYPES),
    _solve_record("solve_right_lower_transposed_unit", [np.float64], lower=True,
                  transpose_a=True, unit_diagonal=True),
    # A plain conjugate (no transpose) lowers to chlo.conj before the solve.
    _solve_record("solve_right_lower_conjugate", [np.complex128, np.float64],
                  hlo=("chlo.conj", "stablehlo.triangular_solve"), lower=True, conjugate_a=True),
]

globals().update(op_tests(RECORDS))


# --- complex derivatives (the table's grad checks run on float64 inputs only) ---------------

def test_grad_cholesky_complex():
    x = _positive_definite(np.random.default_rng(0), (3, 3), np.complex128)
    check_grads(linalg.cholesky, [x], tol=1e-4)


@pytest.mark.parametrize("left_side, lower, transpose_a, conjugate_a",
                         list(itertools.product([True, False], [True, False], [True, False],
                                                [True, False]))[::4])
def test_grad_solve_complex(left_side, lower, transpose_a, conjugate_a):
    rng = np.random.default_rng(0)
    a = _triangular_ish(rng, (3, 3), np.complex128)
    b = rand_default(rng, (3, 2) if left_side else (2, 3), np.complex128)
    check_grads(lambda a, b: linalg.triangular_solve(
        a, b, left_side=left_side, lower=lower, transpose_a=transpose_a,
        conjugate_a=conjugate_a), [a, b], order=1)


def test_grad_cholesky_of_jit_and_vmap():
    x = _positive_definite(np.random.default_rng(0), (2, 3, 3), np.float64)
    check_grads(npaccel.jit(npaccel.vmap(linalg.cholesky)), [x], order=1, tol=1e-4)


def test_cholesky_tangent_reads_lower_triangle_only():
    """Without symmetrize_input the upper triangle is ignored, so is its tangent."""
    x = _positive_definite(np.random.default_rng(0), (3, 3), np.float64)
    upper = np.triu(np.ones((3, 3)), 1)
    f = lambda x: linalg.cholesky(x, symmetrize_input=False)  # noqa: E731
    _, t_out = npaccel.jvp(f, (x,), (upper,))
    assert_close(t_out, np.zeros((3, 3)), 0)


# --- behaviour ------------------------------------------------------------------------------

def test_cholesky_not_positive_definite_gives_nans():
    good = _positive_definite(np.random.default_rng(0), (3, 3), np.float64)
    bad = np.array([[1.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    out = np.asarray(linalg.cholesky(np.stack([good, bad])))
    assert_close(out[0], np.linalg.cholesky(good), 1e-12)
    assert np.isnan(np.tril(out[1])[np.tril_indices(3)]).all()
    assert (np.triu(out[1], 1) == 0).all()


def test_cholesky_symmetrizes():
    x = _positive_definite(np.random.default_rng(0), (3, 3), np.float64)
    skew = np.triu(np.ones((3, 3)), 1)
    assert_close(linalg.cholesky(x + skew - skew.T), np.linalg.cholesky(x), 1e-12)


def test_solve_ignores_other_triangle():
    rng = np.random.default_rng(0)
    a, b = _triangular_ish(rng, (3, 3), np.float64), rng.standard_normal((3, 2))
    assert_close(linalg.triangular_solve(a, b, left_side=True, lower=True),
                 linalg.triangular_solve(np.tril(a), b, left_side=True, lower=True), 1e-12)


def test_lowering_has_no_extra_ops():
    a = np.eye(2, dtype=np.complex64)
    f = lambda a, b: linalg.triangular_solve(a, b, transpose_a=True, conjugate_a=True)  # noqa: E731
    assert lowered_ops(f, a, a) == ["stablehlo.triangular_solve"]
    assert lowered_ops(lambda x: linalg.cholesky(x, symmetrize_input=False), a) == CHOLESKY_OPS


# --- errors --------------------------------------------------------------------------------

A = np.eye(3)


@pytest.mark.parametrize("call, error, match", [
    (lambda: linalg.cholesky(np.ones((2, 3))), ValueError, "square"),
    (lambda: linalg.cholesky(np.ones(3)), ValueError, "square"),
    (lambda: linalg.cholesky(np.ones((2, 3)), symmetrize_input=False), ValueError, "square"),
    (lambda: linalg.cholesky(np.eye(2, dtype=np.int32)), TypeError, "int32"),
    (lambda: linalg.cholesky(np.eye(2, dtype=np.float16)), TypeError, "float16"),
    (lambda: linalg.triangular_solve(A, A.astype(np.float32)), TypeError, "same dtypes"),
    (lambda: linalg.triangular_solve(np.ones((3, 2)), A), TypeError, "square"),
    (lambda: linalg.triangular_solve(A, np.ones((3, 2))), TypeError, "b.shape\\[-1\\]"),
    (lambda: linalg.triangular_solve(A, np.ones((2, 3)), left_side=True), TypeError,
     "b.shape\\[-2\\]"),
    (lambda: linalg.triangular_solve(np.ones((2, 3, 3)), np.ones((3, 3, 3))), TypeError, "batch"),
    (lambda: linalg.triangular_solve(A, np.ones(3)), TypeError, "batch"),
    (lambda: linalg.triangular_solve(A.astype(np.int64), A.astype(np.int64)), TypeError, "int64"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
