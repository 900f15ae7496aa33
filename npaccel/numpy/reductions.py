"""Reductions and statistics (NumPy's reference sections "Sums, products, differences",
"Statistics" and "Counting") on lax reductions, sorts and gathers.

NumPy's rules hold throughout: result dtypes (sums of small integers and booleans
accumulate in int64/uint64, means of integers are float64, means of float16 are computed
in float32, variances of complex values are real), NaN propagation (max/min propagate NaN,
the nan* functions ignore it), errors for empty reductions without an identity, AxisError
for bad axes, and the keywords dtype=, ddof=, keepdims=, where=, initial=.

Each function checks its arguments in Python, then runs its arithmetic as one jitted kernel
(static arguments: axes, dtypes, methods), so an eager call compiles and dispatches one
XLA program rather than one per primitive. Value checks NumPy raises on (All-NaN slices in
nanargmax, weights summing to zero, non-monotonic bins) read the device when the values are
concrete; under jit/vmap they are skipped (each place says what happens instead). Output
shapes that depend on values (bincount's length, the bin count a string `bins` estimator
picks) need concrete values and raise ConcretizationError otherwise.
"""
from __future__ import annotations

import builtins
import math
import operator
from functools import partial

import numpy as np

from npaccel.core import dtypes
from npaccel.core.trace import is_traced
from npaccel.lax import elementwise as ew
from npaccel.lax import reduction as lax_red
from npaccel.lax import shape as lax_shape
from npaccel.lax import slicing
from npaccel.lax.contraction import dot_general
from npaccel.lax.convolution import conv_general_dilated
from npaccel.lax.sorting import sort as lax_sort
# NumPy-named helpers are imported under private names, so that npaccel.numpy exports only
# this module's own functions under NumPy's names.
from npaccel.numpy._core import PYTHON_SCALARS, asvalue, dtype_of, normalize_axis, normalize_axes
from npaccel.numpy._core import astype as _astype
from npaccel.numpy._core import broadcast_to as _broadcast_to
from npaccel.numpy._core import result_type as _result_type
from npaccel.numpy._core import shape_of
from npaccel.numpy._reducing import F64 as _F64
from npaccel.numpy._reducing import (INDEX, count_true, index_arg, iota, operand, rounded,
                                     sort_with, truthy)
from npaccel.numpy._reducing import isnan as _isnan
from npaccel.numpy._reducing import ravel as _ravel
from npaccel.numpy._reducing import take_along_axis as _take_along_axis
from npaccel.numpy._reducing import add as _add
from npaccel.numpy._reducing import binary as _binary
from npaccel.numpy._reducing import check_subtract as _check_subtract
from npaccel.numpy._reducing import difference as _difference
from npaccel.numpy._reducing import div as _div
from npaccel.numpy._reducing import full as _full
from npaccel.numpy._reducing import host as _host
from npaccel.numpy._reducing import kernel as _kernel
from npaccel.numpy._reducing import mul as _mul
from npaccel.numpy._reducing import sub as _sub
from npaccel.numpy._reducing import sum_dtype as _sum_dtype
from npaccel.numpy._reducing import where as _where
from npaccel.transforms.jit import jit

_NoValue = np._NoValue


# --- plumbing --------------------------------------------------------------------------------

def _no_out(out):
    if out is not None:
        raise TypeError("out= is handled by npaccel.ndarray")


def _given(x) -> bool:
    return x is not _NoValue


def _flag(keepdims) -> bool:
    return bool(keepdims) if _given(keepdims) else False


def _axes(axis, ndim: int, scalar_axis_ok: bool = False) -> tuple[int, ...]:
    """`axis` (None, an int or a tuple) as sorted unique axes. NumPy's ufunc reductions
    also accept an int axis 0 or -1 on a 0-d array."""
    if axis is None:
        return tuple(range(ndim))
    axes = tuple(index_arg(a, "axis") for a in (axis if isinstance(axis, tuple) else (axis,)))
    if ndim == 0 and scalar_axis_ok and not isinstance(axis, tuple) and axes[0] in (0, -1):
        return ()
    return normalize_axes(axes, ndim)


def _kept_shape(shape, axes, keepdims):
    """The shape of a keepdims result (the reduced axes of size 1), or None."""
    return tuple(1 if i in axes else d for i, d in enumerate(shape)) if keepdims else None


def _finish(r, keep_shape):
    return r if keep_shape is None else lax_shape.reshape(r, keep_shape)


def _reduced_shape(shape, axes):
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _mask(where, shape):
    """The where= mask broadcast to `shape`, or None when everything is included."""
    if where is True or where is _NoValue:
        return None
    # Sequences convert to bool directly (as NumPy does); arrays must already be bool.
    where = asvalue(where, np.bool_ if isinstance(where, (list, tuple)) else None)
    if dtype_of(where) != np.bool_:
        raise TypeError(f"Cannot cast array data from dtype('{dtype_of(where)}') to "
                        f"dtype('bool') according to the rule 'safe'")
    return _broadcast_to(where, shape)


def _masks(where) -> bool:
    """Whether where= was given as a mask: NumPy counts a masked mean's items with a ufunc
    reduction (which takes axis 0 of a 0-d array), an unmasked one from the shape."""
    return where is not True and _given(where)


def _nan_value(dtype):
    return complex(np.nan, 0) if dtypes.is_complex(dtype) else np.nan


def _extreme(dtype, lowest: bool):
    """The least (or greatest) value of `dtype`, the identity of max (or min)."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return not lowest
    if dtypes.is_integer(dtype):
        info = np.iinfo(dtype)
        return int(info.min if lowest else info.max)
    inf = -np.inf if lowest else np.inf
    return complex(inf, inf) if dtypes.is_complex(dtype) else inf


def _compute_dtype(dtype) -> np.dtype:
    # Note: float16 (and bfloat16) sums accumulate in float32 and round once at the end,
    # more accurately than NumPy's float16 pairwise sums.
    dtype = np.dtype(dtype)
    return np.dtype(np.float32) if dtype.kind == "f" and dtype.itemsize < 4 else dtype


def _widened(x, dtype):
    """x in `dtype`'s compute dtype, cast to `dtype` first (so uint16 65535 is inf as a
    float16, as in NumPy's loop)."""
    return _astype(_astype(x, dtype), _compute_dtype(dtype))


def _to_last(a, axes):
    """a with `axes` moved to the end and merged into one; and the kept shape."""
    shape = shape_of(a)
    kept = [i for i in range(len(shape)) if i not in axes]
    x = lax_shape.transpose(a, kept + list(axes)) if shape else a
    kept_shape = tuple(shape[i] for i in kept)
    return lax_shape.reshape(x, kept_shape + (math.prod(shape[i] for i in axes),)), kept_shape


def _last(s):
    """The last entries along the last axis."""
    n, nd = shape_of(s)[-1], len(shape_of(s))
    return lax_shape.squeeze(slicing.slice_in_dim(s, n - 1, n, axis=-1), (nd - 1,))


# --- the ufunc reductions: sum, prod, max, min, all, any -------------------------------------

# name: (NumPy's ufunc name, lax reduction, identity (None: the ufunc has none), combining op)
_REDUCTIONS = {
    "sum": ("add", lax_red.reduce_sum, 0, ew.add),
    "prod": ("multiply", lax_red.reduce_prod, 1, ew.mul),
    "max": ("maximum", lax_red.reduce_max, None, ew.max),
    "min": ("minimum", lax_red.reduce_min, None, ew.min),
    "fmax": ("fmax", lax_red.reduce_max, None, ew.max),  # NaNs are removed beforehand
    "fmin": ("fmin", lax_red.reduce_min, None, ew.min),
    "all": ("logical_and", lax_red.reduce_and, True, ew.bitwise_and),
    "any": ("logical_or", lax_red.reduce_or, False, ew.bitwise_or),
}
# np.add/np.multiply reduce booleans (dtype=bool) as logical or/and.
_BOOLEAN_FORM = {"sum": "any", "prod": "all"}


def _masked_identity(name, dtype):
    identity = _REDUCTIONS[name][2]
    return _extreme(dtype, lowest=name in ("max", "fmax")) if identity is None else identity


def _first_true(mask, axis):
    return lax_red.argmax(mask, axis, INDEX)


def _propagate_complex_nan(x, axes, r):
    """r, or the first entry (C order) with a NaN part where there is one: np.maximum and
    np.minimum propagate NaN, which XLA's complex max/min do not."""
    y, kept = _to_last(x, axes)
    nan, k = _isnan(y), len(kept)
    first = _take_along_axis(y, lax_shape.expand_dims(_first_true(nan, k), (k,)), k)
    return ew.select(lax_red.reduce_or(nan, (k,)), lax_shape.reshape(first, kept), r)


