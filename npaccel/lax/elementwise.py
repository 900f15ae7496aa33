"""Elementwise primitives: each lowers to one StableHLO/CHLO op on operands of equal shape.

The families are generated from tables; derivatives are written with the public wrappers,
so they are themselves differentiable (higher-order derivatives come for free).
"""
from __future__ import annotations

import math
from functools import partial

import numpy as np

from npaccel._runtime import chlo, hlo, ir
from npaccel.core import dtypes
from npaccel.core.aval import ShapedArray
from npaccel.core.trace import Primitive, Tracer
from npaccel.transforms.array import Array
from npaccel.core.trace import get_aval
from npaccel.lax._standard import (ANY, BOOL, COMPLEX, FLOAT, INEXACT, INT, NUM, ORDERED,
                                   DtypeClass, as_operand, check_dtype, check_same_dtypes,
                                   check_same_shapes, coerce_scalars, is_python_scalar,
                                   standard_primitive, weak)
from npaccel.lax.shape import broadcast_in_dim, full, full_like
from npaccel.transforms import ad, lowering
from npaccel.transforms.ad import Zero, defjvp, defjvp_with_output, defjvp_zero, transpose_rules
from npaccel.transforms.batching import batching_rules, elementwise_batcher


def _naryop_abstract_eval(name, accepted, out_dtype, *avals, **params):
    for i, a in enumerate(avals):
        check_dtype(name, accepted, a, f"operand {i}" if len(avals) > 1 else "")
    check_same_dtypes(name, avals)
    check_same_shapes(name, avals)
    return ShapedArray(avals[0].shape, out_dtype(avals[0].dtype), weak(*avals))


def _same(dtype):
    return dtype


def naryop(name: str, accepted: DtypeClass, hlo_op, nargs: int, out_dtype=_same) -> Primitive:
    """An elementwise primitive lowering to `hlo_op(*operands)`, batched elementwise."""
    prim = standard_primitive(name, partial(_naryop_abstract_eval, name, accepted, out_dtype),
                              lambda ctx, *xs, **params: hlo_op(ctx, *xs, **params))
    elementwise_batcher(prim)
    return prim


def _op(cls):
    """Lowering through an op class whose result type MLIR infers."""
    return lambda ctx, *xs: cls(*xs).result


def _typed_op(cls):
    """Lowering through an op class that needs its result type spelled out."""
    return lambda ctx, *xs: cls(lowering.ir_type(ctx.avals_out[0]), *xs).result


def _broadcast_scalars(args):
    """Python scalars take the dtype (see coerce_scalars) and the shape of the arrays."""
    if all(isinstance(a, _OPERAND_TYPES) for a in args):
        return args
    args = [as_operand(a) for a in args]
    coerced = coerce_scalars(*args)
    shapes = [get_aval(a).shape for a in args if not is_python_scalar(a)]
    if not shapes or not shapes[0]:
        return coerced
    return [full(shapes[0], c) if is_python_scalar(a) else c for a, c in zip(args, coerced)]


_OPERAND_TYPES = (Tracer, Array, np.ndarray)


def _public(prim: Primitive, doc: str):
    def f(*args):
        return prim.bind(*_broadcast_scalars(args))
    f.__name__ = f.__qualname__ = prim.name
    f.__doc__ = doc
    return f


_real_of = dtypes.real_dtype
_to_bool = lambda dtype: np.dtype(bool)  # noqa: E731


