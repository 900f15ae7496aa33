"""Linear-algebra primitives computed by LAPACK on the CPU, as jax.lax.linalg: lu, qr
(geqrf, householder_product), eigh, svd, eig, schur, tridiagonal_solve, and the helper
lu_pivots_to_permutation. Public names are re-exported by npaccel.lax.linalg.

Each primitive lowers to one stablehlo.custom_call of a jaxlib LAPACK target
(`lapack_{s,d,c,z}<routine>_ffi`, see npaccel._runtime.lapack), which takes a batch of
matrices (batch axes leading, each matrix column-major) in one call. LAPACK reports
failure through `info`: the primitives return it as their last output, and the public
wrappers turn failed results into NaNs, as jax does, instead of raising. np.linalg's
LinAlgError is the NumPy layer's to raise (from NaNs, or from the primitives' info).

Derivatives (jvp rules, hence also reverse mode) are built from differentiable
primitives: dot_general, triangular_solve, elementwise ops. They hold where the
decomposition is smooth: distinct eigenvalues and singular values.
"""
from __future__ import annotations

import enum

import numpy as np

from npaccel._runtime.lapack import ensure_lapack, ffi_call, lapack_target
from npaccel._runtime import hlo, ir
from npaccel.core import dtypes
from npaccel.core.aval import ShapedArray
from npaccel.core.trace import get_aval
from npaccel.lax import elementwise as ew
from npaccel.lax._standard import (INT, as_operand, check_dtype, check_same_dtypes,
                                   standard_primitive)
from npaccel.lax.control_flow import fori_loop
from npaccel.lax.convert import convert_element_type
from npaccel.lax.linalg import (LINALG_DTYPES, _check_square, _matmul, _op, _swap_last, _triangle,
                                triangular_solve)
from npaccel.lax.reduction import argmax, reduce_sum
from npaccel.lax.shape import broadcast_in_dim, broadcasted_iota, full_like, pad
from npaccel.lax.slicing import slice_in_dim
from npaccel.transforms import lowering
from npaccel.transforms.ad import Zero, instantiate, is_undefined, jvp_rules, transpose_rules
from npaccel.transforms.batching import batching_rules, bdim_at_front
from npaccel.transforms.staging import trace_to_closed_jaxpr

HLO_OPS = {
    "lu": "stablehlo.custom_call @lapack_?getrf_ffi",
    "geqrf": "stablehlo.custom_call @lapack_?geqrf_ffi",
    "geqp3": "stablehlo.custom_call @lapack_?geqp3_ffi",
    "householder_product": "stablehlo.custom_call @lapack_?orgqr_ffi / @lapack_?ungqr_ffi",
    "qr": "geqrf (or geqp3) + pad + householder_product + select (composite)",
    "eigh": "stablehlo.custom_call @lapack_?syevd_ffi / @lapack_?heevd_ffi",
    "svd": "stablehlo.custom_call @lapack_?gesdd_ffi (or ?gesvd)",
    "eig": "stablehlo.custom_call @lapack_?geev_ffi (+ stablehlo.complex for real input)",
    "schur": "stablehlo.custom_call @lapack_?gees_ffi",
    "tridiagonal_solve": "stablehlo.custom_call @lapack_?gtsv_ffi",
}

_INT = np.dtype(np.int32)  # LAPACK's integer: pivots, info


# --- emitting LAPACK calls ---------------------------------------------------------------

def _layout(aval: ShapedArray, num_batch: int) -> tuple[int, ...]:
    """Matrices column-major, as LAPACK reads them; vectors and info row-major; batch
    axes outermost."""
    nd = aval.ndim
    if nd == num_batch + 2:
        return (nd - 2, nd - 1, *range(nd - 3, -1, -1))
    return tuple(range(nd - 1, -1, -1))


def _lapack(routine: str, ctx, operands, out_avals, num_batch: int, attributes=None,
            aliases=None) -> list[ir.Value]:
    """One LAPACK custom call on `operands` (of ctx.avals_in) giving `out_avals`."""
    ensure_lapack()
    return ffi_call(lapack_target(routine, ctx.avals_in[0].dtype),
                    [lowering.ir_type(a) for a in out_avals], operands,
                    operand_layouts=[_layout(a, num_batch) for a in ctx.avals_in],
                    result_layouts=[_layout(a, num_batch) for a in out_avals],
                    attributes=attributes or {}, aliases=aliases or {})


def _is_empty(*avals) -> bool:
    # LAPACK kernels crash (SIGFPE) on matrices with a zero dimension: never call them.
    return any(a.size == 0 for a in avals)


def _zeros(ctx) -> list[ir.Value]:
    return [lowering.full_like_aval(0, a) for a in ctx.avals_out]


def _identity(aval: ShapedArray) -> ir.Value:
    """Identity matrices of `aval` (from iotas: no constant of the matrices' size)."""
    i64 = ir.IntegerType.get_signless(64)
    index_type = lowering.ir_type(aval.update(dtype=_INT))
    rows, cols = (hlo.IotaOp(index_type, ir.IntegerAttr.get(i64, aval.ndim - k)).result
                  for k in (2, 1))
    diagonal = hlo.CompareOp(rows, cols, hlo.ComparisonDirectionAttr.get("EQ"),
                             compare_type=hlo.ComparisonTypeAttr.get("SIGNED")).result
    return hlo.SelectOp(diagonal, lowering.full_like_aval(1, aval),
                        lowering.full_like_aval(0, aval)).result


def _lower_composite(fun):
    """A lowering rule emitting the ops of `fun(*operands, **params)`, a composition of
    primitives (traced at the operands' avals)."""
    def lower(ctx, *operands, **params):
        jaxpr, consts = trace_to_closed_jaxpr(lambda *xs: list(fun(*xs, **params)),
                                              ctx.avals_in)
        const_values = [lowering.ir_constant(np.asarray(c)) for c in consts]
        return lowering.lower_jaxpr_body(jaxpr, [*const_values, *operands])
    return lower