def _reduce_value(name, x, axes, mask=None, initial=None):
    """The reduction `name` of x (in its dtype) over `axes`, masked entries replaced by
    the identity, combined with `initial` (a value of x's dtype)."""
    if dtype_of(x) == np.bool_ and name in _BOOLEAN_FORM:
        name = _BOOLEAN_FORM[name]
    _, reducer, _, combine = _REDUCTIONS[name]
    if mask is not None:
        x = _where(mask, x, _masked_identity(name, dtype_of(x)))
    r = reducer(x, axes)
    if name in ("max", "min") and dtypes.is_complex(dtype_of(x)) and axes:
        r = _propagate_complex_nan(x, axes, r)
    if initial is not None:
        init = _broadcast_to(_astype(initial, dtype_of(r)), shape_of(r))
        combined = combine(r, init)
        if name in ("max", "min") and dtypes.is_complex(dtype_of(x)):
            combined = ew.select(_isnan(r), r, combined)  # XLA's complex max drops NaN
        r = combined
    return r


@_kernel("name", "axes", "out_dtype", "keep_shape")
def _reduce_kernel(x, mask, initial, *, name, axes, out_dtype, keep_shape):
    if name in ("all", "any"):
        x = truthy(x)
    r = _reduce_value(name, _widened(x, out_dtype), axes, mask, initial)
    return _finish(_astype(r, out_dtype), keep_shape)


def _initial(initial, dtype):
    """`initial` in `dtype`: Python ints out of range raise OverflowError (as NumPy); other
    values are cast unsafely."""
    if type(initial) is int:
        return np.asarray(initial, dtype)
    if type(initial) in PYTHON_SCALARS:
        return np.asarray(initial).astype(dtype)
    return _astype(asvalue(initial), dtype)


def _ufunc_reduce(name, a, axis, dtype, keepdims, initial=_NoValue, where=_NoValue):
    a = asvalue(a)
    shape = shape_of(a)
    axes = _axes(axis, len(shape), scalar_axis_ok=True)
    mask = _mask(where, shape)
    ufunc, _, identity, _ = _REDUCTIONS[name]
    if identity is None and not _given(initial):
        if mask is not None:
            raise ValueError(f"reduction operation '{ufunc}' does not have an identity, so to "
                             f"use a where mask one has to specify 'initial'")
        if builtins.any(shape[i] == 0 for i in axes) and math.prod(_reduced_shape(shape, axes)):
            raise ValueError(f"zero-size array to reduction operation {ufunc} which has no "
                             f"identity")
    if name in ("all", "any"):
        out_dtype = np.dtype(np.bool_)
    elif name in ("sum", "prod"):
        out_dtype = _sum_dtype(dtype_of(a)) if dtype is None else np.dtype(dtype)
    else:
        out_dtype = dtype_of(a)
    init = _initial(initial, out_dtype) if _given(initial) else None
    return _reduce_kernel(a, mask, init, name=name, axes=axes, out_dtype=out_dtype,
                          keep_shape=_kept_shape(shape, axes, _flag(keepdims)))


def sum(a, axis=None, dtype=None, out=None, keepdims=_NoValue, initial=_NoValue,
        where=_NoValue):
    """numpy.sum (booleans and small integers accumulate in int64/uint64)."""
    _no_out(out)
    return _ufunc_reduce("sum", a, axis, dtype, keepdims, initial, where)


def prod(a, axis=None, dtype=None, out=None, keepdims=_NoValue, initial=_NoValue,
         where=_NoValue):
    """numpy.prod (booleans and small integers accumulate in int64/uint64)."""
    _no_out(out)
    return _ufunc_reduce("prod", a, axis, dtype, keepdims, initial, where)


def max(a, axis=None, out=None, keepdims=_NoValue, initial=_NoValue, where=_NoValue):
    """numpy.max: propagates NaN; complex values compare lexicographically."""
    _no_out(out)
    return _ufunc_reduce("max", a, axis, None, keepdims, initial, where)


def min(a, axis=None, out=None, keepdims=_NoValue, initial=_NoValue, where=_NoValue):
    """numpy.min: propagates NaN; complex values compare lexicographically."""
    _no_out(out)
    return _ufunc_reduce("min", a, axis, None, keepdims, initial, where)


amax, amin = max, min


def all(a, axis=None, out=None, keepdims=_NoValue, *, where=_NoValue):
    """numpy.all."""
    _no_out(out)
    return _ufunc_reduce("all", a, axis, None, keepdims, _NoValue, where)


def any(a, axis=None, out=None, keepdims=_NoValue, *, where=_NoValue):
    """numpy.any."""
    _no_out(out)
    return _ufunc_reduce("any", a, axis, None, keepdims, _NoValue, where)


def ptp(a, axis=None, out=None, keepdims=_NoValue):
    """numpy.ptp: max - min (in the input dtype, so integers wrap as in NumPy)."""
    _no_out(out)
    a = asvalue(a)
    hi, lo = max(a, axis, keepdims=keepdims), min(a, axis, keepdims=keepdims)
    _check_subtract(dtype_of(a))
    return ew.sub(hi, lo)


def count_nonzero(a, axis=None, *, keepdims=False):
    """numpy.count_nonzero (int64)."""
    a = asvalue(a)
    shape = shape_of(a)
    axes = _axes(axis, len(shape), scalar_axis_ok=True)
    return _count_kernel(a, axes=axes, keep_shape=_kept_shape(shape, axes, keepdims))


@_kernel("axes", "keep_shape")
def _count_kernel(a, *, axes, keep_shape):
    return _finish(count_true(truthy(a), axes), keep_shape)


# --- argmax / argmin --------------------------------------------------------------------------

def _complex_arg(name, z, axis):
    """argmax/argmin of complex values in NumPy's order: lexicographic by (real, imag);
    the first entry with a NaN part wins, as NaN does for real values."""
    reduce_ = lax_red.reduce_max if name == "argmax" else lax_red.reduce_min
    re, im = ew.real(z), ew.imag(z)
    others = tuple(i for i in range(len(shape_of(re))) if i != axis)
    spread = lambda r: lax_shape.broadcast_in_dim(r, shape_of(re), others)  # noqa: E731
    best_re = ew.eq(re, spread(reduce_(re, (axis,))))
    im_of_best = _where(best_re, im, _extreme(dtype_of(im), lowest=name == "argmax"))
    best = ew.bitwise_and(best_re, ew.eq(im, spread(reduce_(im_of_best, (axis,)))))
    nan = _isnan(z)
    return ew.select(lax_red.reduce_or(nan, (axis,)), _first_true(nan, axis),
                     _first_true(best, axis))


def _arg_value(name, a, axis):
    if math.prod(shape_of(a)) == 0:
        return _full(_reduced_shape(shape_of(a), (axis,)), 0, INDEX)
    if dtypes.is_complex(dtype_of(a)):
        return _complex_arg(name, a, axis)
    return getattr(lax_red, name)(a, axis, INDEX)


@_kernel("name", "axis", "flat", "nan", "keep_shape")
def _arg_kernel(a, *, name, axis, flat, nan, keep_shape):
    """argmax/argmin along `axis` (of the flattened array with flat); with nan, NaNs are
    skipped and the all-NaN slices come out too."""
    if flat:
        a = _ravel(a)
    all_nan = None
    if nan:
        missing = _isnan(a)
        a = _where(ew.bitwise_not(missing), a, _extreme(dtype_of(a), name == "argmax"))
        all_nan = _finish(lax_red.reduce_and(missing, (axis,)), keep_shape)
    return _finish(_arg_value(name, a, axis), keep_shape), all_nan


def _arg(name, a, axis, keepdims, nan=False):
    a = asvalue(a)
    shape = shape_of(a)
    if axis is None:
        ax, flat_shape = 0, (math.prod(shape),)
    else:
        ax = index_arg(axis, "axis")
        if not shape and ax in (0, -1):
            shape, a = (1,), lax_shape.reshape(a, (1,))
        ax = normalize_axis(ax, len(shape))
        flat_shape = shape
    if flat_shape[ax] == 0 and math.prod(_reduced_shape(flat_shape, (ax,))):
        raise ValueError(f"attempt to get {name} of an empty sequence")
    keep_shape = None
    if _flag(keepdims):
        keep_shape = (1,) * len(shape) if axis is None else _kept_shape(shape, (ax,), True)
    nan = nan and dtypes.is_inexact(dtype_of(a))
    r, all_nan = _arg_kernel(a, name=name, axis=ax, flat=axis is None, nan=nan,
                             keep_shape=keep_shape)
    if not nan:
        return r
    known = _host(all_nan)
    if known is not None:
        if np.any(known):
            raise ValueError("All-NaN slice encountered")
        return r
    # Note: under jit/vmap an all-NaN slice gives -1 (as jax.numpy), not an error.
    return ew.select(all_nan, _full(shape_of(r), -1, INDEX), r)