# --- unary ops -------------------------------------------------------------------------
# name: (accepted dtypes, lowering, output dtype, StableHLO/CHLO op)
_UNARY = {
    "neg": (NUM, _op(hlo.NegOp), _same, "stablehlo.negate"),
    "sign": (NUM, lambda ctx, x: _sign_lower(ctx, x), _same, "stablehlo.sign"),
    "floor": (FLOAT, _op(hlo.FloorOp), _same, "stablehlo.floor"),
    "ceil": (FLOAT, _op(hlo.CeilOp), _same, "stablehlo.ceil"),
    "is_finite": (FLOAT, _op(hlo.IsFiniteOp), _to_bool, "stablehlo.is_finite"),
    "exp": (INEXACT, _op(hlo.ExpOp), _same, "stablehlo.exponential"),
    "expm1": (INEXACT, _op(hlo.Expm1Op), _same, "stablehlo.exponential_minus_one"),
    "log": (INEXACT, _op(hlo.LogOp), _same, "stablehlo.log"),
    "log1p": (INEXACT, _op(hlo.Log1pOp), _same, "stablehlo.log_plus_one"),
    "sqrt": (INEXACT, _op(hlo.SqrtOp), _same, "stablehlo.sqrt"),
    "rsqrt": (INEXACT, _op(hlo.RsqrtOp), _same, "stablehlo.rsqrt"),
    "cbrt": (FLOAT, _op(hlo.CbrtOp), _same, "stablehlo.cbrt"),
    "sin": (INEXACT, _op(hlo.SineOp), _same, "stablehlo.sine"),
    "cos": (INEXACT, _op(hlo.CosineOp), _same, "stablehlo.cosine"),
    "tan": (INEXACT, _op(hlo.TanOp), _same, "stablehlo.tan"),
    "asin": (INEXACT, _op(chlo.AsinOp), _same, "chlo.asin"),
    "acos": (INEXACT, _op(chlo.AcosOp), _same, "chlo.acos"),
    "atan": (INEXACT, _op(chlo.AtanOp), _same, "chlo.atan"),
    "sinh": (INEXACT, _op(chlo.SinhOp), _same, "chlo.sinh"),
    "cosh": (INEXACT, _op(chlo.CoshOp), _same, "chlo.cosh"),
    "tanh": (INEXACT, _op(hlo.TanhOp), _same, "stablehlo.tanh"),
    "asinh": (INEXACT, _op(chlo.AsinhOp), _same, "chlo.asinh"),
    "acosh": (INEXACT, _op(chlo.AcoshOp), _same, "chlo.acosh"),
    "atanh": (INEXACT, _op(chlo.AtanhOp), _same, "chlo.atanh"),
    "logistic": (INEXACT, _op(hlo.LogisticOp), _same, "stablehlo.logistic"),
    "erf": (FLOAT, _op(chlo.ErfOp), _same, "chlo.erf"),
    "erfc": (FLOAT, _op(chlo.ErfcOp), _same, "chlo.erfc"),
    "erf_inv": (FLOAT, _op(chlo.ErfInvOp), _same, "chlo.erf_inv"),
    "lgamma": (FLOAT, _op(chlo.LgammaOp), _same, "chlo.lgamma"),
    "digamma": (FLOAT, _op(chlo.DigammaOp), _same, "chlo.digamma"),
    "real": (COMPLEX, _op(hlo.RealOp), _real_of, "stablehlo.real"),
    "imag": (COMPLEX, _op(hlo.ImagOp), _real_of, "stablehlo.imag"),
    "conj": (COMPLEX, _op(chlo.ConjOp), _same, "chlo.conj"),
    "not": (BOOL | INT, _op(hlo.NotOp), _same, "stablehlo.not"),
    "population_count": (INT, _op(hlo.PopulationCountOp), _same, "stablehlo.popcnt"),
    "clz": (INT, _op(hlo.ClzOp), _same, "stablehlo.count_leading_zeros"),
}

# --- binary ops ------------------------------------------------------------------------
_BINARY = {
    "add": (NUM, _op(hlo.AddOp), _same, "stablehlo.add"),
    "sub": (NUM, _op(hlo.SubtractOp), _same, "stablehlo.subtract"),
    "mul": (NUM, _op(hlo.MulOp), _same, "stablehlo.multiply"),
    "div": (NUM, _op(hlo.DivOp), _same, "stablehlo.divide"),
    "rem": (INT | FLOAT, _op(hlo.RemOp), _same, "stablehlo.remainder"),
    "pow": (INEXACT, _op(hlo.PowOp), _same, "stablehlo.power"),
    "max": (ANY, lambda ctx, x, y: _minmax_lower(ctx, x, y, hlo.MaxOp, "GT"), _same, "stablehlo.maximum"),
    "min": (ANY, lambda ctx, x, y: _minmax_lower(ctx, x, y, hlo.MinOp, "LT"), _same, "stablehlo.minimum"),
    "atan2": (FLOAT, _op(hlo.Atan2Op), _same, "stablehlo.atan2"),
    "nextafter": (FLOAT, _op(chlo.NextAfterOp), _same, "chlo.next_after"),
    "complex": (FLOAT, _op(hlo.ComplexOp), dtypes.complex_dtype, "stablehlo.complex"),
    "and": (BOOL | INT, _op(hlo.AndOp), _same, "stablehlo.and"),
    "or": (BOOL | INT, _op(hlo.OrOp), _same, "stablehlo.or"),
    "xor": (BOOL | INT, _op(hlo.XorOp), _same, "stablehlo.xor"),
    "shift_left": (INT, _op(hlo.ShiftLeftOp), _same, "stablehlo.shift_left"),
    "shift_right_logical": (INT, _op(hlo.ShiftRightLogicalOp), _same, "stablehlo.shift_right_logical"),
    "shift_right_arithmetic": (INT, _op(hlo.ShiftRightArithmeticOp), _same,
                               "stablehlo.shift_right_arithmetic"),
}


