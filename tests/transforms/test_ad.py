"""Differentiation: grad, value_and_grad, jvp, vjp, linearize, jacfwd, jacrev, hessian on
pytrees, against analytic derivatives written with NumPy and against finite differences."""
import collections

import numpy as np
import pytest

import npaccel as na
from npaccel import lax
from npaccel.core import Tracer, dtypes
from npaccel.lax.reduction import reduce_sum
from npaccel.lax.shape import concatenate, rev
from harness import check_grads

RNG = np.random.default_rng(0)
X = RNG.uniform(-1.5, 1.5, 3)
Y = RNG.uniform(-1.5, 1.5, 3)
T = RNG.standard_normal(3)
X0 = 0.7


def _close(actual, expected, tol=1e-12):
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=tol, atol=tol)


def _sum(x):
    return reduce_sum(x, (0,))


# f(x) = sin(x) exp(x) and its first three derivatives, in NumPy
def f1(x):
    return lax.mul(lax.sin(x), lax.exp(x))


def f1_derivs(x):
    s, c, e = np.sin(x), np.cos(x), np.exp(x)
    return [s * e, (c + s) * e, 2 * c * e, 2 * (c - s) * e]


def f_dict(d):
    """A scalar function of a dict: a*sin(b) + cos(a), summed."""
    return _sum(lax.add(lax.mul(d["a"], lax.sin(d["b"])), lax.cos(d["a"])))


def f_dict_grad(d):
    return {"a": np.sin(d["b"]) - np.sin(d["a"]), "b": d["a"] * np.cos(d["b"])}


def test_grad_and_value_and_grad_scalar():
    _close(na.grad(f1)(X0), f1_derivs(X0)[1])
    v, g = na.value_and_grad(f1)(X0)
    _close(v, f1_derivs(X0)[0])
    _close(g, f1_derivs(X0)[1])
    g32 = na.grad(f1)(np.float32(X0))
    assert g32.dtype == np.float32
    _close(g32, f1_derivs(X0)[1], 1e-6)


def test_grad_of_dict_argument():
    d = {"a": X, "b": Y}
    g = na.grad(f_dict)(d)
    assert set(g) == {"a", "b"}
    for k, ref in f_dict_grad(d).items():
        _close(g[k], ref)


def test_argnums_int_and_tuple():
    def f(x, y, z):
        return _sum(lax.mul(lax.mul(x, lax.exp(y)), z))

    gx = na.grad(f)(X, Y, T)
    _close(gx, np.exp(Y) * T)
    gy = na.grad(f, argnums=1)(X, Y, T)
    _close(gy, X * np.exp(Y) * T)
    g = na.grad(f, argnums=(2, 0))(X, Y, T)
    assert isinstance(g, tuple) and len(g) == 2
    _close(g[0], X * np.exp(Y))
    _close(g[1], np.exp(Y) * T)
    v, (gz,) = na.value_and_grad(f, argnums=(2,))(X, Y, T)
    _close(v, np.sum(X * np.exp(Y) * T))
    _close(gz, X * np.exp(Y))


def test_has_aux_returns_concrete_aux():
    def f(x):
        y = lax.sin(x)
        return _sum(lax.mul(y, y)), {"y": y, "note": "kept", "n": None}

    g, aux = na.grad(f, has_aux=True)(X)
    _close(g, 2 * np.sin(X) * np.cos(X))
    assert not isinstance(aux["y"], Tracer) and aux["note"] == "kept" and aux["n"] is None
    _close(aux["y"], np.sin(X))
    (v, aux2), g2 = na.value_and_grad(f, has_aux=True)(X)
    _close(v, np.sum(np.sin(X) ** 2))
    _close(aux2["y"], np.sin(X))
    out, f_vjp, aux3 = na.vjp(f, X, has_aux=True)
    _close(f_vjp(1.0)[0], g)
    assert not isinstance(aux3["y"], Tracer)
    p, t, aux4 = na.jvp(f, (X,), (T,), has_aux=True)
    _close(t, np.sum(2 * np.sin(X) * np.cos(X) * T))
    assert not isinstance(aux4["y"], Tracer)
    _close(aux4["y"], np.sin(X))
    # nested: an inner has_aux grad, differentiated again (d/dx0 of sin(2 x0))
    e0 = np.eye(3)[0]
    gg = na.grad(lambda x: _sum(lax.mul(na.grad(f, has_aux=True)(x)[0], e0)))(X)
    _close(gg, 2 * np.cos(2 * X[0]) * e0)
    with pytest.raises(TypeError, match="pair"):
        na.grad(lambda x: lax.sin(x), has_aux=True)(X0)


