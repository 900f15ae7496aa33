"""Vectorisation (`vmap`): each value carries the index of its batch axis, or None."""
from __future__ import annotations

from functools import wraps
from typing import Callable

from npaccel.core import tree_util
from npaccel.core.aval import ShapedArray
from npaccel.core.jaxpr import Jaxpr, cache_by_jaxpr, eval_jaxpr
from npaccel.core.trace import (Primitive, Trace, Tracer, bind, full_lower, full_raise, get_aval,
                                new_main)
from npaccel.transforms import ops
from npaccel.transforms.ad import add_any_p

not_mapped = None

# prim -> rule(axis_size, vals, dims, **params) -> (out(s), out dim(s))
batching_rules: dict[Primitive, Callable] = {}


class BatchTracer(Tracer):
    __slots__ = ("_trace", "val", "batch_dim")

    def __init__(self, trace, val, batch_dim: int | None):
        self._trace = trace
        self.val = val
        self.batch_dim = batch_dim

    @property
    def aval(self) -> ShapedArray:
        aval = get_aval(self.val)
        if self.batch_dim is None:
            return aval
        shape = list(aval.shape)
        del shape[self.batch_dim]
        return aval.update(shape=shape)

    def full_lower(self):
        return full_lower(self.val) if self.batch_dim is None else self


class BatchTrace(Trace):
    axis_size = property(lambda self: self.main.global_data)

    def pure(self, val):
        return BatchTracer(self, val, not_mapped)

    lift = pure

    def process_primitive(self, prim, tracers, params):
        vals = [t.val for t in tracers]
        dims = [t.batch_dim for t in tracers]
        if all(d is None for d in dims):
            return bind(prim, *vals, **params)
        rule = batching_rules.get(prim)
        if rule is None:
            raise NotImplementedError(f"Batching rule for '{prim}' not implemented")
        outs, out_dims = rule(self.axis_size, vals, dims, **params)
        if prim.multiple_results:
            return [BatchTracer(self, o, d) for o, d in zip(outs, out_dims, strict=True)]
        return BatchTracer(self, outs, out_dims)


def move_batch_axis(axis_size: int, src: int | None, dst: int | None, x):
    """Put the batch axis of `x` (at `src`, or absent) at `dst` (None: must be absent)."""
    if src == dst:
        return x
    if dst is None:
        raise ValueError("vmap has out_axes=None for an output that depends on the mapped "
                         "axis; only unbatched outputs can have out_axes=None")
    if src is None:
        return ops.moveaxis(ops.broadcast_to_front(x, axis_size), 0, dst)
    return ops.moveaxis(x, src, dst)


def vmap_flat(fun: Callable, args, in_dims, axis_size: int, out_dims_fn: Callable):
    """Batch `fun(*args) -> list`; `out_dims_fn(n)` gives the output dims for n outputs."""
    with new_main(BatchTrace, axis_size) as main:
        trace = BatchTrace(main)
        tracers_in = [BatchTracer(trace, x, d) if d is not None else x
                      for x, d in zip(args, in_dims, strict=True)]
        outs = [full_raise(trace, o) for o in fun(*tracers_in)]
        vals, dims = [o.val for o in outs], [o.batch_dim for o in outs]
    return [move_batch_axis(axis_size, d, dst, v)
            for v, d, dst in zip(vals, dims, out_dims_fn(len(vals)), strict=True)]


@cache_by_jaxpr
def vmap_jaxpr(jaxpr: Jaxpr, axis_size: int, batched: list[bool], instantiate) -> tuple[Jaxpr, list[bool]]:
    """Batch a jaxpr (no constvars) whose batched inputs carry the batch axis first.

    Returns the new jaxpr and which outputs are batched (at axis 0); outputs marked in
    `instantiate` are batched even if they do not depend on the batch.
    """
    from npaccel.transforms.staging import trace_to_subjaxpr
    if isinstance(instantiate, bool):
        instantiate = [instantiate] * len(jaxpr.outvars)
    out_batched: list[bool] = []

    def fun(*args):
        with new_main(BatchTrace, axis_size) as main:
            trace = BatchTrace(main)
            tracers = [BatchTracer(trace, x, 0) if b else x for x, b in zip(args, batched)]
            outs = [full_raise(trace, o) for o in eval_jaxpr(jaxpr, (), *tracers)]
            vals, dims = [o.val for o in outs], [o.batch_dim for o in outs]
        out_batched[:] = [d is not None or inst for d, inst in zip(dims, instantiate)]
        return [move_batch_axis(axis_size, d, 0 if b else None, v)
                for v, d, b in zip(vals, dims, out_batched)]

    avals = [ShapedArray((axis_size, *a.shape), a.dtype, a.weak_type) if b else a
             for a, b in zip(jaxpr.in_avals, batched)]
    new_jaxpr = trace_to_subjaxpr(fun, avals)
    return new_jaxpr, out_batched


