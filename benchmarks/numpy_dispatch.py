"""The NumPy face: what `np.f(x)` costs on npaccel arrays next to NumPy itself.

Dispatch cost of np.add and of typical NumPy functions on small arrays, and a ratio table
for a representative set of functions at 10^3 and 10^6 elements (eager; each call waits
for its result). Run: python -m benchmarks.numpy_dispatch
"""
from __future__ import annotations

import numpy as np

import npaccel as na
from benchmarks._common import Stopwatch, banner, blocked, ratio, seconds_per_call, table

FUNCTIONS = {
    "np.add(x, y)": lambda x, y: np.add(x, y),
    "x + 1.0": lambda x, y: x + 1.0,
    "np.sin(x)": lambda x, y: np.sin(x),
    "np.sum(x)": lambda x, y: np.sum(x),
    "np.mean(x, axis=0)": lambda x, y: np.mean(x.reshape(-1, 10), axis=0),
    "np.sort(x)": lambda x, y: np.sort(x),
    "np.cumsum(x)": lambda x, y: np.cumsum(x),
    "np.where(x > 0, x, y)": lambda x, y: np.where(x > 0, x, y),
    "x[::2]": lambda x, y: x[::2].copy(),
    "x[idx]": lambda x, y: x[np.arange(0, x.size, 3)],
    "np.fft.rfft(x)": lambda x, y: np.fft.rfft(x),
    "np.dot(x, y)": lambda x, y: np.dot(x, y),
}


def _rows(n: int):
    rng = np.random.default_rng(0)
    x_np, y_np = rng.standard_normal(n), rng.standard_normal(n)
    x_na, y_na = na.asarray(x_np), na.asarray(y_np)
    rows = []
    for name, f in FUNCTIONS.items():
        t = seconds_per_call({"numpy": lambda f=f: f(x_np, y_np),
                              "npaccel": blocked(lambda f=f: na.asarray(f(x_na, y_na)))},
                             target_s=0.05 if n <= 1000 else 0.2)
        rows.append((name, t["numpy"] * 1e6, t["npaccel"] * 1e6, ratio(t["npaccel"], t["numpy"])))
    return rows


def main() -> None:
    clock = Stopwatch()
    banner("numpy_dispatch: np.* on npaccel arrays vs NumPy (µs per call, eager, after warm-up)")
    for n in (1000, 10**6):
        print(f"\nfloat64[{n}]")
        print(table(["call", "NumPy µs", "npaccel µs", "×NumPy"], _rows(n)))
    clock.done()


if __name__ == "__main__":
    main()
