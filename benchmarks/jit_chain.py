"""A 20-op elementwise chain on 10^6 float64 elements: NumPy (one pass over memory per op)
vs npaccel eager (one executable per op) vs `na.jit` (XLA fuses the chain into one loop).
Then the optimized HLO of the jitted function, with its fusions counted."""
from __future__ import annotations

import re
import types

import numpy as np

import npaccel as na
from npaccel import lax

from benchmarks._common import (Stopwatch, banner, blocked, optional_jax, ratio,
                                seconds_per_call, table)

N = 10**6

# jax.lax names, so `chain` runs on npaccel.lax, on jax.lax, and on this NumPy namespace.
NUMPY_OPS = types.SimpleNamespace(
    sin=np.sin, cos=np.cos, exp=np.exp, tanh=np.tanh, log1p=np.log1p, sqrt=np.sqrt,
    abs=np.abs, neg=np.negative, mul=np.multiply, add=np.add, sub=np.subtract,
    div=np.divide, max=np.maximum, min=np.minimum)


def chain(m, x):
    """20 elementwise ops, transcendentals (sin, cos, exp, tanh, log1p) mixed with arithmetic
    (values stay finite for any finite x)."""
    y = m.sin(x)                    # 1
    y = m.mul(y, x)                 # 2
    y = m.add(y, 1.5)               # 3
    y = m.cos(y)                    # 4
    y = m.exp(y)                    # 5
    y = m.mul(y, 0.5)               # 6
    y = m.tanh(y)                   # 7
    y = m.add(y, x)                 # 8
    y = m.abs(y)                    # 9
    y = m.sqrt(y)                   # 10
    y = m.sub(y, x)                 # 11
    y = m.sin(y)                    # 12
    y = m.mul(y, y)                 # 13
    y = m.log1p(y)                  # 14
    y = m.max(y, x)                 # 15
    y = m.cos(y)                    # 16
    y = m.neg(y)                    # 17
    y = m.exp(y)                    # 18
    y = m.div(y, 3.0)               # 19
    y = m.tanh(y)                   # 20
    return y


def arith_chain(m, x):
    """20 cheap elementwise ops (no transcendentals): memory traffic dominates, which is what
    fusion removes."""
    y = m.mul(x, x)
    for c in (0.5, 1.5, 0.25):
        y = m.add(y, x)
        y = m.mul(y, c)
        y = m.sub(y, x)
        y = m.max(y, x)
        y = m.min(y, 3.0)
        y = m.abs(y)
    y = m.neg(y)
    return y


N_OPS = 20
CHAINS = {"transcendental mix": chain, "arithmetic only": arith_chain}


def inputs(n: int = N) -> np.ndarray:
    return np.linspace(-2.0, 2.0, n)


def count_fusions(hlo: str) -> dict[str, int]:
    """Fusion instructions (`fusion(` call sites), those of kind kLoop, and the fused
    computations they call, in an optimized HLO module's text."""
    return {"fusion(": len(re.findall(r"\bfusion\(", hlo)),
            "kind=kLoop": hlo.count("kind=kLoop"),
            "kind=k* (fusions of any kind)": len(re.findall(r"\bkind=k\w+", hlo)),
            "fused computations": len(re.findall(r"^\s*%?fused_computation\S*\s", hlo, re.M))}


def measure(chain, x: np.ndarray):
    jax = optional_jax()
    jitted = na.jit(lambda v: chain(lax, v))
    x_dev = na.device_put(x)
    # Same values everywhere: checked, not timed.
    np.testing.assert_allclose(np.asarray(jitted(x_dev)), chain(NUMPY_OPS, x), rtol=1e-12)
    cases = {"NumPy": lambda: chain(NUMPY_OPS, x),
             "npaccel eager": blocked(lambda: chain(lax, x_dev)),
             "npaccel jit": blocked(lambda: jitted(x_dev)),
             "npaccel jit, NumPy in": blocked(lambda: jitted(x))}
    if jax is not None:
        try:
            x_jax, jax_jitted = jax.device_put(x), jax.jit(lambda v: chain(jax.lax, v))
            cases["JAX jit"] = blocked(lambda: jax_jitted(x_jax))
            cases["JAX jit"]()
        except Exception as e:  # an optional row must not stop the benchmark
            cases.pop("JAX jit", None)
            print(f"(JAX row skipped: {type(e).__name__}: {e})")
    ms = {k: v * 1e3 for k, v in seconds_per_call(cases, repeat=5, target_s=0.3).items()}
    return [[k, v, v / N_OPS * 1e3, ratio(v, ms["NumPy"]), ratio(ms["NumPy"], v)]
            for k, v in ms.items()]


def main() -> None:
    clock = Stopwatch()
    banner(f"jit_chain: a {N_OPS}-op elementwise chain on float64[{N}] "
           "(min of 5 repeats, after warm-up)")
    x = inputs()
    for name, fun in CHAINS.items():
        rows = measure(fun, x)
        print(f"{name}: {' '.join(fun.__doc__.split())}")
        print(table([name, "ms per call", "µs per op", "time ×NumPy", "speed-up vs NumPy"], rows))
        print()
    fun = lambda v: chain(lax, v)  # noqa: E731
    n_eqns = len(na.make_jaxpr(fun)(x).eqns)
    print(f"jaxpr of the transcendental mix: {n_eqns} equations (the {N_OPS} ops, plus a "
          "broadcast_in_dim per Python-scalar operand)")
    hlo = na.jit(fun).lower(x).compile().hlo_text()
    print("\noptimized HLO (na.jit(f).lower(x).compile().hlo_text()):\n")
    print(hlo.rstrip())
    counts = count_fusions(hlo)
    print("\n" + table(["in the optimized HLO", "count"], list(counts.items())))
    one_loop = counts["fusion("] == counts["kind=kLoop"] == counts["fused computations"] == 1
    print("\n=> " + ("one fused kLoop: the whole chain is a single pass over memory" if one_loop
                     else "NOT one fused loop: see the HLO above"))
    clock.done()


if __name__ == "__main__":
    main()
