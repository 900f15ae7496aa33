"""Linear-algebra primitives: cholesky (stablehlo.cholesky) and triangular_solve
(stablehlo.triangular_solve), on batches of matrices (batch axes leading), as
jax.lax.linalg. The decompositions computed by LAPACK (lu, qr, eigh, svd, eig, schur,
tridiagonal_solve, ...) live in linalg_lapack and are re-exported at the end.
"""
from __future__ import annotations

import numpy as np

from npaccel._runtime import chlo, hlo, ir
from npaccel.core import dtypes
from npaccel.core.aval import ShapedArray
from npaccel.core.trace import get_aval
from npaccel.lax import elementwise as ew
from npaccel.lax._standard import (DtypeClass, as_operand, check_dtype, check_same_dtypes,
                                   standard_primitive)
from npaccel.lax.shape import broadcasted_iota, full, full_like, transpose
from npaccel.transforms import lowering
from npaccel.transforms.ad import Zero, instantiate, is_undefined, jvp_rules, transpose_rules
from npaccel.transforms.batching import batching_rules, bdim_at_front

HLO_OPS = {"cholesky": "stablehlo.cholesky", "triangular_solve": "stablehlo.triangular_solve"}

LINALG_DTYPES = DtypeClass("float32, float64, complex64 or complex128",
                           lambda d: d in (np.float32, np.float64, np.complex64, np.complex128))


# --- matrix helpers (batch axes leading, matrices in the last two axes) -------------------

def _matmul(x, y):
    """x @ y for each matrix of the batch (stablehlo.dot_general)."""
    from npaccel.lax.contraction import dot_general
    nd = get_aval(x).ndim
    batch = tuple(range(nd - 2))
    return dot_general(x, y, (((nd - 1,), (nd - 2,)), (batch, batch)))


def _swap_last(x):
    nd = get_aval(x).ndim
    return transpose(x, (*range(nd - 2), nd - 1, nd - 2))


def _op(x, transpose_x: bool, conjugate_x: bool):
    """op(x): x, transposed and/or conjugated."""
    if transpose_x:
        x = _swap_last(x)
    return ew.conj(x) if conjugate_x and dtypes.is_complex(get_aval(x).dtype) else x


def _in_triangle(shape, lower: bool, k: int = 0):
    """True on and below (lower) or above the k-th diagonal of each matrix. Built from
    iotas, so derivatives of jitted code carry no array constants."""
    nd = len(shape)
    rows = broadcasted_iota(np.int32, shape, nd - 2)
    cols = broadcasted_iota(np.int32, shape, nd - 1)
    shifted = ew.add(rows, full(shape, k, np.int32))
    return ew.le(cols, shifted) if lower else ew.ge(cols, shifted)


def _triangle(x, lower: bool, k: int = 0):
    """x with zeros outside its lower (or upper) triangle, offset k from the diagonal."""
    return ew.select(_in_triangle(get_aval(x).shape, lower, k), x, full_like(x, 0))


def _check_square(name: str, x: ShapedArray, error=ValueError) -> None:
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise error(f"{name} requires a batch of square matrices, shape [..., n, n], "
                    f"got shape {x.shape}")


# --- cholesky -------------------------------------------------------------------------------

def _cholesky_abstract_eval(x):
    check_dtype("cholesky", LINALG_DTYPES, x)
    _check_square("cholesky", x)
    return x.strip_weak_type()


def _cholesky_lower(ctx, x):
    aval = ctx.avals_out[0]
    factor = hlo.CholeskyOp(x, lower=True).result
    # Note: stablehlo.cholesky leaves the upper triangle implementation-defined, while
    # NumPy returns zeros there: select them away (two iotas, a compare and a select).
    index_type = lowering.ir_type(aval.update(dtype=np.int32))
    i64 = ir.IntegerType.get_signless(64)
    rows = hlo.IotaOp(index_type, ir.IntegerAttr.get(i64, aval.ndim - 2)).result
    cols = hlo.IotaOp(index_type, ir.IntegerAttr.get(i64, aval.ndim - 1)).result
    keep = hlo.CompareOp(rows, cols, hlo.ComparisonDirectionAttr.get("GE"),
                         compare_type=hlo.ComparisonTypeAttr.get("SIGNED")).result
    return hlo.SelectOp(keep, factor, lowering.full_like_aval(0, aval)).result


def _cholesky_jvp(primals, tangents):
    (a,), (a_dot,) = primals, tangents
    factor = cholesky_p.bind(a)
    if type(a_dot) is Zero:
        return factor, Zero.like(factor)
    # The primitive reads only the lower triangle of a, as the Hermitian matrix it stands
    # for; the tangent of that matrix is built the same way.
    a_dot = ew.add(_triangle(a_dot, True), _op(_triangle(a_dot, True, -1), True, True))
    # dL = L phi(L^-1 dA L^-H), phi: the strict lower triangle plus half the diagonal.
    left = triangular_solve(factor, a_dot, left_side=True, lower=True)
    inner = triangular_solve(factor, left, left_side=False, lower=True, transpose_a=True,
                             conjugate_a=True)
    diagonal = _triangle(_triangle(inner, True), False)
    phi = ew.add(_triangle(inner, True, -1), ew.mul(diagonal, 0.5))
    return factor, _matmul(factor, phi)


def _cholesky_batch(axis_size, vals, dims):
    (x,), (d,) = vals, dims
    return cholesky_p.bind(bdim_at_front(x, d, axis_size)), 0


cholesky_p = standard_primitive("cholesky", _cholesky_abstract_eval, _cholesky_lower)
jvp_rules[cholesky_p] = _cholesky_jvp
batching_rules[cholesky_p] = _cholesky_batch


