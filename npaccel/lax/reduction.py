"""Reductions: over whole axes (stablehlo.reduce), argmax/argmin, cumulative reductions
and windowed reductions (stablehlo.reduce_window), with their derivative rules.

Each primitive lowers to one stablehlo.reduce, reduce_window or select_and_scatter, except
argmax/argmin (an iota feeds the reduce) and linear_recurrence (the tangent of the
cumulative reductions, lowered to a parallel scan); their `# Note:` comments say why.

The scalar computation inside a reduce/reduce_window region is written with lax functions,
traced to a jaxpr and lowered into the region, so one mechanism serves the fixed monoids,
the argmax comparator and user computations given to `reduce` and `reduce_window`.
"""
from __future__ import annotations

import math
from functools import partial
from typing import Callable, Sequence

import numpy as np

from npaccel._runtime import hlo, ir
from npaccel.core import dtypes, tree_util
from npaccel.core.aval import ShapedArray
from npaccel.core.jaxpr import Jaxpr, eval_jaxpr
from npaccel.core.trace import Primitive, Tracer, get_aval
from npaccel.lax import elementwise as ew
from npaccel.lax._standard import canonical_axes
from npaccel.lax._standard import (ANY, BOOL, FLOAT, INEXACT, INT, NUM, ORDERED, as_operand,
                                   check_dtype, check_same_dtypes, is_python_scalar,
                                   standard_primitive)
from npaccel.lax.convert import convert_element_type
from npaccel.lax.slicing import slice_in_dim
from npaccel.lax.shape import (_i64_array, broadcast_in_dim, broadcasted_iota, concatenate, full,
                               full_like, pad, padtype_to_pads, reshape, rev, transpose)
from npaccel.transforms import ad, lowering
from npaccel.transforms.ad import Zero, defjvp_zero, is_undefined, transpose_rules
from npaccel.transforms.batching import batching_rules, bdim_at_front
from npaccel.transforms.staging import trace_to_closed_jaxpr

HLO_OPS: dict[str, str] = {}


def _ints(xs) -> tuple[int, ...]:
    return tuple(int(x) for x in xs)


def _scalar(dtype) -> ShapedArray:
    return ShapedArray((), dtype)


# --- identities of the monoids -------------------------------------------------------------

def _zero(dtype):
    return np.zeros((), dtype)


def _one(dtype):
    return np.ones((), dtype)


def _extreme(dtype, lowest: bool):
    """The least (or greatest) value of `dtype`: the identity of max (or min)."""
    dtype = np.dtype(dtype)
    if dtypes.is_bool(dtype):
        return np.asarray(not lowest)
    if dtypes.is_integer(dtype):
        info = np.iinfo(dtype)
        return np.asarray(info.min if lowest else info.max, dtype)
    inf = -np.inf if lowest else np.inf
    # Complex numbers order lexicographically (as in NumPy and stablehlo.maximum).
    return np.asarray(complex(inf, inf) if dtypes.is_complex(dtype) else inf, dtype)


_lowest = partial(_extreme, lowest=True)
_highest = partial(_extreme, lowest=False)


def _all_bits(dtype):
    return np.asarray(True) if dtypes.is_bool(dtype) else np.asarray(-1).astype(dtype)


# --- region bodies -------------------------------------------------------------------------

_BODY_CACHE: dict = {}


def _body(fn: Callable, *arg_dtypes) -> tuple[Jaxpr, tuple]:
    """The jaxpr of the scalar computation `fn(*scalars) -> scalar | tuple` (cached)."""
    key = (fn, tuple(np.dtype(d) for d in arg_dtypes))
    if key not in _BODY_CACHE:
        def flat(*xs):
            out = fn(*xs)
            return list(out) if isinstance(out, (tuple, list)) else [out]
        jaxpr, consts = trace_to_closed_jaxpr(flat, [_scalar(d) for d in arg_dtypes])
        _BODY_CACHE[key] = (jaxpr, tuple(consts))
    return _BODY_CACHE[key]


def _fill_region(region, body: tuple[Jaxpr, tuple], arg_avals) -> None:
    """Give `region` one block computing the body jaxpr; its constants are made inside the
    block, since reduction regions may not capture values from the enclosing function."""
    jaxpr, consts = body
    block = region.blocks.append(*[lowering.ir_type(a) for a in arg_avals])
    with ir.InsertionPoint(block):
        const_values = [lowering.ir_constant(c) for c in consts]
        hlo.ReturnOp(lowering.lower_jaxpr_body(jaxpr, [*const_values, *block.arguments]))


def _fill_body(region, fn: Callable, *arg_dtypes) -> None:
    """Fill `region` with the lax scalar computation `fn` over `arg_dtypes`."""
    _fill_region(region, _body(fn, *arg_dtypes), [_scalar(d) for d in arg_dtypes])


def _check_body(name: str, jaxpr: Jaxpr, init_avals) -> None:
    want = [(a.shape, a.dtype) for a in init_avals]
    got = [(a.shape, a.dtype) for a in jaxpr.out_avals]
    if got != want:
        raise TypeError(f"{name} computation must return values of the init_values' shapes "
                        f"and dtypes {want}, got {got}")


_COMPUTATION_CACHE: dict = {}


def _computation_jaxpr(name: str, computation: Callable, tree, dtypes_) -> tuple[Jaxpr, tuple]:
    """Trace a user's `computation(acc_tree, x_tree) -> tree` on scalars; constants it
    closes over become a tuple of NumPy arrays (a hashable parameter)."""
    avals = tuple(_scalar(d) for d in dtypes_)
    key = (computation, tree, avals)
    cached = _COMPUTATION_CACHE.get(key)
    if cached is not None:
        return cached
    k = len(avals)

    def flat(*args):
        out = computation(tree_util.tree_unflatten(tree, args[:k]),
                          tree_util.tree_unflatten(tree, args[k:]))
        leaves, out_tree = tree_util.tree_flatten(out)
        if out_tree != tree:
            raise TypeError(f"{name} computation must return the structure of its operands "
                            f"{tree}, got {out_tree}")
        return leaves

    jaxpr, consts = trace_to_closed_jaxpr(flat, avals * 2)
    if any(isinstance(c, Tracer) for c in consts):
        raise NotImplementedError(f"{name} computations cannot close over traced values; "
                                  "pass them as operands instead")
    result = (jaxpr, tuple(np.asarray(c) for c in consts))
    if not consts:  # closed-over arrays may change between calls: only cache pure bodies
        if len(_COMPUTATION_CACHE) > 512:
            _COMPUTATION_CACHE.clear()
        _COMPUTATION_CACHE[key] = result
    return result


def _ir_scalar(value, dtype) -> ir.Value:
    return lowering.ir_constant(np.asarray(value, dtype), dtype)


# --- axes ------------------------------------------------------------------------------------

def _canonical_axes(axes, ndim: int, name: str) -> tuple[int, ...]:
    axes = (axes,) if isinstance(axes, (int, np.integer)) else tuple(axes)
    out = canonical_axes(axes, ndim, name)
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: duplicate value in axes {axes}")
    return out


def _check_axes(name: str, axes, ndim: int) -> None:
    if len(set(axes)) != len(axes) or any(not 0 <= a < ndim for a in axes):
        raise ValueError(f"{name}: axes must be unique and in [0, {ndim}), got {axes}")


def _kept(ndim: int, axes) -> list[int]:
    return [i for i in range(ndim) if i not in axes]


