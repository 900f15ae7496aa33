"""custom_jvp and custom_vjp: user-supplied derivative rules for a Python function.

The function is staged to a jaxpr and bound as one primitive that carries the rule;
evaluation and lowering run the jaxpr, differentiation calls the rule. Under vmap every
operand is batched at axis 0 and the rule is vmapped, so rules never see batch axes.
"""
from __future__ import annotations

import functools
import inspect
from typing import Callable, Sequence

import numpy as np

from npaccel.core import dtypes, tree_util
from npaccel.core.trace import Primitive, abstract_eval_rules, get_aval
from npaccel.transforms import ad, lowering
from npaccel.transforms.ad import Zero, jvp_rules, tangent_aval, transpose_rules
from npaccel.transforms.batching import batching_rules, bdim_at_front, vmap, vmap_jaxpr
from npaccel.transforms.staging import trace_pytree_fun


class _Staged:
    """A call split into static (nondiff) and traced arguments, staged to a jaxpr."""

    def __init__(self, fun, nondiff_argnums, args, kwargs):
        try:
            bound = inspect.signature(fun).bind(*args, **kwargs)
            bound.apply_defaults()
            args = bound.args
        except (TypeError, ValueError):
            if kwargs:
                raise
        self.nondiff = {i: args[i] for i in nondiff_argnums}
        self.n_args = len(args)
        dyn = [a for i, a in enumerate(args) if i not in self.nondiff]
        self.leaves, self.in_tree = tree_util.tree_flatten(tuple(dyn))
        self.jaxpr, self.consts, self.out_tree = trace_pytree_fun(
            lambda *d: fun(*self.merge(d)), self.in_tree, [get_aval(x) for x in self.leaves])

    def merge(self, dyn) -> list:
        it = iter(dyn)
        return [self.nondiff[i] if i in self.nondiff else next(it) for i in range(self.n_args)]

    def static(self) -> list:
        return [self.nondiff[i] for i in sorted(self.nondiff)]


def _instantiate_tangent(t, primal):
    if type(t) is not Zero:
        return t
    aval = get_aval(primal)
    return (ad.instantiate(Zero(tangent_aval(aval))) if dtypes.is_inexact(aval.dtype)
            else np.zeros(aval.shape, dtypes.float0))


def _check_no_const_tangents(tangents, num_consts, kind):
    if any(type(t) is not Zero for t in tangents[:num_consts]):
        raise TypeError(f"a {kind} function closes over a value that is being differentiated; "
                        "pass it as an explicit argument instead")


def _common_rules(prim: Primitive):
    abstract_eval_rules[prim] = lambda *avals, call_jaxpr, rule, num_consts: call_jaxpr.out_avals
    lowering.lowering_rules[prim] = (
        lambda ctx, *args, call_jaxpr, rule, num_consts: lowering.lower_jaxpr_body(call_jaxpr, args))

    def batch(axis_size, vals, dims, *, call_jaxpr, rule, num_consts):
        vals = [bdim_at_front(v, d, axis_size) for v, d in zip(vals, dims)]
        jaxpr, _ = vmap_jaxpr(call_jaxpr, axis_size, [True] * len(vals), True)
        outs = prim.bind(*vals, call_jaxpr=jaxpr, rule=rule.batched(), num_consts=num_consts)
        return outs, [0] * len(outs)

    batching_rules[prim] = batch


# --- custom_jvp --------------------------------------------------------------------------

custom_jvp_call_p = Primitive("custom_jvp_call", multiple_results=True)
_common_rules(custom_jvp_call_p)


class _JvpRule:
    """The user's jvp on flat leaves: (primal leaves, tangent leaves) -> (outs, tangents)."""

    def __init__(self, jvp, static, in_tree, out_tree, batched=False):
        self.jvp, self.static, self.in_tree, self.out_tree = jvp, static, in_tree, out_tree
        self._batched = batched

    def __call__(self, primals, tangents):
        if self._batched:
            return vmap(_JvpRule(self.jvp, self.static, self.in_tree, self.out_tree))(primals, tangents)
        p = tree_util.tree_unflatten(self.in_tree, list(primals))
        t = tree_util.tree_unflatten(self.in_tree, list(tangents))
        out, t_out = self.jvp(*self.static, p, t)
        out_leaves, out_tree = tree_util.tree_flatten(out)
        t_leaves, t_tree = tree_util.tree_flatten(t_out)
        if out_tree != self.out_tree or t_tree != self.out_tree:
            raise TypeError(f"custom_jvp rule must return (primal_out, tangent_out) with the "
                            f"structure of the function's output {self.out_tree}; got "
                            f"{out_tree} and {t_tree}")
        return out_leaves, t_leaves

    def batched(self):
        return _JvpRule(self.jvp, self.static, self.in_tree, self.out_tree, batched=True)


