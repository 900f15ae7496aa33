"""NumPy's dispatch protocols for npaccel arrays and tracers.

`__array_ufunc__` (NEP 13) and `__array_function__` (NEP 18) resolve a NumPy callable to
the npaccel.numpy implementation of the same name (`numpy.linalg.norm` ->
`npaccel.numpy.linalg.norm`), call it on values and wrap the results as ndarrays. A
callable without an implementation follows the fallback policy: outside transformations
NumPy computes it on the host (counted, and by default warned about once); inside a
transformation it is an error that names the function. Never a silently different answer.
"""
from __future__ import annotations

import functools
import importlib
import os
import warnings
from collections import Counter

import numpy as np

from npaccel.core import tree_util
from npaccel.core.dtypes import UnsupportedDTypeError
from npaccel.core.trace import Tracer
from npaccel.dispatch import fperrors, hot, views
from npaccel.dispatch.ndarray import ArrayAPIArray, asndarray, ndarray, scalar_or_array
from npaccel.numpy import _core
from npaccel.transforms.array import Array

FALLBACK_POLICIES = ("silent", "warn", "error")
FPERROR_POLICIES = ("raise", "all", "off")


def _choice(variable: str, default: str, allowed: tuple) -> str:
    value = os.environ.get(variable, default)
    if value not in allowed:
        raise ValueError(f"{variable} must be one of {allowed}, got {value!r}")
    return value


class _Config:
    """npaccel.config: the fallback policy (NPACCEL_FALLBACK=silent|warn|error) and which
    floating-point error settings are honoured (NPACCEL_FPERRORS):
    - "raise" (default): np.errstate/np.seterr modes 'raise', 'call', 'print', 'log';
      NumPy's default 'warn' gives no RuntimeWarnings (checking costs a host round trip
      per ufunc call, which would stall the device pipeline);
    - "all": every mode, warnings included, as NumPy; "off": none."""

    def __init__(self):
        self.fallback = _choice("NPACCEL_FALLBACK", "warn", FALLBACK_POLICIES)
        self.fperrors = _choice("NPACCEL_FPERRORS", "raise", FPERROR_POLICIES)


config = _Config()
fallback_counts: Counter = Counter()
_warned: set[str] = set()


class NpaccelFallbackWarning(UserWarning):
    """A NumPy function ran on the host because npaccel has no implementation of it."""


# --- resolution by mirrored name ---------------------------------------------------------

@functools.lru_cache(maxsize=4096)
def _public_name(func) -> str:
    module = getattr(func, "__module__", None) or "numpy"
    # NumPy defines most functions in private modules and re-exports them publicly.
    public = "numpy" if module.startswith("numpy._") or module == "numpy" else module
    for sub in ("linalg", "fft", "random", "lib.stride_tricks", "polynomial"):
        if module.startswith(f"numpy.{sub}") or module.startswith(f"numpy.{sub.split('.')[0]}._"):
            public = f"numpy.{sub}"
    return f"{public}.{func.__name__}"


@functools.lru_cache(maxsize=4096)
def resolve(func):
    """The npaccel implementation of a NumPy callable, or None (cached: NumPy's callables
    and npaccel's modules do not change)."""
    name = _public_name(func)
    from npaccel.dispatch import inplace
    for table in (inplace.FUNCTIONS, views.FUNCTIONS):
        if name in table:
            return table[name]
    module_name, _, attr = name.rpartition(".")
    target = "npaccel.numpy" + module_name[len("numpy"):]
    try:
        module = importlib.import_module(target)
    except ImportError:
        return None
    impl = getattr(module, attr, None)
    return impl if callable(impl) else None


# --- wrapping results --------------------------------------------------------------------

def _is_leaf_value(x) -> bool:
    return isinstance(x, (Array, Tracer))


def wrap(result, scalars: bool = False, cls=None):
    """Values in a result (any nesting of tuples/lists) become arrays of `cls` (ndarray);
    with `scalars`, 0-d values become NumPy scalars where `cls` follows NumPy there."""
    if _is_leaf_value(result) or (isinstance(result, np.ndarray)
                                  and result.dtype.kind in "biufc"):
        return scalar_or_array(result, cls) if scalars else asndarray(result, cls)
    if isinstance(result, tuple) and hasattr(result, "_fields"):
        return type(result)(*[wrap(r, scalars, cls) for r in result])
    if isinstance(result, (tuple, list)):
        return type(result)(wrap(r, scalars, cls) for r in result)
    return result


