"""The fft primitive against np.fft (see tests/harness.py for the checks).

stablehlo.fft follows NumPy's norm="backward": FFT = np.fft.fftn and RFFT = np.fft.rfftn
(unnormalised), IFFT = np.fft.ifftn and IRFFT = np.fft.irfftn(s=fft_lengths) (divided by
the number of points); the references below are NumPy's default normalisation.
"""
import numpy as np
import pytest

import npaccel
from npaccel.lax import fourier as lax_fft
from npaccel.lax.fourier import FftType
from harness import COMPLEX, OpRecord, assert_close, check_grads, op_tests, rand_default

REAL = [np.float32, np.float64]
_OUT_DTYPE = {np.dtype(np.float32): np.complex64, np.dtype(np.float64): np.complex128,
              np.dtype(np.complex64): np.complex64, np.dtype(np.complex128): np.complex128}
_REAL_OF = {np.dtype(np.complex64): np.float32, np.dtype(np.complex128): np.float64}


def _reference(fft_type, fft_lengths):
    axes = tuple(range(-len(fft_lengths), 0))

    def ref(x):
        if fft_type == FftType.FFT:
            return np.fft.fftn(x, axes=axes).astype(_OUT_DTYPE[x.dtype])
        if fft_type == FftType.IFFT:
            return np.fft.ifftn(x, axes=axes).astype(_OUT_DTYPE[x.dtype])
        if fft_type == FftType.RFFT:
            return np.fft.rfftn(x, axes=axes).astype(_OUT_DTYPE[x.dtype])
        return np.fft.irfftn(x, s=fft_lengths, axes=axes).astype(_REAL_OF[x.dtype])
    return ref


def _fft(fft_type, fft_lengths, shapes):
    def fun(x):
        return lax_fft.fft(x, fft_type, fft_lengths)
    name = f"{fft_type.name.lower()}_{'x'.join(map(str, fft_lengths))}"
    dtypes = REAL if fft_type == FftType.RFFT else COMPLEX
    return OpRecord(name, fun, _reference(fft_type, fft_lengths), [(s,) for s in shapes], dtypes,
                    hlo_ops=["stablehlo.fft"])


RECORDS = [
    _fft(FftType.FFT, (4,), [(4,), (2, 4)]),
    _fft(FftType.FFT, (3, 4), [(3, 4), (2, 3, 4)]),
    _fft(FftType.FFT, (2, 3, 2), [(2, 3, 2)]),
    _fft(FftType.IFFT, (5,), [(5,), (3, 5)]),
    _fft(FftType.IFFT, (2, 4), [(2, 4)]),
    _fft(FftType.RFFT, (4,), [(4,), (3, 4)]),
    _fft(FftType.RFFT, (5,), [(2, 5)]),
    _fft(FftType.RFFT, (3, 4), [(3, 4), (2, 3, 4)]),
    _fft(FftType.RFFT, (2, 2, 3), [(2, 2, 3)]),
    _fft(FftType.IRFFT, (4,), [(3,), (2, 3)]),
    _fft(FftType.IRFFT, (5,), [(3,)]),
    _fft(FftType.IRFFT, (3, 4), [(3, 3), (2, 3, 3)]),
    _fft(FftType.IRFFT, (2, 3, 5), [(2, 3, 3)]),
    _fft(FftType.IRFFT, (1,), [(1,)]),
]

globals().update(op_tests(RECORDS))


# --- complex derivatives (the table's grad checks run on float64 inputs only) ---------------

@pytest.mark.parametrize("fft_type, fft_lengths, shape", [
    (FftType.FFT, (4,), (2, 4)), (FftType.FFT, (2, 3), (2, 3)), (FftType.IFFT, (3, 2), (3, 2)),
    (FftType.IRFFT, (4,), (2, 3)), (FftType.IRFFT, (5,), (3,)), (FftType.IRFFT, (2, 4), (2, 3)),
    (FftType.IRFFT, (2,), (2,)),
])
def test_grad_complex(fft_type, fft_lengths, shape):
    x = rand_default(np.random.default_rng(0), shape, np.complex128)
    check_grads(lambda x: lax_fft.fft(x, fft_type, fft_lengths), [x])


