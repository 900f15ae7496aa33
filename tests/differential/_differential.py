"""The differential harness that the test modules of this package share.

Hypothesis draws dtypes, shapes (0-d and empty included) and values; `check` runs one
NumPy call twice, on NumPy arrays and on the same data as npaccel arrays (the call goes
through NumPy's own dispatch protocols, as user code does), and the two must agree: the
same exception class, or the same values (to a per-dtype tolerance), result dtypes and
shapes, with npaccel arrays where NumPy returns arrays and scalars where it returns
scalars. Fallback to NumPy is an error here:
what passes is npaccel's own implementation.

Each test module lists the public names it covers in `COVERED` ("numpy.sum",
"numpy.linalg.svd", "numpy.add.reduce", ...); test_coverage.py checks that together they
cover every natively implemented callable.
"""
from __future__ import annotations

import contextlib
import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import npaccel
from harness import default_tol
from tests.numpy._against_numpy import expected_exception

DTYPES = tuple(np.dtype(t) for t in (
    np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
    np.uint64, np.float16, np.float32, np.float64, np.complex64, np.complex128))

# A small fixed pool: every new (shape, dtype) is an XLA compile, so cases reuse them.
SHAPES = ((), (0,), (1,), (4,), (2, 3), (0, 3), (3, 1), (2, 1, 3))

EXAMPLES = int(os.environ.get("NPACCEL_DIFF_EXAMPLES", "8"))

# derandomize: the same examples every run, so the on-disk compile cache is reused and a
# failure reproduces; NPACCEL_DIFF_EXAMPLES=200 for a deeper local search.
differential = settings(max_examples=EXAMPLES, derandomize=True, database=None,
                        deadline=None, suppress_health_check=list(HealthCheck),
                        print_blob=True)

_POOLS = {
    "b": [False, True],
    "i": [-3, -2, -1, 0, 1, 2, 3, 5],
    "u": [0, 1, 2, 3, 5, 7],
    "f": [-2.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.25],
}
_SPECIAL_FLOATS = [np.nan, np.inf, -np.inf, -0.0]


def _pool(dtype: np.dtype, specials: bool) -> list:
    kind = "f" if dtype.kind == "c" else dtype.kind
    pool = list(_POOLS[kind])
    if specials and kind == "f":
        pool += _SPECIAL_FLOATS
    if specials and kind in "iu":
        pool += [np.iinfo(dtype).min, np.iinfo(dtype).max]
    return pool


def dtypes(kinds: str = "biufc") -> st.SearchStrategy[np.dtype]:
    return st.sampled_from([d for d in DTYPES if d.kind in kinds])


def shapes(min_ndim: int = 0, max_ndim: int = 3, nonempty: bool = False):
    pool = [s for s in SHAPES if min_ndim <= len(s) <= max_ndim
            and not (nonempty and 0 in s)]
    return st.sampled_from(pool)


@st.composite
def broadcast_shapes(draw, n: int = 2, min_ndim: int = 0):
    """n shapes that mostly broadcast together (equal, a suffix, or 1s), sometimes not."""
    base = draw(shapes(min_ndim))
    related = st.one_of(
        st.just(base),
        st.sampled_from([base[i:] for i in range(len(base) + 1)]),
        st.sampled_from([tuple(1 if j == i else d for j, d in enumerate(base))
                         for i in range(len(base))] or [base]),
        shapes(min_ndim))
    return (base,) + tuple(draw(related) for _ in range(n - 1))


@st.composite
def arrays(draw, dtype=None, shape=None, kinds: str = "biufc", specials: bool = False):
    """A NumPy array of `dtype` (drawn from `kinds` if None) and `shape` (drawn if None),
    values from a small pool per kind; with specials also NaN, ±inf, -0.0 and the integer
    limits."""
    dtype = np.dtype(draw(dtypes(kinds)) if dtype is None else dtype)
    shape = draw(shapes()) if shape is None else tuple(shape)
    size = int(np.prod(shape))
    pool = _pool(dtype, specials)
    values = draw(st.lists(st.sampled_from(pool), min_size=size, max_size=size))
    if dtype.kind == "c":
        imag = draw(st.lists(st.sampled_from(pool), min_size=size, max_size=size))
        values = [complex(r, i) for r, i in zip(values, imag)]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.array(values, dtype=dtype).reshape(shape)


def to_npaccel(tree):
    """The same arguments with every NumPy array made an npaccel array."""
    if isinstance(tree, np.ndarray):
        return npaccel.array(tree)
    if isinstance(tree, tuple) and not hasattr(tree, "_fields"):
        return tuple(to_npaccel(t) for t in tree)
    if isinstance(tree, list):
        return [to_npaccel(t) for t in tree]
    if isinstance(tree, dict):
        return {k: to_npaccel(v) for k, v in tree.items()}
    return tree


@contextlib.contextmanager
def _native_only():
    """Fallback to NumPy raises, and NumPy's RuntimeWarnings (overflow, invalid, empty
    slices) are silenced: they are part of the spec, not of the comparison."""
    policy, npaccel.config.fallback = npaccel.config.fallback, "error"
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        npaccel.config.fallback = policy


def check(fun, *args, tol: float | None = None, where: str = "", **kwargs):
    """`fun(*args, **kwargs)` on NumPy arrays and on npaccel arrays agree (see module doc).
    Returns NumPy's result (None if it raised)."""
    where = where or f"{getattr(fun, '__name__', fun)} args={args!r} kwargs={kwargs!r}"
    with _native_only():
        try:
            expected = fun(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 (whatever NumPy raises is the spec)
            with pytest.raises(expected_exception(e)):
                fun(*to_npaccel(args), **to_npaccel(kwargs))
            return None
        actual = fun(*to_npaccel(args), **to_npaccel(kwargs))
    assert_same(actual, expected, tol, where)
    return expected


def assert_same(actual, expected, tol, where: str):
    """Values, dtypes and shapes agree; NumPy arrays must come back as npaccel arrays."""
    if isinstance(expected, (tuple, list)):
        assert isinstance(actual, (tuple, list)) and len(actual) == len(expected), \
            f"{where}: {type(actual).__name__} of {len(actual) if hasattr(actual, '__len__') else '?'} " \
            f"!= {type(expected).__name__} of {len(expected)}"
        assert getattr(actual, "_fields", None) == getattr(expected, "_fields", None), where
        for a, e in zip(actual, expected):
            assert_same(a, e, tol, where)
        return
    if expected is None or isinstance(expected, (str, bytes, np.dtype, type)):
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"
        return
    if isinstance(expected, np.ndarray):
        assert isinstance(actual, npaccel.ndarray), \
            f"{where}: returned {type(actual).__name__}, not npaccel.ndarray"
    if isinstance(expected, np.generic):
        assert not isinstance(actual, npaccel.ndarray), \
            f"{where}: returned a 0-d npaccel.ndarray where NumPy returns a scalar"
    actual_np, expected_np = np.asarray(actual), np.asarray(expected)
    assert actual_np.dtype == expected_np.dtype, \
        f"{where}: dtype {actual_np.dtype} != {expected_np.dtype}"
    assert actual_np.shape == expected_np.shape, \
        f"{where}: shape {actual_np.shape} != {expected_np.shape}"
    tol = default_tol(expected_np.dtype) if tol is None else tol
    if tol == 0 or expected_np.dtype.kind in "biuSUOV":
        np.testing.assert_array_equal(actual_np, expected_np, err_msg=where)
    else:
        np.testing.assert_allclose(actual_np, expected_np, rtol=tol, atol=tol,
                                   equal_nan=True, err_msg=where)