def flavour(args) -> type:
    """ArrayAPIArray if any argument (or item of a list/tuple argument) is one, else ndarray:
    the array-API flavour, once chosen, is kept through every operation."""
    for a in args:
        if isinstance(a, ArrayAPIArray) or (isinstance(a, (list, tuple)) and
                                            any(isinstance(b, ArrayAPIArray) for b in a)):
            return ArrayAPIArray
    return ndarray


@functools.cache
def _zero_d_arrays() -> frozenset:
    """The functions for which NumPy returns a 0-d array rather than a scalar: those that
    make, reshape, transform (fft) or index arrays, and a few others (the differential
    tests check each against NumPy)."""
    from npaccel.numpy import creation, fft, manipulation, polynomial, sets
    names = {f"{prefix}.{n}"
             for prefix, m in (("numpy", creation), ("numpy", manipulation),
                               ("numpy", polynomial), ("numpy", sets), ("numpy.fft", fft))
             for n in dir(m) if not n.startswith("_") and callable(getattr(m, n))}
    names -= {"numpy.take", "numpy.trace", "numpy.ndim", "numpy.size", "numpy.shape",
              "numpy.polyval", "numpy.polyfit", "numpy.choose", "numpy.linspace",
              "numpy.logspace", "numpy.geomspace"}
    return frozenset(names) | {f"numpy.{n}" for n in (
        "where", "i0", "cov", "tensordot", "real_if_close", "real", "imag", "cross",
        "apply_along_axis", "piecewise")} | {"numpy.linalg.tensordot"}



def _contains_tracer(args) -> bool:
    return any(isinstance(leaf, Tracer) or
               (isinstance(leaf, ndarray) and isinstance(leaf.__npaccel_value__(), Tracer))
               for leaf in tree_util.tree_leaves(args, is_leaf=lambda x: isinstance(x, ndarray)))


def _to_host(x):
    if isinstance(x, ndarray):
        return x._host()
    if isinstance(x, Array):
        return np.asarray(x)
    return x


def fallback(func, args, kwargs, name: str, why: str = "is not implemented by npaccel"):
    """NumPy on the host for a call npaccel cannot make natively (outside transforms):
    a callable it does not implement, or inputs of a dtype XLA has no type for."""
    if _contains_tracer((args, kwargs)):
        raise TypeError(f"{name} {why}, and cannot fall back to NumPy inside a "
                        "transformation (jit/grad/vmap): its inputs are traced")
    if config.fallback == "error":
        raise NotImplementedError(f"{name} {why} (NPACCEL_FALLBACK=error)")
    fallback_counts[name] += 1
    if config.fallback == "warn" and name not in _warned:
        _warned.add(name)
        warnings.warn(f"{name} {why}; computing it with NumPy on the host",
                      NpaccelFallbackWarning, stacklevel=4)
    out = kwargs.get("out")
    outs = out if isinstance(out, tuple) else (out,)
    # NumPy writes into host copies of npaccel out= arrays, which are then written back.
    copies = {id(o): np.array(o) for o in outs if isinstance(o, ndarray)}
    host_args, host_kwargs = tree_util.tree_map(
        lambda x: copies[id(x)] if id(x) in copies else _to_host(x), (args, kwargs),
        is_leaf=lambda x: isinstance(x, (ndarray, Array)))
    result = func(*host_args, **host_kwargs)
    for o in outs:
        if isinstance(o, ndarray):
            o[...] = copies[id(o)]
    if copies:
        return out[0] if isinstance(out, tuple) and len(out) == 1 else out
    return wrap(result)


# --- NEP 18 ------------------------------------------------------------------------------

