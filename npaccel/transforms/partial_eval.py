"""Partial evaluation: run what is known now, stage out what is not.

`linearize` runs jvp over a PartialEvalTrace in which primals are known and tangents are
unknown: primal work happens immediately (so Python control flow on values still works),
and the tangent computation is recorded as a linear jaxpr whose constants are the residuals.
Higher-order primitives split their inner jaxprs with `partial_eval_jaxpr`.
"""
from __future__ import annotations

import weakref
from typing import Any, Callable, NamedTuple

from npaccel.core.aval import ShapedArray
from npaccel.core.jaxpr import Jaxpr, JaxprEqn, Literal, Var, cache_by_jaxpr
from npaccel.core.trace import (Primitive, Trace, Tracer, abstract_eval, bind, concrete_or_error,
                                full_lower, full_raise, get_aval, new_main)


class PartialVal(NamedTuple):
    aval: ShapedArray
    const: Any  # None when unknown

    @classmethod
    def known(cls, val) -> "PartialVal":
        return PartialVal(get_aval(val), val)

    @classmethod
    def unknown(cls, aval: ShapedArray) -> "PartialVal":
        return PartialVal(aval, None)

    is_known = property(lambda self: self.const is not None)


class LambdaBindingRecipe(NamedTuple):
    pass


class ConstRecipe(NamedTuple):
    val: Any


class JaxprEqnRecipe(NamedTuple):
    prim: Primitive
    tracers_in: list
    params: dict
    avals_out: list
    tracer_refs_out: list


class PartialEvalTracer(Tracer):
    __slots__ = ("_trace", "pval", "recipe")

    def __init__(self, trace, pval: PartialVal, recipe):
        self._trace = trace
        self.pval = pval
        self.recipe = recipe

    aval = property(lambda self: self.pval.aval)

    def full_lower(self):
        return full_lower(self.pval.const) if self.pval.is_known else self

    def concrete_value(self):
        if self.pval.is_known:
            return concrete_or_error(self.pval.const)
        return super().concrete_value()


# prim -> rule(trace, tracers, **params) -> out tracer(s), for higher-order primitives
partial_eval_rules: dict[Primitive, Callable] = {}


class PartialEvalTrace(Trace):
    def new_arg(self, pval: PartialVal) -> PartialEvalTracer:
        return PartialEvalTracer(self, pval, LambdaBindingRecipe())

    def pure(self, val):
        return PartialEvalTracer(self, PartialVal.known(val), None)

    lift = pure

    def instantiate_const(self, tracer: PartialEvalTracer) -> PartialEvalTracer:
        if not tracer.pval.is_known:
            return tracer
        val = tracer.pval.const
        return PartialEvalTracer(self, PartialVal.unknown(get_aval(val)), ConstRecipe(val))

    def process_primitive(self, prim, tracers, params):
        if all(t.pval.is_known for t in tracers):
            return bind(prim, *[t.pval.const for t in tracers], **params)
        rule = partial_eval_rules.get(prim)
        if rule is not None:
            return rule(self, tracers, **params)
        tracers_in = [self.instantiate_const(t) for t in tracers]
        avals_out = abstract_eval(prim, [t.aval for t in tracers_in], params)
        return self.stage_eqn(prim, tracers_in, params, avals_out)

    def stage_eqn(self, prim, tracers_in, params, avals_out):
        outs = [PartialEvalTracer(self, PartialVal.unknown(a), None) for a in avals_out]
        recipe = JaxprEqnRecipe(prim, tracers_in, params, avals_out,
                                [weakref.ref(t) for t in outs])
        for t in outs:
            t.recipe = recipe
        return outs if prim.multiple_results else outs[0]


