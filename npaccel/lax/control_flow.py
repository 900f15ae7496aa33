"""Structured control flow: while_loop, fori_loop, cond, switch, scan, map.

Each is one primitive whose parameters are jaxprs traced from the user's functions
(closed-over values become explicit leading operands). Differentiation, batching and
partial evaluation act on those inner jaxprs.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from npaccel._runtime import hlo, ir
from npaccel.core import tree_util
from npaccel.core.aval import ShapedArray
from npaccel.core.jaxpr import Jaxpr, JaxprEqn, Var, eval_jaxpr
from npaccel.core.trace import (ConcretizationError, Primitive, Tracer, abstract_eval_rules,
                                concrete_or_error, full_raise, get_aval)
from npaccel.lax._standard import as_operand
from npaccel.lax.convert import convert_element_type
from npaccel.transforms import ad, lowering, ops
from npaccel.transforms.ad import Zero, jvp_jaxpr, jvp_rules, tangent_aval, transpose_rules
from npaccel.transforms.batching import batching_rules, bdim_at_front, vmap_jaxpr
from npaccel.transforms.partial_eval import (partial_eval_jaxpr, partial_eval_jaxpr_rules,
                                             partial_eval_rules)
from npaccel.transforms.staging import trace_pytree_fun, trace_to_subjaxpr
from npaccel.transforms.transpose import transpose_jaxpr

HLO_OPS = {"while": "stablehlo.while", "cond": "stablehlo.case", "scan": "stablehlo.while"}


# --- shared helpers ---------------------------------------------------------------------

def _avals_str(avals) -> str:
    return ", ".join(a.str_short() for a in avals)


def _check_same_avals(what: str, expected, actual) -> None:
    strip = lambda avals: [(a.shape, a.dtype) for a in avals]  # noqa: E731
    if strip(expected) != strip(actual):
        raise TypeError(f"{what} must have identical types: expected ({_avals_str(expected)}), "
                        f"got ({_avals_str(actual)})")


def _with_extra_invars(jaxpr: Jaxpr, before, after=()) -> Jaxpr:
    """`jaxpr` taking additional unused inputs of avals `before` (first) and `after`."""
    return Jaxpr([], [Var(a) for a in before] + jaxpr.invars + [Var(a) for a in after],
                 jaxpr.eqns, jaxpr.outvars)


def _fixed_point(step: Callable[[list[bool]], list[bool]], flags: list[bool]) -> list[bool]:
    """Grow `flags` (e.g. which carries are batched/unknown/nonzero) until stable."""
    while True:
        new = [a or b for a, b in zip(flags, step(flags))]
        if new == flags:
            return flags
        flags = new


def _split(xs, *sizes):
    out, i = [], 0
    for n in sizes:
        out.append(list(xs[i:i + n]))
        i += n
    out.append(list(xs[i:]))
    return out


def _ir_types(avals):
    return [lowering.ir_type(a) for a in avals]


# ==========================================================================================
# while_loop
# ==========================================================================================

while_p = Primitive("while", multiple_results=True)


def _while_abstract_eval(*avals, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    return body_jaxpr.out_avals


abstract_eval_rules[while_p] = _while_abstract_eval


def while_loop(cond_fun: Callable, body_fun: Callable, init_val):
    """Repeat `val = body_fun(val)` while `cond_fun(val)` (stablehlo.while).

    Forward-mode differentiable; reverse mode needs a static trip count (use fori_loop
    with Python int bounds, or scan).
    """
    init_leaves, val_tree = tree_util.tree_flatten(init_val)
    in_tree = tree_util.tree_structure((init_val,))
    avals = [get_aval(x) for x in init_leaves]
    cond_jaxpr, cond_consts, cond_tree = trace_pytree_fun(cond_fun, in_tree, avals, unwrap_holders=True)
    out_avals = cond_jaxpr.out_avals
    if len(out_avals) != 1 or out_avals[0].shape != () or out_avals[0].dtype != np.bool_:
        raise TypeError(f"cond_fun must return a boolean scalar, but got output type(s) "
                        f"({_avals_str(out_avals)})")
    body_jaxpr, body_consts, body_tree = trace_pytree_fun(body_fun, in_tree, avals, unwrap_holders=True)
    if body_tree != val_tree:
        raise TypeError(f"body_fun output and input must have the same pytree structure, "
                        f"got {val_tree} and {body_tree}")
    _check_same_avals("body_fun output and input", avals, body_jaxpr.out_avals)
    outs = while_p.bind(*cond_consts, *body_consts, *init_leaves, cond_jaxpr=cond_jaxpr,
                        body_jaxpr=body_jaxpr, cond_nconsts=len(cond_consts),
                        body_nconsts=len(body_consts))
    return tree_util.tree_unflatten(val_tree, outs)


def _while_lower(ctx, *args, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    cond_consts, body_consts, init = _split(args, cond_nconsts, body_nconsts)
    carry_avals = ctx.avals_out
    op = hlo.WhileOp(_ir_types(carry_avals), init)
    # Regions may use values of the enclosing function directly (the consts).
    lowering.lower_region(op.cond, cond_jaxpr, carry_avals, cond_consts)
    lowering.lower_region(op.body, body_jaxpr, carry_avals, body_consts)
    return list(op.results)


lowering.lowering_rules[while_p] = _while_lower


def _while_jvp(primals, tangents, *, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    nonzero = [type(t) is not Zero for t in tangents]
    _, bconst_nz, carry_nz = _split(nonzero, cond_nconsts, body_nconsts)

    def step(carry_nz):
        _, out_nz = jvp_jaxpr(body_jaxpr, bconst_nz + carry_nz, False)
        return out_nz

    carry_nz = _fixed_point(step, carry_nz)
    body_jvp, _ = jvp_jaxpr(body_jaxpr, bconst_nz + carry_nz, carry_nz)
    cconsts, bconsts, init = _split(primals, cond_nconsts, body_nconsts)
    _, bconst_t, init_t = _split(tangents, cond_nconsts, body_nconsts)
    bconst_t = [t for t, nz in zip(bconst_t, bconst_nz) if nz]
    init_t = [ad.instantiate(t) for t, nz in zip(init_t, carry_nz) if nz]
    n_carry, n_bt = len(init), len(bconst_t)
    # The loop carries (primals, tangents); const tangents join the body consts.
    body_new = _reorder_while_body(body_jvp, len(bconsts), n_carry, n_bt, len(init_t))
    cond_new = _with_extra_invars(cond_jaxpr, [], [get_aval(t) for t in init_t])
    outs = while_p.bind(*cconsts, *bconsts, *bconst_t, *init, *init_t, cond_jaxpr=cond_new,
                        body_jaxpr=body_new, cond_nconsts=cond_nconsts,
                        body_nconsts=len(bconsts) + n_bt)
    p_out, t_out = outs[:n_carry], iter(outs[n_carry:])
    return p_out, [next(t_out) if nz else Zero(tangent_aval(get_aval(p))) for p, nz in zip(p_out, carry_nz)]


def _reorder_while_body(body_jvp: Jaxpr, n_consts, n_carry, n_const_t, n_carry_t) -> Jaxpr:
    """body_jvp takes (consts, carry, const tangents, carry tangents); the while needs
    (consts, const tangents, carry, carry tangents)."""
    c, carry, ct, carry_t = _split(body_jvp.invars, n_consts, n_carry, n_const_t)
    return Jaxpr([], c + ct + carry + carry_t, body_jvp.eqns, body_jvp.outvars)


jvp_rules[while_p] = _while_jvp


def _while_partial_eval(trace, tracers, **params):
    raise ValueError(
        "Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with "
        "dynamic bounds: the number of iterations is not known when the program is staged. "
        "Use lax.scan, or lax.fori_loop with static (Python int) bounds, or forward mode "
        "(jvp, jacfwd).")


partial_eval_rules[while_p] = _while_partial_eval


def _while_batch(axis_size, vals, dims, *, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    from npaccel.lax.reduction import reduce_or
    from npaccel.lax.elementwise import select_n
    vals = list(vals)
    batched = [d is not None for d in dims]
    cc_b, bc_b, carry_b = _split(batched, cond_nconsts, body_nconsts)

    def step(carry_b):
        _, out_b = vmap_jaxpr(body_jaxpr, axis_size, bc_b + carry_b, False)
        _, pred_b = vmap_jaxpr(cond_jaxpr, axis_size, cc_b + carry_b, False)
        # A batched predicate makes every carry batched: iterations differ per example.
        return [b or pred_b[0] for b in out_b]

    carry_b = _fixed_point(step, carry_b)
    vals = [bdim_at_front(v, d, axis_size) if b else v
            for v, d, b in zip(vals, dims, cc_b + bc_b + carry_b)]
    body_b, _ = vmap_jaxpr(body_jaxpr, axis_size, bc_b + carry_b, carry_b)
    cond_b, (pred_batched,) = vmap_jaxpr(cond_jaxpr, axis_size, cc_b + carry_b, False)
    params = dict(cond_nconsts=cond_nconsts, body_nconsts=body_nconsts)
    if not pred_batched:
        outs = while_p.bind(*vals, cond_jaxpr=cond_b, body_jaxpr=body_b, **params)
        return outs, [0 if b else None for b in carry_b]
    # Batched predicate: run while any example continues; examples that stopped keep
    # their carry (select), as a per-example while loop would.
    cconsts, bconsts, init = _split(vals, cond_nconsts, body_nconsts)

    def any_cond(*args):
        c, carry = args[:cond_nconsts], args[cond_nconsts:]
        (pred,) = eval_jaxpr(cond_b, (), *c, *carry)
        return [reduce_or(pred, (0,))]

    def masked_body(*args):
        c, b, carry = _split(args, cond_nconsts, body_nconsts)
        (pred,) = eval_jaxpr(cond_b, (), *c, *carry)
        new = eval_jaxpr(body_b, (), *b, *carry)
        return [select_n(_broadcast_pred(pred, n), o, n) for o, n in zip(carry, new)]

    carry_avals = [get_aval(x) for x in init]
    cond_j = trace_to_subjaxpr(any_cond, [get_aval(x) for x in cconsts] + carry_avals)
    body_j = trace_to_subjaxpr(masked_body, [get_aval(x) for x in cconsts + bconsts] + carry_avals)
    outs = while_p.bind(*cconsts, *cconsts, *bconsts, *init, cond_jaxpr=cond_j, body_jaxpr=body_j,
                        cond_nconsts=cond_nconsts, body_nconsts=cond_nconsts + body_nconsts)
    return outs, [0] * len(outs)


def _broadcast_pred(pred, like):
    from npaccel.lax.shape import broadcast_in_dim
    shape = get_aval(like).shape
    return broadcast_in_dim(pred, shape, (0,)) if shape != get_aval(pred).shape else pred


batching_rules[while_p] = _while_batch


def _static_int(x):
    """x as a Python int if it is concrete (not traced), else None."""
    if isinstance(x, Tracer):
        try:
            return int(concrete_or_error(x))
        except ConcretizationError:
            return None
    return int(np.asarray(x))


def fori_loop(lower, upper, body_fun: Callable, init_val):
    """`for i in range(lower, upper): val = body_fun(i, val)`.

    With concrete bounds this is a scan (so reverse-mode differentiable); with traced
    bounds it is a while_loop.
    """
    lo, hi = _static_int(lower), _static_int(upper)
    if lo is not None and hi is not None and not isinstance(lower, Tracer) and not isinstance(upper, Tracer):
        def scan_body(carry, _):
            i, val = carry
            return (ops.add(i, np.asarray(1, _index_dtype(lower, upper))), body_fun(i, val)), None
        (_, out), _ = scan(scan_body, (np.asarray(lo, _index_dtype(lower, upper)), init_val),
                           None, length=max(hi - lo, 0))
        return out
    dtype = _index_dtype(lower, upper)
    lower, upper = convert_element_type(as_operand(lower), dtype), convert_element_type(as_operand(upper), dtype)

    def cond(c):
        from npaccel.lax.elementwise import lt
        return lt(c[0], c[1])

    def body(c):
        i, hi, val = c
        return ops.add(i, np.asarray(1, dtype)), hi, body_fun(i, val)

    return while_loop(cond, body, (lower, upper, init_val))[2]


def _index_dtype(lower, upper):
    dts = [get_aval(as_operand(x)).dtype for x in (lower, upper) if not isinstance(x, (int, np.integer))]
    return np.result_type(*dts) if dts else np.dtype(np.int64)


# ==========================================================================================
# cond / switch
# ==========================================================================================

cond_p = Primitive("cond", multiple_results=True)


def _cond_abstract_eval(index, *avals, branches):
    if index.shape != () or index.dtype != np.int32:
        raise TypeError(f"cond index must be an int32 scalar, got {index.str_short()}")
    return branches[0].out_avals


abstract_eval_rules[cond_p] = _cond_abstract_eval


def _branch_jaxprs(funs, operands):
    """Trace each branch; every branch jaxpr takes (all branches' consts, operands)."""
    leaves, in_tree = tree_util.tree_flatten(tuple(operands))
    avals = [get_aval(x) for x in leaves]
    traced = [trace_pytree_fun(f, in_tree, avals, unwrap_holders=True) for f in funs]
    out_tree = traced[0][2]
    for i, (j, _, tree) in enumerate(traced[1:], 1):
        if tree != out_tree:
            raise TypeError(f"branch {i} output must have the same pytree structure as branch 0, "
                            f"got {tree} and {out_tree}")
        _check_same_avals(f"branch {i} and branch 0 outputs", traced[0][0].out_avals, j.out_avals)
    const_avals = [[get_aval(c) for c in consts] for _, consts, _ in traced]
    jaxprs = []
    for i, (j, consts, _) in enumerate(traced):
        before = [a for k, cs in enumerate(const_avals) if k < i for a in cs]
        after = [a for k, cs in enumerate(const_avals) if k > i for a in cs]
        n = len(consts)
        jaxprs.append(Jaxpr([], [Var(a) for a in before] + j.invars[:n] + [Var(a) for a in after]
                            + j.invars[n:], j.eqns, j.outvars))
    all_consts = [c for _, consts, _ in traced for c in consts]
    return tuple(jaxprs), all_consts, leaves, out_tree


def switch(index, branches: Sequence[Callable], *operands):
    """branches[index](*operands), index clamped to [0, len(branches) - 1] (stablehlo.case)."""
    if not branches:
        raise ValueError("switch requires at least one branch")
    index = as_operand(index)
    idx_aval = get_aval(index)
    if idx_aval.shape != () or idx_aval.dtype.kind not in "iub":
        raise TypeError(f"switch index must be a scalar integer, got {idx_aval.str_short()}")
    from npaccel.lax.elementwise import clamp
    index = convert_element_type(index, np.int32)
    if len(branches) > 1:
        index = clamp(np.int32(0), index, np.int32(len(branches) - 1))
    jaxprs, consts, leaves, out_tree = _branch_jaxprs(branches, operands)
    if len(branches) == 1:
        return tree_util.tree_unflatten(out_tree, eval_jaxpr(jaxprs[0], (), *consts, *leaves))
    outs = cond_p.bind(index, *consts, *leaves, branches=jaxprs)
    return tree_util.tree_unflatten(out_tree, outs)


def cond(pred, true_fun: Callable, false_fun: Callable, *operands):
    """true_fun(*operands) if pred else false_fun(*operands); pred is a scalar (stablehlo.case)."""
    pred = as_operand(pred)
    aval = get_aval(pred)
    if aval.shape != ():
        raise TypeError(f"Pred must be a scalar, got {aval.str_short()}")
    if aval.dtype.kind not in "biuf":
        raise TypeError(f"Pred type must be either boolean or number, got {aval.dtype}")
    from npaccel.lax.elementwise import ne
    if aval.dtype != np.bool_:
        pred = ne(pred, np.zeros((), aval.dtype))
    return switch(convert_element_type(pred, np.int32), (false_fun, true_fun), *operands)


def _cond_lower(ctx, index, *args, branches):
    op = hlo.CaseOp(_ir_types(ctx.avals_out), index, len(branches))
    for region, jaxpr in zip(op.regions, branches):
        block = region.blocks.append()
        with ir.InsertionPoint(block):
            hlo.ReturnOp(lowering.lower_jaxpr_body(jaxpr, list(args)))
    return list(op.results)


lowering.lowering_rules[cond_p] = _cond_lower


def _cond_jvp(primals, tangents, *, branches):
    index, *args = primals
    nonzero = [type(t) is not Zero for t in tangents[1:]]
    out_nz = [any(nz) for nz in zip(*[jvp_jaxpr(b, nonzero, False)[1] for b in branches])]
    new_branches = tuple(jvp_jaxpr(b, nonzero, out_nz)[0] for b in branches)
    arg_t = [t for t in tangents[1:] if type(t) is not Zero]
    outs = cond_p.bind(index, *args, *arg_t, branches=new_branches)
    n = len(branches[0].outvars)
    p_out, t_out = outs[:n], iter(outs[n:])
    return p_out, [next(t_out) if nz else Zero(tangent_aval(get_aval(p))) for p, nz in zip(p_out, out_nz)]


jvp_rules[cond_p] = _cond_jvp


def _cond_batch(axis_size, vals, dims, *, branches):
    index, *args = vals
    idx_dim, *arg_dims = dims
    if idx_dim is not None:
        # A batched index: run every branch and pick per example (as vmap of a Python `if`).
        from npaccel.lax.elementwise import select_n
        args = [bdim_at_front(a, d, axis_size) for a, d in zip(args, arg_dims)]
        index = bdim_at_front(index, idx_dim, axis_size)
        outs_per_branch = []
        for b in branches:
            bj, _ = vmap_jaxpr(b, axis_size, [True] * len(args), True)
            outs_per_branch.append(eval_jaxpr(bj, (), *args))
        outs = [select_n(_broadcast_pred(index, o[0]), *o) for o in zip(*outs_per_branch)]
        return outs, [0] * len(outs)
    batched = [d is not None for d in arg_dims]
    args = [bdim_at_front(a, d, axis_size) if d is not None else a for a, d in zip(args, arg_dims)]
    out_b = [any(bs) for bs in zip(*[vmap_jaxpr(b, axis_size, batched, False)[1] for b in branches])]
    new = tuple(vmap_jaxpr(b, axis_size, batched, out_b)[0] for b in branches)
    outs = cond_p.bind(index, *args, branches=new)
    return outs, [0 if b else None for b in out_b]


batching_rules[cond_p] = _cond_batch


def _cond_partial_eval_jaxpr_branches(branches, unknowns):
    """Split every branch the same way; residuals are joined (each branch fills the others'
    residual slots with zeros) so the known and unknown conds have uniform signatures."""
    out_unk = [any(u) for u in zip(*[partial_eval_jaxpr(b, unknowns, False)[2] for b in branches])]
    splits = [partial_eval_jaxpr(b, unknowns, out_unk) for b in branches]
    res_avals = [[v.aval for v in known.outvars[len(known.outvars) - n:]]
                 for known, _, _, n in splits]
    all_res = [a for r in res_avals for a in r]
    known_branches, unknown_branches = [], []
    for i, (known, unknown, _, n) in enumerate(splits):
        before = [a for k, r in enumerate(res_avals) if k < i for a in r]
        after = [a for k, r in enumerate(res_avals) if k > i for a in r]
        known_branches.append(_pad_residual_outputs(known, n, before, after))
        n_unk_in = len(unknown.invars) - n
        unknown_branches.append(Jaxpr([], [Var(a) for a in before] + unknown.invars[:n]
                                      + [Var(a) for a in after] + unknown.invars[n:],
                                      unknown.eqns, unknown.outvars))
        assert n_unk_in == sum(unknowns)
    return tuple(known_branches), tuple(unknown_branches), out_unk, all_res


def _pad_residual_outputs(known: Jaxpr, n_res, before, after) -> Jaxpr:
    def fun(*args):
        outs = eval_jaxpr(known, (), *args)
        n_out = len(outs) - n_res
        return (outs[:n_out] + [ops.zeros(a) for a in before] + outs[n_out:]
                + [ops.zeros(a) for a in after])
    return trace_to_subjaxpr(fun, known.in_avals)


def _cond_partial_eval(trace, tracers, *, branches):
    index, *args = tracers
    if not index.pval.is_known:
        ins = [trace.instantiate_const(t) for t in tracers]
        return trace.stage_eqn(cond_p, ins, dict(branches=branches), branches[0].out_avals)
    unknowns = [not t.pval.is_known for t in args]
    known_b, unknown_b, out_unk, res_avals = _cond_partial_eval_jaxpr_branches(branches, unknowns)
    known_args = [t.pval.const for t in args if t.pval.is_known]
    outs = cond_p.bind(index.pval.const, *known_args, branches=known_b)
    n_res = len(res_avals)
    known_outs, residuals = outs[:len(outs) - n_res], outs[len(outs) - n_res:]
    res_tracers = [trace.instantiate_const(full_raise(trace, r)) for r in residuals]
    idx_tracer = trace.instantiate_const(index)
    unknown_args = [t for t in args if not t.pval.is_known]
    unknown_outs = trace.stage_eqn(cond_p, [idx_tracer, *res_tracers, *unknown_args],
                                   dict(branches=unknown_b), unknown_b[0].out_avals)
    k, u = iter(known_outs), iter(unknown_outs)
    return [next(u) if unk else full_raise(trace, next(k)) for unk in out_unk]


partial_eval_rules[cond_p] = _cond_partial_eval


def _cond_partial_eval_jaxpr(unks_in, eqn):
    index_unk, *unknowns = unks_in
    branches = eqn.params["branches"]
    if index_unk:
        return None, eqn, [True] * len(eqn.out_binders), [x for x in eqn.inputs if isinstance(x, Var)]
    known_b, unknown_b, out_unk, res_avals = _cond_partial_eval_jaxpr_branches(branches, unknowns)
    index, *args = eqn.inputs
    res_vars = [Var(a) for a in res_avals]
    known_outs = [v for v, u in zip(eqn.out_binders, out_unk) if not u]
    eqn_known = JaxprEqn(cond_p, [index] + [a for a, u in zip(args, unknowns) if not u],
                         dict(branches=known_b), known_outs + res_vars)
    eqn_unknown = JaxprEqn(cond_p, [index] + res_vars + [a for a, u in zip(args, unknowns) if u],
                           dict(branches=unknown_b), [v for v, u in zip(eqn.out_binders, out_unk) if u])
    return eqn_known, eqn_unknown, out_unk, res_vars + [index]


partial_eval_jaxpr_rules[cond_p] = _cond_partial_eval_jaxpr


def _cond_transpose(cts, index, *args, branches):
    linear = [ad.is_undefined(a) for a in args]
    cts = [ad.instantiate(ct) for ct in cts]
    t_branches = tuple(transpose_jaxpr(b, linear) for b in branches)
    res = [a for a, lin in zip(args, linear) if not lin]
    outs = iter(cond_p.bind(index, *res, *cts, branches=t_branches))
    return [None] + [next(outs) if lin else None for lin in linear]


transpose_rules[cond_p] = _cond_transpose


# ==========================================================================================
# scan
# ==========================================================================================

scan_p = Primitive("scan", multiple_results=True)


def _scan_abstract_eval(*avals, jaxpr, num_consts, num_carry, length, reverse):
    carry_avals = jaxpr.out_avals[:num_carry]
    ys_avals = [a.update(shape=(length, *a.shape)) for a in jaxpr.out_avals[num_carry:]]
    return carry_avals + ys_avals


abstract_eval_rules[scan_p] = _scan_abstract_eval


def scan(f: Callable, init, xs=None, length: int | None = None, reverse: bool = False,
         unroll: int = 1):
    """Loop `carry, y = f(carry, x)` over the leading axis of `xs`, stacking the ys
    (lowered to one stablehlo.while). Differentiable in both modes."""
    xs_leaves, xs_tree = tree_util.tree_flatten(xs)
    lengths = {get_aval(x).shape[0] if get_aval(x).ndim else None for x in xs_leaves}
    if None in lengths:
        raise ValueError("scan got an xs value with no leading axis to scan over")
    if length is not None:
        lengths.add(int(length))
    if len(lengths) != 1:
        raise ValueError(f"scan got inconsistent lengths for the leading axis of xs "
                         f"(and length): {sorted(lengths)}" if lengths else
                         "scan got no xs and no length: pass length=")
    (n,) = lengths
    init_leaves, init_tree = tree_util.tree_flatten(init)
    carry_avals = [get_aval(x) for x in init_leaves]
    x_avals = [get_aval(x).update(shape=get_aval(x).shape[1:]) for x in xs_leaves]
    in_tree = tree_util.tree_structure((init, xs))
    jaxpr, consts, out_tree = trace_pytree_fun(lambda c, x: f(c, x), in_tree, carry_avals + x_avals,
                                               unwrap_holders=True)
    if out_tree.num_children != 2 if hasattr(out_tree, "num_children") else False:
        raise TypeError("scan body must return a pair (carry, y)")
    out_carry_tree, ys_tree = _split_out_tree(out_tree)
    if out_carry_tree != init_tree:
        raise TypeError(f"scan body function carry input and carry output must have the same "
                        f"pytree structure, got {init_tree} and {out_carry_tree}")
    _check_same_avals("scan carry input and carry output", carry_avals,
                      jaxpr.out_avals[:len(carry_avals)])
    outs = scan_p.bind(*consts, *init_leaves, *xs_leaves, jaxpr=jaxpr, num_consts=len(consts),
                       num_carry=len(init_leaves), length=n, reverse=bool(reverse))
    carry, ys = outs[:len(init_leaves)], outs[len(init_leaves):]
    return (tree_util.tree_unflatten(init_tree, carry), tree_util.tree_unflatten(ys_tree, ys))


def _split_out_tree(out_tree):
    children = tree_util.treedef_children(out_tree)
    if len(children) != 2 or out_tree.num_nodes == 1:
        raise TypeError(f"scan body output must be a pair (carry, y), got {out_tree}")
    return children[0], children[1]


def map(f: Callable, xs):
    """[f(x) for x in xs] along the leading axis, as a scan."""
    return scan(lambda _, x: ((), f(x)), (), xs)[1]


def _i64(value):
    return lowering.ir_constant(np.asarray(value, np.int64))


def _scan_lower(ctx, *args, jaxpr, num_consts, num_carry, length, reverse):
    consts, init, xs = _split(args, num_consts, num_carry)
    carry_avals = ctx.avals_out[:num_carry]
    ys_avals = ctx.avals_out[num_carry:]
    i64 = ShapedArray((), np.int64)
    zero_ys = [lowering.full_like_aval(0, a) for a in ys_avals]
    if length == 0:
        return [*init, *zero_ys]     # no iteration: the body (and its slices) never runs
    state_avals = [i64, *carry_avals, *ys_avals]
    op = hlo.WhileOp(_ir_types(state_avals), [_i64(0), *init, *zero_ys])
    cond_block = op.cond.blocks.append(*_ir_types(state_avals))
    with ir.InsertionPoint(cond_block):
        i = cond_block.arguments[0]
        pred = hlo.CompareOp(i, _i64(length), hlo.ComparisonDirectionAttr.get("LT"),
                             compare_type=hlo.ComparisonTypeAttr.get("SIGNED")).result
        hlo.ReturnOp([pred])
    body_block = op.body.blocks.append(*_ir_types(state_avals))
    with ir.InsertionPoint(body_block):
        i, *state = body_block.arguments
        carry, ys = state[:num_carry], state[num_carry:]
        pos = hlo.SubtractOp(_i64(length - 1), i).result if reverse else i
        x_avals = jaxpr.in_avals[num_consts + num_carry:]
        x_slices = [_index_leading(x, pos, a) for x, a in zip(xs, x_avals)]
        outs = lowering.lower_jaxpr_body(jaxpr, [*consts, *carry, *x_slices])
        new_carry, y = outs[:num_carry], outs[num_carry:]
        new_ys = [_update_leading(buf, v, pos, a) for buf, v, a in zip(ys, y, ys_avals)]
        hlo.ReturnOp([hlo.AddOp(i, _i64(1)).result, *new_carry, *new_ys])
    return list(op.results)[1:]


def _index_leading(x, pos, elem_aval):
    """x[pos] for a traced position (dynamic_slice + reshape)."""
    zeros = [_i64(0)] * elem_aval.ndim
    sliced = hlo.DynamicSliceOp(x, [pos, *zeros], ir.DenseI64ArrayAttr.get([1, *elem_aval.shape])).result
    return hlo.ReshapeOp(lowering.ir_type(elem_aval), sliced).result


def _update_leading(buf, value, pos, buf_aval):
    elem = buf_aval.update(shape=(1, *buf_aval.shape[1:]))
    value = hlo.ReshapeOp(lowering.ir_type(elem), value).result
    zeros = [_i64(0)] * (buf_aval.ndim - 1)
    return hlo.DynamicUpdateSliceOp(buf, value, [pos, *zeros]).result


lowering.lowering_rules[scan_p] = _scan_lower


def _scan_jvp(primals, tangents, *, jaxpr, num_consts, num_carry, length, reverse):
    nonzero = [type(t) is not Zero for t in tangents]
    const_nz, carry_nz, xs_nz = _split(nonzero, num_consts, num_carry)

    def step(carry_nz):
        _, out_nz = jvp_jaxpr(jaxpr, const_nz + carry_nz + xs_nz, False)
        return out_nz[:num_carry]

    carry_nz = _fixed_point(step, carry_nz)
    n_ys = len(jaxpr.outvars) - num_carry
    _, out_nz = jvp_jaxpr(jaxpr, const_nz + carry_nz + xs_nz, carry_nz + [False] * n_ys)
    ys_nz = out_nz[num_carry:]
    jvp_j, _ = jvp_jaxpr(jaxpr, const_nz + carry_nz + xs_nz, carry_nz + ys_nz)
    consts, init, xs = _split(primals, num_consts, num_carry)
    const_t, init_t, xs_t = _split(tangents, num_consts, num_carry)
    const_t = [t for t, nz in zip(const_t, const_nz) if nz]
    init_t = [ad.instantiate(t) for t, nz in zip(init_t, carry_nz) if nz]
    xs_t = [t for t, nz in zip(xs_t, xs_nz) if nz]
    # jvp_j takes (consts, carry, xs, const_t, carry_t, xs_t) and returns
    # (carry, ys, carry_t, ys_t); scan needs consts, carry and xs grouped.
    sizes = [num_consts, num_carry, len(xs), len(const_t), len(init_t)]
    c, cr, x, ct, crt, xt = _split(jvp_j.invars, *sizes)
    n_ct_out = len(init_t)
    o_carry, o_ys, o_carry_t, o_ys_t = _split(jvp_j.outvars, num_carry, n_ys, n_ct_out)
    body = Jaxpr([], c + ct + cr + crt + x + xt, jvp_j.eqns, o_carry + o_carry_t + o_ys + o_ys_t)
    outs = scan_p.bind(*consts, *const_t, *init, *init_t, *xs, *xs_t, jaxpr=body,
                       num_consts=num_consts + len(const_t), num_carry=num_carry + len(init_t),
                       length=length, reverse=reverse)
    carry_out, carry_t_out, ys_out, ys_t_out = _split(outs, num_carry, len(init_t), n_ys)
    carry_t_it, ys_t_it = iter(carry_t_out), iter(ys_t_out)
    t_carry = [next(carry_t_it) if nz else Zero(tangent_aval(get_aval(p)))
               for p, nz in zip(carry_out, carry_nz)]
    t_ys = [next(ys_t_it) if nz else Zero(tangent_aval(get_aval(p))) for p, nz in zip(ys_out, ys_nz)]
    return carry_out + ys_out, t_carry + t_ys


jvp_rules[scan_p] = _scan_jvp


def _scan_batch(axis_size, vals, dims, *, jaxpr, num_consts, num_carry, length, reverse):
    batched = [d is not None for d in dims]
    const_b, carry_b, xs_b = _split(batched, num_consts, num_carry)

    def step(carry_b):
        _, out_b = vmap_jaxpr(jaxpr, axis_size, const_b + carry_b + xs_b, False)
        return out_b[:num_carry]

    carry_b = _fixed_point(step, carry_b)
    n_ys = len(jaxpr.outvars) - num_carry
    _, out_b = vmap_jaxpr(jaxpr, axis_size, const_b + carry_b + xs_b, carry_b + [False] * n_ys)
    body, out_b = vmap_jaxpr(jaxpr, axis_size, const_b + carry_b + xs_b, carry_b + out_b[num_carry:])
    consts, init, xs = _split(list(zip(vals, dims)), num_consts, num_carry)
    consts = [bdim_at_front(v, d, axis_size) if d is not None else v for v, d in consts]
    init = [bdim_at_front(v, d, axis_size) if b else v for (v, d), b in zip(init, carry_b)]
    # xs are scanned over axis 0, so their batch axis goes to 1.
    xs = [v if d is None else ops.moveaxis(v, d, 1) for v, d in xs]
    outs = scan_p.bind(*consts, *init, *xs, jaxpr=body, num_consts=num_consts,
                       num_carry=num_carry, length=length, reverse=reverse)
    out_dims = [0 if b else None for b in carry_b] + [1 if b else None for b in out_b[num_carry:]]
    return outs, out_dims


batching_rules[scan_p] = _scan_batch


def _scan_split(jaxpr: Jaxpr, num_consts, num_carry, unknowns):
    """Partially evaluate a scan body: the known scan computes known carries and ys plus
    per-iteration residuals (stacked as extra ys); loop-invariant residuals (known consts
    the unknown side uses) are passed straight to the unknown scan as its consts."""
    const_uk, carry_uk, xs_uk = _split(unknowns, num_consts, num_carry)
    n_ys = len(jaxpr.outvars) - num_carry

    def step(carry_uk):
        return partial_eval_jaxpr(jaxpr, const_uk + carry_uk + xs_uk, False)[2][:num_carry]

    carry_uk = _fixed_point(step, carry_uk)
    jk, ju, out_uk, num_res = partial_eval_jaxpr(jaxpr, const_uk + carry_uk + xs_uk,
                                                 carry_uk + [False] * n_ys)
    res_vars = jk.outvars[len(jk.outvars) - num_res:]
    known_consts = [v for v, uk in zip(jaxpr.invars[:num_consts], const_uk) if not uk]
    invariant = [r for r in res_vars if any(r is v for v in known_consts)]
    stacked = [r for r in res_vars if not any(r is v for v in invariant)]
    invariant_pos = [next(i for i, v in enumerate(known_consts) if v is r) for r in invariant]
    jk = Jaxpr([], jk.invars, jk.eqns, jk.outvars[:len(jk.outvars) - num_res] + stacked)
    u_const, u_carry, u_xs = _split(ju.invars[num_res:], sum(const_uk), sum(carry_uk))
    ju = Jaxpr([], invariant + u_const + u_carry + stacked + u_xs, ju.eqns, ju.outvars)
    return carry_uk, out_uk, jk, ju, invariant_pos, len(stacked)


def _scan_partial_eval(trace, tracers, *, jaxpr, num_consts, num_carry, length, reverse):
    unknowns = [not t.pval.is_known for t in tracers]
    carry_uk, out_uk, jk, ju, invariant_pos, n_stacked = _scan_split(jaxpr, num_consts, num_carry, unknowns)
    const_uk, _, xs_uk = _split(unknowns, num_consts, num_carry)
    consts, init, xs = _split(tracers, num_consts, num_carry)
    known = lambda ts, uks: [t.pval.const for t, uk in zip(ts, uks) if not uk]  # noqa: E731
    unknown = lambda ts, uks: [t for t, uk in zip(ts, uks) if uk]  # noqa: E731
    k_consts = known(consts, const_uk)
    n_known_carry = num_carry - sum(carry_uk)
    k_init = [t.pval.const for t, uk in zip(init, carry_uk) if not uk]
    outs = scan_p.bind(*k_consts, *k_init, *known(xs, xs_uk), jaxpr=jk, num_consts=len(k_consts),
                       num_carry=n_known_carry, length=length, reverse=reverse)
    k_outs, stacked = outs[:len(outs) - n_stacked], outs[len(outs) - n_stacked:]
    res = [trace.instantiate_const(full_raise(trace, r)) for r in
           [k_consts[i] for i in invariant_pos] + list(stacked)]
    inv_res, stacked_res = res[:len(invariant_pos)], res[len(invariant_pos):]
    u_init = [trace.instantiate_const(t) for t, uk in zip(init, carry_uk) if uk]
    u_ins = inv_res + unknown(consts, const_uk) + u_init + stacked_res + unknown(xs, xs_uk)
    params = dict(jaxpr=ju, num_consts=len(inv_res) + sum(const_uk), num_carry=sum(carry_uk),
                  length=length, reverse=reverse)
    u_outs = trace.stage_eqn(scan_p, u_ins, params, _scan_abstract_eval(jaxpr=ju, **{
        k: v for k, v in params.items() if k != "jaxpr"}))
    k_it, u_it = iter(k_outs), iter(u_outs)
    return [next(u_it) if uk else full_raise(trace, next(k_it)) for uk in out_uk]


partial_eval_rules[scan_p] = _scan_partial_eval


def _scan_partial_eval_jaxpr(unks_in, eqn):
    p = eqn.params
    num_consts, num_carry = p["num_consts"], p["num_carry"]
    carry_uk, out_uk, jk, ju, invariant_pos, n_stacked = _scan_split(p["jaxpr"], num_consts, num_carry, unks_in)
    const_uk, init_uk, xs_uk = _split(unks_in, num_consts, num_carry)
    consts, init, xs = _split(eqn.inputs, num_consts, num_carry)
    k_consts = [c for c, uk in zip(consts, const_uk) if not uk]
    stacked = [Var(v.aval.update(shape=(p["length"], *v.aval.shape)))
               for v in jk.outvars[len(jk.outvars) - n_stacked:]]
    known_outs = [v for v, uk in zip(eqn.out_binders, out_uk) if not uk]
    eqn_known = JaxprEqn(scan_p, k_consts + [c for c, uk in zip(init, carry_uk) if not uk]
                         + [x for x, uk in zip(xs, xs_uk) if not uk],
                         dict(p, jaxpr=jk, num_consts=len(k_consts), num_carry=num_carry - sum(carry_uk)),
                         known_outs + stacked)
    inv = [k_consts[i] for i in invariant_pos]
    eqn_unknown = JaxprEqn(scan_p, inv + [c for c, uk in zip(consts, const_uk) if uk]
                           + [c for c, uk in zip(init, carry_uk) if uk] + stacked
                           + [x for x, uk in zip(xs, xs_uk) if uk],
                           dict(p, jaxpr=ju, num_consts=len(inv) + sum(const_uk), num_carry=sum(carry_uk)),
                           [v for v, uk in zip(eqn.out_binders, out_uk) if uk])
    # Known initial carries that became unknown (the fixed point) feed the unknown scan too.
    promoted = [c for c, uk, was_uk in zip(init, carry_uk, init_uk) if uk and not was_uk]
    residuals = inv + stacked + promoted
    return eqn_known, eqn_unknown, out_uk, residuals


partial_eval_jaxpr_rules[scan_p] = _scan_partial_eval_jaxpr


def _scan_transpose(cts, *args, jaxpr, num_consts, num_carry, length, reverse):
    consts, init, xs = _split(args, num_consts, num_carry)
    const_lin = [ad.is_undefined(c) for c in consts]
    xs_lin = [ad.is_undefined(x) for x in xs]
    cts = [ad.instantiate(ct) for ct in cts]
    ct_carry, ct_ys = cts[:num_carry], cts[num_carry:]
    res_consts = [c for c, lin in zip(consts, const_lin) if not lin]
    res_xs = [x for x, lin in zip(xs, xs_lin) if not lin]
    body_t = transpose_jaxpr(jaxpr, const_lin + [True] * num_carry + xs_lin)
    lin_const_avals = [tangent_aval(c.aval) for c, lin in zip(consts, const_lin) if lin]
    n_rc, n_acc = len(res_consts), len(lin_const_avals)

    def body(*a):
        rc, acc, ctc, rx, cty = _split(a, n_rc, n_acc, num_carry, len(res_xs))
        outs = eval_jaxpr(body_t, (), *rc, *rx, *ctc, *cty)
        ct_lin_consts, ct_carry_prev, ct_x = _split(outs, n_acc, num_carry)
        return [ad.add_tangents(a_, c) for a_, c in zip(acc, ct_lin_consts)] + ct_carry_prev + ct_x

    in_avals = ([get_aval(c) for c in res_consts] + lin_const_avals + [get_aval(c) for c in ct_carry]
                + [get_aval(x).update(shape=get_aval(x).shape[1:]) for x in res_xs]
                + [get_aval(c).update(shape=get_aval(c).shape[1:]) for c in ct_ys])
    body_j = trace_to_subjaxpr(body, in_avals)
    acc0 = [ops.zeros(a) for a in lin_const_avals]
    outs = scan_p.bind(*res_consts, *acc0, *ct_carry, *res_xs, *ct_ys, jaxpr=body_j,
                       num_consts=n_rc, num_carry=n_acc + num_carry, length=length,
                       reverse=not reverse)
    ct_consts, ct_init, ct_xs = _split(outs, n_acc, num_carry)
    ct_consts, ct_xs = iter(ct_consts), iter(ct_xs)
    return ([next(ct_consts) if lin else None for lin in const_lin] + ct_init
            + [next(ct_xs) if lin else None for lin in xs_lin])


transpose_rules[scan_p] = _scan_transpose
