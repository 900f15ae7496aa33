"""Mathematical functions that are not ufuncs (NumPy reference: "Mathematical functions",
"Logic functions", "Handling complex numbers", "Miscellaneous"): clip, around/round,
angle, real, imag, sinc, i0, interp, unwrap, nan_to_num, real_if_close, isclose, allclose,
array_equal, array_equiv, isreal, iscomplex, isrealobj, iscomplexobj, isneginf, isposinf,
fix.

Each follows NumPy's own definition (the formula of numpy/lib and numpy/_core), written
with lax so that it can be traced, differentiated and batched. Python scalars keep NEP 50's
weak promotion wherever NumPy passes them to ufuncs.
"""
from __future__ import annotations

import math

import numpy as np

from npaccel.core import dtypes
from npaccel.core.trace import is_traced
from npaccel.lax import elementwise as ew, reduction, shape as lax_shape, slicing, sorting
from npaccel.numpy import _core, indexing
from npaccel.transforms.jit import jit
from npaccel.numpy._core import (PYTHON_SCALARS, asvalue, astype, broadcast_shapes,
                                 broadcast_to, dtype_of, normalize_axis, promote_and_broadcast,
                                 result_type, shape_of)

__all__ = ["clip", "around", "round", "angle", "real", "imag", "sinc", "i0", "interp",
           "unwrap", "nan_to_num", "real_if_close", "isclose", "allclose", "array_equal",
           "array_equiv", "isreal", "iscomplex", "isrealobj", "iscomplexobj", "isneginf",
           "isposinf", "fix"]

_NoValue = np._NoValue


# --- small elementwise helpers -----------------------------------------------------------

def _check_out(out) -> None:
    if out is not None:
        raise TypeError("out= is handled by npaccel.ndarray")


def _float_dtype(dtype) -> np.dtype:
    """The dtype a float-only ufunc (sin, arctan2, rint, ...) computes in: NumPy's first
    loop the input casts to safely (int8/uint8/bool -> float16, int16 -> float32, ...)."""
    dtype = np.dtype(dtype)
    return dtype if dtype.kind in "fc" else np.promote_types(dtype, np.float16)


def _full(shape, value, dtype):
    return lax_shape.full(shape, value, dtype)


def _filled(value, dtype, shape):
    """A Python scalar or an array-like as `dtype`, broadcast to `shape`."""
    value = value if type(value) in PYTHON_SCALARS else asvalue(value)
    return broadcast_to(astype(value, dtype), shape)


def _where(cond, x, y):
    """x where cond else y; x and y share a dtype, all three broadcast together."""
    shape = broadcast_shapes(shape_of(cond), shape_of(x), shape_of(y))
    return ew.select(broadcast_to(cond, shape), broadcast_to(x, shape), broadcast_to(y, shape))


def _isnan(x):
    if dtype_of(x).kind in "fc":
        return ew.ne(x, x)
    return _full(shape_of(x), False, np.bool_)


def _isfinite(x):
    kind = dtype_of(x).kind
    if kind == "c":
        return ew.bitwise_and(ew.is_finite(ew.real(x)), ew.is_finite(ew.imag(x)))
    if kind == "f":
        return ew.is_finite(x)
    return _full(shape_of(x), True, np.bool_)


def _all(x):
    """A 0-d bool: are all elements of the bool value x true?"""
    return reduction.reduce_and(x, tuple(range(len(shape_of(x)))))


def _floor_mod(x, y):
    """Python's x % y (the sign of y), as np.mod, on values of one dtype and shape."""
    r = ew.rem(x, y)
    zero = _full(shape_of(r), 0, dtype_of(r))
    fix = ew.bitwise_and(ew.ne(r, zero), ew.ne(ew.lt(r, zero), ew.lt(y, zero)))
    return ew.select(fix, ew.add(r, y), r)


# --- clip, round, fix --------------------------------------------------------------------

def _clip_bounds(a_min, a_max, min, max):
    """NumPy's argument rules: either both positional bounds or the min=/max= keywords."""
    if a_min is _NoValue and a_max is _NoValue:
        return (None if min is _NoValue else min), (None if max is _NoValue else max)
    if a_min is _NoValue:
        raise TypeError("clip() missing 1 required positional argument: 'a_min'")
    if a_max is _NoValue:
        raise TypeError("clip() missing 1 required positional argument: 'a_max'")
    if min is not _NoValue or max is not _NoValue:
        raise ValueError("Passing `min` or `max` keyword argument when `a_min` and `a_max` "
                         "are provided is forbidden.")
    return a_min, a_max