def _sign_lower(ctx, x):
    # Note: stablehlo.sign rejects unsigned integers; their sign is min(x, 1).
    if ctx.avals_in[0].dtype.kind == "u":
        return hlo.MinOp(x, lowering.full_like_aval(1, ctx.avals_in[0])).result
    return hlo.SignOp(x).result


def _minmax_lower(ctx, x, y, op, direction):
    # Note: XLA orders complex numbers by real part only; NumPy (and JAX) order them
    # lexicographically by (real, imag), so complex max/min compare and select.
    if not dtypes.is_complex(ctx.avals_in[0].dtype):
        return op(x, y).result
    def cmp(a, b, d):
        return hlo.CompareOp(a, b, hlo.ComparisonDirectionAttr.get(d),
                             compare_type=hlo.ComparisonTypeAttr.get("FLOAT")).result
    rx, ry, ix, iy = hlo.RealOp(x).result, hlo.RealOp(y).result, hlo.ImagOp(x).result, hlo.ImagOp(y).result
    pick_x = hlo.OrOp(cmp(rx, ry, direction),
                      hlo.AndOp(cmp(rx, ry, "EQ"), cmp(ix, iy, direction)).result).result
    return hlo.SelectOp(pick_x, x, y).result


def _compare_type(dtype) -> str:
    if dtypes.is_inexact(dtype):
        return "FLOAT"
    return "SIGNED" if dtypes.is_signed(dtype) else "UNSIGNED"


def _compare_lowering(direction):
    def lower(ctx, x, y):
        return hlo.CompareOp(x, y, hlo.ComparisonDirectionAttr.get(direction),
                             compare_type=hlo.ComparisonTypeAttr.get(
                                 _compare_type(ctx.avals_in[0].dtype))).result
    return lower


_COMPARISONS = {"eq": (ANY, "EQ"), "ne": (ANY, "NE"), "lt": (ORDERED, "LT"),
                "le": (ORDERED, "LE"), "gt": (ORDERED, "GT"), "ge": (ORDERED, "GE")}

# StableHLO op names, by primitive name, for the lowering test.
HLO_OPS: dict[str, str] = {}
PRIMITIVES: dict[str, Primitive] = {}

for _name, (_acc, _lower, _out, _opname) in {**_UNARY, **_BINARY}.items():
    PRIMITIVES[_name] = naryop(_name, _acc, _lower, 1 if _name in _UNARY else 2, _out)
    HLO_OPS[_name] = _opname
for _name, (_acc, _dir) in _COMPARISONS.items():
    PRIMITIVES[_name] = naryop(_name, _acc, _compare_lowering(_dir), 2, _to_bool)
    HLO_OPS[_name] = "stablehlo.compare"

globals().update({f"{n}_p": p for n, p in PRIMITIVES.items()})

