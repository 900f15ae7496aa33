"""vmap against Python loops: in_axes/out_axes specifications, axis_size, errors, nesting,
and compositions with grad, jit and the Jacobian functions."""
import numpy as np
import pytest

import npaccel as na
from npaccel import lax
from npaccel.lax.reduction import reduce_sum

RNG = np.random.default_rng(0)
A = RNG.standard_normal((2, 3))        # batch of 2 vectors of 3
B = RNG.standard_normal((2, 3))
V = RNG.standard_normal(3)
CUBE = RNG.standard_normal((2, 3, 4))


def _close(actual, expected, tol=1e-12):
    actual = np.asarray(actual)
    assert actual.shape == np.shape(expected)
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol)


def _loop(fun, *args, in_axes=0, size=None):
    """np.stack of fun applied to each example, slicing args along their in_axes."""
    axes = in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args)
    size = size or next(np.shape(a)[ax] for a, ax in zip(args, axes) if ax is not None)
    outs = [fun(*[a if ax is None else np.take(a, i, axis=ax) for a, ax in zip(args, axes)])
            for i in range(size)]
    return na.tree_util.tree_map(lambda *xs: np.stack([np.asarray(x) for x in xs]), *outs)


def f2(x, y):
    """Several primitives, with Python operators (broadcasting a scalar)."""
    return lax.sin(x) * y + lax.exp(-x * y) - 0.5


def test_vmap_matches_loop():
    _close(na.vmap(f2)(A, B), _loop(f2, A, B))
    _close(na.vmap(f2, in_axes=1)(A.T, B.T), _loop(f2, A, B))
    _close(na.vmap(f2, in_axes=-1)(A.T, B.T), _loop(f2, A, B))
    _close(na.vmap(lax.tanh)(CUBE), np.tanh(CUBE))


@pytest.mark.parametrize("in_axes,x,y", [((0, None), A, V), ((None, 0), V, B), ((1, 0), A.T, B),
                                         ((-1, None), A.T, V), ((-2, 0), A, B)],
                         ids=["0-None", "None-0", "1-0", "neg1-None", "neg2-0"])
def test_in_axes_int_none_negative(in_axes, x, y):
    _close(na.vmap(f2, in_axes=in_axes)(x, y), _loop(f2, x, y, in_axes=in_axes))


def test_in_axes_pytree_prefixes():
    def f(p, x):
        return lax.mul(p["w"], x[0]) + p["b"] * x[1]

    p = {"w": A.T, "b": V}
    x = (B, B * 2)
    out = na.vmap(f, in_axes=({"w": 1, "b": None}, 0))(p, x)
    ref = np.stack([A[i] * B[i] + V * 2 * B[i] for i in range(2)])
    _close(out, ref)
    out = na.vmap(f, in_axes=({"w": 1, "b": None}, (0, None)))(p, (B, V))
    _close(out, np.stack([A[i] * B[i] + V * V for i in range(2)]))
    # a list of in_axes is accepted like a tuple
    _close(na.vmap(f2, in_axes=[0, None])(A, V), _loop(f2, A, V, in_axes=(0, None)))


def test_none_leaves_and_keyword_arguments():
    def f(x, unused, y=None):
        return lax.mul(x, y)

    out = na.vmap(f, in_axes=(0, 0))(A, None, y=B)          # kwargs are mapped over axis 0
    _close(out, A * B)
    out = na.vmap(lambda d: lax.neg(d["x"]))({"x": A, "skip": None})
    _close(out, -A)


@pytest.mark.parametrize("out_axes", [0, 1, -1], ids=str)
def test_out_axes(out_axes):
    out = na.vmap(lambda x: lax.cos(x), in_axes=1, out_axes=out_axes)(CUBE)
    ref = np.moveaxis(np.stack([np.cos(CUBE[:, i]) for i in range(3)]), 0, out_axes)
    _close(out, ref)


def test_out_axes_none_and_pytree():
    def f(x, c):
        return {"mapped": lax.sin(x), "const": lax.exp(c), "pair": (x, c)}

    out = na.vmap(f, in_axes=(0, None),
                  out_axes={"mapped": 1, "const": None, "pair": (0, 0)})(A, V)
    _close(out["mapped"], np.sin(A).T)
    _close(out["const"], np.exp(V))                   # unbatched output, no batch axis
    _close(out["pair"][0], A)
    _close(out["pair"][1], np.broadcast_to(V, (2, 3)))   # unbatched, broadcast at axis 0
    with pytest.raises(ValueError, match="out_axes=None"):
        na.vmap(lax.sin, out_axes=None)(A)
    none_out = na.vmap(lambda x: (lax.sin(x), None))(A)
    assert none_out[1] is None


