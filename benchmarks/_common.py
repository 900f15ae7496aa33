"""What every benchmark shares: the machine banner, a timer, a table printer, and the
optional JAX comparison (used only when `import jax` works; npaccel itself never imports it)."""
from __future__ import annotations

import os
import platform
import time
import timeit
from typing import Callable, Sequence

import numpy as np


def optional_jax():
    """The `jax` module with float64 enabled, or None when it is not installed."""
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    return jax


def banner(title: str) -> None:
    import jaxlib
    import npaccel
    jax = optional_jax()
    print(f"== {title}")
    print(f"machine: {platform.platform()} ({platform.machine()}), "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f} (other processes share these CPUs)")
    print(f"numpy {np.__version__}, npaccel {npaccel.__version__}, jaxlib {jaxlib.__version__}, "
          f"jax {jax.__version__ if jax else 'not installed (no JAX column)'}")
    print()


def _calibrate(timer: timeit.Timer, target_s: float, max_number: int) -> int:
    """How many calls fill about `target_s`."""
    number, elapsed = 1, timer.timeit(1)
    while elapsed < target_s / 4 and number < max_number:
        number = min(max_number, number * 4)
        elapsed = timer.timeit(number)
    return max(1, min(max_number, int(number * target_s / max(elapsed, 1e-9))))


def seconds_per_call(fns: dict[str, Callable[[], object]], *, warmup: int = 3, repeat: int = 5,
                     target_s: float = 0.05, max_number: int = 100_000) -> dict[str, float]:
    """Seconds per call of each function: the min over `repeat` rounds of the mean time of one
    call, after `warmup` calls (the first call compiles). Each round makes as many calls as fit
    in about `target_s`. The rounds interleave the functions, so a burst of load from other
    processes on the machine hits them all alike and the ratios between them stay fair."""
    timers = {}
    for name, fn in fns.items():
        for _ in range(warmup):
            fn()
        timer = timeit.Timer(fn)
        timers[name] = (timer, _calibrate(timer, target_s, max_number))
    best = {name: float("inf") for name in fns}
    for _ in range(repeat):
        for name, (timer, number) in timers.items():
            best[name] = min(best[name], timer.timeit(number) / number)
    return best


def blocked(fn: Callable[[], object]) -> Callable[[], object]:
    """`fn` followed by waiting for its (npaccel or JAX) result, so async dispatch is timed
    to completion, like NumPy's synchronous calls."""
    def call():
        out = fn()
        out.block_until_ready()
        return out
    return call


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (so it can be pasted into docs/benchmarks.md as printed)."""
    cells = [[str(h) for h in header]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(c.rjust(w) if i else c.ljust(w)  # noqa: E731
                                       for i, (c, w) in enumerate(zip(r, widths))) + " |"
    sep = "|" + "|".join("-" * (w + 1) + ":" if i else "-" * (w + 2)
                         for i, w in enumerate(widths)) + "|"
    return "\n".join([line(cells[0]), sep] + [line(r) for r in cells[1:]])


def _fmt(c) -> str:
    if isinstance(c, float):
        return f"{c:.3g}" if abs(c) < 10 else f"{c:.1f}" if abs(c) < 1000 else f"{c:.0f}"
    return "—" if c is None else str(c)


def ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or b is None else f"{a / b:.2f}x"


class Stopwatch:
    """Wall time of the whole benchmark, printed at the end."""

    def __init__(self):
        self.start = time.perf_counter()

    def done(self) -> None:
        print(f"\n(total {time.perf_counter() - self.start:.1f} s)\n")
