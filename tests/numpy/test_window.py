"""npaccel.numpy.window against NumPy: bartlett, blackman, hamming, hanning and kaiser
for several lengths (empty, one point, even, odd, non-integer, negative), their dtype,
jit against eager, and the derivative of kaiser with respect to beta."""
import numpy as np
import pytest

import npaccel
from npaccel.core.trace import ConcretizationError
from npaccel.numpy import window as nw
from harness import assert_close, check_grads

LENGTHS = [0, 1, 2, 5, 6, 5.5, -3, np.int8(7), np.float32(4)]
NAMES = ["bartlett", "blackman", "hamming", "hanning"]


@pytest.mark.parametrize("M", LENGTHS, ids=repr)
@pytest.mark.parametrize("name", NAMES)
def test_cosine_and_triangular_windows(name, M):
    assert_close(getattr(nw, name)(M), getattr(np, name)(M), 1e-13, err_msg=f"{name}({M})")


@pytest.mark.parametrize("M", [0, 1, 2, 5, 6, 5.5, -3, 0.5], ids=repr)
@pytest.mark.parametrize("beta", [0.0, 3.0, 14, 100.0, np.float32(2.5)], ids=repr)
def test_kaiser(M, beta):
    with np.errstate(all="ignore"):
        expected = np.kaiser(M, beta)
    assert_close(nw.kaiser(M, beta), expected, 1e-12, err_msg=f"kaiser({M}, {beta})")


def test_errors():
    with pytest.raises(TypeError):
        nw.kaiser(5, 1j)
    with pytest.raises(TypeError):
        np.kaiser(5, 1j)
    with pytest.raises(ConcretizationError, match="window length"):
        npaccel.jit(nw.hanning)(np.array(5))


@pytest.mark.parametrize("name", NAMES)
def test_jit_matches_eager(name):
    fun = getattr(nw, name)
    assert_close(npaccel.jit(lambda: fun(7))(), fun(7), 1e-14)


def test_kaiser_traced_beta():
    assert_close(npaccel.jit(lambda b: nw.kaiser(8, b))(np.array(4.0)), np.kaiser(8, 4.0), 1e-12)
    check_grads(lambda b: nw.kaiser(8, b), [np.array(4.0)], order=1)
    betas = np.array([1.0, 5.0, 9.0])
    assert_close(npaccel.vmap(lambda b: nw.kaiser(6, b))(betas),
                 np.stack([np.kaiser(6, b) for b in betas]), 1e-12)
