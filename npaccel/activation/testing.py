"""`numpy.testing` as accelerated tests see it: the value assertions compare host copies.

NumPy's assertions branch on `isinstance(x, ndarray)`; an npaccel array would take the
scalar path and end in `bool(array)`. The expected values are the oracle, not what is under
test, so converting both sides to host arrays first is exact. Assertions that take a
callable (`assert_raises`, `assert_warns`) are left alone: they must run the code on npaccel.
"""
from __future__ import annotations

import numpy as np
import numpy.testing

from npaccel.activation.proxy import ProxyModule
from npaccel.dispatch.ndarray import ndarray

_VALUE_ASSERTIONS = (
    "assert_equal", "assert_almost_equal", "assert_approx_equal", "assert_array_equal",
    "assert_array_almost_equal", "assert_array_less", "assert_allclose",
    "assert_array_max_ulp", "assert_array_almost_equal_nulp", "assert_array_compare",
    "assert_string_equal")


def to_host(x):
    if isinstance(x, ndarray):
        return np.asarray(x)
    if isinstance(x, tuple) and not hasattr(x, "_fields"):
        return tuple(to_host(i) for i in x)
    if isinstance(x, list):
        return [to_host(i) for i in x]
    if isinstance(x, dict):
        return {k: to_host(v) for k, v in x.items()}
    return x


class HostAssertion:
    """A NumPy value assertion applied to host copies of its arguments."""

    def __init__(self, assertion):
        self.__wrapped__ = assertion
        self.__name__ = assertion.__name__
        self.__doc__ = assertion.__doc__

    def __call__(self, *args, **kwargs):
        __tracebackhide__ = True  # pytest shows the caller's line, not this wrapper's
        return self.__wrapped__(*to_host(args), **to_host(kwargs))


def proxy_module() -> ProxyModule:
    overrides = {name: HostAssertion(getattr(numpy.testing, name))
                 for name in _VALUE_ASSERTIONS if hasattr(numpy.testing, name)}
    module = ProxyModule(numpy.testing, overrides)
    # Everything else in numpy.testing (assert_raises, suppress_warnings, ...) stays NumPy's.
    for name, value in vars(numpy.testing).items():
        if name not in overrides and not name.startswith("__"):
            module.__dict__[name] = value
    return module
