"""numpy.fft: discrete Fourier transforms, on lax.fourier.fft (stablehlo.fft).

Every transform is a list of one-axis steps (axis, n) in the order NumPy applies them.
Steps along distinct axes commute (so do zero-padding and cropping along one axis and a
transform along another), so consecutive steps along up to three distinct axes become one
lax.fft over the trailing axes, with transposes to move the axes there and back. Repeated
axes (NumPy allows `fftn(a, axes=(0, 0))`) and more than three axes are compositions.

lax.fft follows norm="backward" (FFT unscaled, IFFT divided by the number of points);
the other normalisations are a scale factor after each step group.

Result dtypes are NumPy 2's: complex output is result_type(a.dtype, 1j) (complex64 for
float16/float32/complex64 input, complex128 otherwise), real output (irfft, hfft) is
result_type(a.real.dtype, 1.0) (float16 input stays float16, computed in float32).
"""
from __future__ import annotations

import operator
import warnings
from typing import Sequence

import numpy as np

from npaccel.core import dtypes
from npaccel.lax import elementwise as ew, shape as lax_shape, slicing
from npaccel.lax.fourier import FftType, fft as lax_fft
from npaccel.numpy._core import (asvalue, astype, dtype_of, normalize_axis, result_type,
                                 shape_of)

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2",
           "irfft2", "rfftn", "irfftn", "hfft", "ihfft", "fftfreq", "rfftfreq", "fftshift",
           "ifftshift"]

_NORMS = ("backward", "ortho", "forward")
_SWAP_DIRECTION = {None: "forward", "backward": "forward", "ortho": "ortho",
                   "forward": "backward"}
_INVERSE = (FftType.IFFT, FftType.IRFFT)
# The most axes one stablehlo.fft transforms.
_MAX_AXES = 3


# --- checks and dtypes -----------------------------------------------------------------------

def _check_norm(norm) -> str:
    if norm is None:
        return "backward"
    if norm not in _NORMS:
        raise ValueError(f'Invalid norm value {norm}; should be "backward", "ortho" or '
                         '"forward".')
    return norm


def _swap_direction(norm) -> str:
    if norm not in _SWAP_DIRECTION:
        _check_norm(norm)
    return _SWAP_DIRECTION[norm]


def _check_out(out) -> None:
    if out is not None:
        raise TypeError("out= is handled by npaccel.ndarray")


def _check_n(n) -> int:
    n = operator.index(n)  # TypeError for floats, as NumPy
    if n < 1:
        raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
    return n


def _check_real(dtype) -> np.dtype:
    if dtypes.is_complex(dtype):
        raise TypeError(f"rfft needs real input, got an array of dtype {dtype.name}")
    return dtype


def _complex_dtype(dtype) -> np.dtype:
    """NumPy's complex result type: result_type(a.dtype, 1j)."""
    return np.result_type(dtype, 1j)


def _real_out_dtype(dtype) -> np.dtype:
    """NumPy's real result type: result_type(a.real.dtype, 1.0)."""
    return np.result_type(dtypes.real_dtype(dtype), 1.0)


# --- the engine ------------------------------------------------------------------------------

def _resize(x, axis: int, size: int):
    """x cropped or zero-padded at the end of `axis` to `size`."""
    current = shape_of(x)[axis]
    if size < current:
        return slicing.slice_in_dim(x, 0, size, axis=axis)
    if size > current:
        config = [(0, 0, 0)] * len(shape_of(x))
        config[axis] = (0, size - current, 0)
        return lax_shape.pad(x, np.zeros((), dtype_of(x)), config)
    return x


# Note: NumPy scales transforms of float16 input by a factor rounded to float16 (1/n or
# 1/sqrt(n)), a relative error up to 5e-4; npaccel scales in float32.
def _norm_factor(norm: str, size: int, fft_type: FftType) -> float:
    """The factor that turns lax's (norm="backward") result into `norm`'s."""
    if norm == "backward":
        return 1.0
    if fft_type in _INVERSE:  # lax already divided by size
        return float(np.sqrt(size)) if norm == "ortho" else float(size)
    return 1.0 / float(np.sqrt(size)) if norm == "ortho" else 1.0 / size


def _group(steps):
    """Consecutive runs of at most three steps along distinct axes."""
    groups: list[list[tuple[int, int]]] = []
    for axis, n in steps:
        if groups and len(groups[-1]) < _MAX_AXES and axis not in [a for a, _ in groups[-1]]:
            groups[-1].append((axis, n))
        else:
            groups.append([(axis, n)])
    return groups


