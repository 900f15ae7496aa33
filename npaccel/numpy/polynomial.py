"""The polynomial helpers of the numpy namespace (NumPy reference: "Poly1d"): poly,
polyval, polyadd, polysub, polymul, polydiv, polyder, polyint, polyfit, roots. (The
numpy.polynomial package and the poly1d class are not here.)

Coefficient arrays run from the highest power down, as in NumPy. Where NumPy's result
has a shape or dtype that depends on the values (leading zeros trimmed by polymul and
polydiv, real-or-complex roots), the values are read eagerly; inside jit/vmap that raises
ConcretizationError naming the function, and polymul/polydiv accept the keyword
`trim_leading_zeros=False` (as jax.numpy) to keep the untrimmed, fixed-size result.
"""
from __future__ import annotations

import warnings
from functools import partial

import numpy as np

from npaccel.core import dtypes
from npaccel.core.trace import ConcretizationError, concrete_or_error
from npaccel.lax import (contraction, control_flow, elementwise as ew, linalg, reduction,
                         shape as lax_shape, slicing)
from npaccel.numpy import _core
from npaccel.numpy._core import (asvalue, astype, broadcast_shapes, broadcast_to, dtype_of,
                                 result_type, shape_of)
from npaccel.transforms.jit import jit

__all__ = ["poly", "polyval", "polyadd", "polysub", "polymul", "polydiv", "polyder",
           "polyint", "polyfit", "roots"]


# --- helpers -----------------------------------------------------------------------------

def _concrete(x, name: str) -> np.ndarray:
    remedy = "call it outside the transformation" + (
        " or pass trim_leading_zeros=False" if name in ("polymul", "polydiv") else "")
    return _core.concrete(x, name, remedy)


def _atleast_1d(x):
    x = asvalue(x)
    return lax_shape.reshape(x, (1,)) if not shape_of(x) else x


def _not_0d(x, name: str):
    # NumPy's __array_function__ dispatcher for poly and roots rejects 0-d input.
    x = asvalue(x)
    if not shape_of(x):
        raise TypeError(f"{name}: the argument must be a sequence or an array of at least "
                        "one dimension, not a scalar")
    return x


def _full(shape, value, dtype):
    return lax_shape.full(shape, value, dtype)


def _arange_down(n: int, dtype):
    """[n, n-1, ..., 1] (np.arange(n, 0, -1)); empty for n <= 0."""
    return np.arange(n, 0, -1, dtype=dtype)


def _binary(op, a, b, dtype=None):
    """op on a and b promoted (strongly: NumPy's polynomial helpers take arrays) and
    broadcast together."""
    dtype = np.result_type(dtype_of(a), dtype_of(b)) if dtype is None else dtype
    shape = broadcast_shapes(shape_of(a), shape_of(b))
    return op(broadcast_to(astype(a, dtype), shape), broadcast_to(astype(b, dtype), shape))


def _add(a, b):
    return _binary(ew.bitwise_or if np.result_type(dtype_of(a), dtype_of(b)) == np.bool_
                   else ew.add, a, b)


def _sub(a, b):
    if np.result_type(dtype_of(a), dtype_of(b)) == np.bool_:
        raise TypeError("numpy boolean subtract, the `-` operator, is not supported, use the "
                        "bitwise_xor, the `^` operator, or the logical_xor function instead.")
    return _binary(ew.sub, a, b)


def _mul(a, b):
    return _binary(ew.bitwise_and if np.result_type(dtype_of(a), dtype_of(b)) == np.bool_
                   else ew.mul, a, b)


def _sum0(x):
    reduce = reduction.reduce_or if dtype_of(x) == np.bool_ else reduction.reduce_sum
    return reduce(x, (0,))


def _pad_front(x, n: int):
    """n zeros before x along axis 0."""
    if n <= 0:
        return x
    config = [(n, 0, 0)] + [(0, 0, 0)] * (len(shape_of(x)) - 1)
    return lax_shape.pad(x, np.zeros((), dtype_of(x)), config)


