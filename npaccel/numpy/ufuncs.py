"""NumPy's universal functions on lax: the `ufunc` class (numpy.ufunc) and every ufunc of
the `numpy` namespace, by NumPy's names and aliases.

A ufunc here is NumPy's ufunc of the same name for everything about types (its loops,
`resolve_dtypes`, so NEP 50 and NumPy's errors come for free) and a *kernel* for the
values: a lax function of operands already cast to the loop's input dtypes and broadcast
together. The methods (reduce, accumulate, reduceat, outer, at) use lax's dedicated
reductions, cumulative reductions and scatters where they exist, and a left fold with
lax.scan otherwise. Everything works on values (npaccel.Array, tracers, NumPy arrays);
`out=` and in-place updates belong to the dispatch layer.
"""
from __future__ import annotations

import math
import re
import warnings
from typing import Callable

import numpy as np

from npaccel.core import dtypes
from npaccel.core.trace import ConcretizationError, Tracer, get_aval
from npaccel.lax import control_flow as cf
from npaccel.lax import elementwise as ew
from npaccel.lax import reduction as red
from npaccel.lax import shape as lsh
from npaccel.lax import slicing
from npaccel.lax.contraction import dot_general
from npaccel.lax.convert import bitcast_convert_type, convert_element_type
from npaccel.lax.reduction import _highest, _lowest  # the identities of max and min
from npaccel.numpy import _core

_NO_VALUE = object()  # `initial` not given (None means "no identity", as in NumPy)


# --- small helpers on values -----------------------------------------------------------------

def _dt(x) -> np.dtype:
    return get_aval(x).dtype


def _shape(x) -> tuple[int, ...]:
    return get_aval(x).shape


def _c(x, value, dtype=None):
    """The scalar `value` filling x's shape (in x's dtype unless given)."""
    return lsh.full_like(x, value, dtype)


def _is_float(x) -> bool:
    return dtypes.is_float(_dt(x))


def _is_complex(x) -> bool:
    return dtypes.is_complex(_dt(x))


def _is_signed(x) -> bool:
    return dtypes.is_signed(_dt(x))


def _is_bool(x) -> bool:
    return dtypes.is_bool(_dt(x))


def _concrete(x):
    """x as a NumPy array if its value is known here (not under jit/vmap), else None."""
    if isinstance(x, Tracer):
        try:
            return x.concrete_value()
        except ConcretizationError:
            return None
    return np.asarray(x)


def _int_dtype_of(dtype) -> np.dtype:
    """The signed integer type of a float type's width (for bit manipulation)."""
    return np.dtype(f"int{np.dtype(dtype).itemsize * 8}")


def _astype(x, dtype):
    """_core.astype, with complex to bool as x != 0 (lax's conversion looks at the real
    part alone: bool(-2.5j) is True), and Python floats cast to integers as NumPy's loops
    cast them (unsafely: inf does not raise)."""
    if type(x) in (float, complex) and not dtypes.is_inexact(dtype):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(x).astype(dtype)
    if np.dtype(dtype) == np.bool_ and type(x) not in _core.PYTHON_SCALARS \
            and dtypes.is_complex(_core.dtype_of(x)):
        return ew.ne(x, lsh.full_like(x, 0))
    return _core.astype(x, dtype)


def _reshape(x, shape):
    return lsh.reshape(x, tuple(shape)) if _shape(x) != tuple(shape) else x


def _wide_float(kernel: Callable) -> Callable:
    """Run a float kernel in float32 for float16/bfloat16 operands, as NumPy's half loops
    do (they convert each element to float and back)."""
    def run(*args):
        narrow = [i for i, a in enumerate(args)
                  if not isinstance(a, tuple) and _dt(a) in (np.float16, dtypes.bfloat16)]
        if not narrow:
            return kernel(*args)
        dtype = _dt(args[narrow[0]])
        wide = [convert_element_type(a, np.float32) if i in narrow else a
                for i, a in enumerate(args)]
        out = kernel(*wide)
        cast = lambda o: convert_element_type(o, dtype) if _dt(o) == np.float32 else o  # noqa: E731
        return tuple(map(cast, out)) if isinstance(out, tuple) else cast(out)
    run.__name__ = kernel.__name__
    return run


# --- predicates --------------------------------------------------------------------------------

def _isnan(x):
    if _is_complex(x):
        return ew.bitwise_or(_isnan(ew.real(x)), _isnan(ew.imag(x)))
    return ew.ne(x, x) if _is_float(x) else _c(x, False, np.bool_)


def _isinf(x):
    if _is_complex(x):
        return ew.bitwise_or(_isinf(ew.real(x)), _isinf(ew.imag(x)))
    return ew.eq(ew.abs(x), _c(x, np.inf)) if _is_float(x) else _c(x, False, np.bool_)


def _isfinite(x):
    if _is_complex(x):
        return ew.bitwise_and(_isfinite(ew.real(x)), _isfinite(ew.imag(x)))
    return ew.is_finite(x) if _is_float(x) else _c(x, True, np.bool_)


def _signbit(x):
    bits = bitcast_convert_type(x, _int_dtype_of(_dt(x)))
    return ew.lt(bits, _c(bits, 0))


def _isnat(x):
    # Unreachable: NumPy's resolver accepts only datetime64/timedelta64, which npaccel
    # does not support (so every call raises NumPy's TypeError before this).
    raise TypeError("ufunc 'isnat' is only defined for np.datetime64 and np.timedelta64.")


def _truthy(x):
    return x if _is_bool(x) else ew.ne(x, _c(x, 0))


# --- arithmetic ----------------------------------------------------------------------------

def _add(x, y):
    return ew.bitwise_or(x, y) if _is_bool(x) else ew.add(x, y)   # bool add is logical or


def _multiply(x, y):
    return ew.bitwise_and(x, y) if _is_bool(x) else ew.mul(x, y)  # bool multiply is and


def _safe_divisor(y):
    """(y == 0, y with its zeros replaced by 1): NumPy's integer division by zero gives 0
    (with a warning we do not raise), XLA's is unspecified."""
    zero = ew.eq(y, _c(y, 0))
    return zero, ew.select(zero, _c(y, 1), y)


def _floors(r, y):
    """Where a truncated remainder r must move to the divisor's side (Python's rule)."""
    return ew.bitwise_and(ew.ne(r, _c(r, 0)), ew.ne(ew.lt(r, _c(r, 0)), ew.lt(y, _c(y, 0))))


def _int_divmod(x, y):
    zero, y = _safe_divisor(y)
    q, r = ew.div(x, y), ew.rem(x, y)
    if _is_signed(x):
        fix = _floors(r, y)
        q = ew.select(fix, ew.sub(q, _c(q, 1)), q)
        r = ew.select(fix, ew.add(r, y), r)
    return ew.select(zero, _c(q, 0), q), ew.select(zero, _c(r, 0), r)


@_wide_float
def _float_divmod(a, b):
    # npy_divmod: quotient and remainder from fmod, the remainder moved to the divisor's
    # side, the quotient snapped to an integer; b == 0 gives (a / b, fmod(a, b)).
    mod = ew.rem(a, b)
    div = ew.div(ew.sub(a, mod), b)
    fix = _floors(mod, b)
    mod = ew.select(fix, ew.add(mod, b), mod)
    div = ew.select(fix, ew.sub(div, _c(div, 1)), div)
    mod = ew.select(ew.eq(mod, _c(mod, 0)), _copysign(_c(mod, 0), b), mod)
    floor = ew.floor(div)
    floor = ew.select(ew.gt(ew.sub(div, floor), _c(div, 0.5)), ew.add(floor, _c(floor, 1)), floor)
    quotient = ew.div(a, b)
    floor = ew.select(ew.eq(div, _c(div, 0)), _copysign(_c(div, 0), quotient), floor)
    b_zero = ew.eq(b, _c(b, 0))
    return ew.select(b_zero, quotient, floor), ew.select(b_zero, ew.rem(a, b), mod)


def _divmod(x, y):
    return _float_divmod(x, y) if _is_float(x) else _int_divmod(x, y)


def _floor_divide(x, y):
    return _divmod(x, y)[0]


def _remainder(x, y):
    return _divmod(x, y)[1]


def _fmod(x, y):
    if _is_float(x):
        return ew.rem(x, y)           # stablehlo.remainder is C's fmod for floats
    zero, safe = _safe_divisor(y)
    return ew.select(zero, _c(x, 0), ew.rem(x, safe))


def _int_power(x, y):
    """x ** y for integers by repeated squaring over the bits of y."""
    def step(_, carry):
        acc, base, e = carry
        odd = ew.ne(ew.bitwise_and(e, _c(e, 1)), _c(e, 0))
        return (ew.select(odd, ew.mul(acc, base), acc), ew.mul(base, base),
                ew.shift_right_logical(e, _c(e, 1)))
    out = cf.fori_loop(0, _dt(x).itemsize * 8, step, (_c(x, 1), x, y))[0]
    if not _is_signed(y):
        return out
    # Note: NumPy raises for negative exponents; under jit they cannot be seen, so they
    # give the truncated value of 1 / x**-y (1 for x == 1, +-1 for x == -1, else 0).
    minus_one = ew.eq(x, _c(x, -1))
    odd = ew.ne(ew.bitwise_and(y, _c(y, 1)), _c(y, 0))
    inverse = ew.select(ew.eq(x, _c(x, 1)), _c(x, 1),
                        ew.select(minus_one, ew.select(odd, _c(x, -1), _c(x, 1)), _c(x, 0)))
    return ew.select(ew.lt(y, _c(y, 0)), inverse, out)