def _transform(x, group, fft_type: FftType, norm: str):
    """One lax.fft over the axes of `group`, whose first step is the real axis of an
    RFFT/IRFFT (it goes last among the trailing axes)."""
    steps = group[1:] + group[:1]
    axes, lengths = [a for a, _ in steps], [n for _, n in steps]
    for axis, n in steps[:-1]:
        x = _resize(x, axis, n)
    last_in = lengths[-1] // 2 + 1 if fft_type == FftType.IRFFT else lengths[-1]
    x = _resize(x, axes[-1], last_in)
    ndim = len(shape_of(x))
    perm = [i for i in range(ndim) if i not in axes] + axes
    y = lax_fft(lax_shape.transpose(x, perm), fft_type, lengths)
    y = lax_shape.transpose(y, np.argsort(perm))
    factor = _norm_factor(norm, int(np.prod(lengths)), fft_type)
    return y if factor == 1.0 else ew.mul(y, factor)


def _c2c(x, steps, inverse: bool, norm: str):
    if not steps:
        return x
    x = astype(x, _complex_dtype(dtype_of(x)))
    fft_type = FftType.IFFT if inverse else FftType.FFT
    for group in _group(steps):
        x = _transform(x, group, fft_type, norm)
    return x


def _r2c(x, steps, norm: str):
    """rfft along steps[0], then fft along the rest (NumPy's order)."""
    dtype = _check_real(dtype_of(x))
    x = astype(x, dtypes.real_dtype(_complex_dtype(dtype)))
    first, *rest = _group(steps)
    x = _transform(x, first, FftType.RFFT, norm)
    for group in rest:
        x = _transform(x, group, FftType.FFT, norm)
    return x


def _c2r(x, steps, norm: str):
    """ifft along all steps but the last, then irfft along the last (NumPy's order)."""
    out_dtype = _real_out_dtype(dtype_of(x))
    x = astype(x, _complex_dtype(out_dtype))
    # Grouped from the end, so the irfft step heads the last group.
    *rest, last = _group(steps[::-1])[::-1]
    for group in rest:
        x = _transform(x, group, FftType.IFFT, norm)
    x = _transform(x, last, FftType.IRFFT, norm)
    return astype(x, out_dtype) if dtype_of(x) != out_dtype else x


# --- one-dimensional transforms ----------------------------------------------------------------

def _one_axis(a, n, axis, default_n):
    x = asvalue(a)
    shape = shape_of(x)
    axis = normalize_axis(operator.index(axis), len(shape))
    n = default_n(shape[axis]) if n is None else n
    return x, [(axis, _check_n(n))]


def fft(a, n: int | None = None, axis: int = -1, norm: str | None = None, out=None):
    """numpy.fft.fft: the one-dimensional discrete Fourier transform."""
    _check_out(out)
    x, steps = _one_axis(a, n, axis, lambda m: m)
    norm = _check_norm(norm)  # after the length, as NumPy
    return _c2c(x, steps, False, norm)


def ifft(a, n: int | None = None, axis: int = -1, norm: str | None = None, out=None):
    """numpy.fft.ifft: the one-dimensional inverse discrete Fourier transform."""
    _check_out(out)
    x, steps = _one_axis(a, n, axis, lambda m: m)
    norm = _check_norm(norm)  # after the length, as NumPy
    return _c2c(x, steps, True, norm)


def rfft(a, n: int | None = None, axis: int = -1, norm: str | None = None, out=None):
    """numpy.fft.rfft: the transform of real input (n // 2 + 1 bins)."""
    _check_out(out)
    x, steps = _one_axis(a, n, axis, lambda m: m)
    norm = _check_norm(norm)  # after the length, as NumPy
    return _r2c(x, steps, norm)


def irfft(a, n: int | None = None, axis: int = -1, norm: str | None = None, out=None):
    """numpy.fft.irfft: the inverse of rfft (n defaults to 2 * (bins - 1))."""
    _check_out(out)
    x, steps = _one_axis(a, n, axis, lambda m: 2 * (m - 1))
    norm = _check_norm(norm)  # after the length, as NumPy
    return _c2r(x, steps, norm)


def hfft(a, n: int | None = None, axis: int = -1, norm: str | None = None, out=None):
    """numpy.fft.hfft: the transform of a Hermitian-symmetric signal (real output)."""
    _check_out(out)
    x = asvalue(a)
    if dtypes.is_complex(dtype_of(x)):
        x = ew.conj(x)
    return irfft(x, n, axis, norm=_swap_direction(norm))


