"""Control flow against Python loops and branches, under every transformation."""
import numpy as np
import pytest

import npaccel as na
from npaccel import lax
from harness import check_grads

RNG = np.random.default_rng(0)
X3 = RNG.standard_normal(3)
XS = RNG.standard_normal((5, 3))


def close(a, b, tol=1e-12):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


# --- while_loop -------------------------------------------------------------------------

def _double_until(limit):
    return lambda x: lax.while_loop(lambda v: lax.lt(v, limit), lambda v: lax.mul(v, 2.0), x)


def _double_until_py(x, limit):
    while x < limit:
        x = x * 2.0
    return x


@pytest.mark.parametrize("x", [0.3, 1.7, 12.0])
def test_while_eager_and_jit(x):
    f = _double_until(10.0)
    close(f(x), _double_until_py(x, 10.0))
    close(na.jit(f)(x), _double_until_py(x, 10.0))


def test_while_pytree_carry_and_closure():
    w = np.array([0.5, 1.5, 2.5])

    def f(x):
        def body(c):
            i, v = c
            return lax.add(i, 1), lax.add(lax.mul(v, w), x)
        return lax.while_loop(lambda c: lax.lt(c[0], 4), body, (0, x))[1]

    v = X3
    for _ in range(4):
        v = v * w + X3
    close(f(X3), v)
    close(na.jit(f)(X3), v)


def test_while_vmap_batched_predicate_matches_loop():
    xs = np.array([0.3, 1.7, 12.0, 5.0])
    f = _double_until(10.0)
    close(na.vmap(f)(xs), [_double_until_py(x, 10.0) for x in xs])
    close(na.jit(na.vmap(f))(xs), [_double_until_py(x, 10.0) for x in xs])


def test_while_vmap_unbatched_predicate():
    def f(x):
        return lax.while_loop(lambda c: lax.lt(c[0], 3), lambda c: (lax.add(c[0], 1), lax.sin(c[1])),
                              (0, x))[1]
    close(na.vmap(f)(XS[:, 0]), [np.sin(np.sin(np.sin(x))) for x in XS[:, 0]])


def test_while_forward_mode_matches_finite_differences():
    def f(x):
        return lax.while_loop(lambda c: lax.lt(c[0], 3), lambda c: (lax.add(c[0], 1), lax.mul(c[1], lax.cos(c[1]))),
                              (0, x))[1]
    check_grads(f, [X3], order=2, modes=("fwd",))
    close(na.jacfwd(f)(X3), np.diag(np.asarray(na.jvp(f, (X3,), (np.ones(3),))[1])))


def test_while_reverse_mode_raises_clear_error():
    with pytest.raises(ValueError, match="Reverse-mode differentiation does not work for lax.while_loop"):
        na.grad(_double_until(10.0))(0.3)


def test_while_type_errors():
    with pytest.raises(TypeError, match="boolean scalar"):
        lax.while_loop(lambda v: v, lambda v: v, 1.0)
    with pytest.raises(TypeError, match="identical types"):
        lax.while_loop(lambda v: lax.lt(v, 3), lambda v: np.float32(1.0), 1.0)


# --- fori_loop --------------------------------------------------------------------------

def _fori(x, lo=0, hi=4):
    return lax.fori_loop(lo, hi, lambda i, v: v * lax.sin(v) + lax.convert_element_type(i, np.float64), x)


def _fori_py(x, lo=0, hi=4):
    for i in range(lo, hi):
        x = x * np.sin(x) + i
    return x


def test_fori_static_bounds_all_modes():
    close(_fori(X3), _fori_py(X3))
    close(na.jit(_fori)(X3), _fori_py(X3))
    close(na.vmap(_fori)(XS), [_fori_py(x) for x in XS])
    check_grads(_fori, [X3], order=2)


def test_fori_traced_bounds_under_jit():
    f = na.jit(lambda x, n: lax.fori_loop(0, n, lambda i, v: lax.mul(v, 1.5), x))
    for n in (0, 3, 5):
        close(f(X3, n), X3 * 1.5 ** n)
    assert f._cache_size() == 1  # n is traced: one compile serves every trip count