def _batch_at_front(prim) -> None:
    """Batching for primitives that take batch axes leading: move them there."""
    def rule(axis_size, vals, dims, **params):
        outs = prim.bind(*[bdim_at_front(v, d, axis_size) for v, d in zip(vals, dims)],
                         **params)
        return outs, ([0] * len(outs) if prim.multiple_results else 0)
    batching_rules[prim] = rule


def _zero_tangents(outs):
    return [Zero.like(o) for o in outs]


# --- validation --------------------------------------------------------------------------

def _check_matrix(name: str, x: ShapedArray) -> None:
    check_dtype(name, LINALG_DTYPES, x)
    if x.ndim < 2:
        raise ValueError(f"{name} requires a batch of matrices, shape [..., m, n], "
                         f"got shape {x.shape}")


def _check_square_matrix(name: str, x: ShapedArray) -> None:
    check_dtype(name, LINALG_DTYPES, x)
    _check_square(name, x)


def _int_aval(shape) -> ShapedArray:
    return ShapedArray(shape, _INT)


# --- matrix helpers (batch axes leading) -------------------------------------------------

def _shape(x):
    return get_aval(x).shape


def _adjoint(x):
    return _op(x, True, True)


def _eye_mask(shape):
    nd = len(shape)
    return ew.eq(broadcasted_iota(_INT, shape, nd - 2), broadcasted_iota(_INT, shape, nd - 1))


def _diagonal(x):
    """The diagonals of a batch of square matrices, shape [..., n]."""
    nd = get_aval(x).ndim
    return reduce_sum(ew.select(_eye_mask(_shape(x)), x, full_like(x, 0)), (nd - 1,))


def _spread(v, shape, axis: int):
    """v[..., k] broadcast over a batch of matrices of `shape`, along `axis` (-1: v[j]
    for column j; -2: v[i] for row i)."""
    nd = len(shape)
    return broadcast_in_dim(v, shape, (*range(nd - 2), nd + axis))


def _as_dtype(x, dtype):
    return convert_element_type(x, dtype)


def _scale_columns(x, s):
    """x with column j multiplied by s[..., j]."""
    return ew.mul(x, _as_dtype(_spread(s, _shape(x), -1), get_aval(x).dtype))


def _diagonal_matrix(v):
    shape = (*_shape(v), _shape(v)[-1])
    v = _spread(v, shape, -1)
    return ew.select(_eye_mask(shape), v, full_like(v, 0))


def _real_part(x):
    return ew.real(x) if dtypes.is_complex(get_aval(x).dtype) else x


def _resize(x, rows: int, cols: int):
    """x cut or zero-padded to [..., rows, cols]."""
    *batch, m, n = _shape(x)
    return pad(x, 0, [(0, 0, 0)] * len(batch) + [(0, rows - m, 0), (0, cols - n, 0)])


def _inverse_gaps(w, dtype):
    """F[..., i, j] = 1 / (w[j] - w[i]) off the diagonal, 0 on it."""
    shape = (*_shape(w), _shape(w)[-1])
    gaps = ew.sub(_spread(w, shape, -1), _spread(w, shape, -2))
    eye = _eye_mask(shape)
    inverse = ew.div(full_like(gaps, 1), ew.select(eye, full_like(gaps, 1), gaps))
    return _as_dtype(ew.select(eye, full_like(gaps, 0), inverse), dtype)


def _permutation_matrix(perm, dtype):
    """P with P[..., i, j] = (perm[..., i] == j): P @ x takes rows perm of x."""
    n = _shape(perm)[-1]
    shape = (*_shape(perm), n)
    onehot = ew.eq(_spread(perm, shape, -2), broadcasted_iota(_INT, shape, len(shape) - 1))
    return _as_dtype(onehot, dtype)


def _permute_rows(x, perm):
    return _matmul(_permutation_matrix(perm, get_aval(x).dtype), x)


def _permute_columns(x, perm):
    return _matmul(x, _swap_last(_permutation_matrix(perm, get_aval(x).dtype)))


def _nan_where_failed(outs):
    """The results `outs[:-1]` of a LAPACK primitive, with NaNs in every matrix (or
    vector) of the batch whose info (`outs[-1]`) is not 0."""
    *results, info = outs
    ok = ew.eq(info, full_like(info, 0))
    batch_dims = tuple(range(get_aval(info).ndim))
    return [ew.select(broadcast_in_dim(ok, _shape(x), batch_dims), x, full_like(x, np.nan))
            for x in results]


def _zero_based(pivots):
    """LAPACK's pivots count from 1."""
    return ew.sub(pivots, full_like(pivots, 1))


def _solve(a, b):
    """a^-1 b for square a, through its LU factorisation (linear in b)."""
    lu_, pivots, _ = lu_p.bind(a)
    perm = lu_pivots_to_permutation(_zero_based(pivots), _shape(a)[-1])
    y = triangular_solve(lu_, _permute_rows(b, perm), left_side=True, lower=True,
                         unit_diagonal=True)
    return triangular_solve(lu_, y, left_side=True, lower=False)


# --- lu_pivots_to_permutation ---------------------------------------------------------------

def lu_pivots_to_permutation(pivots, permutation_size: int):
    """The permutation of range(permutation_size) made by swapping row i with row
    pivots[..., i] for i = 0, 1, ... in turn (0-based LAPACK-style pivots; int32 out).

    Note: StableHLO has no op for this sequential swap; it is a loop (stablehlo.while)
    of elementwise selects, so no primitive of its own is needed."""
    pivots = as_operand(pivots)
    aval = get_aval(pivots)
    check_dtype("lu_pivots_to_permutation", INT, aval)
    if aval.ndim < 1:
        raise TypeError(f"lu_pivots_to_permutation requires pivots of rank >= 1, got "
                        f"shape {aval.shape}")
    k, n = aval.shape[-1], int(permutation_size)
    if n < k:
        raise ValueError(f"lu_pivots_to_permutation: permutation_size ({n}) must be at least "
                         f"the number of pivots ({k})")
    pivots = convert_element_type(pivots, _INT)
    nd = aval.ndim - 1
    shape = (*aval.shape[:-1], n)
    positions = broadcasted_iota(_INT, shape, nd)
    pivot_positions = broadcasted_iota(_INT, aval.shape, nd)

    def entry(values, at):  # values[..., p] where `at` marks p (one per batch element)
        return reduce_sum(ew.select(at, values, full_like(values, 0)), (nd,))

    def spread(v):
        return broadcast_in_dim(v, shape, tuple(range(nd)))

    def swap(i, perm):
        i = convert_element_type(i, _INT)
        j = entry(pivots, ew.eq(pivot_positions, broadcast_in_dim(i, aval.shape, ())))
        at_i = ew.eq(positions, broadcast_in_dim(i, shape, ()))
        at_j = ew.eq(positions, spread(j))
        p_i, p_j = spread(entry(perm, at_i)), spread(entry(perm, at_j))
        return ew.select(at_i, p_j, ew.select(at_j, p_i, perm))

    return fori_loop(0, k, swap, positions)