def cholesky(x, *, symmetrize_input: bool = True):
    """The lower Cholesky factor L of each Hermitian positive-definite matrix x = L L^H
    (stablehlo.cholesky); zeros above the diagonal, as np.linalg.cholesky.

    With `symmetrize_input`, x is first replaced by (x + x^H) / 2; otherwise only its lower
    triangle is read. A matrix that is not positive definite gives NaNs on and below the
    diagonal (no exception; np.linalg.cholesky raises LinAlgError instead).
    """
    x = as_operand(x)
    if symmetrize_input:
        _check_square("cholesky", get_aval(x))
        x = ew.mul(ew.add(x, _op(x, True, True)), 0.5)
    return cholesky_p.bind(x)


# --- triangular_solve ---------------------------------------------------------------------

def _triangular_solve_abstract_eval(a, b, *, left_side, lower, transpose_a, conjugate_a,
                                    unit_diagonal):
    check_dtype("triangular_solve", LINALG_DTYPES, a)
    check_same_dtypes("triangular_solve", [a, b])
    _check_square("triangular_solve", a, TypeError)
    if b.ndim != a.ndim or b.shape[:-2] != a.shape[:-2]:
        raise TypeError(f"triangular_solve requires a and b to have the same batch "
                        f"dimensions, got shapes {a.shape} and {b.shape}")
    solved = b.shape[-2] if left_side else b.shape[-1]
    if solved != a.shape[-1]:
        side = "b.shape[-2]" if left_side else "b.shape[-1]"
        raise TypeError(f"triangular_solve with left_side={left_side} requires {side} to "
                        f"equal the size of a ({a.shape[-1]}), got shapes {a.shape} and {b.shape}")
    return b.strip_weak_type()


def _triangular_solve_lower(ctx, a, b, *, left_side, lower, transpose_a, conjugate_a,
                            unit_diagonal):
    conjugate = conjugate_a and dtypes.is_complex(ctx.avals_in[0].dtype)
    if conjugate and not transpose_a:
        # Note: StableHLO's transpose_a offers NO_TRANSPOSE, TRANSPOSE and ADJOINT, but not
        # a plain conjugate: conjugate a first (chlo.conj, a second op).
        a = chlo.ConjOp(a).result
    mode = ("NO_TRANSPOSE" if not transpose_a else "ADJOINT" if conjugate else "TRANSPOSE")
    return hlo.TriangularSolveOp(a, b, left_side, lower, unit_diagonal,
                                 hlo.TransposeAttr.get(mode)).result


def _triangular_solve_jvp(primals, tangents, **params):
    (a, b), (a_dot, b_dot) = primals, tangents
    x = triangular_solve_p.bind(a, b, **params)
    if type(a_dot) is Zero and type(b_dot) is Zero:
        return x, Zero.like(x)
    rhs = None if type(b_dot) is Zero else b_dot
    if type(a_dot) is not Zero:
        # op(a) x = b gives op(da) x + op(a) dx = 0 (x op(a) = b: x op(da) + dx op(a) = 0);
        # da is restricted to the triangle the solve reads.
        lower = params["lower"]
        offset = (-1 if lower else 1) if params["unit_diagonal"] else 0
        da = _op(_triangle(a_dot, lower, offset), params["transpose_a"], params["conjugate_a"])
        product = _matmul(da, x) if params["left_side"] else _matmul(x, da)
        rhs = ew.neg(product) if rhs is None else ew.sub(rhs, product)
    return x, triangular_solve_p.bind(a, rhs, **params)


def _triangular_solve_transpose(ct, a, b, *, transpose_a, **params):
    if is_undefined(a):
        raise ValueError("triangular_solve is linear only in b; it cannot be transposed "
                         "with respect to a")
    # x = op(a)^-1 b (or b op(a)^-1) transposes to op(a)^-T ct (or ct op(a)^-T).
    return [None, triangular_solve_p.bind(a, instantiate(ct), transpose_a=not transpose_a,
                                          **params)]


def _triangular_solve_batch(axis_size, vals, dims, **params):
    a, b = [bdim_at_front(v, d, axis_size) for v, d in zip(vals, dims)]
    return triangular_solve_p.bind(a, b, **params), 0


triangular_solve_p = standard_primitive("triangular_solve", _triangular_solve_abstract_eval,
                                        _triangular_solve_lower)
jvp_rules[triangular_solve_p] = _triangular_solve_jvp
transpose_rules[triangular_solve_p] = _triangular_solve_transpose
batching_rules[triangular_solve_p] = _triangular_solve_batch


def triangular_solve(a, b, *, left_side: bool = False, lower: bool = False,
                     transpose_a: bool = False, conjugate_a: bool = False,
                     unit_diagonal: bool = False):
    """Solve op(a) x = b (left_side) or x op(a) = b for x, with a triangular
    (stablehlo.triangular_solve). op(a) is a, transposed if `transpose_a`, conjugated if
    `conjugate_a`; only the `lower` (else upper) triangle of a is read, and with
    `unit_diagonal` its diagonal is taken to be ones. a: [..., m, m]; b: [..., m, n] if
    left_side else [..., n, m]."""
    return triangular_solve_p.bind(as_operand(a), as_operand(b), left_side=bool(left_side),
                                   lower=bool(lower), transpose_a=bool(transpose_a),
                                   conjugate_a=bool(conjugate_a),
                                   unit_diagonal=bool(unit_diagonal))


# --- the LAPACK-backed primitives (their own module; public here, as in jax.lax.linalg) ----

from npaccel.lax.linalg_lapack import (  # noqa: E402,F401  (after the helpers it imports)
    EighImplementation, SvdAlgorithm, eig, eigh, geqp3, geqrf, householder_product, lu,
    lu_pivots_to_permutation, qr, schur, svd, tridiagonal_solve)
