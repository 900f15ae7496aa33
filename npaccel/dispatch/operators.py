"""Python operators of npaccel arrays and tracers, as NumPy defines them: each operator is
the NumPy ufunc NumPy would call, dispatched through __array_ufunc__."""
from __future__ import annotations

import numpy as np

from npaccel.core.trace import Tracer
from npaccel.dispatch import protocols
from npaccel.dispatch.ndarray import ndarray
from npaccel.transforms.array import Array

_BINARY = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "truediv": np.true_divide,
    "floordiv": np.floor_divide, "mod": np.remainder, "pow": np.power,
    "matmul": np.matmul, "and": np.bitwise_and, "or": np.bitwise_or,
    "xor": np.bitwise_xor, "lshift": np.left_shift, "rshift": np.right_shift,
}
_COMPARISONS = {"lt": np.less, "le": np.less_equal, "gt": np.greater,
                "ge": np.greater_equal, "eq": np.equal, "ne": np.not_equal}
_UNARY = {"neg": np.negative, "pos": np.positive, "abs": np.absolute, "invert": np.invert}


def _binary(ufunc, reflected=False):
    def op(self, other):
        if _defer(other):
            return NotImplemented
        return ufunc(other, self) if reflected else ufunc(self, other)
    return op


def _inplace(ufunc):
    def op(self, other):
        ufunc(self, other, out=(self,))
        return self
    return op


def _defer(other) -> bool:
    """Let other array types with their own protocol handle mixed operations."""
    return (hasattr(other, "__array_ufunc__") and other.__array_ufunc__ is None)


def _divmod(self, other):
    return np.divmod(self, other)


def _install(cls, inplace: bool) -> None:
    for name, ufunc in _BINARY.items():
        setattr(cls, f"__{name}__", _binary(ufunc))
        setattr(cls, f"__r{name}__", _binary(ufunc, reflected=True))
        if inplace:
            setattr(cls, f"__i{name}__", _inplace(ufunc))
    for name, ufunc in _COMPARISONS.items():
        setattr(cls, f"__{name}__", _binary(ufunc))
    for name, ufunc in _UNARY.items():
        setattr(cls, f"__{name}__", lambda self, u=ufunc: u(self))
    cls.__divmod__ = _divmod
    cls.__rdivmod__ = lambda self, other: np.divmod(other, self)
    cls.__array_ufunc__ = protocols.array_ufunc
    cls.__array_function__ = protocols.array_function
    cls.__hash__ = None


# Immutable values (npaccel.Array, tracers) answer array methods and indexing the way an
# ndarray holding them would: `x[i]`, `x.T`, `x.sum()` inside a transformed function.
_DELEGATED = ("__getitem__", "__iter__", "T", "mT", "real", "imag", "reshape", "transpose",
              "swapaxes", "ravel", "flatten", "squeeze", "astype", "copy", "tolist", "item",
              "all", "any", "argmax", "argmin", "argsort", "clip", "conj", "conjugate",
              "cumprod", "cumsum", "diagonal", "dot", "max", "mean", "min", "nonzero", "prod",
              "repeat", "round", "searchsorted", "std", "sum", "take", "trace", "var")


def _delegate(cls) -> None:
    for name in _DELEGATED:
        attr = getattr(ndarray, name)
        if isinstance(attr, property):
            setattr(cls, name, property(lambda self, p=attr: p.fget(ndarray(self))))
        else:
            setattr(cls, name, lambda self, *a, _n=name, **k: getattr(ndarray(self), _n)(*a, **k))


def install() -> None:
    """Give ndarray, npaccel.Array and tracers NumPy's operators and protocols."""
    _install(ndarray, inplace=True)
    for cls in (Array, Tracer):
        _install(cls, inplace=False)
        _delegate(cls)