# --- lu (getrf) ------------------------------------------------------------------------------

def _lu_abstract_eval(x):
    _check_matrix("lu", x)
    *batch, m, n = x.shape
    return [x.strip_weak_type(), _int_aval((*batch, min(m, n))), _int_aval(batch)]


def _lu_lower(ctx, x):
    (aval,) = ctx.avals_in
    if _is_empty(aval):
        return _zeros(ctx)
    return _lapack("getrf", ctx, [x], ctx.avals_out, aval.ndim - 2, aliases={0: 0})


def _unit_lower(lu_, size: int):
    """The unit lower-triangular factor, completed to [..., size, size] by the identity."""
    lower = _triangle(_resize(lu_, size, size), True, -1)
    return ew.add(lower, _as_dtype(_eye_mask(_shape(lower)), get_aval(lu_).dtype))


def _upper(lu_, size: int):
    """The upper-triangular factor, completed to [..., size, size] by the identity."""
    m = _shape(lu_)[-2]
    upper = _triangle(_resize(lu_, size, size), False)
    shape = _shape(upper)
    rows = broadcasted_iota(_INT, shape, len(shape) - 2)
    extra = ew.bitwise_and(_eye_mask(shape), ew.ge(rows, full_like(rows, m)))
    return ew.add(upper, _as_dtype(extra, get_aval(lu_).dtype))


def _lu_jvp(primals, tangents):
    (a,), (a_dot,) = primals, tangents
    outs = lu_p.bind(a)
    if type(a_dot) is Zero:
        return outs, _zero_tangents(outs)
    lu_, pivots, _ = outs
    m, n = _shape(a)[-2:]
    perm = lu_pivots_to_permutation(_zero_based(pivots), m)
    # P A = L U with L, U completed to square (m x m, n x n) triangles: with
    # X = L^-1 P dA U^-1, dL = L tril(X, -1) and dU = triu(X) U.
    lower, upper = _unit_lower(lu_, m), _upper(lu_, n)
    x = triangular_solve(lower, _permute_rows(a_dot, perm), left_side=True, lower=True,
                         unit_diagonal=True)
    x = triangular_solve(upper, x, left_side=False, lower=False)
    lu_dot = ew.add(_matmul(lower, _triangle(x, True, -1)), _matmul(_triangle(x, False), upper))
    return outs, [lu_dot, Zero.like(pivots), Zero.like(outs[2])]


lu_p = standard_primitive("lu", _lu_abstract_eval, _lu_lower, multiple_results=True)
jvp_rules[lu_p] = _lu_jvp
_batch_at_front(lu_p)


def lu(x):
    """LU decomposition with partial pivoting (LAPACK getrf) of each matrix [..., m, n]:
    returns (lu, pivots, permutation) with x[..., permutation, :] = L @ U, L unit lower
    (below the diagonal of lu) and U upper (on and above it); pivots (int32, 0-based):
    row i was swapped with row pivots[i].

    A singular matrix is not an error: U then has a zero on its diagonal (LAPACK's
    info > 0; the primitive lu_p returns info as its third output).
    """
    x = as_operand(x)
    lu_, pivots, _ = lu_p.bind(x)
    pivots = _zero_based(pivots)
    return lu_, pivots, lu_pivots_to_permutation(pivots, _shape(x)[-2])


# --- geqrf, geqp3, householder_product --------------------------------------------------------

def _geqrf_abstract_eval(x):
    _check_matrix("geqrf", x)
    *batch, m, n = x.shape
    return [x.strip_weak_type(), ShapedArray((*batch, min(m, n)), x.dtype)]


def _geqrf_lower(ctx, x):
    (aval,) = ctx.avals_in
    if _is_empty(aval):
        return _zeros(ctx)
    return _lapack("geqrf", ctx, [x], ctx.avals_out, aval.ndim - 2, aliases={0: 0})


geqrf_p = standard_primitive("geqrf", _geqrf_abstract_eval, _geqrf_lower, multiple_results=True)
_batch_at_front(geqrf_p)


def geqrf(x):
    """QR factorisation in LAPACK's compact form (LAPACK geqrf): (a, taus), R on and above
    the diagonal of a, the Householder reflectors below it with their scales in taus."""
    return tuple(geqrf_p.bind(as_operand(x)))


def _geqp3_abstract_eval(x, jpvt):
    _check_matrix("geqp3", x)
    check_dtype("geqp3", INT, jpvt, "jpvt")
    *batch, m, n = x.shape
    if jpvt.shape != (*batch, n):
        raise TypeError(f"geqp3 requires jpvt of shape {(*batch, n)}, got {jpvt.shape}")
    return [x.strip_weak_type(), _int_aval(jpvt.shape), ShapedArray((*batch, min(m, n)), x.dtype)]


def _geqp3_lower(ctx, x, jpvt):
    aval, jpvt_aval = ctx.avals_in
    if _is_empty(aval):  # columns stay in order (1-based, as LAPACK's)
        order = hlo.IotaOp(lowering.ir_type(jpvt_aval),
                           ir.IntegerAttr.get(ir.IntegerType.get_signless(64), jpvt_aval.ndim - 1))
        order = hlo.AddOp(order.result, lowering.full_like_aval(1, jpvt_aval)).result
        return [*_zeros(ctx)[:1], order, *_zeros(ctx)[2:]]
    return _lapack("geqp3", ctx, [x, jpvt], ctx.avals_out, aval.ndim - 2, aliases={0: 0, 1: 1})