def argmax(a, axis=None, out=None, *, keepdims=_NoValue):
    """numpy.argmax: the first maximum (NaN counts as the maximum)."""
    _no_out(out)
    return _arg("argmax", a, axis, keepdims)


def argmin(a, axis=None, out=None, *, keepdims=_NoValue):
    """numpy.argmin: the first minimum (NaN counts as the minimum)."""
    _no_out(out)
    return _arg("argmin", a, axis, keepdims)


def nanargmax(a, axis=None, out=None, *, keepdims=_NoValue):
    """numpy.nanargmax: argmax ignoring NaNs; ValueError for an all-NaN slice."""
    _no_out(out)
    return _arg("argmax", a, axis, keepdims, nan=True)


def nanargmin(a, axis=None, out=None, *, keepdims=_NoValue):
    """numpy.nanargmin: argmin ignoring NaNs; ValueError for an all-NaN slice."""
    _no_out(out)
    return _arg("argmin", a, axis, keepdims, nan=True)


# --- mean, var, std ---------------------------------------------------------------------------

def _count(shape, axes, mask):
    """The number of entries reduced: a Python int, or an int64 value under a mask."""
    return math.prod(shape[i] for i in axes) if mask is None else count_true(mask, axes)


def _divide_unsafe(total, count):
    """total / count in total's dtype (np.true_divide with casting='unsafe')."""
    return _astype(_div(total, count), dtype_of(total))


def _sum_in(x, axes, dtype, mask=None):
    """x summed over axes in `dtype` (float16 via float32)."""
    return _astype(_reduce_value("sum", _widened(x, dtype), axes, mask), dtype)


def _mean_value(a, axes, dtype, mask=None):
    return _astype(_divide_unsafe(_sum_in(a, axes, _compute_dtype(dtype), mask),
                                 _count(shape_of(a), axes, mask)), dtype)


@_kernel("axes", "dtype", "keep_shape")
def _mean_kernel(a, mask, *, axes, dtype, keep_shape):
    return _finish(_mean_value(a, axes, dtype, mask), keep_shape)


def _mean_dtype(dtype) -> np.dtype:
    return _F64 if np.dtype(dtype).kind in "biu" else np.dtype(dtype)


def mean(a, axis=None, dtype=None, out=None, keepdims=_NoValue, *, where=_NoValue):
    """numpy.mean: integers average in float64, float16 in float32 (result float16); an
    empty mean is NaN."""
    _no_out(out)
    a = asvalue(a)
    shape = shape_of(a)
    axes = _axes(axis, len(shape), scalar_axis_ok=_masks(where))
    dtype = _mean_dtype(dtype_of(a)) if dtype is None else np.dtype(dtype)
    return _mean_kernel(a, _mask(where, shape), axes=axes, dtype=dtype,
                        keep_shape=_kept_shape(shape, axes, _flag(keepdims)))


def _squared_abs(x):
    if dtypes.is_complex(dtype_of(x)):
        re, im = ew.real(x), ew.imag(x)
        return ew.add(ew.mul(re, re), ew.mul(im, im))
    return ew.mul(x, x)


@_kernel("axes", "dtype", "ddof", "nan", "root", "keep_shape")
def _var_kernel(a, mask, centre, *, axes, dtype, ddof, nan, root, keep_shape):
    """NumPy's _var (nan=False) and nanvar (nan=True: NaNs left out, and no degrees of
    freedom left gives NaN rather than inf); with root, the square root (std)."""
    shape, in_dtype = shape_of(a), dtype_of(a)
    if nan:
        present = ew.bitwise_not(_isnan(a))
        mask = present if mask is None else ew.bitwise_and(mask, present)
        a = _where(present, a, 0)
    count = _count(shape, axes, mask)
    if centre is None:
        centre_dtype = in_dtype if dtype is None else dtype
        centre = _astype(_divide_unsafe(_sum_in(a, axes, _compute_dtype(centre_dtype), mask),
                                       count), centre_dtype)
        centre = lax_shape.reshape(centre, _kept_shape(shape, axes, True))
    dev = _sub(a, centre)
    if nan:  # nanvar subtracts in place, keeping a's dtype
        dev = _astype(dev, in_dtype)
    sq = _squared_abs(dev)
    if nan:
        sq = _where(mask, sq, 0)
    out_dtype = dtype_of(sq) if dtype is None else dtype
    total = _sum_in(sq, axes, _compute_dtype(out_dtype), mask)
    if nan:
        dof = _sub(count, ddof)
        r = _where(ew.gt(_astype(dof, _F64), _full(shape_of(dof), 0.0, _F64)),
                   _divide_unsafe(total, dof), np.nan)
    elif isinstance(count, int):
        r = _divide_unsafe(total, builtins.max(count - ddof, 0))
    else:
        r = _divide_unsafe(total, _binary(ew.max, _sub(count, ddof), 0))
    if root:
        r = ew.sqrt(_astype(r, _compute_dtype(out_dtype) if dtypes.is_inexact(out_dtype) else _F64))
    return _finish(_astype(r, out_dtype), keep_shape)


def _var(a, axis, dtype, out, ddof, keepdims, where, mean_, correction, *, nan, root):
    _no_out(out)
    if _given(correction):
        if ddof != 0:
            raise ValueError("ddof and correction can't be provided simultaneously.")
        ddof = correction
    a = asvalue(a)
    shape, in_dtype = shape_of(a), dtype_of(a)
    nan = nan and dtypes.is_inexact(in_dtype)
    # nanvar, and var with a mask, count with a ufunc reduction (np.sum)
    axes = _axes(axis, len(shape), scalar_axis_ok=nan or _masks(where))
    if dtype is None and in_dtype.kind in "biu":
        dtype = _F64
    dtype = None if dtype is None else np.dtype(dtype)
    if dtype == np.bool_:
        _check_subtract(dtype)
    centre = asvalue(mean_) if _given(mean_) else None
    return _var_kernel(a, _mask(where, shape), centre, axes=axes, dtype=dtype, ddof=ddof,
                       nan=nan, root=root, keep_shape=_kept_shape(shape, axes, _flag(keepdims)))


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=_NoValue, *, where=_NoValue,
        mean=_NoValue, correction=_NoValue):
    """numpy.var: real for complex input; integers in float64."""
    return _var(a, axis, dtype, out, ddof, keepdims, where, mean, correction, nan=False,
                root=False)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=_NoValue, *, where=_NoValue,
        mean=_NoValue, correction=_NoValue):
    """numpy.std: the square root of var."""
    return _var(a, axis, dtype, out, ddof, keepdims, where, mean, correction, nan=False,
                root=True)


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=_NoValue, *, where=_NoValue,
           mean=_NoValue, correction=_NoValue):
    """numpy.nanvar: the variance of the non-NaN entries; NaN where ddof >= their count."""
    return _var(a, axis, dtype, out, ddof, keepdims, where, mean, correction, nan=True,
                root=False)


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=_NoValue, *, where=_NoValue,
           mean=_NoValue, correction=_NoValue):
    """numpy.nanstd: the square root of nanvar."""
    return _var(a, axis, dtype, out, ddof, keepdims, where, mean, correction, nan=True,
                root=True)


# --- the other nan* reductions ---------------------------------------------------------------

@_kernel("value")
def _nan_to_kernel(a, *, value):
    return _where(ew.bitwise_not(_isnan(a)), a, value)


def _nan_to(a, value):
    """a with NaNs (complex: a NaN part) replaced by `value`; non-inexact a unchanged."""
    a = asvalue(a)
    return _nan_to_kernel(a, value=value) if dtypes.is_inexact(dtype_of(a)) else a


def nansum(a, axis=None, dtype=None, out=None, keepdims=_NoValue, initial=_NoValue,
           where=_NoValue):
    """numpy.nansum: NaNs count as zero."""
    return sum(_nan_to(a, 0), axis, dtype, out, keepdims, initial, where)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=_NoValue, initial=_NoValue,
            where=_NoValue):
    """numpy.nanprod: NaNs count as one."""
    return prod(_nan_to(a, 1), axis, dtype, out, keepdims, initial, where)


