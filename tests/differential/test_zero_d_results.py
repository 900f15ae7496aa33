"""Calls whose result is 0-d: an npaccel array where NumPy returns a 0-d array, a NumPy
scalar where NumPy returns a scalar (dispatch decides by function; these are the cases the
hypothesis tests found where a function's rule is not the usual one)."""
import numpy as np
import pytest

from tests.differential._keywords import check_kw

_BY_NAME_ONLY = ("NumPy returns a 0-d array for these arguments but a scalar for others of "
                 "the same function: dispatch decides by function name")

CASES = {
    "cross": (np.cross, (np.array([1, 2]), np.array([3, 4])), {}),
    "polyint": (np.polyint, (np.array(3),), {"m": 0}),
    "unique_all": (np.unique_all, (np.array(2),), {}),
    "unique_inverse": (np.unique_inverse, (np.array(2),), {}),
    "isin": (np.isin, (np.array(2), np.array([1, 2])), {}),
    "fftn": (np.fft.fftn, (np.array(2.0),), {}),
    "ifftn": (np.fft.ifftn, (np.array(2.0),), {}),
    "einsum optimize": (np.einsum, ("i,i->", np.ones(4), np.ones(4)), {"optimize": True}),
    "weighted quantile": (np.quantile, (np.array([-3.0]), 0.5),
                          {"weights": np.array([1.0]), "method": "inverted_cdf"}),
    "0-d percentile keepdims": (np.percentile, (np.array(1.0), 50.0), {"keepdims": True}),
    "empty polyval": (np.polyval, (np.array([]), np.array(2.0)), {}),
}
_KNOWN = ("einsum optimize", "weighted quantile", "0-d percentile keepdims", "empty polyval")


@pytest.mark.parametrize("case", [
    pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=_BY_NAME_ONLY))
    if n in _KNOWN else n for n in CASES])
def test_zero_d_results(case):
    fun, args, kwargs = CASES[case]
    check_kw(fun, *args, **kwargs)
