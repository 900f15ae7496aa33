"""Avals, tracers and the trace stack: weak types, concretization errors under jit/vmap,
Python control flow under differentiation, leaked tracers, missing-rule errors."""
import numpy as np
import pytest

import npaccel as na
from npaccel import lax
from npaccel.core import (ConcretizationError, Primitive, ShapedArray, Tracer,
                          UnexpectedTracerError, abstract_eval_rules, dtypes, get_aval)

X = np.array([0.5, -1.0, 2.0])


# --- avals --------------------------------------------------------------------------------

def test_shaped_array_fields_equality_and_printing():
    a = ShapedArray((2, 3), np.float32)
    assert (a.shape, a.dtype, a.weak_type, a.ndim, a.size) == ((2, 3), np.float32, False, 2, 6)
    assert a == ShapedArray([2, 3], "float32") and hash(a) == hash(ShapedArray((2, 3), np.float32))
    assert a != ShapedArray((2, 3), np.float32, weak_type=True)
    assert a != ShapedArray((3, 2), np.float32) and a != ShapedArray((2, 3), np.float64)
    assert a.str_short() == "f32[2,3]"
    assert ShapedArray((), dtypes.bfloat16).str_short() == "bf16[]"
    assert ShapedArray((4,), np.complex128).str_short() == "c128[4]"
    assert ShapedArray((1,), np.bool_).str_short() == "bool[1]"
    assert ShapedArray((1,), np.uint8).str_short() == "u8[1]"
    weak = a.update(weak_type=True)
    assert weak.weak_type and weak.strip_weak_type() == a
    assert a.update(shape=(5,)).shape == (5,) and a.update(dtype=np.int8).dtype == np.int8


@pytest.mark.parametrize("value", [True, 3, 2.5, 1 + 2j], ids=lambda v: type(v).__name__)
def test_python_scalars_are_weak(value):
    aval = get_aval(value)
    assert aval.weak_type and aval.shape == ()
    assert aval.dtype == np.asarray(value).dtype      # NumPy's default dtype for the scalar


@pytest.mark.parametrize("value", [np.float32(1), np.int8(3), np.ones((2, 1), np.uint16),
                                   np.array(1.0), np.zeros(3, dtypes.bfloat16)],
                         ids=lambda v: f"{type(v).__name__}-{v.dtype}")
def test_numpy_values_are_not_weak(value):
    aval = get_aval(value)
    assert not aval.weak_type
    assert (aval.shape, aval.dtype) == (np.shape(value), value.dtype)


def test_array_and_tracer_avals():
    a = na.device_put(np.ones((2, 2), np.float32))
    assert get_aval(a) == ShapedArray((2, 2), np.float32)
    seen = {}

    def f(x, s):
        seen["x"], seen["s"] = get_aval(x), get_aval(s)
        assert isinstance(x, Tracer) and x.shape == (2, 2) and x.dtype == np.float32
        return lax.neg(x), lax.neg(s)

    na.jit(f)(a, 2.0)
    assert seen["x"] == ShapedArray((2, 2), np.float32)
    assert seen["s"] == ShapedArray((), np.float64, weak_type=True)


def test_unsupported_values_have_no_aval():
    for bad in ["text", np.array(["a"]), np.array([1], dtype=object), [1.0, 2.0]]:
        with pytest.raises(TypeError):
            get_aval(bad)


# --- concretization -----------------------------------------------------------------------

def _branchy(x):
    if x > 0:
        return lax.mul(x, x)
    return lax.neg(x)


CONVERSIONS = {
    "if": _branchy,
    "bool": lambda x: lax.mul(x, float(bool(x))),
    "int": lambda x: lax.mul(x, float(int(x))),
    "float": lambda x: lax.mul(x, float(x)),
    "asarray": lambda x: lax.mul(x, np.asarray(x)),
}


def _assert_concretization_message(excinfo):
    msg = str(excinfo.value)
    assert "static_argnums" in msg and "lax.cond" in msg, msg
    assert isinstance(excinfo.value, TypeError)


@pytest.mark.parametrize("kind", sorted(CONVERSIONS))
def test_concretization_error_under_jit(kind):
    with pytest.raises(ConcretizationError) as excinfo:
        na.jit(CONVERSIONS[kind])(1.5)
    _assert_concretization_message(excinfo)


@pytest.mark.parametrize("kind", sorted(CONVERSIONS))
def test_concretization_error_under_vmap(kind):
    with pytest.raises(ConcretizationError) as excinfo:
        na.vmap(CONVERSIONS[kind])(X)
    _assert_concretization_message(excinfo)


def test_static_argument_is_the_fix():
    f = na.jit(lambda x, flag: lax.neg(x) if flag > 0 else x, static_argnums=1)
    np.testing.assert_array_equal(np.asarray(f(X, 1)), -X)
    np.testing.assert_array_equal(np.asarray(f(X, -1)), X)


def test_jit_of_grad_with_python_control_flow_fails_clearly():
    with pytest.raises(ConcretizationError):
        na.jit(na.grad(_branchy))(1.5)