def clip(a, a_min=_NoValue, a_max=_NoValue, out=None, *, min=_NoValue, max=_NoValue,
         **kwargs):
    """numpy.clip: min(max(a, a_min), a_max), NaN in any operand giving NaN; either bound
    may be None. `dtype=` is honoured; other ufunc keywords are not supported."""
    _check_out(out)
    dtype = kwargs.pop("dtype", None)
    if kwargs:
        # Note: NumPy's other ufunc keywords (where=, casting=, ...) are not supported.
        raise TypeError(f"clip() got unsupported keyword arguments {sorted(kwargs)}")
    lo, hi = _clip_bounds(a_min, a_max, min, max)
    a = asvalue(a)
    if dtype_of(a).kind in "iu":
        # As NumPy: a Python int bound beyond the integer dtype's range is no bound at all
        # (NEP 50 would otherwise reject it).
        info = np.iinfo(dtype_of(a))
        lo = None if type(lo) is int and lo <= info.min else lo
        hi = None if type(hi) is int and hi >= info.max else hi
    bounds = [b if b is None or type(b) in PYTHON_SCALARS else asvalue(b) for b in (lo, hi)]
    args = [a] + [b for b in bounds if b is not None]
    if dtype is not None:
        _check_same_kind(args, np.dtype(dtype))
    a, *rest = promote_and_broadcast(*args, dtype=dtype)
    lo, hi = [rest.pop(0) if b is not None else None for b in bounds]
    if lo is None and hi is None and dtype_of(a) == np.bool_:
        raise TypeError("ufunc 'positive' did not contain a loop with signature matching "
                        "types <class 'numpy.dtypes.BoolDType'> -> None")
    for bound, pick in ((lo, ew.max), (hi, ew.min)):
        if bound is not None:
            a = _clip_step(a, bound, pick)
    return a


def _check_same_kind(args, dtype) -> None:
    """NumPy's clip casts its inputs to dtype= with casting='same_kind' (Python scalars
    count as int64/float64/complex128 there)."""
    for i, x in enumerate(args):
        src = np.dtype(type(x)) if type(x) in PYTHON_SCALARS else dtype_of(x)
        if not np.can_cast(src, dtype, "same_kind"):
            raise TypeError(f"Cannot cast ufunc 'clip' input {i} from {src!r} to {dtype!r} "
                            "with casting rule 'same_kind'")


def _clip_step(a, bound, pick):
    # NumPy's clip keeps a NaN in `a`; XLA's complex max/min (lexicographic compares)
    # would pick the bound instead, so complex NaNs are kept explicitly.
    out = pick(a, bound)
    return ew.select(_isnan(a), a, out) if dtype_of(a).kind == "c" else out


def _round_float(x, decimals: int):
    """rint(x * 10**d) / 10**d, or rint(x / 10**-d) * 10**-d, as NumPy computes it."""
    rint = lambda v: ew.round(v, ew.RoundingMethod.TO_NEAREST_EVEN)  # noqa: E731
    if decimals == 0:
        return rint(x)
    scale = _full(shape_of(x), 10.0 ** abs(decimals), dtype_of(x))
    if decimals > 0:
        return ew.div(rint(ew.mul(x, scale)), scale)
    return ew.mul(rint(ew.div(x, scale)), scale)


def around(a, decimals: int = 0, out=None):
    """numpy.around: round half to even to `decimals` places (integers: only negative
    `decimals` change them, computed in float64 as NumPy does)."""
    _check_out(out)
    x, decimals = asvalue(a), int(decimals)
    dtype = dtype_of(x)
    if dtype == np.bool_:
        if decimals:
            raise TypeError("Cannot cast ufunc 'multiply' output from dtype('float64') to "
                            "dtype('bool') with casting rule 'same_kind'")
        return _round_float(astype(x, np.float16), 0)
    if dtype.kind in "iu":
        if decimals >= 0:
            return x
        return astype(_round_float(astype(x, np.float64), decimals), dtype)
    if dtype.kind == "c":
        return ew.complex(_round_float(ew.real(x), decimals), _round_float(ew.imag(x), decimals))
    return _round_float(x, decimals)