def test_axis_size_with_all_none_in_axes():
    out = na.vmap(lambda x: lax.sin(x), in_axes=None, axis_size=4)(V)
    _close(out, np.broadcast_to(np.sin(V), (4, 3)))
    out = na.vmap(lambda: lax.full((2,), 1.5), axis_size=3)()
    _close(out, np.full((3, 2), 1.5))
    with pytest.raises(ValueError):
        na.vmap(lax.sin, in_axes=None)(V)


def test_inconsistent_sizes_and_bad_specs_raise_value_error():
    with pytest.raises(ValueError, match="inconsistent"):
        na.vmap(f2)(A, CUBE[0])
    with pytest.raises(ValueError, match="inconsistent"):
        na.vmap(lax.sin, axis_size=5)(A)
    with pytest.raises(ValueError):
        na.vmap(f2, in_axes=(0, 0, 0))(A, B)
    with pytest.raises(ValueError):
        na.vmap(lax.sin, in_axes=2)(A)
    with pytest.raises(ValueError):
        na.vmap(lambda p: p["a"], in_axes=({"b": 0},))({"a": A})


def test_nested_vmap_outer_product():
    outer = na.vmap(na.vmap(lax.mul, in_axes=(None, 0)), in_axes=(0, None))
    _close(outer(V, A[0]), np.multiply.outer(V, A[0]))
    doubly = na.vmap(na.vmap(f2))(CUBE, CUBE * 0.5)
    _close(doubly, _loop(lambda c, d: _loop(f2, c, d), CUBE, CUBE * 0.5))
    inner_axis = na.vmap(na.vmap(lax.sin, in_axes=1, out_axes=1), in_axes=2, out_axes=0)(CUBE)
    _close(inner_axis, np.moveaxis(np.sin(CUBE), 2, 0))


def scalar_fn(x):
    return lax.mul(lax.sin(x), lax.exp(lax.mul(x, 0.5)))


def scalar_fn_grad(x):
    return np.cos(x) * np.exp(x / 2) + 0.5 * np.sin(x) * np.exp(x / 2)


def test_vmap_of_grad_and_grad_of_vmap_sum():
    _close(na.vmap(na.grad(scalar_fn))(V), scalar_fn_grad(V))
    _close(na.vmap(na.vmap(na.grad(scalar_fn)))(A), scalar_fn_grad(A))
    g = na.grad(lambda v: reduce_sum(na.vmap(scalar_fn)(v), (0,)))(V)
    _close(g, scalar_fn_grad(V))
    _close(na.jit(na.vmap(na.grad(scalar_fn)))(V), scalar_fn_grad(V))
    _close(na.vmap(na.jit(na.grad(scalar_fn)))(V), scalar_fn_grad(V))


def test_vmap_of_grad_with_unbatched_argument():
    def f(x, w):
        return reduce_sum(lax.mul(lax.sin(x), w), (0,))

    g = na.vmap(na.grad(f, argnums=(0, 1)), in_axes=(0, None))(A, V)
    _close(g[0], np.cos(A) * V)
    _close(g[1], np.sin(A))


def test_vmap_of_jacobians():
    def f(x):
        return lax.mul(lax.sin(x), lax.exp(x))

    diag = np.cos(A) * np.exp(A) + np.sin(A) * np.exp(A)
    ref = np.stack([np.diag(d) for d in diag])
    _close(na.vmap(na.jacrev(f))(A), ref)
    _close(na.vmap(na.jacfwd(f))(A), ref)
    h = na.vmap(na.jacfwd(na.jacrev(lambda x: reduce_sum(f(x), (0,)))))(A)
    second = 2 * np.cos(A) * np.exp(A)
    _close(h, np.stack([np.diag(d) for d in second]))
    h1 = na.jacfwd(na.jacrev(lambda x: reduce_sum(f(x), (0,))))(V)
    _close(h1, np.diag(2 * np.cos(V) * np.exp(V)))


def test_vmap_agrees_with_finite_differences_of_loop():
    eps = 1e-6
    g = na.vmap(na.grad(scalar_fn))(V)
    batched = na.vmap(scalar_fn)
    num = (np.asarray(batched(V + eps)) - np.asarray(batched(V - eps))) / (2 * eps)
    np.testing.assert_allclose(np.asarray(g), num, rtol=1e-7, atol=1e-8)