def _nan_extreme(name, a, axis, out, keepdims, initial, where):
    """numpy.nanmax/nanmin: fmax/fmin reductions, NaN only where a slice is all NaN."""
    _no_out(out)
    a = asvalue(a)
    plain = "max" if name == "fmax" else "min"
    if not dtypes.is_inexact(dtype_of(a)):
        return _ufunc_reduce(plain, a, axis, None, keepdims, initial, where)
    r = _ufunc_reduce(name, _nan_to(a, _masked_identity(plain, dtype_of(a))), axis, None,
                      keepdims, initial, where)
    if _given(initial):
        return r
    all_nan = _ufunc_reduce("all", _isnan_kernel(a), axis, None, keepdims)
    return ew.select(all_nan, _full(shape_of(r), _nan_value(dtype_of(r)), dtype_of(r)), r)


_isnan_kernel = jit(_isnan)


def nanmax(a, axis=None, out=None, keepdims=_NoValue, initial=_NoValue, where=_NoValue):
    """numpy.nanmax: the maximum ignoring NaNs; NaN for an all-NaN slice."""
    return _nan_extreme("fmax", a, axis, out, keepdims, initial, where)


def nanmin(a, axis=None, out=None, keepdims=_NoValue, initial=_NoValue, where=_NoValue):
    """numpy.nanmin: the minimum ignoring NaNs; NaN for an all-NaN slice."""
    return _nan_extreme("fmin", a, axis, out, keepdims, initial, where)


@_kernel("axes", "dtype", "keep_shape")
def _nanmean_kernel(a, mask, *, axes, dtype, keep_shape):
    present = ew.bitwise_not(_isnan(a))
    mask = present if mask is None else ew.bitwise_and(mask, present)
    total = _sum_in(_where(mask, a, 0), axes, _compute_dtype(dtype))
    return _finish(_astype(_divide_unsafe(total, count_true(mask, axes)), dtype), keep_shape)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=_NoValue, *, where=_NoValue):
    """numpy.nanmean: the mean of the non-NaN entries; NaN for an all-NaN slice."""
    _no_out(out)
    a = asvalue(a)
    if not dtypes.is_inexact(dtype_of(a)):
        return mean(a, axis, dtype, None, keepdims, where=where)
    if dtype is not None and not dtypes.is_inexact(dtype):
        raise TypeError("If a is inexact, then dtype must be inexact")
    shape = shape_of(a)
    axes = _axes(axis, len(shape), scalar_axis_ok=True)  # nanmean reduces with np.sum
    dtype = dtype_of(a) if dtype is None else np.dtype(dtype)
    return _nanmean_kernel(a, _mask(where, shape), axes=axes, dtype=dtype,
                           keep_shape=_kept_shape(shape, axes, _flag(keepdims)))


# --- cumulative reductions -------------------------------------------------------------------

# name: (lax scan, identity, the boolean form for dtype=bool: or / and)
_CUMULATIVE = {"sum": (lax_red.cumsum, 0, lax_red.cummax),
               "prod": (lax_red.cumprod, 1, lax_red.cummin)}


@_kernel("name", "axis", "out_dtype", "include_initial")
def _cumulative_kernel(x, *, name, axis, out_dtype, include_initial):
    scan, identity, boolean = _CUMULATIVE[name]
    x = _widened(x, out_dtype)
    r = boolean(x, axis) if out_dtype == np.bool_ else scan(x, axis)
    if include_initial:
        start = tuple(1 if i == axis else d for i, d in enumerate(shape_of(r)))
        r = lax_shape.concatenate([_full(start, identity, dtype_of(r)), r], axis)
    return _astype(r, out_dtype)


def _cumulative(name, a, axis, dtype, include_initial=False):
    a = asvalue(a)
    if axis is None or not shape_of(a):
        a = _ravel(a)
    axis = 0 if axis is None else normalize_axis(index_arg(axis, "axis"), len(shape_of(a)))
    out_dtype = _sum_dtype(dtype_of(a)) if dtype is None else np.dtype(dtype)
    return _cumulative_kernel(a, name=name, axis=axis, out_dtype=out_dtype,
                              include_initial=include_initial)


def cumsum(a, axis=None, dtype=None, out=None):
    """numpy.cumsum (flattened when axis is None)."""
    _no_out(out)
    return _cumulative("sum", a, axis, dtype)


def cumprod(a, axis=None, dtype=None, out=None):
    """numpy.cumprod (flattened when axis is None)."""
    _no_out(out)
    return _cumulative("prod", a, axis, dtype)


def _array_api_cumulative(name, x, axis, dtype, out, include_initial):
    _no_out(out)
    x = asvalue(x)
    if axis is None and len(shape_of(x)) > 1:
        raise ValueError("For arrays which have more than one dimension ``axis`` argument is "
                         "required.")
    return _cumulative(name, x, axis, dtype, bool(include_initial))