def _convolve_full(a, b):
    """np.convolve(a, b) for 1-d a, b of one dtype: the outer product with row i shifted
    right by i (pad each row, flatten, drop the tail, reshape), summed over rows."""
    n, m = shape_of(a)[0], shape_of(b)[0]
    outer = _mul(lax_shape.expand_dims(a, (1,)), lax_shape.expand_dims(b, (0,)))
    padded = lax_shape.pad(outer, np.zeros((), dtype_of(outer)), [(0, 0, 0), (0, n, 0)])
    flat = lax_shape.reshape(padded, (n * (m + n),))
    flat = slicing.slice_in_dim(flat, 0, n * (m + n - 1))
    return _sum0(lax_shape.reshape(flat, (n, m + n - 1)))


def _trim_leading_zeros(x, name: str):
    """x without its leading zeros (read eagerly), [0] if nothing is left (as poly1d)."""
    nonzero = np.flatnonzero(_concrete(x, name))
    if nonzero.size == 0:
        return _full((1,), 0, dtype_of(x))
    return slicing.slice_in_dim(x, int(nonzero[0]), shape_of(x)[0])


# --- construction and evaluation ---------------------------------------------------------

def _zeros_dtype(dtype) -> np.dtype:
    """NumPy's mintypecode(dtype.char) for poly: float32, complex64 and complex128 stay,
    everything else computes in float64."""
    dtype = np.dtype(dtype)
    return dtype if dtype in (np.float32, np.complex64, np.complex128) else np.dtype(np.float64)


def _eigvals(a):
    dtype = dtype_of(a)
    if dtype == np.float16:
        raise TypeError("array type float16 is unsupported in linalg")
    a = astype(a, _zeros_dtype(dtype))
    (w,) = linalg.eig(a, compute_left_eigenvectors=False, compute_right_eigenvectors=False)
    return w


def _from_zeros(zeros):
    """Coefficients of prod (x - z): a scan multiplying by (x - z), one zero at a time."""
    n, dtype = shape_of(zeros)[0], dtype_of(zeros)
    start = lax_shape.concatenate([_full((1,), 1, dtype), _full((n,), 0, dtype)], 0)

    def step(a, z):
        shifted = lax_shape.concatenate([_full((1,), 0, dtype), slicing.slice_in_dim(a, 0, n)], 0)
        return ew.sub(a, ew.mul(lax_shape.broadcast_in_dim(z, (n + 1,), ()), shifted)), None

    a, _ = control_flow.scan(step, start, zeros)
    return a


def _conjugate_pairs(zeros) -> bool:
    host = _concrete(zeros, "poly").astype(complex)
    return bool(np.all(np.sort(host) == np.sort(host.conjugate())))


def poly(seq_of_zeros):
    """numpy.poly: the coefficients of the monic polynomial with the given zeros (or with
    the eigenvalues of a square matrix as zeros). Complex zeros that come in conjugate
    pairs give real coefficients (decided from the values for complex input)."""
    z = _not_0d(seq_of_zeros, "poly")
    shape = shape_of(z)
    if len(shape) == 2 and shape[0] == shape[1] and shape[0] != 0:
        # A real matrix's eigenvalues come in exact conjugate pairs: a real result.
        real_input = dtype_of(z).kind != "c"
        z = _eigvals(z)
    elif len(shape) == 1:
        z = astype(z, _zeros_dtype(dtype_of(z)))
        real_input = dtype_of(z).kind != "c"
    else:
        raise ValueError("input must be 1d or non-empty square 2d array.")
    if shape_of(z)[0] == 0:
        return np.asarray(1.0)
    a = _from_zeros(z)
    if dtype_of(a).kind == "c" and (real_input or _conjugate_pairs(z)):
        a = ew.real(a)
    return a


