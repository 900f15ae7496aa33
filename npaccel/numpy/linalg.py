"""numpy.linalg on lax: the decompositions of npaccel.lax.linalg (LU, Cholesky, QR,
eigh, eig, SVD) and everything numpy.linalg builds from them, on stacks of matrices
(batch axes leading) wherever NumPy accepts them.

Result dtypes are NumPy's (its `_commonType`): float32 and complex64 input stays single
precision, bool and integer input computes in float64, complex if any operand is;
float16 is refused with NumPy's TypeError.

# Note: NumPy computes single-precision input in double precision and rounds the
# result; npaccel computes in single precision (double is slow on accelerators), so
# float32 results agree with NumPy's to float32 accuracy times the condition number, and
# the default cut-offs of lstsq (rcond) use float32's epsilon, as jax.numpy does.

Errors are NumPy's: LinAlgError for non-square or <2-d input, a singular matrix in
solve/inv (a zero pivot in the LU factor, as LAPACK's gesv reports it), a matrix that is
not positive definite in cholesky (NaNs in the factor of finite input), decompositions
that did not converge (NaNs). Each such check reads one boolean from the device.
# Note: under jit and vmap values are abstract and nothing can raise: results hold
# infs/NaNs instead (as jax.numpy.linalg). For the same reason eig/eigvals of real input
# stay complex there (NumPy returns real arrays when every eigenvalue is real), and
# lstsq returns its residuals whatever the rank.
"""
from __future__ import annotations

import operator
import warnings
from typing import Any

import numpy as np

from npaccel.core import dtypes
from npaccel.core.trace import ConcretizationError, concrete_or_error
from npaccel.lax import elementwise as ew
from npaccel.lax import linalg as lax_linalg
from npaccel.lax import reduction as lax_red
from npaccel.lax import shape as lax_shape
from npaccel.lax import slicing
from npaccel.lax.contraction import Precision, dot_general
from npaccel.lax.sorting import sort as lax_sort
from npaccel.numpy import manipulation as _manipulation
from npaccel.numpy import products as _products
from npaccel.numpy import reductions as _reductions
from npaccel.numpy import ufuncs as _ufuncs
from npaccel.numpy._core import (asvalue, astype, broadcast_shapes, broadcast_to, dtype_of,
                                 normalize_axis, shape_of)

ArrayLike = Any

__all__ = ["matrix_power", "solve", "tensorsolve", "tensorinv", "inv", "cholesky", "eigvals",
           "eigvalsh", "pinv", "slogdet", "det", "svd", "svdvals", "eig", "eigh", "lstsq",
           "norm", "qr", "cond", "matrix_rank", "LinAlgError", "multi_dot", "trace",
           "diagonal", "cross", "outer", "tensordot", "matmul", "matrix_transpose",
           "matrix_norm", "vector_norm", "vecdot", "EigResult", "EighResult", "QRResult",
           "SlogdetResult", "SVDResult"]

# NumPy's own classes, so that `except np.linalg.LinAlgError` and isinstance checks on
# results behave as with NumPy.
LinAlgError = np.linalg.LinAlgError
EigResult = np.linalg._linalg.EigResult
EighResult = np.linalg._linalg.EighResult
QRResult = np.linalg._linalg.QRResult
SlogdetResult = np.linalg._linalg.SlogdetResult
SVDResult = np.linalg._linalg.SVDResult

_NoValue = np._NoValue
_INDEX = np.dtype(np.int32)
_COMPUTE = {(False, False): np.dtype(np.float64), (False, True): np.dtype(np.float32),
            (True, False): np.dtype(np.complex128), (True, True): np.dtype(np.complex64)}


# --- dtypes and shape checks -----------------------------------------------------------------

def _linalg_dtype(*values) -> np.dtype:
    """NumPy's linalg result type: single precision only if every operand is float32 or
    complex64, complex if any operand is complex; float16 and bfloat16 are refused."""
    single, complex_ = True, False
    for v in values:
        dt = dtype_of(v)
        if dt in (np.float32, np.complex64):
            complex_ |= dt == np.complex64
        elif dt in (np.float64, np.complex128):
            single, complex_ = False, complex_ or dt == np.complex128
        elif dtypes.is_bool(dt) or dtypes.is_integer(dt):
            single = False
        else:
            raise TypeError(f"array type {dt.name} is unsupported in linalg")
    return _COMPUTE[complex_, single]


def _operands(*arrays):
    """The arrays as values of their common linalg dtype, and that dtype."""
    values = [asvalue(a) for a in arrays]
    dtype = _linalg_dtype(*values)
    return [astype(v, dtype) for v in values], dtype


def _real(dtype) -> np.dtype:
    return dtypes.real_dtype(np.dtype(dtype))


def _ndim(x) -> int:
    return len(shape_of(x))


def _assert_stacked_2d(*arrays) -> None:
    for a in arrays:
        if _ndim(a) < 2:
            raise LinAlgError(f"{_ndim(a)}-dimensional array given. Array must be at least "
                              "two-dimensional")


def _assert_stacked_square(*arrays) -> None:
    _assert_stacked_2d(*arrays)
    for a in arrays:
        if shape_of(a)[-1] != shape_of(a)[-2]:
            raise LinAlgError("Last 2 dimensions of the array must be square")


