"""npaccel: NumPy and SciPy on XLA, with JAX-style transformations."""
from npaccel import lax
from npaccel.core import tree_util
from npaccel.transforms import (Array, device_put, grad, hessian, jacfwd, jacrev, jit, jvp,
                                linearize, make_jaxpr, value_and_grad, vjp, vmap)

from npaccel.transforms.custom_derivatives import custom_jvp, custom_vjp
from npaccel import dispatch, numpy, random  # noqa: E402  (the NumPy face: installs the protocols)
from npaccel.dispatch import asndarray, config, ndarray


def array(object, dtype=None, *, copy=True, ndmin=0) -> ndarray:
    """A new npaccel.ndarray from any array-like (as numpy.array)."""
    value = numpy.array(object, dtype=dtype, ndmin=ndmin)
    return ndarray(value)


def asarray(a, dtype=None) -> ndarray:
    """`a` as an npaccel.ndarray, without a copy when it already is one of `dtype`."""
    if isinstance(a, ndarray) and (dtype is None or a.dtype == dtype):
        return a
    return ndarray(numpy.asarray(a, dtype=dtype))

def from_dlpack(x, *, device=None, copy=None) -> ndarray:
    """An npaccel.ndarray from any object with `__dlpack__` (as numpy.from_dlpack)."""
    return ndarray(numpy.from_dlpack(x, device=device, copy=copy))


__version__ = "0.1.0"