def cumulative_sum(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    """numpy.cumulative_sum (the Array API's): include_initial prepends a zero."""
    return _array_api_cumulative("sum", x, axis, dtype, out, include_initial)


def cumulative_prod(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    """numpy.cumulative_prod (the Array API's): include_initial prepends a one."""
    return _array_api_cumulative("prod", x, axis, dtype, out, include_initial)


def nancumsum(a, axis=None, dtype=None, out=None):
    """numpy.nancumsum: NaNs count as zero."""
    return cumsum(_nan_to(a, 0), axis, dtype, out)


def nancumprod(a, axis=None, dtype=None, out=None):
    """numpy.nancumprod: NaNs count as one."""
    return cumprod(_nan_to(a, 1), axis, dtype, out)


# --- median ------------------------------------------------------------------------------------

@_kernel("axes", "nan", "keep_shape")
def _median_kernel(a, *, axes, nan, keep_shape):
    """The mean of the middle entries (mean's dtype rules); NaN for a slice holding a NaN
    (nan=False) or holding only NaNs (nan=True, which skips them)."""
    x, kept = _to_last(a, axes)
    n, k, dtype = shape_of(x)[-1], len(kept), _mean_dtype(dtype_of(a))
    if n == 0:
        return _finish(_mean_value(x, (k,), dtype), keep_shape)
    s = lax_sort(x, dimension=k)
    if not nan:
        r = _mean_value(slicing.slice_in_dim(s, (n - 1) // 2, n // 2 + 1, axis=k), (k,), dtype)
        missing = _isnan(_last(s))
    else:
        count = count_true(ew.bitwise_not(_isnan(s)), (k,))
        lo = ew.shift_right_arithmetic(ew.max(ew.sub(count, 1), _full(kept, 0, INDEX)), 1)
        pair = [lax_shape.expand_dims(i, (k,)) for i in (lo, ew.shift_right_arithmetic(count, 1))]
        r = _mean_value(_take_along_axis(s, lax_shape.concatenate(pair, k), k), (k,), dtype)
        missing = ew.eq(count, _full(kept, 0, INDEX))
    return _finish(_where(ew.bitwise_not(missing), r, _nan_value(dtype)), keep_shape)


def _median(a, axis, out, keepdims, nan):
    _no_out(out)
    a = asvalue(a)
    axes = _axes(axis, len(shape_of(a)))
    nan = nan and dtypes.is_inexact(dtype_of(a))
    return _median_kernel(a, axes=axes, nan=nan,
                          keep_shape=_kept_shape(shape_of(a), axes, keepdims is True))


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """numpy.median: the mean of the middle entries (mean's dtype rules); NaN if the slice
    holds a NaN."""
    return _median(a, axis, out, keepdims, nan=False)


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=_NoValue):
    """numpy.nanmedian: the median of the non-NaN entries; NaN for an all-NaN slice."""
    return _median(a, axis, out, keepdims, nan=True)


# --- quantiles ---------------------------------------------------------------------------------

def _discrete_boundary(index, take_previous):
    """NumPy's _discrete_interpolation_to_boundaries: floor(index) where take_previous(
    gamma, index) holds, else the next index, clipped below at 0."""
    previous = ew.floor(index)
    chosen = ew.select(take_previous(ew.sub(index, previous), index), previous,
                       ew.add(previous, 1.0))
    return ew.max(chosen, _full(shape_of(chosen), 0.0, dtype_of(chosen)))


def _odd(x):
    """Whether the whole numbers x are odd (x % 2 == 1 with NumPy's sign convention)."""
    return ew.eq(ew.sub(x, ew.mul(ew.floor(ew.mul(x, 0.5)), 2.0)), 1.0)


def _inverted_cdf(n, q):
    return _discrete_boundary(ew.sub(rounded(ew.mul(n, q)), 1.0), lambda g, i: ew.eq(g, 0.0))


def _closest_observation(n, q):
    # The nearest even order statistic (1-based) on a tie, so the odd 0-based index.
    index = ew.sub(ew.sub(rounded(ew.mul(n, q)), 1.0), 0.5)
    return _discrete_boundary(
        index, lambda g, i: ew.bitwise_and(ew.eq(g, 0.0), _odd(ew.floor(i))))


def _averaged_index(n, q):
    return ew.sub(rounded(ew.mul(n, q)), 1.0)


def _alpha_beta(alpha, beta):
    c = 1 - alpha - beta
    return lambda n, q: ew.sub(ew.add(ew.mul(n, q), ew.add(ew.mul(q, c), alpha)), 1.0)


def _linear_index(n, q):
    return ew.mul(ew.sub(n, 1.0), q)


def _midpoint_index(n, q):
    v = _linear_index(n, q)
    return ew.mul(ew.add(ew.floor(v), ew.ceil(v)), 0.5)


def _choose(pred, if_true, if_false):
    return ew.select(pred, _full(shape_of(pred), if_true, np.float64),
                     _full(shape_of(pred), if_false, np.float64))


# method: (kind, virtual index (n, q), gamma fix (gamma, index) or None), as NumPy's
# _QuantileMethods (H&F 1996 and the classic lower/higher/nearest/midpoint); "index"
# methods take one entry, "lerp" methods interpolate between two.
_QUANTILE_METHODS = {
    "inverted_cdf": ("index", _inverted_cdf, None),
    "averaged_inverted_cdf": ("lerp", _averaged_index,
                              lambda g, i: _astype(_choose(ew.eq(g, 0.0), 0.5, 1.0), dtype_of(g))),
    "closest_observation": ("index", _closest_observation, None),
    "interpolated_inverted_cdf": ("lerp", _alpha_beta(0, 1), None),
    "hazen": ("lerp", _alpha_beta(0.5, 0.5), None),
    "weibull": ("lerp", _alpha_beta(0, 0), None),
    "linear": ("lerp", _linear_index, None),
    "median_unbiased": ("lerp", _alpha_beta(1 / 3.0, 1 / 3.0), None),
    "normal_unbiased": ("lerp", _alpha_beta(3 / 8.0, 3 / 8.0), None),
    "lower": ("index", lambda n, q: ew.floor(_linear_index(n, q)), None),
    "higher": ("index", lambda n, q: ew.ceil(_linear_index(n, q)), None),
    "midpoint": ("lerp", _midpoint_index,
                 lambda g, i: _astype(_choose(ew.eq(i, ew.floor(i)), 0.0, 0.5), dtype_of(g))),
    "nearest": ("index", lambda n, q: ew.round(_linear_index(n, q),
                                               ew.RoundingMethod.TO_NEAREST_EVEN), None),
}


def _lerp(lo, hi, gamma, dtype):
    """NumPy's _lerp: lo + (hi - lo) * t, from hi when t >= 0.5 (exact at both ends)."""
    diff = _astype(ew.sub(hi, lo), dtype)  # in the input dtype first, as NumPy (ints wrap)
    lo, hi, t = _astype(lo, dtype), _astype(hi, dtype), _astype(gamma, dtype)
    below = ew.add(lo, ew.mul(diff, t))
    above = ew.sub(hi, ew.mul(diff, ew.sub(_full(shape_of(t), 1, dtype), t)))
    return ew.select(ew.ge(gamma, _full(shape_of(gamma), 0.5, dtype_of(gamma))), above, below)


def _quantile_result_dtype(method, in_dtype, q_dtype, weak_q):
    if _QUANTILE_METHODS[method][0] == "index" or (method == "linear" and q_dtype.kind in "biu"):
        return in_dtype  # a plain take
    vi_dtype = q_dtype if q_dtype.kind == "f" else _F64
    return _result_type(in_dtype, 0.0) if weak_q else _result_type(in_dtype, vi_dtype)


def _quantile_positions(method, n, q):
    """The positions (lo, hi) to gather and the interpolation weight (None for a plain
    take) of quantiles q in sorted slices of n valid entries (n of q's shape)."""
    kind, index_fn, fix = _QUANTILE_METHODS[method]
    last = ew.sub(n, _full(shape_of(n), 1, INDEX))
    if method == "linear" and dtype_of(q).kind in "biu":
        # NumPy takes integer quantiles as positions directly (no interpolation).
        pos = ew.mul(last, _astype(q, INDEX))
        return pos, pos, None
    vi_dtype = dtype_of(q) if dtype_of(q).kind == "f" else _F64
    q, vi = _astype(q, vi_dtype), index_fn(_astype(n, vi_dtype), _astype(q, vi_dtype))
    if kind == "index":
        pos = _astype(vi, INDEX)
        return pos, pos, None
    c = partial(_full, shape_of(vi), dtype=vi_dtype)
    previous = ew.floor(vi)
    above, below = ew.ge(vi, _astype(last, vi_dtype)), ew.lt(vi, c(0.0))
    lo = ew.select(above, last, _astype(ew.select(below, c(0.0), previous), INDEX))
    hi = ew.select(above, last, _astype(ew.select(below, c(0.0), ew.add(previous, 1.0)), INDEX))
    # As NumPy, gamma is measured from the adjusted previous index (-1 above the end).
    gamma = ew.sub(vi, ew.select(above, c(-1.0), ew.select(below, c(0.0), previous)))
    return lo, hi, gamma if fix is None else fix(gamma, vi)


def _weighted_positions(s, w, q, nan):
    """Positions of the inverted-CDF quantiles q (shape (nq,)) in the sorted slices s
    (shape K + (n,)) with weights w riding along: the first entry whose cumulative weight
    reaches q; and whether each slice's weights are all zero or not finite."""
    n, k = shape_of(s)[-1], len(shape_of(s)) - 1
    if nan:
        w = _where(ew.bitwise_not(_isnan(s)), w, 0)
    cdf = lax_red.cumsum(_astype(w, _F64), k)
    cdf = _div(cdf, lax_shape.broadcast_in_dim(_last(cdf), shape_of(cdf), tuple(range(k))))
    bad = _isnan(_last(cdf))
    if dtype_of(q).kind == "f":
        cdf = _astype(cdf, dtype_of(q))
    # Leading zero weights: cdf entries of 0 count as below every quantile (NumPy sets them
    # to -1), so q = 0 picks the first entry of positive weight.
    grid = shape_of(s)[:-1] + (shape_of(q)[0], n)
    cdf = lax_shape.broadcast_in_dim(cdf, grid, tuple(range(k)) + (k + 1,))
    qb = lax_shape.broadcast_in_dim(_astype(q, dtype_of(cdf)), grid, (k,))
    before = ew.bitwise_or(ew.lt(cdf, qb), ew.eq(cdf, _full(grid, 0, dtype_of(cdf))))
    pos = count_true(before, (k + 1,))
    return ew.min(pos, _full(shape_of(pos), n - 1, INDEX)), bad


@_kernel("axes", "method", "nan", "out_dtype", "keep")
def _quantile_kernel(a, q, w, *, axes, method, nan, out_dtype, keep):
    """Quantiles q (any shape) of `a` over `axes`, the q axes first; and, with weights,
    whether a slice's weights were unusable."""
    x, kept = _to_last(a, axes)
    k, n = len(kept), shape_of(x)[-1]
    qf = _ravel(q)
    grid = kept + (shape_of(qf)[0],)
    bad = None
    if w is None:
        s = lax_sort(x, dimension=k)
    else:
        (s,), (ws,) = sort_with([x], [_to_last(w, axes)[0]], k)
    count = count_true(ew.bitwise_not(_isnan(s)), (k,)) if nan else _full(kept, n, INDEX)
    n_valid = lax_shape.broadcast_in_dim(count, grid, tuple(range(k)))
    if w is None:
        lo, hi, gamma = _quantile_positions(method, n_valid,
                                            lax_shape.broadcast_in_dim(qf, grid, (k,)))
    else:
        (lo, bad), hi, gamma = _weighted_positions(s, ws, qf, nan), None, None
    last = ew.max(ew.sub(n_valid, _full(grid, 1, INDEX)), _full(grid, 0, INDEX))
    clip = lambda i: ew.max(ew.min(i, last), _full(grid, 0, INDEX))  # noqa: E731
    r = _take_along_axis(s, clip(lo), k)
    if gamma is not None:
        r = _lerp(r, _take_along_axis(s, clip(hi), k), gamma, out_dtype)
    if dtypes.is_inexact(dtype_of(a)):
        missing = (ew.eq(n_valid, _full(grid, 0, INDEX)) if nan else
                   lax_shape.broadcast_in_dim(_isnan(_last(s)), grid, tuple(range(k))))
        r = _where(ew.bitwise_not(missing), r, np.nan)
    r = lax_shape.transpose(r, (k,) + tuple(range(k)))  # the quantile axis first, as NumPy
    return lax_shape.reshape(r, shape_of(q) + (keep or kept)), bad


def _weights_like(weights, a, axis):
    """`weights` broadcast to a's shape: equal shapes, or weights along `axis` (NumPy's
    rule for average and weighted quantiles)."""
    w, shape = asvalue(weights), shape_of(a)
    if shape_of(w) == shape:
        return w
    if axis is None:
        raise TypeError("Axis must be specified when shapes of a and weights differ.")
    given = tuple(normalize_axis(index_arg(g, "axis"), len(shape))
                  for g in (axis if isinstance(axis, tuple) else (axis,)))
    if shape_of(w) != tuple(shape[g] for g in given):
        raise ValueError("Shape of weights must be consistent with shape of a along specified "
                         "axis.")
    w = lax_shape.transpose(w, tuple(np.argsort(given)))
    return lax_shape.broadcast_in_dim(w, shape, tuple(sorted(given)))


def _quantile(a, q, axis, method, keepdims, weights, *, percent: bool, nan: bool):
    a = asvalue(a)
    in_dtype = dtype_of(a)
    if dtypes.is_complex(in_dtype):
        raise TypeError("a must be an array of real numbers")
    weak_q = type(q) in (int, float)
    q = asvalue(q)
    if percent:
        # Note: a concrete q is divided as NumPy divides it (np.true_divide on the host);
        # a traced one by lax, which XLA under jit may turn into a multiplication by 0.01
        # (one ulp off NumPy's q / 100), kept apart from the kernel's n * q by rounded().
        q = (np.asarray(np.true_divide(q, 100)) if not is_traced(q)
             else rounded(_div(q, 100)))
    if len(shape_of(q)) > 2:
        raise ValueError("q must be a scalar or 1d")
    known = _host(q)
    if known is not None and known.size and not (np.all(known >= 0) and np.all(known <= 1)):
        raise ValueError("Percentiles must be in the range [0, 100]" if percent
                         else "Quantiles must be in the range [0, 1]")
    # NumPy's order: weights' method, the empty nan* shortcut, the axes, then the method.
    if weights is not None and method != "inverted_cdf":
        raise ValueError(f"Only method 'inverted_cdf' supports weights. Got: {method}.")
    if nan and math.prod(shape_of(a)) == 0:
        return nanmean(a, axis, keepdims=keepdims)  # as NumPy, whatever q's shape or method
    axes = _axes(axis, len(shape_of(a)))
    if method not in _QUANTILE_METHODS:
        raise ValueError(f"{method!r} is not a valid method. Use one of: "
                         f"{_QUANTILE_METHODS.keys()}")
    nan = nan and dtypes.is_inexact(in_dtype)
    w = None
    if weights is not None:
        w = _weights_like(weights, a, axis)
        known = _host(w)
        if known is not None and np.any(known < 0):
            raise ValueError("Weights must be non-negative.")
    if math.prod(shape_of(a)[i] for i in axes) == 0:
        raise IndexError("index -1 is out of bounds for axis 0 with size 0")
    out_dtype = _quantile_result_dtype(method, in_dtype, dtype_of(q), weak_q)
    if out_dtype != in_dtype:  # interpolation subtracts (as NumPy, refused for booleans)
        _check_subtract(in_dtype)
    r, bad = _quantile_kernel(a, q, w, axes=axes, method=method, nan=nan, out_dtype=out_dtype,
                              keep=_kept_shape(shape_of(a), axes, keepdims is True))
    known = None if bad is None or nan else _host(bad)
    if known is not None and np.any(known):
        raise ValueError("Weights included NaN, inf or were all zero.")
    if nan and out_dtype != in_dtype and _first_slice_all_nan(a, axes):
        # Note: NumPy's value-dependent dtype (eagerly only): its apply_along_axis takes
        # the dtype of the first slice's result, the input's when that slice is all NaN.
        r = _astype(r, in_dtype)
    return r


def _first_slice_all_nan(a, axes) -> bool:
    known = _host(a)
    if known is None:
        return False
    kept = [i for i in range(known.ndim) if i not in axes]
    rows = np.transpose(known, kept + list(axes)).reshape(
        math.prod(known.shape[i] for i in kept), -1)
    return rows.size > 0 and bool(np.isnan(rows[0]).all())


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, *, weights=None):
    """numpy.quantile, with all of NumPy's methods; weights with method='inverted_cdf'."""
    _no_out(out)
    return _quantile(a, q, axis, method, keepdims, weights, percent=False, nan=False)


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, *, weights=None):
    """numpy.percentile: quantile(a, q / 100)."""
    _no_out(out)
    return _quantile(a, q, axis, method, keepdims, weights, percent=True, nan=False)


def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=_NoValue, *, weights=None):
    """numpy.nanquantile: quantiles of the non-NaN entries; NaN for an all-NaN slice."""
    _no_out(out)
    return _quantile(a, q, axis, method, keepdims is True, weights, percent=False, nan=True)


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                  keepdims=_NoValue, *, weights=None):
    """numpy.nanpercentile: nanquantile(a, q / 100)."""
    _no_out(out)
    return _quantile(a, q, axis, method, keepdims is True, weights, percent=True, nan=True)