def _custom_jvp_call_jvp(primals, tangents, *, call_jaxpr, rule, num_consts):
    _check_no_const_tangents(tangents, num_consts, "custom_jvp")
    args = primals[num_consts:]
    ts = [_instantiate_tangent(t, p) for t, p in zip(tangents[num_consts:], args)]
    out, t_out = rule(args, ts)
    return out, t_out


jvp_rules[custom_jvp_call_p] = _custom_jvp_call_jvp


class custom_jvp:
    """A function with a custom jvp rule, as jax.custom_jvp:

        @custom_jvp
        def f(x): ...
        @f.defjvp
        def f_jvp(primals, tangents): return f(*primals), tangent_out
    """

    def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = ()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.jvp = None

    def defjvp(self, jvp: Callable) -> Callable:
        self.jvp = jvp
        return jvp

    def defjvps(self, *jvps: Callable | None) -> None:
        """One rule per argument: `jvps[i](t_i, primal_out, *primals)`."""
        def jvp(primals, tangents):
            out = self(*primals)
            contribs = [fn(t, out, *primals) for fn, t in zip(jvps, tangents) if fn is not None]
            return out, functools.reduce(lambda a, b: tree_util.tree_map(ad.add_tangents, a, b), contribs)
        self.jvp = jvp

    def __call__(self, *args, **kwargs):
        if self.jvp is None:
            raise AttributeError(f"No JVP defined for custom_jvp function {self.__name__} "
                                 "using defjvp.")
        staged = _Staged(self.fun, self.nondiff_argnums, args, kwargs)
        rule = _JvpRule(self.jvp, staged.static(), staged.in_tree, staged.out_tree)
        outs = custom_jvp_call_p.bind(*staged.consts, *staged.leaves, call_jaxpr=staged.jaxpr,
                                      rule=rule, num_consts=len(staged.consts))
        return tree_util.tree_unflatten(staged.out_tree, outs)


# --- custom_vjp --------------------------------------------------------------------------

custom_vjp_call_p = Primitive("custom_vjp_call", multiple_results=True)
_common_rules(custom_vjp_call_p)


class _VjpRule:
    """The user's fwd and bwd on flat leaves."""

    def __init__(self, fwd, bwd, static, in_tree, out_tree, batched=False, merge=None):
        self.fwd, self.bwd, self.static, self.merge = fwd, bwd, static, merge
        self.in_tree, self.out_tree, self._batched = in_tree, out_tree, batched
        self.res_tree = None

    def unbatched(self):
        return _VjpRule(self.fwd, self.bwd, self.static, self.in_tree, self.out_tree, merge=self.merge)

    def batched(self):
        return _VjpRule(self.fwd, self.bwd, self.static, self.in_tree, self.out_tree, batched=True,
                        merge=self.merge)

    def forward(self, primals):
        """(out leaves, residual leaves)."""
        if self._batched:
            inner = self.unbatched()
            outs = vmap(lambda p: inner.forward(p))(list(primals))
            self.res_tree = inner.res_tree
            return outs
        out, res = self.fwd(*self.merge(tree_util.tree_unflatten(self.in_tree, list(primals))))
        out_leaves, out_tree = tree_util.tree_flatten(out)
        if out_tree != self.out_tree:
            raise TypeError(f"custom_vjp fwd must return (output, residuals) with the output "
                            f"structure {self.out_tree}, got {out_tree}")
        res_leaves, self.res_tree = tree_util.tree_flatten(res)
        return out_leaves, res_leaves

    def _flatten_cotangents(self, out) -> list:
        """bwd's tuple (one entry per argument, None for zero) as leaves."""
        arg_trees = self.in_tree.children()
        if not isinstance(out, tuple) or len(out) != len(arg_trees):
            raise TypeError(f"custom_vjp bwd must return a tuple with one cotangent per "
                            f"differentiable argument ({len(arg_trees)}), got {out!r:.80}")
        leaves = []
        for ct, arg_tree in zip(out, arg_trees):
            ct_leaves = ([None] * arg_tree.num_leaves if ct is None
                         else tree_util.tree_leaves(ct, is_leaf=lambda x: x is None))
            if len(ct_leaves) != arg_tree.num_leaves:
                raise TypeError(f"custom_vjp bwd cotangent {ct!r:.80} does not match the "
                                f"structure of its argument {arg_tree}")
            leaves += ct_leaves
        return leaves

    def backward(self, res, cts, in_avals):
        if self._batched:
            inner = self.unbatched()
            inner.res_tree = self.res_tree
            return vmap(lambda r, c: inner.backward(r, c, [a.update(shape=a.shape[1:]) for a in in_avals]))(
                list(res), list(cts))
        ct_tree = tree_util.tree_unflatten(self.out_tree, list(cts))
        out = self.bwd(*self.static, tree_util.tree_unflatten(self.res_tree, list(res)), ct_tree)
        if not isinstance(out, tuple):
            raise TypeError(f"custom_vjp bwd must return a tuple with one cotangent per "
                            f"differentiable argument, got {type(out).__name__}")
        leaves = self._flatten_cotangents(out)
        return [ad.zeros_like_aval(tangent_aval(a)) if ct is None else ct
                for ct, a in zip(leaves, in_avals)]