neg = _public(neg_p, "Elementwise negation, -x (stablehlo.negate).")
sign = _public(sign_p, "Elementwise sign: -1, 0 or 1 (stablehlo.sign).")
floor = _public(floor_p, "Elementwise floor (stablehlo.floor).")
ceil = _public(ceil_p, "Elementwise ceiling (stablehlo.ceil).")
is_finite = _public(is_finite_p, "Elementwise test for finite values (stablehlo.is_finite).")
exp = _public(exp_p, "Elementwise exponential (stablehlo.exponential).")
expm1 = _public(expm1_p, "Elementwise exp(x) - 1 (stablehlo.exponential_minus_one).")
log = _public(log_p, "Elementwise natural logarithm (stablehlo.log).")
log1p = _public(log1p_p, "Elementwise log(1 + x) (stablehlo.log_plus_one).")
sqrt = _public(sqrt_p, "Elementwise square root (stablehlo.sqrt).")
rsqrt = _public(rsqrt_p, "Elementwise reciprocal square root (stablehlo.rsqrt).")
cbrt = _public(cbrt_p, "Elementwise cube root (stablehlo.cbrt).")
sin = _public(sin_p, "Elementwise sine (stablehlo.sine).")
cos = _public(cos_p, "Elementwise cosine (stablehlo.cosine).")
tan = _public(tan_p, "Elementwise tangent (stablehlo.tan).")
asin = _public(asin_p, "Elementwise arc sine (chlo.asin).")
acos = _public(acos_p, "Elementwise arc cosine (chlo.acos).")
atan = _public(atan_p, "Elementwise arc tangent (chlo.atan).")
sinh = _public(sinh_p, "Elementwise hyperbolic sine (chlo.sinh).")
cosh = _public(cosh_p, "Elementwise hyperbolic cosine (chlo.cosh).")
tanh = _public(tanh_p, "Elementwise hyperbolic tangent (stablehlo.tanh).")
asinh = _public(asinh_p, "Elementwise inverse hyperbolic sine (chlo.asinh).")
acosh = _public(acosh_p, "Elementwise inverse hyperbolic cosine (chlo.acosh).")
atanh = _public(atanh_p, "Elementwise inverse hyperbolic tangent (chlo.atanh).")
logistic = _public(logistic_p, "Elementwise logistic sigmoid 1/(1+exp(-x)) (stablehlo.logistic).")
erf = _public(erf_p, "Elementwise error function (chlo.erf).")
erfc = _public(erfc_p, "Elementwise complementary error function (chlo.erfc).")
erf_inv = _public(erf_inv_p, "Elementwise inverse error function (chlo.erf_inv).")
lgamma = _public(lgamma_p, "Elementwise log |Gamma(x)| (chlo.lgamma).")
digamma = _public(digamma_p, "Elementwise digamma psi(x) (chlo.digamma).")
real = _public(real_p, "Real part of a complex array (stablehlo.real).")
imag = _public(imag_p, "Imaginary part of a complex array (stablehlo.imag).")
conj = _public(conj_p, "Complex conjugate (chlo.conj).")
bitwise_not = _public(not_p, "Elementwise logical/bitwise NOT (stablehlo.not).")
population_count = _public(population_count_p, "Number of set bits (stablehlo.popcnt).")
clz = _public(clz_p, "Number of leading zero bits (stablehlo.count_leading_zeros).")
add = _public(add_p, "Elementwise x + y (stablehlo.add).")
sub = _public(sub_p, "Elementwise x - y (stablehlo.subtract).")
mul = _public(mul_p, "Elementwise x * y (stablehlo.multiply).")
div = _public(div_p, "Elementwise x / y; integer division rounds toward zero (stablehlo.divide).")
rem = _public(rem_p, "Elementwise remainder with the sign of x, like C fmod (stablehlo.remainder).")
pow = _public(pow_p, "Elementwise x ** y (stablehlo.power).")
max = _public(max_p, "Elementwise maximum, propagating NaN (stablehlo.maximum).")
min = _public(min_p, "Elementwise minimum, propagating NaN (stablehlo.minimum).")
atan2 = _public(atan2_p, "Elementwise arc tangent of x / y (stablehlo.atan2).")
nextafter = _public(nextafter_p, "Next representable value after x towards y (chlo.next_after).")
complex = _public(complex_p, "x + i*y from real and imaginary parts (stablehlo.complex).")
bitwise_and = _public(and_p, "Elementwise logical/bitwise AND (stablehlo.and).")
bitwise_or = _public(or_p, "Elementwise logical/bitwise OR (stablehlo.or).")
bitwise_xor = _public(xor_p, "Elementwise logical/bitwise XOR (stablehlo.xor).")
shift_left = _public(shift_left_p, "x << y (stablehlo.shift_left).")
shift_right_logical = _public(shift_right_logical_p, "Logical x >> y (stablehlo.shift_right_logical).")
shift_right_arithmetic = _public(shift_right_arithmetic_p,
                                 "Arithmetic x >> y (stablehlo.shift_right_arithmetic).")
eq = _public(eq_p, "Elementwise x == y (stablehlo.compare EQ).")
ne = _public(ne_p, "Elementwise x != y (stablehlo.compare NE).")
lt = _public(lt_p, "Elementwise x < y (stablehlo.compare LT).")
le = _public(le_p, "Elementwise x <= y (stablehlo.compare LE).")
gt = _public(gt_p, "Elementwise x > y (stablehlo.compare GT).")
ge = _public(ge_p, "Elementwise x >= y (stablehlo.compare GE).")


# --- elementwise primitives with parameters ---------------------------------------------

def _integer_pow_lower(ctx, x, *, y):
    return hlo.PowOp(x, lowering.full_like_aval(y, ctx.avals_in[0])).result