# --- weighted average ------------------------------------------------------------------------

@_kernel("axes", "dtype", "keep_shape")
def _average_kernel(a, w, *, axes, dtype, keep_shape):
    scale = _finish(_sum_in(w, axes, dtype), keep_shape)
    total = _finish(_sum_in(_mul(a, w, dtype), axes, dtype), keep_shape)
    return ew.div(total, scale), scale


def average(a, axis=None, weights=None, returned=False, *, keepdims=_NoValue):
    """numpy.average: the mean, or the weighted mean (weights shaped like `a`, or along
    `axis`); with returned=True also the sum of the weights."""
    a = asvalue(a)
    shape = shape_of(a)
    axes = _axes(axis, len(shape))
    if weights is None:
        avg = mean(a, axis, keepdims=keepdims)
        if not math.prod(shape_of(avg)):  # as NumPy, which divides a.size by avg.size
            raise ZeroDivisionError("division by zero")
        scale = np.asarray(math.prod(shape) / math.prod(shape_of(avg)), dtype_of(avg))
    else:
        w = asvalue(weights)
        floats = [_F64] if dtype_of(a).kind in "biu" else []  # integers average in float64
        dtype = _result_type(dtype_of(a), dtype_of(w), *floats)
        avg, scale = _average_kernel(a, _weights_like(w, a, axis), axes=axes, dtype=dtype,
                                     keep_shape=_kept_shape(shape, axes, _flag(keepdims)))
        known = _host(scale)
        if known is not None and np.any(known == 0):
            raise ZeroDivisionError("Weights sum to zero, can't be normalized")
        # Note: under jit/vmap weights summing to zero give inf/NaN, not ZeroDivisionError.
    if not returned:
        return avg
    return avg, _broadcast_to(scale, shape_of(avg))


# --- differences and integration -------------------------------------------------------------

def _slice(x, axis, start, stop):
    return slicing.slice_in_dim(x, start, stop, axis=axis)


@_kernel("n", "axis")
def _diff_kernel(parts, *, n, axis):
    dtype = _result_type(*[dtype_of(p) for p in parts])
    a = lax_shape.concatenate([_astype(p, dtype) for p in parts], axis)
    for _ in range(n):
        a = _difference(a, axis)
    return a


def diff(a, n=1, axis=-1, prepend=_NoValue, append=_NoValue):
    """numpy.diff: the n-th discrete difference along `axis`."""
    n = operator.index(n)
    a = asvalue(a)
    if n == 0:
        return a
    if n < 0:
        raise ValueError("order must be non-negative but got " + repr(n))
    shape = shape_of(a)
    if not shape:
        raise ValueError("diff requires input that is at least one dimensional")
    axis = normalize_axis(index_arg(axis, "axis"), len(shape))
    parts = []
    for extra in (prepend, a, append):
        if extra is a or _given(extra):
            extra = asvalue(extra)
            if not shape_of(extra):
                extra = _broadcast_to(extra, _kept_shape(shape, (axis,), True))
            parts.append(extra)
    if len({_reduced_shape(shape_of(p), (axis,)) for p in parts}) > 1:
        raise ValueError("all the input array dimensions except for the concatenation axis "
                         "must match exactly")
    return _diff_kernel(parts, n=n, axis=axis)