def _custom_vjp_call_jvp(primals, tangents, *, call_jaxpr, rule, num_consts):
    _check_no_const_tangents(tangents, num_consts, "custom_vjp")
    args = primals[num_consts:]
    out, res = rule.forward(args)
    ts = [_instantiate_tangent(t, p) for t, p in zip(tangents[num_consts:], args)]
    in_avals = tuple(get_aval(a) for a in args)
    t_out = custom_lin_p.bind(*res, *ts, rule=rule, num_res=len(res), in_avals=in_avals,
                              out_avals=tuple(tangent_aval(get_aval(o)) for o in out))
    return out, t_out


jvp_rules[custom_vjp_call_p] = _custom_vjp_call_jvp

# The tangent map of a custom_vjp function: linear in its tangent operands, known only
# through its transpose (the user's bwd).
custom_lin_p = Primitive("custom_lin", multiple_results=True)
abstract_eval_rules[custom_lin_p] = lambda *avals, rule, num_res, in_avals, out_avals: list(out_avals)


def _custom_lin_lower(ctx, *args, **params):
    raise TypeError("can't apply forward-mode autodiff (jvp) to a custom_vjp function; "
                    "use vjp/grad/jacrev, or define the rule with custom_jvp")


lowering.lowering_rules[custom_lin_p] = _custom_lin_lower


def _custom_lin_transpose(cts, *args, rule, num_res, in_avals, out_avals):
    res = args[:num_res]
    cts = [ad.instantiate(ct) for ct in cts]
    return [None] * num_res + rule.backward(res, cts, list(in_avals))


transpose_rules[custom_lin_p] = _custom_lin_transpose


class custom_vjp:
    """A function with a custom vjp, as jax.custom_vjp:

        @custom_vjp
        def f(x): ...
        f.defvjp(f_fwd, f_bwd)   # f_fwd(x) -> (out, res); f_bwd(res, ct) -> (ct_x,)
    """

    def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = ()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd = self.bwd = None

    def defvjp(self, fwd: Callable, bwd: Callable) -> None:
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args, **kwargs):
        if self.fwd is None:
            raise AttributeError(f"No VJP defined for custom_vjp function {self.__name__} "
                                 "using defvjp.")
        staged = _Staged(self.fun, self.nondiff_argnums, args, kwargs)
        rule = _VjpRule(self.fwd, self.bwd, staged.static(), staged.in_tree, staged.out_tree,
                        merge=staged.merge)
        outs = custom_vjp_call_p.bind(*staged.consts, *staged.leaves, call_jaxpr=staged.jaxpr,
                                      rule=rule, num_consts=len(staged.consts))
        return tree_util.tree_unflatten(staged.out_tree, outs)