integer_pow_p = naryop("integer_pow", NUM, _integer_pow_lower, 1)
HLO_OPS["integer_pow"] = "stablehlo.power"


def integer_pow(x, y: int):
    """x ** y for a static integer y (stablehlo.power with a constant exponent)."""
    x = as_operand(x)
    if get_aval(x).dtype.kind in "iu" and y < 0:
        raise ValueError(f"Integers cannot be raised to negative powers, got integer_pow(x, {y})")
    return integer_pow_p.bind(x, y=int(y))


class RoundingMethod:
    """How `round` breaks ties (as jax.lax.RoundingMethod)."""
    AWAY_FROM_ZERO = 0
    TO_NEAREST_EVEN = 1


def _round_lower(ctx, x, *, rounding_method):
    op = hlo.RoundNearestEvenOp if rounding_method == RoundingMethod.TO_NEAREST_EVEN else hlo.RoundOp
    return op(x).result


round_p = naryop("round", FLOAT, _round_lower, 1)
HLO_OPS["round"] = "stablehlo.round_nearest_afz"


def round(x, rounding_method: int = RoundingMethod.AWAY_FROM_ZERO):
    """Round to the nearest integer; ties away from zero or to even
    (stablehlo.round_nearest_afz / round_nearest_even)."""
    return round_p.bind(as_operand(x), rounding_method=int(rounding_method))


def _exp2_lower(ctx, x):
    return hlo.PowOp(lowering.full_like_aval(2, ctx.avals_in[0]), x).result


exp2_p = naryop("exp2", INEXACT, _exp2_lower, 1)
HLO_OPS["exp2"] = "stablehlo.power"
exp2 = _public(exp2_p, "Elementwise 2 ** x (stablehlo.power with base 2).")

polygamma_p = naryop("polygamma", FLOAT, _op(chlo.PolygammaOp), 2)
HLO_OPS["polygamma"] = "chlo.polygamma"
polygamma = _public(polygamma_p, "Polygamma function of order m at x (chlo.polygamma).")


# --- select_n and clamp ------------------------------------------------------------------

def _select_n_abstract_eval(which, *cases):
    if not cases:
        raise TypeError("select_n requires at least one case")
    check_same_dtypes("select_n", cases)
    check_same_shapes("select_n", cases)
    if which.shape and which.shape != cases[0].shape:
        raise TypeError(f"select_n `which` must be scalar or have the same shape as cases, "
                        f"got which shape {which.shape} and case shape {cases[0].shape}")
    if which.dtype == np.bool_:
        if len(cases) > 2:
            raise TypeError(f"select_n with a boolean `which` takes at most 2 cases, got {len(cases)}")
    elif which.dtype != np.int32:
        raise TypeError(f"select_n `which` must be bool or int32, got {which.dtype}")
    return ShapedArray(cases[0].shape, cases[0].dtype, weak(*cases))


def _select_n_lower(ctx, which, *cases):
    # Note: a bool or two-case select is one stablehlo.select; more cases make a balanced
    # tree of selects on comparisons of `which`, since StableHLO has no n-way select.
    which_aval, case_aval = ctx.avals_in[0], ctx.avals_in[1]
    if which_aval.shape != case_aval.shape:
        which = hlo.BroadcastInDimOp(lowering.ir_type(which_aval.update(shape=case_aval.shape)),
                                     which, ir.DenseI64ArrayAttr.get([])).result
        which_aval = which_aval.update(shape=case_aval.shape)
    return _select_tree(which, which_aval, list(cases), 0)


def _select_tree(which, which_aval, cases, offset):
    if len(cases) == 1:
        return cases[0]
    if which_aval.dtype == np.bool_:
        return hlo.SelectOp(which, cases[1], cases[0]).result
    mid = len(cases) // 2
    pred = hlo.CompareOp(which, lowering.full_like_aval(offset + mid, which_aval),
                         hlo.ComparisonDirectionAttr.get("LT"),
                         compare_type=hlo.ComparisonTypeAttr.get("SIGNED")).result
    return hlo.SelectOp(pred, _select_tree(which, which_aval, cases[:mid], offset),
                        _select_tree(which, which_aval, cases[mid:], offset + mid)).result


def _select_n_jvp(primals, tangents):
    which, *cases = primals
    out = select_n_p.bind(which, *cases)
    if all(type(t) is Zero for t in tangents[1:]):
        return out, Zero.like(out)
    return out, select_n_p.bind(which, *map(ad.instantiate, tangents[1:]))


