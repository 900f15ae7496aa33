"""Which of NumPy's public callables npaccel implements natively, which fall back to
NumPy on the host, and which are unsupported (`python -m npaccel.dispatch --coverage`)."""
from __future__ import annotations

import importlib

import numpy as np

NAMESPACES = {"numpy": np, "numpy.linalg": np.linalg, "numpy.fft": np.fft}

# Callables whose host fallback would be wrong for npaccel arrays: they expose host memory,
# which device arrays do not share with NumPy.
UNSUPPORTED = {
    "numpy.frombuffer": "creates a view of a host buffer",
    "numpy.memmap": "maps a file into host memory",
    "numpy.nditer": "iterates over host memory",
    "numpy.nested_iters": "iterates over host memory",
}


def public_callables(module) -> list[str]:
    """Public functions and ufuncs (classes, the test runner and submodules left out)."""
    return sorted(n for n in dir(module) if not n.startswith("_") and n != "test"
                  and callable(getattr(module, n)) and not isinstance(getattr(module, n), type))


def _implementation(prefix: str, name: str):
    try:
        module = importlib.import_module("npaccel.numpy" + prefix[len("numpy"):])
    except ImportError:
        return None
    if isinstance(getattr(NAMESPACES[prefix], name), np.ufunc):
        try:
            module = importlib.import_module("npaccel.numpy.ufuncs")
        except ImportError:
            return None
    return getattr(module, name, None)


def classify(prefix: str, name: str) -> str:
    from npaccel.dispatch import inplace, views
    if f"{prefix}.{name}" in UNSUPPORTED:
        return "unsupported"
    if f"{prefix}.{name}" in inplace.FUNCTIONS or f"{prefix}.{name}" in views.FUNCTIONS:
        return "native"
    return "native" if callable(_implementation(prefix, name)) else "fallback"


def report() -> dict[str, dict[str, str]]:
    return {prefix: {name: classify(prefix, name) for name in public_callables(module)}
            for prefix, module in NAMESPACES.items()}


def format_report(table: dict[str, dict[str, str]], verbose: bool = True) -> str:
    lines = []
    totals = {"native": 0, "fallback": 0, "unsupported": 0}
    for prefix, entries in table.items():
        counts = {k: sum(1 for v in entries.values() if v == k) for k in totals}
        for k in totals:
            totals[k] += counts[k]
        if verbose:
            lines += [f"{prefix}.{name:<32} {status}" for name, status in entries.items()]
        n = len(entries)
        lines.append(f"{prefix}: {counts['native']}/{n} native "
                     f"({100 * counts['native'] / max(n, 1):.1f}%), {counts['fallback']} fallback, "
                     f"{counts['unsupported']} unsupported")
    n = sum(totals.values())
    lines.append(f"total: {totals['native']}/{n} native ({100 * totals['native'] / max(n, 1):.1f}%), "
                 f"{totals['fallback']} fallback, {totals['unsupported']} unsupported")
    return "\n".join(lines)
