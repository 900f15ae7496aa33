"""npaccel.numpy exports NumPy's names from npaccel.numpy's own topic modules, and every
exported callable is what dispatch finds for the NumPy function of the same name."""
import numpy as np

import npaccel.numpy as xnp
from npaccel.dispatch import protocols


def _public_callables():
    return [n for n in dir(xnp) if not n.startswith("_") and callable(getattr(xnp, n))
            and not isinstance(getattr(xnp, n), type)]


def test_every_export_is_npaccel_numpy_code_with_a_numpy_name():
    for name in _public_callables():
        value = getattr(xnp, name)
        assert hasattr(np, name), name
        module = getattr(value, "__module__", "") or ""
        assert module.startswith("npaccel.numpy") or type(value).__name__ == "ufunc" \
            or module == "numpy" or module.startswith("numpy"), (name, module)


def test_dispatch_resolves_numpy_functions_to_the_exports():
    for name in ("sum", "cumsum", "sort", "take", "reshape", "einsum", "where", "unique",
                 "concatenate", "clip", "histogram", "interp"):
        assert protocols.resolve(getattr(np, name)) is getattr(xnp, name), name
    assert protocols.resolve(np.linalg.solve) is xnp.linalg.solve
    assert protocols.resolve(np.fft.rfft) is xnp.fft.rfft