def _select_n_transpose(ct, which, *cases):
    zeros = full_like(ct, 0)
    return [None] + [select_n_p.bind(which, *[ct if j == i else zeros for j in range(len(cases))])
                     if ad.is_undefined(c) else None for i, c in enumerate(cases)]


def _select_n_batch(axis_size, vals, dims):
    from npaccel.transforms.batching import bdim_at_front
    vals = [bdim_at_front(v, d, axis_size) for v, d in zip(vals, dims)]
    which, *cases = vals
    shape = get_aval(cases[0]).shape
    if get_aval(which).shape != shape:
        nd = get_aval(which).ndim
        which = broadcast_in_dim(which, shape, tuple(range(nd)))
    return select_n_p.bind(which, *cases), 0


select_n_p = standard_primitive("select_n", _select_n_abstract_eval, _select_n_lower)
ad.jvp_rules[select_n_p] = _select_n_jvp
transpose_rules[select_n_p] = _select_n_transpose
batching_rules[select_n_p] = _select_n_batch
HLO_OPS["select_n"] = "stablehlo.select"


def select_n(which, *cases):
    """cases[which] elementwise; `which` is bool (2 cases) or int32 (stablehlo.select)."""
    cases = _broadcast_scalars(cases)
    return select_n_p.bind(as_operand(which), *cases)


def select(pred, on_true, on_false):
    """on_true where pred else on_false (stablehlo.select)."""
    return select_n(pred, on_false, on_true)


def _clamp_abstract_eval(lo, x, hi):
    check_dtype("clamp", ORDERED, x)
    check_same_dtypes("clamp", [lo, x, hi])
    for bound in (lo, hi):
        if bound.shape and bound.shape != x.shape:
            raise TypeError(f"clamp requires min and max to be scalars or the shape of the "
                            f"operand, got {lo.shape}, {x.shape}, {hi.shape}")
    return x.update(weak_type=weak(lo, x, hi))


def _clamp_batch(axis_size, vals, dims):
    from npaccel.transforms.batching import bdim_at_front
    lo, x, hi = [bdim_at_front(v, d, axis_size) for v, d in zip(vals, dims)]
    shape = get_aval(x).shape
    lo, hi = [b if get_aval(b).shape == shape else
              broadcast_in_dim(b, shape, (0,) if get_aval(b).ndim == 1 else ()) for b in (lo, hi)]
    return clamp_p.bind(lo, x, hi), 0


clamp_p = standard_primitive("clamp", _clamp_abstract_eval, _op(hlo.ClampOp))
batching_rules[clamp_p] = _clamp_batch
HLO_OPS["clamp"] = "stablehlo.clamp"


def _broadcast_bound(b, x):
    return b if get_aval(b).shape == get_aval(x).shape else full_like(x, b)


def _clamp_jvp_operand(g, lo, x, hi):
    inside = bitwise_and(gt(x, _broadcast_bound(lo, x)), lt(x, _broadcast_bound(hi, x)))
    return select(inside, g, full_like(g, 0))


def _clamp_jvp_bound(g, lo, x, hi, *, below: bool):
    bound = lo if below else hi
    g = _broadcast_bound(g, x)
    hit = lt(x, _broadcast_bound(bound, x)) if below else gt(x, _broadcast_bound(bound, x))
    return select(hit, g, full_like(g, 0))


defjvp(clamp_p, partial(_clamp_jvp_bound, below=True), _clamp_jvp_operand,
       partial(_clamp_jvp_bound, below=False))


def clamp(min, x, max):
    """x clipped to [min, max]; min and max are scalars or of x's shape (stablehlo.clamp)."""
    lo, x, hi = coerce_scalars(*map(as_operand, (min, x, max)))
    return clamp_p.bind(lo, x, hi)


# --- derivatives ----------------------------------------------------------------------------

def _c(x, value):
    """`value` as an array shaped and typed like x."""
    return full_like(x, value)


def _zeros(x):
    return full_like(x, 0)


def _square(x):
    return mul(x, x)



# Linear ops: add, sub, neg (and the complex parts) -------------------------------------
def _add_jvp(primals, tangents):
    x, y = primals
    tx, ty = tangents
    out = add_p.bind(x, y)
    if type(ty) is Zero:
        return out, tx
    if type(tx) is Zero:
        return out, ty
    return out, add(tx, ty)


def _sub_jvp(primals, tangents):
    x, y = primals
    tx, ty = tangents
    out = sub_p.bind(x, y)
    if type(ty) is Zero:
        return out, tx
    if type(tx) is Zero:
        return out, neg(ty)
    return out, sub(tx, ty)