def test_jvp_and_linearize_on_pytrees():
    def f(p):
        return {"u": lax.mul(p["a"], lax.cos(p["b"])), "v": (lax.exp(p["a"]),)}

    p = {"a": X, "b": Y}
    t = {"a": T, "b": 2 * T}
    out, t_out = na.jvp(f, (p,), (t,))
    _close(out["u"], X * np.cos(Y))
    _close(t_out["u"], T * np.cos(Y) - X * np.sin(Y) * 2 * T)
    _close(t_out["v"][0], np.exp(X) * T)
    out2, f_lin = na.linearize(f, p)
    _close(out2["v"][0], np.exp(X))
    lin = f_lin(t)
    _close(lin["u"], t_out["u"])
    _close(lin["v"][0], t_out["v"][0])
    scaled = f_lin({"a": 3 * T, "b": 6 * T})        # linear in the tangent
    _close(scaled["u"], 3 * np.asarray(t_out["u"]))


def test_vjp_on_pytrees_matches_analytic():
    def f(x, d):
        return lax.mul(x, d["w"]), lax.sin(d["w"])

    out, f_vjp = na.vjp(f, X, {"w": Y})
    ct = (T, 2 * T)
    gx, gd = f_vjp(ct)
    _close(gx, Y * T)
    _close(gd["w"], X * T + np.cos(Y) * 2 * T)
    with pytest.raises(TypeError):
        f_vjp(T)                                   # wrong cotangent structure


@pytest.mark.parametrize("jitted", [False, True], ids=["eager", "jit"])
def test_cotangents_and_tangents_are_checked(jitted):
    f = na.jit(lax.sin) if jitted else lax.sin
    x32 = X.astype(np.float32)
    _, f_vjp = na.vjp(f, x32)
    for bad in (np.ones(3), np.ones(2, np.float32)):           # wrong dtype, wrong shape
        with pytest.raises(ValueError, match="cotangent"):
            f_vjp(bad)
    _, f_vjp0 = na.vjp(f, np.float32(X0))
    (g,) = f_vjp0(1.0)                         # a Python scalar is weak: cast to f32
    assert g.dtype == np.float32
    _close(g, np.cos(np.float32(X0)), 1e-6)
    _, f_lin = na.linearize(f, x32)
    with pytest.raises(ValueError, match="tangent"):
        f_lin(np.ones(3))
    with pytest.raises(ValueError):
        na.jvp(f, (x32,), (np.ones(3),))


def test_jacfwd_and_jacrev_dense_jacobian():
    def f(x):
        return concatenate([lax.sin(x), lax.mul(x, rev(x, (0,)))], 0)

    n = X.shape[0]
    ref = np.zeros((2 * n, n))
    ref[:n] = np.diag(np.cos(X))
    ref[n:] = np.diag(X[::-1]) + np.diag(X)[:, ::-1]
    _close(na.jacfwd(f)(X), ref)
    _close(na.jacrev(f)(X), ref)


