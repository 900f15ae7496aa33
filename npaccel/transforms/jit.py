"""`jit`: stage a function out to a jaxpr, compile it once per input signature, run it.

A jitted call is one primitive, `jit`, whose parameter is the staged jaxpr, so every other
transformation sees through it with ordinary rules (jvp, transpose, batching, partial eval).
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Sequence

from npaccel.core import tree_util
from npaccel.core.jaxpr import JaxprEqn, Var
from npaccel.core.trace import (Primitive, Tracer, abstract_eval_rules, bind, find_top_trace,
                                get_aval)
from npaccel.transforms import ad, lowering
from npaccel.transforms.eval import EvalTrace, compile_jaxpr_callable
from npaccel.transforms.batching import batching_rules, bdim_at_front, vmap_jaxpr
from npaccel.transforms.partial_eval import (partial_eval_jaxpr, partial_eval_jaxpr_rules,
                                             partial_eval_jaxpr_trace_rule, partial_eval_rules)
from npaccel.transforms.staging import trace_pytree_fun
from npaccel.transforms.transpose import transpose_jaxpr

jit_p = Primitive("jit", multiple_results=True)


def _jit_abstract_eval(*avals, jaxpr, name):
    for a, v in zip(avals, jaxpr.invars, strict=True):
        if (a.shape, a.dtype) != (v.aval.shape, v.aval.dtype):
            raise TypeError(f"jit-compiled '{name}' got an operand of type {a.str_short()} "
                            f"where its jaxpr takes {v.aval.str_short()}")
    return jaxpr.out_avals


abstract_eval_rules[jit_p] = _jit_abstract_eval
lowering.lowering_rules[jit_p] = lambda ctx, *args, jaxpr, name: lowering.lower_jaxpr_body(jaxpr, args)


def _jit_jvp(primals, tangents, *, jaxpr, name):
    nonzeros = [type(t) is not ad.Zero for t in tangents]
    jaxpr_jvp, out_nz = ad.jvp_jaxpr(jaxpr, nonzeros, False)
    outs = bind(jit_p, *primals, *[t for t in tangents if type(t) is not ad.Zero],
                jaxpr=jaxpr_jvp, name=name)
    n = len(jaxpr.outvars)
    p_out, t_out = outs[:n], iter(outs[n:])
    return p_out, [next(t_out) if nz else ad.Zero(ad.tangent_aval(a))
                   for a, nz in zip(jaxpr.out_avals, out_nz)]


def _jit_batch(axis_size, vals, dims, *, jaxpr, name):
    vals = [bdim_at_front(v, d, axis_size) if d is not None else v for v, d in zip(vals, dims)]
    jaxpr_b, out_batched = vmap_jaxpr(jaxpr, axis_size, [d is not None for d in dims], False)
    outs = bind(jit_p, *vals, jaxpr=jaxpr_b, name=name)
    return outs, [0 if b else None for b in out_batched]


def _jit_transpose(cts, *args, jaxpr, name):
    linear = [ad.is_undefined(a) for a in args]
    residuals = [a for a, lin in zip(args, linear) if not lin]
    outs = iter(bind(jit_p, *residuals, *map(ad.instantiate, cts),
                     jaxpr=transpose_jaxpr(jaxpr, linear), name=name))
    return [next(outs) if lin else None for lin in linear]


def _jit_partial_eval_jaxpr(unks_in, eqn):
    jaxpr_known, jaxpr_unknown, out_unks, num_res = partial_eval_jaxpr(
        eqn.params["jaxpr"], unks_in, False)
    res_vars = [Var(x.aval) for x in jaxpr_known.outvars[len(jaxpr_known.outvars) - num_res:]]
    outs_known = [v for v, u in zip(eqn.out_binders, out_unks) if not u]
    outs_unknown = [v for v, u in zip(eqn.out_binders, out_unks) if u]
    eqn_known = JaxprEqn(jit_p, [x for x, u in zip(eqn.inputs, unks_in) if not u],
                         {**eqn.params, "jaxpr": jaxpr_known}, outs_known + res_vars)
    eqn_unknown = JaxprEqn(jit_p, res_vars + [x for x, u in zip(eqn.inputs, unks_in) if u],
                           {**eqn.params, "jaxpr": jaxpr_unknown}, outs_unknown)
    return eqn_known, eqn_unknown, out_unks, res_vars


ad.jvp_rules[jit_p] = _jit_jvp
batching_rules[jit_p] = _jit_batch
ad.transpose_rules[jit_p] = _jit_transpose
partial_eval_rules[jit_p] = lambda trace, tracers, **params: partial_eval_jaxpr_trace_rule(
    trace, jit_p, "jaxpr", tracers, params)
partial_eval_jaxpr_rules[jit_p] = _jit_partial_eval_jaxpr


def _as_tuple(x) -> tuple:
    if x is None:
        return ()
    return (x,) if isinstance(x, (int, str)) else tuple(x)


def _resolve_static(fun, static_argnums, static_argnames):
    """Static positions and names, each completed from the other via the signature."""
    nums, names = set(_as_tuple(static_argnums)), set(_as_tuple(static_argnames))
    try:
        params = list(inspect.signature(fun).parameters.values())
    except (TypeError, ValueError):
        return frozenset(nums), frozenset(names)
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    names |= {positional[i] for i in nums if i < len(positional)}
    nums |= {i for i, n in enumerate(positional) if n in names}
    return frozenset(nums), frozenset(names)


class _StaticKey:
    """Hashable wrapper for a static argument, with a clear error for unhashable ones."""

    @staticmethod
    def of(value, where):
        try:
            hash(value)
        except TypeError:
            raise ValueError(f"Non-hashable static argument {where} of type "
                             f"{type(value).__name__}: static arguments must be hashable "
                             "(use a tuple instead of a list, or pass it as a traced argument)"
                             ) from None
        return (type(value), value)


class _Entry:
    """One traced signature of a jitted function, and its executable once compiled."""
    __slots__ = ("jaxpr", "consts", "out_tree", "_compiled")

    def __init__(self, jaxpr, consts, out_tree):
        self.jaxpr, self.consts, self.out_tree = jaxpr, consts, out_tree
        self._compiled = None

    def executable(self):
        if self._compiled is None:
            self._compiled = compile_jaxpr_callable(self.jaxpr)
        return self._compiled


class Jitted:
    """The callable returned by `jit(fun)`."""

    def __init__(self, fun: Callable, static_argnums, static_argnames):
        functools.update_wrapper(self, fun)
        self._fun = fun
        self._name = getattr(fun, "__name__", type(fun).__name__)
        self._static_nums, self._static_names = _resolve_static(fun, static_argnums, static_argnames)
        self._cache: dict[Any, tuple] = {}

    def _split(self, args, kwargs):
        static = tuple((i, _StaticKey.of(a, f"at position {i}")) for i, a in enumerate(args)
                       if i in self._static_nums)
        static += tuple((k, _StaticKey.of(v, f"'{k}'")) for k, v in sorted(kwargs.items())
                        if k in self._static_names)
        dyn_args = tuple(a for i, a in enumerate(args) if i not in self._static_nums)
        dyn_kwargs = {k: v for k, v in kwargs.items() if k not in self._static_names}
        return static, dyn_args, dyn_kwargs

    def _call_with_dynamic(self, args, kwargs):
        def fun(dyn_args, dyn_kwargs):
            it = iter(dyn_args)
            full = [a if i in self._static_nums else next(it)
                    for i, a in enumerate(args)]
            return self._fun(*full, **{**kwargs, **dyn_kwargs})
        return fun

    def _staged(self, args, kwargs):
        static, dyn_args, dyn_kwargs = self._split(args, kwargs)
        leaves, in_tree = tree_util.tree_flatten((dyn_args, dyn_kwargs))
        avals = tuple(get_aval(x) for x in leaves)
        key = (in_tree, avals, static)
        entry = self._cache.get(key)
        if entry is None:
            fun = self._call_with_dynamic(args, {k: v for k, v in kwargs.items()
                                                 if k in self._static_names})
            jaxpr, consts, out_tree = trace_pytree_fun(fun, in_tree, avals)
            entry = _Entry(jaxpr, consts, out_tree)
            if not any(isinstance(c, Tracer) for c in consts):
                self._cache[key] = entry
        return entry, leaves

    def __get__(self, obj, objtype=None):
        # As a method, the instance is the first argument (static with static_argnums=0).
        return self if obj is None else functools.partial(self, obj)

    def __call__(self, *args, **kwargs):
        entry, leaves = self._staged(args, kwargs)
        operands = [*entry.consts, *leaves]
        if type(find_top_trace(operands)) is EvalTrace:
            # Outside any transformation: run the cached executable directly.
            outs = entry.executable()(*operands)
        else:
            outs = bind(jit_p, *operands, jaxpr=entry.jaxpr, name=self._name)
        return tree_util.tree_unflatten(entry.out_tree, outs)

    def lower(self, *args, **kwargs) -> "Lowered":
        entry, _ = self._staged(args, kwargs)
        return Lowered(entry.jaxpr)

    def _cache_size(self) -> int:
        return len(self._cache)


class Lowered:
    """The StableHLO of a jitted function at one signature (`jit(f).lower(*args)`)."""

    def __init__(self, jaxpr):
        self.jaxpr = jaxpr

    def as_text(self) -> str:
        return str(lowering.lower_jaxpr(self.jaxpr))

    def compile(self):
        return lowering.compile_jaxpr(self.jaxpr)


def jit(fun: Callable | None = None, *, static_argnums: int | Sequence[int] | None = None,
        static_argnames: str | Sequence[str] | None = None) -> Callable:
    """Compile `fun` with XLA: traced once per input shapes/dtypes/static values."""
    if fun is None:
        return functools.partial(jit, static_argnums=static_argnums, static_argnames=static_argnames)
    return Jitted(fun, static_argnums, static_argnames)
