"""Keyword strategies shared by the reduction, sorting, product and linalg/fft modules of
the differential harness (axis=, optional keywords), and `check_native` for the functions
that take no array (window functions, fftfreq): NumPy's dispatch cannot reach npaccel for
those, so the npaccel side is called through npaccel's array namespace instead."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st

from npaccel.dispatch.namespace import array_api
from tests.differential._differential import _native_only, assert_same, check
from tests.numpy._against_numpy import expected_exception

OMIT = object()  # a keyword left out of the call


def axes(ndim: int, tuples: bool = True, none: bool = True):
    """None, an int (negative and one out of range on each side included) or, with tuples,
    a tuple of distinct axes (sometimes a repeated or out-of-range one)."""
    one = st.integers(-ndim - 1, ndim)
    options = [one]
    if none:
        options.append(st.none())
    if tuples:
        options.append(st.lists(one, min_size=0, max_size=ndim + 1).map(tuple))
    return st.one_of(options)


def keywords(draw, strategies: dict) -> dict:
    """Each keyword of `strategies` either left out or drawn from its strategy."""
    drawn = {key: draw(st.one_of(st.just(OMIT), strategy))
             for key, strategy in strategies.items()}
    return {key: value for key, value in drawn.items() if value is not OMIT}


def check_kw(fun, *args, tol_: float | None = None, **kwargs):
    """`check(fun, *args, **kwargs)`, also for keywords that `check` itself takes (NumPy's
    where=, matrix_rank's tol=): they reach `fun` through a wrapper, as trailing positional
    arguments (so arrays among them are converted like the rest). A missing exception
    names the call. `tol_` is check's `tol`."""
    n, names = len(args), list(kwargs)

    def call(*values):
        return fun(*values[:n], **dict(zip(names, values[n:])))
    where = f"{getattr(fun, '__name__', fun)} args={args!r} kwargs={kwargs!r}"
    try:
        return check(call, *args, *kwargs.values(), tol=tol_, where=where)
    except pytest.fail.Exception as e:  # a missing exception: say for which call
        raise AssertionError(f"{where}: {e}") from None


def scalar_if_0d(fun):
    """fun with a 0-d array result made a scalar, on both sides: where NumPy returns a 0-d
    array that npaccel's dispatch makes a NumPy scalar (a dispatch bug, each module's
    xfailed test_zero_d_results), the values are still compared."""
    def scalar(r):
        if isinstance(r, tuple):
            parts = [scalar(x) for x in r]
            return type(r)(*parts) if hasattr(r, "_fields") else type(r)(parts)
        return r[()] if not isinstance(r, (list, str)) and np.ndim(r) == 0 else r

    def wrapper(*args, **kwargs):
        return scalar(fun(*args, **kwargs))
    wrapper.__name__ = getattr(fun, "__name__", "scalar_if_0d")
    return wrapper


def check_native(name: str, *args, tol_: float | None = None, post=None, **kwargs):
    """numpy.<name>(*args) against npaccel's own implementation called directly (through
    its array namespace), for functions NumPy cannot dispatch: those without an array
    argument (`name` may be dotted: "fft.fftfreq"). `post` maps both results (an invariant
    where the result is not unique)."""
    np_fun, npa_fun = np, array_api
    for part in name.split("."):
        np_fun, npa_fun = getattr(np_fun, part), getattr(npa_fun, part)
    where = f"{name} args={args!r} kwargs={kwargs!r}"
    with _native_only():
        try:
            expected = np_fun(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 (whatever NumPy raises is the spec)
            with pytest.raises(expected_exception(e)):
                npa_fun(*args, **kwargs)
            return None
        actual = npa_fun(*args, **kwargs)
        if post is not None:
            expected, actual = post(expected), post(actual)
    assert_same(actual, expected, tol_, where)
    return expected
