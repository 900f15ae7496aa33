"""Staging: trace a Python function into a jaxpr (used by make_jaxpr, jit and control flow)."""
from __future__ import annotations

from typing import Callable

import numpy as np

from npaccel.core import tree_util
from npaccel.core.aval import ShapedArray
from npaccel.core.jaxpr import ClosedJaxpr, Jaxpr, JaxprEqn, Literal, Var
from npaccel.core.trace import (Trace, Tracer, abstract_eval, full_raise, get_aval, new_dynamic,
                                new_main)


class JaxprTracer(Tracer):
    __slots__ = ("_trace", "_aval")

    def __init__(self, trace: "JaxprTrace", aval: ShapedArray):
        self._trace = trace
        self._aval = aval

    aval = property(lambda self: self._aval)


class JaxprTrace(Trace):
    builder = property(lambda self: self.main.global_data)

    def new_arg(self, aval: ShapedArray) -> JaxprTracer:
        tracer = JaxprTracer(self, aval)
        self.builder.add_var(tracer)
        return tracer

    def pure(self, val):
        return self.builder.const_tracer(self, val)

    lift = pure

    def process_primitive(self, prim, tracers, params):
        avals_out = abstract_eval(prim, [t.aval for t in tracers], params)
        outs = [JaxprTracer(self, a) for a in avals_out]
        inputs = [self.builder.getvar(t) for t in tracers]
        self.builder.add_eqn(JaxprEqn(prim, inputs, params, [self.builder.add_var(t) for t in outs]))
        return outs if prim.multiple_results else outs[0]


def _is_scalar_literal(val) -> bool:
    return (type(val) in (bool, int, float, complex) or isinstance(val, np.generic)
            or (isinstance(val, np.ndarray) and val.ndim == 0))


class JaxprBuilder:
    def __init__(self):
        self.eqns: list[JaxprEqn] = []
        self.tracer_to_var: dict[int, Var | Literal] = {}
        self.const_tracers: dict[int, JaxprTracer] = {}
        self.constvals: dict[Var, object] = {}
        self._keepalive: list = []

    def add_var(self, tracer) -> Var:
        v = self.tracer_to_var[id(tracer)] = Var(tracer.aval)
        self._keepalive.append(tracer)
        return v

    def getvar(self, tracer):
        return self.tracer_to_var[id(tracer)]

    def add_eqn(self, eqn: JaxprEqn):
        self.eqns.append(eqn)

    def const_tracer(self, trace, val) -> JaxprTracer:
        tracer = self.const_tracers.get(id(val))
        if tracer is None:
            aval = get_aval(val)
            tracer = self.const_tracers[id(val)] = JaxprTracer(trace, aval)
            self._keepalive.append((tracer, val))
            if _is_scalar_literal(val):
                self.tracer_to_var[id(tracer)] = Literal(np.asarray(val, aval.dtype)[()], aval)
            else:
                self.constvals[self.add_var(tracer)] = val
        return tracer

    def build(self, in_tracers, out_tracers) -> tuple[Jaxpr, list]:
        constvars, constvals = list(self.constvals), list(self.constvals.values())
        invars = [self.getvar(t) for t in in_tracers]
        outvars = [self.getvar(t) for t in out_tracers]
        return Jaxpr(constvars, invars, self.eqns, outvars), constvals


def trace_to_jaxpr(fun: Callable, in_avals) -> tuple[Jaxpr, list]:
    """Stage `fun(*tracers) -> list` out as a jaxpr; returns (jaxpr, consts)."""
    builder = JaxprBuilder()
    with new_main(JaxprTrace, builder) as main, new_dynamic(main):
        trace = JaxprTrace(main)
        tracers_in = [trace.new_arg(aval) for aval in in_avals]
        outs = fun(*tracers_in)
        tracers_out = [full_raise(trace, out) for out in outs]
        return builder.build(tracers_in, tracers_out)


def trace_to_closed_jaxpr(fun: Callable, in_avals) -> tuple[Jaxpr, list]:
    """Like trace_to_jaxpr, with the consts moved to leading invars (for nested jaxprs)."""
    jaxpr, consts = trace_to_jaxpr(fun, in_avals)
    return jaxpr.closure_converted(), consts


def trace_to_subjaxpr(fun: Callable, in_avals) -> Jaxpr:
    """Stage `fun` into a self-contained jaxpr (no constvars, no extra operands).

    For jaxprs that rules derive from other jaxprs (a jvp, vmap or transpose of a loop
    body): whatever constants the trace captured are concrete (masks, zeros, weights built
    by rules), so they become literals.
    """
    jaxpr, consts = trace_to_jaxpr(fun, in_avals)
    if any(isinstance(c, Tracer) for c in consts):
        raise TypeError("internal error: a derived jaxpr closed over a traced value")
    literals = {v: Literal(np.asarray(c), v.aval) for v, c in zip(jaxpr.constvars, consts)}
    sub = lambda x: literals.get(x, x) if type(x) is Var else x  # noqa: E731
    eqns = [e._replace(inputs=[sub(x) for x in e.inputs]) for e in jaxpr.eqns]
    return Jaxpr([], jaxpr.invars, eqns, [sub(x) for x in jaxpr.outvars])


def trace_pytree_fun(fun: Callable, in_tree, in_avals, unwrap_holders: bool = False):
    """Stage a pytree function; returns (jaxpr with no constvars, consts, out_tree)."""
    flat_fun = tree_util.flatten_fun_output(fun, in_tree, unwrap_holders)
    jaxpr, consts = trace_to_closed_jaxpr(flat_fun, in_avals)
    return jaxpr, consts, flat_fun.out_tree()


def make_jaxpr(fun: Callable, static_argnums=()) -> Callable[..., ClosedJaxpr]:
    """`make_jaxpr(f)(*args, **kwargs)`: the jaxpr of `f` at the shapes and dtypes of the
    arguments (keyword arguments are traced too)."""
    static_argnums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)

    def make(*args, **kwargs):
        dyn = [a for i, a in enumerate(args) if i not in static_argnums]

        def fun_dyn(dyn_args, dyn_kwargs):
            it = iter(dyn_args)
            return fun(*[a if i in static_argnums else next(it) for i, a in enumerate(args)],
                       **dyn_kwargs)

        leaves, in_tree = tree_util.tree_flatten((tuple(dyn), kwargs))
        flat_fun = tree_util.flatten_fun_output(fun_dyn, in_tree)
        jaxpr, consts = trace_to_jaxpr(flat_fun, [get_aval(x) for x in leaves])
        return ClosedJaxpr(jaxpr, consts)

    return make