geqp3_p = standard_primitive("geqp3", _geqp3_abstract_eval, _geqp3_lower, multiple_results=True)
_batch_at_front(geqp3_p)


def geqp3(a, jpvt, *, use_magma=None):
    """QR factorisation with column pivoting (LAPACK geqp3): (a, jpvt, taus) as geqrf,
    jpvt (int32, 1-based as in LAPACK) the columns' order; jpvt[j] != 0 on input keeps
    column j in front."""
    del use_magma  # a GPU option
    a = as_operand(a)
    return tuple(geqp3_p.bind(a, convert_element_type(as_operand(jpvt), _INT)))


def _householder_product_abstract_eval(a, taus):
    _check_matrix("householder_product", a)
    check_same_dtypes("householder_product", [a, taus])
    *batch, m, n = a.shape
    if taus.ndim != a.ndim - 1 or taus.shape[:-1] != tuple(batch):
        raise TypeError(f"householder_product requires a and taus with the same batch "
                        f"dimensions, got shapes {a.shape} and {taus.shape}")
    if m < n or taus.shape[-1] > n:
        raise ValueError(f"householder_product requires a [..., m, n] with m >= n and at "
                         f"most n taus, got shapes {a.shape} and {taus.shape}")
    return a.strip_weak_type()


def _householder_product_lower(ctx, a, taus):
    aval = ctx.avals_in[0]
    if _is_empty(aval):
        return lowering.full_like_aval(0, aval)
    routine = "ungqr" if dtypes.is_complex(aval.dtype) else "orgqr"
    return _lapack(routine, ctx, [a, taus], ctx.avals_out, aval.ndim - 2, aliases={0: 0})[0]


householder_product_p = standard_primitive("householder_product",
                                           _householder_product_abstract_eval,
                                           _householder_product_lower)
_batch_at_front(householder_product_p)


def householder_product(a, taus):
    """The product of the Householder reflectors of geqrf's (a, taus): the first n columns
    of Q (LAPACK orgqr / ungqr); a is [..., m, n] with m >= n."""
    return householder_product_p.bind(as_operand(a), as_operand(taus))


# --- qr ------------------------------------------------------------------------------------

def _qr_shapes(x: ShapedArray, full_matrices: bool):
    *batch, m, n = x.shape
    k = m if full_matrices else min(m, n)
    return (*batch, m, k), (*batch, k, n)


def _qr_abstract_eval(x, *, pivoting, full_matrices):
    _check_matrix("qr", x)
    q_shape, r_shape = _qr_shapes(x, full_matrices)
    outs = [ShapedArray(q_shape, x.dtype), ShapedArray(r_shape, x.dtype)]
    return outs + [_int_aval((*x.shape[:-2], x.shape[-1]))] if pivoting else outs


def _qr_decomposition(x, *, pivoting, full_matrices):
    """qr from LAPACK's pieces: geqrf (geqp3) for R and the reflectors, orgqr for Q."""
    *batch, m, n = _shape(x)
    if pivoting:
        a, jpvt, taus = geqp3_p.bind(x, full_like(x, 0, _INT, (*batch, n)))
    else:
        a, taus = geqrf_p.bind(x)
    k = m if full_matrices else min(m, n)
    q = householder_product_p.bind(_resize(a, m, k), taus)
    r = _triangle(_resize(a, k, n), False)
    return [q, r, _zero_based(jpvt)] if pivoting else [q, r]


def _qr_jvp(primals, tangents, *, pivoting, full_matrices):
    (x,), (x_dot,) = primals, tangents
    outs = qr_p.bind(x, pivoting=pivoting, full_matrices=full_matrices)
    if type(x_dot) is Zero:
        return outs, _zero_tangents(outs)
    q, r = outs[:2]
    m, n = _shape(x)[-2:]
    k = min(m, n)
    if full_matrices and m > n:
        raise NotImplementedError("the derivative of qr with full_matrices=True is defined "
                                  "only for m <= n (the extra columns of Q are arbitrary)")
    if pivoting:
        x_dot = _permute_columns(x_dot, outs[2])
    # Q^H dQ = omega is skew-Hermitian, dR R^-1 upper triangular: both come out of
    # C = Q^H dA1 R1^-1 (A1, R1: the first k columns), omega = tril(C,-1) - its adjoint,
    # plus i Im(diag C) (R's diagonal is real).
    x1_dot = slice_in_dim(x_dot, 0, k, axis=-1)
    r1 = slice_in_dim(r, 0, k, axis=-1)
    dx_rinv = triangular_solve(r1, x1_dot, left_side=False, lower=False)
    c = _matmul(_adjoint(q), dx_rinv)
    lower = _triangle(c, True, -1)
    omega = ew.sub(lower, _adjoint(lower))
    if dtypes.is_complex(get_aval(x).dtype):
        imaginary = ew.sub(c, _as_dtype(ew.real(c), get_aval(c).dtype))
        omega = ew.add(omega, ew.select(_eye_mask(_shape(c)), imaginary, full_like(c, 0)))
    q_dot = ew.add(_matmul(q, ew.sub(omega, c)), dx_rinv)
    r_dot = ew.sub(_matmul(_adjoint(q), x_dot), _matmul(omega, r))
    return outs, [q_dot, r_dot, *_zero_tangents(outs[2:])]


# Note: a composite lowering (geqrf or geqp3, a pad, householder_product, a triangle
# select), as jax's qr: no single LAPACK routine gives Q and R, and the derivative rule
# needs them as one primitive.
qr_p = standard_primitive("qr", _qr_abstract_eval, _lower_composite(_qr_decomposition),
                          multiple_results=True)
jvp_rules[qr_p] = _qr_jvp
_batch_at_front(qr_p)


def qr(x, *, pivoting: bool = False, full_matrices: bool = True, use_magma=None):
    """QR decomposition x = Q R of each matrix [..., m, n] (LAPACK geqrf + orgqr/ungqr):
    (q, r), q [..., m, m] and r [..., m, n] if `full_matrices`, else [..., m, k] and
    [..., k, n] with k = min(m, n). R's diagonal is real but of any sign (as LAPACK's and
    NumPy's). With `pivoting` (LAPACK geqp3), (q, r, p): x[..., :, p] = Q R, p int32."""
    del use_magma  # a GPU option
    outs = qr_p.bind(as_operand(x), pivoting=bool(pivoting), full_matrices=bool(full_matrices))
    return tuple(outs)