def polyval(p, x):
    """numpy.polyval: p[0] * x**(n-1) + ... + p[n-1], by Horner's rule (a scan over p's
    leading axis); the result dtype is that of x combined with p's."""
    p, x = asvalue(p), asvalue(x)
    if not shape_of(p):
        raise TypeError("iteration over a 0-d array")
    if shape_of(p)[0] == 0:
        return _full(shape_of(x), 0, dtype_of(x))
    dtype = np.result_type(dtype_of(x), dtype_of(p))
    shape = broadcast_shapes(shape_of(x), shape_of(p)[1:])
    x = broadcast_to(astype(x, dtype), shape)

    def step(y, coefficient):
        return _add(_mul(y, x), broadcast_to(coefficient, shape)), None

    y, _ = control_flow.scan(step, _full(shape, 0, dtype), astype(p, dtype))
    return y


def roots(p):
    """numpy.roots: the zeros of the polynomial p, as the eigenvalues of its companion
    matrix (leading and trailing zeros of p are read eagerly: the number of roots depends
    on them). Real when every root is real, as NumPy's eigvals."""
    p = _not_0d(p, "roots")
    if len(shape_of(p)) != 1:
        raise ValueError("Input must be a rank-1 array.")
    nonzero = np.flatnonzero(_concrete(p, "roots"))
    if nonzero.size == 0:
        return _full((0,), 0, np.float64)
    trailing = shape_of(p)[0] - int(nonzero[-1]) - 1
    p = slicing.slice_in_dim(p, int(nonzero[0]), int(nonzero[-1]) + 1)
    if dtype_of(p).kind not in "fc":
        p = astype(p, np.float64)
    n = shape_of(p)[0]
    if n > 1:
        w = _eigvals(_companion(p))
        if dtype_of(p).kind != "c" and not np.any(_concrete(ew.imag(w), "roots")):
            w = ew.real(w)
    else:
        w = np.zeros(0)
    return lax_shape.concatenate([w, _full((trailing,), 0, dtype_of(w))], 0)


def _companion(p):
    """The companion matrix: -p[1:]/p[0] on the first row, ones below the diagonal."""
    n, dtype = shape_of(p)[0], dtype_of(p)
    lead = broadcast_to(slicing.index_in_dim(p, 0, keepdims=True), (n - 1,))
    first = ew.neg(ew.div(slicing.slice_in_dim(p, 1, n), lead))
    below = np.eye(n - 2, n - 1, dtype=dtype)
    return lax_shape.concatenate([lax_shape.expand_dims(first, (0,)), below], 0)


# --- arithmetic --------------------------------------------------------------------------

def _aligned(a1, a2):
    """a1 and a2 padded with leading zeros to one length (NumPy's polyadd/polysub)."""
    a1, a2 = _atleast_1d(a1), _atleast_1d(a2)
    diff = shape_of(a2)[0] - shape_of(a1)[0]
    if diff and len(shape_of(a1 if diff > 0 else a2)) != 1:
        raise ValueError("all the input arrays must have same number of dimensions")
    return _pad_front(a1, diff), _pad_front(a2, -diff)


def polyadd(a1, a2):
    """numpy.polyadd: the sum of two polynomials."""
    return _add(*_aligned(a1, a2))


def polysub(a1, a2):
    """numpy.polysub: the difference of two polynomials, a1 - a2."""
    return _sub(*_aligned(a1, a2))


def _as_polynomial(a, trim: bool, name: str):
    """What poly1d makes of `a`: 1-d, leading zeros trimmed, [0] if nothing is left."""
    a = _atleast_1d(a)
    if len(shape_of(a)) > 1:
        raise ValueError("Polynomial must be 1d only.")
    if not trim:
        return a if shape_of(a)[0] else _full((1,), 0, dtype_of(a))
    return _trim_leading_zeros(a, name)


def polymul(a1, a2, *, trim_leading_zeros: bool = True):
    """numpy.polymul: the product of two polynomials (their coefficients' convolution).
    Like NumPy, leading zeros of the factors are trimmed, which needs their values;
    `trim_leading_zeros=False` (an npaccel extension) skips that, for use under jit."""
    a1 = _as_polynomial(a1, trim_leading_zeros, "polymul")
    a2 = _as_polynomial(a2, trim_leading_zeros, "polymul")
    dtype = np.result_type(dtype_of(a1), dtype_of(a2))
    return _convolve_full(astype(a1, dtype), astype(a2, dtype))


