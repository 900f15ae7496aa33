"""jit: agreement with eager evaluation and NumPy, pytrees, static arguments, the trace
cache, lowering, weak types, and other transformations applied to jitted functions."""
import functools

import numpy as np
import pytest

import npaccel as na
from npaccel import lax
from npaccel.core import Tracer, dtypes
from npaccel.lax.reduction import reduce_sum

RNG = np.random.default_rng(0)
X = RNG.standard_normal(3)
Y = RNG.standard_normal(3)
M = RNG.standard_normal((2, 3))
W = RNG.standard_normal(3)          # closed over by `model`


def model(x, y):
    return lax.add(lax.mul(lax.sin(x), lax.exp(lax.neg(y))), lax.mul(lax.tanh(x), W))


def model_np(x, y):
    return np.sin(x) * np.exp(-y) + np.tanh(x) * W


def _close(actual, expected, tol=1e-12):
    actual = np.asarray(actual)
    assert actual.dtype == np.asarray(expected).dtype
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol)


class Counted:
    """A function that counts how often Python runs it (i.e. traces, under jit)."""

    def __init__(self, fun):
        self.fun, self.calls = fun, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.fun(*args, **kwargs)


def test_jit_matches_eager_and_numpy():
    jitted = na.jit(model)(X, Y)
    assert type(jitted) is na.Array
    _close(jitted, model_np(X, Y))
    _close(jitted, np.asarray(model(X, Y)))
    m2 = RNG.standard_normal((2, 3)).astype(np.float32)
    f32 = na.jit(lambda a, b: lax.sub(lax.mul(a, b), lax.sqrt(lax.abs(b))))(M.astype(np.float32), m2)
    _close(f32, (M.astype(np.float32) * m2 - np.sqrt(np.abs(m2))).astype(np.float32), 1e-6)


def test_pytrees_in_and_out():
    def f(params, batch):
        h = lax.mul(params["w"], batch[0])
        return {"out": (lax.add(h, params["b"]), None), "aux": [lax.cos(batch[1]), batch[1]],
                "none": None}

    params = {"w": X, "b": Y}
    batch = (M[0], M[1])
    out = na.jit(f)(params, batch)
    assert set(out) == {"out", "aux", "none"}
    assert out["none"] is None and out["out"][1] is None
    assert isinstance(out["out"], tuple) and isinstance(out["aux"], list)
    _close(out["out"][0], X * M[0] + Y)
    _close(out["aux"][0], np.cos(M[1]))
    _close(out["aux"][1], M[1])


def test_none_and_empty_containers_as_arguments():
    f = na.jit(lambda a, b, c: (lax.neg(a["x"]), c))
    out = f({"x": X, "unused": None}, None, ())
    _close(out[0], -X)
    assert out[1] == ()


def test_no_retrace_for_a_seen_signature():
    counted = Counted(model)
    f = na.jit(counted)
    for _ in range(3):
        _close(f(X, Y), model_np(X, Y))
    _close(f(Y, X), model_np(Y, X))                     # new values, same shapes/dtypes
    _close(f(na.device_put(X), Y), model_np(X, Y))       # an npaccel.Array is the same signature
    assert counted.calls == 1 and f._cache_size() == 1


def test_retrace_on_new_shape_dtype_or_weak_type():
    counted = Counted(lambda a: lax.mul(a, a))
    f = na.jit(counted)
    f(X)
    f(M)                                          # new shape
    f(X.astype(np.float32))                       # new dtype
    f(2.0)                                        # weak f64 scalar
    f(np.float64(2.0))                            # strong f64 scalar: a different signature
    f(M)
    assert counted.calls == 5 and f._cache_size() == 5


def test_static_argnums_and_argnames():
    counted = Counted(lambda x, n, *, op="sin": lax.integer_pow(getattr(lax, op)(x), n))
    f = na.jit(counted, static_argnums=1, static_argnames="op")
    _close(f(X, 2), np.sin(X) ** 2)
    _close(f(X, 2), np.sin(X) ** 2)
    _close(f(X, 3), np.sin(X) ** 3)
    _close(f(X, 3, op="cos"), np.cos(X) ** 3)
    _close(f(Y, 3, op="cos"), np.cos(Y) ** 3)
    assert counted.calls == 3 and f._cache_size() == 3


