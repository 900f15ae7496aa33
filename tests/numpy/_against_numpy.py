"""What test_reductions, test_sorting and test_sets share: the dtypes, inputs, and the
comparison of many npaccel calls against NumPy's own results or exception classes."""
import warnings

import numpy as np
import pytest

import npaccel
from harness import assert_close, default_tol

ALL = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
       np.uint64, np.float16, np.float32, np.float64, np.complex64, np.complex128]


@pytest.fixture(autouse=True)
def quiet_numpy():
    """NumPy's RuntimeWarnings (empty slices, NaNs) are expected here."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def rand(shape, dtype, seed=0, nans=False, ties=False):
    """Random input of `dtype`; with ties, few distinct values (repeats on purpose); with
    nans, some NaNs (and for complex, NaN imaginary parts)."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        x = rng.random(shape) < 0.5
    elif dtype.kind in "iu":
        x = rng.integers(0 if dtype.kind == "u" else -5, 6, shape).astype(dtype)
    elif ties:
        part = lambda: rng.integers(-3, 4, shape) / 2  # noqa: E731
        x = (part() + 1j * part() if dtype.kind == "c" else part()).astype(dtype)
    elif dtype.kind == "c":
        x = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    else:
        x = rng.standard_normal(shape).astype(dtype)
    if nans and dtype.kind in "fc" and x.size > 2:
        x.flat[1::4] = np.nan
        if dtype.kind == "c":
            x.flat[2::5] = complex(1, np.nan)
    return x


def assert_tree(actual, expected, tol, where):
    if isinstance(expected, (tuple, list)):
        assert isinstance(actual, (tuple, list)) and len(actual) == len(expected), where
        for a, e in zip(actual, expected):
            assert_tree(a, e, tol, where)
        return
    expected = np.asarray(expected)
    assert_close(actual, expected, default_tol(expected.dtype) if tol is None else tol,
                 err_msg=where)


def same_many(module, calls, tol=None, eager=False, reference=None):
    """npaccel's `module` against NumPy for each (name, args, kwargs): values, dtype and
    shape, or NumPy's exception class. The calls NumPy accepts run in one jit with the
    arguments as constants (one compilation for all) unless eager (value-dependent output
    shapes). `reference` maps names to NumPy stand-ins where NumPy leaves a choice."""
    reference = reference or {}
    good = []
    for name, args, kwargs in calls:
        try:
            expected = reference.get(name, getattr(np, name))(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 (any exception NumPy raises is the spec)
            with pytest.raises(type(e)):
                getattr(module, name)(*args, **kwargs)
            continue
        good.append((name, args, kwargs, expected))

    def run():
        return [getattr(module, name)(*args, **kwargs) for name, args, kwargs, _ in good]
    actual = run() if eager else npaccel.jit(run)()
    for (name, args, kwargs, expected), a in zip(good, actual):
        assert_tree(a, expected, tol, f"{name} {args} {kwargs}")


def expected_exception(e: BaseException) -> type:
    """The public class to expect for what NumPy raised (NumPy's private UFuncTypeError is
    a TypeError, AxisError an IndexError and ValueError, ...)."""
    for cls in (np.exceptions.AxisError, IndexError, ValueError, TypeError):
        if isinstance(e, cls):
            return cls
    return type(e)
