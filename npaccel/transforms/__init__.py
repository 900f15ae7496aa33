"""Interpreters: eager evaluation, staging and lowering, jit, autodiff, batching."""
from npaccel.transforms import eval as _eval  # noqa: F401  (installs the eager interpreter)
from npaccel.transforms.array import Array, device_put
from npaccel.transforms.batching import vmap
from npaccel.transforms.derivatives import (grad, hessian, jacfwd, jacrev, jvp, linearize,
                                            value_and_grad, vjp)
from npaccel.transforms.jit import jit
from npaccel.transforms.staging import make_jaxpr