ad.jvp_rules[add_p] = _add_jvp
ad.jvp_rules[sub_p] = _sub_jvp
transpose_rules[add_p] = lambda ct, x, y: [ct, ct]
transpose_rules[sub_p] = lambda ct, x, y: [ct, neg(ct)]
ad.deflinear(neg_p, lambda ct, x: [neg(ct)])
ad.deflinear(real_p, lambda ct, x: [complex(ct, _zeros(ct))])
ad.deflinear(imag_p, lambda ct, x: [complex(_zeros(ct), neg(ct))])
ad.deflinear(conj_p, lambda ct, x: [conj(ct)])
ad.deflinear(complex_p, lambda ct, x, y: [real(ct), imag(neg(ct))])

# Bilinear: mul, and div in its numerator --------------------------------------------------
defjvp(mul_p, lambda g, x, y: mul(g, y), lambda g, x, y: mul(x, g))
transpose_rules[mul_p] = lambda ct, x, y: [mul(ct, y) if ad.is_undefined(x) else None,
                                           mul(x, ct) if ad.is_undefined(y) else None]


def _div_jvp_rhs(g, x, y):
    return neg(mul(g, div(div(x, y), y)))


defjvp(div_p, lambda g, x, y: div(g, y), _div_jvp_rhs)


def _div_transpose(ct, x, y):
    if ad.is_undefined(y):
        raise ValueError("division is not linear in its denominator; cannot transpose")
    return [div(ct, y), None]


transpose_rules[div_p] = _div_transpose


def _rem_jvp_rhs(g, x, y):
    q = div(x, y)
    return mul(neg(g), mul(sign(q), floor(abs(q))))


defjvp(rem_p, lambda g, x, y: g, _rem_jvp_rhs)


# Powers ----------------------------------------------------------------------------------
def _pow_jvp_lhs(g, x, y):
    # d/dx x**y = y * x**(y-1); written to stay finite at x == 0 for y >= 1.
    return mul(g, mul(y, pow(x, sub(y, _c(y, 1)))))


def _pow_jvp_rhs(g, x, y):
    # d/dy x**y = log(x) * x**y, taken as 0 where x == 0 (the limit for y > 0).
    safe_x = select(eq(x, _zeros(x)), _c(x, 1), x)
    return mul(g, mul(log(safe_x), pow(x, y)))


defjvp(pow_p, _pow_jvp_lhs, _pow_jvp_rhs)


def _integer_pow_jvp(g, x, *, y):
    if y == 0:
        return _zeros(g)
    return mul(g, mul(_c(x, y), integer_pow(x, y - 1) if y != 1 else _c(x, 1)))


defjvp(integer_pow_p, _integer_pow_jvp)


# max/min: split the derivative evenly on ties, as JAX does --------------------------------
def _minmax_jvp(pick, g, x, y, *, other_side: bool):
    a, b = (y, x) if other_side else (x, y)
    w = select(pick(a, b), _c(g, 1), select(eq(a, b), _c(g, 0.5), _c(g, 0)))
    return mul(g, w)


defjvp(max_p, partial(_minmax_jvp, gt, other_side=False), partial(_minmax_jvp, gt, other_side=True))
defjvp(min_p, partial(_minmax_jvp, lt, other_side=False), partial(_minmax_jvp, lt, other_side=True))


def _abs_jvp(g, x):
    if dtypes.is_complex(get_aval(x).dtype):
        # d|z| = Re(conj(z) dz) / |z|, 0 at z == 0.
        r = abs(x)
        safe = select(eq(r, _zeros(r)), _c(r, 1), r)
        return div(real(mul(conj(x), g)), safe)
    return mul(g, sign(x))


def _abs_abstract_eval(x):
    check_dtype("abs", SIGNED_OR_INEXACT, x)
    return x.update(dtype=dtypes.real_dtype(x.dtype))


SIGNED_OR_INEXACT = DtypeClass("signed integer", dtypes.is_signed) | INEXACT
abs_p = standard_primitive("abs", _abs_abstract_eval, _op(hlo.AbsOp))
elementwise_batcher(abs_p)
defjvp(abs_p, _abs_jvp)
HLO_OPS["abs"] = "stablehlo.abs"
PRIMITIVES["abs"] = abs_p
abs = _public(abs_p, "Elementwise absolute value; |z| for complex z (stablehlo.abs).")