def round(a, decimals: int = 0, out=None):  # noqa: A001 (NumPy's name)
    """numpy.round: the same as numpy.around."""
    return around(a, decimals, out)


def fix(x, out=None):
    """numpy.fix: round towards zero (np.trunc); integers and bools are unchanged."""
    _check_out(out)
    x = asvalue(x)
    kind = dtype_of(x).kind
    if kind == "c":
        raise TypeError("ufunc 'trunc' not supported for the input types, and the inputs "
                        "could not be safely coerced to any supported types according to "
                        "the casting rule ''safe''")
    if kind != "f":
        return x
    zero = _full(shape_of(x), 0, dtype_of(x))
    return ew.select(ew.ge(x, zero), ew.floor(x), ew.ceil(x))


# --- complex numbers ---------------------------------------------------------------------

def real(val):
    """numpy.real: the real part (the value itself for real input)."""
    x = asvalue(val)
    return ew.real(x) if dtype_of(x).kind == "c" else x


def imag(val):
    """numpy.imag: the imaginary part (zeros of the input's dtype for real input)."""
    x = asvalue(val)
    return ew.imag(x) if dtype_of(x).kind == "c" else _full(shape_of(x), 0, dtype_of(x))


def angle(z, deg: bool = False):
    """numpy.angle: arctan2(imag, real), in degrees if `deg`."""
    z = asvalue(z)
    dtype = dtype_of(z)
    if dtype.kind == "c":
        re, im = ew.real(z), ew.imag(z)
    else:
        # NumPy computes arctan2(0, z) with a weak 0: bool promotes to int64 (float64).
        dtype = _float_dtype(result_type(z, 0))
        re = astype(z, dtype)
        im = _full(shape_of(z), 0, dtype)
    a = ew.atan2(im, re)
    if deg:
        a = ew.mul(a, _full(shape_of(a), 180 / math.pi, dtype_of(a)))
    return a


def isreal(x):
    """numpy.isreal: elementwise imag(x) == 0."""
    x = asvalue(x)
    if dtype_of(x).kind != "c":
        return _full(shape_of(x), True, np.bool_)
    im = ew.imag(x)
    return ew.eq(im, _full(shape_of(im), 0, dtype_of(im)))


def iscomplex(x):
    """numpy.iscomplex: elementwise imag(x) != 0 (all False for real dtypes)."""
    return ew.bitwise_not(isreal(x))


def iscomplexobj(x) -> bool:
    """numpy.iscomplexobj: is the dtype complex? (a Python bool: it depends on types only)"""
    dtype = getattr(x, "dtype", None)
    return np.dtype(dtype if dtype is not None else dtype_of(asvalue(x))).kind == "c"


def isrealobj(x) -> bool:
    """numpy.isrealobj: not iscomplexobj(x)."""
    return not iscomplexobj(x)


def real_if_close(a, tol=100):
    """numpy.real_if_close: the real part if every imaginary part is below `tol` (in
    machine epsilons when tol > 1). The result dtype depends on the values, so complex
    input must be concrete (not traced by jit/vmap)."""
    a = asvalue(a)
    dtype = dtype_of(a)
    if dtype.kind != "c":
        return a
    if tol > 1:
        tol = np.finfo(dtype).eps * tol
    small = ew.lt(ew.abs(ew.imag(a)), _full(shape_of(a), tol, dtypes.real_dtype(dtype)))
    return ew.real(a) if bool(_core.concrete(_all(small), "real_if_close")) else a


# --- special values ----------------------------------------------------------------------

def _check_not_complex(x) -> None:
    if dtype_of(x).kind == "c":
        raise TypeError(f"This operation is not supported for {dtype_of(x)} values because "
                        "it would be ambiguous.")


def isposinf(x, out=None):
    """numpy.isposinf: elementwise x == +inf (TypeError for complex input)."""
    _check_out(out)
    x = asvalue(x)
    _check_not_complex(x)
    if dtype_of(x).kind != "f":
        return _full(shape_of(x), False, np.bool_)
    return ew.eq(x, _full(shape_of(x), np.inf, dtype_of(x)))