def _check_power(x, y):
    """NumPy raises for negative integer exponents it can see."""
    known = None if type(y) in _core.PYTHON_SCALARS else _concrete(y)
    if dtypes.is_integer(_core.dtype_of(x)) and known is not None and np.any(known < 0):
        raise ValueError("Integers to negative integer powers are not allowed.")


def _complex_pow(x, y):
    # npy_cpow at a zero base: 1 for a zero exponent, 0 for one with a positive real
    # part, NaN otherwise (exp(y log 0) would be NaN for every exponent).
    zero = _c(x, 0)
    base_zero = ew.eq(x, zero)
    pos = ew.gt(ew.real(y), _c(ew.real(y), 0))
    at_zero = ew.select(ew.eq(y, zero), _c(x, 1),
                        ew.select(pos, zero, _c(x, complex(np.nan, np.nan))))
    return ew.select(base_zero, at_zero, ew.pow(x, y))


def _float_power(x, y):
    return _complex_pow(x, y) if _is_complex(x) else ew.pow(x, y)


def _power(x, y):
    return _float_power(x, y) if dtypes.is_inexact(_dt(x)) else _int_power(x, y)


def _reciprocal(x):
    if dtypes.is_inexact(_dt(x)):
        return ew.div(_c(x, 1), x)
    # Note: NumPy computes 1.0 / x and casts back, whose value for x == 0 is undefined in
    # C (it differs by platform and width); 0 is given, as for integer division by zero.
    zero, safe = _safe_divisor(x)
    return ew.select(zero, _c(x, 0), ew.div(_c(x, 1), safe))


def _absolute(x):
    if _is_complex(x):
        # |z| is infinite when a part is, even beside a NaN (C's cabs; XLA gives NaN).
        return ew.select(_isinf(x), _c(ew.real(x), np.inf), ew.abs(x))
    return ew.abs(x) if _is_signed(x) or _is_float(x) else x


def _sign(x):
    if _is_complex(x):
        return _complex_sign(x)
    if dtypes.is_integer(_dt(x)) and not _is_signed(x):
        # lax.sign is stablehlo.sign, which rejects unsigned integers.
        return convert_element_type(ew.ne(x, _c(x, 0)), _dt(x))
    return ew.sign(x)


def _complex_sign(z):
    # NumPy 2: z / |z|, 0 at 0; an infinite part alone gives the unit in its direction
    # (even beside a NaN); both parts infinite, or a NaN without an infinity, give NaN.
    re_, im = ew.real(z), ew.imag(z)
    r = ew.abs(z)
    zero, at_zero = _c(re_, 0), ew.eq(r, _c(r, 0))
    r = ew.select(at_zero, _c(r, 1), r)
    # (part by part: a complex division by r+0j loses the sign of zero parts)
    unit = ew.complex(*[ew.select(at_zero, zero, ew.div(p, r)) for p in (re_, im)])
    re_inf, im_inf = _isinf(re_), _isinf(im)
    unit = ew.select(re_inf, ew.complex(ew.sign(re_), zero), unit)
    unit = ew.select(im_inf, ew.complex(zero, ew.sign(im)), unit)
    nan = ew.select(ew.bitwise_or(re_inf, im_inf), ew.bitwise_and(re_inf, im_inf), _isnan(z))
    return ew.select(nan, _c(z, complex(np.nan, np.nan)), unit)


def _rint(x):
    if _is_complex(x):
        return ew.complex(_rint(ew.real(x)), _rint(ew.imag(x)))
    return ew.round(x, ew.RoundingMethod.TO_NEAREST_EVEN)


def _trunc(x):
    if not _is_float(x):
        return x
    return ew.select(ew.lt(x, _c(x, 0)), ew.ceil(x), ew.floor(x))


def _integral(op):
    """floor/ceil: the identity on integers and bools (NumPy 2 has loops for them)."""
    return lambda x: op(x) if _is_float(x) else x


def _conjugate(x):
    return ew.conj(x) if _is_complex(x) else x


def _log_base(base: float):
    scale = 1 / math.log(base)

    def kernel(x):
        out = ew.log(x)
        if not _is_complex(x):
            return ew.mul(out, _c(x, scale))
        # Scale the parts: a complex product with (scale+0j) makes inf * 0 = NaN.
        re_, im = ew.real(out), ew.imag(out)
        return ew.complex(ew.mul(re_, _c(re_, scale)), ew.mul(im, _c(im, scale)))
    return kernel


def _conj_symmetric(kernel, odd: bool = False, lower: bool = False):
    """A complex function with f(conj z) = conj f(z) (and f(-z) = -f(z) if odd), computed
    where the signs of its parts are known (Im f >= 0 for Im z >= 0, <= 0 if lower; Re f
    >= 0 for Re z >= 0 if odd), which then follow the input's: XLA's complex functions
    lose the sign of zero parts on branch cuts (NumPy's sqrt(-4-0j) is -2j, not 2j)."""
    def run(z):
        if not _is_complex(z):
            return kernel(z)
        x, y = ew.real(z), ew.imag(z)
        w = kernel(ew.complex(ew.abs(x) if odd else x, ew.abs(y)))
        re_, im = ew.real(w), ew.imag(w)
        re_ = _copysign(re_, x) if odd else re_
        return ew.complex(re_, _copysign(im, ew.neg(y) if lower else y))
    run.__name__ = getattr(kernel, "__name__", "kernel")
    return run


def _scaled(factor: float):
    return lambda x: ew.mul(x, _c(x, factor))


# --- complex special values --------------------------------------------------------------------
# XLA's complex functions do not follow C99 Annex G where a part is infinite or NaN, nor
# keep the signs of zero parts; NumPy's (libm's) do. Each table below gives, for the parts
# of the operands, (mask, real part, imaginary part) cases (None keeps the kernel's part),
# the first that holds winning; other inputs keep the kernel's value.

def _and(*masks):
    out = masks[0]
    for m in masks[1:]:
        out = ew.bitwise_and(out, m)
    return out


def _or(*masks):
    out = masks[0]
    for m in masks[1:]:
        out = ew.bitwise_or(out, m)
    return out


def _zero(x):
    return ew.eq(x, _c(x, 0))


def _special_values(kernel, cases):
    """`kernel` with its complex results patched by the table `cases` (see above). The
    patch runs only when some part is zero or not finite (the cases look at no others):
    it computes several functions of the parts, which would double the cost of finite
    inputs."""
    def run(*zs):
        w = kernel(*zs)
        if not _is_complex(w):
            return w
        parts = [p for z in zs for p in (ew.real(z), ew.imag(z))]
        special = _or(*[ew.bitwise_not(ew.is_finite(p)) for p in parts], *map(_zero, parts))
        any_special = red.reduce_or(special, tuple(range(len(_shape(special)))))
        return cf.cond(any_special, lambda w, *parts: _patched(w, cases(*parts)),
                       lambda w, *parts: w, w, *parts)
    run.__name__ = getattr(kernel, "__name__", "kernel")
    return run


def _patched(w, cases):
    re_, im = ew.real(w), ew.imag(w)
    for mask, r, i in reversed(cases):
        re_ = re_ if r is None else ew.select(mask, _fill(re_, r), re_)
        im = im if i is None else ew.select(mask, _fill(im, i), im)
    return ew.complex(re_, im)


def _fill(like, value):
    return _c(like, value) if isinstance(value, float) else value


def _rotated(cases, extra=lambda x, y: []):
    """The cases of f(z) = -i g(iz) (sin, tan, arcsin, arctan) from g's, after `extra`."""
    def rotated(x, y):
        return extra(x, y) + [(m, i, None if r is None else ew.neg(_fill(x, r)))
                              for m, r, i in cases(ew.neg(y), x)]
    return rotated


def _exp_cases(x, y):
    ynf = ew.bitwise_not(ew.is_finite(y))
    return [(_zero(y), ew.exp(x), y),
            (_and(ew.eq(x, _c(x, np.inf)), ynf), np.inf, np.nan),
            (_and(ew.eq(x, _c(x, -np.inf)), ynf), 0.0, _copysign(_c(y, 0), y))]


def _exp2(x):
    if not _is_complex(x):
        return ew.exp2(x)
    # NumPy's complex exp2 is exp of the parts scaled by log(2) (2 ** z is NaN at infinities).
    ln2 = _c(ew.real(x), math.log(2))
    return ew.exp(ew.complex(ew.mul(ew.real(x), ln2), ew.mul(ew.imag(x), ln2)))


def _exp2_cases(x, y):
    return _exp_cases(ew.mul(x, _c(x, math.log(2))), ew.mul(y, _c(y, math.log(2))))


def _expm1_cases(x, y):
    # NumPy's own formula, at zero and non-finite parts.
    half = ew.sin(ew.mul(y, _c(y, 0.5)))
    re_ = ew.sub(ew.mul(ew.expm1(x), ew.cos(y)), ew.mul(_c(half, 2), ew.mul(half, half)))
    special = _or(ew.bitwise_not(_and(ew.is_finite(x), ew.is_finite(y))), _zero(x), _zero(y))
    return [(special, re_, ew.mul(ew.exp(x), ew.sin(y)))]


def _sinh_cases(x, y):
    ynf = ew.bitwise_not(ew.is_finite(y))
    return [(_zero(y), ew.sinh(x), y),
            (_and(_zero(x), ynf), x, np.nan),
            (_zero(x), ew.mul(x, ew.cos(y)), ew.sin(y)),
            (_and(_isinf(x), ynf), np.inf, np.nan)]


