"""Per-call cost of one eager primitive on a tiny array, next to NumPy's cost for the same op.

Each npaccel call is timed to completion (`block_until_ready`), as NumPy's calls are
synchronous. Inputs are either already on the device (an npaccel.Array from an earlier op)
or NumPy arrays that each call must copy over. A jitted one-op function is timed too.
"""
from __future__ import annotations

import numpy as np

import npaccel as na
from npaccel import lax

from benchmarks._common import (Stopwatch, banner, blocked, optional_jax, ratio,
                                seconds_per_call, table)

N = 4
# name, npaccel op, NumPy op (x -> result)
OPS = [
    ("add(x, x)", lambda m, x: m.add(x, x), lambda x: np.add(x, x)),
    ("sin(x)", lambda m, x: m.sin(x), np.sin),
    ("mul(x, 2.0)", lambda m, x: m.mul(x, 2.0), lambda x: np.multiply(x, 2.0)),
]
DTYPES = [np.float64, np.float32]


def _jax_cases(jax, op, x) -> dict:
    """JAX's eager and jitted calls of `op`, or none if JAX fails on them."""
    try:
        xj = jax.device_put(x)
        jitted = jax.jit(lambda v: op(jax.lax, v))
        cases = {"jax eager": blocked(lambda: op(jax.lax, xj)),
                 "jax jit": blocked(lambda: jitted(xj))}
        for fn in cases.values():
            fn()
        return cases
    except Exception as e:  # an optional column must not stop the benchmark
        print(f"(JAX column skipped: {type(e).__name__}: {e})")
        return {}


def measure():
    jax = optional_jax()
    rows = []
    for dtype in DTYPES:
        x = np.linspace(0.1, 1.0, N, dtype=dtype)
        on_device = lax.add(x, 0.0)  # an npaccel.Array made by a previous op
        assert isinstance(on_device, na.Array) and on_device.dtype == dtype
        for name, op, np_op in OPS:
            jitted = na.jit(lambda v, op=op: op(lax, v))
            cases = {"numpy": lambda: np_op(x),
                     "eager device": blocked(lambda: op(lax, on_device)),
                     "eager numpy": blocked(lambda: op(lax, x)),
                     "jit": blocked(lambda: jitted(on_device))}
            if jax is not None:
                cases.update(_jax_cases(jax, op, x))
            us = {k: v * 1e6 for k, v in seconds_per_call(cases).items()}
            t_np, t_dev, t_host, t_jit = (us[k] for k in list(cases)[:4])
            row = [name, f"{np.dtype(dtype).name}[{N}]", t_np, t_dev, ratio(t_dev, t_np),
                   t_host, ratio(t_host, t_np), t_jit, ratio(t_jit, t_np)]
            if jax is not None:
                t_jeager, t_jjit = us.get("jax eager"), us.get("jax jit")
                row += [t_jeager, ratio(t_jeager, t_np), t_jjit, ratio(t_jjit, t_np)]
            rows.append(row)
    header = ["op", "input", "NumPy µs", "eager (device in) µs", "×NumPy",
              "eager (NumPy in) µs", "×NumPy", "jit(op) µs", "×NumPy"]
    if jax is not None:
        header += ["JAX eager µs", "×NumPy", "JAX jit µs", "×NumPy"]
    return header, rows


def main() -> None:
    clock = Stopwatch()
    banner("eager_overhead: µs per call of one primitive on a tiny array "
           "(min of 5 repeats, after warm-up)")
    header, rows = measure()
    print(table(header, rows))
    print("\ndevice in: the operand is an npaccel.Array from a previous op; NumPy in: a "
          "numpy.ndarray copied to the device on every call; jit(op): na.jit of a one-op "
          "function, called on a device operand. Every npaccel call waits for its result.")
    clock.done()


if __name__ == "__main__":
    main()
