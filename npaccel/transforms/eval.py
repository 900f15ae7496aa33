"""Eager evaluation: a primitive applied to concrete values is compiled alone, once per
(primitive, input avals, params), and run on the device."""
from __future__ import annotations

import os
from collections import OrderedDict

import numpy as np

from npaccel import _runtime
from npaccel.core import trace as core
from npaccel.core.aval import canonical_value
from npaccel.core.jaxpr import Jaxpr, JaxprEqn, Var
from npaccel.transforms.array import Array
from npaccel.transforms.lowering import compile_jaxpr


class EvalTrace(core.Trace):
    def pure(self, val):
        return val

    lift = pure

    def process_primitive(self, prim, vals, params):
        return apply_primitive(prim, vals, params)


core.set_eval_trace(EvalTrace)


def to_buffer(x, aval):
    """The device buffer behind a concrete value (a copy for host values)."""
    if type(x) is Array:
        return x._buf
    return _runtime.device_put(np.asarray(canonical_value(x), aval.dtype))


class Compiled:
    """An executable plus what is needed to feed it and wrap its results."""
    __slots__ = ("executable", "in_avals", "out_avals")

    def __init__(self, executable, in_avals, out_avals):
        self.executable = executable
        self.in_avals = in_avals
        self.out_avals = out_avals

    def __call__(self, *args) -> list[Array]:
        bufs = [to_buffer(x, a) for x, a in zip(args, self.in_avals, strict=True)]
        outs = self.executable.execute(bufs)
        return [Array(b, a) for b, a in zip(outs, self.out_avals)]


def compile_jaxpr_callable(jaxpr: Jaxpr) -> Compiled:
    return Compiled(compile_jaxpr(jaxpr), jaxpr.in_avals, jaxpr.out_avals)


def _hashable(value):
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, np.ndarray):
        return (value.dtype, value.shape, value.tobytes())
    hash(value)
    return value


class _LRU(OrderedDict):
    """A bounded mapping: eager calls whose parameters hold fresh jaxprs (a lax.cond with
    new lambdas each call) must not grow memory without end."""

    def __init__(self, maxsize: int):
        super().__init__()
        self.maxsize = maxsize

    def get(self, key, default=None):
        value = super().get(key, default)
        if value is not default:
            self.move_to_end(key)
        return value

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        if len(self) > self.maxsize:
            self.popitem(last=False)


_primitive_cache = _LRU(int(os.environ.get("NPACCEL_EXECUTABLE_CACHE_SIZE", "4096") or 4096))


def apply_primitive(prim, args, params):
    avals = tuple(x.aval if type(x) is Array else core.get_aval(x) for x in args)
    try:
        key = (prim, avals, _hashable(params) if params else ())
    except TypeError:
        key = None
    compiled = _primitive_cache.get(key) if key is not None else None
    if compiled is None:
        compiled = compile_jaxpr_callable(_single_eqn_jaxpr(prim, avals, params))
        if key is not None:
            _primitive_cache[key] = compiled
    outs = compiled(*args)
    return outs if prim.multiple_results else outs[0]


def _single_eqn_jaxpr(prim, avals, params) -> Jaxpr:
    invars = [Var(a) for a in avals]
    outvars = [Var(a) for a in core.abstract_eval(prim, avals, params)]
    return Jaxpr([], invars, [JaxprEqn(prim, invars, params, outvars)], outvars)