def _cosh_cases(x, y):
    ynf = ew.bitwise_not(ew.is_finite(y))
    flip = _and(_signbit(x), ew.bitwise_not(_isnan(x)))
    return [(_zero(y), ew.cosh(x), ew.select(flip, ew.neg(y), y)),
            (_and(_zero(x), ynf), np.nan, 0.0),
            (_zero(x), ew.cos(y), ew.mul(x, ew.sin(y))),
            (_and(_isinf(x), ynf), np.inf, np.nan)]


def _tanh_cases(x, y):
    twice = ew.select(ew.is_finite(y), ew.sin(ew.add(y, y)), y)
    return [(_zero(y), ew.tanh(x), y),
            (_zero(x), x, ew.tan(y)),
            (_isinf(x), _copysign(_c(x, 1), x), _copysign(_c(y, 0), twice))]


def _sqrt_cases(x, y):
    return [(_isinf(y), np.inf, y),
            (_and(ew.eq(x, _c(x, np.inf)), _isnan(y)), np.inf, np.nan),
            (_and(ew.eq(x, _c(x, -np.inf)), _isnan(y)), np.nan, np.inf)]


def _log_cases(x, y):
    return [(_or(_isinf(x), _isinf(y)), np.inf, None)]


def _asinh_cases(x, y):
    return [(_and(_isnan(x), _zero(y)), np.nan, y)]


def _atanh_cases(x, y):
    re_ = ew.select(_or(_zero(x), _isinf(x)), _copysign(_c(x, 0), x), _c(x, np.nan))
    return [(_or(_and(_isnan(x), ew.bitwise_not(_isinf(y))), _isnan(y)), re_, np.nan)]


def _reciprocal_cases(x, y):
    # NumPy's algorithm (Smith's, dividing by the larger part), at zero and non-finite parts.
    small_im = ew.le(ew.abs(y), ew.abs(x))
    r = ew.select(small_im, ew.div(y, x), ew.div(x, y))
    d = ew.select(small_im, ew.add(x, ew.mul(y, r)), ew.add(ew.mul(x, r), y))
    one = _c(d, 1)
    special = _or(ew.bitwise_not(_and(ew.is_finite(x), ew.is_finite(y))), _zero(x), _zero(y))
    return [(special, ew.div(ew.select(small_im, one, r), d),
             ew.neg(ew.div(ew.select(small_im, r, one), d)))]


def _divide_cases(a, b, c, d):
    # NumPy's algorithm (Smith's, with a zero divisor giving inf or NaN parts), at zero
    # and non-finite parts.
    by_re = ew.ge(ew.abs(c), ew.abs(d))
    rat = ew.select(by_re, ew.div(d, c), ew.div(c, d))
    scl = ew.div(_c(rat, 1), ew.select(by_re, ew.add(c, ew.mul(d, rat)), ew.add(d, ew.mul(c, rat))))
    re_ = ew.select(by_re, ew.add(a, ew.mul(b, rat)), ew.add(ew.mul(a, rat), b))
    im = ew.select(by_re, ew.sub(b, ew.mul(a, rat)), ew.sub(ew.mul(b, rat), a))
    re_, im = ew.mul(re_, scl), ew.mul(im, scl)
    zero = _and(_zero(c), _zero(d))
    re_ = ew.select(zero, ew.div(a, ew.abs(c)), re_)
    im = ew.select(zero, ew.div(b, ew.abs(c)), im)
    parts = (a, b, c, d)
    special = _or(*[ew.bitwise_not(ew.is_finite(p)) for p in parts], *map(_zero, parts))
    return [(special, re_, im)]


def _sin_cases(x, y):
    # (libm's csin gives +inf imaginary parts here, not the -i sinh(iz) of Annex G)
    return [(_and(_isinf(y), ew.bitwise_not(ew.is_finite(x))), np.nan, np.inf)]


def _cos_cases(x, y):
    return _cosh_cases(ew.neg(y), x)


def _acos_cases(x, y):
    return [(_and(_zero(x), _isnan(y)), math.pi / 2, np.nan)]


def _acosh_cases(x, y):
    return [(_and(_zero(x), _isnan(y)), np.nan, math.pi / 2)]


# --- float bit-level functions ---------------------------------------------------------------

def _copysign(x, y):
    # Negate where the sign bits differ: exact for zeros, infinities and NaNs, and
    # differentiable in x.
    return ew.select(ew.ne(_signbit(x), _signbit(y)), ew.neg(x), x)


def _float_layout(dtype):
    """(mantissa bits, exponent bias) of a float type."""
    info = dtypes.finfo(dtype)
    return int(info.nmant), int(info.maxexp) - 1


def _frexp(x):
    # On the bits alone (XLA's CPU arithmetic flushes subnormals to zero, integer ops do
    # not): the exponent field, and for subnormals the position of the leading one.
    # 0, inf and NaN give (x, 0), as C's frexp.
    dtype = _dt(x)
    itype = _int_dtype_of(dtype)
    nmant, bias = _float_layout(dtype)
    width = itype.itemsize * 8
    bits = bitcast_convert_type(x, itype)
    sign = ew.bitwise_and(bits, _c(bits, np.iinfo(itype).min))
    field = ew.bitwise_and(ew.shift_right_logical(bits, _c(bits, nmant)), _c(bits, 2 * bias + 1))
    frac = ew.bitwise_and(bits, _c(bits, (1 << nmant) - 1))
    subnormal = ew.eq(field, _c(field, 0))
    # A subnormal's leading one is at bit p = width - 1 - clz(frac); normalising moves it
    # to bit nmant (the implicit one), and the exponent becomes p + 2 - bias - nmant.
    top = ew.sub(_c(frac, width - 1), ew.clz(frac))
    frac = ew.select(subnormal, ew.shift_left(frac, ew.sub(_c(top, nmant), top)), frac)
    frac = ew.bitwise_and(frac, _c(frac, (1 << nmant) - 1))
    exponent = ew.select(subnormal, ew.add(top, _c(top, 2 - bias - nmant)),
                         ew.sub(field, _c(field, bias - 1)))
    mantissa = bitcast_convert_type(
        ew.bitwise_or(ew.bitwise_or(sign, frac), _c(bits, (bias - 1) << nmant)), dtype)
    magnitude = ew.bitwise_and(bits, _c(bits, np.iinfo(itype).max))
    special = ew.bitwise_or(ew.eq(magnitude, _c(magnitude, 0)),
                            ew.eq(field, _c(field, 2 * bias + 1)))
    exponent = convert_element_type(exponent, np.int32)
    return ew.select(special, x, mantissa), ew.select(special, _c(exponent, 0), exponent)


def _exp2_int(k, dtype):
    """2.0 ** k exactly, for integer k in the normal exponent range of `dtype`."""
    nmant, bias = _float_layout(dtype)
    itype = _int_dtype_of(dtype)
    k = convert_element_type(k, itype)
    return bitcast_convert_type(ew.shift_left(ew.add(k, _c(k, bias)), _c(k, nmant)), dtype)


def _ldexp(x, n):
    # x * 2**n as three exact power-of-two factors (n clipped to where the result has
    # saturated to 0 or inf), so no intermediate 2**k overflows.
    dtype = _dt(x)
    nmant, bias = _float_layout(dtype)
    limit = 2 * bias + nmant + 2
    n = ew.clamp(_c(n, -limit), n, _c(n, limit))
    third = ew.div(n, _c(n, 3))
    last = ew.sub(n, ew.mul(third, _c(third, 2)))
    for part in (third, third, last):
        x = ew.mul(x, _exp2_int(part, dtype))
    return x


def _modf(x):
    whole = _trunc(x)
    frac = ew.select(_isinf(x), _c(x, 0), ew.sub(x, whole))
    return _copysign(frac, x), whole


def _spacing(x):
    toward = _copysign(_c(x, np.inf), x)
    return ew.select(_isinf(x), _c(x, np.nan), ew.sub(ew.nextafter(x, toward), x))


def _heaviside(x, h0):
    zero, one = _c(x, 0), _c(x, 1)
    step = ew.select(ew.lt(x, zero), zero, ew.select(ew.gt(x, zero), one, h0))
    return ew.select(_isnan(x), x, step)


@_wide_float
def _hypot(x, y):
    a, b = ew.abs(x), ew.abs(y)
    big, small = ew.max(a, b), ew.min(a, b)
    safe = ew.select(ew.eq(big, _c(big, 0)), _c(big, 1), big)
    ratio = ew.div(small, safe)
    out = ew.mul(big, ew.sqrt(ew.add(_c(ratio, 1), ew.mul(ratio, ratio))))
    out = ew.select(ew.eq(big, _c(big, 0)), _c(big, 0), out)
    return ew.select(ew.bitwise_or(_isinf(x), _isinf(y)), _c(big, np.inf), out)


def _logaddexp_base(exp, log1p_, log_two):
    @_wide_float
    def kernel(x, y):
        # npy_logaddexp: equal arguments (infinities included) give x + log(2); otherwise
        # the larger plus log1p(exp(-|x - y|)); NaN differences stay NaN.
        diff = ew.sub(x, y)
        larger = ew.select(ew.gt(diff, _c(diff, 0)), x, y)
        out = ew.add(larger, log1p_(exp(ew.neg(ew.abs(diff)))))
        out = ew.select(_isnan(diff), diff, out)
        return ew.select(ew.eq(x, y), ew.add(x, _c(x, log_two)), out)
    return kernel


