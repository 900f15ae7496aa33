"""dot_general, dot and batch_matmul against np.einsum (see tests/harness.py for the checks)."""
import string
from functools import partial

import numpy as np
import pytest

import npaccel
from npaccel.lax import contraction as lax_dot
from npaccel.transforms import lowering
from harness import (COMPLEX, FLOATS, OpRecord, assert_close, bfloat16, check_grads,
                     default_tol, lowered_ops, op_tests, rand_default)

DTYPES = FLOATS + COMPLEX + [np.int32, np.int8]
FEW = [np.float32, np.float64]


def _wide(x):
    """x in the widest dtype of its kind, so the reference does not round or overflow."""
    kind = "c" if x.dtype.kind == "c" else "i" if x.dtype.kind in "iu" else "f"
    return x.astype({"c": np.complex128, "i": np.int64, "f": np.float64}[kind])


def einsum_reference(dimension_numbers, out_dtype=None):
    """dot_general written as np.einsum: output axes are batch, lhs free, rhs free."""
    (lc, rc), (lb, rb) = dimension_numbers

    def ref(lhs, rhs):
        letters = iter(string.ascii_letters)
        lhs_sub = {a: next(letters) for a in (*lb, *lc)}
        rhs_sub = {b: lhs_sub[a] for a, b in zip((*lb, *lc), (*rb, *rc))}

        def free(sub, ndim):  # new letters for the axes not yet named, in axis order
            return [sub.setdefault(i, next(letters)) for i in range(ndim) if i not in sub]
        lhs_free, rhs_free = free(lhs_sub, lhs.ndim), free(rhs_sub, rhs.ndim)
        out = "".join([lhs_sub[a] for a in lb] + lhs_free + rhs_free)
        spec = (f"{''.join(lhs_sub[i] for i in range(lhs.ndim))},"
                f"{''.join(rhs_sub[i] for i in range(rhs.ndim))}->{out}")
        return np.einsum(spec, _wide(lhs), _wide(rhs)).astype(out_dtype or lhs.dtype)
    return ref


def _dot_general(name, shapes, dimension_numbers, dtypes=FEW, **kw):
    return OpRecord(name, partial(lax_dot.dot_general, dimension_numbers=dimension_numbers),
                    einsum_reference(dimension_numbers), shapes, dtypes,
                    hlo_ops=["stablehlo.dot_general"], **kw)


def _dot_reference(lhs, rhs):
    return np.dot(_wide(lhs), _wide(rhs)).astype(lhs.dtype)


def _batch_matmul_reference(lhs, rhs):
    return np.matmul(_wide(lhs), _wide(rhs)).astype(lhs.dtype)


MATMUL = (((1,), (0,)), ((), ()))

RECORDS = [
    OpRecord("dot", lax_dot.dot, _dot_reference,
             [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4))], DTYPES,
             hlo_ops=["stablehlo.dot_general"]),
    _dot_general("dot_general_matmul", [((2, 3), (3, 4)), ((0, 3), (3, 2))], MATMUL, DTYPES),
    _dot_general("dot_general_batch_mid", [((3, 2, 4), (4, 3, 5))], (((2,), (0,)), ((0,), (1,)))),
    _dot_general("dot_general_contract_two", [((2, 3, 4), (4, 2, 5))],
                 (((0, 2), (1, 0)), ((), ())), [np.float64, np.complex128]),
    _dot_general("dot_general_two_batch", [((2, 3, 4, 2), (3, 4, 2, 2))],
                 (((2,), (1,)), ((0, 1), (2, 0)))),
    _dot_general("dot_general_outer", [((2, 3), (4,))], (((), ()), ((), ()))),
    _dot_general("dot_general_batch_only", [((2, 3), (2, 4))], (((), ()), ((0,), (0,)))),
    _dot_general("dot_general_full", [((2, 3), (2, 3))], (((0, 1), (0, 1)), ((), ()))),
    OpRecord("batch_matmul", lax_dot.batch_matmul, _batch_matmul_reference,
             [((2, 3, 4), (2, 4, 5)), ((2, 2, 1, 3), (2, 2, 3, 2))], FEW + [np.int32],
             hlo_ops=["stablehlo.dot_general"]),
    OpRecord("dot_general_int8_to_int32",
             partial(lax_dot.dot_general, dimension_numbers=MATMUL,
                     preferred_element_type=np.int32),
             einsum_reference(MATMUL, np.int32), [((2, 3), (3, 4))], [np.int8, np.int16],
             rng=lambda rng, shape, dtype: rng.integers(-100, 100, shape).astype(dtype)),
    OpRecord("dot_general_to_float32",
             partial(lax_dot.dot_general, dimension_numbers=MATMUL,
                     preferred_element_type=np.float32),
             einsum_reference(MATMUL, np.float32), [((2, 3), (3, 4))], [np.float16, bfloat16],
             tol=1e-5),
]

globals().update(op_tests(RECORDS))


# --- vmap with batch axes away from the front ----------------------------------------------

@pytest.mark.parametrize("in_axes", [(1, 2), (2, None), (None, 1), (-1, 0)])
def test_vmap_inner_axes(in_axes):
    dimension_numbers = (((2,), (0,)), ((0,), (1,)))
    f = partial(lax_dot.dot_general, dimension_numbers=dimension_numbers)
    rng = np.random.default_rng(0)
    lhs, rhs = rng.standard_normal((3, 2, 4)), rng.standard_normal((4, 3, 5))
    size = 3
    args = [np.stack([x + i for i in range(size)], ax) if ax is not None else x
            for x, ax in zip((lhs, rhs), in_axes)]
    expected = np.stack([einsum_reference(dimension_numbers)(
        *[np.take(a, i, ax) if ax is not None else a for a, ax in zip(args, in_axes)])
        for i in range(size)])
    assert_close(npaccel.vmap(f, in_axes=in_axes)(*args), expected, 1e-12)