def ihfft(a, n: int | None = None, axis: int = -1, norm: str | None = None, out=None):
    """numpy.fft.ihfft: the inverse of hfft (n // 2 + 1 bins)."""
    _check_out(out)
    return ew.conj(rfft(a, n, axis, norm=_swap_direction(norm)))


# --- n-dimensional transforms ------------------------------------------------------------------

def _cook_nd_args(x, s, axes, invreal: bool = False):
    """NumPy 2's (s, axes) rules: the (axis, n) steps, in the order of `axes`; n is None
    where s holds None (the one-axis transform's default)."""
    shape = shape_of(x)
    if axes is not None:
        axes = [normalize_axis(operator.index(a), len(shape)) for a in axes]
    if s is None:
        s = [shape[a] for a in (range(len(shape)) if axes is None else axes)]
        if invreal and s:
            s[-1] = 2 * (shape[axes[-1] if axes is not None else -1] - 1)
    else:
        s = list(s)
        if axes is None:
            warnings.warn("`axes` should not be `None` if `s` is not `None` (Deprecated in "
                          "NumPy 2.0): pass axes=[0, ..., k-1] explicitly.",
                          DeprecationWarning, stacklevel=4)
        if None in s:
            warnings.warn("Passing an array containing `None` values to `s` is deprecated "
                          "in NumPy 2.0.", DeprecationWarning, stacklevel=4)
    if axes is None:
        axes = [normalize_axis(a, len(shape)) for a in range(-len(s), 0)]
    if len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    # -1 means the length of the input's axis.
    return [(a, shape[a] if n == -1 else n) for n, a in zip(s, axes)]


def _fill_defaults(x, steps, fft_types):
    """Steps (in NumPy's order) with n checked, a None n replaced by the default of its
    one-axis transform on the length that axis has when the step runs."""
    current = list(shape_of(x))
    out = []
    for (axis, n), fft_type in zip(steps, fft_types):
        if n is None:
            n = 2 * (current[axis] - 1) if fft_type == FftType.IRFFT else current[axis]
        n = _check_n(n)
        out.append((axis, n))
        current[axis] = n // 2 + 1 if fft_type == FftType.RFFT else n
    return out


def _nd(a, s, axes, norm, out, fft_type: FftType):
    """The n-dimensional transforms: NumPy runs fft/ifft steps from the last axis to the
    first (rfftn: rfft on the last axis first), irfftn ifft steps from the first and
    irfft on the last axis at the end."""
    _check_out(out)
    x = asvalue(a)
    steps = _cook_nd_args(x, s, axes, invreal=fft_type == FftType.IRFFT)
    if fft_type != FftType.IRFFT:
        steps = steps[::-1]
    if fft_type == FftType.RFFT and steps:
        _fill_defaults(x, steps[:1], [fft_type])  # NumPy checks the rfft step's n first,
        _check_norm(norm)  # then the norm
        _check_real(dtype_of(x))
    if not steps:
        if fft_type in (FftType.RFFT, FftType.IRFFT):
            raise IndexError("list index out of range")  # as NumPy: they need an axis
        return x  # as NumPy: no axes, no transform
    one_axis = {FftType.FFT: FftType.FFT, FftType.IFFT: FftType.IFFT,
                FftType.RFFT: FftType.FFT, FftType.IRFFT: FftType.IFFT}[fft_type]
    types = [one_axis] * len(steps)
    types[-1 if fft_type == FftType.IRFFT else 0] = fft_type
    steps = _fill_defaults(x, steps, types)
    norm = _check_norm(norm)  # as NumPy: after the lengths, and not at all without axes
    if fft_type == FftType.RFFT:
        return _r2c(x, steps, norm)
    if fft_type == FftType.IRFFT:
        return _c2r(x, steps, norm)
    return _c2c(x, steps, fft_type == FftType.IFFT, norm)


def fftn(a, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
         norm: str | None = None, out=None):
    """numpy.fft.fftn: the n-dimensional discrete Fourier transform."""
    return _nd(a, s, axes, norm, out, FftType.FFT)


def ifftn(a, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
          norm: str | None = None, out=None):
    """numpy.fft.ifftn: the n-dimensional inverse discrete Fourier transform."""
    return _nd(a, s, axes, norm, out, FftType.IFFT)


def rfftn(a, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
          norm: str | None = None, out=None):
    """numpy.fft.rfftn: the n-dimensional transform of real input (rfft on the last axis)."""
    return _nd(a, s, axes, norm, out, FftType.RFFT)