def test_fori_nested_in_grad_of_closure():
    def loss(w):
        return lax.fori_loop(0, 3, lambda i, v: lax.tanh(lax.mul(w, v)), X3)
    check_grads(loss, [np.array([0.7, -0.3, 1.1])], order=2)


# --- cond / switch ----------------------------------------------------------------------

def _branchy(x, y):
    return lax.cond(lax.gt(x, 0.0), lambda a, b: lax.mul(lax.sin(a), b),
                    lambda a, b: lax.sub(lax.cos(a), b), x, y)


def _branchy_py(x, y):
    return np.sin(x) * y if x > 0 else np.cos(x) - y


@pytest.mark.parametrize("x", [0.8, -0.4])
def test_cond_values_and_derivatives(x):
    close(_branchy(x, 1.3), _branchy_py(x, 1.3))
    close(na.jit(_branchy)(x, 1.3), _branchy_py(x, 1.3))
    check_grads(_branchy, [np.float64(x), np.float64(1.3)], order=2)
    gx, gy = na.grad(_branchy, (0, 1))(x, 1.3)
    if x > 0:
        close([gx, gy], [np.cos(x) * 1.3, np.sin(x)])
    else:
        close([gx, gy], [-np.sin(x), -1.0])


def test_cond_vmap_batched_predicate_and_operands():
    xs, ys = np.array([0.8, -0.4, 2.0]), np.array([1.0, 2.0, 3.0])
    close(na.vmap(_branchy)(xs, ys), [_branchy_py(x, y) for x, y in zip(xs, ys)])
    close(na.vmap(_branchy, in_axes=(None, 0))(0.8, ys), [_branchy_py(0.8, y) for y in ys])
    close(na.vmap(na.grad(_branchy))(xs, ys), [na.grad(_branchy)(x, y) for x, y in zip(xs, ys)])


def test_cond_pytrees_closures_and_numeric_predicate():
    w = np.array([1.0, 2.0, 3.0])
    f = lambda p, d: lax.cond(p, lambda d: {"a": lax.mul(d["x"], w)}, lambda d: {"a": d["x"]}, d)
    close(f(1, {"x": X3})["a"], X3 * w)
    close(f(0, {"x": X3})["a"], X3)


def test_cond_errors():
    with pytest.raises(TypeError, match="scalar"):
        lax.cond(np.array([True, False]), lambda x: x, lambda x: x, 1.0)
    with pytest.raises(TypeError, match="identical types"):
        lax.cond(True, lambda x: x, lambda x: np.float32(1), 1.0)


def test_switch_clamps_index_and_differentiates():
    branches = [lambda x: lax.sin(x), lambda x: lax.cos(x), lambda x: lax.mul(x, x)]
    refs = [np.sin, np.cos, lambda x: x * x]
    for i in (-3, 0, 1, 2, 7):
        close(lax.switch(i, branches, X3), refs[min(max(i, 0), 2)](X3))
        close(na.jit(lambda i, x: lax.switch(i, branches, x))(i, X3), refs[min(max(i, 0), 2)](X3))
    idx = np.array([0, 2, 1, 5])
    close(na.vmap(lambda i, x: lax.switch(i, branches, x))(idx, XS[:4, 0]),
          [refs[min(i, 2)](x) for i, x in zip(idx, XS[:4, 0])])
    check_grads(lambda x: lax.switch(2, branches, x), [X3], order=2)


# --- scan -------------------------------------------------------------------------------

def _rnn(w, xs, h0):
    def step(h, x):
        h = lax.tanh(lax.add(lax.mul(w, h), x))
        return h, lax.mul(h, h)
    return lax.scan(step, h0, xs)


def _rnn_py(w, xs, h0):
    h, ys = h0, []
    for x in xs:
        h = np.tanh(w * h + x)
        ys.append(h * h)
    return h, np.stack(ys)


W = np.array([0.5, -1.2, 0.8])


def test_scan_matches_loop_and_jit():
    for f in (_rnn, na.jit(_rnn)):
        h, ys = f(W, XS, X3)
        rh, rys = _rnn_py(W, XS, X3)
        close(h, rh)
        close(ys, rys)