_logaddexp = _logaddexp_base(ew.exp, ew.log1p, math.log(2))
_logaddexp2 = _logaddexp_base(ew.exp2, lambda v: ew.mul(ew.log1p(v), _c(v, 1 / math.log(2))), 1.0)


# --- maxima and minima ----------------------------------------------------------------------

def _maximum_like(op):
    def kernel(x, y):
        out = op(x, y)                 # XLA's max/min propagate NaN for real floats
        if _is_complex(x):
            out = ew.select(_isnan(y), y, out)
            out = ew.select(_isnan(x), x, out)
        return out
    return kernel


def _fmax_like(op):
    def kernel(x, y):
        if not dtypes.is_inexact(_dt(x)):
            return op(x, y)
        out = ew.select(_isnan(x), y, op(x, y))
        return ew.select(_isnan(y), x, out)
    return kernel


# --- integers ------------------------------------------------------------------------------

def _unsigned_magnitudes(x, y):
    """|x| and |y| in the unsigned type of their width, as NumPy's gcd and lcm take them
    (so |INT_MIN| is exact)."""
    utype = np.dtype(f"uint{_dt(x).itemsize * 8}")
    return [convert_element_type(_absolute(v), utype) for v in (x, y)]


def _gcd_unsigned(a, b):
    # Euclid's algorithm, looping while any pair is unfinished.
    def cond(carry):
        return red.reduce_or(ew.ne(carry[1], _c(carry[1], 0)), tuple(range(len(_shape(a)))))

    def body(carry):
        a, b = carry
        done, safe = _safe_divisor(b)
        return ew.select(done, a, b), ew.select(done, _c(b, 0), ew.rem(a, safe))
    return cf.while_loop(cond, body, (a, b))[0]


def _gcd(x, y):
    return convert_element_type(_gcd_unsigned(*_unsigned_magnitudes(x, y)), _dt(x))


def _lcm(x, y):
    a, b = _unsigned_magnitudes(x, y)
    zero, safe = _safe_divisor(_gcd_unsigned(a, b))
    out = ew.select(zero, _c(a, 0), ew.mul(ew.div(a, safe), b))
    return convert_element_type(out, _dt(x))


def _right_shift(x, y):
    shift = ew.shift_right_arithmetic if _is_signed(x) else ew.shift_right_logical
    return shift(x, y)


def _bitwise_count(x):
    count = ew.population_count(_absolute(x))   # NumPy counts the bits of |x|
    return convert_element_type(count, np.uint8)


# --- comparisons ---------------------------------------------------------------------------

def _lexicographic(real_op, imag_op):
    """NumPy's complex order: `real_op` on the real parts when neither imaginary part is
    NaN, or equal real parts and `imag_op` on the imaginary parts."""
    def compare(x, y):
        xr, yr, xi, yi = ew.real(x), ew.real(y), ew.imag(x), ew.imag(y)
        no_nan = ew.bitwise_not(ew.bitwise_or(_isnan(xi), _isnan(yi)))
        by_real = ew.bitwise_and(real_op(xr, yr), no_nan)
        return ew.bitwise_or(by_real, ew.bitwise_and(ew.eq(xr, yr), imag_op(xi, yi)))
    return compare


def _comparison(np_ufunc, op, complex_op=None):
    def kernel(x, y):
        if _dt(x) != _dt(y):
            return _mixed_sign_compare(np_ufunc, op, x, y)
        if complex_op is not None and _is_complex(x):
            return complex_op(x, y)
        return op(x, y)
    return kernel


def _mixed_sign_compare(np_ufunc, op, x, y):
    """int64 against uint64 (NumPy's 'qQ->?' loops), exactly: a negative signed operand
    decides the comparison by itself; otherwise compare as uint64."""
    signed_first = _is_signed(x)
    s = x if signed_first else y
    negative = ew.lt(s, _c(s, 0))
    decided = bool(np_ufunc(-1, 1) if signed_first else np_ufunc(1, -1))
    ux, uy = (convert_element_type(v, np.uint64) for v in (x, y))
    return ew.select(negative, _c(negative, decided), op(ux, uy))


def _logical(op):
    return lambda x, y: op(_truthy(x), _truthy(y))


# --- generalized ufuncs (matmul and friends) --------------------------------------------------

def _batched_dot(a, b, a_core: int, b_core: int, a_axis: int, b_axis: int):
    """dot_general contracting a's core axis a_axis with b's b_axis (counted from the end),
    over the broadcast loop axes (all but the last a_core / b_core axes)."""
    sa, sb = _shape(a), _shape(b)
    batch = _core.broadcast_shapes(sa[:len(sa) - a_core], sb[:len(sb) - b_core])
    a = _core.broadcast_to(a, batch + sa[len(sa) - a_core:])
    b = _core.broadcast_to(b, batch + sb[len(sb) - b_core:])
    k, na, nb = len(batch), len(batch) + a_core, len(batch) + b_core
    loop = tuple(range(k))
    return dot_general(a, b, (((na + a_axis,), (nb + b_axis,)), (loop, loop)))


def _matmul(a, b):
    a1, b1 = len(_shape(a)) == 1, len(_shape(b)) == 1
    a = lsh.expand_dims(a, (0,)) if a1 else a
    b = lsh.expand_dims(b, (1,)) if b1 else b
    out = _batched_dot(a, b, 2, 2, -1, -2)
    drop = [d for d, missing in ((-2, a1), (-1, b1)) if missing]
    return lsh.squeeze(out, [len(_shape(out)) + d for d in drop]) if drop else out


def _vecdot(a, b):
    return _batched_dot(_conjugate(a), b, 1, 1, -1, -1)


def _matvec(a, b):
    return _batched_dot(a, b, 2, 1, -1, -1)


def _vecmat(a, b):
    return _batched_dot(_conjugate(a), b, 1, 2, -1, -2)


# --- the kernel table ----------------------------------------------------------------------
# NumPy name -> kernel on operands of the loop's dtypes (broadcast together, except for
# the generalized ufuncs, which see their operands' own shapes).

_KERNELS: dict[str, Callable] = {
    # arithmetic
    "add": _add, "subtract": ew.sub, "multiply": _multiply,
    "divide": _special_values(ew.div, _divide_cases),
    "floor_divide": _floor_divide, "remainder": _remainder, "fmod": _fmod, "divmod": _divmod,
    "power": _power, "float_power": _float_power, "negative": ew.neg, "positive": lambda x: x,
    "absolute": _absolute, "fabs": ew.abs, "sign": _sign, "reciprocal": _special_values(_reciprocal, _reciprocal_cases),
    "square": lambda x: ew.mul(x, x), "conjugate": _conjugate, "heaviside": _heaviside,
    "gcd": _gcd, "lcm": _lcm,
    # exponents and logarithms
    "exp": _special_values(ew.exp, _exp_cases), "exp2": _special_values(_exp2, _exp2_cases),
    "expm1": _special_values(ew.expm1, _expm1_cases),
    "log": _special_values(_conj_symmetric(ew.log), _log_cases),
    "log2": _special_values(_conj_symmetric(_log_base(2)), _log_cases),
    "log10": _special_values(_conj_symmetric(_log_base(10)), _log_cases),
    "log1p": _special_values(_conj_symmetric(ew.log1p), _log_cases), "logaddexp": _logaddexp,
    "logaddexp2": _logaddexp2, "sqrt": _special_values(_conj_symmetric(ew.sqrt), _sqrt_cases),
    "cbrt": ew.cbrt,
    # trigonometric and hyperbolic
    "sin": _special_values(ew.sin, _rotated(_sinh_cases, _sin_cases)),
    "cos": _special_values(ew.cos, _cos_cases),
    "tan": _special_values(ew.tan, _rotated(_tanh_cases)),
    "arcsin": _special_values(_conj_symmetric(ew.asin, odd=True), _rotated(_asinh_cases)),
    "arccos": _special_values(_conj_symmetric(ew.acos, lower=True), _acos_cases),
    "arctan": _special_values(_conj_symmetric(ew.atan, odd=True), _rotated(_atanh_cases)),
    "sinh": _special_values(ew.sinh, _sinh_cases), "cosh": _special_values(ew.cosh, _cosh_cases),
    "tanh": _special_values(ew.tanh, _tanh_cases),
    "arcsinh": _special_values(_conj_symmetric(ew.asinh, odd=True), _asinh_cases),
    "arccosh": _special_values(_conj_symmetric(ew.acosh), _acosh_cases),
    "arctanh": _special_values(_conj_symmetric(ew.atanh, odd=True), _atanh_cases),
    "arctan2": ew.atan2,
    "hypot": _hypot, "degrees": _scaled(180 / math.pi), "rad2deg": _scaled(180 / math.pi),
    "radians": _scaled(math.pi / 180), "deg2rad": _scaled(math.pi / 180),
    # rounding and floating point
    "rint": _rint, "floor": _integral(ew.floor), "ceil": _integral(ew.ceil), "trunc": _trunc,
    "copysign": _copysign, "nextafter": ew.nextafter, "spacing": _spacing, "modf": _modf,
    "ldexp": _ldexp, "frexp": _frexp, "signbit": _signbit,
    "isfinite": _isfinite, "isinf": _isinf, "isnan": _isnan,
    # bits
    "bitwise_and": ew.bitwise_and, "bitwise_or": ew.bitwise_or, "bitwise_xor": ew.bitwise_xor,
    "invert": ew.bitwise_not, "left_shift": ew.shift_left, "right_shift": _right_shift,
    "bitwise_count": _bitwise_count,
    # comparisons and logic
    "equal": _comparison(np.equal, ew.eq), "not_equal": _comparison(np.not_equal, ew.ne),
    "less": _comparison(np.less, ew.lt, _lexicographic(ew.lt, ew.lt)),
    "less_equal": _comparison(np.less_equal, ew.le, _lexicographic(ew.lt, ew.le)),
    "greater": _comparison(np.greater, ew.gt, _lexicographic(ew.gt, ew.gt)),
    "greater_equal": _comparison(np.greater_equal, ew.ge, _lexicographic(ew.gt, ew.ge)),
    "logical_and": _logical(ew.bitwise_and), "logical_or": _logical(ew.bitwise_or),
    "logical_xor": _logical(ew.ne), "logical_not": lambda x: ew.bitwise_not(_truthy(x)),
    "maximum": _maximum_like(ew.max), "minimum": _maximum_like(ew.min),
    "fmax": _fmax_like(ew.max), "fmin": _fmax_like(ew.min),
    "isnat": _isnat,
    # generalized ufuncs
    "matmul": _matmul, "vecdot": _vecdot, "matvec": _matvec, "vecmat": _vecmat,
}

