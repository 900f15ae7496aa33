"""NumPy's floating-point error reporting (`np.seterr`, `np.errstate`) for eager ufunc calls.

NumPy reads the FPU's status flags after each ufunc loop: "divide by zero", "overflow",
"underflow" and "invalid value" are then ignored, warned about (RuntimeWarning, the
default for all but underflow), raised (FloatingPointError), or passed to `np.seterrcall`'s
function. XLA keeps no such flags, so the conditions are recomputed on the host from the
inputs and the results: a NaN out of no NaN is invalid, an infinity out of finite inputs is
a division by zero (a zero divisor, a pole of log/arctanh/power) or else an overflow, an
integer division by zero or of the minimum by -1 is divide / overflow.

Which modes are honoured is npaccel.config.fperrors: by default only those that change
control flow ('raise', 'call', ...), not NumPy's default warnings (see _Config).

# Note: inside jit/grad/vmap nothing is reported (values are not known), as in JAX.
"""
from __future__ import annotations

import warnings

import numpy as np

# Where an infinity from finite inputs is a division by zero rather than an overflow: a zero
# divisor, or a pole of the function.
_zero_divisor = lambda x, y: y == 0  # noqa: E731
_log_pole = lambda x: x == 0  # noqa: E731
_power_pole = lambda x, y: (x == 0) & (np.real(y) < 0)  # noqa: E731
_POLES = {
    **dict.fromkeys(("divide", "true_divide", "floor_divide", "remainder", "fmod", "divmod"),
                    _zero_divisor),
    **dict.fromkeys(("log", "log2", "log10", "reciprocal"), _log_pole),
    "log1p": lambda x: x == -1, "arctanh": lambda x: np.abs(x) == 1,
    "power": _power_pole, "float_power": _power_pole,
}
# Ufuncs whose zero result from nonzero finite inputs is an underflow.
_SCALING = frozenset({"multiply", "divide", "true_divide", "exp", "exp2", "power",
                      "float_power", "ldexp", "square"})
_ORDER = ("divide", "over", "under", "invalid")
_TEXT = {"divide": "divide by zero", "over": "overflow", "under": "underflow",
         "invalid": "invalid value"}


def _host(x) -> np.ndarray:
    return np.asarray(x)


def _inexact_conditions(name: str, inputs: list, out: np.ndarray, under: bool) -> set[str]:
    found = set()
    finite = np.ones(out.shape, bool)
    nan_in = np.zeros(out.shape, bool)
    for x in inputs:
        if x.dtype.kind in "fc":
            finite &= np.broadcast_to(np.isfinite(x), out.shape)
            nan_in |= np.broadcast_to(np.isnan(x), out.shape)
    if np.any(np.isnan(out) & ~nan_in):
        found.add("invalid")
    new_inf = np.isinf(out) & finite
    if np.any(new_inf):
        pole = _POLES.get(name)
        at_pole = np.broadcast_to(pole(*inputs), out.shape) if pole else False
        if np.any(new_inf & at_pole):
            found.add("divide")
        if np.any(new_inf & ~at_pole):
            found.add("over")
    if under:
        nonzero = np.ones(out.shape, bool)
        for x in inputs:
            nonzero &= np.broadcast_to(x != 0, out.shape)
        if np.any((out == 0) & nonzero & finite):
            found.add("under")
    return found


def _integer_conditions(name: str, inputs: list, shape: tuple) -> set[str]:
    if _POLES.get(name) is not _zero_divisor:
        return set()
    a, b = (np.broadcast_to(x, shape) for x in inputs)   # an empty result meets nothing
    found = {"divide"} if np.any(b == 0) else set()
    # min // -1 does not fit (min % -1 is 0, fine).
    if name in ("floor_divide", "divmod") and a.dtype.kind == b.dtype.kind == "i" and \
            np.any((a == np.iinfo(a.dtype).min) & (b == -1)):
        found.add("over")
    return found


def _method_conditions(name: str, inputs: list, out: np.ndarray) -> set[str]:
    """reduce/accumulate/reduceat/outer: the same conditions, over the whole call (their
    elements do not line up with the inputs')."""
    found = set()
    floats = [x for x in inputs if x.dtype.kind in "fc"]
    if np.isnan(out).any() and not any(np.isnan(x).any() for x in floats):
        found.add("invalid")
    if np.isinf(out).any() and all(np.isfinite(x).all() for x in floats):
        zero = name in _POLES and any((x == 0).any() for x in inputs)
        found.add("divide" if zero else "over")
    return found


def check(ufunc: np.ufunc, inputs: tuple, results, policy: str = "all",
          method: str = "__call__") -> None:
    """Report what NumPy would for `ufunc.method(*inputs)` giving `results` (concrete
    values), for the modes `policy` honours (npaccel.config.fperrors)."""
    settings = np.geterr()
    quiet = ("ignore",) if policy == "all" else ("ignore", "warn")
    if policy == "off" or all(settings[k] in quiet for k in _ORDER):
        return
    settings = {k: "ignore" if v in quiet else v for k, v in settings.items()}
    name = ufunc.__name__
    under = settings["under"] != "ignore" and name in _SCALING and method == "__call__"
    outs = [_host(r) for r in (results if isinstance(results, tuple) else (results,))]
    ins = [_host(x) for x in inputs if x is not None]
    # A float input cast to an integer loop: NaN and infinities are invalid values.
    if any(o.dtype.kind in "iu" for o in outs) and any(
            x.dtype.kind in "fc" and not np.isfinite(x).all() for x in ins):
        _report("invalid", "cast", settings["invalid"])
    found = set()
    for out in outs:
        if out.dtype.kind in "fc" and (under or not np.isfinite(out).all()):
            found |= (_inexact_conditions(name, ins, out, under) if method == "__call__"
                      else _method_conditions(name, ins, out))
        elif out.dtype.kind in "iu" and method == "__call__" and \
                all(x.dtype.kind in "iub" for x in ins):
            found |= _integer_conditions(name, ins, out.shape)
    where = name if method in ("__call__", "outer") else method   # NumPy's wording
    for kind in _ORDER:
        if kind in found:
            _report(kind, where, settings[kind])


def _report(kind: str, name: str, mode: str) -> None:
    message = f"{_TEXT[kind]} encountered in {name}"
    if mode == "warn":
        warnings.warn(message, RuntimeWarning, stacklevel=5)
    elif mode == "raise":
        raise FloatingPointError(message)
    elif mode == "call":
        callback = np.geterrcall()
        if hasattr(callback, "write"):
            callback.write(f"Warning: {message}\n")
        elif callback is not None:
            callback(_TEXT[kind], {"divide": 1, "over": 2, "under": 4, "invalid": 8}[kind])
    elif mode in ("print", "log"):
        print(f"Warning: {message}")
