"""npaccel.numpy.lib.stride_tricks.sliding_window_view against NumPy's: shapes and values
for window shapes and axes (repeated axes, zero-size windows), dtypes, exception classes;
jit against eager, vmap against a loop, derivatives against finite differences."""
import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view as np_swv

import npaccel
from npaccel.numpy.lib.stride_tricks import sliding_window_view as swv
from harness import assert_close, check_grads
from tests.numpy._against_numpy import expected_exception

X = np.arange(24.0).reshape(2, 3, 4)
CASES = [((2, 2, 2), None), (3, 2), (2, -1), ((2, 3), (1, 2)), ((1, 1, 1), None),
         ((0, 0, 0), None), ((1, 2), (2, 2)), ((2, 1), (-1, 0)), ([2, 2, 2], None), (4, 2),
         (np.int64(2), 1)]
ERRORS = [((2, 2), (0, 0)), ((3, 2, 1), None), ((5, 1, 1), None), ((2, 2), None),
          ((-1, 1, 1), None), (2, 3), ((2,), (0, 1)), (5, 2)]



@pytest.mark.parametrize("window,axis", CASES, ids=str)
def test_values_and_shapes(window, axis):
    assert_close(swv(X, window, axis), np_swv(X, window, axis), 0)


@pytest.mark.parametrize("window,axis", ERRORS, ids=str)
def test_errors(window, axis):
    with pytest.raises(Exception) as info:
        np_swv(X, window, axis)
    with pytest.raises(expected_exception(info.value)):
        swv(X, window, axis)


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint64, np.float16, np.float32,
                                   np.complex128], ids=lambda d: np.dtype(d).name)
def test_dtypes(dtype):
    x = (np.arange(10) % 3).astype(dtype)
    assert_close(swv(x, 3), np_swv(x, 3), 0)


def test_other_inputs():
    assert_close(swv([1, 2, 3, 4], 2), np_swv([1, 2, 3, 4], 2), 0)
    assert_close(swv(np.float64(3.0), ()), np_swv(np.float64(3.0), ()), 0)
    assert_close(swv(np.zeros((0, 3)), 2, axis=1), np_swv(np.zeros((0, 3)), 2, axis=1), 0)
    assert_close(swv(X, 2, axis=0, subok=True), np_swv(X, 2, axis=0, subok=True), 0)
    with pytest.raises(NotImplementedError, match="writeable"):
        swv(X, 2, axis=0, writeable=True)


def test_transformations():
    fun = lambda x: swv(x, (2, 3), axis=(0, 1))  # noqa: E731
    assert_close(npaccel.jit(fun)(X), fun(X), 0)
    check_grads(fun, [X / 7.0], order=1)
    stacked = np.stack([X, X + 1])
    assert_close(npaccel.vmap(fun)(stacked), np.stack([np.asarray(fun(x)) for x in stacked]), 0)