# name: a check of the cast operands (before broadcasting) for errors NumPy raises
_CHECKS = {"power": _check_power}

_COMPARISONS = {"equal", "not_equal", "less", "less_equal", "greater", "greater_equal"}


# --- dedicated reductions and cumulative reductions -------------------------------------------

def _nan_or(extreme, dtype):
    """fmax/fmin ignore NaN, so NaN is their neutral element for inexact types."""
    return np.nan if dtypes.is_inexact(dtype) else extreme(dtype)


def _sum(x, axes):
    return red.reduce_or(x, axes) if _is_bool(x) else red.reduce_sum(x, axes)


def _prod(x, axes):
    return red.reduce_and(x, axes) if _is_bool(x) else red.reduce_prod(x, axes)


def _first_nan_kept(reduce):
    """maximum/minimum reductions: for complex values NumPy's fold keeps the first NaN it
    meets (XLA's complex max/min compare without NaN rules)."""
    def run(x, axes):
        out = reduce(x, axes)
        if not _is_complex(x):
            return out              # XLA's real max/min propagate NaN already
        xs = _axes_to_front(x, axes)
        nan = _isnan(xs)
        index = lsh.broadcasted_iota(np.int64, _shape(xs), 0)
        first = red.reduce_min(ew.select(nan, index, _c(index, _shape(xs)[0])), (0,))
        pick = ew.eq(index, lsh.broadcast_in_dim(first, _shape(xs), range(1, len(_shape(xs)))))
        first_nan = red.reduce_sum(ew.select(pick, xs, _c(xs, 0)), (0,))
        return ew.select(red.reduce_or(nan, (0,)), first_nan, out)
    return run


def _fmax_reduce(reduce, fill):
    def run(x, axes):
        if not dtypes.is_inexact(_dt(x)):
            return reduce(x, axes)
        nan = _isnan(x)
        out = reduce(ew.select(nan, _c(x, fill(_dt(x))), x), axes)
        return ew.select(red.reduce_and(nan, axes), _c(out, np.nan), out)
    return run


def _logsumexp(exp, log):
    @_wide_float
    def run(x, axes):
        top = red.reduce_max(x, axes)
        top = ew.select(_isfinite(top), top, _c(top, 0))
        keep = [d for d in range(len(_shape(x))) if d not in axes]
        shifted = ew.sub(x, lsh.broadcast_in_dim(top, _shape(x), keep))
        return ew.add(top, log(red.reduce_sum(exp(shifted), axes)))
    return run


@_wide_float
def _hypot_reduce(x, axes):
    a = ew.abs(x)
    top = red.reduce_max(a, axes)
    safe = ew.select(ew.bitwise_and(ew.gt(top, _c(top, 0)), _isfinite(top)), top, _c(top, 1))
    keep = [d for d in range(len(_shape(x))) if d not in axes]
    scaled = ew.div(a, lsh.broadcast_in_dim(safe, _shape(x), keep))
    squares = red.reduce_sum(ew.mul(scaled, scaled), axes)
    zero = ew.eq(squares, _c(squares, 0))
    # (sqrt of a safe value where the sum is 0, so the derivative there is 0, not NaN)
    out = ew.mul(safe, ew.sqrt(ew.select(zero, _c(squares, 1), squares)))
    out = ew.select(zero, _c(out, 0), out)
    return ew.select(red.reduce_or(_isinf(x), axes), _c(out, np.inf), out)


# name: (reduction over axes, the element that leaves it unchanged (masked-out elements))
_REDUCTIONS: dict[str, tuple[Callable, Callable]] = {
    "add": (_sum, lambda d: 0), "multiply": (_prod, lambda d: 1),
    "maximum": (_first_nan_kept(red.reduce_max), _lowest),
    "minimum": (_first_nan_kept(red.reduce_min), _highest),
    "fmax": (_fmax_reduce(red.reduce_max, _lowest), lambda d: _nan_or(_lowest, d)),
    "fmin": (_fmax_reduce(red.reduce_min, _highest), lambda d: _nan_or(_highest, d)),
    "logical_and": (red.reduce_and, lambda d: True),
    "logical_or": (red.reduce_or, lambda d: False),
    "logical_xor": (red.reduce_xor, lambda d: False),
    "bitwise_and": (red.reduce_and, lambda d: -1), "bitwise_or": (red.reduce_or, lambda d: 0),
    "bitwise_xor": (red.reduce_xor, lambda d: 0),
    "logaddexp": (_logsumexp(ew.exp, ew.log), lambda d: -np.inf),
    "logaddexp2": (_logsumexp(ew.exp2, _log_base(2)), lambda d: -np.inf),
    "hypot": (_hypot_reduce, lambda d: 0),
}


def _cumulative(table):
    """A cumulative reduction choosing its lax primitive by dtype kind, or None."""
    def run(x, axis):
        kind = "b" if _is_bool(x) else "c" if _is_complex(x) else "f" if _is_float(x) else "i"
        op = table.get(kind)
        return None if op is None else op(x, axis)
    return run


_ORDERED = "bif"
_ACCUMULATIONS: dict[str, Callable] = {
    "add": _cumulative({"b": red.cummax, "i": red.cumsum, "f": red.cumsum, "c": red.cumsum}),
    "multiply": _cumulative({"b": red.cummin, "i": red.cumprod, "f": red.cumprod}),
    "maximum": _cumulative(dict.fromkeys(_ORDERED, red.cummax)),
    "minimum": _cumulative(dict.fromkeys(_ORDERED, red.cummin)),
    "logical_and": _cumulative({"b": red.cummin}),
    "logical_or": _cumulative({"b": red.cummax}),
    "logaddexp": _cumulative({"f": red.cumlogsumexp}),
}

# (ufunc, dtype kind) whose dedicated reduction differs from NumPy's ordered fold: XLA's
# complex product starts from 1+0j, and (1+0j) * (x+inf j) is NaN+inf j, not x+inf j.
_FOLDED = {("multiply", "c")}

# Reductions NumPy may reorder although the ufunc has no identity.
_REORDERABLE_WITHOUT_IDENTITY = {"maximum", "minimum", "fmax", "fmin"}

# name: lax scatter that combines repeated indices as the ufunc does (for ufunc.at)
_SCATTERS = {"add": slicing.scatter_add, "multiply": slicing.scatter_mul,
             "maximum": slicing.scatter_max, "minimum": slicing.scatter_min}


# --- generalized-ufunc signatures ------------------------------------------------------------

def _parse_signature(signature: str):
    """'(n?,k),(k,m?)->(n?,m?)' -> ([['n?', 'k'], ['k', 'm?']], [['n?', 'm?']])."""
    ins, outs = signature.split("->")
    def parse(part):
        return [[d for d in group.split(",") if d] for group in re.findall(r"\(([^)]*)\)", part)]
    return parse(ins), parse(outs)


# --- the ufunc class -----------------------------------------------------------------------

