"""The cost of a gradient relative to its function: jit(loss) vs jit(grad(loss)) and
jit(value_and_grad(loss)), for a scalar loss over 10^6 float64 inputs. Reverse mode should
cost a small constant times the forward pass (the usual target: at most about 3x)."""
from __future__ import annotations

import re

import numpy as np

import npaccel as na
from npaccel import lax

from benchmarks._common import (Stopwatch, banner, blocked, optional_jax, ratio,
                                seconds_per_call, table)
from benchmarks.jit_chain import CHAINS, N, NUMPY_OPS, inputs


def _reducer():
    """(name, sum over a vector) from the best primitive this npaccel has: reduce_sum when
    npaccel.lax.reduction exists, else a dot product with ones (sum_i y_i * 1)."""
    try:
        from npaccel.lax.reduction import reduce_sum
        return "lax.reduction.reduce_sum(y, (0,))", lambda y: reduce_sum(y, (0,))
    except ImportError:
        from npaccel.lax.contraction import dot
        return "lax.dot(y, ones) (no lax.reduction yet)", lambda y: dot(y, lax.full_like(y, 1.0))


REDUCER_NAME, total = _reducer()


def _jax_cases(jax, chain, x) -> dict:
    try:
        import jax.numpy as jnp
        loss = lambda v: jnp.sum(chain(jax.lax, v))  # noqa: E731
        x_jax = jax.device_put(x)
        fwd, grad = jax.jit(loss), jax.jit(jax.grad(loss))
        cases = {"JAX jit(loss)": blocked(lambda: fwd(x_jax)),
                 "JAX jit(grad(loss))": blocked(lambda: grad(x_jax))}
        for fn in cases.values():
            fn()
        return cases
    except Exception as e:  # an optional row must not stop the benchmark
        print(f"(JAX rows skipped: {type(e).__name__}: {e})")
        return {}


def measure(chain, x: np.ndarray):
    jax = optional_jax()
    loss = lambda v: total(chain(lax, v))  # noqa: E731
    fwd, grad, vg = na.jit(loss), na.jit(na.grad(loss)), na.jit(na.value_and_grad(loss))
    x_dev = na.device_put(x)
    np.testing.assert_allclose(float(fwd(x_dev)), chain(NUMPY_OPS, x).sum(), rtol=1e-9)
    g = np.asarray(grad(x_dev))
    assert g.shape == x.shape and np.all(np.isfinite(g))
    cases = {"NumPy loss (forward only)": lambda: chain(NUMPY_OPS, x).sum(),
             "jit(loss)": blocked(lambda: fwd(x_dev)),
             "jit(grad(loss))": blocked(lambda: grad(x_dev)),
             "jit(value_and_grad(loss))": blocked(lambda: vg(x_dev)[1])}
    if jax is not None:
        cases.update(_jax_cases(jax, chain, x))
    ms = {k: v * 1e3 for k, v in seconds_per_call(cases, repeat=5, target_s=0.3).items()}
    rows = []
    for k, v in ms.items():
        base = ms["JAX jit(loss)"] if k.startswith("JAX") else ms["jit(loss)"]
        rows.append([k, v, ratio(v, base)])
    hlo = grad.lower(x_dev).compile().hlo_text()
    return rows, hlo


def _fusions(hlo: str) -> str:
    kinds = re.findall(r"\bkind=(k\w+)", hlo)
    return ", ".join(f"{kinds.count(k)} {k}" for k in sorted(set(kinds))) or "none"


def main() -> None:
    clock = Stopwatch()
    banner(f"grad_cost: jit(loss) vs jit(grad(loss)), loss = sum(chain(x)), x: float64[{N}] "
           "(min of 5 repeats, after warm-up)")
    print(f"sum: {REDUCER_NAME}; chains: the two 20-op chains of benchmarks.jit_chain\n")
    x = inputs()
    for name, chain in CHAINS.items():
        rows, hlo = measure(chain, x)
        print(table([f"{name} chain", "ms per call", "×jit(loss)"], rows))
        print(f"jit(grad(loss)) optimized HLO: {_fusions(hlo)} fusions\n")
    print("target: jit(grad(loss)) at most 3x jit(loss)")
    clock.done()


if __name__ == "__main__":
    main()