def test_static_arguments_by_position_or_keyword():
    def f(x, n):
        return lax.integer_pow(x, n)

    for jitted in (na.jit(f, static_argnums=1), na.jit(f, static_argnames="n"),
                   na.jit(f, static_argnums=-1), na.jit(f, static_argnums=(1,))):
        _close(jitted(X, 3), X ** 3)
        _close(jitted(X, n=2), X ** 2)


def test_static_values_are_keyed_by_value_and_type():
    counted = Counted(lambda x, scale: lax.mul(x, lax.full_like(x, scale[0] * scale[1])))
    f = na.jit(counted, static_argnums=1)
    _close(f(X, (2.0, 1)), 2.0 * X)
    _close(f(X, (2.0, 1)), 2.0 * X)              # an equal (not identical) tuple: no retrace
    _close(f(X, (3.0, 1)), 3.0 * X)
    assert counted.calls == 2
    g = na.jit(Counted(lambda x, k: lax.mul(x, lax.full_like(x, k))), static_argnums=1)
    _close(g(X, 3.0), 3.0 * X)
    _close(g(X, 3), 3.0 * X)                     # 3 == 3.0, but a different type
    assert g._cache_size() == 2


def test_unhashable_static_argument():
    f = na.jit(lambda x, shape: lax.reshape(x, shape), static_argnums=1)
    with pytest.raises(ValueError, match="hashable"):
        f(M, [3, 2])
    with pytest.raises(ValueError, match="hashable"):
        na.jit(lambda x, *, axes: x, static_argnames="axes")(X, axes=np.array([0]))
    _close(f(M, (3, 2)), M.reshape(3, 2))


def test_closure_over_numpy_arrays_is_captured_at_trace_time():
    consts = {"c": np.array([1.0, 2.0, 3.0])}
    f = na.jit(lambda x: lax.mul(x, consts["c"]))
    _close(f(X), X * np.array([1.0, 2.0, 3.0]))
    (const,) = na.make_jaxpr(lambda x: lax.mul(x, consts["c"]))(X).consts
    assert const is consts["c"]


def test_jit_of_jit_and_decorator_form():
    inner = na.jit(model)
    outer = na.jit(lambda x, y: lax.mul(inner(x, y), inner(y, x)))
    _close(outer(X, Y), model_np(X, Y) * model_np(Y, X))

    @na.jit
    def decorated(x):
        """Docstring kept."""
        return lax.cos(x)

    assert decorated.__name__ == "decorated" and decorated.__doc__ == "Docstring kept."
    _close(decorated(X), np.cos(X))
    partial_form = na.jit(static_argnums=1)(lambda x, k: lax.integer_pow(x, k))
    _close(partial_form(X, 2), X ** 2)


def test_lower_as_text():
    text = na.jit(model).lower(X, Y).as_text()
    assert "stablehlo" in text and "func.func public @main" in text
    assert "stablehlo.sine" in text and "stablehlo.tanh" in text
    assert "tensor<3xf64>" in text


def test_weak_typed_scalar_arguments():
    out = na.jit(lambda s: lax.add(s, s))(1.5)
    assert out.weak_type and out.dtype == np.float64
    np.testing.assert_allclose(float(out), 3.0)
    both = na.jit(lambda a, s: lax.mul(a, lax.full_like(a, s)))
    _close(both(X.astype(np.float32), 2.0), (X * 2).astype(np.float32), 1e-6)
    ints = na.jit(lambda i: lax.add(i, 1))(2)
    assert ints.dtype == np.int64 and int(ints) == 3


def test_weak_typed_scalar_argument_does_not_promote_under_jit():
    """A Python scalar stays weak through jit (NEP 50): f32 * 2.0 is f32 eagerly and jitted."""
    a32 = X.astype(np.float32)
    eager = na.device_put(a32) * 2.0
    jitted = na.jit(lambda a, s: a * s)(a32, 2.0)
    assert eager.dtype == jitted.dtype == (a32 * 2.0).dtype == np.float32
    _close(jitted, a32 * np.float32(2.0), 1e-6)
    weak = na.jit(lambda s: lax.add(s, s))(1.0)               # a weak f64 Array
    assert (na.device_put(a32) * weak).dtype == np.float32
    assert na.jit(lambda a, s: a + s)(np.int8(3), 2).dtype == np.int8