# --- eigh (syevd / heevd) ---------------------------------------------------------------------

def _eigh_abstract_eval(x, *, lower):
    _check_square_matrix("eigh", x)
    *batch, n, _ = x.shape
    return [x.strip_weak_type(), ShapedArray((*batch, n), dtypes.real_dtype(x.dtype)),
            _int_aval(batch)]


def _eigh_lower(ctx, x, *, lower):
    (aval,) = ctx.avals_in
    if _is_empty(aval):
        return _zeros(ctx)
    routine = "heevd" if dtypes.is_complex(aval.dtype) else "syevd"
    return _lapack(routine, ctx, [x], ctx.avals_out, aval.ndim - 2,
                   attributes={"mode": "V", "uplo": "L" if lower else "U"}, aliases={0: 0})


def _hermitian_from_triangle(x, lower: bool):
    """The Hermitian matrix whose `lower` (else upper) triangle is that of x."""
    strict = _triangle(x, lower, -1 if lower else 1)
    return ew.add(_triangle(x, lower), _adjoint(strict))


def _eigh_jvp(primals, tangents, *, lower):
    (a,), (a_dot,) = primals, tangents
    outs = eigh_p.bind(a, lower=lower)
    if type(a_dot) is Zero:
        return outs, _zero_tangents(outs)
    v, w, info = outs
    dtype = get_aval(a).dtype
    # The primitive reads one triangle of a, as the Hermitian matrix it stands for.
    a_dot = _hermitian_from_triangle(a_dot, lower)
    # With a = V diag(w) V^H: dw = diag(V^H da V), dV = V (F o V^H da V), F the inverse
    # eigenvalue gaps (the gauge where V^H dV has a zero diagonal).
    vh_dot_v = _matmul(_adjoint(v), _matmul(a_dot, v))
    w_dot = _real_part(_diagonal(vh_dot_v))
    v_dot = _matmul(v, ew.mul(_inverse_gaps(w, dtype), vh_dot_v))
    return outs, [v_dot, w_dot, Zero.like(info)]


eigh_p = standard_primitive("eigh", _eigh_abstract_eval, _eigh_lower, multiple_results=True)
jvp_rules[eigh_p] = _eigh_jvp
_batch_at_front(eigh_p)


class EighImplementation(enum.Enum):
    """Which eigh algorithm to use (as jax.lax.linalg.EighImplementation); on the CPU only
    QR (LAPACK's divide and conquer) exists."""
    QR = "qr"
    JACOBI = "jacobi"
    QDWH = "qdwh"


def _check_subset(subset_by_index, size: int):
    if subset_by_index is None:
        return 0, size
    start, end = (int(i) for i in subset_by_index)
    if not 0 <= start < end <= size:
        raise ValueError(f"subset_by_index must be a pair 0 <= start < end <= {size}, got "
                         f"{tuple(subset_by_index)}")
    return start, end


def eigh(x, *, lower: bool = True, symmetrize_input: bool = True,
         sort_eigenvalues: bool = True, subset_by_index=None, implementation=None):
    """Eigendecomposition of each Hermitian (real symmetric) matrix [..., n, n] (LAPACK
    syevd / heevd): (v, w), eigenvalues w ascending (real dtype) and unit eigenvectors in
    the columns of v. With `symmetrize_input` x becomes (x + x^H) / 2 first; otherwise
    only its `lower` (else upper) triangle is read. `subset_by_index` (start, end) keeps
    eigenpairs start..end-1. Failure to converge gives NaNs (np.linalg raises
    LinAlgError); the primitive eigh_p returns LAPACK's info as its third output."""
    del sort_eigenvalues  # LAPACK returns them ascending anyway
    if implementation not in (None, EighImplementation.QR):
        raise NotImplementedError(f"eigh implementation {implementation} is not available on "
                                  f"the CPU; use None or EighImplementation.QR")
    x = as_operand(x)
    _check_square_matrix("eigh", get_aval(x))
    if symmetrize_input:
        x = ew.mul(ew.add(x, _adjoint(x)), 0.5)
    v, w = _nan_where_failed(eigh_p.bind(x, lower=bool(lower)))
    start, end = _check_subset(subset_by_index, _shape(w)[-1])
    if (start, end) != (0, _shape(w)[-1]):
        v, w = slice_in_dim(v, start, end, axis=-1), slice_in_dim(w, start, end, axis=-1)
    return v, w


# --- svd (gesdd / gesvd) ----------------------------------------------------------------------

class SvdAlgorithm(enum.Enum):
    """Which SVD algorithm to use (as jax.lax.linalg.SvdAlgorithm): on the CPU, DEFAULT
    and DIVIDE_AND_CONQUER are LAPACK gesdd, QR is LAPACK gesvd."""
    DEFAULT = "default"
    QR = "QR"
    JACOBI = "Jacobi"
    POLAR = "polar"
    DIVIDE_AND_CONQUER = "divide_and_conquer"


_SVD_ROUTINES = {SvdAlgorithm.DEFAULT: "gesdd", SvdAlgorithm.DIVIDE_AND_CONQUER: "gesdd",
                 SvdAlgorithm.QR: "gesvd"}


def _svd_shapes(x: ShapedArray, full_matrices: bool):
    *batch, m, n = x.shape
    k = min(m, n)
    u_cols, vt_rows = (m, n) if full_matrices else (k, k)
    return (*batch, k), (*batch, m, u_cols), (*batch, vt_rows, n)


def _svd_abstract_eval(x, *, full_matrices, compute_uv, algorithm):
    _check_matrix("svd", x)
    s_shape, u_shape, vt_shape = _svd_shapes(x, full_matrices)
    s = ShapedArray(s_shape, dtypes.real_dtype(x.dtype))
    info = _int_aval(x.shape[:-2])
    if not compute_uv:
        return [s, info]
    return [s, ShapedArray(u_shape, x.dtype), ShapedArray(vt_shape, x.dtype), info]