def bdim_at_front(x, dim: int | None, axis_size: int):
    return move_batch_axis(axis_size, dim, 0, x)


# --- helpers that build batching rules ------------------------------------------------

def elementwise_batcher(prim: Primitive) -> None:
    """Operands of equal shapes: align batch axes (broadcasting unbatched operands)."""
    def rule(axis_size, vals, dims, **params):
        batched = [d for d in dims if d is not None]
        if all(d == batched[0] for d in dims):
            return bind(prim, *vals, **params), batched[0]
        vals = [bdim_at_front(v, d, axis_size) for v, d in zip(vals, dims)]
        out = bind(prim, *vals, **params)
        return out, ([0] * len(out) if prim.multiple_results else 0)
    batching_rules[prim] = rule


elementwise_batcher(add_any_p)


def _flatten_axes(what: str, tree, axes) -> list:
    """Broadcast an in_axes/out_axes prefix spec over the leaves of `tree`."""
    try:
        return tree_util.broadcast_prefix(axes, tree)
    except ValueError as e:
        raise ValueError(f"vmap {what} specification must be a tree prefix of the "
                         f"corresponding value, got {what}={axes!r}: {e}") from None


def _axis_size(leaves, dims, axis_size):
    sizes = {get_aval(x).shape[d] for x, d in zip(leaves, dims) if d is not None}
    if axis_size is not None:
        sizes.add(axis_size)
    if len(sizes) > 1:
        raise ValueError(f"vmap got inconsistent sizes for the mapped axes: {sorted(sizes)}")
    if not sizes:
        raise ValueError("vmap must have at least one non-None value in in_axes "
                         "(or be given axis_size)")
    return sizes.pop()


def _canonical_dim(x, d, what):
    if d is None:
        return None
    ndim = get_aval(x).ndim
    if not -ndim <= d < ndim:
        raise ValueError(f"vmap was asked to map over axis {d} of a value of rank {ndim} ({what})")
    return d % ndim


def vmap(fun: Callable, in_axes=0, out_axes=0, axis_size: int | None = None) -> Callable:
    """Vectorise `fun` over the axes `in_axes` of its arguments (pytree prefixes)."""
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)

    @wraps(fun)
    def batched(*args, **kwargs):
        if isinstance(in_axes, tuple) and len(in_axes) != len(args):
            raise ValueError(f"vmap in_axes must be an int, None, or a tuple with one entry "
                             f"per positional argument: got {len(in_axes)} for {len(args)} arguments")
        leaves, in_tree = tree_util.tree_flatten((args, kwargs))
        dims = _flatten_axes("in_axes", args, in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args))
        # As in JAX, keyword arguments are always mapped over their leading axis.
        dims += [0] * len(tree_util.tree_leaves(kwargs))
        dims = [_canonical_dim(x, d, "in_axes") for x, d in zip(leaves, dims)]
        size = _axis_size(leaves, dims, axis_size)
        flat_fun = tree_util.flatten_fun_output(lambda a, k: fun(*a, **k), in_tree)

        def out_dims_fn(n):
            spec = tree_util.tree_unflatten(flat_fun.out_tree(), [0] * n)
            return _flatten_axes("out_axes", spec, out_axes)

        outs = vmap_flat(flat_fun, leaves, dims, size, out_dims_fn)
        return tree_util.tree_unflatten(flat_fun.out_tree(), outs)

    return batched