def _batched_axes(axes, bdim: int) -> tuple[tuple[int, ...], int]:
    """Axes of the unbatched operand as axes of the batched one, and the output batch dim."""
    return tuple(a + (a >= bdim) for a in axes), bdim - sum(a < bdim for a in axes)


# --- reductions over axes: sum, prod, max, min, and, or, xor ----------------------------------

def _reduce_abstract_eval(name, accepted, x, *, axes):
    check_dtype(name, accepted, x)
    _check_axes(name, axes, x.ndim)
    return ShapedArray([d for i, d in enumerate(x.shape) if i not in axes], x.dtype, x.weak_type)


def _reduce_lower(combine, identity, ctx, x, *, axes):
    dtype = ctx.avals_in[0].dtype
    init = _ir_scalar(identity(dtype), dtype)
    op = hlo.ReduceOp([lowering.ir_type(ctx.avals_out[0])], [x], [init], _i64_array(axes))
    _fill_body(op.body, combine, dtype, dtype)
    return op.results[0]


def _reduce_batch(prim, axis_size, vals, dims, *, axes, **params):
    (x,), (d,) = vals, dims
    new_axes, out_dim = _batched_axes(axes, d)
    return prim.bind(x, axes=new_axes, **params), out_dim


# name: (accepted dtypes, combining lax function, identity)
_MONOIDS = {
    "sum": (NUM, ew.add, _zero),
    "prod": (NUM, ew.mul, _one),
    "max": (ANY, ew.max, _lowest),
    "min": (ANY, ew.min, _highest),
    "and": (BOOL | INT, ew.bitwise_and, _all_bits),
    "or": (BOOL | INT, ew.bitwise_or, _zero),
    "xor": (BOOL | INT, ew.bitwise_xor, _zero),
}
_REDUCE_PRIMITIVES: dict[str, Primitive] = {}
for _name, (_accepted, _combine, _identity) in _MONOIDS.items():
    _prim = standard_primitive(f"reduce_{_name}",
                               partial(_reduce_abstract_eval, f"reduce_{_name}", _accepted),
                               partial(_reduce_lower, _combine, _identity))
    batching_rules[_prim] = partial(_reduce_batch, _prim)
    _REDUCE_PRIMITIVES[_name] = _prim
    HLO_OPS[f"reduce_{_name}"] = "stablehlo.reduce"

reduce_sum_p = _REDUCE_PRIMITIVES["sum"]
reduce_prod_p = _REDUCE_PRIMITIVES["prod"]
reduce_max_p = _REDUCE_PRIMITIVES["max"]
reduce_min_p = _REDUCE_PRIMITIVES["min"]
reduce_and_p = _REDUCE_PRIMITIVES["and"]
reduce_or_p = _REDUCE_PRIMITIVES["or"]
reduce_xor_p = _REDUCE_PRIMITIVES["xor"]


def _public_reduction(prim: Primitive, doc: str):
    def f(operand, axes: Sequence[int]):
        operand = as_operand(operand)
        return prim.bind(operand, axes=_canonical_axes(axes, get_aval(operand).ndim, prim.name))
    f.__name__ = f.__qualname__ = prim.name
    f.__doc__ = doc
    return f


reduce_sum = _public_reduction(reduce_sum_p, "Sum over `axes` (stablehlo.reduce with add).")
reduce_prod = _public_reduction(reduce_prod_p, "Product over `axes` "
                                               "(stablehlo.reduce with multiply).")
reduce_max = _public_reduction(reduce_max_p, "Maximum over `axes`, propagating NaN "
                                             "(stablehlo.reduce with maximum).")
reduce_min = _public_reduction(reduce_min_p, "Minimum over `axes`, propagating NaN "
                                             "(stablehlo.reduce with minimum).")
reduce_and = _public_reduction(reduce_and_p, "Logical/bitwise AND over `axes` "
                                             "(stablehlo.reduce with and).")
reduce_or = _public_reduction(reduce_or_p, "Logical/bitwise OR over `axes` "
                                           "(stablehlo.reduce with or).")
reduce_xor = _public_reduction(reduce_xor_p, "Logical/bitwise XOR over `axes` "
                                             "(stablehlo.reduce with xor).")


def _reduce_sum_transpose(ct, x, *, axes):
    shape = x.aval.shape
    return [broadcast_in_dim(ct, shape, _kept(len(shape), axes))]


ad.deflinear(reduce_sum_p, _reduce_sum_transpose)


def _reduced_size(x, axes) -> int:
    return math.prod(get_aval(x).shape[a] for a in axes)


def _reduce_prod_jvp(primals, tangents, *, axes):
    (x,), (t,) = primals, tangents
    out = reduce_prod_p.bind(x, axes=axes)
    if type(t) is Zero:
        return out, Zero.like(out)
    # d prod = sum_i t_i * prod_{j != i} x_j, with the product of the others taken as
    # (product of the elements before i) * (product of those after i): no division, so
    # zeros in x are fine. The reduced axes are flattened into one trailing axis first.
    shape = get_aval(x).shape
    kept = _kept(len(shape), axes)
    flat_shape = [shape[k] for k in kept] + [_reduced_size(x, axes)]
    xs, ts = (reshape(transpose(v, kept + list(axes)), flat_shape) for v in (x, t))
    last = len(kept)
    before = _shift(cumprod(xs, last), last, reverse=False, fill=1)
    after = _shift(cumprod(xs, last, reverse=True), last, reverse=True, fill=1)
    return out, reduce_sum(ew.mul(ts, ew.mul(before, after)), (last,))


ad.jvp_rules[reduce_prod_p] = _reduce_prod_jvp


def _reduce_chooser_jvp(prim, primals, tangents, *, axes):
    # The tangent at the extremum; on ties, the mean of the tied tangents (as JAX does).
    (x,), (t,) = primals, tangents
    out = prim.bind(x, axes=axes)
    if type(t) is Zero or _reduced_size(x, axes) == 0:
        return out, Zero.like(out)
    shape = get_aval(x).shape
    out_again = broadcast_in_dim(out, shape, _kept(len(shape), axes))
    at_extremum = convert_element_type(ew.eq(x, out_again), get_aval(t).dtype)
    counts = reduce_sum(at_extremum, axes)
    return out, ew.div(reduce_sum(ew.mul(t, at_extremum), axes), counts)


ad.jvp_rules[reduce_max_p] = partial(_reduce_chooser_jvp, reduce_max_p)
ad.jvp_rules[reduce_min_p] = partial(_reduce_chooser_jvp, reduce_min_p)
for _prim in (reduce_and_p, reduce_or_p, reduce_xor_p):
    defjvp_zero(_prim)


# --- generic reduce --------------------------------------------------------------------------

def _split_operands_inits(avals):
    n = len(avals) // 2
    return avals[:n], avals[n:]


def _check_variadic(name, operands, inits, jaxpr):
    if not operands or len(operands) != len(inits):
        raise TypeError(f"{name} needs one init value per operand, got {len(operands)} "
                        f"operands and {len(inits)} init values")
    if len({a.shape for a in operands}) > 1:
        raise TypeError(f"{name} operands must have the same shape, got "
                        f"{[a.shape for a in operands]}")
    for op, init in zip(operands, inits):
        if init.shape != ():
            raise TypeError(f"{name} init values must be scalars, got shape {init.shape}")
        if op.dtype != init.dtype:
            raise TypeError(f"{name} operand dtype {op.dtype} does not match its init value "
                            f"dtype {init.dtype}")
    _check_body(name, jaxpr, inits)


