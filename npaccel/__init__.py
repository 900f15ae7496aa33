"""npaccel: NumPy and SciPy on XLA, with JAX-style transformations."""
from npaccel import lax
from npaccel.core import tree_util
from npaccel.transforms import (Array, device_put, grad, hessian, jacfwd, jacrev, jit, jvp,
                                linearize, make_jaxpr, value_and_grad, vjp, vmap)

from npaccel.transforms.custom_derivatives import custom_jvp, custom_vjp

__version__ = "0.1.0"
