"""LAPACK on the CPU through jaxlib's typed-FFI custom-call targets.

jaxlib ships LAPACK kernels as custom-call targets named `lapack_{s,d,c,z}<routine>_ffi`
(getrf, geqrf, orgqr/ungqr, syevd/heevd, gesdd, gesvd, geev, gees, gtsv, ...). They call
SciPy's LAPACK (scipy.linalg.cython_lapack), bound only by `_lapack.initialize()`: a
target run before that crashes the process. `ensure_lapack()` binds and registers every
target once, on first use: it imports SciPy (about 0.4 s), so never at import time.
Lowering rules call it before they emit a LAPACK custom call; compiling (or loading a
cached executable) always follows lowering, so no program runs a target unregistered.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

import numpy as np

from ._jaxlib import xc
from .mlir import hlo, ir

_lock = threading.Lock()
_registered = False

_TYPE_PREFIX = {np.dtype(np.float32): "s", np.dtype(np.float64): "d",
                np.dtype(np.complex64): "c", np.dtype(np.complex128): "z"}


def ensure_lapack() -> None:
    """Bind jaxlib's LAPACK kernels to SciPy's LAPACK and register their custom-call
    targets with XLA (once per process; thread-safe)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        from jaxlib import lapack  # its C++ module only; SciPy loads in initialize()
        try:
            lapack._lapack.initialize()
        except ImportError as e:
            raise ImportError("npaccel's LAPACK-backed linear algebra (lu, qr, eigh, svd, "
                              "eig, ...) runs SciPy's LAPACK on the CPU: install SciPy "
                              "(`pip install scipy`)") from e
        for name, capsule, api_version in lapack.registrations()["cpu"]:
            xc.register_custom_call_target(name, capsule, platform="cpu",
                                           api_version=api_version)
        _registered = True


def lapack_target(routine: str, dtype) -> str:
    """The target name of LAPACK `routine` ('getrf', 'syevd', ...) for `dtype`."""
    prefix = _TYPE_PREFIX.get(np.dtype(dtype))
    if prefix is None:
        raise TypeError(f"LAPACK has no {routine} for dtype {np.dtype(dtype).name}")
    return f"lapack_{prefix}{routine}_ffi"


def _layout_attr(layout: Sequence[int]) -> ir.Attribute:
    tensor = ir.RankedTensorType.get((len(layout),), ir.IndexType.get())
    return ir.DenseElementsAttr.get(np.asarray(layout, np.int64), type=tensor)


def _alias_attr(result: int, operand: int, num_results: int) -> ir.Attribute:
    # A lone result is not a tuple: its alias names no tuple index.
    return hlo.OutputOperandAlias.get(
        output_tuple_indices=[result] if num_results > 1 else [], operand_index=operand,
        operand_tuple_indices=[])


def ffi_call(target: str, result_types: Sequence[ir.Type], operands: Sequence[ir.Value], *,
             operand_layouts: Sequence[Sequence[int]],
             result_layouts: Sequence[Sequence[int]],
             attributes: Mapping[str, str] = {},
             aliases: Mapping[int, int] = {}) -> list[ir.Value]:
    """Emit one typed-FFI `stablehlo.custom_call` (api_version 4) at the current insertion
    point and return its results.

    Layouts are minor-to-major dimension orders (LAPACK wants matrices column-major);
    `attributes` are the handler's one-character options (uplo 'L', mode 'V', ...), passed
    as ui8 character codes; `aliases` maps a result index to the operand whose buffer it
    may reuse (LAPACK works in place).
    """
    ui8 = ir.IntegerType.get_unsigned(8)
    config = ir.DictAttr.get({name: ir.IntegerAttr.get(ui8, ord(code))
                              for name, code in attributes.items()})
    alias_attrs = [_alias_attr(r, o, len(result_types)) for r, o in aliases.items()]
    op = hlo.CustomCallOp(
        list(result_types), list(operands), target,
        api_version=ir.IntegerAttr.get(ir.IntegerType.get_signless(32), 4),
        backend_config=config,
        operand_layouts=ir.ArrayAttr.get([_layout_attr(l) for l in operand_layouts]),
        result_layouts=ir.ArrayAttr.get([_layout_attr(l) for l in result_layouts]),
        output_operand_aliases=ir.ArrayAttr.get(alias_attrs) if alias_attrs else None)
    return list(op.results)
