"""Per-call cost of one eager primitive on a tiny array, next to NumPy's cost for the same op.

Each npaccel call is timed to completion (`block_until_ready`), as NumPy's calls are
synchronous. Inputs are either already on the device (an npaccel.Array from an earlier op)
or NumPy arrays that each call must copy over. A jitted one-op function is timed too.
"""
from __future__ import annotations

import cProfile
import io
import pstats
import sys

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
            us = {k: v * 1e6 for k, v in seconds_per_call(cases, repeat=9).items()}
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


def layers() -> list[list]:
    """µs per call of each layer of the eager and jit dispatch paths for lax.add on f64[4].
    Reaches into npaccel's internals (read only), so it reports instead of failing when
    they have moved."""
    from npaccel import _runtime
    from npaccel.core.trace import bind
    from npaccel.lax.elementwise import add_p
    from npaccel.transforms import eval as eval_
    from npaccel.transforms.jit import jit_p
    x = np.linspace(0.1, 1.0, N)
    a = lax.add(x, 0.0)
    lax.add(a, a)
    compiled = next(c for (prim, avals, _), c in eval_._primitive_cache.items()
                    if prim is add_p and avals == (a.aval, a.aval))
    exe, bufs = compiled.executable, [a._buf, a._buf]
    jitted = na.jit(lambda v: lax.add(v, v))
    jitted(a)
    (jaxpr, consts, _), leaves = jitted._staged((a,), {})
    cases = {
        "jaxlib alone: execute_sharded + result handlers":
            lambda: exe._loaded.execute_sharded(bufs).consume_with_handlers(exe._handlers),
        "Executable.execute (+ argument checks)": lambda: exe.execute(bufs),
        "eval.Compiled.__call__ (+ to_buffer, Array wrapping)": lambda: compiled(a, a),
        "eval.apply_primitive (+ avals, cache key and lookup)":
            lambda: eval_.apply_primitive(add_p, [a, a], {}),
        "bind(add_p, a, a) (+ trace lookup, raise/lower)": lambda: bind(add_p, a, a),
        "lax.add(a, a) (+ operand and scalar coercion)": lambda: lax.add(a, a),
        "Jitted._staged alone (static split, flatten, avals, key)":
            lambda: jitted._staged((a,), {}),
        "bind(jit_p, ...) (eager path of the jit primitive)":
            lambda: bind(jit_p, *consts, *leaves, jaxpr=jaxpr, name=jitted._name),
        "na.jit(add)(a)": lambda: jitted(a),
        "_runtime.device_put(f64[4]) (jaxlib transfer)": lambda: _runtime.device_put(x),
        "na.device_put(f64[4])": lambda: na.device_put(x),
        "np.add(x, x)": lambda: np.add(x, x),
    }
    us = seconds_per_call(cases, repeat=300, target_s=0.003)
    return [[name, t * 1e6] for name, t in us.items()]


def profile(n_calls: int = 3000, top: int = 12) -> None:
    """cProfile of each float64 path, top functions by own time: where the microseconds go."""
    x = np.linspace(0.1, 1.0, N)
    on_device = lax.add(x, 0.0)
    jitted = na.jit(lambda v: lax.add(v, v))
    paths = {"lax.add(a, a), a on device": lambda: lax.add(on_device, on_device),
             "lax.add(x, x), x a numpy.ndarray": lambda: lax.add(x, x),
             "lax.mul(a, 2.0)": lambda: lax.mul(on_device, 2.0),
             "jit(add)(a)": lambda: jitted(on_device)}
    for name, fn in paths.items():
        fn()
        prof = cProfile.Profile()
        prof.runcall(lambda: [fn() for _ in range(n_calls)])
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out).sort_stats("tottime")
        print(f"--- {name}: {stats.total_tt / n_calls * 1e6:.1f} µs per call under cProfile, "
              f"{stats.total_calls / n_calls:.0f} Python calls per call")
        stats.print_stats(top)
        lines = out.getvalue().splitlines()
        start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
        print("\n".join(line for line in lines[start:] if line.strip()))
        print()


def main() -> None:
    if "--profile" in sys.argv[1:]:
        banner("eager_overhead --profile: where the time of one call goes")
        try:
            rows = layers()
            print("Layers of lax.add(a, a), a: f64[4] on device, and of na.jit(add)(a) "
                  "(min of 300 rounds; each layer includes those above it):")
            print(table(["layer", "µs per call"], rows))
        except Exception as e:  # internals moved: the cProfile tables below still work
            print(f"(layer timings skipped: {type(e).__name__}: {e})")
        print("\ncProfile, top functions by own time (cProfile inflates these paths ~5x):\n")
        profile()
        return
    clock = Stopwatch()
    banner("eager_overhead: µs per call of one primitive on a tiny array "
           "(min of 9 repeats, after warm-up)")
    header, rows = measure()
    print(table(header, rows))
    print("\ndevice in: the operand is an npaccel.Array from a previous op; NumPy in: a "
          "numpy.ndarray copied to the device on every call; jit(op): na.jit of a one-op "
          "function, called on a device operand. Every npaccel call waits for its result.")
    clock.done()


if __name__ == "__main__":
    main()
