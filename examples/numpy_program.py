"""Plain NumPy code, unchanged, on npaccel arrays: eagerly, compiled with jit, and
differentiated with grad — each result checked against NumPy, with timings.

Run: python examples/numpy_program.py
"""
import time

import numpy as np

import npaccel as na


# --- ordinary NumPy code: nothing here knows about npaccel ------------------------------

def heat(u0, steps=50, alpha=0.2):
    u = u0.copy()
    for _ in range(steps):
        u[1:-1] = u[1:-1] + alpha * (u[:-2] - 2 * u[1:-1] + u[2:])
    return u


def energy(u0):
    u = heat(u0)
    return (u * u).sum() + np.abs(np.fft.rfft(u)).max()


def softmax_loss(w, x, labels):
    logits = x @ w
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(labels)), labels].mean()


# --- the same functions, three ways ------------------------------------------------------

def timed(f, *args, repeat=20):
    f(*args)                                   # warm-up (compiles once)
    t0 = time.perf_counter()
    for _ in range(repeat):
        out = f(*args)
    np.asarray(out)                            # wait for the result
    return out, (time.perf_counter() - t0) / repeat * 1e3


def report(name, ref, out, ms_np, ms):
    err = np.max(np.abs(np.asarray(out) - np.asarray(ref)))
    print(f"{name:<34} {ms_np:9.3f} ms  {ms:9.3f} ms  {ms_np / ms:7.2f}x   max |diff| {err:.1e}")


def main():
    rng = np.random.default_rng(0)
    u0 = rng.standard_normal(100_000)
    w, x, labels = rng.standard_normal((64, 10)), rng.standard_normal((2048, 64)), rng.integers(0, 10, 2048)

    print(f"{'program':<34} {'NumPy':>12}  {'npaccel':>12}  {'speed-up':>8}")
    ref, ms_np = timed(heat, u0)
    out, ms = timed(na.jit(heat), u0)
    report("heat, 50 in-place steps (jit)", ref, out, ms_np, ms)

    ref, ms_np = timed(energy, u0)
    out, ms = timed(na.jit(energy), u0)
    report("heat + FFT energy (jit)", ref, out, ms_np, ms)

    ref, ms_np = timed(softmax_loss, w, x, labels)
    out, ms = timed(na.jit(softmax_loss), w, x, labels)
    report("softmax cross-entropy (jit)", ref, out, ms_np, ms)

    out = softmax_loss(na.asarray(w), na.asarray(x), labels)
    print(f"softmax loss, eager on npaccel arrays: {float(out):.12f} (NumPy {float(ref):.12f})")

    g = na.jit(na.grad(softmax_loss))(w, x, labels)
    eps, e = 1e-6, np.zeros_like(w)
    e[3, 4] = 1
    fd = (softmax_loss(w + eps * e, x, labels) - softmax_loss(w - eps * e, x, labels)) / (2 * eps)
    print(f"grad[3, 4] = {float(np.asarray(g)[3, 4]):.10f}, finite differences {fd:.10f}")


if __name__ == "__main__":
    main()
