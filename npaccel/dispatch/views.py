"""NumPy functions that return views of their first argument (`np.transpose(a)`,
`np.diagonal(a)`, `np.split(a, 3)`, ...): on an npaccel.ndarray they return views too, so a
write through the result reaches `a` (or raises, where NumPy's view is read-only).

The view's element map is what NumPy itself computes for an array of flat indices, so the
map — and every error for bad arguments — is NumPy's by construction; the values are read
with npaccel's native implementation.
"""
from __future__ import annotations

import numpy as np

from npaccel.core.trace import Tracer
from npaccel.dispatch.ndarray import _step_map, ndarray, scalar_or_array
from npaccel.numpy import _core

# Public name -> whether NumPy's view is writeable (a callable decides from the arguments).
VIEW_FUNCTIONS = {
    **dict.fromkeys(("numpy.transpose", "numpy.permute_dims", "numpy.matrix_transpose",
                     "numpy.swapaxes", "numpy.moveaxis", "numpy.rollaxis", "numpy.squeeze",
                     "numpy.expand_dims", "numpy.flip", "numpy.fliplr", "numpy.flipud",
                     "numpy.rot90", "numpy.split", "numpy.array_split", "numpy.hsplit",
                     "numpy.vsplit", "numpy.dsplit", "numpy.unstack"), True),
    "numpy.diagonal": False,
    "numpy.broadcast_to": False,
    "numpy.lib.stride_tricks.sliding_window_view": lambda kwargs: kwargs.get("writeable", False),
}


def _reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    return a.reshape(shape if shape is not None else newshape, order=order, copy=copy)


# Views whose view-or-copy decision is the array's own (contiguity), as NumPy's methods.
METHOD_VIEWS = {
    "numpy.reshape": _reshape,
    "numpy.ravel": lambda a, order="C": a.ravel(order),
}


def _host(x):
    return np.asarray(x) if isinstance(x, ndarray) else x


def function_view(name: str, func, impl, a: ndarray, args: tuple, kwargs: dict):
    """`func(a, *args, **kwargs)` as a view (or a list/tuple of views) of `a`."""
    writeable = VIEW_FUNCTIONS[name]
    writeable = writeable(kwargs) if callable(writeable) else writeable
    host_args = tuple(_host(x) for x in args)
    maps = func(np.arange(a.size).reshape(a.shape), *host_args, **kwargs)
    if isinstance(maps, (np.ndarray, np.generic)):
        return _view(a, maps, lambda v: impl(v, *args, **kwargs), writeable)
    return type(maps)(_view(a, m, _part(impl, i, args, kwargs), writeable)
                      for i, m in enumerate(maps))


def _view(a: ndarray, index_map, forward, writeable: bool):
    """A view of `a`; where NumPy gives a scalar (one element), a scalar."""
    if isinstance(index_map, np.generic) and not isinstance(a.__npaccel_value__(), Tracer):
        return scalar_or_array(forward(a.__npaccel_value__()))
    return a._view(_step_map(np.asarray(index_map), forward, writeable))


def _part(impl, i: int, args, kwargs):
    return lambda v: impl(v, *args, **kwargs)[i]


# --- memory overlap: which storage elements a view shows -------------------------------------

def _storage_units(a: ndarray) -> np.ndarray | None:
    """For each element of `a`, the storage units it covers (last axis: 2 for complex
    storage, real and imaginary part), or None where a step reinterprets bytes."""
    storage = _core.shape_of(a._storage.value)
    parts = 2 if _core.dtype_of(a._storage.value).kind == "c" else 1
    units = np.arange(int(np.prod(storage)) * parts).reshape(storage + (parts,))
    for kind, param, _, _ in a._steps:
        if kind == "index":
            units = units[param if isinstance(param, tuple) else (param,)]
        elif kind == "reshape":
            units = units.reshape(param + (units.shape[-1],))
        elif kind == "transpose":
            units = units.transpose(param + (len(param),))
        elif kind in ("map", "readonly"):
            units = units.reshape(-1, units.shape[-1])[param]
        elif kind == "frozen":
            continue
        elif kind in ("real", "imag"):
            units = units[..., 0 if kind == "real" else 1:][..., :1]
        else:
            return None
    return units


def _host_overlap(func, a, b) -> bool | None:
    """NumPy arrays share memory with an npaccel array only through the read-only host copy
    its value keeps (what `np.asarray(x)` returns): None when neither side is a NumPy array."""
    if isinstance(a, ndarray):
        a, b = b, a
    if not isinstance(a, np.ndarray):
        return None
    cache = getattr(b.__npaccel_value__(), "_npy", None) if isinstance(b, ndarray) else None
    return cache is not None and bool(func(a, cache))


def _overlap(a, b, numpy_check, units_overlap) -> bool:
    host = _host_overlap(numpy_check, a, b)
    if host is not None:
        return host
    if not (isinstance(a, ndarray) and isinstance(b, ndarray)) or a._storage is not b._storage:
        return False
    ua, ub = _storage_units(a), _storage_units(b)
    if ua is None or ub is None:
        return a.size > 0 and b.size > 0
    return bool(ua.size and ub.size and units_overlap(ua, ub))


def shares_memory(a, b, max_work=None) -> bool:
    """Whether `a` and `b` show a common element of the same storage (exact)."""
    return _overlap(a, b, np.shares_memory, lambda ua, ub: np.intersect1d(ua, ub).size)


def may_share_memory(a, b, max_work=None) -> bool:
    """Whether the storage extents of `a` and `b` overlap (NumPy's bounds check)."""
    return _overlap(a, b, np.may_share_memory,
                    lambda ua, ub: ua.min() <= ub.max() and ub.min() <= ua.max())


# Functions implemented here rather than in npaccel.numpy: they are about npaccel.ndarray.
FUNCTIONS = {"numpy.shares_memory": shares_memory, "numpy.may_share_memory": may_share_memory}