def partial_eval_flat(fun: Callable, pvals_in, instantiate=False):
    """Run `fun(*tracers) -> list` with known/unknown inputs.

    Returns (jaxpr, pvals_out, consts): the jaxpr maps (consts, unknown inputs) to the
    unknown outputs; known outputs have their value in pvals_out. Outputs marked in
    `instantiate` (a bool, a list, or a function of the number of outputs giving a list)
    are made unknown (outputs of the jaxpr) even if known.
    """
    with new_main(PartialEvalTrace) as main:
        trace = PartialEvalTrace(main)
        tracers_in = [trace.new_arg(pval) for pval in pvals_in]
        outs = [full_raise(trace, o) for o in fun(*tracers_in)]
        if isinstance(instantiate, bool):
            instantiate = [instantiate] * len(outs)
        elif callable(instantiate):
            instantiate = instantiate(len(outs))
        outs = [trace.instantiate_const(t) if inst else t for t, inst in zip(outs, instantiate)]
        pvals_out = [t.pval for t in outs]
        unknown_in = [t for t in tracers_in if not t.pval.is_known]
        unknown_out = [t for t in outs if not t.pval.is_known]
        jaxpr, consts = tracers_to_jaxpr(unknown_in, unknown_out)
    return jaxpr, pvals_out, consts


def tracers_to_jaxpr(tracers_in, tracers_out) -> tuple[Jaxpr, list]:
    tracer_to_var: dict[int, Var] = {id(t): Var(t.aval) for t in tracers_in}
    constvar_to_val: dict[Var, Any] = {}
    const_ids: dict[int, Var] = {}
    processed: set[int] = set()
    eqns: list[JaxprEqn] = []
    for t in _toposort(tracers_out):
        if isinstance(t.recipe, LambdaBindingRecipe):
            assert id(t) in tracer_to_var, "an unknown input was not passed in"
        elif isinstance(t.recipe, ConstRecipe):
            val = t.recipe.val
            var = const_ids.get(id(val))
            if var is None:
                var = const_ids[id(val)] = Var(get_aval(val))
                constvar_to_val[var] = val
            tracer_to_var[id(t)] = var
        elif isinstance(t.recipe, JaxprEqnRecipe):
            if id(t.recipe) not in processed:
                eqns.append(_recipe_to_eqn(tracer_to_var, t.recipe))
                processed.add(id(t.recipe))
        else:
            raise TypeError(f"unexpected recipe {t.recipe!r}")
    constvars, constvals = list(constvar_to_val), list(constvar_to_val.values())
    jaxpr = Jaxpr(constvars, [tracer_to_var[id(t)] for t in tracers_in], eqns,
                  [tracer_to_var[id(t)] for t in tracers_out])
    return jaxpr, constvals


def _recipe_to_eqn(tracer_to_var, recipe: JaxprEqnRecipe) -> JaxprEqn:
    inputs = [tracer_to_var[id(t)] for t in recipe.tracers_in]
    out_binders = [Var(a) for a in recipe.avals_out]
    for ref, var in zip(recipe.tracer_refs_out, out_binders):
        t = ref()
        if t is not None:
            tracer_to_var[id(t)] = var
    return JaxprEqn(recipe.prim, inputs, recipe.params, out_binders)


def _parents(t) -> list:
    return list(t.recipe.tracers_in) if isinstance(t.recipe, JaxprEqnRecipe) else []


def _toposort(out_nodes) -> list:
    """Nodes in dependency order (inputs first), iteratively (deep graphs are common)."""
    order, state = [], {}
    for root in out_nodes:
        stack = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                if state.get(id(node)) != 2:
                    state[id(node)] = 2
                    order.append(node)
                continue
            if id(node) in state:
                continue
            state[id(node)] = 1
            stack.append((node, True))
            stack.extend((p, False) for p in _parents(node) if id(p) not in state)
    return order


# --- jaxpr-level partial evaluation ---------------------------------------------------

# prim -> rule(unknowns_in, eqn) -> (eqn_known | None, eqn_unknown | None, unknowns_out, residuals)
partial_eval_jaxpr_rules: dict[Primitive, Callable] = {}


