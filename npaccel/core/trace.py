"""Primitives, traces and tracers: how one `bind` finds the interpreter that handles it.

Interpreters stack up as in JAX's autodidax: each transformation pushes a `MainTrace`;
`bind` hands a primitive to the highest-level trace among its arguments (or to the
dynamic trace, when `make_jaxpr`/`jit` is staging everything out).
"""
from __future__ import annotations

import operator
from contextlib import contextmanager
from typing import Any, Callable, NamedTuple

import numpy as np

from npaccel.core.aval import ShapedArray, aval_of_value


class Primitive:
    """A named operation. Its rules live in tables keyed by the primitive."""

    def __init__(self, name: str, multiple_results: bool = False):
        self.name = name
        self.multiple_results = multiple_results

    def __repr__(self):
        return self.name

    def bind(self, *args, **params):
        return bind(self, *args, **params)


# prim -> (*avals, **params) -> aval, or a list of avals if prim.multiple_results
abstract_eval_rules: dict[Primitive, Callable] = {}


def abstract_eval(prim: Primitive, avals, params):
    try:
        rule = abstract_eval_rules[prim]
    except KeyError:
        raise NotImplementedError(f"no abstract evaluation rule for primitive '{prim}'") from None
    out = rule(*avals, **params)
    return list(out) if prim.multiple_results else [out]


class MainTrace(NamedTuple):
    level: int
    trace_type: type
    global_data: Any


class Trace:
    """An interpreter at one level of the stack."""

    def __init__(self, main: MainTrace):
        self.main = main

    def pure(self, val):
        raise NotImplementedError(type(self).__name__)

    lift = pure

    def process_primitive(self, prim, tracers, params):
        raise NotImplementedError(type(self).__name__)


class ConcretizationError(TypeError):
    """A traced (abstract) value was used where Python needs a concrete one.

    `made` counts them, caught or not: code that catches one takes a value-independent path,
    so a trace that made any behaves differently from an eager run (npaccel.dispatch.hot
    checks this before it replaces eager calls by a compiled one)."""
    made = 0

    def __init__(self, *args):
        super().__init__(*args)
        ConcretizationError.made += 1


def is_traced(x) -> bool:
    """Whether `x` is abstract here; counted as a ConcretizationError when it is, since the
    caller branches on it."""
    if isinstance(x, Tracer):
        ConcretizationError.made += 1
        return True
    return False


class Tracer:
    """A value seen by a trace. Subclasses define `aval` and their trace's data."""
    __array_priority__ = 1000
    _trace: Trace

    @property
    def aval(self) -> ShapedArray:
        raise NotImplementedError

    shape = property(lambda self: self.aval.shape)
    dtype = property(lambda self: self.aval.dtype)
    ndim = property(lambda self: self.aval.ndim)
    size = property(lambda self: self.aval.size)
    weak_type = property(lambda self: self.aval.weak_type)

    def full_lower(self):
        return self

    def concrete_value(self) -> np.ndarray:
        """The value behind this tracer, when the trace knows it; else ConcretizationError."""
        raise ConcretizationError(
            f"Abstract tracer value encountered where a concrete value is expected: "
            f"{self.aval.str_short()} traced by {type(self._trace).__name__}.\n"
            "This happens when Python control flow (if/while/bool/int/float) depends on a "
            "value that is only known when the compiled program runs. Fixes: mark the "
            "argument static (jit(f, static_argnums=...)), or use npaccel.lax.cond / "
            "npaccel.lax.select_n / npaccel.lax.while_loop for value-dependent control flow.")

    def __bool__(self):
        return bool(self.concrete_value())

    def __int__(self):
        return int(self.concrete_value())

    def __float__(self):
        return float(self.concrete_value())

    def __complex__(self):
        return complex(self.concrete_value())

    def __index__(self):
        return operator.index(self.concrete_value())

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __array__(self, dtype=None, copy=None):
        # Even a concrete value (a jvp primal) is refused: NumPy would compute with the
        # value alone and silently drop what the transformation tracks (its derivative).
        raise ConcretizationError(
            f"The traced value {self.aval.str_short()} (traced by {type(self._trace).__name__}) "
            "cannot be converted to a NumPy array inside a transformation: NumPy would "
            "compute with its value alone, silently dropping what the transformation tracks "
            "(derivatives, batch axes, staged computation). Use npaccel operations on it; for "
            "value-dependent control flow, mark the argument static (jit(f, static_argnums=...)) "
            "or use npaccel.lax.cond / npaccel.lax.select_n / npaccel.lax.while_loop.")

    def __repr__(self):
        return f"{type(self).__name__}<{self.aval.str_short()}>"

    __hash__ = None  # like NumPy arrays: unhashable