def test_grad_through_jit_and_vmap():
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    f = npaccel.jit(npaccel.vmap(lambda r: lax_fft.fft(r, "rfft", (2, 4)), in_axes=1))
    check_grads(f, [x])


@pytest.mark.parametrize("fft_type, fft_lengths, shape, dtype", [
    (FftType.RFFT, (6,), (6,), np.float64), (FftType.IRFFT, (6,), (4,), np.complex128)])
def test_transpose_against_explicit_matrix(fft_type, fft_lengths, shape, dtype):
    """The transposes against explicit matrices: each DFT applied to the unit vectors."""
    size = int(np.prod(shape))
    basis = np.eye(size).reshape(size, *shape).astype(dtype)
    f = lambda x: lax_fft.fft(x, fft_type, fft_lengths)  # noqa: E731
    matrix = np.stack([np.asarray(f(e)).reshape(-1) for e in basis], 1)   # real-linear map
    out, f_vjp = npaccel.vjp(f, basis[0])
    ct = rand_default(np.random.default_rng(0), np.shape(out), np.asarray(out).dtype)
    (ct_in,) = f_vjp(ct)
    # Plain transpose under the pairing Re(sum(u * v)), column by column of the map.
    expected = np.real(ct.reshape(-1) @ matrix)
    if dtype == np.complex128:       # also the imaginary directions of the input
        imag = np.stack([np.asarray(f(1j * e)).reshape(-1) for e in basis], 1)
        expected = expected - 1j * np.real(ct.reshape(-1) @ imag)
    assert_close(np.asarray(ct_in).reshape(-1), expected.astype(dtype), 1e-12)


# --- conventions and spellings --------------------------------------------------------------

def test_round_trips():
    rng = np.random.default_rng(0)
    z = rand_default(rng, (2, 3, 4), np.complex128)
    r = rng.standard_normal((2, 3, 5))
    assert_close(lax_fft.fft(lax_fft.fft(z, FftType.FFT, (3, 4)), FftType.IFFT, (3, 4)), z, 1e-12)
    assert_close(lax_fft.fft(lax_fft.fft(r, FftType.RFFT, (3, 5)), FftType.IRFFT, (3, 5)), r, 1e-12)


@pytest.mark.parametrize("spelling", ["fft", "FFT", FftType.FFT, 0])
def test_fft_type_spellings(spelling):
    z = rand_default(np.random.default_rng(0), (4,), np.complex64)
    assert_close(lax_fft.fft(z, spelling, (4,)), np.fft.fft(z).astype(np.complex64), 1e-5)


# --- errors --------------------------------------------------------------------------------

Z = np.ones((3, 4), np.complex128)
R = np.ones((3, 4))


@pytest.mark.parametrize("call, error, match", [
    (lambda: lax_fft.fft(R, FftType.FFT, (4,)), TypeError, "complex"),
    (lambda: lax_fft.fft(R, FftType.IRFFT, (6,)), TypeError, "complex"),
    (lambda: lax_fft.fft(Z, FftType.RFFT, (4,)), TypeError, "float32 or float64"),
    (lambda: lax_fft.fft(R.astype(np.int32), FftType.RFFT, (4,)), TypeError, "float32"),
    (lambda: lax_fft.fft(R.astype(np.float16), FftType.RFFT, (4,)), TypeError, "float32"),
    (lambda: lax_fft.fft(Z, FftType.FFT, (5,)), ValueError, "trailing"),
    (lambda: lax_fft.fft(Z, FftType.IRFFT, (4,)), ValueError, "trailing"),
    (lambda: lax_fft.fft(Z, FftType.FFT, (4, 3)), ValueError, "trailing"),
    (lambda: lax_fft.fft(Z, FftType.FFT, ()), ValueError, "1 to 3"),
    (lambda: lax_fft.fft(np.ones((1, 1, 1, 1), np.complex64), "fft", (1, 1, 1, 1)), ValueError,
     "1 to 3"),
    (lambda: lax_fft.fft(Z, FftType.FFT, (2, 3, 4)), ValueError, "rank"),
    (lambda: lax_fft.fft(Z, "dct", (4,)), ValueError, "unknown fft_type"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
