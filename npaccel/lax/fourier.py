"""The FFT primitive (stablehlo.fft) over the trailing 1-3 axes of an array.

XLA's conventions are NumPy's `norm="backward"` ones: FFT and RFFT are unnormalised
(np.fft.fftn, np.fft.rfftn), IFFT and IRFFT divide by the product of `fft_lengths`
(np.fft.ifftn, np.fft.irfftn with s=fft_lengths). IRFFT ignores the imaginary parts of the
bins that are their own conjugate (frequency 0 and, for even lengths, n/2), as NumPy does.

Transposes use JAX's convention (the bilinear pairing Re(sum(u * v)), no conjugation).
With N = prod(fft_lengths) and m = n // 2 + 1 bins on the last axis of length n:
  FFT^T = FFT and IFFT^T = IFFT        (the DFT matrices are symmetric)
  RFFT^T(c)  = N * IRFFT(conj(c) / w)  (w: the Hermitian weights below)
  IRFFT^T(c) = conj(RFFT(c)) * w / N
where w_k = 1 for the self-conjugate bins k = 0 and k = n/2, else 2: IRFFT counts every
other bin twice, once for itself and once for its mirror image.
"""
from __future__ import annotations

import enum
from typing import Sequence

import numpy as np

from npaccel._runtime import hlo
from npaccel.core import dtypes
from npaccel.core.aval import ShapedArray
from npaccel.core.trace import get_aval
from npaccel.lax import elementwise as ew
from npaccel.lax._standard import as_operand, standard_primitive
from npaccel.lax.shape import concatenate, full
from npaccel.transforms import lowering
from npaccel.transforms.ad import deflinear
from npaccel.transforms.batching import batching_rules, bdim_at_front

HLO_OPS = {"fft": "stablehlo.fft"}


class FftType(enum.IntEnum):
    """The kind of transform (as jax.lax.FftType)."""
    FFT = 0
    IFFT = 1
    RFFT = 2
    IRFFT = 3


def _last_axis_in(fft_type: FftType, n: int) -> int:
    """The size of the last transformed axis of the input."""
    return n // 2 + 1 if fft_type == FftType.IRFFT else n


def _last_axis_out(fft_type: FftType, n: int) -> int:
    return n // 2 + 1 if fft_type == FftType.RFFT else n


def _fft_abstract_eval(x, *, fft_type, fft_lengths):
    real_input = fft_type == FftType.RFFT
    if real_input and x.dtype not in (np.float32, np.float64):
        raise TypeError(f"fft of type RFFT requires a float32 or float64 input, got {x.dtype.name}")
    if not real_input and not dtypes.is_complex(x.dtype):
        raise TypeError(f"fft of type {fft_type.name} requires a complex64 or complex128 "
                        f"input, got {x.dtype.name}")
    if not 1 <= len(fft_lengths) <= 3 or any(n < 1 for n in fft_lengths):
        raise ValueError(f"fft_lengths must be 1 to 3 positive lengths, got {fft_lengths}")
    d = len(fft_lengths)
    if x.ndim < d:
        raise ValueError(f"fft over {d} axes needs an input of rank at least {d}, got "
                         f"shape {x.shape}")
    expected = (*fft_lengths[:-1], _last_axis_in(fft_type, fft_lengths[-1]))
    if x.shape[-d:] != expected:
        raise ValueError(f"fft of type {fft_type.name} with fft_lengths {fft_lengths} needs "
                         f"trailing input dimensions {expected}, got shape {x.shape}")
    shape = (*x.shape[:-1], _last_axis_out(fft_type, fft_lengths[-1]))
    if fft_type == FftType.IRFFT:
        return ShapedArray(shape, dtypes.real_dtype(x.dtype))
    return ShapedArray(shape, dtypes.complex_dtype(x.dtype))


def _fft_lower(ctx, x, *, fft_type, fft_lengths):
    return hlo.FftOp(x, hlo.FftTypeAttr.get(fft_type.name), list(fft_lengths),
                     results=[lowering.ir_type(ctx.avals_out[0])]).result


def _hermitian_weights(aval: ShapedArray, n: int):
    """The weights w, shaped like `aval` (whose last axis holds the n // 2 + 1 bins of a
    length-n transform): 1 for bin 0 and, when n is even, for bin n / 2; 2 for the
    others. Built from broadcast scalars, so derivatives of jitted code carry no array
    constants."""
    m = n // 2 + 1
    ones_at_end = 1 if n % 2 == 0 and m > 1 else 0
    sizes = [(1, 1), (m - 1 - ones_at_end, 2), (ones_at_end, 1)]
    return concatenate([full((*aval.shape[:-1], size), value, aval.dtype)
                        for size, value in sizes if size], aval.ndim - 1)


def _fft_transpose(ct, x, *, fft_type, fft_lengths):
    if fft_type in (FftType.FFT, FftType.IFFT):
        return [fft(ct, fft_type, fft_lengths)]
    n, size = fft_lengths[-1], float(np.prod(fft_lengths))
    if fft_type == FftType.RFFT:
        w = _hermitian_weights(get_aval(ct), n)
        return [ew.mul(fft(ew.div(ew.conj(ct), w), FftType.IRFFT, fft_lengths), size)]
    bins = fft(ct, FftType.RFFT, fft_lengths)
    return [ew.div(ew.mul(ew.conj(bins), _hermitian_weights(get_aval(bins), n)), size)]


def _fft_batch(axis_size, vals, dims, *, fft_type, fft_lengths):
    (x,), (d,) = vals, dims
    return fft_p.bind(bdim_at_front(x, d, axis_size), fft_type=fft_type,
                      fft_lengths=fft_lengths), 0


fft_p = standard_primitive("fft", _fft_abstract_eval, _fft_lower)
deflinear(fft_p, _fft_transpose)
batching_rules[fft_p] = _fft_batch


def _fft_type(fft_type) -> FftType:
    if isinstance(fft_type, str):
        try:
            return FftType[fft_type.upper()]
        except KeyError:
            raise ValueError(f"unknown fft_type {fft_type!r}; expected one of "
                             f"{[t.name for t in FftType]}") from None
    return FftType(fft_type)


def fft(x, fft_type: FftType | str, fft_lengths: Sequence[int]):
    """A 1-3 dimensional FFT over the trailing axes of x (stablehlo.fft): FFT/IFFT of a
    complex array, RFFT of a real one (the last axis keeps n // 2 + 1 bins), IRFFT back
    to real. `fft_lengths` are the trailing (output, for IRFFT) dimensions."""
    fft_lengths = tuple(int(n) for n in fft_lengths)
    return fft_p.bind(as_operand(x), fft_type=_fft_type(fft_type), fft_lengths=fft_lengths)
