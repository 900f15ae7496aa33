"""Transposition of linear jaxprs, and with it reverse mode: linearize, vjp."""
from __future__ import annotations

from typing import Callable

from npaccel.core.jaxpr import Jaxpr, Literal, cache_by_jaxpr
from npaccel.core.trace import bind, full_lower, get_aval
from npaccel.transforms.ad import (UndefinedPrimal, Zero, add_tangents, instantiate,
                                   is_undefined, jvp_flat, tangent_aval, transpose_rules)
from npaccel.transforms.partial_eval import PartialVal, partial_eval_flat


def backward_pass(jaxpr: Jaxpr, args, cotangents) -> list:
    """Cotangents of the UndefinedPrimal entries of `args` (constvars + invars), given
    cotangents of the outputs. Non-linear equations are evaluated forward first."""
    primal_env: dict = {}
    ct_env: dict = {}

    def read_primal(x):
        if type(x) is Literal:
            return x.val
        return primal_env.get(x, UndefinedPrimal(x.aval))

    def write_ct(x, ct):
        if type(x) is Literal or ct is None or type(ct) is Zero:
            return
        ct_env[x] = add_tangents(ct_env[x], ct) if x in ct_env else ct

    for v, val in zip(jaxpr.constvars + jaxpr.invars, args, strict=True):
        if not is_undefined(val):
            primal_env[v] = val

    linear_eqns = []
    for eqn in jaxpr.eqns:
        ins = [read_primal(x) for x in eqn.inputs]
        if any(is_undefined(x) for x in ins):
            linear_eqns.append(eqn)
            continue
        outs = bind(eqn.primitive, *ins, **eqn.params)
        outs = outs if eqn.primitive.multiple_results else [outs]
        primal_env.update(zip(eqn.out_binders, outs))

    for v, ct in zip(jaxpr.outvars, cotangents, strict=True):
        write_ct(v, ct)
    for eqn in reversed(linear_eqns):
        cts_out = [ct_env.pop(v, Zero(tangent_aval(v.aval))) for v in eqn.out_binders]
        if all(type(ct) is Zero for ct in cts_out):
            continue
        rule = transpose_rules.get(eqn.primitive)
        if rule is None:
            raise NotImplementedError(f"Transpose rule (for reverse-mode differentiation) "
                                      f"for '{eqn.primitive}' not implemented")
        ct = cts_out if eqn.primitive.multiple_results else cts_out[0]
        cts_in = rule(ct, *[read_primal(x) for x in eqn.inputs], **eqn.params)
        for x, ct_in in zip(eqn.inputs, cts_in, strict=True):
            if type(x) is not Literal and is_undefined(read_primal(x)):
                write_ct(x, ct_in)
    return [ct_env.get(v, Zero(tangent_aval(v.aval)))
            for v, a in zip(jaxpr.constvars + jaxpr.invars, args) if is_undefined(a)]


@cache_by_jaxpr
def transpose_jaxpr(jaxpr: Jaxpr, linear: list[bool]) -> Jaxpr:
    """A jaxpr (non-linear inputs, output cotangents) -> cotangents of the linear inputs,
    all instantiated (for transposing jit, cond and scan bodies)."""
    from npaccel.transforms.staging import trace_to_subjaxpr
    lin_avals = [v.aval for v, l in zip(jaxpr.invars, linear) if l]
    res_avals = [v.aval for v, l in zip(jaxpr.invars, linear) if not l]
    n_res = len(res_avals)

    def fun(*args):
        res, cts = iter(args[:n_res]), args[n_res:]
        primals = [UndefinedPrimal(v.aval) if l else next(res) for v, l in zip(jaxpr.invars, linear)]
        cts_in = backward_pass(jaxpr, primals, cts)
        return [instantiate(ct) for ct in cts_in]

    ct_avals = [tangent_aval(a) for a in jaxpr.out_avals]
    new_jaxpr = trace_to_subjaxpr(fun, res_avals + ct_avals)
    assert len(new_jaxpr.outvars) == len(lin_avals)
    return new_jaxpr


def linearize_flat(fun: Callable, primals, has_aux: bool = False):
    """(primals_out, linear jaxpr, residual consts[, aux]) of `fun` at `primals`; with
    `has_aux`, `fun` returns (list, aux list)."""
    n = len(primals)
    pvals_in = ([PartialVal.known(p) for p in primals]
                + [PartialVal.unknown(tangent_aval(get_aval(p))) for p in primals])
    aux_store = []

    def fun_jvp(*args):
        p_out, t_out, *aux = jvp_flat(fun, args[:n], args[n:], has_aux=has_aux)
        aux_store[:] = [full_lower(x) for x in aux[0]] if has_aux else []
        return [*p_out, *t_out]

    def tangents_only(n_outs):
        return [False] * (n_outs // 2) + [True] * (n_outs // 2)

    jaxpr, pvals_out, consts = partial_eval_flat(fun_jvp, pvals_in, instantiate=tangents_only)
    primals_out = [pv.const for pv in pvals_out[:len(pvals_out) // 2]]
    if any(p is None for p in primals_out):
        raise RuntimeError("internal error: a primal output of linearize depends on tangents "
                           "(a partial evaluation rule is missing or wrong)")
    if has_aux:
        return primals_out, jaxpr, consts, aux_store
    return primals_out, jaxpr, consts


def vjp_flat(fun: Callable, primals, has_aux: bool = False):
    """(primals_out, f_vjp[, aux]); f_vjp maps output cotangents to input cotangents."""
    primals_out, jaxpr, consts, *aux = linearize_flat(fun, primals, has_aux)
    undefined = [UndefinedPrimal(tangent_aval(get_aval(p))) for p in primals]

    def f_vjp(*cotangents):
        return backward_pass(jaxpr, [*consts, *undefined], cotangents)

    return (primals_out, f_vjp, *aux)