def _svd_lower(ctx, x, *, full_matrices, compute_uv, algorithm):
    (aval,) = ctx.avals_in
    batch = aval.shape[:-2]
    if _is_empty(aval):
        outs = _zeros(ctx)
        if compute_uv and full_matrices:  # a zero-size matrix's full U, V are identities
            outs[1:3] = [_identity(a) for a in ctx.avals_out[1:3]]
        return outs
    s_aval, *_, info_aval = ctx.avals_out
    if compute_uv:
        u_aval, vt_aval = ctx.avals_out[1:3]
    else:  # LAPACK still wants (unread) U and V^T buffers
        u_aval = vt_aval = ShapedArray((*batch, 1, 1), aval.dtype)
    mode = "N" if not compute_uv else "A" if full_matrices else "S"
    _, s, u, vt, info = _lapack(_SVD_ROUTINES[algorithm], ctx, [x],
                                [aval, s_aval, u_aval, vt_aval, info_aval], len(batch),
                                attributes={"mode": mode}, aliases={0: 0})
    return [s, u, vt, info] if compute_uv else [s, info]


def _svd_jvp(primals, tangents, *, full_matrices, compute_uv, algorithm):
    (a,), (a_dot,) = primals, tangents
    outs = svd_p.bind(a, full_matrices=full_matrices, compute_uv=compute_uv, algorithm=algorithm)
    if type(a_dot) is Zero:
        return outs, _zero_tangents(outs)
    m, n = _shape(a)[-2:]
    if compute_uv and full_matrices and m != n:
        raise NotImplementedError("the derivative of svd with full_matrices=True is defined "
                                  "only for square matrices (the extra singular vectors are "
                                  "arbitrary)")
    if compute_uv:
        s, u, vt = outs[:3]
    else:
        s, u, vt, _ = svd_p.bind(a, full_matrices=False, compute_uv=True, algorithm=algorithm)
    s_dot, u_dot, vt_dot = _svd_tangents(a_dot, s, u, vt)
    info_dot = Zero.like(outs[-1])
    return outs, ([s_dot, u_dot, vt_dot, info_dot] if compute_uv else [s_dot, info_dot])


def _svd_tangents(a_dot, s, u, vt):
    """Tangents of the thin SVD a = U diag(s) V^H (distinct, nonzero singular values)."""
    dtype = get_aval(a_dot).dtype
    v = _adjoint(vt)
    m, n = _shape(a_dot)[-2:]
    inverse_s = ew.div(full_like(s, 1), s)
    p = _matmul(_adjoint(u), _matmul(a_dot, v))  # U^H dA V, k x k
    s_dot = _real_part(_diagonal(p))
    # Off the diagonal, U^H dU = F o (P S + S P^H) and V^H dV = F o (S P + P^H S), with
    # S = diag(s) and F the inverse gaps of s^2.
    gaps = _inverse_gaps(ew.mul(s, s), dtype)
    ps = _scale_columns(p, s)
    sp = _adjoint(_scale_columns(_adjoint(p), s))
    u_inner = ew.mul(gaps, ew.add(ps, _adjoint(ps)))
    v_inner = ew.mul(gaps, ew.add(sp, _adjoint(sp)))
    if dtypes.is_complex(dtype):
        # The phase of each singular pair (LAPACK's choice) moves with U: i Im(P_ii) / s_i.
        phase = ew.sub(_diagonal(p), _as_dtype(s_dot, dtype))
        u_inner = ew.add(u_inner, _diagonal_matrix(ew.mul(phase, _as_dtype(inverse_s, dtype))))
    u_dot, v_dot = _matmul(u, u_inner), _matmul(v, v_inner)
    if m > n:  # the part of dA V outside the span of U
        outside = ew.sub(_matmul(a_dot, v), _matmul(u, p))
        u_dot = ew.add(u_dot, _scale_columns(outside, inverse_s))
    if n > m:
        outside = ew.sub(_matmul(_adjoint(a_dot), u), _matmul(v, _adjoint(p)))
        v_dot = ew.add(v_dot, _scale_columns(outside, inverse_s))
    return s_dot, u_dot, _adjoint(v_dot)


svd_p = standard_primitive("svd", _svd_abstract_eval, _svd_lower, multiple_results=True)
jvp_rules[svd_p] = _svd_jvp
_batch_at_front(svd_p)


def svd(x, *, full_matrices: bool = True, compute_uv: bool = True, subset_by_index=None,
        algorithm=None):
    """Singular value decomposition x = U diag(s) V^H of each matrix [..., m, n] (LAPACK
    gesdd; gesvd with algorithm=SvdAlgorithm.QR): (u, s, vh), or s alone without
    `compute_uv`; s descending (real dtype). Failure to converge gives NaNs (np.linalg
    raises LinAlgError); the primitive svd_p returns LAPACK's info as its last output."""
    algorithm = SvdAlgorithm.DEFAULT if algorithm is None else SvdAlgorithm(algorithm)
    if algorithm not in _SVD_ROUTINES:
        raise NotImplementedError(f"svd algorithm {algorithm} is not available on the CPU")
    x = as_operand(x)
    _check_matrix("svd", get_aval(x))
    if _check_subset(subset_by_index, min(_shape(x)[-2:])) != (0, min(_shape(x)[-2:])):
        raise NotImplementedError("svd subset_by_index is implemented on TPU only in jax; "
                                  "slice the full result instead")
    outs = svd_p.bind(x, full_matrices=bool(full_matrices), compute_uv=bool(compute_uv),
                      algorithm=algorithm)
    s, *uv = _nan_where_failed(outs)
    return (uv[0], s, uv[1]) if compute_uv else s


# --- eig (geev) --------------------------------------------------------------------------

def _eig_abstract_eval(x, *, compute_left_eigenvectors, compute_right_eigenvectors,
                       enable_eigvec_derivs):
    _check_square_matrix("eig", x)
    cdtype = dtypes.complex_dtype(x.dtype)
    *batch, n, _ = x.shape
    vectors = [ShapedArray(x.shape, cdtype)] * (compute_left_eigenvectors +
                                                 compute_right_eigenvectors)
    return [ShapedArray((*batch, n), cdtype), *vectors, _int_aval(batch)]