def array_function(self, func, types, args, kwargs):
    if not all(issubclass(t, (ndarray, Array, Tracer, np.ndarray)) for t in types):
        return NotImplemented
    impl = resolve(func)
    if impl is None:
        return fallback(func, args, kwargs, _public_name(func))
    name = _public_name(func)
    if args and isinstance(args[0], ndarray):
        if name in views.VIEW_FUNCTIONS:
            return views.function_view(name, func, impl, args[0], args[1:], kwargs)
        if name in views.METHOD_VIEWS:
            return views.METHOD_VIEWS[name](*args, **kwargs)
    out = kwargs.pop("out", None)
    try:
        result = hot.call(impl, args, kwargs)
    except UnsupportedDTypeError as e:
        return fallback(func, args, {**kwargs, **({} if out is None else {"out": out})},
                        name, f"is computed by NumPy for these inputs ({e})")
    if out is not None:
        # Functions cast into out= unsafely (reductions), or as their ufunc does; the shape
        # must be the result's (only ufuncs broadcast into out).
        casting = "same_kind" if name in _UFUNC_LIKE_OUT else "unsafe"
        return _write_out(out, result, casting=casting, name=name.rpartition(".")[2],
                          exact_shape=True)
    return wrap(result, scalars=name not in _zero_d_arrays(),
                cls=flavour((*args, *kwargs.values())))


# --- NEP 13 ------------------------------------------------------------------------------

def _ufunc_impl(ufunc, method: str):
    try:
        from npaccel.numpy import ufuncs
    except ImportError:
        return None
    impl = getattr(ufuncs, ufunc.__name__, None)
    return None if impl is None else getattr(impl, method if method != "__call__" else "__call__", None)


def array_ufunc(self, ufunc, method, *inputs, **kwargs):
    if any(isinstance(x, np.ndarray) is False and hasattr(x, "__array_ufunc__")
           and not isinstance(x, (ndarray, Array, Tracer)) for x in inputs):
        return NotImplemented
    name = f"numpy.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
    impl = _ufunc_impl(ufunc, method)
    if impl is None:
        return fallback(getattr(ufunc, method), inputs, kwargs, name)
    out = kwargs.pop("out", None)
    if method == "at":
        target = inputs[0]
        target._assign(_core.asvalue(impl(*inputs, **kwargs)))
        return None
    where = kwargs.get("where", True)
    try:
        if out is None:
            result = hot.call(impl, inputs, kwargs)
        else:
            out = out if isinstance(out, tuple) else (out,)
            result = impl(*inputs, **{**kwargs, "dtype": kwargs.get("dtype"), "where": True})
    except UnsupportedDTypeError as e:
        return fallback(getattr(ufunc, method), inputs,
                        {**kwargs, **({} if out is None else {"out": out})}, name,
                        f"is computed by NumPy for these inputs ({e})")
    if method != "at" and where is True and not _traced(result):
        fperrors.check(ufunc, inputs[:1] if method != "outer" and method != "__call__"
                       else inputs, result, config.fperrors, method)
    if out is not None:
        return _write_out(out, result, casting=kwargs.get("casting", "same_kind"),
                          where=where, name=ufunc.__name__)
    return wrap(result, scalars=True, cls=flavour(inputs))


def _traced(result) -> bool:
    return any(isinstance(r, Tracer) for r in (result if isinstance(result, tuple) else (result,)))


_UFUNC_LIKE_OUT = frozenset({"numpy.around", "numpy.round", "numpy.clip"})


def _write_out(out, result, casting, where=True, name="function", exact_shape=False):
    """Write result(s) into the `out` arrays (NumPy's casting rule) and return them."""
    outs = out if isinstance(out, tuple) else (out,)
    results = result if isinstance(result, tuple) else (result,)
    if len(outs) != len(results):
        raise ValueError(f"{name} has {len(results)} outputs but {len(outs)} out arrays")
    for o, r in zip(outs, results):
        if o is None:
            continue
        if not isinstance(o, ndarray):
            raise TypeError("out= must be an npaccel.ndarray (a NumPy array cannot hold "
                            "an npaccel result without a copy)")
        r_dtype = _core.dtype_of(r)
        if exact_shape and _core.shape_of(r) != o.shape:
            raise ValueError(f"invalid output shape: {name} gives {_core.shape_of(r)}, "
                             f"out= has {o.shape}")
        if not np.can_cast(r_dtype, o.dtype, casting):
            raise TypeError(f"Cannot cast ufunc '{name}' output from {r_dtype!r} to "
                            f"{o.dtype!r} with casting rule {casting!r}")
        r = _core.broadcast_to(_core.astype(r, o.dtype), o.shape)
        if where is not True:
            from npaccel.lax import elementwise as ew
            mask = _core.broadcast_to(_core.asvalue(where), o.shape)
            r = ew.select(mask, r, o.__npaccel_value__())
        o._assign(r)
    return out if isinstance(out, tuple) and len(out) > 1 else outs[0]
