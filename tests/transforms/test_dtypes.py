"""Every supported dtype end to end: to the device, through an op, through jit and vmap,
and through differentiation where it is meaningful (inexact dtypes)."""
import numpy as np
import pytest

import npaccel as na
from npaccel import lax
from harness import ALL, INEXACT, assert_close, default_tol

RNG = np.random.default_rng(0)


def _sample(dtype, shape=(2, 3)):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return RNG.random(shape) < 0.5
    if dtype.kind in "iu":
        return RNG.integers(0, 50, size=shape).astype(dtype)
    if dtype.kind == "c":
        return (RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)).astype(dtype)
    return RNG.standard_normal(shape).astype(dtype)


def _op(x):
    """A dtype-preserving op defined for every dtype: max(x, x) followed by a select."""
    return lax.select(lax.eq(x, x), lax.max(x, x), x)


@pytest.mark.parametrize("dtype", ALL, ids=lambda d: np.dtype(d).name)
def test_round_trip_through_op_jit_and_vmap(dtype):
    x = _sample(dtype)
    for f in (_op, na.jit(_op), na.vmap(_op), na.jit(na.vmap(_op, in_axes=1, out_axes=1))):
        out = f(x)
        assert out.dtype == x.dtype
        assert_close(out, x, 0)


@pytest.mark.parametrize("dtype", ALL, ids=lambda d: np.dtype(d).name)
def test_convert_to_and_from_float64(dtype):
    x = _sample(dtype)
    as64 = lax.convert_element_type(x, np.float64 if np.dtype(dtype).kind != "c" else np.complex128)
    assert_close(as64, x.astype(as64.dtype), 0)
    back = na.jit(lambda y: lax.convert_element_type(y, dtype))(as64)
    assert_close(back, x, 0)


def _real_fn(x):
    return lax.mul(lax.sin(x), lax.exp(lax.mul(x, 0.5)))


@pytest.mark.parametrize("dtype", INEXACT, ids=lambda d: np.dtype(d).name)
def test_derivatives_keep_dtype_and_match_float64(dtype):
    x = _sample(dtype, (4,))
    wide = np.complex128 if np.dtype(dtype).kind == "c" else np.float64
    t = np.ones(4, dtype)
    _, t_out = na.jvp(_real_fn, (x,), (t,))
    _, t_ref = na.jvp(_real_fn, (x.astype(wide),), (t.astype(wide),))
    assert t_out.dtype == np.dtype(dtype)
    tol = max(default_tol(dtype), 1e-12) * 10
    np.testing.assert_allclose(np.asarray(t_out).astype(wide), np.asarray(t_ref), rtol=tol, atol=tol)
    out, f_vjp = na.vjp(_real_fn, x)
    (ct,) = f_vjp(np.ones(4, dtype))
    assert ct.dtype == np.dtype(dtype)
    (ct_ref,) = na.vjp(_real_fn, x.astype(wide))[1](np.ones(4, wide))
    np.testing.assert_allclose(np.asarray(ct).astype(wide), np.asarray(ct_ref), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64], ids=lambda d: np.dtype(d).name)
def test_grad_of_scalar_function_in_each_float_dtype(dtype):
    g = na.grad(lambda x: lax.mul(lax.tanh(x), x))(dtype(0.5))
    assert g.dtype == np.dtype(dtype)
    ref = np.tanh(0.5) + 0.5 * (1 - np.tanh(0.5) ** 2)
    np.testing.assert_allclose(float(g), ref, rtol=default_tol(dtype) * 10)


@pytest.mark.parametrize("shape", [(), (3,), (8,), (9,), (3, 4), (2, 3, 5)])
def test_boolean_constants_of_any_size_lower(shape):
    mask = np.arange(int(np.prod(shape))).reshape(shape) % 3 == 0
    out = na.jit(lambda x: lax.bitwise_and(x, mask))(np.ones(shape, bool))
    np.testing.assert_array_equal(out, mask)
