"""Lowering: a jaxpr becomes one StableHLO module; each primitive has a lowering rule."""
from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

import numpy as np

from npaccel import _runtime
from npaccel._runtime import func, hlo, ir
from npaccel.core import dtypes
from npaccel.core.aval import ShapedArray
from npaccel.core.jaxpr import Jaxpr, Literal
from npaccel.core.trace import Primitive

# prim -> rule(ctx, *operands: ir.Value, **params) -> ir.Value | list[ir.Value]
lowering_rules: dict[Primitive, Callable] = {}


class LoweringContext(NamedTuple):
    avals_in: list[ShapedArray]
    avals_out: list[ShapedArray]


def ir_type(aval: ShapedArray) -> ir.Type:
    return _runtime.ir_tensor_type(aval.shape, aval.dtype)


def ir_constant(value, dtype=None) -> ir.Value:
    """A stablehlo.constant holding `value` (NumPy array or scalar) of `dtype`."""
    value = np.asarray(value, dtype)
    element = _runtime.ir_element_type(value.dtype)
    flat = np.ascontiguousarray(value)
    if value.dtype == np.bool_:
        # Unpacked NumPy booleans: the packed-bits form fails for 8 or more elements.
        attr = ir.DenseElementsAttr.get(np.ascontiguousarray(value.reshape(-1)), type=element,
                                        shape=value.shape)
    elif value.dtype == dtypes.bfloat16:
        attr = ir.DenseElementsAttr.get(flat.view(np.uint16), type=element, shape=value.shape)
    else:
        attr = ir.DenseElementsAttr.get(flat, type=element, shape=value.shape)
    return hlo.ConstantOp(attr).result


def full_like_aval(value, aval: ShapedArray) -> ir.Value:
    """`value` broadcast to `aval` (a splat constant)."""
    return ir_constant(np.full(aval.shape, value, aval.dtype))


def lower_jaxpr_body(jaxpr: Jaxpr, args: Sequence[ir.Value]) -> list[ir.Value]:
    """Emit the ops of `jaxpr` (no constvars) at the current insertion point."""
    env: dict = {}

    def read(x):
        if type(x) is Literal:
            return ir_constant(x.val, x.aval.dtype)
        return env[x]

    for v, a in zip(jaxpr.invars, args, strict=True):
        env[v] = a
    for eqn in jaxpr.eqns:
        rule = lowering_rules.get(eqn.primitive)
        if rule is None:
            raise NotImplementedError(f"no lowering rule for primitive '{eqn.primitive}'")
        ctx = LoweringContext([x.aval for x in eqn.inputs], [v.aval for v in eqn.out_binders])
        outs = rule(ctx, *map(read, eqn.inputs), **eqn.params)
        outs = list(outs) if eqn.primitive.multiple_results else [outs]
        for v, o in zip(eqn.out_binders, outs, strict=True):
            env[v] = o
    return [read(x) for x in jaxpr.outvars]


def lower_jaxpr(jaxpr: Jaxpr, name: str = "npaccel") -> ir.Module:
    """A module whose public `main` takes (constvars, invars) and returns outvars."""
    jaxpr = jaxpr.closure_converted()
    with _runtime.context(), ir.Location.unknown():
        module = ir.Module.create()
        module.operation.attributes["sym_name"] = ir.StringAttr.get(name)
        in_types = [ir_type(a) for a in jaxpr.in_avals]
        out_types = [ir_type(a) for a in jaxpr.out_avals]
        with ir.InsertionPoint(module.body):
            main = func.FuncOp("main", ir.FunctionType.get(in_types, out_types))
            main.attributes["sym_visibility"] = ir.StringAttr.get("public")
            block = main.add_entry_block()
            with ir.InsertionPoint(block):
                func.ReturnOp(lower_jaxpr_body(jaxpr, list(block.arguments)))
    return module


def lower_region(region: ir.Region, jaxpr: Jaxpr, arg_avals: Sequence[ShapedArray],
                 const_values: Sequence[ir.Value] = (), wrap: Callable | None = None) -> None:
    """Fill `region` (of a while/case/reduce/sort op) with a block computing `jaxpr`.

    The block's arguments have `arg_avals`; `const_values` (values from the enclosing
    scope, which regions may use) are passed first to the jaxpr; `wrap` post-processes
    the results before `stablehlo.return`.
    """
    block = region.blocks.append(*[ir_type(a) for a in arg_avals])
    with ir.InsertionPoint(block):
        outs = lower_jaxpr_body(jaxpr, [*const_values, *block.arguments])
        hlo.ReturnOp(wrap(outs) if wrap else outs)


def _types(avals):
    return [(a.shape, a.dtype) for a in avals]


def compile_jaxpr(jaxpr: Jaxpr):
    """Lower and compile `jaxpr`; the runtime caches by module (in memory and on disk)."""
    module = lower_jaxpr(jaxpr)
    in_avals = [v.aval for v in jaxpr.constvars + jaxpr.invars]
    return _runtime.compile_module(module, _types(in_avals), _types(jaxpr.out_avals))