# --- derivatives with a wider result type --------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_vjp_preferred_element_type(dtype):
    """The cotangent is float64, the operands narrower: cotangents come back in the
    operands' dtype, computed as NumPy does in float64."""
    rng = np.random.default_rng(0)
    lhs, rhs = rng.standard_normal((2, 3)).astype(dtype), rng.standard_normal((3, 4)).astype(dtype)
    f = partial(lax_dot.dot_general, dimension_numbers=MATMUL, preferred_element_type=np.float64)
    out, f_vjp = npaccel.vjp(f, lhs, rhs)
    ct = rng.standard_normal(np.shape(out))
    ct_lhs, ct_rhs = f_vjp(ct)
    assert_close(ct_lhs, (ct @ rhs.astype(np.float64).T).astype(dtype), default_tol(dtype))
    assert_close(ct_rhs, (lhs.astype(np.float64).T @ ct).astype(dtype), default_tol(dtype))


def test_grad_complex():
    """Complex operands: the dot-product test checks the (unconjugated) transpose."""
    rng = np.random.default_rng(0)
    lhs = rand_default(rng, (2, 3), np.complex128)
    rhs = rand_default(rng, (3, 2), np.complex128)
    check_grads(lax_dot.dot, [lhs, rhs], order=1, modes=("rev",))


# --- misc behaviour --------------------------------------------------------------------

def test_bool_dot():
    rng = np.random.default_rng(0)
    lhs, rhs = rng.random((2, 3)) < 0.5, rng.random((3, 4)) < 0.5
    assert_close(lax_dot.dot(lhs, rhs), (lhs.astype(int) @ rhs.astype(int)) > 0, 0)


def test_int8_accumulates_in_int32():
    lhs = np.full((2, 4), np.iinfo(np.int8).max, np.int8)
    out = lax_dot.dot(lhs, lhs.T, preferred_element_type=np.int32)
    assert_close(out, lhs.astype(np.int32) @ lhs.T.astype(np.int32), 0)


@pytest.mark.parametrize("precision", ["highest", lax_dot.Precision.HIGH,
                                       ("bfloat16", lax_dot.Precision.HIGHEST)])
def test_precision(precision):
    """Precision is accepted in every spelling, reaches the lowering, and CPUs stay exact."""
    rng = np.random.default_rng(0)
    lhs, rhs = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    assert_close(lax_dot.dot(lhs, rhs, precision=precision), lhs @ rhs, 1e-12)
    jaxpr = npaccel.make_jaxpr(lambda a, b: lax_dot.dot(a, b, precision=precision))(lhs, rhs)
    lhs_p, rhs_p = lax_dot.canonicalize_precision(precision)
    assert f"precision = [{lhs_p.name}, {rhs_p.name}]" in str(lowering.lower_jaxpr(jaxpr.jaxpr))


def test_lowering_has_no_extra_ops():
    args = np.ones((2, 3), np.float16), np.ones((3, 4), np.float16)
    f = partial(lax_dot.dot, preferred_element_type=np.float32)
    assert lowered_ops(f, *args) == ["stablehlo.dot_general"]


# --- errors ------------------------------------------------------------------------------

A23 = np.ones((2, 3))
A34 = np.ones((3, 4))


@pytest.mark.parametrize("call, error, match", [
    (lambda: lax_dot.dot(A23, A34.astype(np.float32)), TypeError, "same dtypes"),
    (lambda: lax_dot.dot(A23, A23), TypeError, "Incompatible shapes"),
    (lambda: lax_dot.dot(np.ones((2, 3, 4)), A34), TypeError, "Incompatible shapes"),
    (lambda: lax_dot.dot_general(A23, A34, (((0,), (0,)), ((), ()))), TypeError, "same shape"),
    (lambda: lax_dot.dot_general(A23, A34, (((2,), (0,)), ((), ()))), TypeError, "nonnegative"),
    (lambda: lax_dot.dot_general(A23, A34, (((-1,), (0,)), ((), ()))), TypeError, "nonnegative"),
    (lambda: lax_dot.dot_general(A23, A34, (((1, 1), (0, 0)), ((), ()))), TypeError, "distinct"),
    (lambda: lax_dot.dot_general(A23, A34, (((1,), (0, 1)), ((), ()))), TypeError, "numbers of"),
    (lambda: lax_dot.dot_general(A23, A23, (((1,), (1,)), ((1,), (1,)))), TypeError, "distinct"),
    (lambda: lax_dot.dot_general(A23, A34, ((1,), (0,))), TypeError, "dimension_numbers"),
    (lambda: lax_dot.dot_general(A23, A34, MATMUL, preferred_element_type=np.float32),
     TypeError, "narrower"),
    (lambda: lax_dot.dot_general(A23.astype(np.int8), A34.astype(np.int8), MATMUL,
                                 preferred_element_type=np.float32), TypeError, "incompatible"),
    (lambda: lax_dot.dot(A23, A34, precision="fast"), ValueError, "precision"),
    (lambda: lax_dot.batch_matmul(A23[0], A34), ValueError, "at least 2D"),
    (lambda: lax_dot.batch_matmul(np.ones((2, 2, 3)), A34), ValueError, "same ndim"),
    (lambda: lax_dot.batch_matmul(np.ones((2, 2, 3)), np.ones((3, 3, 4))), TypeError, "same shape"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