def irfftn(a, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
           norm: str | None = None, out=None):
    """numpy.fft.irfftn: the inverse of rfftn (irfft on the last axis)."""
    return _nd(a, s, axes, norm, out, FftType.IRFFT)


def fft2(a, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1),
         norm: str | None = None, out=None):
    """numpy.fft.fft2: fftn over the last two axes."""
    return _nd(a, s, axes, norm, out, FftType.FFT)


def ifft2(a, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1),
          norm: str | None = None, out=None):
    """numpy.fft.ifft2: ifftn over the last two axes."""
    return _nd(a, s, axes, norm, out, FftType.IFFT)


def rfft2(a, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1),
          norm: str | None = None, out=None):
    """numpy.fft.rfft2: rfftn over the last two axes."""
    return _nd(a, s, axes, norm, out, FftType.RFFT)


def irfft2(a, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1),
           norm: str | None = None, out=None):
    """numpy.fft.irfft2: irfftn over the last two axes."""
    return _nd(a, s, axes, norm, out, FftType.IRFFT)


# --- helpers: frequencies and shifts ---------------------------------------------------------

def _frequencies(n, d, integers: np.ndarray):
    """integers / (n d), with NumPy's result dtype (that of int64 array * (1.0 / (n d)))."""
    if type(d) in (int, float, complex) or isinstance(d, np.generic):
        val = 1.0 / (n * d)  # Python's ZeroDivisionError for n * d == 0, as NumPy
        dtype = np.result_type(np.int64, val)
        return ew.mul(astype(integers, dtype), lax_shape.full(integers.shape, val, dtype))
    # An array or traced spacing.
    d = asvalue(d)
    if shape_of(d):
        raise ValueError(f"d must be a scalar, got an array of shape {shape_of(d)}")
    dtype = result_type(np.int64, d, 1.0)
    val = ew.div(np.asarray(1.0, dtype), ew.mul(astype(d, dtype), np.asarray(n, dtype)))
    return ew.mul(astype(integers, dtype), lax_shape.broadcast_in_dim(val, integers.shape, ()))


def _check_integer(n) -> int:
    if not isinstance(n, (int, np.integer)):
        raise ValueError("n should be an integer")
    return int(n)


def fftfreq(n: int, d=1.0, device=None):
    """numpy.fft.fftfreq: the sample frequencies [0, 1, ..., -n//2, ..., -1] / (d n)."""
    n = _check_integer(n)
    integers = np.concatenate([np.arange(0, (n - 1) // 2 + 1), np.arange(-(n // 2), 0)])
    return _frequencies(n, d, integers.astype(np.int64))


def rfftfreq(n: int, d=1.0, device=None):
    """numpy.fft.rfftfreq: the sample frequencies of rfft's bins, [0, ..., n//2] / (d n)."""
    n = _check_integer(n)
    return _frequencies(n, d, np.arange(n // 2 + 1, dtype=np.int64))


def _roll(x, shifts: dict[int, int]):
    """x rolled by shifts[axis] along each axis (positive moves elements to higher
    indices), by slicing and concatenating."""
    shape = shape_of(x)
    for axis, shift in shifts.items():
        size = shape[axis]
        shift = shift % size if size else 0
        if shift:
            x = lax_shape.concatenate([slicing.slice_in_dim(x, size - shift, size, axis=axis),
                                       slicing.slice_in_dim(x, 0, size - shift, axis=axis)],
                                      axis)
    return x


def _shift(x, axes, sign: int):
    x = asvalue(x)
    shape = shape_of(x)
    if axes is None:
        axes = range(len(shape))
    elif isinstance(axes, (int, np.integer)):
        axes = (axes,)
    shifts: dict[int, int] = {}
    for a in axes:  # repeated axes add up, as in np.roll
        a = normalize_axis(operator.index(a), len(shape))
        shifts[a] = shifts.get(a, 0) + sign * (shape[a] // 2)
    return _roll(x, shifts)


# Note: a 0-d input comes back unchanged; NumPy's roll raises ValueError for it (a corner
# of np.roll with no axes), which is no behaviour worth copying.
def fftshift(x, axes: int | Sequence[int] | None = None):
    """numpy.fft.fftshift: move the zero-frequency term to the centre."""
    return _shift(x, axes, 1)


def ifftshift(x, axes: int | Sequence[int] | None = None):
    """numpy.fft.ifftshift: the inverse of fftshift."""
    return _shift(x, axes, -1)
