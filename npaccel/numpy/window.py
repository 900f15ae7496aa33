"""Window functions (NumPy reference: "Window functions"): bartlett, blackman, hamming,
hanning, kaiser.

The window length M is static (it sets the result's shape); like NumPy, it is read as a
float, so M < 1 gives an empty window and M == 1 a single 1. Results are float64. kaiser's
beta may be a traced value (the window can be differentiated with respect to it).
"""
from __future__ import annotations

import math

import numpy as np

from npaccel.core.trace import concrete_or_error
from npaccel.lax import elementwise as ew, shape as lax_shape
from npaccel.numpy._core import asvalue, astype, dtype_of, shape_of
from npaccel.numpy.mathematical import i0

__all__ = ["bartlett", "blackman", "hamming", "hanning", "kaiser"]

# a_k of the cosine-sum windows: sum_k a_k cos(k pi n / (M - 1)).
_COSINE_SUMS = {"blackman": (0.42, 0.5, 0.08), "hamming": (0.54, 0.46), "hanning": (0.5, 0.5)}


def _length(M) -> float:
    """M as NumPy reads it (np.array([0.0, M])[1]): a static float."""
    if isinstance(M, (int, float, np.integer, np.floating)):
        return float(M)
    return float(concrete_or_error(asvalue(M), "the window length M"))


def _arange(start: float, stop: float, step: float):
    """np.arange(start, stop, step) in float64, as a lax value."""
    count = max(math.ceil((stop - start) / step), 0)
    i = lax_shape.iota(np.float64, count)
    return ew.add(ew.mul(i, _c(step, count)), _c(start, count))


def _c(value, n: int):
    return lax_shape.full((n,), value, np.float64)


def _trivial(M: float):
    """The windows of length < 1 (empty) and 1 (a single 1.0), else None."""
    if M < 1:
        return np.zeros(0)
    return np.ones(1) if M == 1 else None


def _symmetric(M, body):
    """NumPy's trivial windows for M < 2, else body(M, n, size) over the symmetric
    positions n = 1-M, 3-M, ..., M-1."""
    M = _length(M)
    trivial = _trivial(M)
    if trivial is not None:
        return trivial
    n = _arange(1 - M, M, 2)
    return body(M, n, shape_of(n)[0])


def _cosine_sum(M, coefficients):
    def body(M, n, size):
        out = _c(coefficients[0], size)
        for k, a in enumerate(coefficients[1:], 1):
            phase = ew.div(ew.mul(_c(k * math.pi, size), n), _c(M - 1, size))
            out = ew.add(out, ew.mul(_c(a, size), ew.cos(phase)))
        return out
    return _symmetric(M, body)


def blackman(M):
    """numpy.blackman: 0.42 + 0.5 cos(pi n/(M-1)) + 0.08 cos(2 pi n/(M-1))."""
    return _cosine_sum(M, _COSINE_SUMS["blackman"])


def hamming(M):
    """numpy.hamming: 0.54 + 0.46 cos(pi n/(M-1))."""
    return _cosine_sum(M, _COSINE_SUMS["hamming"])


def hanning(M):
    """numpy.hanning: 0.5 + 0.5 cos(pi n/(M-1))."""
    return _cosine_sum(M, _COSINE_SUMS["hanning"])


def bartlett(M):
    """numpy.bartlett: the triangular window 1 - |n|/(M-1)."""
    def body(M, n, size):
        ratio = ew.div(n, _c(M - 1, size))
        one = _c(1.0, size)
        return ew.select(ew.le(n, _c(0.0, size)), ew.add(one, ratio), ew.sub(one, ratio))
    return _symmetric(M, body)


def kaiser(M, beta):
    """numpy.kaiser: i0(beta sqrt(1 - ((n - alpha)/alpha)**2)) / i0(beta), n = 0..M-1,
    alpha = (M-1)/2."""
    M = _length(M)
    beta = asvalue(beta)
    if dtype_of(beta).kind == "c":
        raise TypeError("i0 not supported for complex values")
    beta = astype(beta, np.float64)
    if M == 1:
        return np.ones(1)
    n = _arange(0, M, 1)
    size = shape_of(n)[0]
    alpha = _c((M - 1) / 2.0, size)
    ratio = ew.div(ew.sub(n, alpha), alpha)
    b = lax_shape.broadcast_in_dim(beta, (size,), ())
    window = i0(ew.mul(b, ew.sqrt(ew.sub(_c(1.0, size), ew.mul(ratio, ratio)))))
    return ew.div(window, lax_shape.broadcast_in_dim(i0(beta), (size,), ()))