def test_transformations_of_jit():
    f = na.jit(model)
    t = RNG.standard_normal(3)
    p, t_out = na.jvp(f, (X, Y), (t, np.zeros(3)))
    _close(p, model_np(X, Y))
    _close(t_out, (np.cos(X) * np.exp(-Y) + (1 - np.tanh(X) ** 2) * W) * t)
    g = na.grad(lambda x, y: reduce_sum(f(x, y), (0,)), argnums=(0, 1))(X, Y)
    _close(g[0], np.cos(X) * np.exp(-Y) + (1 - np.tanh(X) ** 2) * W)
    _close(g[1], -np.sin(X) * np.exp(-Y))
    _, f_lin = na.linearize(f, X, Y)
    _close(f_lin(t, np.zeros(3)), t_out)
    batched = na.vmap(f, in_axes=(0, None))(M, Y)
    _close(batched, np.stack([model_np(m, Y) for m in M]))
    jitted_twice = na.jit(na.grad(na.jit(lambda x: lax.mul(lax.sin(x), x))))
    _close(na.grad(jitted_twice)(0.7), 2 * np.cos(0.7) - 0.7 * np.sin(0.7))


def test_transformations_of_jit_with_integer_arguments_and_outputs():
    f = na.jit(lambda x, i: (lax.mul(x, lax.convert_element_type(i, np.float64)),
                             lax.convert_element_type(x, np.int32)))
    i = np.arange(3, dtype=np.int32)
    out, f_vjp = na.vjp(f, X, i)
    _close(out[0], X * i)
    gx, gi = f_vjp((Y, np.zeros(3, dtypes.float0)))
    _close(gx, Y * i)
    assert gi.dtype == dtypes.float0 and gi.shape == (3,)
    _, t_out = na.jvp(f, (X, i), (Y, np.zeros(3, dtypes.float0)))
    _close(t_out[0], Y * i)
    assert t_out[1].dtype == dtypes.float0
    batched = na.vmap(f, in_axes=(0, None))(M, i)
    _close(batched[0], M * i)
    _close(batched[1], M.astype(np.int32))


def test_jit_as_a_method_decorator():
    class Scaler:
        def __init__(self, k):
            self.k = k

        def __hash__(self):
            return hash(self.k)

        def __eq__(self, other):
            return type(other) is Scaler and other.k == self.k

        @functools.partial(na.jit, static_argnums=0)
        def scale(self, x):
            return lax.mul(x, lax.full_like(x, self.k))

    _close(Scaler(2.0).scale(X), 2.0 * X)
    _close(Scaler(2.0).scale(Y), 2.0 * Y)             # an equal instance: cached
    _close(Scaler(3.0).scale(X), 3.0 * X)
    assert Scaler.scale._cache_size() == 2


def test_derivatives_of_a_jitted_function_are_derived_once():
    """grad/jvp/vmap of jit(f) derive the same jaxprs on every call: they are cached with the
    jitted jaxpr, so later calls reuse what was compiled instead of accumulating entries."""
    from npaccel.transforms import eval as eager
    f = na.jit(model)
    g = na.grad(lambda x: reduce_sum(f(x, Y), (0,)))

    def transformed_calls():
        out = g(X)
        na.vmap(f, in_axes=(0, None))(M, Y)
        na.jvp(f, (X, Y), (X, Y))
        return out

    first = transformed_calls()
    size = len(eager._primitive_cache)
    for _ in range(3):
        _close(transformed_calls(), np.asarray(first))
    assert len(eager._primitive_cache) == size


def test_jit_closing_over_an_outer_tracer():
    def outer(y):
        return na.jit(lambda a: lax.mul(lax.sin(a), y))(1.25)

    np.testing.assert_allclose(na.grad(outer)(0.5), np.sin(1.25))
    _close(na.vmap(outer)(X), np.sin(1.25) * X)


def test_jit_does_not_leak_tracers_into_results():
    out = na.jit(lambda x: (x, lax.neg(x)))(X)
    assert not any(isinstance(o, Tracer) for o in out)
    _close(out[0], X)
