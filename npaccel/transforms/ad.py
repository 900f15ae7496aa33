"""Forward-mode automatic differentiation (jvp), symbolic zeros, and the jvp rule helpers."""
from __future__ import annotations

from functools import partial
from typing import Callable

import numpy as np

from npaccel.core import dtypes
from npaccel.core.aval import ShapedArray
from npaccel.core.jaxpr import Jaxpr, cache_by_jaxpr
from npaccel.core.trace import (Primitive, Trace, Tracer, abstract_eval_rules, bind,
                                concrete_or_error, full_lower, full_raise, get_aval, new_main)
from npaccel.transforms import lowering, ops
from npaccel._runtime import hlo

# prim -> rule(primals, tangents, **params) -> (primal_out, tangent_out)
jvp_rules: dict[Primitive, Callable] = {}
# prim -> rule(ct, *args, **params) -> one cotangent (or None) per arg; linear args arrive
# as UndefinedPrimal. `ct` is a list for primitives with multiple results.
transpose_rules: dict[Primitive, Callable] = {}


class UndefinedPrimal:
    """Stands for a linear input of a primitive being transposed."""
    __slots__ = ("aval",)

    def __init__(self, aval: ShapedArray):
        self.aval = aval

    def __repr__(self):
        return f"UndefinedPrimal({self.aval.str_short()})"


def is_undefined(x) -> bool:
    return type(x) is UndefinedPrimal


def tangent_aval(aval: ShapedArray) -> ShapedArray:
    return ShapedArray(aval.shape, dtypes.tangent_dtype(aval.dtype))


class Zero:
    """A symbolic zero tangent/cotangent: no array is made until one is needed."""
    __slots__ = ("aval",)

    def __init__(self, aval: ShapedArray):
        self.aval = aval

    @staticmethod
    def like(x) -> "Zero":
        return Zero(tangent_aval(get_aval(x)))

    def __repr__(self):
        return f"Zero({self.aval.str_short()})"


def zeros_like_aval(aval: ShapedArray):
    if aval.dtype == dtypes.float0:
        return np.zeros(aval.shape, dtypes.float0)
    return ops.zeros(aval)


def instantiate(t):
    return zeros_like_aval(t.aval) if type(t) is Zero else t


# Cotangent accumulation: a primitive of its own so that transposition can emit it inside
# traced code without knowing the array layer.
add_any_p = Primitive("add_any")
abstract_eval_rules[add_any_p] = lambda x, y: x.strip_weak_type()
lowering.lowering_rules[add_any_p] = lambda ctx, x, y: hlo.AddOp(x, y).result


def add_tangents(x, y):
    if type(x) is Zero:
        return y
    if type(y) is Zero:
        return x
    return bind(add_any_p, x, y)


class JVPTracer(Tracer):
    __slots__ = ("_trace", "primal", "tangent")

    def __init__(self, trace, primal, tangent):
        self._trace = trace
        self.primal = primal
        self.tangent = tangent

    aval = property(lambda self: get_aval(self.primal))

    def concrete_value(self):
        return concrete_or_error(self.primal)


class JVPTrace(Trace):
    def pure(self, val):
        return JVPTracer(self, val, Zero.like(val))

    lift = pure

    def process_primitive(self, prim, tracers, params):
        rule = jvp_rules.get(prim)
        if rule is None:
            raise NotImplementedError(f"Differentiation rule for '{prim}' not implemented")
        primals = [t.primal for t in tracers]
        tangents = [t.tangent for t in tracers]
        primal_out, tangent_out = rule(primals, tangents, **params)
        if prim.multiple_results:
            return [JVPTracer(self, p, t) for p, t in zip(primal_out, tangent_out, strict=True)]
        return JVPTracer(self, primal_out, tangent_out)


def jvp_flat(fun: Callable, primals, tangents, instantiate_zeros: bool = True,
             has_aux: bool = False):
    """Push `tangents` (arrays or Zero) forward through `fun(*primals) -> list`.

    With `has_aux`, `fun` returns (list, aux list) and the aux values come back third,
    without their tangents."""
    with new_main(JVPTrace) as main:
        trace = JVPTrace(main)
        tracers_in = [JVPTracer(trace, p, _zero_if_float0(t))
                      for p, t in zip(primals, tangents, strict=True)]
        outs = fun(*tracers_in)
        if has_aux:
            outs, aux = outs
            aux = [full_lower(x.primal) if isinstance(x, JVPTracer) and x._trace.main is main
                   else x for x in aux]
        outs = [full_raise(trace, o) for o in outs]
        primals_out = [o.primal for o in outs]
        tangents_out = [instantiate(o.tangent) if instantiate_zeros else o.tangent for o in outs]
    return (primals_out, tangents_out, aux) if has_aux else (primals_out, tangents_out)