def _eig_lower(ctx, x, *, compute_left_eigenvectors, compute_right_eigenvectors,
               enable_eigvec_derivs):
    (aval,) = ctx.avals_in
    if _is_empty(aval):
        return _zeros(ctx)
    w_aval, info_aval = ctx.avals_out[0], ctx.avals_out[-1]
    vectors = ShapedArray(aval.shape, w_aval.dtype)
    flags = {"compute_left": "V" if compute_left_eigenvectors else "N",
             "compute_right": "V" if compute_right_eigenvectors else "N"}
    if dtypes.is_complex(aval.dtype):
        w, vl, vr, info = _lapack("geev", ctx, [x], [w_aval, vectors, vectors, info_aval],
                                  aval.ndim - 2, attributes=flags)
    else:
        parts = w_aval.update(dtype=aval.dtype)
        wr, wi, vl, vr, info = _lapack("geev", ctx, [x],
                                       [parts, parts, vectors, vectors, info_aval],
                                       aval.ndim - 2, attributes=flags)
        # Note: real geev gives real and imaginary parts apart: one stablehlo.complex more.
        w = hlo.ComplexOp(wr, wi).result
    return [w, *([vl] if compute_left_eigenvectors else []),
            *([vr] if compute_right_eigenvectors else []), info]


def _eig_jvp(primals, tangents, *, compute_left_eigenvectors, compute_right_eigenvectors,
             enable_eigvec_derivs):
    (a,), (a_dot,) = primals, tangents
    params = dict(compute_left_eigenvectors=compute_left_eigenvectors,
                  compute_right_eigenvectors=compute_right_eigenvectors,
                  enable_eigvec_derivs=enable_eigvec_derivs)
    outs = eig_p.bind(a, **params)
    if type(a_dot) is Zero:
        return outs, _zero_tangents(outs)
    if (compute_left_eigenvectors or compute_right_eigenvectors) and not enable_eigvec_derivs:
        raise NotImplementedError(
            "eig derivatives with eigenvectors need enable_eigvec_derivs=True (or "
            "compute_left_eigenvectors=compute_right_eigenvectors=False for eigenvalues)")
    w = outs[0]
    cdtype = get_aval(w).dtype
    a_dot = _as_dtype(a_dot, cdtype)
    # Eigenvectors fetched for the eigenvalues' sake keep their derivatives (higher orders).
    vr = (outs[-2] if compute_right_eigenvectors else
          eig_p.bind(a, compute_left_eigenvectors=False, compute_right_eigenvectors=True,
                     enable_eigvec_derivs=True)[1])
    # A V = V diag(w): with M = V^-1 dA V, dw = diag(M) and dV = V (F o M) + V diag(c),
    # c fixing LAPACK's gauge (unit norm, largest component real).
    m_right = _solve(vr, _matmul(a_dot, vr))
    tangents_out = [_diagonal(m_right)]
    if compute_left_eigenvectors:  # left eigenvectors: the right ones of A^H
        vl = outs[1]
        m_left = _solve(vl, _matmul(_adjoint(a_dot), vl))
        tangents_out.append(_eigenvector_tangent(vl, ew.conj(w), m_left))
    if compute_right_eigenvectors:
        tangents_out.append(_eigenvector_tangent(vr, w, m_right))
    return outs, [*tangents_out, Zero.like(outs[-1])]


def _eigenvector_tangent(v, w, m):
    """dV for eigenvectors V normalised as LAPACK's geev does: unit 2-norm, and the
    component of largest modulus real."""
    dtype = get_aval(v).dtype
    v_dot = _matmul(v, ew.mul(_inverse_gaps(w, dtype), m))
    nd = get_aval(v).ndim
    norm_rate = reduce_sum(ew.real(ew.mul(ew.conj(v), v_dot)), (nd - 2,))
    largest = argmax(ew.real(ew.mul(ew.conj(v), v)), nd - 2, _INT)
    at_largest = ew.eq(broadcasted_iota(_INT, _shape(v), nd - 2), _spread(largest, _shape(v), -1))

    def entry(x):
        return reduce_sum(ew.select(at_largest, x, full_like(x, 0)), (nd - 2,))

    phase_rate = ew.imag(ew.div(entry(v_dot), entry(v)))
    return ew.sub(v_dot, ew.mul(v, _spread(ew.complex(norm_rate, phase_rate), _shape(v), -1)))


eig_p = standard_primitive("eig", _eig_abstract_eval, _eig_lower, multiple_results=True)
jvp_rules[eig_p] = _eig_jvp
_batch_at_front(eig_p)


def eig(x, *, compute_left_eigenvectors: bool = True, compute_right_eigenvectors: bool = True,
        enable_eigvec_derivs: bool = False, implementation=None, use_magma=None):
    """Eigendecomposition of each general square matrix [..., n, n] (LAPACK geev): a list
    [w, vl, vr] (vl and vr only if computed), all complex. A vr[:, j] = w[j] vr[:, j] and
    vl[:, j]^H A = w[j] vl[:, j]^H, each eigenvector of unit norm with its largest
    component real. Derivatives of eigenvectors need `enable_eigvec_derivs`. Failure to
    converge gives NaNs; the primitive eig_p returns LAPACK's info as its last output."""
    del use_magma  # a GPU option
    if implementation is not None:
        raise NotImplementedError("eig: only the default (LAPACK) implementation exists on "
                                  "the CPU")
    outs = eig_p.bind(as_operand(x), compute_left_eigenvectors=bool(compute_left_eigenvectors),
                      compute_right_eigenvectors=bool(compute_right_eigenvectors),
                      enable_eigvec_derivs=bool(enable_eigvec_derivs))
    return _nan_where_failed(outs)


# --- schur (gees) --------------------------------------------------------------------------

def _schur_abstract_eval(x, *, compute_schur_vectors):
    _check_square_matrix("schur", x)
    t = x.strip_weak_type()
    return [t, *([t] if compute_schur_vectors else []), _int_aval(x.shape[:-2])]