def _generic_reduce_abstract_eval(*avals, jaxpr, consts, dimensions):
    operands, inits = _split_operands_inits(avals)
    _check_variadic("reduce", operands, inits, jaxpr)
    _check_axes("reduce", dimensions, operands[0].ndim)
    shape = [d for i, d in enumerate(operands[0].shape) if i not in dimensions]
    return [ShapedArray(shape, a.dtype) for a in operands]


def _generic_reduce_lower(ctx, *values, jaxpr, consts, dimensions):
    operands, inits = _split_operands_inits(values)
    op = hlo.ReduceOp([lowering.ir_type(a) for a in ctx.avals_out], operands, inits,
                      _i64_array(dimensions))
    _fill_region(op.body, (jaxpr, consts), [_scalar(a.dtype) for a in ctx.avals_out] * 2)
    return list(op.results)


def _check_unbatched_inits(name, dims):
    if any(d is not None for d in dims[len(dims) // 2:]):
        raise NotImplementedError(f"vmap of {name} over its init values is not supported: "
                                  "init values must be the same for the whole batch")


_JVP_BODIES: dict = {}


def _bounds(sizes):
    """(start, stop) of consecutive segments of the given sizes."""
    stops = np.cumsum(sizes).tolist()
    return list(zip([0] + stops[:-1], stops))


def _jvp_body(jaxpr: Jaxpr, n_consts: int, inexact: tuple[bool, ...]) -> Jaxpr:
    """The region body of the doubled reduction that carries tangents: over (accs, acc
    tangents, xs, x tangents) it computes (outs, out tangents), the jvp of `jaxpr` (a body
    over (consts, accs, xs)). Only inexact operands have tangents."""
    key = (jaxpr, inexact)
    if key not in _JVP_BODIES:
        n, k = len(inexact), sum(inexact)
        nonzeros = [False] * n_consts + list(inexact) * 2
        jvp, out_nonzeros = ad.jvp_jaxpr(jaxpr, nonzeros, list(inexact))
        if out_nonzeros != list(inexact):
            raise TypeError("reduction computations must map inexact operands to inexact results")
        consts_avals = jaxpr.in_avals[:n_consts]
        accs = jaxpr.in_avals[n_consts:n_consts + n]
        tangent_avals = [a for a, d in zip(accs, inexact) if d]

        def body(*args):  # the region's order -> the order of the jvp jaxpr
            args = list(args)
            c, acc, acc_t, x, x_t = (args[i:j] for i, j in _bounds([n_consts, n, k, n, k]))
            return eval_jaxpr(jvp, (), *c, *acc, *x, *acc_t, *x_t)

        _JVP_BODIES[key], consts = trace_to_closed_jaxpr(
            body, [*consts_avals, *accs, *tangent_avals, *accs, *tangent_avals])
        assert not consts
    return _JVP_BODIES[key]


def _generic_jvp(prim, primals, tangents, *, jaxpr, consts, **params):
    # Forward mode only: the tangents ride along in the same reduction, as extra operands
    # whose body is the jvp of the computation. Init values are taken as constants (they are
    # the computation's identity). The primal result comes from its own reduction, so that
    # linearize finds it known.
    operands, inits = _split_operands_inits(primals)
    n = len(operands)
    outs = prim.bind(*primals, jaxpr=jaxpr, consts=consts, **params)
    inexact = tuple(dtypes.is_inexact(get_aval(x).dtype) for x in operands)
    if all(type(t) is Zero for t in tangents[:n]):
        return outs, [Zero.like(o) for o in outs]
    op_tangents = [ad.instantiate(t) for t, d in zip(tangents[:n], inexact) if d]
    tangent_inits = [np.zeros((), get_aval(x).dtype) for x, d in zip(operands, inexact) if d]
    doubled = prim.bind(*operands, *op_tangents, *inits, *tangent_inits,
                        jaxpr=_jvp_body(jaxpr, len(consts), inexact), consts=consts, **params)
    out_tangents = iter(doubled[n:])
    return outs, [next(out_tangents) if d else Zero.like(o) for o, d in zip(outs, inexact)]


def _generic_reduce_batch(axis_size, vals, dims, *, jaxpr, consts, dimensions):
    _check_unbatched_inits("reduce", dims)
    operands, inits = _split_operands_inits(vals)
    operands = [bdim_at_front(x, d, axis_size) for x, d in zip(operands, dims)]
    outs = reduce_p.bind(*operands, *inits, jaxpr=jaxpr, consts=consts,
                         dimensions=tuple(d + 1 for d in dimensions))
    return outs, [0] * len(outs)


reduce_p = standard_primitive("reduce", _generic_reduce_abstract_eval, _generic_reduce_lower,
                              multiple_results=True)
batching_rules[reduce_p] = _generic_reduce_batch
ad.jvp_rules[reduce_p] = partial(_generic_jvp, reduce_p)
HLO_OPS["reduce"] = "stablehlo.reduce"

# Computations recognised as monoids, by identity of the lax function.
_MONOID_FUNCTIONS = [(ew.add, "sum"), (ew.mul, "prod"), (ew.max, "max"), (ew.min, "min"),
                     (ew.bitwise_and, "and"), (ew.bitwise_or, "or"), (ew.bitwise_xor, "xor")]


def _as_init(value, dtype):
    """An init value as an operand; Python scalars take the operand's dtype."""
    value = as_operand(value)
    return np.asarray(value, dtype) if is_python_scalar(value) else value


def _monoid(computation, operands, inits, allowed) -> str | None:
    """The monoid name when `computation` is a lax monoid given its identity as init."""
    name = next((n for f, n in _MONOID_FUNCTIONS if f is computation), None)
    if name not in allowed or len(operands) != 1 or isinstance(inits[0], Tracer):
        return None
    dtype = get_aval(operands[0]).dtype
    init = np.asarray(inits[0])
    if init.shape != () or init.dtype != dtype:
        return None
    return name if bool(init == _MONOIDS[name][2](dtype)) else None


def _flatten_variadic(name, operands, init_values):
    flat_ops, tree = tree_util.tree_flatten(operands)
    flat_inits, init_tree = tree_util.tree_flatten(init_values)
    if tree != init_tree:
        raise TypeError(f"{name}: operands and init_values must have the same structure, got "
                        f"{tree} and {init_tree}")
    flat_ops = [as_operand(x) for x in flat_ops]
    flat_inits = [_as_init(v, get_aval(x).dtype) for v, x in zip(flat_inits, flat_ops)]
    return flat_ops, flat_inits, tree


def reduce(operands, init_values, computation: Callable, dimensions: Sequence[int]):
    """Reduce `operands` (an array or a pytree of arrays of one shape) over `dimensions`
    with `computation(acc, x)`, starting from `init_values` (stablehlo.reduce).

    A lax monoid (add, mul, max, min, bitwise_and/or/xor) with its identity as init becomes
    the matching reduce_* primitive (differentiable); anything else is traced into the
    reduce region (`init_values` and `computation` must form a monoid)."""
    flat_ops, flat_inits, tree = _flatten_variadic("reduce", operands, init_values)
    dims = _canonical_axes(dimensions, get_aval(flat_ops[0]).ndim, "reduce")
    monoid = _monoid(computation, flat_ops, flat_inits, _MONOIDS)
    if monoid is not None:
        out = _REDUCE_PRIMITIVES[monoid].bind(flat_ops[0], axes=dims)
        return tree_util.tree_unflatten(tree, [out])
    jaxpr, consts = _computation_jaxpr("reduce", computation, tree,
                                       [get_aval(x).dtype for x in flat_ops])
    outs = reduce_p.bind(*flat_ops, *flat_inits, jaxpr=jaxpr, consts=consts, dimensions=dims)
    return tree_util.tree_unflatten(tree, outs)


# --- argmax / argmin ---------------------------------------------------------------------------

def _beats(name, a, b):
    """a is strictly preferred to b: greater (argmax) or less (argmin); NaN beats numbers."""
    order = ew.gt(a, b) if name == "argmax" else ew.lt(a, b)
    if not dtypes.is_inexact(get_aval(a).dtype):
        return order
    return ew.bitwise_or(order, ew.bitwise_and(ew.ne(a, a), ew.eq(b, b)))


def _arg_body(name, a, ia, b, ib):
    # Commutative: on a tie the smaller index wins, so the first occurrence comes out
    # whatever order the reduction combines elements in (NumPy's semantics).
    pick_a = ew.bitwise_or(_beats(name, a, b),
                           ew.bitwise_and(ew.bitwise_not(_beats(name, b, a)), ew.lt(ia, ib)))
    return ew.select(pick_a, a, b), ew.select(pick_a, ia, ib)


_ARG_BODIES = {"argmax": partial(_arg_body, "argmax"), "argmin": partial(_arg_body, "argmin")}


def _arg_abstract_eval(name, x, *, axes, index_dtype):
    check_dtype(name, ORDERED, x)
    _check_axes(name, axes, x.ndim)
    if len(axes) != 1:
        raise ValueError(f"{name} reduces exactly one axis, got axes {axes}")
    if not dtypes.is_integer(index_dtype):
        raise TypeError(f"{name} index_dtype must be an integer type, got {index_dtype}")
    if x.shape[axes[0]] == 0:
        raise ValueError(f"attempt to get {name} of an empty sequence")
    return ShapedArray([d for i, d in enumerate(x.shape) if i not in axes], index_dtype)


def _arg_lower(name, ctx, x, *, axes, index_dtype):
    # Note: two ops, not one: the indices come from a stablehlo.iota that feeds the
    # variadic stablehlo.reduce over (value, index) pairs; StableHLO has no argmax op.
    aval = ctx.avals_in[0]
    identity = _lowest(aval.dtype) if name == "argmax" else _highest(aval.dtype)
    index_aval = ShapedArray(aval.shape, index_dtype)
    iota = hlo.IotaOp(lowering.ir_type(index_aval),
                      ir.IntegerAttr.get(ir.IntegerType.get_signless(64), axes[0])).result
    out_types = [lowering.ir_type(ctx.avals_out[0].update(dtype=aval.dtype)),
                 lowering.ir_type(ctx.avals_out[0])]
    inits = [_ir_scalar(identity, aval.dtype), _ir_scalar(0, index_dtype)]
    op = hlo.ReduceOp(out_types, [x, iota], inits, _i64_array(axes))
    _fill_body(op.body, _ARG_BODIES[name], *[aval.dtype, index_dtype] * 2)
    return op.results[1]


argmax_p = standard_primitive("argmax", partial(_arg_abstract_eval, "argmax"),
                              partial(_arg_lower, "argmax"))
argmin_p = standard_primitive("argmin", partial(_arg_abstract_eval, "argmin"),
                              partial(_arg_lower, "argmin"))
for _prim in (argmax_p, argmin_p):
    defjvp_zero(_prim)
    batching_rules[_prim] = partial(_reduce_batch, _prim)
    HLO_OPS[_prim.name] = "stablehlo.iota + stablehlo.reduce"


def argmax(operand, axis: int, index_dtype):
    """Index of the first maximum along `axis`; NaN counts as the maximum, as in np.argmax
    (stablehlo.reduce over (operand, iota))."""
    operand = as_operand(operand)
    axes = _canonical_axes((axis,), get_aval(operand).ndim, "argmax")
    return argmax_p.bind(operand, axes=axes, index_dtype=dtypes.check_supported(index_dtype))


def argmin(operand, axis: int, index_dtype):
    """Index of the first minimum along `axis`; NaN counts as the minimum, as in np.argmin
    (stablehlo.reduce over (operand, iota))."""
    operand = as_operand(operand)
    axes = _canonical_axes((axis,), get_aval(operand).ndim, "argmin")
    return argmin_p.bind(operand, axes=axes, index_dtype=dtypes.check_supported(index_dtype))


# --- windows: shapes, padding and the reduce_window op --------------------------------------

_WINDOW_PARAMS = ("window_dimensions", "window_strides", "padding", "base_dilation",
                  "window_dilation")


def _dilate(size: int, dilation: int) -> int:
    return (size - 1) * dilation + 1 if size else 0


def _window_out_shape(name, shape, *, window_dimensions, window_strides, padding, base_dilation,
                      window_dilation) -> tuple[int, ...]:
    nd = len(shape)
    for pname, value in zip(_WINDOW_PARAMS, (window_dimensions, window_strides, padding,
                                             base_dilation, window_dilation)):
        if len(value) != nd:
            raise ValueError(f"{name}: {pname} must have one entry per operand dimension "
                             f"({nd}), got {value}")
    for pname, value in zip(_WINDOW_PARAMS, (window_dimensions, window_strides, padding,
                                             base_dilation, window_dilation)):
        if pname != "padding" and any(v < 1 for v in value):
            raise ValueError(f"{name}: {pname} must be positive, got {value}")
    out = []
    for n, w, s, (lo, hi), b, d in zip(shape, window_dimensions, window_strides, padding,
                                       base_dilation, window_dilation):
        padded, window = lo + hi + _dilate(n, b), _dilate(w, d)
        if padded < 0:
            raise ValueError(f"{name}: padding {padding} crops more than the operand shape {shape}")
        # As XLA: no output where the (dilated) window is larger than the padded operand.
        out.append((padded - window) // s + 1 if padded >= window else 0)
    return tuple(out)


def _window_params(shape, window_dimensions, window_strides, padding, base_dilation,
                   window_dilation) -> dict:
    nd = len(shape)
    ones = (1,) * nd
    window_dimensions = _ints(window_dimensions)
    strides = ones if window_strides is None else _ints(window_strides)
    base = ones if base_dilation is None else _ints(base_dilation)
    dilation = ones if window_dilation is None else _ints(window_dilation)
    if isinstance(padding, str):
        padding = padtype_to_pads([_dilate(n, b) for n, b in zip(shape, base)],
                                  [_dilate(w, d) for w, d in zip(window_dimensions, dilation)],
                                  strides, padding)
    padding = tuple((int(lo), int(hi)) for lo, hi in padding)
    return dict(window_dimensions=window_dimensions, window_strides=strides, padding=padding,
                base_dilation=base, window_dilation=dilation)


def _unit_window(nd: int) -> dict:
    ones = (1,) * nd
    return dict(window_dimensions=ones, window_strides=ones, padding=((0, 0),) * nd,
                base_dilation=ones, window_dilation=ones)


def _window_with_batch_dim(window: dict, bdim: int) -> dict:
    """The window params of the batched operand: a unit window along the batch axis."""
    unit = {"window_dimensions": 1, "window_strides": 1, "padding": (0, 0),
            "base_dilation": 1, "window_dilation": 1}
    return {k: (*v[:bdim], unit[k], *v[bdim:]) for k, v in window.items()}


def _padding_attr(padding) -> ir.Attribute:
    values = np.asarray(padding, np.int64).reshape(len(padding), 2)
    return ir.DenseIntElementsAttr.get(values, type=ir.IntegerType.get_signless(64))


def _unscan(shape, window_dimensions, padding, window_strides, base_dilation, window_dilation):
    """Scan-shaped windows (the whole axis, padded on one side by its length or one less)
    grown by one padded element: the same values when the init value is the identity, but a
    shape that XLA's scan rewriter leaves alone."""
    sizes, pads = list(window_dimensions), list(padding)
    for d, (n, w, (lo, hi), s, b, wd) in enumerate(zip(shape, window_dimensions, padding,
                                                       window_strides, base_dilation,
                                                       window_dilation)):
        if w == n > 1 and s == b == wd == 1 and {lo, hi} & {n - 1, n} and 0 in (lo, hi):
            sizes[d] = n + 1
            pads[d] = (lo + 1, hi) if hi == 0 else (lo, hi + 1)
    return tuple(sizes), tuple(pads)


def _reduce_window_op(in_shape, out_avals, operands, inits, body, *, window_dimensions,
                      window_strides, padding, base_dilation, window_dilation) -> list:
    """One stablehlo.reduce_window over operands of `in_shape`; `body` is a (jaxpr, consts)
    over (accs..., xs...)."""
    if len(operands) > 1:
        # Note: XLA's CPU compiler rewrites scan-shaped reduce_windows into a blocked scan,
        # which aborts the process (std::bad_alloc) for variadic ones longer than a few
        # hundred elements (jaxlib 0.10.2). Variadic scans are therefore evaluated window by
        # window: correct, but quadratic in the axis length.
        window_dimensions, padding = _unscan(in_shape, window_dimensions, padding,
                                             window_strides, base_dilation, window_dilation)
    op = hlo.ReduceWindowOp([lowering.ir_type(a) for a in out_avals], operands, inits,
                            _i64_array(window_dimensions),
                            window_strides=_i64_array(window_strides),
                            base_dilations=_i64_array(base_dilation),
                            window_dilations=_i64_array(window_dilation),
                            padding=_padding_attr(padding))
    _fill_region(op.body, body, [_scalar(a.dtype) for a in out_avals] * 2)
    return list(op.results)


# --- reduce_window_sum / _max / _min --------------------------------------------------------------

def _reduce_window_abstract_eval(name, accepted, x, **window):
    check_dtype(name, accepted, x)
    return ShapedArray(_window_out_shape(name, x.shape, **window), x.dtype, x.weak_type)


def _reduce_window_lower(combine, identity, ctx, x, **window):
    dtype = ctx.avals_in[0].dtype
    return _reduce_window_op(ctx.avals_in[0].shape, ctx.avals_out,
                             [x], [_ir_scalar(identity(dtype), dtype)],
                             _body(combine, dtype, dtype), **window)[0]


def _reduce_window_batch(prim, axis_size, vals, dims, **window):
    (x,), (d,) = vals, dims
    return prim.bind(x, **_window_with_batch_dim(window, d)), d


_WINDOW_MONOIDS = {"sum": NUM, "max": ORDERED, "min": ORDERED}
_WINDOW_PRIMITIVES: dict[str, Primitive] = {}
for _name, _accepted in _WINDOW_MONOIDS.items():
    _, _combine, _identity = _MONOIDS[_name]
    _prim = standard_primitive(f"reduce_window_{_name}",
                               partial(_reduce_window_abstract_eval, f"reduce_window_{_name}",
                                       _accepted),
                               partial(_reduce_window_lower, _combine, _identity))
    batching_rules[_prim] = partial(_reduce_window_batch, _prim)
    _WINDOW_PRIMITIVES[_name] = _prim
    HLO_OPS[_prim.name] = "stablehlo.reduce_window"

reduce_window_sum_p = _WINDOW_PRIMITIVES["sum"]
reduce_window_max_p = _WINDOW_PRIMITIVES["max"]
reduce_window_min_p = _WINDOW_PRIMITIVES["min"]


def _reduce_window_sum(x, window_dimensions, window_strides, padding, base_dilation=None,
                       window_dilation=None):
    window = _window_params(get_aval(x).shape, window_dimensions, window_strides, padding,
                            base_dilation, window_dilation)
    return reduce_window_sum_p.bind(x, **window)


def _reduce_window_sum_transpose(ct, x, *, window_dimensions, window_strides, padding,
                                 base_dilation, window_dilation):
    # Each input element receives the cotangents of the windows that cover it. Spread ct
    # out by the strides (interior padding), pad it so that window k of the result covers
    # exactly the outputs whose windows held input k, and sum windows again: the window
    # steps by the base dilation (the all-ones window needs no flipping).
    in_shape, out_shape = x.aval.shape, get_aval(ct).shape
    if math.prod(in_shape) == 0 or math.prod(out_shape) == 0:
        return [full(in_shape, 0, get_aval(ct).dtype)]
    config = []
    for n, m, w, s, (lo, _), b, d in zip(in_shape, out_shape, window_dimensions, window_strides,
                                         padding, base_dilation, window_dilation):
        before = (w - 1) * d - lo
        total = _dilate(n, b) + (w - 1) * d
        config.append((before, total - before - _dilate(m, s), s - 1))
    spread = pad(ct, np.zeros((), get_aval(ct).dtype), config)
    nd = len(in_shape)
    return [_reduce_window_sum(spread, window_dimensions, base_dilation, ((0, 0),) * nd,
                               window_dilation=window_dilation)]


ad.deflinear(reduce_window_sum_p, _reduce_window_sum_transpose)


def _shift(x, axis: int, reverse: bool, fill=None):
    """x moved one step along `axis`: x[i-1] at i (x[i+1] with reverse); the vacated end
    holds `fill` (zero if None). One unit reduce_window_sum with padding (1, -1) does the
    move: a linear op with a transpose, usable on tangents."""
    shape = get_aval(x).shape
    if shape[axis] == 0:
        return x
    window = _unit_window(len(shape))
    padding = list(window["padding"])
    padding[axis] = (-1, 1) if reverse else (1, -1)
    out = reduce_window_sum_p.bind(x, **{**window, "padding": tuple(padding)})
    if fill is None:
        return out
    return ew.select(_end_mask(shape, axis, reverse), full_like(out, fill), out)


def _end_mask(shape, axis: int, reverse: bool):
    """True at the start of `axis` (its end with reverse): where a scan begins."""
    return ew.eq(broadcasted_iota(np.int32, shape, axis), shape[axis] - 1 if reverse else 0)


# --- select_and_gather_add / select_and_scatter_add: the derivatives of max/min windows ---------

def _keeps_first(select: str, a, b):
    """Between operand values a (seen first) and b, a is kept: a >= b for max (a <= b for
    min), or a is NaN. So the first extremum of a window wins, and NaN wins as in max."""
    order = ew.ge(a, b) if select == "max" else ew.le(a, b)
    return ew.bitwise_or(order, ew.ne(a, a))


def _gather_body(select, xa, ta, xb, tb):
    keep = _keeps_first(select, xa, xb)
    return ew.select(keep, xa, xb), ew.select(keep, ta, tb)


_KEEPS_FIRST = {s: partial(_keeps_first, s) for s in ("max", "min")}
_GATHER_BODIES = {s: partial(_gather_body, s) for s in ("max", "min")}


def _select_identity(select, dtype):
    return _lowest(dtype) if select == "max" else _highest(dtype)


def _select_and_gather_add_abstract_eval(t, x, *, select, **window):
    if t.shape != x.shape:
        raise TypeError(f"select_and_gather_add tangent shape {t.shape} != operand shape {x.shape}")
    return ShapedArray(_window_out_shape("select_and_gather_add", x.shape, **window), t.dtype)


def _select_and_gather_add_lower(ctx, t, x, *, select, **window):
    # One variadic reduce_window over (operand, tangent) pairs keeps the pair of the
    # window's extremum: the tangent of reduce_window_max/min.
    (t_dtype, x_dtype), out = [a.dtype for a in ctx.avals_in], ctx.avals_out[0]
    inits = [_ir_scalar(_select_identity(select, x_dtype), x_dtype), _ir_scalar(0, t_dtype)]
    body = _body(_GATHER_BODIES[select], x_dtype, t_dtype, x_dtype, t_dtype)
    return _reduce_window_op(ctx.avals_in[1].shape, [out.update(dtype=x_dtype), out], [x, t],
                             inits, body, **window)[1]


def _jvp_linear_in_first(prim, primals, tangents, **params):
    """Linear in the first operand, piecewise constant in the second (the operand whose
    extremum is selected)."""
    (v, x), (v_dot, _) = primals, tangents
    out = prim.bind(v, x, **params)
    return out, (Zero.like(out) if type(v_dot) is Zero else prim.bind(v_dot, x, **params))


def _select_and_gather_add_transpose(ct, t, x, *, select, window_dimensions, window_strides,
                                     padding, base_dilation, window_dilation):
    if is_undefined(x):
        raise ValueError("select_and_gather_add is not linear in its operand")
    if any(d != 1 for d in window_dilation):
        raise NotImplementedError(f"reverse-mode differentiation of max/min windows with window "
                                  f"dilation is not supported (window_dilation={window_dilation})")
    if any(lo < 0 or hi < 0 for lo, hi in padding):
        raise NotImplementedError(f"reverse-mode differentiation of max/min windows with negative "
                                  f"padding is not supported (padding={padding})")
    x_aval = get_aval(x)
    dilated = any(b != 1 for b in base_dilation)
    if dilated:  # select among the dilated operand, whose holes never win
        x = pad(x, _select_identity(select, x_aval.dtype), [(0, 0, b - 1) for b in base_dilation])
    ct_x = select_and_scatter_add_p.bind(ct, x, select=select, window_dimensions=window_dimensions,
                                         window_strides=window_strides, padding=padding)
    if dilated:  # back to the undilated elements: a strided unit window picks them out
        nd = x_aval.ndim
        ct_x = _reduce_window_sum(ct_x, (1,) * nd, base_dilation, ((0, 0),) * nd)
    return [ct_x, None]


def _select_window_batch(prim, axis_size, vals, dims, **params):
    vals = [bdim_at_front(v, d, axis_size) for v, d in zip(vals, dims)]
    window = {k: v for k, v in params.items() if k in _WINDOW_PARAMS}
    return prim.bind(*vals, **{**params, **_window_with_batch_dim(window, 0)}), 0


select_and_gather_add_p = standard_primitive("select_and_gather_add",
                                             _select_and_gather_add_abstract_eval,
                                             _select_and_gather_add_lower)
ad.jvp_rules[select_and_gather_add_p] = partial(_jvp_linear_in_first, select_and_gather_add_p)
transpose_rules[select_and_gather_add_p] = _select_and_gather_add_transpose
batching_rules[select_and_gather_add_p] = partial(_select_window_batch, select_and_gather_add_p)
HLO_OPS["select_and_gather_add"] = "stablehlo.reduce_window"


def _select_and_scatter_add_abstract_eval(source, x, *, select, window_dimensions,
                                          window_strides, padding):
    nd = x.ndim
    out = _window_out_shape("select_and_scatter_add", x.shape, window_dimensions=window_dimensions,
                            window_strides=window_strides, padding=padding,
                            base_dilation=(1,) * nd, window_dilation=(1,) * nd)
    if source.shape != out:
        raise TypeError(f"select_and_scatter_add source shape {source.shape} does not match "
                        f"the window output shape {out}")
    return ShapedArray(x.shape, source.dtype)


def _select_and_scatter_add_lower(ctx, source, x, *, select, window_dimensions, window_strides,
                                  padding):
    s_dtype, x_dtype = [a.dtype for a in ctx.avals_in]
    op = hlo.SelectAndScatterOp(lowering.ir_type(ctx.avals_out[0]), x, source,
                                _ir_scalar(0, s_dtype),
                                window_dimensions=_i64_array(window_dimensions),
                                window_strides=_i64_array(window_strides),
                                padding=_padding_attr(padding))
    _fill_body(op.select, _KEEPS_FIRST[select], x_dtype, x_dtype)
    _fill_body(op.scatter, ew.add, s_dtype, s_dtype)
    return op.result


def _select_and_scatter_add_transpose(ct, source, x, *, select, window_dimensions,
                                      window_strides, padding):
    if is_undefined(x):
        raise ValueError("select_and_scatter_add is not linear in its operand")
    nd = len(window_dimensions)
    return [select_and_gather_add_p.bind(ct, x, select=select, window_dimensions=window_dimensions,
                                         window_strides=window_strides, padding=padding,
                                         base_dilation=(1,) * nd, window_dilation=(1,) * nd), None]


select_and_scatter_add_p = standard_primitive("select_and_scatter_add",
                                              _select_and_scatter_add_abstract_eval,
                                              _select_and_scatter_add_lower)
ad.jvp_rules[select_and_scatter_add_p] = partial(_jvp_linear_in_first, select_and_scatter_add_p)
transpose_rules[select_and_scatter_add_p] = _select_and_scatter_add_transpose
batching_rules[select_and_scatter_add_p] = partial(_select_window_batch, select_and_scatter_add_p)
HLO_OPS["select_and_scatter_add"] = "stablehlo.select_and_scatter"


def _reduce_window_chooser_jvp(prim, select, primals, tangents, **window):
    # The tangent of each window's extremum; on ties, of the first one in the window (which
    # is where select_and_scatter_add, the transpose, sends the cotangent).
    (x,), (t,) = primals, tangents
    out = prim.bind(x, **window)
    if type(t) is Zero:
        return out, Zero.like(out)
    return out, select_and_gather_add_p.bind(t, x, select=select, **window)


ad.jvp_rules[reduce_window_max_p] = partial(_reduce_window_chooser_jvp, reduce_window_max_p, "max")
ad.jvp_rules[reduce_window_min_p] = partial(_reduce_window_chooser_jvp, reduce_window_min_p, "min")


# --- generic reduce_window --------------------------------------------------------------------

def _generic_reduce_window_abstract_eval(*avals, jaxpr, consts, **window):
    operands, inits = _split_operands_inits(avals)
    _check_variadic("reduce_window", operands, inits, jaxpr)
    shape = _window_out_shape("reduce_window", operands[0].shape, **window)
    return [ShapedArray(shape, a.dtype) for a in operands]


def _generic_reduce_window_lower(ctx, *values, jaxpr, consts, **window):
    operands, inits = _split_operands_inits(values)
    return _reduce_window_op(ctx.avals_in[0].shape, ctx.avals_out, operands, inits,
                             (jaxpr, consts), **window)


def _generic_reduce_window_batch(axis_size, vals, dims, *, jaxpr, consts, **window):
    _check_unbatched_inits("reduce_window", dims)
    operands, inits = _split_operands_inits(vals)
    operands = [bdim_at_front(x, d, axis_size) for x, d in zip(operands, dims)]
    outs = reduce_window_p.bind(*operands, *inits, jaxpr=jaxpr, consts=consts,
                                **_window_with_batch_dim(window, 0))
    return outs, [0] * len(outs)


reduce_window_p = standard_primitive("reduce_window", _generic_reduce_window_abstract_eval,
                                     _generic_reduce_window_lower, multiple_results=True)
batching_rules[reduce_window_p] = _generic_reduce_window_batch
ad.jvp_rules[reduce_window_p] = partial(_generic_jvp, reduce_window_p)
HLO_OPS["reduce_window"] = "stablehlo.reduce_window"


def reduce_window(operand, init_value, computation: Callable, window_dimensions: Sequence[int],
                  window_strides: Sequence[int] | None = None, padding="VALID",
                  base_dilation: Sequence[int] | None = None,
                  window_dilation: Sequence[int] | None = None):
    """Reduce each window of `operand` (an array or a pytree of same-shaped arrays) with
    `computation`, starting from `init_value` (stablehlo.reduce_window).

    `padding` is a sequence of (low, high) pairs (negative crops) or 'VALID', 'SAME',
    'SAME_LOWER'; padded and base-dilation holes hold the init value. lax.add, lax.max and
    lax.min with their identity as init become reduce_window_sum/max/min (differentiable);
    other computations are traced into the region."""
    flat_ops, flat_inits, tree = _flatten_variadic("reduce_window", operand, init_value)
    window = _window_params(get_aval(flat_ops[0]).shape, window_dimensions, window_strides,
                            padding, base_dilation, window_dilation)
    monoid = _monoid(computation, flat_ops, flat_inits, _WINDOW_MONOIDS)
    if monoid is not None:
        out = _WINDOW_PRIMITIVES[monoid].bind(flat_ops[0], **window)
        return tree_util.tree_unflatten(tree, [out])
    jaxpr, consts = _computation_jaxpr("reduce_window", computation, tree,
                                       [get_aval(x).dtype for x in flat_ops])
    outs = reduce_window_p.bind(*flat_ops, *flat_inits, jaxpr=jaxpr, consts=consts, **window)
    return tree_util.tree_unflatten(tree, outs)


# --- cumulative reductions ---------------------------------------------------------------------

def _cumulative_window(shape, axis: int, reverse: bool) -> dict:
    """The reduce_window whose window at i covers [0, i] of `axis` ([i, n) with reverse)."""
    n = shape[axis]
    window = _unit_window(len(shape))
    sizes, padding = list(window["window_dimensions"]), list(window["padding"])
    sizes[axis] = max(n, 1)
    padding[axis] = (0, max(n - 1, 0)) if reverse else (max(n - 1, 0), 0)
    return {**window, "window_dimensions": tuple(sizes), "padding": tuple(padding)}


def _cumulative_abstract_eval(name, accepted, x, *, axis, reverse):
    check_dtype(name, accepted, x)
    if not 0 <= axis < x.ndim:
        raise ValueError(f"{name}: axis {axis} is out of bounds for an array of rank {x.ndim}")
    return x


def _cumulative_lower(combine, identity, ctx, x, *, axis, reverse):
    aval = ctx.avals_in[0]
    return _reduce_window_op(aval.shape, ctx.avals_out, [x],
                             [_ir_scalar(identity(aval.dtype), aval.dtype)],
                             _body(combine, aval.dtype, aval.dtype),
                             **_cumulative_window(aval.shape, axis, reverse))[0]


def _cumulative_batch(prim, axis_size, vals, dims, *, axis, reverse):
    (x,), (d,) = vals, dims
    return prim.bind(x, axis=axis + (axis >= d), reverse=reverse), d


def _cumulative_jvp(prim, tangent_fn, primals, tangents, *, axis, reverse):
    (x,), (t,) = primals, tangents
    y = prim.bind(x, axis=axis, reverse=reverse)
    if type(t) is Zero:
        return y, Zero.like(y)
    return y, tangent_fn(x, y, t, axis, reverse)


def _logaddexp(a, b):
    """log(exp(a) + exp(b)) without overflow; where a - b is NaN (equal infinities or a
    NaN) a + b gives the right answer."""
    diff = ew.sub(a, b)
    stable = ew.add(ew.max(a, b), ew.log1p(ew.exp(ew.neg(ew.abs(diff)))))
    return ew.select(ew.ne(diff, diff), ew.add(a, b), stable)


# The tangents of cumprod, cummax/cummin and cumlogsumexp are first-order linear
# recurrences dy_i = a_i * dy_{i-1} + b_i, with a and b from the primal and b linear in
# the input tangent (see linear_recurrence_p below).

def _cumprod_tangent(x, y, t, axis, reverse):
    # y_i = y_{i-1} * x_i, so dy_i = x_i * dy_{i-1} + y_{i-1} * t_i (exact with zeros).
    return _linear_recurrence(x, ew.mul(t, _shift(y, axis, reverse, fill=1)), axis, reverse)


def _cumchooser_tangent(better, x, y, t, axis, reverse):
    # dy_i = t_i where x_i is a new strict extremum (the first of ties keeps its tangent),
    # else dy_{i-1}.
    start = _end_mask(get_aval(x).shape, axis, reverse)
    new = ew.bitwise_or(start, better(x, _shift(y, axis, reverse)))
    zeros = full_like(t, 0)
    keep = ew.select(new, zeros, full_like(t, 1))
    return _linear_recurrence(keep, ew.select(new, t, zeros), axis, reverse)


def _cumlogsumexp_tangent(x, y, t, axis, reverse):
    # dy_i = sum_{j<=i} exp(x_j - y_i) t_j = exp(y_{i-1} - y_i) dy_{i-1} + exp(x_i - y_i) t_i,
    # whose factors are at most 1: no overflow.
    decay = ew.exp(ew.sub(_shift(y, axis, reverse, fill=-np.inf), y))
    return _linear_recurrence(decay, ew.mul(t, ew.exp(ew.sub(x, y))), axis, reverse)


def _cumsum_transpose(ct, x, *, axis, reverse):
    return [cumsum(ct, axis, not reverse)]


# name: (accepted dtypes, combining lax function, identity, tangent rule; cumsum is linear)
_CUMULATIVE = {
    "cumsum": (NUM, ew.add, _zero, None),
    "cumprod": (NUM, ew.mul, _one, _cumprod_tangent),
    "cummax": (ORDERED, ew.max, _lowest, partial(_cumchooser_tangent, ew.gt)),
    "cummin": (ORDERED, ew.min, _highest, partial(_cumchooser_tangent, ew.lt)),
    "cumlogsumexp": (FLOAT, _logaddexp, _lowest, _cumlogsumexp_tangent),
}
_CUMULATIVE_PRIMITIVES: dict[str, Primitive] = {}
for _name, (_accepted, _combine, _identity, _tangent) in _CUMULATIVE.items():
    _prim = standard_primitive(_name, partial(_cumulative_abstract_eval, _name, _accepted),
                               partial(_cumulative_lower, _combine, _identity))
    batching_rules[_prim] = partial(_cumulative_batch, _prim)
    if _tangent is not None:
        ad.jvp_rules[_prim] = partial(_cumulative_jvp, _prim, _tangent)
    _CUMULATIVE_PRIMITIVES[_name] = _prim
    HLO_OPS[_name] = "stablehlo.reduce_window"

cumsum_p = _CUMULATIVE_PRIMITIVES["cumsum"]
cumprod_p = _CUMULATIVE_PRIMITIVES["cumprod"]
cummax_p = _CUMULATIVE_PRIMITIVES["cummax"]
cummin_p = _CUMULATIVE_PRIMITIVES["cummin"]
cumlogsumexp_p = _CUMULATIVE_PRIMITIVES["cumlogsumexp"]
ad.deflinear(cumsum_p, _cumsum_transpose)


def _public_cumulative(prim: Primitive, doc: str):
    def f(operand, axis: int = 0, reverse: bool = False):
        operand = as_operand(operand)
        (axis,) = _canonical_axes((axis,), get_aval(operand).ndim, prim.name)
        return prim.bind(operand, axis=axis, reverse=bool(reverse))
    f.__name__ = f.__qualname__ = prim.name
    f.__doc__ = doc + " Along `axis`, from the end with reverse=True (stablehlo.reduce_window)."
    return f


cumsum = _public_cumulative(cumsum_p, "Cumulative sum, as np.cumsum.")
cumprod = _public_cumulative(cumprod_p, "Cumulative product, as np.cumprod.")
cummax = _public_cumulative(cummax_p, "Cumulative maximum, as np.maximum.accumulate.")
cummin = _public_cumulative(cummin_p, "Cumulative minimum, as np.minimum.accumulate.")
cumlogsumexp = _public_cumulative(cumlogsumexp_p, "Cumulative log-sum-exp, as "
                                                  "np.logaddexp.accumulate.")


# --- linear_recurrence: the tangents of the cumulative reductions --------------------------------

def _compose(a1, b1, a2, b2):
    """The map h -> a2 * (a1 * h + b1) + b2: first (a1, b1), then (a2, b2)."""
    return ew.mul(a1, a2), ew.add(ew.mul(a2, b1), b2)


def _interleave(even, odd, axis: int):
    """even[0], odd[0], even[1], odd[1], ... along `axis` (even has as many elements as odd,
    or one more): each is spread out by interior padding with zeros, then they are added."""
    n_even, n_odd = get_aval(even).shape[axis], get_aval(odd).shape[axis]
    nd = get_aval(even).ndim

    def spread(x, lo, hi):
        config = [(0, 0, 0)] * nd
        config[axis] = (lo, hi, 1)
        return pad(x, np.zeros((), get_aval(x).dtype), config)
    return ew.add(spread(even, 0, int(n_even == n_odd)), spread(odd, 1, int(n_even != n_odd)))


def _affine_scan(a, b, axis: int):
    """The prefix compositions of the maps h -> a_i * h + b_i along `axis`, as (A, B):
    B_i is h_i of the recurrence from h_{-1} = 0. A work-efficient parallel scan: compose
    neighbouring pairs, scan the pairs recursively (the prefixes ending at odd positions),
    then extend those by one map for the even positions."""
    n = get_aval(b).shape[axis]
    if n < 2:
        return a, b
    take = partial(slice_in_dim, axis=axis)
    pairs = _compose(take(a, 0, n - 1, 2), take(b, 0, n - 1, 2), take(a, 1, n, 2), take(b, 1, n, 2))
    odd_a, odd_b = _affine_scan(*pairs, axis)
    m = (n - 1) // 2  # even positions after the first
    even_a, even_b = _compose(take(odd_a, 0, m), take(odd_b, 0, m),
                              take(a, 2, n, 2), take(b, 2, n, 2))
    even_a = concatenate([take(a, 0, 1), even_a], axis)
    even_b = concatenate([take(b, 0, 1), even_b], axis)
    return _interleave(even_a, odd_a, axis), _interleave(even_b, odd_b, axis)


def _linear_recurrence_scan(a, b, *, axis, reverse):
    if reverse:
        return rev(_affine_scan(rev(a, (axis,)), rev(b, (axis,)), axis)[1], (axis,))
    return _affine_scan(a, b, axis)[1]


def _linrec_abstract_eval(a, b, *, axis, reverse):
    check_same_dtypes("linear_recurrence", [a, b])
    check_dtype("linear_recurrence", INEXACT, b)
    if a.shape != b.shape:
        raise TypeError(f"linear_recurrence needs equal shapes, got {a.shape} and {b.shape}")
    if not 0 <= axis < b.ndim:
        raise ValueError(f"linear_recurrence: axis {axis} out of bounds for rank {b.ndim}")
    return ShapedArray(b.shape, b.dtype)


def _linrec_lower(ctx, a, b, *, axis, reverse):
    # Note: many ops, not one. StableHLO has no scan; a variadic reduce_window over (a, b)
    # pairs would be one op, but XLA's CPU compiler aborts (std::bad_alloc) on variadic
    # scan-shaped reduce_windows of a few hundred elements and more. So the primitive keeps
    # its small derivative rules and lowers to a parallel scan of slices, pads,
    # concatenates, multiplies and adds (O(n) work, O(log n) depth).
    jaxpr, consts = trace_to_closed_jaxpr(
        lambda a, b: [_linear_recurrence_scan(a, b, axis=axis, reverse=reverse)], ctx.avals_in)
    return lowering.lower_jaxpr_body(jaxpr, [*map(lowering.ir_constant, consts), a, b])[0]


def _linrec_jvp(primals, tangents, *, axis, reverse):
    (a, b), (a_dot, b_dot) = primals, tangents
    h = linear_recurrence_p.bind(a, b, axis=axis, reverse=reverse)
    terms = [] if type(b_dot) is Zero else [b_dot]
    if type(a_dot) is not Zero:
        terms.append(ew.mul(a_dot, _shift(h, axis, reverse)))
    if not terms:
        return h, Zero.like(h)
    rhs = terms[0] if len(terms) == 1 else ew.add(*terms)
    return h, linear_recurrence_p.bind(a, rhs, axis=axis, reverse=reverse)


def _linrec_transpose(ct, a, b, *, axis, reverse):
    # h = M b with M[i, j] = a_{j+1} ... a_i (j <= i); M^T runs the recurrence the other
    # way with the coefficients moved by one: g_j = ct_j + a_{j+1} g_{j+1}.
    if is_undefined(a):
        raise ValueError("linear_recurrence is not linear in its coefficients")
    return [None, _linear_recurrence(_shift(a, axis, not reverse), ct, axis, not reverse)]


def _linrec_batch(axis_size, vals, dims, *, axis, reverse):
    a, b = [bdim_at_front(v, d, axis_size) for v, d in zip(vals, dims)]
    return linear_recurrence_p.bind(a, b, axis=axis + 1, reverse=reverse), 0


linear_recurrence_p = standard_primitive("linear_recurrence", _linrec_abstract_eval, _linrec_lower)
ad.jvp_rules[linear_recurrence_p] = _linrec_jvp
transpose_rules[linear_recurrence_p] = _linrec_transpose
batching_rules[linear_recurrence_p] = _linrec_batch
HLO_OPS["linear_recurrence"] = "stablehlo.slice + pad + concatenate + multiply + add (a scan)"


def _linear_recurrence(a, b, axis: int, reverse: bool):
    """h_i = a_i * h_{i-1} + b_i along `axis` from h_{-1} = 0 (with reverse,
    h_i = a_i * h_{i+1} + b_i from the end): linear in b."""
    (axis,) = _canonical_axes((axis,), get_aval(b).ndim, "linear_recurrence")
    return linear_recurrence_p.bind(a, b, axis=axis, reverse=reverse)