def _assert_2d(*arrays) -> None:
    for a in arrays:
        if _ndim(a) != 2:
            raise LinAlgError(f"{_ndim(a)}-dimensional array given. Array must be "
                              "two-dimensional")


def _uplo(UPLO) -> bool:
    """True for the lower triangle ('L'), False for the upper ('U')."""
    UPLO = UPLO.upper()  # NumPy's AttributeError for a non-string
    if UPLO not in ("L", "U"):
        raise ValueError("UPLO argument must be 'L' or 'U'")
    return UPLO == "L"


def _check_out(out) -> None:
    if out is not None:
        raise TypeError("out= is handled by npaccel.ndarray")


# --- value checks (eager only) ----------------------------------------------------------------

def _concrete(x):
    """x as a NumPy value when it is known now (eagerly, or as a jvp primal), else None."""
    try:
        return concrete_or_error(x)
    except ConcretizationError:
        return None


def _raise_if(flag, message: str) -> None:
    """LinAlgError(message) when the boolean value `flag` is known to be true.
    # Note: under jit/vmap `flag` is abstract and nothing raises (see the module note)."""
    value = _concrete(flag)
    if value is not None and bool(np.any(value)):
        raise LinAlgError(message)


def _any(pred):
    return lax_red.reduce_or(pred, tuple(range(_ndim(pred))))


def _is_zero(x):
    return ew.eq(x, lax_shape.full_like(x, 0))


def _isnan(x):
    return ew.ne(x, x)


def _isfinite(x):
    if dtypes.is_complex(dtype_of(x)):
        return ew.bitwise_and(ew.is_finite(ew.real(x)), ew.is_finite(ew.imag(x)))
    return ew.is_finite(x)


def _nan_from_finite(result, a):
    """True when `result` holds NaNs although `a` is finite: a failed decomposition."""
    return ew.bitwise_and(_any(_isnan(result)), ew.bitwise_not(_any(ew.bitwise_not(_isfinite(a)))))


# --- matrix helpers on values (batch axes leading) -----------------------------------------------

def _swap(x):
    nd = _ndim(x)
    return lax_shape.transpose(x, (*range(nd - 2), nd - 1, nd - 2))


def _conj(x):
    return ew.conj(x) if dtypes.is_complex(dtype_of(x)) else x


def _adjoint(x):
    return _conj(_swap(x))


def _squared_abs(x):
    """|x|^2, real."""
    if dtypes.is_complex(dtype_of(x)):
        re, im = ew.real(x), ew.imag(x)
        return ew.add(ew.mul(re, re), ew.mul(im, im))
    return ew.mul(x, x)


def _mm(a, b):
    """a @ b for matrices with equal batch axes (full float32 precision on accelerators)."""
    nd = _ndim(a)
    batch = tuple(range(nd - 2))
    return dot_general(a, b, (((nd - 1,), (nd - 2,)), (batch, batch)),
                       precision=Precision.HIGHEST)


def _eye(shape, dtype):
    """Identity matrices of `shape` [..., n, n]."""
    nd = len(shape)
    rows = lax_shape.broadcasted_iota(_INDEX, shape, nd - 2)
    cols = lax_shape.broadcasted_iota(_INDEX, shape, nd - 1)
    return astype(ew.eq(rows, cols), dtype)


def _lower_triangle(x):
    nd = _ndim(x)
    rows = lax_shape.broadcasted_iota(_INDEX, shape_of(x), nd - 2)
    cols = lax_shape.broadcasted_iota(_INDEX, shape_of(x), nd - 1)
    return ew.select(ew.ge(rows, cols), x, lax_shape.full_like(x, 0))


def _diag(x):
    return _manipulation.diagonal(x, 0, -2, -1)


def _to_batch(x, batch, core: int):
    """x broadcast to the batch axes `batch`, keeping its last `core` axes."""
    return broadcast_to(x, (*batch, *shape_of(x)[_ndim(x) - core:]))


def _take_rows(x, index):
    """x[..., index[..., i], :] for each matrix of the batch (one gather); `index` has
    x's batch axes."""
    *batch, n, k = shape_of(x)
    rows = shape_of(index)[-1]
    if n == 0 or rows == 0 or k == 0:
        return lax_shape.full((*batch, rows, k), 0, dtype_of(x))
    nb = len(batch)
    dnums = slicing.GatherDimensionNumbers(
        offset_dims=(nb + 1,), collapsed_slice_dims=(nb,), start_index_map=(nb,),
        operand_batching_dims=tuple(range(nb)), start_indices_batching_dims=tuple(range(nb)))
    return slicing.gather(x, lax_shape.expand_dims(index, (nb + 1,)), dnums,
                          (*[1] * nb, 1, k))


def _take(v, index):
    """v[..., index[..., i]] for each vector of the batch."""
    last = _ndim(v)
    return lax_shape.squeeze(_take_rows(lax_shape.expand_dims(v, (last,)), index), (last,))


def _take_columns(x, index):
    return _swap(_take_rows(_swap(x), index))


def _scale_rows(x, s):
    """x[..., i, :] * s[..., i]."""
    nd = _ndim(x)
    s = lax_shape.broadcast_in_dim(astype(s, dtype_of(x)), shape_of(x), tuple(range(nd - 1)))
    return ew.mul(x, s)