class ufunc:
    """numpy.ufunc on lax: NumPy's ufunc of the same name decides the types, a lax kernel
    computes the values."""

    def __init__(self, name: str, kernel: Callable):
        np_ufunc = getattr(np, name)
        self._np = np_ufunc
        self._kernel = kernel
        self.__name__ = name
        self.nin, self.nout, self.nargs = np_ufunc.nin, np_ufunc.nout, np_ufunc.nargs
        self.identity = np_ufunc.identity
        self.signature = np_ufunc.signature
        self.ntypes, self.types = np_ufunc.ntypes, np_ufunc.types
        self._core_dims = _parse_signature(self.signature) if self.signature else None
        self.__doc__ = f"numpy.{name} on lax (see numpy.{name}).\n\n" + (np_ufunc.__doc__ or "")

    def __repr__(self) -> str:
        return f"<ufunc '{self.__name__}'>"

    # --- calling ---------------------------------------------------------------------------

    def __call__(self, *args, out=None, where=True, casting="same_kind", order="K", dtype=None,
                 subok=True, signature=None, axes=None, axis=None):
        """numpy.ufunc.__call__ (`axes`/`axis` for the generalized ufuncs only). `order`
        and `subok` are accepted and ignored: values have no memory layout or subclass."""
        if not self.nin <= len(args) <= self.nargs:
            given = len(args)
            raise TypeError(f"{self.__name__}() takes from {self.nin} to {self.nargs} positional "
                            f"arguments but {given} {'was' if given == 1 else 'were'} given")
        _check_out(args[self.nin:] + (out,))
        if self._core_dims is None and (axes is not None or axis is not None):
            raise TypeError(f"{self.__name__}() got an unexpected keyword argument "
                            f"'{'axes' if axes is not None else 'axis'}'")
        if self._core_dims is not None and where is not True:
            raise TypeError(f"{self.__name__}() got an unexpected keyword argument 'where'")
        operands = [_operand(a) for a in args[:self.nin]]
        loop = self._resolve(operands, dtype, signature, casting)
        if self._core_dims is not None:
            return self._call_gufunc(operands, loop, axes, axis)
        constant = self._compare_with_big_int(operands, loop)
        if constant is not None:
            return constant
        mask = _where_mask(where)
        shape = _core.broadcast_shapes(*[_core.shape_of(x) for x in operands],
                                       *([] if mask is None else [_shape(mask)]))
        cast = [_astype(x, d) for x, d in zip(operands, loop)]
        if self.__name__ in _CHECKS:
            _CHECKS[self.__name__](*cast)
        cast = [_core.broadcast_to(x, shape) for x in cast]
        results = self._outputs(self._kernel(*cast), loop[self.nin:])
        if mask is not None:
            # Note: NumPy leaves the output uninitialised where `where` is False (when no
            # out= is given); a functional result has to hold something there: 0.
            mask = _core.broadcast_to(mask, shape)
            results = tuple(ew.select(mask, r, _c(r, 0)) for r in results)
        return results[0] if self.nout == 1 else results

    def _resolve(self, operands, dtype, signature, casting):
        """The loop's dtypes (inputs, then outputs), by NumPy's own type resolution."""
        keys = tuple(_promotion_key(x) for x in operands) + (None,) * self.nout
        kwargs = {"casting": casting}
        if signature is not None and dtype is not None:
            raise TypeError("cannot specify both 'signature' and 'dtype'")
        if dtype is not None:
            kwargs["signature"] = (None,) * self.nin + (np.dtype(dtype),) * self.nout
        elif signature is not None:
            kwargs["signature"] = signature
        if casting == "equiv" and any(not isinstance(k, np.dtype) for k in keys[:self.nin]):
            keys = self._equiv_weak_keys(operands, keys, kwargs)
        try:
            return _supported(self._np.resolve_dtypes(keys, **kwargs))
        except TypeError:
            self._check_weak_ints(operands, keys, kwargs)
            raise

    def _equiv_weak_keys(self, operands, keys, kwargs):
        """The keys with each weak Python scalar replaced by its loop dtype, which it must
        reach by an 'equiv' cast as its default dtype (int64, float64, complex128): NumPy's
        resolve_dtypes crashes (segfault, NumPy 2.4) on weak scalars with casting='equiv'."""
        loop = self._np.resolve_dtypes(keys, **{**kwargs, "casting": "safe"})
        for i, (x, key) in enumerate(zip(operands, keys)):
            # (NumPy lets a Python int reach bool, as logical_or(0, bools) does)
            if not isinstance(key, np.dtype) and loop[i] != np.bool_ \
                    and not np.can_cast(np.dtype(key), loop[i], "equiv"):
                raise TypeError(f"cannot cast Python {type(x).__name__} to {loop[i]} under the "
                                "casting rule 'equiv'")
        return tuple(loop[i] if i < self.nin and not isinstance(k, np.dtype) else k
                     for i, k in enumerate(keys))

    def _check_weak_ints(self, operands, keys, kwargs):
        """NumPy reports a Python int beyond the loop's integer type (OverflowError) before
        a failed cast of another operand."""
        try:
            loop = self._np.resolve_dtypes(keys, **{**kwargs, "casting": "unsafe"})
        except TypeError:
            return
        for x, d in zip(operands, loop):
            if type(x) is int and dtypes.is_integer(d) and not _fits(x, d):
                raise OverflowError(f"Python integer {x} out of bounds for {d}")

    def _outputs(self, results, out_dtypes):
        results = results if isinstance(results, tuple) else (results,)
        return tuple(convert_element_type(r, d) for r, d in zip(results, out_dtypes))

    def _compare_with_big_int(self, operands, loop):
        """NumPy 2 compares integer arrays with Python ints outside their range exactly
        (uint8 == -1 is False, not an OverflowError): the answer is then constant."""
        if self.__name__ not in _COMPARISONS:
            return None
        for i, (x, d) in enumerate(zip(operands, loop)):
            if type(x) is int and dtypes.is_integer(d) and not _fits(x, d):
                other = operands[1 - i]
                probe = [0, 0]
                probe[i] = 1 if x > 0 else -1
                shape = _core.shape_of(other)
                return lsh.full(shape, bool(self._np(*probe)), np.bool_)
        return None

    def _call_gufunc(self, operands, loop, axes, axis):
        operands = [_astype(x, d) for x, d in zip(operands, loop)]
        ins, (out_core,) = self._core_dims
        present = [_present_core(c, len(_core.shape_of(x))) for x, c in zip(operands, ins)]
        if axis is not None:
            axes = [(axis,) if c else () for c in present + [out_core]]
        if axes is not None:
            operands = [_move_core_axes(x, _axes_of(a), len(c), last=True)
                        for x, a, c in zip(operands, axes, present)]
        self._check_core_dims(operands, present)
        result = self._kernel(*operands)
        names = {d.rstrip("?") for c in present for d in c}
        n_out = sum(d.rstrip("?") in names for d in out_core)
        if axes is not None and len(axes) > len(ins) and n_out:
            result = _move_core_axes(result, _axes_of(axes[-1]), n_out, last=False)
        return self._outputs(result, loop[self.nin:])[0]

    def _check_core_dims(self, operands, present):
        sizes: dict[str, int] = {}
        for i, (x, core, have) in enumerate(zip(operands, self._core_dims[0], present)):
            shape = _shape(x)
            required = sum(not d.endswith("?") for d in core)
            if len(shape) < required:
                raise ValueError(f"{self.__name__}: Input operand {i} does not have enough "
                                 f"dimensions (has {len(shape)}, gufunc core with signature "
                                 f"{self.signature} requires {required})")
            for j, (name, size) in enumerate(zip(have, shape[len(shape) - len(have):])):
                name = name.rstrip("?")
                if sizes.setdefault(name, size) != size:
                    raise ValueError(f"{self.__name__}: Input operand {i} has a mismatch in its "
                                     f"core dimension {j}, with gufunc signature "
                                     f"{self.signature} (size {size} is different from "
                                     f"{sizes[name]})")

    # --- reduce, accumulate, reduceat ----------------------------------------------------

    def _check_method(self, method: str):
        if self.signature is not None:
            raise RuntimeError("Reduction not defined on ufunc with signature")
        if self.nin != 2:
            raise ValueError(f"{method} only supported for binary functions")
        if self.nout != 1:
            raise ValueError(f"{method} only supported for functions returning a single value")

    def _reduction_dtypes(self, x, dtype, method: str) -> tuple[np.dtype, np.dtype]:
        """(accumulator dtype, element dtype) by NumPy's reduction resolution (add and
        multiply reduce small integers and bools in the default integer type); the operand
        is cast unsafely, as NumPy does. Only reduce allows elements of another dtype than
        the accumulator (as ldexp's)."""
        kwargs = {} if dtype is None else {"signature": (np.dtype(dtype), None, None)}
        loop = self._np.resolve_dtypes((None, _dt(x), None), reduction=True, casting="unsafe",
                                       **kwargs)
        if loop[0] != loop[2] or (method != "reduce" and loop[1] != loop[0]):
            raise TypeError(f"the resolved dtypes are not compatible with {self.__name__}."
                            f"{method}. Resolved {loop}")
        return _supported(loop)[:2]

    def _start(self, initial, dtype):
        """The value a reduction starts from: `initial`, else the identity, else None."""
        if initial is _NO_VALUE:
            return None if self.identity is None else np.asarray(self.identity).astype(dtype)
        return None if initial is None else _core.astype(initial, dtype)

    def reduce(self, array, axis=0, dtype=None, out=None, keepdims=False, initial=_NO_VALUE,
               where=True):
        """numpy.ufunc.reduce: fold the ufunc over `axis` (None: all axes, or a tuple)."""
        self._check_method("reduce")
        _check_out((out,))
        x = _core.asvalue(array)
        shape = _shape(x)
        axes = _reduce_axes(axis, len(shape))   # (NumPy checks the axes before the dtypes)
        acc_dtype, elem_dtype = self._reduction_dtypes(x, dtype, "reduce")
        x = _astype(x, elem_dtype)
        if len(axes) > 1 and not self._reorderable():
            raise ValueError(f"reduction operation '{self.__name__}' is not reorderable, so at "
                             "most one axis may be specified")
        start = self._start(initial, acc_dtype)
        mask = _where_mask(where)
        if mask is not None and start is None:
            raise ValueError(f"reduction operation '{self.__name__}' does not have an identity, "
                             "so to use a where mask one has to specify 'initial'")
        if start is None and math.prod(shape[a] for a in axes) == 0:
            raise ValueError(f"zero-size array to reduction operation {self.__name__} which has "
                             "no identity")
        mask = None if mask is None else _core.broadcast_to(mask, shape)
        result = self._reduce(x, axes, mask, start, initial is not _NO_VALUE, acc_dtype)
        if keepdims:
            result = _reshape(result, [1 if d in axes else n for d, n in enumerate(shape)])
        return result

    def _reorderable(self) -> bool:
        return self.identity is not None or self.__name__ in _REORDERABLE_WITHOUT_IDENTITY

    def _dedicated(self, dtype):
        """The dedicated (reduction, neutral element) of this ufunc for `dtype`, or None."""
        if (self.__name__, np.dtype(dtype).kind) in _FOLDED:
            return None
        return _REDUCTIONS.get(self.__name__)

    def _reduce(self, x, axes, mask, start, explicit_start: bool, acc_dtype):
        shape = _shape(x)
        if start is None and math.prod(shape[a] for a in axes) == 1:
            # One element and no start: NumPy's fold returns it untouched (hypot's
            # reduction would take its absolute value).
            return _astype(_reshape(x, [n for d, n in enumerate(shape) if d not in axes]),
                           acc_dtype)
        if self._dedicated(_dt(x)) is not None and axes:
            reduction, neutral = self._dedicated(_dt(x))
            if mask is not None:
                x = ew.select(mask, x, _c(x, np.asarray(neutral(_dt(x))).astype(_dt(x))))
            result = reduction(x, axes)
            if explicit_start and start is not None:
                result = self._kernel(lsh.full_like(result, start), result)
            return result
        xs = _axes_to_front(x, axes)
        ms = None if mask is None else _axes_to_front(mask, axes)
        return self._fold(xs, ms, start, acc_dtype)

    def _fold(self, xs, mask, start, acc_dtype):
        """Left fold of the ufunc over the leading axis of xs, skipping elements where
        `mask` is False, from `start` (a scalar) or else from the first element kept (the
        accumulator is of `acc_dtype`)."""
        out_shape, started = _shape(xs)[1:], start is not None
        self._check_fold(xs, mask, started)
        if mask is None and start is None:
            start = convert_element_type(slicing.index_in_dim(xs, 0, 0, False), acc_dtype)
            xs = slicing.slice_in_dim(xs, 1, None, 1, 0)
        else:
            start = lsh.full(out_shape, 0 if start is None else start, acc_dtype)
        if _shape(xs)[0] == 0:   # (lax.scan cannot run zero steps)
            return start
        if mask is None:
            return cf.scan(lambda acc, x: (self._kernel(acc, x), None), start, xs)[0]
        # Note: the selects' bool predicates become bool residuals under reverse-mode
        # differentiation, which scan cannot lower yet (transforms.lowering.ir_constant):
        # masked folds (where=, reduceat of ufuncs without a dedicated reduction)
        # differentiate forward only until that is fixed.
        started = lsh.full(out_shape, started, np.bool_)

        def step(carry, item):
            acc, started = carry
            x, keep = item
            new = ew.select(started, self._kernel(acc, x), convert_element_type(x, acc_dtype))
            return (ew.select(keep, new, acc), ew.bitwise_or(started, keep)), None
        return cf.scan(step, (start, started), (xs, mask))[0][0]

    def _check_fold(self, xs, mask, started: bool):
        """NumPy's value checks (power: negative integer exponents) on the elements a left
        fold over the leading axis of xs takes as its second operand (where they are
        known: not under jit)."""
        check = _CHECKS.get(self.__name__)
        known = None if check is None else _concrete(xs)
        keep = None if mask is None else _concrete(mask)
        if known is None or known.size == 0 or (mask is not None and keep is None):
            return
        used = np.ones(known.shape, bool) if keep is None else np.broadcast_to(keep, known.shape)
        if not started:   # the first element kept starts the fold
            first = np.cumsum(used, axis=0) == 1
            used = used & ~first
        check(xs, known[used])

    def accumulate(self, array, axis=0, dtype=None, out=None):
        """numpy.ufunc.accumulate: the running fold of the ufunc along `axis`."""
        self._check_method("accumulate")
        _check_out((out,))
        x = _core.asvalue(array)
        shape = _shape(x)
        axis = _single_axis(axis, len(shape), "accumulate")
        x = _astype(x, self._reduction_dtypes(x, dtype, "accumulate")[0])
        if shape[axis] <= 1:
            return x
        dedicated = _ACCUMULATIONS.get(self.__name__)
        result = dedicated(x, axis) if dedicated is not None else None
        if result is not None:
            return result
        xs = lsh.moveaxis(x, axis, 0)
        self._check_fold(xs, None, False)
        first = slicing.index_in_dim(xs, 0, 0, keepdims=False)

        # (bool ys travel as uint8: lowering a scan whose ys are bool fails in
        # transforms.lowering.ir_constant, on its packed-bits zero constant)
        ys_dtype = np.uint8 if _is_bool(x) else _dt(x)

        def step(acc, x):
            new = self._kernel(acc, x)
            return new, convert_element_type(new, ys_dtype)
        _, ys = cf.scan(step, first, slicing.slice_in_dim(xs, 1, None, 1, 0))
        ys = convert_element_type(ys, _dt(x))
        return lsh.moveaxis(lsh.concatenate([lsh.expand_dims(first, (0,)), ys], 0), 0, axis)

    def reduceat(self, array, indices, axis=0, dtype=None, out=None):
        """numpy.ufunc.reduceat: reductions over the slices [indices[i], indices[i+1]) of
        `axis` (a single element where indices[i] >= indices[i+1])."""
        self._check_method("reduceat")
        _check_out((out,))
        x = _core.asvalue(array)
        shape = _shape(x)
        axis = _single_axis(axis, len(shape), "reduceat")
        n = shape[axis]
        idx = _core.asvalue(indices)
        if len(_shape(idx)) != 1:
            raise ValueError("setting an array element with a sequence. The requested array "
                             "would exceed the maximum number of dimension of 1.")
        idx = _core.astype(idx, np.int64)
        known = _concrete(idx)
        if known is not None and known.size and (known.min() < 0 or known.max() >= n):
            bad = known[(known < 0) | (known >= n)][0]
            raise IndexError(f"index {bad} out-of-bounds in {self.__name__}.reduceat [0, {n})")
        x = _astype(x, self._reduction_dtypes(x, dtype, "reduceat")[0])
        m = _shape(idx)[0]
        xs = lsh.moveaxis(x, axis, 0)
        rest = _shape(xs)[1:]
        if m == 0:
            return lsh.moveaxis(lsh.full((0, *rest), 0, _dt(x)), 0, axis)
        # Output j folds the segment [start_j, end_j) of the axis, selected by a mask over
        # a copy of the axis per output; one-element segments (and start_j >= end_j) are
        # x[start_j] itself, as NumPy starts from the first element, not the identity.
        ends = lsh.concatenate([slicing.slice_in_dim(idx, 1, None, 1, 0),
                                np.full((1,), n, np.int64)], 0)
        starts_nm = lsh.broadcast_in_dim(idx, (n, m), (1,))
        ends_nm = lsh.broadcast_in_dim(ends, (n, m), (1,))
        pos = lsh.broadcasted_iota(np.int64, (n, m), 0)
        mask = ew.bitwise_and(ew.ge(pos, starts_nm), ew.lt(pos, ends_nm))
        full = (n, m, *rest)
        spread = lsh.broadcast_in_dim(xs, full, (0, *range(2, len(full))))
        if self._dedicated(_dt(x)) is None:
            mask = ew.select(ew.lt(starts_nm, ends_nm), mask, ew.eq(pos, starts_nm))
            result = self._fold(spread, lsh.broadcast_in_dim(mask, full, (0, 1)), None, _dt(x))
            return lsh.moveaxis(result, 0, axis)
        reduction, neutral = self._dedicated(_dt(x))
        fill = _c(spread, np.asarray(neutral(_dt(x))).astype(_dt(x)))
        mask = lsh.broadcast_in_dim(mask, full, (0, 1))
        result = reduction(ew.select(mask, spread, fill), (0,))
        dnums = slicing.GatherDimensionNumbers(tuple(range(1, len(full) - 1)), (0,), (0,))
        first = slicing.gather(xs, lsh.expand_dims(idx, (1,)), dnums, (1, *rest))
        single = ew.le(ew.sub(ends, idx), _c(idx, 1))
        single = lsh.broadcast_in_dim(single, _shape(result), (0,))
        return lsh.moveaxis(ew.select(single, first, result), 0, axis)

    # --- outer and at ----------------------------------------------------------------------

    def outer(self, A, B, /, **kwargs):
        """numpy.ufunc.outer: the ufunc applied to every pair (A[i...], B[j...])."""
        if self.signature is not None:
            raise TypeError("method outer is not allowed in ufunc with non-trivial signature")
        if self.nin != 2:
            raise ValueError("outer product only supported for binary functions")
        a, b = _core.asvalue(A), _core.asvalue(B)
        a = _reshape(a, _shape(a) + (1,) * len(_shape(b)))
        return self(a, b, **kwargs)

    def at(self, a, indices, b=None):
        """numpy.ufunc.at, functionally: `a` with the ufunc applied unbuffered at
        `indices` (repeated indices apply repeatedly); the dispatch layer writes it back."""
        if self.signature is not None:
            raise TypeError(f"{self.__name__}.at does not support ufunc with non-trivial "
                            f"signature: {self.__name__} has signature {self.signature}.")
        if self.nout != 1:
            raise ValueError("Only single output ufuncs supported at this time")
        if self.nin == 1 and b is not None:
            raise ValueError("second operand provided when ufunc is unary")
        if self.nin == 2 and b is None:
            raise ValueError("second operand needed for ufunc")
        a = _core.asvalue(a)
        shape, dtype = _shape(a), _dt(a)
        flat = _reshape(a, (math.prod(shape),))
        # ufunc.at takes a Python scalar `b` as an array (not weak: int8 + 1000 wraps),
        # and finds the loop (before looking at the indices) by promotion.
        operands = [flat] if b is None else [flat, _core.asvalue(b)]
        loop = self._resolve(operands, None, None, "safe")
        positions = _flat_positions(shape, indices)
        pos = _reshape(positions, (math.prod(_shape(positions)),))
        updates = None
        if b is not None:
            try:
                updates = _unsafe_cast(operands[1], loop[1])
                updates = _core.broadcast_to(updates, _shape(positions))
            except ValueError:
                raise ValueError("array is not broadcastable to correct shape") from None
            updates = _reshape(updates, _shape(pos))
            if self.__name__ in _CHECKS:
                _CHECKS[self.__name__](_astype(flat, loop[0]), updates)
        scatter = _SCATTERS.get(self.__name__)
        # (XLA's scatter max/min take no complex values; the loop below does)
        if scatter is not None and set(loop) == {dtype} and not dtypes.is_bool(dtype) \
                and not dtypes.is_complex(dtype):
            dnums = slicing.ScatterDimensionNumbers((), (0,), (0,))
            combined = scatter(convert_element_type(flat, loop[0]), lsh.expand_dims(pos, (1,)),
                               updates, dnums)
            return _reshape(convert_element_type(combined, dtype), shape)
        if not _shape(pos)[0]:
            return a
        return _reshape(self._at_loop(flat, pos, updates, loop), shape)

    def _at_loop(self, flat, pos, updates, loop):
        """Apply the ufunc at each position in turn (repeated positions compound)."""
        dtype = _dt(flat)

        def step(arr, item):
            p, u = item
            current = slicing.dynamic_index_in_dim(arr, p, 0, False)
            current = _astype(current, loop[0])
            args = (current,) if u is None else (current, u)
            new = convert_element_type(self._kernel(*args), dtype)
            return slicing.dynamic_update_index_in_dim(arr, new, p, 0), None
        return cf.scan(step, flat, (pos, updates))[0]

    def resolve_dtypes(self, dtypes, *, signature=None, casting=None, reduction=False):
        """numpy.ufunc.resolve_dtypes (NumPy's own)."""
        kwargs = {"reduction": reduction}
        if signature is not None:
            kwargs["signature"] = signature
        if casting is not None:
            kwargs["casting"] = casting
        return self._np.resolve_dtypes(dtypes, **kwargs)