# Transcendentals ---------------------------------------------------------------------------
defjvp_with_output(exp_p, lambda g, ans, x: mul(g, ans))
defjvp_with_output(exp2_p, lambda g, ans, x: mul(g, mul(ans, _c(ans, math.log(2)))))
defjvp_with_output(expm1_p, lambda g, ans, x: mul(g, add(ans, _c(ans, 1))))
defjvp(log_p, lambda g, x: div(g, x))
defjvp(log1p_p, lambda g, x: div(g, add(x, _c(x, 1))))
defjvp_with_output(sqrt_p, lambda g, ans, x: div(g, mul(_c(ans, 2), ans)))
defjvp_with_output(rsqrt_p, lambda g, ans, x: mul(g, mul(_c(ans, -0.5), div(ans, x))))
defjvp_with_output(cbrt_p, lambda g, ans, x: mul(g, div(_c(ans, 1 / 3), _square(ans))))
defjvp(sin_p, lambda g, x: mul(g, cos(x)))
defjvp(cos_p, lambda g, x: neg(mul(g, sin(x))))
defjvp_with_output(tan_p, lambda g, ans, x: mul(g, add(_c(ans, 1), _square(ans))))
defjvp(asin_p, lambda g, x: mul(g, rsqrt(sub(_c(x, 1), _square(x)))))
defjvp(acos_p, lambda g, x: neg(mul(g, rsqrt(sub(_c(x, 1), _square(x))))))
defjvp(atan_p, lambda g, x: div(g, add(_c(x, 1), _square(x))))
defjvp(sinh_p, lambda g, x: mul(g, cosh(x)))
defjvp(cosh_p, lambda g, x: mul(g, sinh(x)))
defjvp_with_output(tanh_p, lambda g, ans, x: mul(g, sub(_c(ans, 1), _square(ans))))
defjvp(asinh_p, lambda g, x: mul(g, rsqrt(add(_square(x), _c(x, 1)))))
defjvp(acosh_p, lambda g, x: mul(g, rsqrt(mul(sub(x, _c(x, 1)), add(x, _c(x, 1))))))
defjvp(atanh_p, lambda g, x: div(g, sub(_c(x, 1), _square(x))))
defjvp_with_output(logistic_p, lambda g, ans, x: mul(g, mul(ans, sub(_c(ans, 1), ans))))
defjvp(erf_p, lambda g, x: mul(g, mul(_c(x, 2 / math.sqrt(math.pi)), exp(neg(_square(x))))))
defjvp(erfc_p, lambda g, x: mul(g, mul(_c(x, -2 / math.sqrt(math.pi)), exp(neg(_square(x))))))
defjvp_with_output(erf_inv_p, lambda g, ans, x: mul(g, mul(_c(x, math.sqrt(math.pi) / 2),
                                                             exp(_square(ans)))))
defjvp(lgamma_p, lambda g, x: mul(g, digamma(x)))
defjvp(digamma_p, lambda g, x: mul(g, polygamma(_c(x, 1), x)))
defjvp(polygamma_p, None, lambda g, m, x: mul(g, polygamma(add(m, _c(m, 1)), x)))


def _atan2_denominator(x, y):
    return add(_square(x), _square(y))


defjvp(atan2_p, lambda g, x, y: mul(g, div(y, _atan2_denominator(x, y))),
       lambda g, x, y: neg(mul(g, div(x, _atan2_denominator(x, y)))))

# Piecewise constant and non-differentiable ops ----------------------------------------------
for _prim in (sign_p, floor_p, ceil_p, round_p, is_finite_p, nextafter_p, not_p,
              population_count_p, clz_p, and_p, or_p, xor_p, shift_left_p,
              shift_right_logical_p, shift_right_arithmetic_p,
              eq_p, ne_p, lt_p, le_p, gt_p, ge_p):
    defjvp_zero(_prim)


# --- stop_gradient ------------------------------------------------------------------------
# Note: stop_gradient is the identity on values, so it lowers to no op at all; it exists
# only for its zero derivative.
stop_gradient_p = standard_primitive("stop_gradient", lambda x: x, lambda ctx, x: x)
defjvp_zero(stop_gradient_p)
batching_rules[stop_gradient_p] = lambda size, vals, dims: (stop_gradient_p.bind(*vals), dims[0])


def stop_gradient(x):
    """x, with zero derivative (applies to every leaf of a pytree)."""
    from npaccel.core import tree_util
    return tree_util.tree_map(lambda leaf: stop_gradient_p.bind(as_operand(leaf)), x)
