"""Elementwise lax primitives against NumPy/SciPy (see tests/harness.py for the checks)."""
from functools import partial

import numpy as np
import scipy.special

from npaccel import lax
from harness import (ALL, BOOL, COMPLEX, FLOATS, INEXACT, INTS, NUMERIC, SIGNED, UNSIGNED,
                     OpRecord, op_tests, rand_default, rand_nonzero, rand_positive,
                     rand_small_int, rand_uniform)

UNARY_SHAPES = [((3,),), ((2, 3),), ((),), ((0,),)]
BINARY_SHAPES = [((3,), (3,)), ((2, 3), (2, 3)), ((), ()), ((0, 2), (0, 2))]
REAL_FLOATS = FLOATS


def _unary(name, ref, dtypes, rng=rand_default, hlo=None, **kw):
    return OpRecord(name, getattr(lax, name), ref, UNARY_SHAPES, dtypes, rng=rng,
                    hlo_ops=[hlo] if hlo else (), **kw)


def _binary(name, ref, dtypes, rng=rand_default, hlo=None, **kw):
    return OpRecord(name, getattr(lax, name), ref, BINARY_SHAPES, dtypes, rng=rng,
                    hlo_ops=[hlo] if hlo else (), **kw)


def _trunc_div(x, y):
    if x.dtype.kind in "iu":
        q = np.abs(x.astype(np.int64)) // np.abs(y.astype(np.int64))
        return (np.sign(x.astype(np.int64)) * np.sign(y.astype(np.int64)) * q).astype(x.dtype)
    return x / y


def _round_afz(x):
    return (np.sign(x) * np.floor(np.abs(x.astype(np.float64)) + 0.5)).astype(x.dtype)


def _halves(rng, shape, dtype):
    return (rng.integers(-10, 10, size=shape) / 2).astype(dtype)


def _with_specials(rng, shape, dtype):
    x = rand_default(rng, shape, dtype)
    flat = x.reshape(-1)
    specials = np.array([np.inf, -np.inf, np.nan], dtype)
    flat[:min(3, flat.size)] = specials[:min(3, flat.size)]
    return x


def _gaussian_ints(rng, shape, dtype):
    """Complex numbers with small integer parts: equal real parts (ties) are common."""
    return (rng.integers(-1, 2, shape) + 1j * rng.integers(-2, 3, shape)).astype(dtype)


def _clz(x):
    bits = x.dtype.itemsize * 8
    u = x.view(np.dtype(f"u{x.dtype.itemsize}"))
    out = np.array([bits - int(v).bit_length() for v in u.reshape(-1)], dtype=np.int64)
    return out.reshape(x.shape).astype(x.dtype)


def _as_unsigned(f):
    def g(x, y):
        u = np.dtype(f"u{x.dtype.itemsize}")
        return f(x.view(u), y.view(u)).view(x.dtype)
    return g


def _shift_amount(rng, shape, dtype):
    return rng.integers(0, np.dtype(dtype).itemsize * 8, size=shape).astype(dtype)


def _unit(rng, shape, dtype):
    return rng.uniform(-0.9, 0.9, size=shape).astype(dtype)


def _complex_unit(rng, shape, dtype):
    if np.dtype(dtype).kind == "c":
        return (0.5 * (rng.uniform(-0.9, 0.9, shape) + 1j * rng.uniform(-0.9, 0.9, shape))).astype(dtype)
    return _unit(rng, shape, dtype)


