"""0-d results: NumPy's scalars for npaccel.ndarray (as NumPy returns them), 0-d arrays of
the namespace for the array-API arrays (as the standard requires), each kept through every
later operation; 0-d arrays inside transformations."""
import numpy as np
import pytest

import npaccel
from npaccel.dispatch.ndarray import ArrayAPIArray

CASES = {
    "index": lambda a, xp: a[1],
    "ufunc": lambda a, xp: np.sin(a[1:2].reshape(())),
    "operator": lambda a, xp: a.sum() * 2,
    "reduction": lambda a, xp: np.sum(a),
    "method": lambda a, xp: a.max(),
    "linalg": lambda a, xp: np.linalg.norm(a),
}


@pytest.mark.parametrize("case", CASES)
def test_numpy_flavour_gives_numpys_scalar_types(case):
    expected = CASES[case](np.arange(4.0), np)
    actual = CASES[case](npaccel.array(np.arange(4.0)), np)
    assert type(actual) is type(expected) and actual == expected


@pytest.mark.parametrize("case", CASES)
def test_array_api_flavour_keeps_0d_arrays_of_its_namespace(case):
    xp = npaccel.array([0.0]).__array_namespace__()
    a = xp.asarray(np.arange(4.0))
    actual = CASES[case](a, xp)
    assert type(actual) is ArrayAPIArray and actual.shape == ()
    assert actual.__array_namespace__() is xp
    assert float(actual) == CASES[case](np.arange(4.0), np)


def test_mixed_operands_take_the_array_api_flavour():
    xp = npaccel.array([0.0]).__array_namespace__()
    mixed = npaccel.array([1.0, 2.0]) + xp.asarray(1.0)
    assert type(mixed) is ArrayAPIArray
    assert type(mixed.sum()) is ArrayAPIArray


def test_inside_transformations_0d_results_are_arrays():
    def f(x):
        s = x[0] + np.sum(x)
        assert isinstance(s, npaccel.ndarray)
        return s
    assert float(npaccel.jit(f)(npaccel.array(np.arange(3.0)))) == 3.0
    np.testing.assert_allclose(npaccel.grad(f)(np.arange(3.0)), [2.0, 1.0, 1.0])


def test_array_api_namespace_returns_views_where_numpy_does():
    xp = npaccel.array([0.0]).__array_namespace__()
    base = np.arange(6.0).reshape(2, 3)
    a = xp.asarray(base)
    xp.permute_dims(a, (1, 0))[0, 1] = -5.0
    xp.reshape(a, (3, 2))[2, 1] = 7.0
    expected = base.copy()
    np.permute_dims(expected, (1, 0))[0, 1] = -5.0
    np.reshape(expected, (3, 2))[2, 1] = 7.0
    np.testing.assert_array_equal(np.asarray(a), expected)


def test_overlap_add_convolution_through_scipy_matches_numpy():
    import scipy.signal
    xp = npaccel.array([0.0]).__array_namespace__()
    rng = np.random.default_rng(0)
    x, h = rng.standard_normal(50), rng.standard_normal(6)
    np.testing.assert_allclose(np.asarray(scipy.signal.oaconvolve(xp.asarray(x), xp.asarray(h))),
                               scipy.signal.oaconvolve(x, h), atol=1e-12)


def test_array_api_signatures_where_they_differ_from_numpy():
    import array_api_compat.numpy as standard   # the standard's NumPy, the reference here
    xp = npaccel.array([0.0]).__array_namespace__()
    values = np.array([3.0, 1.0, 2.0, 1.0, 3.0])
    x = xp.asarray(values)
    for name, kwargs in [("clip", {"min": 1.5}), ("clip", {"max": 2.0}),
                         ("sort", {"descending": True}), ("argsort", {"descending": True}),
                         ("argsort", {}), ("sort", {"stable": False})]:
        np.testing.assert_array_equal(np.asarray(getattr(xp, name)(x, **kwargs)),
                                      getattr(standard, name)(values, **kwargs), err_msg=name)


def test_apply_along_axis_calls_any_python_per_slice():
    def top2(row):   # value-dependent: not traceable under vmap
        return np.sort(row[row > 0])[::-1][:2]
    x = np.array([[3.0, -1.0, 2.0, 5.0], [1.0, 4.0, -2.0, 6.0]])
    np.testing.assert_array_equal(np.apply_along_axis(top2, 1, npaccel.array(x)),
                                  np.apply_along_axis(top2, 1, x))