def _schur_lower(ctx, x, *, compute_schur_vectors):
    (aval,) = ctx.avals_in
    if _is_empty(aval):
        return _zeros(ctx)
    *batch, n, _ = aval.shape
    info = _int_aval(batch)
    eigenvalues = ([ShapedArray((*batch, n), aval.dtype)] * (1 if dtypes.is_complex(aval.dtype)
                                                              else 2))
    t, vs, *_, info_value = _lapack(
        "gees", ctx, [x], [aval, aval, *eigenvalues, info, info], len(batch),
        attributes={"mode": "V" if compute_schur_vectors else "N", "sort": "N"}, aliases={0: 0})
    return [t, *([vs] if compute_schur_vectors else []), info_value]


schur_p = standard_primitive("schur", _schur_abstract_eval, _schur_lower, multiple_results=True)
_batch_at_front(schur_p)


def schur(x, *, compute_schur_vectors: bool = True, sort_eig_vals: bool = False,
          select_callable=None):
    """Schur decomposition x = Z T Z^H of each square matrix [..., n, n] (LAPACK gees):
    (T, Z) (T alone in a 1-tuple without `compute_schur_vectors`); T upper triangular
    for complex input, quasi-triangular (2x2 blocks for complex pairs) for real input.
    Not differentiable (as in jax). Failure to converge gives NaNs."""
    if sort_eig_vals or select_callable is not None:
        raise NotImplementedError("schur with sorted eigenvalues (a Python select callback "
                                  "inside LAPACK) is not supported")
    outs = schur_p.bind(as_operand(x), compute_schur_vectors=bool(compute_schur_vectors))
    return tuple(_nan_where_failed(outs))


# --- tridiagonal_solve (gtsv) -------------------------------------------------------------------

def _tridiagonal_solve_abstract_eval(dl, d, du, b):
    check_dtype("tridiagonal_solve", LINALG_DTYPES, b)
    check_same_dtypes("tridiagonal_solve", [dl, d, du, b])
    if b.ndim < 2:
        raise TypeError(f"tridiagonal_solve requires b of rank >= 2, got shape {b.shape}")
    if not dl.shape == d.shape == du.shape == b.shape[:-1]:
        raise TypeError(f"tridiagonal_solve requires dl, d, du of shape b.shape[:-1] = "
                        f"{b.shape[:-1]}, got {dl.shape}, {d.shape}, {du.shape}")
    return [b.strip_weak_type(), _int_aval(b.shape[:-2])]


def _tridiagonal_solve_lower(ctx, dl, d, du, b):
    b_aval, info_aval = ctx.avals_out
    if _is_empty(b_aval):
        return _zeros(ctx)
    outs = _lapack("gtsv", ctx, [dl, d, du, b], [*ctx.avals_in, info_aval], b_aval.ndim - 2,
                   aliases={0: 0, 1: 1, 2: 2, 3: 3})
    return outs[3:]


def _tridiagonal_product(dl, d, du, x):
    """T x for the tridiagonal T of (dl, d, du): T[i, i-1] = dl[i], T[i, i+1] = du[i]."""
    nd = get_aval(x).ndim
    no_pad = [(0, 0, 0)] * (nd - 2)
    from_above = pad(x, 0, [*no_pad, (1, -1, 0), (0, 0, 0)])  # row i holds x[i - 1]
    from_below = pad(x, 0, [*no_pad, (-1, 1, 0), (0, 0, 0)])  # row i holds x[i + 1]

    def rows(v):  # v[..., i] along row i of x
        return broadcast_in_dim(v, _shape(x), tuple(range(nd - 1)))

    return ew.add(ew.add(ew.mul(rows(d), x), ew.mul(rows(dl), from_above)),
                  ew.mul(rows(du), from_below))


def _tridiagonal_solve_jvp(primals, tangents):
    dl, d, du, b = primals
    outs = tridiagonal_solve_p.bind(*primals)
    if all(type(t) is Zero for t in tangents):
        return outs, _zero_tangents(outs)
    x = outs[0]
    # T x = b gives T dx = db - dT x.
    rhs = instantiate(tangents[3])
    if any(type(t) is not Zero for t in tangents[:3]):
        rhs = ew.sub(rhs, _tridiagonal_product(*map(instantiate, tangents[:3]), x))
    return outs, [tridiagonal_solve_p.bind(dl, d, du, rhs)[0], Zero.like(outs[1])]


def _tridiagonal_solve_transpose(cts, dl, d, du, b):
    if any(is_undefined(v) for v in (dl, d, du)):
        raise ValueError("tridiagonal_solve is linear only in b; it cannot be transposed "
                         "with respect to the diagonals")
    ct = cts[0]
    if type(ct) is Zero:
        return [None, None, None, None]
    # T^T has lower diagonal du shifted down one place and upper diagonal dl shifted up.
    nd = get_aval(d).ndim
    no_pad = [(0, 0, 0)] * (nd - 1)
    dl_t = pad(du, 0, [*no_pad, (1, -1, 0)])
    du_t = pad(dl, 0, [*no_pad, (-1, 1, 0)])
    return [None, None, None, tridiagonal_solve_p.bind(dl_t, d, du_t, ct)[0]]


tridiagonal_solve_p = standard_primitive("tridiagonal_solve", _tridiagonal_solve_abstract_eval,
                                         _tridiagonal_solve_lower, multiple_results=True)
jvp_rules[tridiagonal_solve_p] = _tridiagonal_solve_jvp
transpose_rules[tridiagonal_solve_p] = _tridiagonal_solve_transpose
_batch_at_front(tridiagonal_solve_p)


def tridiagonal_solve(dl, d, du, b):
    """Solve T x = b (LAPACK gtsv, partial pivoting) for the tridiagonal T with
    T[i, i-1] = dl[i], T[i, i] = d[i], T[i, i+1] = du[i] (dl[0] and du[-1] unused):
    dl, d, du [..., m], b [..., m, n]. A singular system gives NaNs."""
    (x,) = _nan_where_failed(tridiagonal_solve_p.bind(*map(as_operand, (dl, d, du, b))))
    return x