def test_scan_reverse_and_length_without_xs():
    h, ys = lax.scan(lambda c, x: (lax.add(c, x), c), np.zeros(3), XS, reverse=True)
    close(h, XS.sum(0))
    close(ys, np.cumsum(XS[::-1], 0)[::-1] - XS)
    c, ys = lax.scan(lambda c, _: (lax.mul(c, 2.0), c), X3, None, length=4)
    close(ys, [X3 * 2 ** i for i in range(4)])


def test_scan_pytree_carry_and_xs():
    def step(c, x):
        return {"s": lax.add(c["s"], x[0]), "p": lax.mul(c["p"], x[1])}, (x[0],)
    c, (ys,) = lax.scan(step, {"s": np.zeros(3), "p": np.ones(3)}, (XS, XS + 2))
    close(c["s"], XS.sum(0))
    close(c["p"], np.prod(XS + 2, 0))
    close(ys, XS)


def test_scan_grads_both_modes_including_closed_over_weights():
    check_grads(lambda w, xs, h0: _rnn(w, xs, h0), [W, XS, X3], order=2)
    # Weights closed over by the body (consts of the scan), differentiated from outside.
    def via_closure(w):
        return lax.scan(lambda h, x: (lax.tanh(lax.add(lax.mul(w, h), x)), h), X3, XS)[0]
    check_grads(via_closure, [W], order=2)
    jac = na.jacrev(via_closure)(W)
    close(jac, na.jacfwd(via_closure)(W), 1e-10)


def test_scan_hessian_and_jit_grad():
    def f(w):
        h, ys = _rnn(w, XS, X3)
        return lax.add(lax.mul(h, h), h)
    loss = lambda w: lax.scan(lambda c, y: (lax.add(c, y), None), 0.0, f(w))[0]
    close(na.hessian(loss)(W), na.jacfwd(na.jacfwd(loss))(W), 1e-8)
    close(na.jit(na.grad(loss))(W), na.grad(loss)(W))


def test_scan_vmap_over_xs_and_carry():
    batched_xs = np.stack([XS, XS * 2, XS - 1])
    out = na.vmap(_rnn, in_axes=(None, 0, None))(W, batched_xs, X3)
    for i in range(3):
        rh, rys = _rnn_py(W, batched_xs[i], X3)
        close(np.asarray(out[0])[i], rh)
        close(np.asarray(out[1])[i], rys)
    # Batch on axis 1 of xs, and on the carry.
    out = na.vmap(_rnn, in_axes=(None, 1, 0))(W, np.moveaxis(batched_xs, 0, 1), np.stack([X3] * 3))
    close(np.asarray(out[0])[2], _rnn_py(W, batched_xs[2], X3)[0])
    g = na.vmap(na.grad(lambda w, xs: lax.scan(lambda c, x: (lax.add(c, lax.mul(w, x)), None), 0.0, xs)[0]),
                in_axes=(0, None))(np.array([1.0, 2.0]), XS[:, 0])
    close(g, [XS[:, 0].sum()] * 2)


def test_scan_errors():
    with pytest.raises(TypeError, match="carry"):
        lax.scan(lambda c, x: (np.float32(0), x), 0.0, XS)
    with pytest.raises(ValueError, match="inconsistent lengths"):
        lax.scan(lambda c, x: (c, x), 0.0, (XS, XS[:2]))


def test_map():
    close(lax.map(lambda x: lax.mul(x, x), XS), XS * XS)


def test_lowering_is_one_structured_op():
    from harness import lowered_ops
    assert lowered_ops(lambda x: _double_until(10.0)(x), 1.0)[0] == "stablehlo.while"
    assert lowered_ops(lambda x: _branchy(x, 1.0), 1.0).count("stablehlo.case") == 1
    assert lowered_ops(lambda xs: _rnn(W, xs, X3), XS)[0] == "stablehlo.while"


def test_scan_of_length_zero():
    c, ys = lax.scan(lambda c, x: (lax.add(c, x), lax.mul(x, 2.0)), np.zeros(3), XS[:0])
    close(c, np.zeros(3))
    assert np.asarray(ys).shape == (0, 3)
    c, _ = na.jit(lambda xs: lax.scan(lambda c, x: (lax.add(c, x), None), 1.0, xs))(np.zeros(0))
    close(c, 1.0)