def _safe_reciprocal(s, keep):
    """1 / s where `keep`, else 0 (and no inf/NaN in either branch's derivative)."""
    one, zero = lax_shape.full_like(s, 1), lax_shape.full_like(s, 0)
    return ew.select(keep, ew.div(one, ew.select(keep, s, one)), zero)


# --- LU: solve, inv, det, slogdet ------------------------------------------------------------

def _lu_factor(a, check: bool = True):
    """(lu, perm) of a; with `check`, LinAlgError('Singular matrix') for a zero pivot."""
    lu_, _, perm = lax_linalg.lu(a)
    if check:
        _raise_if(_any(_is_zero(_diag(lu_))), "Singular matrix")
    return lu_, perm


def _lu_solve(lu_, perm, b):
    """x with a @ x = b from a's LU factors (lu_, perm and b share their batch axes)."""
    if shape_of(lu_)[-1] == 0:
        return b
    y = lax_linalg.triangular_solve(lu_, _take_rows(b, perm), left_side=True, lower=True,
                                    unit_diagonal=True)
    return lax_linalg.triangular_solve(lu_, y, left_side=True, lower=False)


def solve(a: ArrayLike, b: ArrayLike):
    """numpy.linalg.solve: x with a @ x = b for each matrix of the broadcast batch. As in
    NumPy 2, b is one vector per system only if b.ndim == 1; otherwise it is a stack of
    matrices [..., n, k] whose batch axes broadcast with a's."""
    a, b = asvalue(a), asvalue(b)
    _assert_stacked_square(a)
    (a, b), _ = _operands(a, b)
    n, vector = shape_of(a)[-1], _ndim(b) == 1
    if _ndim(b) == 0:
        raise ValueError("solve: Input operand 1 does not have enough dimensions (has 0, "
                         "gufunc core with signature (m,m),(m,n)->(m,n) requires 2)")
    if vector:
        b = lax_shape.expand_dims(b, (1,))
    if shape_of(b)[-2] != n:
        name, sig = ("solve1", "(m,m),(m)->(m)") if vector else ("solve", "(m,m),(m,n)->(m,n)")
        raise ValueError(f"{name}: Input operand 1 has a mismatch in its core dimension 0, "
                         f"with gufunc signature {sig} (size {shape_of(b)[-2]} is different "
                         f"from {n})")
    batch = broadcast_shapes(shape_of(a)[:-2], shape_of(b)[:-2])
    lu_, perm = _lu_factor(a)
    x = _lu_solve(_to_batch(lu_, batch, 2), _to_batch(perm, batch, 1), _to_batch(b, batch, 2))
    return lax_shape.squeeze(x, (_ndim(x) - 1,)) if vector else x


def _inv(a, check: bool = True):
    lu_, perm = _lu_factor(a, check)
    return _lu_solve(lu_, perm, _eye(shape_of(a), dtype_of(a)))


def inv(a: ArrayLike):
    """numpy.linalg.inv: the inverse of each matrix of the stack (from its LU factors)."""
    a = asvalue(a)
    _assert_stacked_square(a)
    (a,), _ = _operands(a)
    return _inv(a)


def _lu_diagonal_and_sign(a):
    """The diagonal of U in P a = L U, and det(P) (+-1 in a's dtype)."""
    lu_, pivots, _ = lax_linalg.lu(a)
    steps = lax_shape.broadcasted_iota(_INDEX, shape_of(pivots), _ndim(pivots) - 1)
    swaps = lax_red.reduce_sum(astype(ew.ne(pivots, steps), _INDEX), (_ndim(pivots) - 1,))
    odd = ew.eq(ew.rem(swaps, lax_shape.full_like(swaps, 2)), lax_shape.full_like(swaps, 1))
    one = lax_shape.full(shape_of(odd), 1, dtype_of(a))
    return _diag(lu_), ew.select(odd, ew.neg(one), one)


def det(a: ArrayLike):
    """numpy.linalg.det: the product of the LU factor's diagonal, signed by the pivots'
    permutation (0 for a singular matrix, 1 for 0x0 ones)."""
    a = asvalue(a)
    _assert_stacked_square(a)
    (a,), _ = _operands(a)
    diagonal_, sign = _lu_diagonal_and_sign(a)
    return ew.mul(sign, lax_red.reduce_prod(diagonal_, (_ndim(diagonal_) - 1,)))


def slogdet(a: ArrayLike):
    """numpy.linalg.slogdet: (sign, log|det|) from the LU factor's diagonal; a singular
    matrix gives (0, -inf). sign has a's (linalg) dtype, unit modulus if complex."""
    a = asvalue(a)
    _assert_stacked_square(a)
    (a,), dtype = _operands(a)
    diagonal_, sign = _lu_diagonal_and_sign(a)
    last = _ndim(diagonal_) - 1
    size = ew.abs(diagonal_)
    logabsdet = lax_red.reduce_sum(ew.log(size), (last,))
    if dtypes.is_complex(dtype):
        zero = ew.eq(size, lax_shape.full_like(size, 0))
        phases = ew.div(diagonal_, astype(ew.select(zero, lax_shape.full_like(size, 1), size),
                                          dtype))
        phases = ew.select(zero, lax_shape.full_like(phases, 0), phases)
    else:
        phases = ew.sign(diagonal_)
    return SlogdetResult(ew.mul(sign, lax_red.reduce_prod(phases, (last,))), logabsdet)