def polydiv(u, v, *, trim_leading_zeros: bool = True):
    """numpy.polydiv: quotient and remainder of u / v (synthetic division, a scan over the
    quotient's coefficients). Like NumPy, leading (near-)zeros of the remainder are trimmed
    (|r[0]| <= 1e-8), which needs its values; `trim_leading_zeros=False` (an npaccel
    extension) keeps the remainder at len(u), for use under jit."""
    u, v = _atleast_1d(u), _atleast_1d(v)
    if not (shape_of(u)[0] and shape_of(v)[0]):  # NumPy reads u[0] and v[0]
        raise IndexError("index 0 is out of bounds for axis 0 with size 0")
    u = astype(u, result_type(u, 0.0))
    v = astype(v, result_type(v, 0.0))
    dtype = np.result_type(dtype_of(u), dtype_of(v))
    # 1 / v[0] in v's own dtype, as NumPy computes it
    scale = astype(ew.div(np.ones((), dtype_of(v)), slicing.index_in_dim(v, 0, keepdims=False)),
                   dtype)
    u, v = astype(u, dtype), astype(v, dtype)
    m, n = shape_of(u)[0] - 1, shape_of(v)[0] - 1
    if m - n + 1 > 0:
        def step(r, k):
            d = ew.mul(scale, slicing.dynamic_index_in_dim(r, k, keepdims=False))
            shifted = slicing.dynamic_update_slice(_full((m + 1,), 0, dtype), v, [k])
            return ew.sub(r, ew.mul(lax_shape.broadcast_in_dim(d, (m + 1,), ()), shifted)), d

        r, q = control_flow.scan(step, u, np.arange(m - n + 1))
    else:
        r, q = u, _full((1,), 0, dtype)
    if trim_leading_zeros:
        host = np.abs(_concrete(r, "polydiv"))
        # NumPy drops r[0] while allclose(r[0], 0, rtol=1e-14), keeping at least one.
        drop = 0
        while drop < host.size - 1 and host[drop] <= 1e-8:
            drop += 1
        r = slicing.slice_in_dim(r, drop, m + 1)
    return q, r


# --- calculus ----------------------------------------------------------------------------

def polyder(p, m: int = 1):
    """numpy.polyder: the m-th derivative of a polynomial."""
    m = int(m)
    if m < 0:
        raise ValueError("Order of derivative must be positive (see polyint)")
    p = asvalue(p)
    if not shape_of(p):
        raise TypeError("len() of unsized object")
    for _ in range(m):
        n = shape_of(p)[0] - 1
        p = _mul(slicing.slice_in_dim(p, 0, max(n, 0)), _arange_down(n, np.int64))
    return p


def polyint(p, m: int = 1, k=None):
    """numpy.polyint: the m-th antiderivative of a polynomial, with integration constants
    k (a scalar, or one per integration; default zeros)."""
    m = int(m)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    k = np.zeros(m, float) if k is None else k
    k = _atleast_1d(k)
    if shape_of(k)[0] == 1 and m > 1:
        k = broadcast_to(astype(k, np.result_type(dtype_of(k), np.float64)), (m,))
    if shape_of(k)[0] < m:
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or >m.")
    p = asvalue(p)
    if m and not shape_of(p):
        raise TypeError("len() of unsized object")
    for i in range(m):
        n = shape_of(p)[0]
        divided = _binary(ew.div, p, _arange_down(n, np.int64),
                          np.result_type(dtype_of(p), np.int64, np.float64))
        constant = slicing.slice_in_dim(k, i, i + 1)
        dtype = np.result_type(dtype_of(divided), dtype_of(constant))
        p = lax_shape.concatenate([astype(divided, dtype), astype(constant, dtype)], 0)
    return p


# --- fitting -----------------------------------------------------------------------------

def _vander(x, order: int):
    """np.vander(x, order): columns x**(order-1), ..., x, 1, as cumulative products."""
    n, dtype = shape_of(x)[0], dtype_of(x)
    if order == 0:
        return _full((n, 0), 0, dtype)
    columns = lax_shape.concatenate(
        [_full((n, 1), 1, dtype), lax_shape.broadcast_in_dim(x, (n, order - 1), (0,))], 1)
    return lax_shape.rev(reduction.cumprod(columns, 1), (1,))