@jit
def _ediff1d_kernel(ary, to_begin, to_end):
    parts = [] if to_begin is None else [_astype(_ravel(to_begin), dtype_of(ary))]
    parts.append(_difference(ary, 0))
    if to_end is not None:
        parts.append(_astype(_ravel(to_end), dtype_of(ary)))
    return lax_shape.concatenate(parts, 0)


def ediff1d(ary, to_end=None, to_begin=None):
    """numpy.ediff1d: differences of the flattened array, with values put before/after."""
    ary = _ravel(asvalue(ary))
    _check_subtract(dtype_of(ary))
    extras = []
    for name, extra in (("to_begin", to_begin), ("to_end", to_end)):
        if extra is not None:
            extra = asvalue(extra)
            if not np.can_cast(dtype_of(extra), dtype_of(ary), casting="same_kind"):
                raise TypeError(f"dtype of `{name}` must be compatible with input `ary` under "
                                f"the `same_kind` rule.")
        extras.append(extra)
    return _ediff1d_kernel(ary, *extras)


def _spacing(dx, n):
    """One axis's spacing for gradient: a scalar, or the 1-D differences of coordinates
    (a scalar again when they are concrete and uniform, as NumPy)."""
    dx = operand(dx)
    if type(dx) in PYTHON_SCALARS or not shape_of(dx):
        return dx, True
    if len(shape_of(dx)) != 1:
        raise ValueError("distances must be either scalars or 1d")
    if shape_of(dx)[0] != n:
        raise ValueError("when 1d, distances must match the length of the corresponding "
                         "dimension")
    if n < 2:  # as NumPy, which compares the differences with the first one
        raise IndexError(f"index 0 is out of bounds for axis 0 with size {builtins.max(n - 1, 0)}")
    if dtype_of(dx).kind in "iu":
        dx = _astype(dx, _F64)
    known = _host(dx)
    if known is not None:
        steps = np.diff(known)
        return (steps[0], True) if steps.size and np.all(steps == steps[0]) else (steps, False)
    return _difference(dx, 0), False


def _combine(terms):
    """The sum of coefficient * array terms, with NumPy's promotion."""
    total = None
    for c, x in terms:
        t = _mul(c, x)
        total = t if total is None else _add(total, t)
    return total


def _gradient_axis(f, axis, dx, uniform, edge_order, out_dtype):
    nd, n = len(shape_of(f)), shape_of(f)[axis]
    at = partial(_slice, f, axis)
    along = lambda v: lax_shape.reshape(  # noqa: E731  (1-D coefficients along `axis`)
        v, tuple(shape_of(v)[0] if i == axis else 1 for i in range(nd)))
    piece = partial(_slice, dx, 0)
    if uniform:
        interior = _div(_sub(at(2, n), at(0, n - 2)), _mul(2.0, dx))
    else:
        d1, d2 = piece(0, n - 2), piece(1, n - 1)
        s = ew.add(d1, d2)
        coef = [ew.neg(ew.div(d2, ew.mul(d1, s))), ew.div(ew.sub(d2, d1), ew.mul(d1, d2)),
                ew.div(d1, ew.mul(d2, s))]
        interior = _combine([(along(c), at(i, n - 2 + i)) for i, c in enumerate(coef)])
    if edge_order == 1:
        first = _div(_sub(at(1, 2), at(0, 1)), dx if uniform else along(piece(0, 1)))
        last = _div(_sub(at(n - 1, n), at(n - 2, n - 1)),
                    dx if uniform else along(piece(n - 2, n - 1)))
    else:
        if uniform:
            head = [_div(c, dx) for c in (-1.5, 2.0, -0.5)]
            tail = [_div(c, dx) for c in (0.5, -2.0, 1.5)]
        else:
            p1, p2, q1, q2 = piece(0, 1), piece(1, 2), piece(n - 3, n - 2), piece(n - 2, n - 1)
            s, t = ew.add(p1, p2), ew.add(q1, q2)
            head = [ew.neg(ew.div(ew.add(ew.mul(p1, 2.0), p2), ew.mul(p1, s))),
                    ew.div(s, ew.mul(p1, p2)), ew.neg(ew.div(p1, ew.mul(p2, s)))]
            tail = [ew.div(q2, ew.mul(q1, t)), ew.neg(ew.div(t, ew.mul(q1, q2))),
                    ew.div(ew.add(ew.mul(q2, 2.0), q1), ew.mul(q2, t))]
            head, tail = [along(c) for c in head], [along(c) for c in tail]
        first = _combine([(c, at(i, i + 1)) for i, c in enumerate(head)])
        last = _combine([(c, at(n - 3 + i, n - 2 + i)) for i, c in enumerate(tail)])
    return lax_shape.concatenate([_astype(p, out_dtype) for p in (first, interior, last)], axis)


@_kernel("axes", "uniform", "edge_order", "out_dtype")
def _gradient_kernel(f, spacings, *, axes, uniform, edge_order, out_dtype):
    return [_gradient_axis(f, ax, dx, u, edge_order, out_dtype)
            for ax, dx, u in zip(axes, spacings, uniform)]


def gradient(f, *varargs, axis=None, edge_order=1):
    """numpy.gradient: second-order central differences inside, first- or second-order
    one-sided differences at the ends; spacings are scalars or coordinate arrays."""
    f = asvalue(f)
    shape = shape_of(f)
    axes = _axes(axis, len(shape))
    if len(varargs) == 0:
        spacings = [1.0] * len(axes)
    elif len(varargs) == 1 and np.ndim(varargs[0]) == 0:
        spacings = list(varargs) * len(axes)
    elif len(varargs) == len(axes):
        spacings = list(varargs)
    else:
        raise TypeError("invalid number of arguments")
    # The spacings are checked first, as in NumPy.
    dxs, uniform = zip(*[_spacing(dx, shape[ax]) for ax, dx in zip(axes, spacings)]) if axes \
        else ((), ())
    if edge_order > 2:
        raise ValueError("'edge_order' greater than 2 not supported")
    out_dtype = dtype_of(f)
    if not dtypes.is_inexact(out_dtype):
        f, out_dtype = (_astype(f, _F64) if out_dtype.kind in "iu" else f), _F64
    _check_subtract(dtype_of(f))
    for ax in axes:
        if shape[ax] < edge_order + 1:
            raise ValueError("Shape of array too small to calculate a numerical gradient, at "
                             "least (edge_order + 1) elements are required.")
    outs = _gradient_kernel(f, list(dxs), axes=axes, uniform=tuple(uniform),
                            edge_order=edge_order, out_dtype=out_dtype)
    return outs[0] if len(axes) == 1 else tuple(outs)


@_kernel("axis")
def _trapezoid_kernel(y, d, *, axis):
    n = shape_of(y)[axis]
    hi, lo = _slice(y, axis, builtins.min(n, 1), n), _slice(y, axis, 0, builtins.max(n - 1, 0))
    pair = ew.bitwise_or(hi, lo) if dtype_of(y) == np.bool_ else ew.add(hi, lo)
    t = _div(_mul(d, pair), 2.0)
    return _reduce_value("sum", _astype(t, _sum_dtype(dtype_of(t))), (axis,))


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """numpy.trapezoid: the composite trapezoidal rule along `axis`."""
    y = asvalue(y)
    nd = len(shape_of(y))
    axis = normalize_axis(index_arg(axis, "axis"), nd)
    if x is None:
        d = operand(dx)
    else:
        x = asvalue(x)
        if len(shape_of(x)) == 1:
            d = diff(x)
            d = lax_shape.reshape(d, tuple(shape_of(d)[0] if i == axis else 1 for i in range(nd)))
        else:
            d = diff(x, axis=axis)
    return _trapezoid_kernel(y, d, axis=axis)


# --- covariance and correlation --------------------------------------------------------------

def _sample_weights(w, name, n):
    w = _astype(asvalue(w), _F64)
    if len(shape_of(w)) > 1:
        raise RuntimeError(f"cannot handle multidimensional {name}")
    if shape_of(w)[0] != n:
        raise RuntimeError(f"incompatible numbers of samples and {name}")
    known = _host(w)
    if known is not None:
        if name == "fweights" and not np.all(known == np.around(known)):
            raise TypeError("fweights must be integer")
        if np.any(known < 0):
            raise ValueError(f"{name} cannot be negative")
    return w