# --- helpers of the class -------------------------------------------------------------------

def _check_out(outs):
    for o in outs:
        items = o if isinstance(o, tuple) else (o,)
        if any(i is not None for i in items):
            raise TypeError("out= is handled by npaccel.ndarray")


def _operand(x):
    """Python scalars stay (they are weak, and checked for overflow when cast); anything
    else becomes a value."""
    return x if type(x) in _core.PYTHON_SCALARS else _core.asvalue(x)


def _promotion_key(x):
    """What NumPy's resolve_dtypes takes for an operand: a dtype, or the Python type of a
    weak scalar (bool has no weak form there: Python bools promote as np.bool_)."""
    key = _core.dtype_or_weak(x)
    if isinstance(key, np.dtype):
        return key
    return np.dtype(bool) if type(key) is bool else type(key)


def _supported(loop):
    for d in loop:
        if d not in dtypes.SUPPORTED:
            raise dtypes.UnsupportedDTypeError(f"npaccel does not support the ufunc loop dtype {d}")
    return tuple(loop)


def _fits(value: int, dtype) -> bool:
    info = np.iinfo(dtype)
    return info.min <= value <= info.max


def _where_mask(where):
    """None for where=True, else a boolean value (NumPy casts `where` safely to bool)."""
    if type(where) in _core.PYTHON_SCALARS or isinstance(where, np.bool_):
        return None if bool(where) else np.asarray(False)
    mask = _core.asvalue(where)
    if _dt(mask) != np.bool_:
        raise TypeError(f"Cannot cast array data from {_dt(mask)!r} to dtype('bool') according "
                        "to the rule 'safe'")
    return mask