def _adjoint(a):
    a = lax_shape.transpose(a, (1, 0))
    return ew.conj(a) if dtype_of(a).kind == "c" else a


def _matmul(a, b):
    return contraction.dot_general(a, b, (((1,), (0,)), ((), ())))


def _least_squares(a, b):
    """The minimum-norm least-squares solution of a x = b (a of full rank, b 2-d), by QR:
    of a when it is tall, of a^H when it is wide."""
    rows, cols = shape_of(a)
    if rows >= cols:
        q, r = linalg.qr(a, full_matrices=False)
        return linalg.triangular_solve(r, _matmul(_adjoint(q), b), left_side=True, lower=False)
    q, r = linalg.qr(_adjoint(a), full_matrices=False)
    z = linalg.triangular_solve(r, b, left_side=True, lower=False, transpose_a=True,
                                conjugate_a=True)
    return _matmul(q, z)


def _rank(a, rcond):
    """Singular values of a and its rank at relative cutoff rcond (as np.linalg.lstsq)."""
    s = linalg.svd(a, full_matrices=False, compute_uv=False)
    if shape_of(s)[0] == 0:
        return s, np.asarray(0, np.int32)
    cutoff = ew.mul(slicing.index_in_dim(s, 0, keepdims=False), astype(rcond, dtype_of(s)))
    above = ew.gt(s, lax_shape.broadcast_in_dim(cutoff, shape_of(s), ()))
    return s, reduction.reduce_sum(astype(above, np.int32), (0,))


def _covariance_base(lhs, scale):
    """inv(lhs^T lhs) / outer(scale, scale), lhs real and tall: lhs^T lhs = R^T R from
    lhs's QR, so its inverse is R^-1 R^-T."""
    order = shape_of(lhs)[1]
    r = linalg.qr(lhs, full_matrices=False)[1]
    r_inv = linalg.triangular_solve(r, np.eye(order, dtype=dtype_of(lhs)), left_side=True,
                                    lower=False)
    outer = ew.mul(lax_shape.broadcast_in_dim(scale, (order, order), (0,)),
                   lax_shape.broadcast_in_dim(scale, (order, order), (1,)))
    return ew.div(_matmul(r_inv, _adjoint(r_inv)), outer)


@partial(jit, static_argnames=("order", "with_cov"))
def _fit(x, y, w, rcond, *, order: int, with_cov: bool):
    """NumPy's polyfit arithmetic, compiled as one unit: the Vandermonde matrix (weighted,
    columns scaled to unit norm), its least-squares solution for each column of y, the
    singular values and rank, the residuals (of full rank), and with_cov the unscaled
    covariance."""
    # np.vander computes in promote_types(x.dtype, int): float64 or complex128.
    lhs, rhs = _vander(astype(x, np.promote_types(dtype_of(x), np.int64)), order), y
    dtype = np.result_type(dtype_of(lhs), dtype_of(y))
    if w is not None:
        lhs, rhs = _weighted(lhs, w), _weighted(rhs, w)
    scale = ew.sqrt(reduction.reduce_sum(ew.mul(lhs, lhs), (0,)))
    lhs = astype(ew.div(lhs, lax_shape.broadcast_in_dim(scale, shape_of(lhs), (1,))), dtype)
    scale = astype(scale, dtype)
    rhs = astype(rhs, dtype)
    if len(shape_of(rhs)) == 1:
        rhs = lax_shape.expand_dims(rhs, (1,))
    solution = _least_squares(lhs, rhs)
    c = ew.div(solution, lax_shape.broadcast_in_dim(scale, shape_of(solution), (0,)))
    if len(shape_of(y)) == 1:
        c = lax_shape.reshape(c, (order,))
    s, rank = _rank(lhs, rcond)
    error = ew.abs(ew.sub(rhs, _matmul(lhs, solution)))
    resids = reduction.reduce_sum(ew.mul(error, error), (0,))
    base = _covariance_base(lhs, scale) if with_cov else np.zeros(0)
    return c, rank, s, resids, base


