"""The dispatch protocols: resolution, the fallback policy, in-place NumPy functions,
out=, and the coverage report."""
import subprocess
import sys
import warnings

import numpy as np
import pytest

import npaccel as na
from npaccel.dispatch import ndarray, protocols


@pytest.fixture
def no_native_kron(monkeypatch):
    """Pretend np.kron has no npaccel implementation, whatever the coverage."""
    real = protocols.resolve
    monkeypatch.setattr(protocols, "resolve",
                        lambda f: None if f is np.kron else real(f))
    protocols._warned.discard("numpy.kron")
    return np.kron


@pytest.mark.parametrize("policy", ["silent", "warn"])
def test_fallback_computes_numpy_result_on_host(no_native_kron, monkeypatch, policy):
    monkeypatch.setattr(protocols.config, "fallback", policy)
    a, b = np.arange(4.0).reshape(2, 2), np.eye(2)
    before = protocols.fallback_counts["numpy.kron"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = np.kron(ndarray(a), b)
    assert isinstance(out, ndarray)
    np.testing.assert_array_equal(out, np.kron(a, b))
    assert protocols.fallback_counts["numpy.kron"] == before + 1
    fallback_warnings = [w for w in caught if issubclass(w.category, protocols.NpaccelFallbackWarning)]
    assert len(fallback_warnings) == (1 if policy == "warn" else 0)


def test_fallback_warns_once_per_function(no_native_kron, monkeypatch):
    monkeypatch.setattr(protocols.config, "fallback", "warn")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            np.kron(ndarray(np.eye(2)), np.eye(2))
    assert sum(issubclass(w.category, protocols.NpaccelFallbackWarning) for w in caught) == 1


def test_fallback_error_policy(no_native_kron, monkeypatch):
    monkeypatch.setattr(protocols.config, "fallback", "error")
    with pytest.raises(NotImplementedError, match="numpy.kron"):
        np.kron(ndarray(np.eye(2)), np.eye(2))


def test_fallback_inside_transformation_names_the_function(no_native_kron):
    with pytest.raises(TypeError, match="numpy.kron is not implemented by npaccel"):
        na.jit(lambda x: np.kron(x, x))(np.eye(2))


def test_bad_fallback_policy_rejected(monkeypatch):
    monkeypatch.setenv("NPACCEL_FALLBACK", "sometimes")
    with pytest.raises(ValueError, match="NPACCEL_FALLBACK"):
        protocols._Config()


INPLACE = {
    "copyto_where": lambda a: np.copyto(a, np.arange(4.0), where=np.array([True, False, True, False])),
    "copyto_broadcast": lambda a: np.copyto(a, 2.5),
    "put": lambda a: np.put(a, [1, 7, -1], [9, 8, 7]),
    "put_wrap_free": lambda a: np.put(a, [0], 3.0),
    "putmask_cyclic": lambda a: np.putmask(a, np.arange(12).reshape(3, 4) % 2 == 0, [-1, -2, -3]),
    "place_cyclic": lambda a: np.place(a, np.arange(12).reshape(3, 4) > 6, [5, 6]),
    "fill_diagonal": lambda a: np.fill_diagonal(a, [7, 8]),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_functions_match_numpy(name):
    host = np.arange(12.0).reshape(3, 4)
    arr = ndarray(host)
    INPLACE[name](host)
    INPLACE[name](arr)
    np.testing.assert_array_equal(arr, host)


@pytest.mark.parametrize("shape,wrap", [((5, 3), True), ((5, 3), False), ((3, 3, 3), False)])
def test_fill_diagonal_shapes(shape, wrap):
    host = np.zeros(shape)
    arr = ndarray(host)
    np.fill_diagonal(host, 4.0, wrap=wrap)
    np.fill_diagonal(arr, 4.0, wrap=wrap)
    np.testing.assert_array_equal(arr, host)


def test_inplace_function_rejects_immutable_target():
    with pytest.raises(TypeError, match="must be an npaccel.ndarray"):
        np.copyto(na.device_put(np.zeros(3)), 1.0)


def test_inplace_functions_under_jit():
    def f(x):
        out = ndarray(np.zeros(4))
        np.copyto(out, x, where=np.array([True, False, True, True]))
        np.putmask(out, np.array([False, True, False, False]), -1.0)
        return out

    x = np.arange(1.0, 5.0)
    expected = np.where([True, False, True, True], x, 0.0)
    expected[1] = -1.0
    np.testing.assert_array_equal(na.jit(f)(x), expected)


def test_array_namespace():
    a = ndarray(np.arange(3.0))
    xp = a.__array_namespace__()
    assert xp.__array_api_version__ == "2023.12"
    assert xp.float64 == np.float64
    with pytest.raises(ValueError):
        a.__array_namespace__(api_version="1999.01")


def test_coverage_cli_prints_totals():
    out = subprocess.run([sys.executable, "-m", "npaccel.dispatch", "--coverage"],
                         capture_output=True, text=True, check=True).stdout
    lines = out.strip().splitlines()
    assert lines[-1].startswith("total: ")
    assert any(line.startswith("numpy.linalg: ") for line in lines)
    assert any(line.split()[-1] in ("native", "fallback", "unsupported") for line in lines[:-4])


# --- inputs of dtypes XLA has no type for: NumPy computes them, out= is written back ------

def test_unsupported_dtype_inputs_fall_back_to_numpy():
    from fractions import Fraction
    objects = np.array([Fraction(1, 3), Fraction(1, 2)], dtype=object)
    with pytest.warns(na.dispatch.NpaccelFallbackWarning):
        result = np.add(na.array([1, 2]), objects)
    assert type(result) is np.ndarray and result.dtype == object
    np.testing.assert_array_equal(result, np.add(np.array([1, 2]), objects))
    strings = np.concatenate([na.array([1, 2]), np.array(["x"])])
    np.testing.assert_array_equal(strings, np.concatenate([np.array([1, 2]), np.array(["x"])]))


def test_fallback_writes_npaccel_out_arrays():
    out = na.array([0.0, 0.0])
    long = np.array([1.5, 2.0], dtype=np.longdouble)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.multiply(long, 2, out=out) is out
    np.testing.assert_array_equal(out, [3.0, 4.0])


def test_ptp_method_and_from_dlpack():
    x = np.arange(6.0).reshape(2, 3) ** 2
    a = na.array(x)
    assert a.ptp() == np.ptp(x)
    np.testing.assert_array_equal(a.ptp(axis=0), np.ptp(x, axis=0))
    back = na.from_dlpack(a)
    assert isinstance(back, na.ndarray)
    np.testing.assert_array_equal(back, x)
    np.testing.assert_array_equal(na.from_dlpack(x), x)