def _branchy_np(x):
    return (x * x, 2 * x) if x > 0 else (-x, -1.0)


@pytest.mark.parametrize("x", [1.5, -0.5])
def test_python_control_flow_works_under_differentiation(x):
    """Primals are concrete under grad/jvp/vjp/linearize, as in JAX."""
    value, deriv = _branchy_np(x)
    np.testing.assert_allclose(na.grad(_branchy)(x), deriv)
    v, g = na.value_and_grad(_branchy)(x)
    np.testing.assert_allclose((v, g), (value, deriv))
    p, t = na.jvp(_branchy, (x,), (2.0,))
    np.testing.assert_allclose((p, t), (value, 2 * deriv))
    p, f_vjp = na.vjp(_branchy, x)
    np.testing.assert_allclose(f_vjp(3.0)[0], 3 * deriv)
    p, f_lin = na.linearize(_branchy, x)
    np.testing.assert_allclose(f_lin(0.5), 0.5 * deriv)
    np.testing.assert_allclose(na.jacfwd(_branchy)(x), deriv)
    np.testing.assert_allclose(na.jacrev(_branchy)(x), deriv)
    np.testing.assert_allclose(na.hessian(_branchy)(x), 2.0 if x > 0 else 0.0)


@pytest.mark.parametrize("transform", ["grad", "linearize", "jit", "vmap"])
def test_numpy_on_a_tracer_dispatches_to_npaccel(transform):
    """np.sin(tracer) goes through __array_ufunc__ to npaccel: derivatives are kept."""
    def f(x):
        return lax.mul(x, np.sin(x))

    d = lambda x: np.sin(x) + x * np.cos(x)  # noqa: E731
    if transform == "grad":
        np.testing.assert_allclose(na.grad(f)(0.5), d(0.5))
    elif transform == "linearize":
        np.testing.assert_allclose(na.linearize(f, 0.5)[1](1.0), d(0.5))
    elif transform == "jit":
        np.testing.assert_allclose(na.jit(f)(0.5), 0.5 * np.sin(0.5))
    else:
        np.testing.assert_allclose(na.vmap(f)(X), X * np.sin(X))


def test_int_and_float_of_primals_under_grad():
    def f(x):
        n = int(float(x))          # concrete: a Python int, not differentiated
        return lax.mul(x, float(n))

    np.testing.assert_allclose(na.grad(f)(3.7), 3.0)
    np.testing.assert_allclose(na.grad(na.grad(lambda x: lax.mul(_branchy(x), x)))(2.0), 6 * 2.0)


def test_tracer_python_protocols():
    def f(x):
        assert len(x) == 3 and x.ndim == 1 and x.size == 3
        with pytest.raises(TypeError):
            hash(x)
        assert repr(x).endswith("<f64[3]>")
        return x

    na.jit(f)(X)
    with pytest.raises(TypeError):
        na.jit(lambda s: len(s))(1.0)


# --- leaked tracers -----------------------------------------------------------------------

def _leak(transform, arg):
    store = []

    def f(x):
        store.append(x)
        return x

    transform(f)(arg)
    (leaked,) = store
    assert isinstance(leaked, Tracer)
    return leaked


@pytest.mark.parametrize("transform", [na.jit, na.vmap, na.grad], ids=["jit", "vmap", "grad"])
def test_leaked_tracer_used_later_raises(transform):
    leaked = _leak(transform, X if transform is na.vmap else 1.5)
    with pytest.raises(UnexpectedTracerError, match="escaped"):
        lax.sin(leaked)
    with pytest.raises(UnexpectedTracerError):
        na.jit(lambda y: lax.add(y, leaked))(1.0)
    with pytest.raises(UnexpectedTracerError):
        na.grad(lambda y: lax.mul(y, leaked))(1.0)
    with pytest.raises(UnexpectedTracerError):
        na.vmap(lambda y: lax.mul(y, leaked))(X)


# --- rule tables --------------------------------------------------------------------------

def test_missing_rules_name_the_rule_and_the_primitive():
    bare = Primitive("npaccel_test_bare")
    with pytest.raises(NotImplementedError, match="abstract evaluation.*npaccel_test_bare"):
        na.make_jaxpr(lambda x: bare.bind(x))(1.0)
    partial = Primitive("npaccel_test_partial")
    abstract_eval_rules[partial] = lambda x: x
    with pytest.raises(NotImplementedError, match="lowering rule.*npaccel_test_partial"):
        partial.bind(np.float64(1.0))
    with pytest.raises(NotImplementedError, match="Differentiation rule.*npaccel_test_partial"):
        na.jvp(lambda x: partial.bind(x), (1.0,), (1.0,))
    with pytest.raises(NotImplementedError, match="Batching rule.*npaccel_test_partial"):
        na.vmap(lambda x: partial.bind(x))(X)
    closed = na.make_jaxpr(lambda x: partial.bind(x))(1.0)
    assert "npaccel_test_partial a" in str(closed)