def test_jacobians_of_pytree_functions():
    def f(a, b):
        return {"p": lax.mul(a, b), "s": lax.sin(a)}

    for jac in (na.jacfwd, na.jacrev):
        j = jac(f, argnums=(0, 1))(X, Y)
        _close(j["p"][0], np.diag(Y))
        _close(j["p"][1], np.diag(X))
        _close(j["s"][0], np.diag(np.cos(X)))
        _close(j["s"][1], np.zeros((3, 3)))
        j_aux, aux = jac(lambda a: (lax.exp(a), lax.neg(a)), has_aux=True)(X)
        _close(j_aux, np.diag(np.exp(X)))
        _close(aux, -X)


def test_check_grads_on_several_functions():
    check_grads(lambda x, y: lax.mul(lax.tanh(x), lax.log1p(lax.mul(y, y))), [X, Y], order=2)
    check_grads(lambda x, y: {"q": lax.div(lax.sin(x), lax.add(lax.exp(y), 1.0))}, [X, Y], order=2)
    check_grads(lambda x: lax.atan2(lax.sinh(x), lax.add(lax.mul(x, x), 1.0)), [X], order=2)
    check_grads(lambda x: lax.pow(lax.add(lax.abs(x), 0.5), lax.cos(x)), [X], order=2)


def test_grad_of_non_scalar_output_is_a_type_error():
    with pytest.raises(TypeError, match="scalar"):
        na.grad(lax.sin)(X)
    with pytest.raises(TypeError, match="scalar"):
        na.grad(lambda x: (x, x))(X0)


def test_grad_with_respect_to_integers_is_a_type_error():
    with pytest.raises(TypeError, match="int64"):
        na.grad(lambda x: lax.mul(x, 2))(3)
    with pytest.raises(TypeError, match="int32"):
        na.grad(lambda x, i: lax.mul(x, lax.convert_element_type(i, np.float64)), argnums=1)(
            X0, np.int32(3))


def test_integer_inputs_get_float0_cotangents():
    def f(x, i):
        return lax.mul(x, lax.convert_element_type(i, np.float64))

    i = np.arange(3, dtype=np.int32)
    _, f_vjp = na.vjp(f, X, i)
    gx, gi = f_vjp(T)
    _close(gx, i * T)
    assert gi.dtype == dtypes.float0 and gi.shape == i.shape
    g = na.grad(lambda x, i: _sum(f(x, i)), argnums=(0, 1), allow_int=True)(X, i)
    assert g[1].dtype == dtypes.float0
    # jvp with an integer primal: its tangent is float0 and does not contribute
    _, t_out = na.jvp(f, (X, i), (T, np.zeros(3, dtypes.float0)))
    _close(t_out, i * T)


def test_integer_outputs_have_zero_derivatives():
    def f(x):
        return lax.mul(x, lax.convert_element_type(lax.convert_element_type(x, np.int32), np.float64))

    _close(na.grad(f)(2.5), 2.0)
    _, (t_int,) = na.jvp(lambda x: (lax.convert_element_type(x, np.int32),), (X,), (T,))
    assert t_int.dtype == dtypes.float0


def test_zero_gradients_have_the_input_shape_and_dtype():
    g = na.grad(lambda x, y: _sum(lax.mul(y, y)), argnums=(0, 1))(X.astype(np.float32), Y)
    assert np.asarray(g[0]).dtype == np.float32 and np.shape(g[0]) == (3,)
    _close(g[0], np.zeros(3), 0)
    _close(g[1], 2 * Y)
    _close(na.grad(lambda x: 2.0)(X0), 0.0, 0)


# --- complex numbers ------------------------------------------------------------------------

Z = X + 1j * Y


def test_holomorphic_jvp_and_vjp():
    def f(z):
        return lax.mul(z, lax.sin(z))

    deriv = np.sin(Z) + Z * np.cos(Z)
    tz = T + 0.5j * T[::-1]
    out, t_out = na.jvp(f, (Z,), (tz,))
    _close(out, Z * np.sin(Z))
    _close(t_out, deriv * tz)
    _, f_vjp = na.vjp(f, Z)
    _close(f_vjp(np.ones(3, complex))[0], deriv)     # JAX's vjp: no conjugation


