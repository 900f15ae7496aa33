"""custom_jvp / custom_vjp: the rules are used, compose with jit/vmap/grad, and are checked
against analytic derivatives and finite differences."""
import numpy as np
import pytest

import npaccel as na
from npaccel import lax
from harness import check_grads

X = np.array([-30.0, -1.5, 0.0, 0.7, 40.0])


# softplus = log(1 + exp(x)), written stably; its custom jvp is the logistic function.
@na.custom_jvp
def softplus(x):
    return lax.add(lax.max(x, lax.full_like(x, 0.0)), lax.log1p(lax.exp(lax.neg(lax.abs(x)))))


@softplus.defjvp
def _softplus_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return softplus(x), lax.mul(t, lax.logistic(x))


def test_custom_jvp_values_and_rule():
    ref = np.logaddexp(0, X)
    np.testing.assert_allclose(softplus(X), ref, rtol=1e-12)
    _, t = na.jvp(softplus, (X,), (np.ones_like(X),))
    np.testing.assert_allclose(t, 1 / (1 + np.exp(-X)), rtol=1e-12)
    g = na.vmap(na.grad(softplus))(X)
    np.testing.assert_allclose(g, 1 / (1 + np.exp(-X)), rtol=1e-12)
    np.testing.assert_allclose(na.jit(na.vmap(na.grad(softplus)))(X), g, rtol=1e-12)
    # Second derivative differentiates the rule itself: logistic' = s (1 - s).
    s = 1 / (1 + np.exp(-X))
    np.testing.assert_allclose(na.vmap(na.grad(na.grad(softplus)))(X), s * (1 - s), rtol=1e-10, atol=1e-14)
    check_grads(softplus, [X[1:4]], order=2)


def test_custom_jvp_rule_is_used_not_the_function():
    @na.custom_jvp
    def f(x):
        return lax.sin(x)

    @f.defjvp
    def f_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return f(x), lax.mul(t, lax.mul(lax.cos(x), 3.0))

    np.testing.assert_allclose(na.grad(f)(0.4), 3 * np.cos(0.4), rtol=1e-12)
    np.testing.assert_allclose(na.jacrev(f)(X), np.diag(3 * np.cos(X)), rtol=1e-12, atol=1e-15)


def test_custom_jvp_nondiff_argnums_defjvps_and_pytrees():
    @na.custom_jvp
    def scaled(k, p):
        return {"y": lax.mul(p["a"], p["b"])} if k else {"y": p["a"]}

    scaled = na.custom_jvp(scaled.fun, nondiff_argnums=(0,))

    @scaled.defjvp
    def scaled_jvp(k, primals, tangents):
        (p,), (t,) = primals, tangents
        return scaled(k, p), {"y": lax.add(lax.mul(t["a"], p["b"]), lax.mul(p["a"], t["b"]))}

    a, b = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    out = na.jvp(lambda p: scaled(True, p), ({"a": a, "b": b},), ({"a": np.ones(2), "b": np.zeros(2)},))
    np.testing.assert_allclose(out[1]["y"], b)

    @na.custom_jvp
    def h(x, y):
        return lax.mul(lax.sin(x), y)

    h.defjvps(lambda t, ans, x, y: lax.mul(lax.mul(lax.cos(x), y), t), lambda t, ans, x, y: lax.mul(lax.sin(x), t))
    gx, gy = na.grad(h, (0, 1))(0.3, 2.0)
    np.testing.assert_allclose([gx, gy], [np.cos(0.3) * 2.0, np.sin(0.3)], rtol=1e-12)


# clip_gradient: identity forward, gradient clipped to [lo, hi] backward.
@na.custom_vjp
def clip_gradient(x, lo, hi):
    return x


def _clip_fwd(x, lo, hi):
    return x, (lo, hi)


def _clip_bwd(res, ct):
    lo, hi = res
    return (lax.clamp(lo, ct, hi), None, None)


clip_gradient.defvjp(_clip_fwd, _clip_bwd)


def test_custom_vjp_rule_is_used():
    f = lambda x: lax.mul(clip_gradient(x, -0.5, 0.5), 3.0)
    np.testing.assert_allclose(f(X), 3 * X)
    np.testing.assert_allclose(na.grad(f)(2.0), 0.5)
    np.testing.assert_allclose(na.vmap(na.grad(f))(X), np.clip(np.full_like(X, 3.0), -0.5, 0.5))
    np.testing.assert_allclose(na.jit(na.grad(f))(2.0), 0.5)


def test_custom_vjp_matches_finite_differences_when_correct():
    @na.custom_vjp
    def f(x, y):
        return lax.mul(lax.sin(x), y)

    def fwd(x, y):
        return f(x, y), (lax.cos(x), lax.sin(x), y)

    def bwd(res, ct):
        c, s, y = res
        return lax.mul(ct, lax.mul(c, y)), lax.mul(ct, s)

    f.defvjp(fwd, bwd)
    xs, ys = X[1:4], np.array([2.0, -1.0, 0.5])
    eps = 1e-6
    numerical = [(np.sin(xs + eps) - np.sin(xs - eps)) / (2 * eps) * ys,
                 np.sin(xs) * ((ys + eps) - (ys - eps)) / (2 * eps)]
    jx, jy = na.jacrev(f, (0, 1))(xs, ys)
    np.testing.assert_allclose(np.diag(np.asarray(jx)), numerical[0], rtol=1e-8)
    np.testing.assert_allclose(np.diag(np.asarray(jy)), numerical[1], rtol=1e-8)
    jac = na.jacrev(f)(xs, ys)
    np.testing.assert_allclose(jac, np.diag(np.cos(xs) * ys), atol=1e-14)
    gx, gy = na.grad(lambda x, y: f(x, y), (0, 1))(0.3, 2.0)
    np.testing.assert_allclose([gx, gy], [np.cos(0.3) * 2.0, np.sin(0.3)], rtol=1e-12)


def test_custom_vjp_forward_mode_is_an_error():
    with pytest.raises(TypeError, match="forward-mode"):
        na.jvp(lambda x: clip_gradient(x, -1.0, 1.0), (1.0,), (1.0,))


def test_custom_vjp_nondiff_argnums_and_bad_bwd():
    def scale(k, x):
        return lax.mul(x, k)

    scale_c = na.custom_vjp(scale, nondiff_argnums=(0,))
    scale_c.defvjp(lambda k, x: (scale(k, x), None), lambda k, res, ct: (lax.mul(ct, 2.0 * k),))
    np.testing.assert_allclose(na.grad(lambda x: scale_c(3.0, x))(1.0), 6.0)

    bad = na.custom_vjp(lambda x: x)
    bad.defvjp(lambda x: (x, None), lambda res, ct: ct)
    with pytest.raises(TypeError, match="tuple"):
        na.grad(bad)(1.0)


def test_missing_rules_raise():
    with pytest.raises(AttributeError, match="defjvp"):
        na.custom_jvp(lambda x: x)(1.0)
    with pytest.raises(AttributeError, match="defvjp"):
        na.custom_vjp(lambda x: x)(1.0)


def test_stop_gradient():
    f = lambda x: lax.mul(lax.stop_gradient(lax.mul(x, x)), x)
    np.testing.assert_allclose(na.grad(f)(3.0), 9.0)
    np.testing.assert_allclose(na.vmap(na.grad(f))(X[1:4]), X[1:4] ** 2)
    np.testing.assert_allclose(f(3.0), 27.0)
