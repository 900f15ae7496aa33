"""npaccel.numpy.fft against numpy.fft: values, result dtypes, exception classes, and
jit / vmap / derivatives for a representative subset.

Inputs come from a small fixed pool of shapes (each new shape is an XLA compile).
"""
import functools
import warnings

import numpy as np
import pytest

import npaccel
from npaccel import lax
from npaccel.core.trace import get_aval
from npaccel.numpy import fft as npfft
from harness import ALL, assert_close, check_grads, rand_default

ONE_AXIS = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
N_DIM = ["fftn", "ifftn", "rfftn", "irfftn", "fft2", "ifft2", "rfft2", "irfft2"]
_SHAPE = (3, 4, 5)


def _input(shape, dtype, seed=0):
    return rand_default(np.random.default_rng(seed), shape, dtype)


def _tol(dtype) -> float:
    return {np.float16: 2e-2, np.float32: 1e-4, np.complex64: 1e-4}.get(np.dtype(dtype).type,
                                                                        1e-10)


def _compare(name, args, kwargs, tol=None):
    """npaccel and NumPy agree: the same values and dtype, or the same exception class."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            expected = getattr(np.fft, name)(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 (the class is what we compare)
            with pytest.raises(type(e)):
                getattr(npfft, name)(*args, **kwargs)
            return
        actual = getattr(npfft, name)(*args, **kwargs)
    expected = np.asarray(expected)
    # Errors scale with the largest value a transform sums up.
    scale = max(1.0, float(np.max(np.abs(expected)))) if expected.size else 1.0
    tol = _tol(expected.dtype) if tol is None else tol
    assert_close(np.asarray(actual) / scale, expected / scale, tol,
                 err_msg=f"{name}{kwargs}")


def _case_input(name, shape=_SHAPE, seed=0):
    real = name in ("rfft", "ihfft", "rfftn", "rfft2")
    return _input(shape, np.float64 if real else np.complex128, seed)


# --- values and dtypes ------------------------------------------------------------------------

_ONE_AXIS_KWARGS = [{}, dict(n=3), dict(n=8), dict(n=7, axis=0), dict(axis=1, norm="ortho"),
                    dict(axis=-2, norm="forward"), dict(n=1, norm="backward")]


@pytest.mark.parametrize("name", ONE_AXIS)
@pytest.mark.parametrize("dtype", ALL, ids=lambda d: np.dtype(d).name)
def test_one_axis(name, dtype):
    x = _input(_SHAPE, dtype)
    # NumPy scales float16 input by a float16-rounded 1/n (see the note in fft.py).
    tol = 1e-3 if np.dtype(dtype) == np.float16 else None
    for kwargs in _ONE_AXIS_KWARGS:
        _compare(name, (x,), kwargs, tol)


_ND_KWARGS = [{}, dict(axes=(0,)), dict(axes=(0, 2)), dict(axes=(2, 0)),
              dict(s=(3, 6), axes=(0, 1)), dict(s=(2, 3, 4), axes=(0, 1, 2)),
              dict(axes=(1, 1)), dict(axes=(0, 1, 0, 2)), dict(s=(-1, 4), axes=(1, 2)),
              dict(norm="ortho"), dict(norm="forward", axes=(0, 1)),
              dict(s=(2, 3, 2, 4), axes=(0, 1, 2, 3), norm="ortho"), dict(axes=(-1, -3))]


@pytest.mark.parametrize("name", N_DIM)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128,
                                   np.int32], ids=lambda d: np.dtype(d).name)
def test_n_dim(name, dtype):
    x = _input(_SHAPE, dtype)
    for kwargs in _ND_KWARGS:
        _compare(name, (x,), kwargs)


@pytest.mark.parametrize("name", N_DIM)
def test_n_dim_four_axes(name):
    """More than three axes: a composition of lax.fft calls."""
    x = _input((2, 3, 2, 3, 2), np.complex128)
    for kwargs in [{}, dict(axes=(4, 0, 2, 1)), dict(s=(3, 2, 4, 3, 4), axes=(0, 1, 2, 3, 4))]:
        _compare(name, (x,), kwargs)


def test_none_in_s_and_s_without_axes_warn():
    for name in N_DIM:
        x = _case_input(name)
        for kwargs in [dict(s=(4, 6), axes=None), dict(s=(None, 5), axes=(0, 2))]:
            with pytest.warns(DeprecationWarning):
                getattr(npfft, name)(x, **kwargs)
            _compare(name, (x,), kwargs)


@pytest.mark.parametrize("name", ONE_AXIS + N_DIM)
def test_zero_size_and_scalars(name):
    _compare(name, (np.zeros((0, 4)),), {})
    _compare(name, (np.zeros((0, 4)),), dict(axes=(1,)) if name in N_DIM else dict(axis=1))
    _compare(name, (np.zeros((4, 0)),), {})        # n = 0 (or 2 * (0 - 1)): ValueError
    _compare(name, (np.float64(3.0),), {})          # 0-d: no axis to transform
    if name in ONE_AXIS:
        _compare(name, (np.zeros(0),), dict(n=4))   # zero-padded from nothing
    else:
        _compare(name, (np.ones((2, 3)),), dict(axes=()))


def test_lists_and_python_scalars():
    _compare("fft", ([1, 2, 3, 4],), {})
    _compare("rfft", ([1.0, 2.5, 3.0],), {})
    _compare("irfftn", ([[1, 2j], [3, 4]],), {})


# --- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ONE_AXIS)
def test_one_axis_errors(name):
    x = _input((4, 6), np.complex128 if name in ("ifft", "fft", "irfft", "hfft") else np.float64)
    for kwargs in [dict(n=0), dict(n=-3), dict(n=4.0), dict(axis=2), dict(axis=-3),
                   dict(axis=1.0), dict(norm="bad"), dict(norm="Ortho")]:
        _compare(name, (x,), kwargs)
    with pytest.raises(ValueError, match="Invalid number of FFT data points"):
        getattr(npfft, name)(x, n=0)
    with pytest.raises(TypeError, match="out="):
        getattr(npfft, name)(x, out=np.zeros(3))


@pytest.mark.parametrize("name", N_DIM)
def test_n_dim_errors(name):
    x = _input((3, 4), np.complex128)
    for kwargs in [dict(axes=(0, 5)), dict(axes=(-3, 0)), dict(s=(3,), axes=(0, 1)),
                   dict(s=(0, 4), axes=(0, 1)), dict(s=(3, -2), axes=(0, 1)),
                   dict(norm="bad")]:
        _compare(name, (x,), kwargs)


@pytest.mark.parametrize("name", ["rfft", "ihfft", "rfftn", "rfft2"])
def test_real_transforms_reject_complex(name):
    _compare(name, (_input((3, 4), np.complex64),), {})
    with pytest.raises(TypeError):
        getattr(npfft, name)(_input((3, 4), np.complex128))


# --- frequencies and shifts -------------------------------------------------------------------

@pytest.mark.parametrize("name", ["fftfreq", "rfftfreq"])
def test_frequencies(name):
    for args in [(1,), (4,), (5, 0.1), (6, np.float32(0.3)), (7, 2), (3, 1j), (np.int32(8),),
                 (4.0,), ("4",), (0,), (4, 0.0)]:
        _compare(name, args, {})


def test_frequencies_traced_spacing():
    for name in ["fftfreq", "rfftfreq"]:
        f = npaccel.jit(lambda d, name=name: getattr(npfft, name)(9, d))
        assert_close(f(np.float64(0.25)), getattr(np.fft, name)(9, 0.25), 1e-12)


@pytest.mark.parametrize("name", ["fftshift", "ifftshift"])
def test_shifts(name):
    for x in [np.arange(7), _input(_SHAPE, np.float32), _input((2, 3), np.complex128),
              np.zeros((0, 3))]:
        for axes in [None, 0, -1, (0,), (0, 0), (1, 0)]:
            _compare(name, (x,), dict(axes=axes) if axes is not None else {})
    _compare(name, (np.arange(6).reshape(2, 3),), dict(axes=(2,)))
    assert_close(getattr(npfft, name)(np.float64(2.0)), np.float64(2.0), 0)  # see fft.py


# --- transformations --------------------------------------------------------------------------

_JIT_CASES = [("fft", dict(n=6, axis=0)), ("ifft", dict(norm="ortho")),
              ("rfft", dict(n=7)), ("irfft", dict(n=5, axis=1, norm="forward")),
              ("hfft", {}), ("ihfft", dict(norm="ortho")),
              ("fftn", dict(axes=(0, 1, 0, 2))), ("ifftn", dict(s=(4, 4), axes=(2, 0))),
              ("rfftn", dict(s=(3, 6), axes=(0, 2), norm="ortho")),
              ("irfftn", dict(axes=(1, 2))), ("fft2", {}), ("irfft2", dict(s=(3, 7))),
              ("fftshift", {}), ("ifftshift", dict(axes=(0, 2)))]


@pytest.mark.parametrize("name,kwargs", _JIT_CASES, ids=[c[0] for c in _JIT_CASES])
def test_jit_matches_eager(name, kwargs):
    x = _case_input(name)
    fun = lambda x: getattr(npfft, name)(x, **kwargs)  # noqa: E731
    assert_close(npaccel.jit(fun)(x), fun(x), 1e-12)


@pytest.mark.parametrize("name,kwargs", _JIT_CASES[:12], ids=[c[0] for c in _JIT_CASES[:12]])
def test_vmap_matches_loop(name, kwargs):
    xs = np.stack([_case_input(name, (3, 4), seed) for seed in range(2)], axis=1)
    kwargs = {k: v for k, v in kwargs.items() if k != "axes" and k != "s"}
    fun = lambda x: getattr(npfft, name)(x, **kwargs)  # noqa: E731
    batched = npaccel.vmap(fun, in_axes=1)(xs)
    loop = np.stack([np.asarray(fun(xs[:, i])) for i in range(xs.shape[1])])
    assert_close(batched, loop, 1e-12)


_GRAD_CASES = [("fft", dict(n=6, axis=0)), ("ifft", dict(n=3, norm="ortho")),
               ("rfft", dict(n=5)), ("irfft", dict(n=5, norm="forward")),
               ("hfft", dict(axis=0)), ("ihfft", dict(n=4, norm="ortho")),
               ("fftn", dict(axes=(0, 1, 0))), ("rfftn", dict(s=(3, 6), axes=(0, 1))),
               ("irfftn", dict(s=(2, 5), axes=(0, 1), norm="ortho")), ("fftshift", {})]


@pytest.mark.parametrize("name,kwargs", _GRAD_CASES, ids=[c[0] for c in _GRAD_CASES])
def test_grads(name, kwargs):
    """jvp against finite differences and vjp against jvp (outputs may be complex)."""
    x = _case_input(name, (3, 4))
    check_grads(lambda x: getattr(npfft, name)(x, **kwargs), [x], order=1)


def _parts(y):
    complex_output = get_aval(y).dtype.kind == "c"
    return [lax.real(y), lax.imag(y)] if complex_output else [y]


def _weighted(fun):
    """A real-valued loss of fun's output that weights every element differently."""
    def loss(x):
        y = fun(x)
        shape = get_aval(y).shape
        w = np.linspace(0.5, 1.5, int(np.prod(shape))).reshape(shape)
        terms = [lax.reduce_sum(lax.mul(lax.sin(p), w), tuple(range(len(shape))))
                 for p in _parts(y)]
        return functools.reduce(lax.add, terms)
    return loss