def _zero_if_float0(t):
    """Tangents of integer or boolean values carry nothing: make them symbolic zeros, so
    that no rule (nor a transposition) ever sees a float0 array."""
    if type(t) is not Zero and get_aval(t).dtype == dtypes.float0:
        return Zero(get_aval(t))
    return t


@cache_by_jaxpr
def jvp_jaxpr(jaxpr: Jaxpr, nonzeros, instantiate) -> tuple[Jaxpr, list[bool]]:
    """A jaxpr computing (primals_out, nonzero tangents_out) from (primals, nonzero tangents).

    `nonzeros[i]`: input i has a tangent; `instantiate[i]` (or a bool for all): output i
    gets a tangent even if it is symbolically zero. Returns the jaxpr and which outputs
    have tangents.
    """
    from npaccel.core.jaxpr import eval_jaxpr
    from npaccel.transforms.staging import trace_to_subjaxpr
    if isinstance(instantiate, bool):
        instantiate = [instantiate] * len(jaxpr.outvars)
    n = len(jaxpr.invars)
    out_nonzeros: list[bool] = []

    def fun(*args):
        primals, nz_tangents = args[:n], iter(args[n:])
        tangents = [next(nz_tangents) if nz else Zero(tangent_aval(v.aval))
                    for nz, v in zip(nonzeros, jaxpr.invars)]
        p_out, t_out = jvp_flat(partial(eval_jaxpr, jaxpr, ()), primals, tangents,
                                instantiate_zeros=False)
        t_out = [instantiate_if(t, inst) for t, inst in zip(t_out, instantiate)]
        out_nonzeros[:] = [type(t) is not Zero for t in t_out]
        return [*p_out, *[t for t in t_out if type(t) is not Zero]]

    avals = [*jaxpr.in_avals, *[tangent_aval(v.aval) for nz, v in zip(nonzeros, jaxpr.invars) if nz]]
    new_jaxpr = trace_to_subjaxpr(fun, avals)
    return new_jaxpr, out_nonzeros


def instantiate_if(t, flag: bool):
    return instantiate(t) if flag else t


# --- helpers that build jvp rules -------------------------------------------------------

def defjvp(prim: Primitive, *jvp_fns: Callable | None) -> None:
    """One function per operand: `fn(g, *primals, **params)` is that operand's tangent
    contribution (None: the output does not depend smoothly on it)."""
    jvp_rules[prim] = partial(_standard_jvp, prim, jvp_fns)


def _standard_jvp(prim, jvp_fns, primals, tangents, **params):
    out = bind(prim, *primals, **params)
    tangent_out = Zero.like(out)
    for fn, t in zip(jvp_fns, tangents):
        if fn is not None and type(t) is not Zero:
            tangent_out = add_tangents(tangent_out, fn(t, *primals, **params))
    return out, tangent_out


def defjvp_with_output(prim: Primitive, jvp_fn: Callable) -> None:
    """Unary primitives whose derivative is cheaper from the output: `fn(g, ans, x)`."""
    def rule(primals, tangents, **params):
        out = bind(prim, *primals, **params)
        (t,) = tangents
        return out, Zero.like(out) if type(t) is Zero else jvp_fn(t, out, *primals, **params)
    jvp_rules[prim] = rule


def defjvp_zero(prim: Primitive) -> None:
    """Outputs are piecewise constant (comparisons, integer ops): zero tangent."""
    def rule(primals, tangents, **params):
        out = bind(prim, *primals, **params)
        if prim.multiple_results:
            return out, [Zero.like(o) for o in out]
        return out, Zero.like(out)
    jvp_rules[prim] = rule


def deflinear(prim: Primitive, transpose_rule: Callable) -> None:
    """A primitive linear in all its operands: its jvp is itself applied to the tangents."""
    def rule(primals, tangents, **params):
        out = bind(prim, *primals, **params)
        if all(type(t) is Zero for t in tangents):
            zero = [Zero.like(o) for o in out] if prim.multiple_results else Zero.like(out)
            return out, zero
        return out, bind(prim, *map(instantiate, tangents), **params)
    jvp_rules[prim] = rule
    transpose_rules[prim] = transpose_rule


def jvp_of_add_any(primals, tangents):
    return bind(add_any_p, *primals), add_tangents(*tangents)


jvp_rules[add_any_p] = jvp_of_add_any
transpose_rules[add_any_p] = lambda ct, x, y: [ct, ct]