_trace_stack: list[MainTrace] = []
_dynamic_trace: MainTrace | None = None


def set_eval_trace(trace_type: type) -> None:
    """Install the bottom-level (eager) interpreter; called once by npaccel.transforms."""
    if not _trace_stack:
        _trace_stack.append(MainTrace(0, trace_type, None))


@contextmanager
def new_main(trace_type: type, global_data=None):
    main = MainTrace(len(_trace_stack), trace_type, global_data)
    _trace_stack.append(main)
    try:
        yield main
    finally:
        _trace_stack.pop()


@contextmanager
def new_dynamic(main: MainTrace):
    """Make `main` receive every bind, even of constants (staging for jit/make_jaxpr)."""
    global _dynamic_trace
    prev, _dynamic_trace = _dynamic_trace, main
    try:
        yield
    finally:
        _dynamic_trace = prev


def bind(prim: Primitive, *args, **params):
    trace = find_top_trace(args)
    tracers = [full_raise(trace, a) for a in args]
    outs = trace.process_primitive(prim, tracers, params)
    if prim.multiple_results:
        return [full_lower(o) for o in outs]
    return full_lower(outs)


def find_top_trace(xs) -> Trace:
    mains = [x._trace.main for x in xs if isinstance(x, Tracer)]
    for m in mains:
        if m.level >= len(_trace_stack) or _trace_stack[m.level] is not m:
            raise _escaped_tracer_error(m)
    main = max(mains, default=_trace_stack[0], key=operator.attrgetter("level"))
    if _dynamic_trace is not None and _dynamic_trace.level > main.level:
        main = _dynamic_trace
    return main.trace_type(main)


def full_raise(trace: Trace, val):
    if not isinstance(val, Tracer):
        return trace.pure(val)
    level = trace.main.level
    if val._trace.main is trace.main:
        return val
    if val._trace.main.level < level:
        return trace.lift(val)
    raise _escaped_tracer_error(val._trace.main)


def _escaped_tracer_error(main: MainTrace) -> "UnexpectedTracerError":
    return UnexpectedTracerError(
        f"Encountered a tracer of an inner transformation ({main.trace_type.__name__}) "
        "outside of it: a traced value escaped (leaked) from the function being "
        "transformed, e.g. stored in a global or a closure, and was used later.")


class UnexpectedTracerError(Exception):
    pass


def full_lower(val):
    return val.full_lower() if isinstance(val, Tracer) else val


# Concrete value types (beyond NumPy arrays and Python scalars) register their aval here.
pytype_aval_mappings: dict[type, Callable[[Any], ShapedArray]] = {}


def get_aval(x) -> ShapedArray:
    if isinstance(x, Tracer):
        return x.aval
    mapping = pytype_aval_mappings.get(type(x))
    return mapping(x) if mapping is not None else aval_of_value(x)


def concrete_or_error(x, context: str = ""):
    """`x` as a NumPy value if it is concrete, else a ConcretizationError naming `context`."""
    if isinstance(x, Tracer):
        try:
            return x.concrete_value()
        except ConcretizationError as e:
            raise ConcretizationError(f"{context}: {e}" if context else str(e)) from None
    return np.asarray(x)
