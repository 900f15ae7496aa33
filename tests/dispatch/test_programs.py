"""Ordinary NumPy programs, written as a NumPy user writes them (loops with in-place
updates, fancy indexing, reductions, FFT), run unchanged on npaccel arrays and under jit,
grad and vmap; compared with NumPy itself and with finite differences."""
import numpy as np
import pytest

import npaccel as na
from npaccel.dispatch import ndarray
from harness import check_grads


def heat(u0, steps=8, alpha=0.2):
    """Explicit heat-equation steps with in-place slice updates and fixed ends."""
    u = u0.copy()
    for _ in range(steps):
        u[1:-1] = u[1:-1] + alpha * (u[:-2] - 2 * u[1:-1] + u[2:])
    return u


def softmax_loss(logits, labels):
    """Cross-entropy with the max-subtraction trick and fancy-indexed picks."""
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(labels)), labels].mean()


def smooth_spectrum(x):
    """Low-pass filter through the FFT, then the signal energy."""
    spec = np.fft.rfft(x)
    spec[len(spec) // 2:] = 0
    y = np.fft.irfft(spec, n=len(x))
    return (y * y).sum()


def running_stats(x):
    """Preallocate (like= picks the array library, NEP 35), fill in a loop, reduce."""
    out = np.zeros((len(x), 2), like=x)
    for i in range(len(x)):
        out[i, 0] = x[: i + 1].mean()
        out[i, 1] = x[: i + 1].max()
    return out


RNG = np.random.default_rng(0)
U0 = RNG.standard_normal(12)
LOGITS = RNG.standard_normal((5, 4))
LABELS = np.array([0, 3, 1, 1, 2])
SIGNAL = RNG.standard_normal(16)


@pytest.mark.parametrize("program,args", [
    (heat, (U0,)), (softmax_loss, (LOGITS, LABELS)), (smooth_spectrum, (SIGNAL,)),
    (running_stats, (U0[:6],)),
], ids=["heat", "softmax_loss", "smooth_spectrum", "running_stats"])
def test_program_on_npaccel_arrays_and_jit_matches_numpy(program, args):
    expected = program(*[np.array(a) for a in args])
    eager = program(*[ndarray(a) for a in args])
    # NumPy's result types: arrays as npaccel arrays, scalars as NumPy scalars.
    assert type(eager) is type(expected) if np.isscalar(expected) else isinstance(eager, ndarray)
    np.testing.assert_allclose(eager, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(na.jit(program)(*args), expected, rtol=1e-12, atol=1e-12)


def test_heat_gradient_and_vmap():
    loss = lambda u: (heat(u) ** 2).sum()
    check_grads(loss, [U0], order=1)
    batch = np.stack([U0, 2 * U0, -U0])
    np.testing.assert_allclose(na.vmap(heat)(batch), np.stack([heat(b.copy()) for b in batch]),
                               rtol=1e-12)


def test_softmax_loss_gradient_matches_finite_differences():
    check_grads(lambda lg: softmax_loss(lg, LABELS), [LOGITS], order=2)
    g = na.grad(softmax_loss)(LOGITS, LABELS)
    p = np.exp(LOGITS - LOGITS.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    p[np.arange(5), LABELS] -= 1
    np.testing.assert_allclose(g, p / 5, rtol=1e-10, atol=1e-12)


def test_spectrum_gradient_and_running_stats_vmap():
    check_grads(smooth_spectrum, [SIGNAL], order=1)
    xs = np.stack([U0[:6], U0[6:]])
    np.testing.assert_allclose(na.vmap(running_stats)(xs), np.stack([running_stats(x) for x in xs]))