def matrix_power(a: ArrayLike, n: int):
    """numpy.linalg.matrix_power: a @ a @ ... (n times) by repeated squaring, in NumPy's
    order of products; n = 0 gives identities of a's dtype, n < 0 powers of inv(a)."""
    a = asvalue(a)
    _assert_stacked_square(a)
    try:
        n = operator.index(n)
    except TypeError as e:
        raise TypeError("exponent must be an integer") from e
    if n == 0:
        return _eye(shape_of(a), dtype_of(a))
    if n < 0:
        a, n = inv(a), -n
    if n <= 3:
        result = a
        for _ in range(n - 1):
            result = _ufuncs.matmul(result, a)
        return result
    z = result = None
    while n > 0:
        z = a if z is None else _ufuncs.matmul(z, z)
        n, bit = divmod(n, 2)
        if bit:
            result = z if result is None else _ufuncs.matmul(result, z)
    return result


def _prod(shape) -> int:
    return int(np.prod(shape, dtype=np.int64))


def tensorsolve(a: ArrayLike, b: ArrayLike, axes=None):
    """numpy.linalg.tensorsolve: x with tensordot(a, x, x.ndim) = b; `axes` of a move to
    the end first."""
    a, b = asvalue(a), asvalue(b)
    an = _ndim(a)
    if axes is not None:
        order = list(range(an))
        for k in axes:  # as NumPy: list.remove's ValueError for an unknown axis
            order.remove(k)
            order.insert(an, k)
        a = lax_shape.transpose(a, order)
    old_shape = shape_of(a)[-(an - _ndim(b)):]
    size = _prod(old_shape)
    if _prod(shape_of(a)) != size ** 2:
        raise LinAlgError("Input arrays must satisfy the requirement "
                          "prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])")
    x = solve(lax_shape.reshape(a, (size, size)), lax_shape.reshape(b, (_prod(shape_of(b)),)))
    return lax_shape.reshape(x, old_shape)