def _as_inexact(x):
    x = asvalue(x)
    return astype(x, result_type(x, 0.0))  # NumPy's `asarray(x) + 0.0`


def _check_fit_inputs(x, y, deg, w, cov, order: int):
    if deg < 0:
        raise ValueError("expected deg >= 0")
    if len(shape_of(x)) != 1:
        raise TypeError("expected 1D vector for x")
    if shape_of(x)[0] == 0:
        raise TypeError("expected non-empty vector for x")
    if not 1 <= len(shape_of(y)) <= 2:
        raise TypeError("expected 1D or 2D array for y")
    if shape_of(x)[0] != shape_of(y)[0]:
        raise TypeError("expected x and y to have same length")
    if w is not None:
        if len(shape_of(w)) != 1:
            raise TypeError("expected a 1-d array for weights")
        if shape_of(w)[0] != shape_of(y)[0]:
            raise TypeError("expected w and y to have the same length")
    if cov:
        if cov != "unscaled" and shape_of(x)[0] <= order:
            raise ValueError("the number of data points must exceed order to scale the "
                             "covariance matrix")
        if np.result_type(dtype_of(x), dtype_of(y)).kind == "c":
            raise NotImplementedError("polyfit(cov=True) for complex data is not implemented")
        if shape_of(x)[0] < order:
            raise np.linalg.LinAlgError("Singular matrix")


def _weighted(v, w):
    """v * w along axis 0, keeping v's dtype (NumPy multiplies in place)."""
    w = lax_shape.broadcast_in_dim(astype(w, dtype_of(v)), shape_of(v), (0,))
    return ew.mul(v, w)


def polyfit(x, y, deg, rcond=None, full: bool = False, w=None, cov=False):
    """numpy.polyfit: the least-squares polynomial fit of degree `deg` to the points
    (x, y) (y 2-d: one fit per column), with NumPy's column scaling, weights `w`, and
    its return conventions (c; or c, residuals, rank, singular values, rcond with `full`;
    or c and the covariance with `cov`).

    # Note: NumPy solves with an SVD (lstsq); this solves by QR, which matches it for
    # full-rank fits. Rank-deficient fits, which NumPy warns about (RankWarning), differ.
    # The warning is given when the rank can be read: not under jit/vmap.
    """
    order = int(deg) + 1
    x, y = _as_inexact(x), _as_inexact(y)
    w = None if w is None else _as_inexact(w)
    _check_fit_inputs(x, y, deg, w, cov, order)
    # NumPy's lstsq rejects a float16 right-hand side (y, weighted in place, keeps its
    # dtype); x's Vandermonde matrix is scaled to float64 first.
    if dtype_of(y) == np.float16:
        raise TypeError("array type float16 is unsupported in linalg")
    if rcond is None:
        rcond = shape_of(x)[0] * np.finfo(dtype_of(x)).eps
    c, rank, s, resids, base = _fit(x, y, w, np.asarray(rcond, np.float64), order=order,
                                    with_cov=bool(cov))
    if not full and not cov:
        try:
            deficient = int(concrete_or_error(rank)) != order
        except ConcretizationError:
            deficient = False
        if deficient:
            warnings.warn("Polyfit may be poorly conditioned", np.exceptions.RankWarning,
                          stacklevel=2)
        return c
    # np.linalg.lstsq's residuals are empty unless lhs is tall and of full rank.
    rows = shape_of(x)[0]
    if rows <= order or int(_concrete(rank, "polyfit")) != order:
        resids = np.zeros(0, dtypes.real_dtype(dtype_of(s)))
    if full:
        return c, resids, rank, s, rcond
    if len(shape_of(y)) != 1:
        base = lax_shape.expand_dims(base, (2,))
    if cov == "unscaled":
        return c, base
    fac = ew.div(resids, np.full(shape_of(resids), rows - order, dtype_of(resids)))
    return c, _binary(ew.mul, base, fac)