@cache_by_jaxpr
def partial_eval_jaxpr(jaxpr: Jaxpr, in_unknowns, instantiate) -> tuple[Jaxpr, Jaxpr, list[bool], int]:
    """Split `jaxpr` (no constvars) into a known part and an unknown part.

    jaxpr_known:   known inputs -> (known outputs, residuals)
    jaxpr_unknown: (residuals, unknown inputs) -> unknown outputs
    """
    if isinstance(instantiate, bool):
        instantiate = [instantiate] * len(jaxpr.outvars)
    unknown: dict[Var, bool] = {}
    residuals: dict[Var, None] = {}  # ordered set

    def read(x) -> bool:
        return False if type(x) is Literal else unknown[x]

    def as_residual(x):
        if type(x) is Var and not unknown[x]:
            residuals[x] = None
        return x

    for v, unk in zip(jaxpr.invars, in_unknowns, strict=True):
        unknown[v] = unk
    eqns_known, eqns_unknown = [], []
    for eqn in jaxpr.eqns:
        unks_in = [read(x) for x in eqn.inputs]
        rule = partial_eval_jaxpr_rules.get(eqn.primitive)
        if any(unks_in) and rule is not None:
            eqn1, eqn2, unks_out, res = rule(unks_in, eqn)
            eqns_known += [eqn1] if eqn1 is not None else []
            eqns_unknown += [eqn2] if eqn2 is not None else []
            # The known equation's new outputs (its residuals among them) are known.
            unknown.update((v, False) for v in (eqn1.out_binders if eqn1 is not None else []))
            for r in res:
                as_residual(r)
        elif any(unks_in):
            eqns_unknown.append(eqn._replace(inputs=[x if u else as_residual(x)
                                                     for x, u in zip(eqn.inputs, unks_in)]))
            unks_out = [True] * len(eqn.out_binders)
        else:
            eqns_known.append(eqn)
            unks_out = [False] * len(eqn.out_binders)
        for v, u in zip(eqn.out_binders, unks_out, strict=True):
            unknown[v] = u

    out_unknowns = [read(x) or inst for x, inst in zip(jaxpr.outvars, instantiate)]
    outs_unknown = []
    for x, unk in zip(jaxpr.outvars, out_unknowns):
        if unk:
            outs_unknown.append(x if read(x) else _instantiated(x, as_residual))
    known_outs = [x for x, unk in zip(jaxpr.outvars, out_unknowns) if not unk]
    res_vars = list(residuals)
    jaxpr_known = Jaxpr([], [v for v, u in zip(jaxpr.invars, in_unknowns) if not u],
                        eqns_known, known_outs + res_vars)
    jaxpr_unknown = Jaxpr([], res_vars + [v for v, u in zip(jaxpr.invars, in_unknowns) if u],
                          eqns_unknown, outs_unknown)
    return jaxpr_known, jaxpr_unknown, out_unknowns, len(res_vars)


def _instantiated(x, as_residual):
    """A known output that must come out of the unknown jaxpr: pass it as a residual."""
    return x if type(x) is Literal else as_residual(x)


def partial_eval_jaxpr_trace_rule(trace: PartialEvalTrace, prim: Primitive, jaxpr_param: str,
                                  tracers, params) -> list:
    """The trace-level partial eval rule of a call-like primitive (jit): run the known part of
    its jaxpr now, stage the unknown part as a second call taking residuals."""
    jaxpr = params[jaxpr_param]
    in_unknowns = [not t.pval.is_known for t in tracers]
    jaxpr_known, jaxpr_unknown, out_unknowns, num_res = partial_eval_jaxpr(jaxpr, in_unknowns, False)
    known_vals = [t.pval.const for t in tracers if t.pval.is_known]
    outs_known = bind(prim, *known_vals, **{**params, jaxpr_param: jaxpr_known})
    n_known_out = len(outs_known) - num_res
    known_outs, residuals = outs_known[:n_known_out], outs_known[n_known_out:]
    res_tracers = [trace.instantiate_const(full_raise(trace, r)) for r in residuals]
    unknown_in = [t for t in tracers if not t.pval.is_known]
    unknown_outs = trace.stage_eqn(prim, res_tracers + unknown_in,
                                   {**params, jaxpr_param: jaxpr_unknown},
                                   jaxpr_unknown.out_avals)
    known_iter, unknown_iter = iter(known_outs), iter(unknown_outs)
    return [next(unknown_iter) if u else full_raise(trace, next(known_iter)) for u in out_unknowns]