def _reduce_axes(axis, ndim: int) -> tuple[int, ...]:
    if ndim == 0 and axis is not None and not isinstance(axis, tuple):
        # A 0-d array reduces over nothing for axis 0 / -1 (as NumPy; not for (0,)).
        _core.normalize_axes(axis, 1)
        return ()
    return _core.normalize_axes(axis, ndim)


def _single_axis(axis, ndim: int, method: str) -> int:
    if ndim == 0 and not isinstance(axis, tuple) and axis in (None, 0, -1):
        raise TypeError(f"cannot {method} on a scalar")   # (other axes: AxisError)
    if axis is None:
        if ndim != 1:
            raise ValueError(f"{method} does not allow multiple axes")
        return 0
    if isinstance(axis, tuple):
        axes = _core.normalize_axes(axis, ndim)   # (NumPy checks the bounds first)
        if len(axes) != 1:
            raise ValueError(f"{method} does not allow multiple axes")
        return axes[0]
    return _core.normalize_axis(axis, ndim)


def _axes_to_front(x, axes):
    """x with `axes` moved to the front and merged into one axis."""
    shape = _shape(x)
    rest = [d for d in range(len(shape)) if d not in axes]
    x = lsh.transpose(x, (*axes, *rest))
    return _reshape(x, (math.prod(shape[a] for a in axes), *[shape[d] for d in rest]))


def _present_core(core, ndim: int) -> list[str]:
    """The core dimensions an operand of `ndim` axes has (optional ones '?' dropped when
    it has too few axes, as matmul's 1-d operands)."""
    return core if ndim >= len(core) else [d for d in core if not d.endswith("?")]


def _axes_of(entry) -> tuple[int, ...]:
    return (entry,) if isinstance(entry, (int, np.integer)) else tuple(entry)


def _move_core_axes(x, axes, ncore: int, last: bool):
    """Move the `axes` of x to the end (last=True), or the last `ncore` axes to `axes`."""
    nd = len(_shape(x))
    if len(axes) != ncore:
        raise ValueError(f"axes item has {len(axes)} entries, the core dimensions need {ncore}")
    axes = [_core.normalize_axis(a, nd) for a in axes]
    if last:
        perm = [d for d in range(nd) if d not in axes] + axes
    else:
        perm = [None] * nd
        loop = iter(range(nd - ncore))
        for k, a in enumerate(axes):
            perm[a] = nd - ncore + k
        perm = [p if p is not None else next(loop) for p in perm]
    return lsh.transpose(x, perm)


def _unsafe_cast(x, dtype):
    if type(x) in _core.PYTHON_SCALARS:
        return np.asarray(x).astype(dtype)
    return _astype(x, dtype)


def _flat_positions(shape, indices):
    """The flat positions (int64) of a[indices] for an array a of `shape`."""
    size = math.prod(shape)
    items = indices if isinstance(indices, tuple) else (indices,)
    known = [i if isinstance(i, (slice, type(None), type(Ellipsis), int))
             else _concrete(_core.asvalue(i)) for i in items]
    if all(k is not None for k in known):
        host = tuple(known) if isinstance(indices, tuple) else known[0]
        return np.arange(size, dtype=np.int64).reshape(shape)[host]
    return _traced_positions(shape, items)


def _traced_positions(shape, items):
    """Flat positions for traced integer-array indices on the leading axes."""
    if len(items) > len(shape) or any(
            isinstance(i, (slice, type(None), type(Ellipsis))) or
            not dtypes.is_integer(_core.dtype_of(i if isinstance(i, int) else _core.asvalue(i)))
            for i in items):
        raise ConcretizationError("ufunc.at with traced indices supports integer arrays on the "
                                  "leading axes only; pass concrete indices")
    # Note: traced indices cannot be checked against the bounds; out-of-range ones are
    # dropped by the scatter (NumPy raises IndexError).
    idx = [_core.astype(_core.asvalue(i), np.int64) for i in items]
    lead = _core.broadcast_shapes(*[_shape(i) for i in idx])
    flat = lsh.full(lead, 0, np.int64)
    for i, n in zip(idx, shape):
        i = _core.broadcast_to(i, lead)
        i = ew.select(ew.lt(i, _c(i, 0)), ew.add(i, _c(i, n)), i)
        flat = ew.add(ew.mul(flat, _c(flat, n)), i)
    tail = shape[len(items):]
    inner = math.prod(tail)
    full = (*lead, *tail)
    flat = lsh.broadcast_in_dim(ew.mul(flat, _c(flat, inner)), full, tuple(range(len(lead))))
    offsets = _reshape(lsh.iota(np.int64, inner), tail) if tail else np.zeros((), np.int64)
    offsets = lsh.broadcast_in_dim(offsets, full, tuple(range(len(lead), len(full))))
    return ew.add(flat, offsets)


# --- the ufuncs ------------------------------------------------------------------------------

_BY_NAME = {name: ufunc(name, kernel) for name, kernel in _KERNELS.items()}

# Every name under which NumPy exposes a ufunc (aliases included: abs, conj, mod, pow,
# true_divide, bitwise_not/invert, bitwise_left/right_shift, acos, atan2, ...).
UFUNCS: list[str] = sorted(n for n in dir(np) if isinstance(getattr(np, n), np.ufunc)
                           and getattr(np, n).__name__ in _BY_NAME)
globals().update({n: _BY_NAME[getattr(np, n).__name__] for n in UFUNCS})

__all__ = ["ufunc", "UFUNCS", *UFUNCS]
