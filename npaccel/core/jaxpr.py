"""The jaxpr IR: a typed, first-order program of primitive applications."""
from __future__ import annotations

import functools
import itertools
import weakref
from typing import Any, Callable, NamedTuple

import numpy as np

from npaccel.core.aval import ShapedArray
from npaccel.core.trace import Primitive, bind


class Var:
    __slots__ = ("aval", "__weakref__")

    def __init__(self, aval: ShapedArray):
        self.aval = aval

    def __repr__(self):
        return f"Var<{self.aval.str_short()}>"


class Literal:
    """A scalar constant written into the program text."""
    __slots__ = ("val", "aval")

    def __init__(self, val, aval: ShapedArray):
        self.val = val
        self.aval = aval

    def __repr__(self):
        return f"Literal({self.val})"


Atom = Var | Literal


class JaxprEqn(NamedTuple):
    primitive: Primitive
    inputs: list[Atom]
    params: dict[str, Any]
    out_binders: list[Var]


class Jaxpr:
    """`{ lambda constvars ; invars . let eqns in outvars }`.

    Jaxprs nested in primitive parameters (jit, cond, while, scan) have no constvars:
    whatever they close over is passed as explicit leading operands.
    """

    def __init__(self, constvars, invars, eqns, outvars):
        self.constvars = list(constvars)
        self.invars = list(invars)
        self.eqns = list(eqns)
        self.outvars = list(outvars)

    in_avals = property(lambda self: [v.aval for v in self.invars])
    out_avals = property(lambda self: [v.aval for v in self.outvars])

    def __repr__(self):
        return pp_jaxpr(self)

    def closure_converted(self) -> "Jaxpr":
        """The same program with its constvars turned into leading invars."""
        return Jaxpr([], self.constvars + self.invars, self.eqns, self.outvars)


class ClosedJaxpr:
    """A jaxpr with values for its constvars: what `make_jaxpr` returns."""

    def __init__(self, jaxpr: Jaxpr, consts):
        self.jaxpr = jaxpr
        self.consts = list(consts)

    in_avals = property(lambda self: self.jaxpr.in_avals)
    out_avals = property(lambda self: self.jaxpr.out_avals)
    eqns = property(lambda self: self.jaxpr.eqns)

    def __repr__(self):
        return pp_jaxpr(self.jaxpr)

    def __str__(self):
        return pp_jaxpr(self.jaxpr)


def eval_jaxpr(jaxpr: Jaxpr, consts, *args):
    """Run `jaxpr` by binding each primitive: under a trace this re-traces it."""
    env: dict[Var, Any] = {}

    def read(x):
        return x.val if type(x) is Literal else env[x]

    for v, val in zip(jaxpr.constvars, consts, strict=True):
        env[v] = val
    for v, val in zip(jaxpr.invars, args, strict=True):
        env[v] = val
    for eqn in jaxpr.eqns:
        outs = bind(eqn.primitive, *map(read, eqn.inputs), **eqn.params)
        outs = outs if eqn.primitive.multiple_results else [outs]
        for v, val in zip(eqn.out_binders, outs, strict=True):
            env[v] = val
    return [read(x) for x in jaxpr.outvars]


def jaxpr_as_fun(jaxpr: Jaxpr, consts=()):
    return lambda *args: eval_jaxpr(jaxpr, consts, *args)


def cache_by_jaxpr(fun: Callable) -> Callable:
    """Memoize `fun(jaxpr, *flags)` (flags: ints, bools or lists of them) while `jaxpr` lives.

    Jaxprs derived from another one (its jvp, batched, split or transposed form) then keep
    their identity from call to call, so what was compiled for them is found again instead
    of accumulating (grad of a jitted function derives the same jaxprs on every call).
    """
    cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @functools.wraps(fun)
    def cached(jaxpr, *flags):
        per_jaxpr = cache.setdefault(jaxpr, {})
        key = tuple(tuple(f) if isinstance(f, list) else f for f in flags)
        if key not in per_jaxpr:
            per_jaxpr[key] = fun(jaxpr, *flags)
        out = per_jaxpr[key]
        if type(out) is not tuple:
            return out
        # fresh lists, so a caller that edits one cannot change the cached answer
        return tuple(list(x) if isinstance(x, list) else x for x in out)

    return cached


# --- pretty printing ---------------------------------------------------------------

class _Names:
    def __init__(self):
        self._names: dict[Var, str] = {}
        self._fresh = (_name_of(i) for i in itertools.count())

    def __call__(self, v) -> str:
        if type(v) is Literal:
            return _pp_literal(v)
        if v not in self._names:
            self._names[v] = next(self._fresh)
        return self._names[v]


def _name_of(i: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = letters[r] + name
    return name


def _pp_literal(lit: Literal) -> str:
    val = np.asarray(lit.val)
    if val.ndim:
        return f"const<{lit.aval.str_short()}>"
    text = str(val.item())
    if lit.aval.dtype == np.bool_:
        text = text.lower()
    return f"{text}:{lit.aval.str_short()}"


def _pp_binders(names, vs) -> str:
    return " ".join(f"{names(v)}:{v.aval.str_short()}" for v in vs)


def _pp_param(names, value, indent) -> str:
    if isinstance(value, ClosedJaxpr):
        value = value.jaxpr
    if isinstance(value, Jaxpr):
        return "\n" + _pp_jaxpr_lines(value, _Names(), indent + 4)
    if isinstance(value, (tuple, list)) and value and all(isinstance(v, (Jaxpr, ClosedJaxpr)) for v in value):
        return "(" + ", ".join(_pp_param(names, v, indent) for v in value) + "\n" + " " * (indent + 2) + ")"
    if isinstance(value, np.dtype):
        return str(value)
    if callable(value):
        return getattr(value, "__name__", type(value).__name__)
    return repr(value)


def _pp_eqn(names, eqn: JaxprEqn, indent: int) -> str:
    lhs = _pp_binders(names, eqn.out_binders) or "_"
    params = " ".join(f"{k}={_pp_param(names, v, indent)}" for k, v in sorted(eqn.params.items()))
    params = f"[{params}]" if params else ""
    args = " ".join(names(x) for x in eqn.inputs)
    return " " * indent + f"{lhs} = {eqn.primitive.name}{params} {args}".rstrip()


def _pp_jaxpr_lines(jaxpr: Jaxpr, names, indent: int) -> str:
    pad = " " * indent
    head = f"{pad}{{ lambda {_pp_binders(names, jaxpr.constvars)}; {_pp_binders(names, jaxpr.invars)}. let"
    body = [_pp_eqn(names, e, indent + 4) for e in jaxpr.eqns]
    outs = ", ".join(names(v) for v in jaxpr.outvars)
    tail = f"{pad}  in ({outs}{',' if len(jaxpr.outvars) == 1 else ''}) }}"
    return "\n".join([head, *body, tail])


def pp_jaxpr(jaxpr: Jaxpr) -> str:
    return _pp_jaxpr_lines(jaxpr, _Names(), 0)
