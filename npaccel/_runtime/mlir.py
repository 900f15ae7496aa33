"""The MLIR context and the StableHLO builders that lowering rules use."""

from __future__ import annotations

import threading

import numpy as np

from . import _jaxlib  # noqa: F401  (quiets XLA and checks the version before the imports below)
from .dtypes import MLIR_ELEMENT_TYPES, check_dtype
from jaxlib.mlir import ir
from jaxlib.mlir._mlir_libs import _jax_mlir_ext
from jaxlib.mlir.dialects import chlo, func
from jaxlib.mlir.dialects import stablehlo as hlo

__all__ = ["ir", "hlo", "chlo", "func", "context", "ir_element_type", "ir_tensor_type"]

_context: ir.Context | None = None
_context_lock = threading.Lock()


def _make_context() -> ir.Context:
    registry = ir.DialectRegistry()
    _jax_mlir_ext.register_dialects(registry)  # func and the upstream dialects
    ctx = ir.Context()
    ctx.append_dialect_registry(registry)
    ctx.load_all_available_dialects()
    # Neither is in the registry above: without these, parsing or building their ops fails.
    hlo.register_dialect(ctx)
    chlo.register_dialect(ctx)
    return ctx


def context() -> ir.Context:
    """The process-wide MLIR context (made on first use) with func, stablehlo, chlo loaded."""
    global _context
    if _context is None:
        with _context_lock:
            if _context is None:
                _context = _make_context()
    return _context


def ir_element_type(dtype) -> ir.Type:
    """The MLIR element type of a NumPy dtype. Call inside `with context():`."""
    return ir.Type.parse(MLIR_ELEMENT_TYPES[check_dtype(dtype)])


def ir_tensor_type(shape: tuple[int, ...], dtype) -> ir.RankedTensorType:
    """`tensor<shape x dtype>`. Call inside `with context():`."""
    # An explicit location: `get` demands one for its diagnostics, and callers building
    # types outside an op-building block have none in scope.
    return ir.RankedTensorType.get(tuple(shape), ir_element_type(dtype),
                                   loc=ir.Location.unknown())


def main_signature(module: ir.Module) -> tuple[list[str], list[str]] | None:
    """The argument and result types of the module's `main`, as MLIR text, or None."""
    with module.context:
        for op in module.body.operations:
            if op.operation.name != "func.func":
                continue
            if ir.StringAttr(op.attributes["sym_name"]).value == "main":
                ftype = ir.FunctionType(ir.TypeAttr(op.attributes["function_type"]).value)
                return [str(t) for t in ftype.inputs], [str(t) for t in ftype.results]
    return None


def spell_types(types) -> list[str]:
    """MLIR text of each (shape, dtype) tensor type."""
    with context():
        return [str(ir_tensor_type(shape, np.dtype(dtype))) for shape, dtype in types]