def isneginf(x, out=None):
    """numpy.isneginf: elementwise x == -inf (TypeError for complex input)."""
    _check_out(out)
    x = asvalue(x)
    _check_not_complex(x)
    if dtype_of(x).kind != "f":
        return _full(shape_of(x), False, np.bool_)
    return ew.eq(x, _full(shape_of(x), -np.inf, dtype_of(x)))


def _replace_special(x, nan, posinf, neginf):
    dtype, shape = dtype_of(x), shape_of(x)
    info = np.finfo(dtype)
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    for test, value in ((ew.ne(x, x), nan), (ew.eq(x, _full(shape, np.inf, dtype)), posinf),
                        (ew.eq(x, _full(shape, -np.inf, dtype)), neginf)):
        x = ew.select(test, _filled(value, dtype, shape), x)
    return x


def nan_to_num(x, copy: bool = True, nan=0.0, posinf=None, neginf=None):
    """numpy.nan_to_num: NaN -> `nan`, +inf -> `posinf` (default: the dtype's largest),
    -inf -> `neginf` (default: its most negative); real and imaginary parts separately.
    Integer and bool input is returned unchanged. (`copy` has no effect on values.)"""
    x = asvalue(x)
    kind = dtype_of(x).kind
    if kind == "c":
        return ew.complex(_replace_special(ew.real(x), nan, posinf, neginf),
                          _replace_special(ew.imag(x), nan, posinf, neginf))
    return _replace_special(x, nan, posinf, neginf) if kind == "f" else x


# --- comparisons -------------------------------------------------------------------------