def tensorinv(a: ArrayLike, ind: int = 2):
    """numpy.linalg.tensorinv: the inverse of `a` seen as a matrix whose rows are its
    first `ind` axes; the result has shape a.shape[ind:] + a.shape[:ind]."""
    a = asvalue(a)
    old_shape = shape_of(a)
    if ind <= 0:
        raise ValueError("Invalid ind argument.")
    rows, total = _prod(old_shape[ind:]), _prod(old_shape)
    if rows == 0 or total % rows:
        raise ValueError(f"cannot reshape array of size {total} into shape ({rows},newaxis)")
    inverse = inv(lax_shape.reshape(a, (rows, total // rows)))
    return lax_shape.reshape(inverse, old_shape[ind:] + old_shape[:ind])


# --- cholesky and qr --------------------------------------------------------------------------

def cholesky(a: ArrayLike, /, *, upper: bool = False):
    """numpy.linalg.cholesky: L with a = L L^H (lower, reading a's lower triangle), or with
    `upper` U with a = U^H U (reading its upper triangle)."""
    a = asvalue(a)
    _assert_stacked_square(a)
    (a,), _ = _operands(a)
    source = _adjoint(a) if upper else a  # the upper triangle, as a lower one
    factor = lax_linalg.cholesky(source, symmetrize_input=False)
    _raise_if(_nan_from_finite(factor, _lower_triangle(source)),
              "Matrix is not positive definite")
    return _adjoint(factor) if upper else factor


_QR_MODES = ("reduced", "complete", "r", "raw")


def _qr_mode(mode) -> str:
    if mode in _QR_MODES:
        return mode
    if mode in ("f", "full"):
        warnings.warn("The 'full' option is deprecated in favor of 'reduced'.\nFor backward "
                      "compatibility let mode default.", DeprecationWarning, stacklevel=3)
        return "reduced"
    if mode in ("e", "economic"):
        warnings.warn("The 'economic' option is deprecated.", DeprecationWarning, stacklevel=3)
        return "economic"
    raise ValueError(f"Unrecognized mode '{mode}'")


def qr(a: ArrayLike, mode: str = "reduced"):
    """numpy.linalg.qr: QRResult(Q, R) ('reduced': Q [..., m, k], R [..., k, n] with
    k = min(m, n); 'complete': Q [..., m, m], R [..., m, n]), R alone ('r'), or LAPACK's
    raw (h, tau) ('raw': h is geqrf's factor with its last two axes swapped)."""
    mode = _qr_mode(mode)
    a = asvalue(a)
    _assert_stacked_2d(a)
    (a,), _ = _operands(a)
    if mode in ("raw", "economic"):
        h, tau = lax_linalg.geqrf(a)
        return (_swap(h), tau) if mode == "raw" else h
    q, r = lax_linalg.qr(a, full_matrices=mode == "complete")
    return r if mode == "r" else QRResult(q, r)


# --- eigenvalues ------------------------------------------------------------------------------

def _assert_finite(a) -> None:
    _raise_if(_any(ew.bitwise_not(_isfinite(a))), "Array must not contain infs or NaNs")


def _eigh(a, UPLO):
    lower = _uplo(UPLO)
    a = asvalue(a)
    _assert_stacked_square(a)
    (a,), _ = _operands(a)
    v, w = lax_linalg.eigh(a, lower=lower, symmetrize_input=False)
    _raise_if(_nan_from_finite(w, a), "Eigenvalues did not converge")
    return w, v


def eigh(a: ArrayLike, UPLO: str = "L"):
    """numpy.linalg.eigh: EighResult(eigenvalues ascending (real), eigenvectors in the
    columns) of each Hermitian matrix, reading only its lower ('L') or upper ('U')
    triangle."""
    return EighResult(*_eigh(a, UPLO))


def eigvalsh(a: ArrayLike, UPLO: str = "L"):
    """numpy.linalg.eigvalsh: the eigenvalues (ascending, real) of each Hermitian matrix."""
    return _eigh(a, UPLO)[0]


def _eig(a, vectors: bool):
    a = asvalue(a)
    _assert_stacked_square(a)
    (a,), dtype = _operands(a)
    _assert_finite(a)
    outs = lax_linalg.eig(a, compute_left_eigenvectors=False,
                          compute_right_eigenvectors=vectors, enable_eigvec_derivs=vectors)
    w = outs[0]
    _raise_if(_any(_isnan(w)), "Eigenvalues did not converge")
    if not dtypes.is_complex(dtype):
        # NumPy's value-dependent dtype: real results when every eigenvalue is real.
        any_complex = _concrete(_any(ew.bitwise_not(_is_zero(ew.imag(w)))))
        if any_complex is not None and not any_complex:
            outs = [ew.real(x) for x in outs]
    return outs


def eig(a: ArrayLike):
    """numpy.linalg.eig: EigResult(eigenvalues, right eigenvectors in the columns, each of
    unit norm) of each square matrix; real arrays for real input whose eigenvalues are
    all real (eagerly: see the module note)."""
    w, v = _eig(a, True)
    return EigResult(w, v)


def eigvals(a: ArrayLike):
    """numpy.linalg.eigvals: the eigenvalues of each square matrix (dtype as eig's)."""
    return _eig(a, False)[0]


# --- svd and its family -------------------------------------------------------------------------

def _svd(a, full_matrices: bool, compute_uv: bool, message: str):
    outs = lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv)
    s = outs[1] if compute_uv else outs
    _raise_if(_any(_isnan(s)), message)
    return SVDResult(*outs) if compute_uv else s


def _descending(s):
    """The order that sorts s[..., :] descending (NumPy's argsort(s)[..., ::-1])."""
    last = _ndim(s) - 1
    positions = lax_shape.broadcasted_iota(_INDEX, shape_of(s), last)
    _, order = lax_sort((s, positions), dimension=last, num_keys=1)
    return lax_shape.rev(order, (last,))


def _svd_hermitian(a, compute_uv: bool):
    """NumPy's SVD of Hermitian matrices from their eigendecomposition: S = |w| sorted
    descending, U the eigenvectors in that order, Vh = (U sign(w))^H."""
    if not compute_uv:
        s = ew.abs(eigvalsh(a))
        return lax_shape.rev(lax_sort(s, dimension=_ndim(s) - 1), (_ndim(s) - 1,))
    w, u = _eigh(a, "L")
    if shape_of(w)[-1] == 0:
        return SVDResult(u, w, _adjoint(u))
    one = lax_shape.full_like(w, 1)
    signs = ew.select(ew.lt(w, lax_shape.full_like(w, 0)), ew.neg(one), one)
    order = _descending(ew.abs(w))
    u = _take_columns(u, order)
    vh = _adjoint(_swap(_scale_rows(_swap(u), _take(signs, order))))
    return SVDResult(u, _take(ew.abs(w), order), vh)


def svd(a: ArrayLike, full_matrices: bool = True, compute_uv: bool = True,
        hermitian: bool = False):
    """numpy.linalg.svd: SVDResult(U, S, Vh) with a = U diag(S) Vh, S descending (real), or
    S alone without `compute_uv`. With `hermitian`, from eigh as NumPy does: S = |w| and
    Vh = (U sign(w))^H.

    # Note: with full_matrices=True (the default) and m != n nothing of the result can be
    # differentiated: lax's svd rule refuses, as the extra columns of U (rows of Vh) are
    # arbitrary. Differentiate full_matrices=False (or compute_uv=False) results instead.
    """
    a = asvalue(a)
    if hermitian:
        return _svd_hermitian(a, compute_uv)
    _assert_stacked_2d(a)
    (a,), _ = _operands(a)
    return _svd(a, bool(full_matrices), bool(compute_uv), "SVD did not converge")


def svdvals(x: ArrayLike, /):
    """numpy.linalg.svdvals: the singular values, descending."""
    return svd(x, compute_uv=False)


def _with_trailing_axis(x):
    """x[..., newaxis]: a tolerance per matrix, against its singular values."""
    x = asvalue(x)
    return lax_shape.expand_dims(x, (_ndim(x),))


def _last_axis_max(s, keepdims: bool = True):
    """max(s, axis=-1, initial=0) (s >= 0)."""
    return _reductions.max(s, axis=-1, keepdims=keepdims, initial=0)


def pinv(a: ArrayLike, rcond=None, hermitian: bool = False, *, rtol=_NoValue):
    """numpy.linalg.pinv: the pseudo-inverse from the SVD, singular values at most
    rcond * max(S) taken as zero (rcond: 1e-15 by default; with rtol=None,
    max(m, n) * eps)."""
    a = asvalue(a)
    if rcond is None:
        if rtol is _NoValue:
            rcond = 1e-15
        elif rtol is None:
            rcond = max(shape_of(a)[-2:]) * np.finfo(dtype_of(a)).eps
        else:
            rcond = rtol
    elif rtol is not _NoValue:
        raise ValueError("`rtol` and `rcond` can't be both set.")
    _assert_stacked_2d(a)
    *batch, m, n = shape_of(a)
    if m == 0 or n == 0:
        return lax_shape.full((*batch, n, m), 0, dtype_of(a))
    u, s, vh = svd(_conj(a), full_matrices=False, hermitian=hermitian)
    cutoff = _ufuncs.multiply(_with_trailing_axis(rcond), _last_axis_max(s))
    s_inv = _safe_reciprocal(s, _ufuncs.greater(s, cutoff))
    return _ufuncs.matmul(_swap(vh), _scale_rows(_swap(u), s_inv))


def matrix_rank(A: ArrayLike, tol=None, hermitian: bool = False, *, rtol=None):
    """numpy.linalg.matrix_rank: the number of singular values above tol (by default
    max(S) * rtol, rtol defaulting to max(m, n) * eps); for 0-d and 1-d input, 1 unless
    every entry is zero."""
    if rtol is not None and tol is not None:
        raise ValueError("`tol` and `rtol` can't be both set.")
    A = asvalue(A)
    if _ndim(A) < 2:
        return astype(_reductions.any(A), np.int64)
    s = svd(A, compute_uv=False, hermitian=hermitian)
    if tol is None:
        if rtol is None:
            rtol = max(shape_of(A)[-2:]) * np.finfo(dtype_of(s)).eps
        else:
            rtol = _with_trailing_axis(rtol)
        tol = _ufuncs.multiply(_last_axis_max(s), rtol)
    else:
        tol = _with_trailing_axis(tol)
    return _reductions.count_nonzero(_ufuncs.greater(s, tol), axis=-1)


def lstsq(a: ArrayLike, b: ArrayLike, rcond=None):
    """numpy.linalg.lstsq: (x, residuals, rank, s) for the least-squares solution of
    a @ x = b (a [m, n]; b [m] or [m, k]) from the SVD of a: singular values at most
    rcond * max(s) count as zero (rcond defaults to eps * max(m, n); a negative rcond means
    eps). residuals: the squared 2-norms of b - a @ x per column when rank == n < m, else
    empty; rank int32."""
    a, b = asvalue(a), asvalue(b)
    vector = _ndim(b) == 1
    if vector:
        b = lax_shape.expand_dims(b, (1,))
    _assert_2d(a, b)
    m, n = shape_of(a)
    if shape_of(b)[0] != m:
        raise LinAlgError("Incompatible dimensions")
    (a, b), dtype = _operands(a, b)
    real = _real(dtype)
    eps = float(np.finfo(real).eps)
    if rcond is None:
        rcond = eps * max(n, m)
    u, s, vh = _svd(a, False, True, "SVD did not converge in Linear Least Squares")
    rcond = astype(asvalue(rcond), real)
    rcond = ew.select(ew.lt(rcond, lax_shape.full_like(rcond, 0)),
                      lax_shape.full_like(rcond, eps), rcond)
    large = ew.gt(s, broadcast_to(ew.mul(rcond, _last_axis_max(s, False)), shape_of(s)))
    rank = lax_red.reduce_sum(astype(large, _INDEX), (0,))
    x = _mm(_adjoint(vh), _scale_rows(_mm(_adjoint(u), b), _safe_reciprocal(s, large)))
    residuals = _least_squares_residuals(a, b, x, rank, real)
    return (lax_shape.squeeze(x, (1,)) if vector else x), residuals, rank, s


def _least_squares_residuals(a, b, x, rank, real):
    m, n = shape_of(a)
    empty = lax_shape.full((0,), 0, real)
    if m <= n:
        return empty
    known = _concrete(rank)
    if known is not None and int(known) != n:
        return empty
    # Note: a traced rank cannot choose the shape: the residuals come back whatever it is.
    return lax_red.reduce_sum(_squared_abs(ew.sub(b, _mm(a, x))), (0,))


def cond(x: ArrayLike, p=None):
    """numpy.linalg.cond: the condition number in norm p: the ratio of extreme singular
    values (p None, 2, -2), else norm(x, p) * norm(inv(x), p) for square matrices; inf
    for singular ones (NaN only where x has NaNs)."""
    x = asvalue(x)
    shape = shape_of(x)
    if _prod(shape) == 0 and _prod(shape[-2:]) == 0:
        raise LinAlgError("cond is not defined on empty arrays")
    if p is None or p in {2, -2}:
        s = svd(x, compute_uv=False)
        first, last = (slicing.index_in_dim(s, i, axis=-1, keepdims=False) for i in (0, -1))
        r = ew.div(last, first) if p == -2 else ew.div(first, last)
    else:
        _assert_stacked_square(x)
        (a,), dtype = _operands(x)
        inverse = _inv(a, check=False)
        r = astype(ew.mul(norm(a, p, axis=(-2, -1)), norm(inverse, p, axis=(-2, -1))),
                   _real(dtype))
    # NaN from a singular matrix becomes inf; NaN from NaN input stays.
    x_has_nan = lax_red.reduce_or(_isnan(x), (len(shape) - 2, len(shape) - 1))
    singular = ew.bitwise_and(_isnan(r), ew.bitwise_not(x_has_nan))
    return ew.select(singular, lax_shape.full_like(r, np.inf), r)


# --- norms ----------------------------------------------------------------------------------

def _vector_norm(x, ord, axis: tuple, keepdims: bool):
    """NumPy's norm along one axis."""
    kw = dict(axis=axis, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"Invalid norm order '{ord}' for vectors")
    if ord == np.inf:
        return _reductions.max(ew.abs(x), initial=0, **kw)
    if ord == -np.inf:
        return _reductions.min(ew.abs(x), **kw)
    if ord == 0:
        return _reductions.sum(astype(ew.bitwise_not(_is_zero(x)),
                                      _real(dtype_of(x))), **kw)
    if ord == 1:
        return _reductions.sum(ew.abs(x), **kw)
    if ord is None or ord == 2:
        return ew.sqrt(_reductions.sum(_squared_abs(x), **kw))
    absx = ew.abs(x)
    powered = ew.pow(absx, lax_shape.full_like(absx, ord))
    total = _reductions.sum(powered, **kw)
    return ew.pow(total, lax_shape.full_like(total, 1 / np.asarray(ord, dtype_of(total))))


def _to_last_two(x, row: int, col: int):
    nd = _ndim(x)
    return lax_shape.transpose(x, [i for i in range(nd) if i not in (row, col)] + [row, col])


def _matrix_norm(x, ord, row: int, col: int):
    """NumPy's norm over the matrices in axes (row, col), those axes dropped."""
    if ord in (2, -2, "nuc"):
        s = svd(_to_last_two(x, row, col), compute_uv=False)
        if ord == 2:
            return _reductions.max(s, axis=-1, initial=0)
        return _reductions.min(s, axis=-1) if ord == -2 else _reductions.sum(s, axis=-1)
    if ord in (1, -1, np.inf, -np.inf):
        # |x| summed over rows (ord +-1) or columns (ord +-inf), then the extreme.
        summed, other = (row, col) if ord in (1, -1) else (col, row)
        other -= other > summed
        extreme = _reductions.max if ord > 0 else _reductions.min
        kw = dict(initial=0) if ord > 0 else {}
        return extreme(_reductions.sum(ew.abs(x), axis=summed), axis=other, **kw)
    if ord is None or (isinstance(ord, str) and ord in ("fro", "f")):
        return ew.sqrt(_reductions.sum(_squared_abs(x), axis=(row, col)))
    raise ValueError("Invalid norm order for matrices.")


def norm(x: ArrayLike, ord=None, axis=None, keepdims: bool = False):
    """numpy.linalg.norm: a vector norm over one axis, a matrix norm over two (ord: None,
    'fro', 'nuc', inf, -inf, 1, -1, 2, -2 for matrices; any number for vectors), the
    2-norm of the flattened array by default."""
    x = asvalue(x)
    if not np.issubdtype(dtype_of(x), np.inexact):
        x = astype(x, np.float64)
    nd = _ndim(x)
    if axis is None:
        frobenius = isinstance(ord, str) and ord in ("f", "fro") and nd == 2
        if ord is None or frobenius or (not isinstance(ord, str) and ord == 2 and nd == 1):
            ret = ew.sqrt(lax_red.reduce_sum(_squared_abs(x), tuple(range(nd))))
            return lax_shape.reshape(ret, (1,) * nd) if keepdims else ret
        axis = tuple(range(nd))
    elif not isinstance(axis, tuple):
        try:
            axis = (int(axis),)
        except Exception as e:
            raise TypeError("'axis' must be None, an integer or a tuple of integers") from e
    if len(axis) == 1:
        return _vector_norm(x, ord, axis, keepdims)
    if len(axis) != 2:
        raise ValueError("Improper number of dimensions to norm.")
    row, col = (normalize_axis(a, nd) for a in axis)
    if row == col:
        raise ValueError("Duplicate axes given.")
    ret = _matrix_norm(x, ord, row, col)
    if keepdims:
        shape = list(shape_of(x))
        shape[row] = shape[col] = 1
        ret = lax_shape.reshape(ret, shape)
    return ret


def matrix_norm(x: ArrayLike, /, *, keepdims: bool = False, ord="fro"):
    """numpy.linalg.matrix_norm: norm over the last two axes."""
    return norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


def vector_norm(x: ArrayLike, /, *, axis=None, keepdims: bool = False, ord=2):
    """numpy.linalg.vector_norm: a vector norm over `axis` (all axes by default; a tuple
    of axes counts as one flattened axis)."""
    x = asvalue(x)
    shape = shape_of(x)
    if axis is None:
        x, along = lax_shape.reshape(x, (_prod(shape),)), 0
    elif isinstance(axis, tuple):
        axes = _normalize_axis_tuple(axis, len(shape))
        rest = [i for i in range(len(shape)) if i not in axes]
        x = lax_shape.transpose(x, [*axes, *rest])
        x = lax_shape.reshape(x, (_prod([shape[i] for i in axes]), *[shape[i] for i in rest]))
        along = 0
    else:
        along = axis
    ret = norm(x, axis=along, ord=ord)
    if keepdims:
        kept = tuple(range(len(shape))) if axis is None else axis
        ones = _normalize_axis_tuple(kept if isinstance(kept, tuple) else (kept,), len(shape))
        ret = lax_shape.reshape(ret, [1 if i in ones else d for i, d in enumerate(shape)])
    return ret


def _normalize_axis_tuple(axes: tuple, ndim: int) -> tuple[int, ...]:
    out = tuple(normalize_axis(a, ndim) for a in axes)
    if len(set(out)) != len(out):
        raise ValueError("repeated axis")
    return out


# --- products, views and reductions NumPy also lists under numpy.linalg ---------------------------

def _chain_order(shapes) -> list[list[int]]:
    """NumPy's dynamic programme for the cheapest parenthesisation of a matrix chain:
    split[i][j] is where the product of matrices i..j splits."""
    n = len(shapes)
    p = [s[0] for s in shapes] + [shapes[-1][1]]
    cost = [[0.0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = np.inf
            for k in range(i, j):
                q = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if q < cost[i][j]:
                    cost[i][j], split[i][j] = q, k
    return split


def _chain_product(arrays, split, i: int, j: int):
    if i == j:
        return arrays[i]
    k = split[i][j]
    return _products.dot(_chain_product(arrays, split, i, k),
                         _chain_product(arrays, split, k + 1, j))


def multi_dot(arrays, *, out=None):
    """numpy.linalg.multi_dot: the product of a chain of matrices (the first may be a row
    vector, the last a column vector, given 1-d) in the cheapest order, chosen as NumPy
    chooses it."""
    n = len(arrays)
    if n < 2:
        raise ValueError("Expecting at least two arrays.")
    if n == 2:
        return _products.dot(arrays[0], arrays[1], out=out)
    _check_out(out)
    arrays = [asvalue(a) for a in arrays]
    first_1d, last_1d = _ndim(arrays[0]) == 1, _ndim(arrays[-1]) == 1
    if first_1d:
        arrays[0] = lax_shape.expand_dims(arrays[0], (0,))
    if last_1d:
        arrays[-1] = lax_shape.expand_dims(arrays[-1], (1,))
    _assert_2d(*arrays)
    shapes = [shape_of(a) for a in arrays]
    if n == 3:
        (a0, a1), (c0, c1) = shapes[0], shapes[2]
        split = [[0, 0, 0], [0, 0, 1], [0, 0, 0]]
        split[0][2] = 1 if a0 * c0 * (a1 + c1) < a1 * c1 * (a0 + c0) else 0
    else:
        split = _chain_order(shapes)
    result = _chain_product(arrays, split, 0, n - 1)
    if first_1d and last_1d:
        return lax_shape.reshape(result, ())
    if first_1d or last_1d:
        return lax_shape.reshape(result, (_prod(shape_of(result)),))
    return result


def matmul(x1: ArrayLike, x2: ArrayLike, /):
    """numpy.linalg.matmul: numpy.matmul without its ufunc keywords."""
    return _ufuncs.matmul(x1, x2)


def vecdot(x1: ArrayLike, x2: ArrayLike, /, *, axis: int = -1):
    """numpy.linalg.vecdot: sum(conj(x1) * x2) over `axis`, broadcast elsewhere."""
    return _ufuncs.vecdot(x1, x2, axis=axis)


def tensordot(x1: ArrayLike, x2: ArrayLike, /, *, axes=2):
    """numpy.linalg.tensordot: numpy.tensordot with `axes` keyword-only."""
    return _products.tensordot(x1, x2, axes=axes)


def outer(x1: ArrayLike, x2: ArrayLike, /):
    """numpy.linalg.outer: the outer product of two 1-d arrays (no flattening)."""
    x1, x2 = asvalue(x1), asvalue(x2)
    if _ndim(x1) != 1 or _ndim(x2) != 1:
        raise ValueError(f"Input arrays must be one-dimensional, but they are "
                         f"x1.ndim={_ndim(x1)} and x2.ndim={_ndim(x2)}.")
    return _products.outer(x1, x2)


def cross(x1: ArrayLike, x2: ArrayLike, /, *, axis: int = -1):
    """numpy.linalg.cross: cross products of 3-vectors along `axis` (2-vectors refused)."""
    x1, x2 = asvalue(x1), asvalue(x2)
    n1, n2 = shape_of(x1)[axis], shape_of(x2)[axis]  # IndexError, as NumPy
    if n1 != 3 or n2 != 3:
        raise ValueError(f"Both input arrays must be (arrays of) 3-dimensional vectors, but "
                         f"they are {n1} and {n2} dimensional instead.")
    return _products.cross(x1, x2, axis=axis)


def matrix_transpose(x: ArrayLike, /):
    """numpy.linalg.matrix_transpose: swap the last two axes."""
    return _manipulation.matrix_transpose(x)


def diagonal(x: ArrayLike, /, *, offset: int = 0):
    """numpy.linalg.diagonal: the diagonals of the matrices in the last two axes."""
    return _manipulation.diagonal(x, offset, -2, -1)


def trace(x: ArrayLike, /, *, offset: int = 0, dtype=None):
    """numpy.linalg.trace: the sums along the diagonals of the last two axes."""
    return _manipulation.trace(x, offset, -2, -1, dtype=dtype)