RECORDS = [
    _unary("neg", np.negative, NUMERIC, hlo="stablehlo.negate"),
    _unary("sign", np.sign, SIGNED + INEXACT, hlo="stablehlo.sign", grad=False),
    OpRecord("sign_unsigned", lax.sign, np.sign, UNARY_SHAPES, UNSIGNED, grad=False),
    _unary("floor", np.floor, REAL_FLOATS, hlo="stablehlo.floor", grad=False),
    _unary("ceil", np.ceil, REAL_FLOATS, hlo="stablehlo.ceil", grad=False),
    _unary("is_finite", np.isfinite, REAL_FLOATS, rng=_with_specials, hlo="stablehlo.is_finite",
           grad=False),
    _unary("exp", np.exp, INEXACT, hlo="stablehlo.exponential"),
    _unary("exp2", np.exp2, INEXACT, hlo="stablehlo.power"),
    _unary("expm1", np.expm1, INEXACT, hlo="stablehlo.exponential_minus_one"),
    _unary("log", np.log, INEXACT, rng=rand_positive, hlo="stablehlo.log"),
    _unary("log1p", np.log1p, INEXACT, rng=rand_positive, hlo="stablehlo.log_plus_one"),
    _unary("sqrt", np.sqrt, INEXACT, rng=rand_positive, hlo="stablehlo.sqrt"),
    _unary("rsqrt", lambda x: (1 / np.sqrt(x)).astype(x.dtype), INEXACT, rng=rand_positive,
           hlo="stablehlo.rsqrt"),
    _unary("cbrt", np.cbrt, REAL_FLOATS, rng=rand_positive, hlo="stablehlo.cbrt"),
    _unary("sin", np.sin, INEXACT, hlo="stablehlo.sine"),
    _unary("cos", np.cos, INEXACT, hlo="stablehlo.cosine"),
    _unary("tan", np.tan, INEXACT, rng=_unit, hlo="stablehlo.tan"),
    _unary("asin", np.arcsin, INEXACT, rng=_complex_unit, hlo="chlo.asin"),
    _unary("acos", np.arccos, INEXACT, rng=_complex_unit, hlo="chlo.acos"),
    _unary("atan", np.arctan, INEXACT, rng=_complex_unit, hlo="chlo.atan"),
    _unary("sinh", np.sinh, INEXACT, hlo="chlo.sinh"),
    _unary("cosh", np.cosh, INEXACT, hlo="chlo.cosh"),
    _unary("tanh", np.tanh, INEXACT, hlo="stablehlo.tanh"),
    _unary("asinh", np.arcsinh, INEXACT, hlo="chlo.asinh"),
    _unary("acosh", np.arccosh, REAL_FLOATS, rng=rand_uniform(1.2, 3.0), hlo="chlo.acosh"),
    _unary("atanh", np.arctanh, INEXACT, rng=_complex_unit, hlo="chlo.atanh"),
    _unary("logistic", lambda x: scipy.special.expit(x).astype(x.dtype), INEXACT[:4] + [np.complex128][:0],
           hlo="stablehlo.logistic"),
    _unary("erf", lambda x: scipy.special.erf(x).astype(x.dtype), REAL_FLOATS, hlo="chlo.erf"),
    _unary("erfc", lambda x: scipy.special.erfc(x).astype(x.dtype), REAL_FLOATS, hlo="chlo.erfc"),
    _unary("erf_inv", lambda x: scipy.special.erfinv(x).astype(x.dtype), REAL_FLOATS, rng=_unit,
           hlo="chlo.erf_inv"),
    _unary("lgamma", lambda x: scipy.special.gammaln(x).astype(x.dtype), REAL_FLOATS,
           rng=rand_positive, hlo="chlo.lgamma", grad_tol=1e-4),
    _unary("digamma", lambda x: scipy.special.digamma(x).astype(x.dtype), REAL_FLOATS,
           rng=rand_positive, hlo="chlo.digamma", grad_tol=1e-4, grad_order=1),
    _unary("real", np.real, COMPLEX, hlo="stablehlo.real"),
    _unary("imag", np.imag, COMPLEX, hlo="stablehlo.imag"),
    _unary("conj", np.conj, COMPLEX, hlo="chlo.conj"),
    _unary("abs", np.abs, SIGNED + INEXACT, rng=rand_nonzero, hlo="stablehlo.abs"),
    _unary("bitwise_not", np.invert, BOOL + INTS, hlo="stablehlo.not"),
    _unary("population_count", lambda x: np.bitwise_count(x.view(f"u{x.itemsize}")).astype(x.dtype), INTS,
           hlo="stablehlo.popcnt"),
    _unary("clz", _clz, INTS, hlo="stablehlo.count_leading_zeros"),
    OpRecord("round_afz", lax.round, _round_afz, UNARY_SHAPES, REAL_FLOATS, rng=_halves,
             hlo_ops=["stablehlo.round_nearest_afz"], grad=False),
    OpRecord("round_even", partial(lax.round, rounding_method=lax.RoundingMethod.TO_NEAREST_EVEN),
             np.round, UNARY_SHAPES, REAL_FLOATS, rng=_halves,
             hlo_ops=["stablehlo.round_nearest_even"], grad=False),
    OpRecord("integer_pow3", partial(lax.integer_pow, y=3), lambda x: x ** 3, UNARY_SHAPES,
             NUMERIC, hlo_ops=["stablehlo.power"]),
    OpRecord("integer_pow_neg2", partial(lax.integer_pow, y=-2),
             lambda x: (1 / x ** 2).astype(x.dtype), UNARY_SHAPES, INEXACT, rng=rand_positive),
    _binary("add", np.add, NUMERIC, hlo="stablehlo.add"),
    _binary("sub", np.subtract, NUMERIC, hlo="stablehlo.subtract"),
    _binary("mul", np.multiply, NUMERIC, hlo="stablehlo.multiply"),
    _binary("div", _trunc_div, NUMERIC, rng=[rand_default, rand_nonzero], hlo="stablehlo.divide"),
    _binary("rem", np.fmod, INTS + REAL_FLOATS, rng=[rand_default, rand_nonzero],
            hlo="stablehlo.remainder"),
    _binary("pow", np.power, INEXACT, rng=[rand_positive, rand_default], hlo="stablehlo.power"),
    _binary("max", np.maximum, ALL, hlo="stablehlo.maximum"),
    _binary("min", np.minimum, ALL, hlo="stablehlo.minimum"),
    OpRecord("max_complex_ties", lax.max, np.maximum, BINARY_SHAPES, COMPLEX, rng=_gaussian_ints,
             grad=False),
    OpRecord("min_complex_ties", lax.min, np.minimum, BINARY_SHAPES, COMPLEX, rng=_gaussian_ints,
             grad=False),
    _binary("atan2", np.arctan2, REAL_FLOATS, hlo="stablehlo.atan2"),
    _binary("nextafter", np.nextafter, [np.float32, np.float64], hlo="chlo.next_after", grad=False),
    _binary("complex", lambda x, y: x + 1j * y, [np.float32, np.float64], hlo="stablehlo.complex"),
    _binary("bitwise_and", np.bitwise_and, BOOL + INTS, hlo="stablehlo.and"),
    _binary("bitwise_or", np.bitwise_or, BOOL + INTS, hlo="stablehlo.or"),
    _binary("bitwise_xor", np.bitwise_xor, BOOL + INTS, hlo="stablehlo.xor"),
    _binary("shift_left", np.left_shift, INTS, rng=[rand_default, _shift_amount],
            hlo="stablehlo.shift_left"),
    _binary("shift_right_logical", _as_unsigned(np.right_shift), INTS,
            rng=[rand_default, _shift_amount], hlo="stablehlo.shift_right_logical"),
    _binary("shift_right_arithmetic", np.right_shift, SIGNED, rng=[rand_default, _shift_amount],
            hlo="stablehlo.shift_right_arithmetic"),
    _binary("polygamma", lambda m, x: scipy.special.polygamma(m, x).astype(x.dtype),
            [np.float32, np.float64], rng=[rand_small_int, rand_positive], hlo="chlo.polygamma",
            grad_argnums=[1], grad_order=1, grad_tol=1e-4),
] + [
    _binary(name, ref, dtypes, hlo="stablehlo.compare", grad=False)
    for name, ref, dtypes in [("eq", np.equal, ALL), ("ne", np.not_equal, ALL),
                              ("lt", np.less, BOOL + INTS + FLOATS), ("le", np.less_equal, BOOL + INTS + FLOATS),
                              ("gt", np.greater, BOOL + INTS + FLOATS), ("ge", np.greater_equal, BOOL + INTS + FLOATS)]
] + [
    OpRecord("select_n_bool", lax.select_n, lambda p, x, y: np.where(p, y, x), BINARY_SHAPES and
             [((3,), (3,), (3,)), ((2, 3), (2, 3), (2, 3)), ((), (), ())], NUMERIC,
             arg_dtypes=lambda d: [np.bool_, d, d], grad_argnums=[1, 2], hlo_ops=["stablehlo.select"]),
    OpRecord("select_n_int", lax.select_n, lambda i, *c: np.choose(i, c),
             [((4,), (4,), (4,), (4,)), ((2, 2), (2, 2), (2, 2), (2, 2))], [np.float32, np.float64, np.int32],
             arg_dtypes=lambda d: [np.int32, d, d, d], rng=[lambda r, s, d: r.integers(0, 3, s).astype(d),
                                                           rand_default, rand_default, rand_default],
             grad_argnums=[1, 2, 3]),
    OpRecord("clamp", lax.clamp, lambda lo, x, hi: np.clip(x, lo, hi).astype(x.dtype),
             [((), (5,), ()), ((2, 3), (2, 3), (2, 3))], INTS[:2] + FLOATS,
             rng=[lambda r, s, d: np.full(s, -0.5).astype(d), rand_default,
                  lambda r, s, d: np.full(s, 0.7).astype(d)], hlo_ops=["stablehlo.clamp"]),
]

globals().update(op_tests(RECORDS))