def _real_of_complex(z):
    return lax.real(lax.mul(lax.sin(z), lax.conj(z)))


def _real_of_complex_np(z):
    return np.real(np.sin(z) * np.conj(z))


def test_grad_of_real_function_of_complex_input():
    """JAX's convention: for real f of z = x + iy, grad f = df/dx - i df/dy."""
    for z in (Z[0], Z[1]):
        g = na.grad(_real_of_complex)(z)
        eps = 1e-6
        dfdx = (_real_of_complex_np(z + eps) - _real_of_complex_np(z - eps)) / (2 * eps)
        dfdy = (_real_of_complex_np(z + 1j * eps) - _real_of_complex_np(z - 1j * eps)) / (2 * eps)
        np.testing.assert_allclose(complex(g), dfdx - 1j * dfdy, rtol=1e-7, atol=1e-8)
    # through real/imag/complex of real inputs: f(x) = |x + 2ix|^2 = 5x^2
    g = na.grad(lambda x: lax.real(lax.mul(lax.complex(x, lax.mul(x, 2.0)),
                                           lax.conj(lax.complex(x, lax.mul(x, 2.0))))))(X0)
    _close(g, 10 * X0)
    check_grads(lambda z: lax.mul(lax.exp(z), lax.conj(z)), [Z], order=1)


# --- higher order ---------------------------------------------------------------------------

def test_third_derivative():
    for x in (X0, -1.3):
        _close(na.grad(na.grad(f1))(x), f1_derivs(x)[2])
        _close(na.grad(na.grad(na.grad(f1)))(x), f1_derivs(x)[3], 1e-11)
    g3 = na.jit(na.grad(na.grad(na.grad(f1))))
    _close(g3(X0), f1_derivs(X0)[3], 1e-11)


def f_hess(x):
    """R^n -> R with a non-diagonal Hessian: sum(sin(x) * reversed(x))."""
    return _sum(lax.mul(lax.sin(x), rev(x, (0,))))


def f_hess_np(x):
    r = x[::-1]
    return np.diag(-np.sin(x) * r) + np.eye(len(x))[::-1] * (np.cos(x) + np.cos(r))[:, None]


def test_hessian_three_ways():
    ref = f_hess_np(X)
    h = na.hessian(f_hess)(X)
    _close(h, ref)
    _close(na.jacfwd(na.jacrev(f_hess))(X), ref)
    _close(na.jacrev(na.jacfwd(f_hess))(X), ref)
    _close(na.jacrev(na.jacrev(f_hess))(X), ref)
    _close(na.jacfwd(na.grad(f_hess))(X), ref)


def test_hessian_of_dict_input_and_has_aux():
    h = na.hessian(f_dict)({"a": X, "b": Y})
    _close(h["a"]["a"], np.diag(-np.cos(X)))
    _close(h["a"]["b"], np.diag(np.cos(Y)))
    _close(h["b"]["a"], np.diag(np.cos(Y)))
    _close(h["b"]["b"], np.diag(-X * np.sin(Y)))
    h1, aux = na.hessian(lambda x: (f1(x), lax.neg(x)), has_aux=True)(X0)
    _close(h1, f1_derivs(X0)[2])
    _close(aux, -X0)


def test_grad_through_python_containers_and_namedtuples():
    Params = collections.namedtuple("Params", ["w", "b"])

    def loss(p, xs):
        return _sum(lax.integer_pow(lax.sub(lax.add(lax.mul(p.w, xs[0]), p.b), xs[1]), 2))

    p = Params(X, Y)
    g = na.grad(loss)(p, [T, T[::-1]])
    assert isinstance(g, Params)
    resid = X * T + Y - T[::-1]
    _close(g.w, 2 * resid * T)
    _close(g.b, 2 * resid)
