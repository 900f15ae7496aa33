"""A compiled program bound to one device, with its arguments checked before XLA sees them.

jaxlib checks the real buffers only inside XLA, which prints an `E...` line to stderr for
every mismatch; and a `None` result handler crashes the interpreter. So arguments are
validated here and result handlers are always built from the declared output types.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._jaxlib import xc
from .backend import Aval, sharding_for
from .dtypes import TypeSpec, format_type


class Executable:
    """A loaded XLA executable plus the (shape, dtype) of its inputs and outputs."""

    __slots__ = ("_loaded", "in_types", "out_types", "device", "_sharding", "_handlers")

    def __init__(self, loaded, in_types: tuple[TypeSpec, ...],
                 out_types: tuple[TypeSpec, ...], device):
        self._loaded = loaded
        self.in_types = in_types
        self.out_types = out_types
        self.device = device
        self._sharding = sharding_for(device)
        # The fast result path (about 5 us); _skip_checks because the checks it would run
        # are methods only jax defines.
        self._handlers = [
            xc.array_result_handler(Aval(shape, dtype), self._sharding, True, _skip_checks=True)
            for shape, dtype in out_types]

    def execute(self, args: Sequence[xc.ArrayImpl]) -> list[xc.ArrayImpl]:
        """Run on device buffers; returns one new buffer per output type (asynchronously)."""
        args = list(args)
        self._check_args(args)
        return self._loaded.execute_sharded(args).consume_with_handlers(self._handlers)

    def hlo_text(self) -> str:
        """The optimized HLO that XLA produced."""
        return self._loaded.get_hlo_text()

    def _check_args(self, args: list) -> None:
        if len(args) != len(self.in_types):
            raise TypeError(f"executable takes {len(self.in_types)} argument(s), "
                            f"got {len(args)}")
        for i, (arg, (shape, dtype)) in enumerate(zip(args, self.in_types)):
            self._check_arg(i, arg, shape, dtype)

    def _check_arg(self, i: int, arg, shape, dtype) -> None:
        if type(arg) is not xc.ArrayImpl:
            raise TypeError(f"argument {i} must be a device buffer, got {type(arg).__name__}")
        if arg.is_deleted():
            raise RuntimeError(f"argument {i} is a deleted device buffer")
        aval = arg.aval
        if not isinstance(aval, Aval):
            raise TypeError(f"argument {i} is a device buffer not made by npaccel._runtime")
        if aval.shape != shape or aval.dtype != dtype:
            raise TypeError(f"argument {i} is {format_type(aval.shape, aval.dtype)}, "
                            f"expected {format_type(shape, dtype)}")
        if arg._sharding is not self._sharding:
            raise ValueError(f"argument {i} is on {getattr(arg._sharding, 'device', '?')}, "
                             f"but the executable runs on {self.device}")
