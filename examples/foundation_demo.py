"""A tour of npaccel's foundation: lax primitives, jit, grad, vmap and make_jaxpr, with
every result checked against NumPy. Run: python examples/foundation_demo.py"""
import time

import numpy as np

import npaccel as na
from npaccel import lax


def loss(w, xs, h0):
    """A small recurrent net unrolled with lax.scan; returns a scalar."""
    def step(h, x):
        h = lax.tanh(lax.add(lax.mul(w, h), x))
        return h, None
    h, _ = lax.scan(step, h0, xs)
    return lax.scan(lambda acc, v: (lax.add(acc, lax.mul(v, v)), None), 0.0, h)[0]


def loss_numpy(w, xs, h0):
    h = h0
    for x in xs:
        h = np.tanh(w * h + x)
    return np.sum(h * h)


def main():
    rng = np.random.default_rng(0)
    w, xs, h0 = rng.standard_normal(8), rng.standard_normal((50, 8)), rng.standard_normal(8)

    print("make_jaxpr of sin(x) * 2:")
    print(na.make_jaxpr(lambda x: lax.mul(lax.sin(x), 2.0))(np.ones(3)))

    value = na.jit(loss)(w, xs, h0)
    print(f"\nloss (npaccel jit) = {float(value):.12f}   NumPy = {loss_numpy(w, xs, h0):.12f}")

    g = na.jit(na.grad(loss))(w, xs, h0)
    eps = 1e-6
    fd = np.array([(loss_numpy(w + eps * e, xs, h0) - loss_numpy(w - eps * e, xs, h0)) / (2 * eps)
                   for e in np.eye(8)])
    print(f"grad max |npaccel - finite differences| = {np.max(np.abs(np.asarray(g) - fd)):.2e}")

    batch = rng.standard_normal((16, 8))
    per_example = na.jit(na.vmap(na.grad(loss), in_axes=(0, None, None)))(batch, xs, h0)
    loop = np.stack([np.asarray(na.grad(loss)(b, xs, h0)) for b in batch])
    print(f"vmap(grad) vs loop of grad: max diff = {np.max(np.abs(np.asarray(per_example) - loop)):.2e}")

    f = na.jit(na.grad(loss))
    f(w, xs, h0).block_until_ready()
    t0 = time.perf_counter()
    for _ in range(100):
        f(w, xs, h0).block_until_ready()
    print(f"jit(grad(loss)) per call: {(time.perf_counter() - t0) * 1e4:.1f} us")


if __name__ == "__main__":
    main()