def _rows(x, dtype, rowvar):
    """x as a 2-D array of variables (rows) by observations, as np.cov reads it."""
    x = _astype(x, dtype)
    if len(shape_of(x)) < 2:
        return lax_shape.reshape(x, (1, math.prod(shape_of(x))))
    return x if rowvar else lax_shape.transpose(x, (1, 0))


@_kernel("ddof")
def _cov_kernel(x, fw, aw, *, ddof):
    """np.cov's arithmetic, with its dtypes: the centred data keeps its dtype, the weighted
    product and the normalisation promote."""
    n = shape_of(x)[1]
    w = fw if aw is None else (aw if fw is None else ew.mul(fw, aw))
    if w is None:
        avg, fact = _mean_value(x, (1,), dtype_of(x)), builtins.max(n - ddof, 0)
    else:
        w_sum = _reduce_value("sum", w, (0,))
        avg = _div(_reduce_value("sum", _mul(x, w), (1,)), w_sum)
        if ddof == 0:
            fact = w_sum
        elif aw is None:
            fact = _sub(w_sum, ddof)
        else:
            fact = _sub(w_sum, _div(_mul(ddof, _reduce_value("sum", ew.mul(w, aw), (0,))), w_sum))
        fact = _where(ew.gt(fact, _full((), 0.0, _F64)), fact, 0.0)
    x = _astype(_sub(x, lax_shape.reshape(avg, (shape_of(x)[0], 1))), dtype_of(x))
    xw = x if w is None else _mul(x, lax_shape.reshape(w, (1, n)))
    dtype = _result_type(dtype_of(x), dtype_of(xw))
    xw = ew.conj(xw) if dtypes.is_complex(dtype_of(xw)) else xw
    c = dot_general(_astype(x, dtype), _astype(xw, dtype), (((1,), (1,)), ((), ())))
    c = _astype(_mul(c, _div(1.0, fact)), dtype_of(c))
    return lax_shape.reshape(c, tuple(d for d in shape_of(c) if d != 1))


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
        dtype=None):
    """numpy.cov: the covariance matrix of the rows (variables) of m (and y)."""
    if ddof is not None and ddof != int(ddof):
        raise ValueError("ddof must be integer")
    m = asvalue(m)
    if len(shape_of(m)) > 2:
        raise ValueError("m has more than 2 dimensions")
    if y is not None:
        y = asvalue(y)
        if len(shape_of(y)) > 2:
            raise ValueError("y has more than 2 dimensions")
    if dtype is None:
        dtype = _result_type(m, _F64) if y is None else _result_type(m, y, _F64)
    x = _rows(m, dtype, rowvar)
    if shape_of(x)[0] == 0:
        return np.zeros((0, 0), _F64)
    if y is not None:
        yr = _rows(y, dtype, True)
        if not rowvar and shape_of(yr)[0] != 1:
            yr = lax_shape.transpose(yr, (1, 0))
        x = lax_shape.concatenate([x, yr], 0)
    n = shape_of(x)[1]
    fw = None if fweights is None else _sample_weights(fweights, "fweights", n)
    aw = None if aweights is None else _sample_weights(aweights, "aweights", n)
    known = [_host(w) for w in (fw, aw) if w is not None]
    if known and builtins.all(k is not None for k in known) and np.prod(known, 0).sum() == 0:
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    return _cov_kernel(x, fw, aw, ddof=int((0 if bias else 1) if ddof is None else ddof))


@jit
def _corrcoef_kernel(c):
    n = shape_of(c)[0]
    diagonal = _take_along_axis(c, lax_shape.reshape(iota(n), (n, 1)), 1)
    stddev = _astype(ew.sqrt(ew.real(diagonal) if dtypes.is_complex(dtype_of(c)) else diagonal),
                    dtype_of(c))
    c = ew.div(ew.div(c, _broadcast_to(stddev, (n, n))),
               _broadcast_to(lax_shape.reshape(stddev, (1, n)), (n, n)))

    def clip(v):
        return ew.clamp(np.asarray(-1, dtype_of(v)), v, np.asarray(1, dtype_of(v)))
    if dtypes.is_complex(dtype_of(c)):
        return ew.complex(clip(ew.real(c)), clip(ew.imag(c)))
    return clip(c)


def corrcoef(x, y=None, rowvar=True, *, dtype=None):
    """numpy.corrcoef: Pearson correlation coefficients, clipped to [-1, 1]."""
    c = cov(x, y, rowvar, dtype=dtype)
    return ew.div(c, c) if len(shape_of(c)) != 2 else _corrcoef_kernel(c)


# --- correlate and convolve ------------------------------------------------------------------

_MODES = {"valid": 0, "same": 1, "full": 2, 0: 0, 1: 1, 2: 2}


def _vector(x, scalar_ok: bool):
    x = asvalue(x)
    if len(shape_of(x)) > 1:
        raise ValueError("object too deep for desired array")
    if not shape_of(x):
        if not scalar_ok:
            raise ValueError("object of too small depth for desired array")
        x = lax_shape.reshape(x, (1,))
    return x


@_kernel("mode", "conjugate", "flip")
def _correlate_kernel(a, v, *, mode, conjugate, flip):
    """The 'valid', 'same' or 'full' part of c[k] = sum_n a[n + k] * v'[n] for the lags k
    from -(len(v) - 1) to len(a) - 1, where v' is v conjugated and/or reversed."""
    n, m = shape_of(a)[0], shape_of(v)[0]
    if conjugate:
        v = ew.conj(v)
    if flip:
        v = lax_shape.rev(v, (0,))
    boolean = dtype_of(a) == np.bool_
    if boolean:
        a, v = _astype(a, np.int32), _astype(v, np.int32)
    c = conv_general_dilated(lax_shape.reshape(a, (1, 1, n)), lax_shape.reshape(v, (1, 1, m)),
                             (1,), [(m - 1, m - 1)])
    c = lax_shape.reshape(c, (n + m - 1,))
    if boolean:
        c = ew.ne(c, _full((n + m - 1,), 0, np.int32))
    if mode == 2:
        return c
    if mode == 1:
        start = (m - 1) - m // 2 if n >= m else n // 2
        return _slice(c, 0, start, start + builtins.max(n, m))
    return _slice(c, 0, *((m - 1, n) if n >= m else (n - 1, m)))


def _correlation(a, v, mode, name):
    if not isinstance(mode, (str, int)):
        raise TypeError("convolve/correlate mode not understood")
    if mode not in _MODES:
        raise ValueError(f"mode must be one of 'valid', 'same', or 'full' (got {mode!r})")
    dtype = _result_type(dtype_of(a), dtype_of(v))
    return _correlate_kernel(_astype(a, dtype), _astype(v, dtype), mode=_MODES[mode],
                             conjugate=name == "correlate" and dtypes.is_complex(dtype),
                             flip=name == "convolve")


def correlate(a, v, mode="valid"):
    """numpy.correlate: c[k] = sum_n a[n + k] * conj(v[n])."""
    a, v = _vector(a, False), _vector(v, False)
    if not shape_of(a)[0] or not shape_of(v)[0]:
        raise ValueError(f"{'a' if not shape_of(a)[0] else 'v'} cannot be empty")
    return _correlation(a, v, mode, "correlate")


def convolve(a, v, mode="full"):
    """numpy.convolve: the discrete linear convolution of two 1-D sequences."""
    a, v = _vector(a, True), _vector(v, True)
    if shape_of(v)[0] > shape_of(a)[0]:
        a, v = v, a
    if not shape_of(a)[0] or not shape_of(v)[0]:
        raise ValueError(f"{'a' if not shape_of(a)[0] else 'v'} cannot be empty")
    return _correlation(a, v, mode, "convolve")


# Histograms, bincount and digitize live in their own file; they belong to this section.
from npaccel.numpy._histograms import (bincount, digitize, histogram, histogram2d,  # noqa: E402
                                       histogram_bin_edges, histogramdd)

__all__ = ["sum", "prod", "max", "min", "amax", "amin", "all", "any", "ptp", "count_nonzero",
           "argmax", "argmin", "nanargmax", "nanargmin", "mean", "var", "std", "nanvar",
           "nanstd", "nansum", "nanprod", "nanmax", "nanmin", "nanmean", "cumsum", "cumprod",
           "cumulative_sum", "cumulative_prod", "nancumsum", "nancumprod", "median",
           "nanmedian", "quantile", "percentile", "nanquantile", "nanpercentile", "average",
           "diff", "ediff1d", "gradient", "trapezoid", "cov", "corrcoef", "correlate",
           "convolve", "histogram", "histogram2d", "histogramdd", "histogram_bin_edges",
           "bincount", "digitize"]