def _weak_or_value(x):
    return x if type(x) in PYTHON_SCALARS else asvalue(x)


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan: bool = False):
    """numpy.isclose: |a - b| <= atol + rtol * |b| where b is finite, or a == b; NaNs
    equal each other if `equal_nan`. b is taken as inexact (result_type(b, 1.0))."""
    x, y, atol, rtol = map(_weak_or_value, (a, b, atol, rtol))
    if type(y) not in PYTHON_SCALARS:
        y = astype(y, result_type(y, 1.0))
    elif type(y) is int:
        y = float(y)
    dtype = result_type(x, y, atol, rtol)
    x, y = promote_and_broadcast(x, y, dtype=dtype)
    real = dtypes.real_dtype(dtype)
    atol, rtol = (broadcast_to(astype(t, real), shape_of(x)) for t in (atol, rtol))
    close = ew.le(ew.abs(ew.sub(x, y)), ew.add(atol, ew.mul(rtol, ew.abs(y))))
    result = ew.bitwise_or(ew.bitwise_and(close, _isfinite(y)), ew.eq(x, y))
    if equal_nan:
        result = ew.bitwise_or(result, ew.bitwise_and(_isnan(x), _isnan(y)))
    return result


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan: bool = False):
    """numpy.allclose: all(isclose(a, b, ...)).

    # Note: NumPy returns a Python bool; this returns a 0-d bool value so that it also
    # works under jit (bool(result) gives the Python bool eagerly)."""
    return _all(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def _equal(a1, a2):
    a1, a2 = promote_and_broadcast(a1, a2)
    return ew.eq(a1, a2)


def array_equal(a1, a2, equal_nan: bool = False):
    """numpy.array_equal: same shape and elements (NaNs in the same places count as equal
    if `equal_nan`).

    # Note: NumPy returns a Python bool; this returns a 0-d bool value (see allclose)."""
    try:
        a1, a2 = asvalue(a1), asvalue(a2)
    except (TypeError, ValueError):
        return np.asarray(False)
    if shape_of(a1) != shape_of(a2):
        return np.asarray(False)
    same = _equal(a1, a2)
    if equal_nan:
        nan1, nan2 = _isnan(a1), _isnan(a2)
        same = ew.bitwise_and(ew.eq(nan1, nan2), ew.bitwise_or(same, nan1))
    return _all(same)


def array_equiv(a1, a2):
    """numpy.array_equiv: broadcastable to one shape with equal elements there.

    # Note: NumPy returns a Python bool; this returns a 0-d bool value (see allclose)."""
    try:
        a1, a2 = asvalue(a1), asvalue(a2)
        broadcast_shapes(shape_of(a1), shape_of(a2))
    except (TypeError, ValueError):
        return np.asarray(False)
    return _all(_equal(a1, a2))


# --- sinc and i0 -------------------------------------------------------------------------

def sinc(x):
    """numpy.sinc: sin(pi x) / (pi x), with 1 at x == 0 (NumPy substitutes a tiny
    argument there, so the derivative at 0 is 0)."""
    x = asvalue(x)
    dtype = result_type(x, 1.0)
    y = ew.mul(astype(x, dtype), _full(shape_of(x), math.pi, dtype))
    eps = np.finfo(dtype).eps if dtype.kind == "f" else 1e-20
    y = _where(ew.eq(y, _full(shape_of(y), 0, dtype)), _full((), eps, dtype), y)
    return ew.div(ew.sin(y), y)


# Chebyshev coefficients of exp(-x) I0(x) on [0, 8] and of exp(-x) sqrt(x) I0(x) on
# (8, inf), from the Cephes library (as numpy.i0 uses).
_I0_A = (-4.4153416464793395e-18, 3.3307945188222384e-17, -2.431279846547955e-16,
         1.715391285555133e-15, -1.1685332877993451e-14, 7.676185498604936e-14,
         -4.856446783111929e-13, 2.95505266312964e-12, -1.726826291441556e-11,
         9.675809035373237e-11, -5.189795601635263e-10, 2.6598237246823866e-09,
         -1.300025009986248e-08, 6.046995022541919e-08, -2.670793853940612e-07,
         1.1173875391201037e-06, -4.4167383584587505e-06, 1.6448448070728896e-05,
         -5.754195010082104e-05, 0.00018850288509584165, -0.0005763755745385824,
         0.0016394756169413357, -0.004324309995050576, 0.010546460394594998,
         -0.02373741480589947, 0.04930528423967071, -0.09490109704804764,
         0.17162090152220877, -0.3046826723431984, 0.6767952744094761)
_I0_B = (-7.233180487874754e-18, -4.830504485944182e-18, 4.46562142029676e-17,
         3.461222867697461e-17, -2.8276239805165836e-16, -3.425485619677219e-16,
         1.7725601330565263e-15, 3.8116806693526224e-15, -9.554846698828307e-15,
         -4.150569347287222e-14, 1.54008621752141e-14, 3.8527783827421426e-13,
         7.180124451383666e-13, -1.7941785315068062e-12, -1.3215811840447713e-11,
         -3.1499165279632416e-11, 1.1889147107846439e-11, 4.94060238822497e-10,
         3.3962320257083865e-09, 2.266668990498178e-08, 2.0489185894690638e-07,
         2.8913705208347567e-06, 6.889758346916825e-05, 0.0033691164782556943,
         0.8044904110141088)


def _chebyshev(x, coefficients):
    """Clenshaw's recurrence for sum c_k T_k(x/2), as Cephes' chbevl."""
    c = lambda v: _full(shape_of(x), v, dtype_of(x))  # noqa: E731
    b0, b1, b2 = c(coefficients[0]), c(0.0), c(0.0)
    for v in coefficients[1:]:
        b0, b1, b2 = ew.add(ew.sub(ew.mul(x, b0), b1), c(v)), b0, b1
    return ew.mul(c(0.5), ew.sub(b0, b2))


@jit
def _i0_float64(x):
    x = ew.abs(x)
    c = lambda v: _full(shape_of(x), v, np.float64)  # noqa: E731
    small = ew.le(x, c(8.0))
    # Each branch sees arguments from its own range only, so the unused branch cannot
    # produce inf/nan that would leak into derivatives.
    xs, xl = ew.select(small, x, c(0.0)), ew.select(small, c(8.0), x)
    near = ew.mul(ew.exp(xs), _chebyshev(ew.sub(ew.div(xs, c(2.0)), c(2.0)), _I0_A))
    far = ew.div(ew.mul(ew.exp(xl), _chebyshev(ew.sub(ew.div(c(32.0), xl), c(2.0)), _I0_B)),
                 ew.sqrt(xl))
    return ew.select(small, near, far)


def i0(x):
    """numpy.i0: the modified Bessel function of the first kind, order 0 (Cephes'
    Chebyshev expansions, computed in float64; float input keeps its dtype)."""
    x = asvalue(x)
    dtype = dtype_of(x)
    if dtype.kind == "c":
        raise TypeError("i0 not supported for complex values")
    out_dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
    return astype(_i0_float64(astype(x, np.float64)), out_dtype)


# --- interp ------------------------------------------------------------------------------

def _take(v, index):
    return indexing.getitem(v, index)


def _count_le(xp, x):
    """For each x, the number of xp elements <= x (xp sorted): a vectorised binary search,
    ceil(log2(n + 1)) gathers."""
    n = shape_of(xp)[0]
    lo = _full(shape_of(x), 0, np.int64)
    hi = _full(shape_of(x), n, np.int64)
    two, one, last = (_full(shape_of(x), v, np.int64) for v in (2, 1, n - 1))
    for _ in range(int(n).bit_length()):
        mid = ew.div(ew.add(lo, hi), two)
        active = ew.lt(lo, hi)
        right = ew.bitwise_and(active, ew.le(_take(xp, ew.min(mid, last)), x))
        left = ew.bitwise_and(active, ew.bitwise_not(right))
        lo = ew.select(right, ew.add(mid, one), lo)
        hi = ew.select(left, mid, hi)
    return lo


def _interp_real(x, xp, fp, j, left, right, nan_value=None):
    """NumPy's compiled interp on real fp, given j with xp[j] <= x < xp[j+1] (clipped);
    NaN x gives `nan_value` (default x itself)."""
    n = shape_of(xp)[0]
    x0, y0 = _take(xp, j), _take(fp, j)
    first, last = _take(fp, 0), _take(fp, n - 1)
    if n == 1:
        inside = first
    else:
        j1 = ew.add(j, _full(shape_of(j), 1, np.int64))
        x1, y1 = _take(xp, j1), _take(fp, j1)
        slope = ew.div(ew.sub(y1, y0), ew.sub(x1, x0))
        inside = ew.add(ew.mul(slope, ew.sub(x, x0)), y0)
        # If one direction gives NaN (infinite fp), NumPy tries the other, then fp[j].
        inside = ew.select(ew.ne(inside, inside), ew.add(ew.mul(slope, ew.sub(x, x1)), y1),
                           inside)
        inside = ew.select(ew.bitwise_and(ew.ne(inside, inside), ew.eq(y0, y1)), y0, inside)
        inside = ew.select(ew.eq(x, x0), y0, inside)
    lval = first if left is None else broadcast_to(left, ())
    rval = last if right is None else broadcast_to(right, ())
    xp_first, xp_last = _take(xp, 0), _take(xp, n - 1)
    out = _where(ew.eq(x, broadcast_to(xp_last, shape_of(x))), last, inside)
    out = _where(ew.gt(x, broadcast_to(xp_last, shape_of(x))), rval, out)
    out = _where(ew.lt(x, broadcast_to(xp_first, shape_of(x))), lval, out)
    # NaN x gives NaN, except with a single sample point, where NumPy gives fp[0].
    if n == 1:
        return out
    nan = x if nan_value is None else _full((), nan_value, np.float64)
    return _where(ew.ne(x, x), nan, out)


def interp(x, xp, fp, left=None, right=None, period=None):
    """numpy.interp: piecewise-linear interpolation of the points (xp, fp) (xp increasing)
    at x; `left`/`right` (default fp[0]/fp[-1]) outside [xp[0], xp[-1]], or periodic
    with `period`. float64 result (complex128 for complex fp)."""
    fp = asvalue(fp)
    dtype = np.dtype(np.complex128 if dtype_of(fp).kind == "c" else np.float64)
    x = astype(asvalue(x), np.float64)
    xp, fp = astype(asvalue(xp), np.float64), astype(fp, dtype)
    if period is not None:
        if not is_traced(period) and np.all(np.asarray(period) == 0):
            raise ValueError("period must be a non-zero value")
        left = right = None
        if len(shape_of(xp)) != 1 or len(shape_of(fp)) != 1:
            raise ValueError("Data points must be 1-D sequences")
        if shape_of(xp)[0] != shape_of(fp)[0]:
            raise ValueError("fp and xp are not of the same length")
    for v in (xp, fp):
        if len(shape_of(v)) != 1:
            raise ValueError("object too deep for desired array" if shape_of(v)
                             else "object of too small depth for desired array")
    if shape_of(xp)[0] == 0:
        raise ValueError("array of sample points is empty")
    if shape_of(xp)[0] != shape_of(fp)[0]:
        raise ValueError("fp and xp are not of the same length.")
    bounds = [None if v is None else astype(asvalue(v), dtype) for v in (left, right)]
    period = None if period is None else astype(_weak_or_value(period), np.float64)
    return _interp(x, xp, fp, *bounds, period)


@jit
def _interp(x, xp, fp, left, right, period):
    """interp on checked float64 x, xp and float64/complex128 fp (compiled as one unit:
    eagerly it is one executable, not the ~60 operations of the binary search)."""
    if period is not None:
        x, xp, fp = _periodic(x, xp, fp, ew.abs(period))
    n = shape_of(xp)[0]
    j = _count_le(xp, x)
    j = ew.clamp(np.asarray(0), ew.sub(j, _full(shape_of(j), 1, np.int64)),
                 np.asarray(max(n - 2, 0)))
    if dtype_of(fp).kind != "c":
        return _interp_real(x, xp, fp, j, left, right)
    parts = [[None if v is None else f(v) for v in (left, right)] for f in (ew.real, ew.imag)]
    return ew.complex(_interp_real(x, xp, ew.real(fp), j, *parts[0]),
                      _interp_real(x, xp, ew.imag(fp), j, *parts[1], nan_value=0.0))


def _periodic(x, xp, fp, period):
    """NumPy's periodic set-up: everything modulo the period, xp sorted, one point wrapped
    around at each end."""
    p = lambda v: _filled(period, np.float64, shape_of(v))  # noqa: E731
    x, xp = _floor_mod(x, p(x)), _floor_mod(xp, p(xp))
    xp, fp = sorting.sort_key_val(xp, fp)
    n = shape_of(xp)[0]
    head = lambda v: slicing.slice_in_dim(v, 0, 1)  # noqa: E731
    tail = lambda v: slicing.slice_in_dim(v, n - 1, n)  # noqa: E731
    xp = lax_shape.concatenate([ew.sub(tail(xp), p(tail(xp))), xp,
                                ew.add(head(xp), p(head(xp)))], 0)
    fp = lax_shape.concatenate([tail(fp), fp, head(fp)], 0)
    return x, xp, fp


# --- unwrap ------------------------------------------------------------------------------

def unwrap(p, discont=None, axis: int = -1, *, period=2 * math.pi):
    """numpy.unwrap: remove jumps larger than `discont` (default period/2) between
    neighbours along `axis` by adding multiples of `period`."""
    p = asvalue(p)
    nd = len(shape_of(p))
    if nd == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    axis = normalize_axis(axis, nd)
    n = shape_of(p)[axis]
    later = slicing.slice_in_dim(p, min(1, n), n, axis=axis)
    earlier = slicing.slice_in_dim(p, 0, max(n - 1, 0), axis=axis)
    dd = ew.ne(later, earlier) if dtype_of(p) == np.bool_ else ew.sub(later, earlier)
    if discont is None:
        discont = period / 2
    dtype = result_type(dd, period)
    if dtype.kind in "iu":
        high, rem = divmod(period, 2)
        ambiguous = rem == 0
        if dtype.kind == "u" and high > 0:
            # NumPy computes dd - (-high) with a weak Python int.
            raise OverflowError(f"Python integer {-high} out of bounds for {dtype}")
    else:
        high, ambiguous = period / 2, True
    dd = astype(dd, dtype)
    c = lambda v: _filled(v, dtype, shape_of(dd))  # noqa: E731
    low = ew.neg(c(high))
    ddmod = ew.add(_floor_mod(ew.sub(dd, low), c(period)), low)
    if ambiguous:
        ddmod = ew.select(ew.bitwise_and(ew.eq(ddmod, low), ew.gt(dd, c(0))), c(high), ddmod)
    correction = ew.sub(ddmod, dd)
    # abs(dd) < discont, compared in their common dtype (an int dd, a float discont).
    magnitude, discont = promote_and_broadcast(ew.abs(dd) if dtype.kind != "u" else dd,
                                               _weak_or_value(discont))
    correction = ew.select(ew.lt(magnitude, discont), c(0), correction)
    later = ew.add(astype(later, dtype), reduction.cumsum(correction, axis))
    first = astype(slicing.slice_in_dim(p, 0, min(n, 1), axis=axis), dtype)
    return lax_shape.concatenate([first, later], axis)