@pytest.mark.parametrize("name,kwargs", _GRAD_CASES[:9], ids=[c[0] for c in _GRAD_CASES[:9]])
def test_grad_of_real_loss_vs_finite_differences(name, kwargs):
    loss = _weighted(lambda x: getattr(npfft, name)(x, **kwargs))
    x = _case_input(name, (3, 4))
    g = np.asarray(npaccel.grad(loss)(x))
    eps = 1e-6
    for i in np.ndindex(x.shape):
        for direction in ([1.0, 1j] if x.dtype.kind == "c" else [1.0]):
            dx = np.zeros_like(x)
            dx[i] = eps * direction
            numeric = (float(loss(x + dx)) - float(loss(x - dx))) / (2 * eps)
            # As JAX: the gradient of a real loss at complex z is dL/dRe(z) - i dL/dIm(z).
            analytic = np.real(g[i]) if direction == 1.0 else -np.imag(g[i])
            np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-6,
                                       err_msg=f"{name} at {i} along {direction}")


def test_grad_through_jit_and_vmap():
    x = _input((2, 3, 4), np.float64)
    f = npaccel.jit(npaccel.vmap(lambda r: npfft.rfft2(r, s=(3, 6)), in_axes=1))
    check_grads(f, [x], order=1)
    def roundtrip(x):
        spectrum = npfft.rfftn(x, axes=(1, 2), norm="ortho")
        return npfft.irfftn(spectrum, s=(3, 4), axes=(1, 2), norm="ortho")

    assert_close(roundtrip(x), x, 1e-12)
    check_grads(_weighted(roundtrip), [x], order=2)
