"""Helpers shared by npaccel.numpy's sorting, reductions, histogram and set routines:
argument checks, NEP 50 arithmetic on values, NumPy's sort order, gathers along an axis, a
binary search, and the compaction of masked entries (the one step whose output shape
depends on values)."""
from __future__ import annotations

import operator
from functools import partial

import numpy as np

from npaccel.core import dtypes
from npaccel.core.trace import ConcretizationError, concrete_or_error
from npaccel.lax import elementwise as ew
from npaccel.lax import shape as lax_shape
from npaccel.lax import slicing
from npaccel.lax.convert import convert_element_type
from npaccel.lax.reduction import reduce_sum
from npaccel.lax.sorting import _key_order, _lexicographic_less
from npaccel.lax.sorting import sort as lax_sort
from npaccel.numpy._core import (PYTHON_SCALARS, asvalue, dtype_of, promote_and_broadcast,
                                 result_type, shape_of)
from npaccel.transforms.jit import jit

INDEX = np.dtype(np.int64)  # NumPy's intp: the dtype of every index result
F64 = np.dtype(np.float64)


def kernel(*static):
    """Compile the decorated function as one program per signature (jit, with the named
    keyword arguments static): an eager call then compiles and dispatches once, not once
    per primitive."""
    return partial(jit, static_argnames=static)


# --- arguments and host values ---------------------------------------------------------------

def host(x):
    """x as a NumPy value when it is concrete (eager, or a jvp primal), else None: for the
    value checks that NumPy raises on and jit cannot."""
    try:
        return concrete_or_error(x)
    except ConcretizationError:
        return None


def concrete_int(x, fname: str, remedy: str = "pass size= (and fill_value=)") -> int:
    """The value of the scalar `x` on the host: the size of a value-dependent result. Under
    jit/vmap it is unknown: ConcretizationError naming `fname` and the remedy."""
    try:
        return int(concrete_or_error(x))
    except ConcretizationError:
        raise ConcretizationError(
            f"{fname}: the shape of the result depends on the values of the input, which are "
            f"not known inside jit/vmap; {remedy} for a fixed-size result") from None


def operand(x):
    """An array-like as a value; Python scalars stay weak (NEP 50) for promotion."""
    return x if type(x) in PYTHON_SCALARS else asvalue(x)


def index_arg(x, what: str) -> int:
    """A Python int from an integer argument (TypeError for floats, as NumPy)."""
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{what} must be an integer, not a boolean")
    return operator.index(x)


def check_subtract(dtype):
    if np.dtype(dtype) == np.bool_:
        raise TypeError("numpy boolean subtract, the `-` operator, is not supported, use the "
                        "bitwise_xor, the `^` operator, or the logical_xor function instead.")


# --- elementwise arithmetic with NumPy's promotion --------------------------------------------

def full(shape, value, dtype):
    return lax_shape.full(shape, value, dtype)


def where(pred, x, fill_value):
    """x where pred, else the scalar `fill_value` (of x's dtype)."""
    return ew.select(pred, x, full(shape_of(x), fill_value, dtype_of(x)))


def binary(fn, x, y, dtype=None):
    """fn on x and y promoted (NEP 50) and broadcast together."""
    return fn(*promote_and_broadcast(x, y, dtype=dtype))


add, sub, mul = partial(binary, ew.add), partial(binary, ew.sub), partial(binary, ew.mul)


def div(x, y, dtype=None):
    """True division (integers divide as float64, as np.true_divide)."""
    dtype = result_type(x, y) if dtype is None else np.dtype(dtype)
    return binary(ew.div, x, y, dtype if dtypes.is_inexact(dtype) else F64)


def rounded(x):
    """x, as a value of its own (rounded to its dtype); x must not be +inf.

    # Note: XLA's CPU compiler contracts a multiply that feeds an add into one fused
    # multiply-add, rounding once where NumPy rounds twice. Where NumPy's results hinge on
    # that rounding (ties in quantile positions, histogram edges), the product goes through
    # this select (x where x < inf, else NaN), which the contraction cannot look through
    # and the compilers cannot fold away (unlike an exact identity such as x where x == x)."""
    inf = full(shape_of(x), np.inf, dtype_of(x))
    return ew.select(ew.lt(x, inf), x, full(shape_of(x), np.nan, dtype_of(x)))


def sum_dtype(dtype) -> np.dtype:
    """The dtype NumPy sums and multiplies `dtype` in (np.sum, np.cumsum): booleans and
    small integers widen to int64 / uint64."""
    dtype = np.dtype(dtype)
    if dtype.kind in "biu" and dtype.itemsize < 8:
        return np.dtype(np.uint64 if dtype.kind == "u" else np.int64)
    return dtype


def comparison_dtype(*args):
    """The dtype NumPy compares `args` in: NEP 50, except that a Python int outside the
    range of the others' integer dtype compares exactly instead of overflowing."""
    dtype = result_type(*args)
    for v in args:
        if type(v) is int and dtype.kind in "iu":
            info = np.iinfo(dtype)
            if not info.min <= v <= info.max:
                return result_type(*[np.asarray(a).dtype if type(a) is int else a for a in args])
    return dtype


def ravel(x):
    return lax_shape.reshape(x, (int(np.prod(shape_of(x), dtype=np.int64)),))


def iota(n: int, dtype=INDEX):
    return lax_shape.iota(dtype, n)


def truthy(x):
    """x != 0 as booleans (NaN counts as true, as in NumPy)."""
    return x if dtype_of(x) == np.bool_ else ew.ne(x, full(shape_of(x), 0, dtype_of(x)))


def isnan(x):
    """Elementwise NaN test; complex numbers are NaN when either part is."""
    dtype = dtype_of(x)
    if dtypes.is_complex(dtype):
        return ew.bitwise_or(isnan(ew.real(x)), isnan(ew.imag(x)))
    if dtypes.is_float(dtype):
        return ew.ne(x, x)
    return full(shape_of(x), False, np.bool_)


def count_true(mask, axes=None):
    """The number of True entries of `mask` over `axes` (all by default), as int64."""
    axes = tuple(range(len(shape_of(mask)))) if axes is None else axes
    return reduce_sum(convert_element_type(mask, INDEX), axes)


def difference(x, axis: int):
    """x[1:] - x[:-1] along axis; booleans differ by !=, as np.diff."""
    n = shape_of(x)[axis]
    if n == 0:
        return x
    hi = slicing.slice_in_dim(x, 1, n, axis=axis)
    lo = slicing.slice_in_dim(x, 0, n - 1, axis=axis)
    return ew.ne(hi, lo) if dtype_of(x) == np.bool_ else ew.sub(hi, lo)


# --- order, gathers and searching -------------------------------------------------------------

def sorts_before(a, b):
    """a < b in NumPy's sort order (NaNs last, complex lexicographic); same dtype and shape.
    # Note: lax.sorting's comparator predicates, reused so both orders stay one."""
    return _lexicographic_less(_key_order(a, b))


def sort_with(keys, payloads, axis: int):
    """Sort `payloads` along `axis` lexicographically by `keys` (stable); returns the sorted
    keys and payloads."""
    out = lax_sort((*keys, *payloads), dimension=axis, is_stable=True, num_keys=len(keys))
    return list(out[:len(keys)]), list(out[len(keys):])


def take(x, idx, axis: int):
    """np.take(x, idx, axis) for integer indices of any shape, clipped into range."""
    xs, k = shape_of(x), len(shape_of(idx))
    if 0 in xs:  # nothing to take from: only padding (or nothing) is asked for
        return full(xs[:axis] + shape_of(idx) + xs[axis + 1:], 0, dtype_of(x))
    offset = tuple(range(axis)) + tuple(range(axis + k, len(xs) - 1 + k))
    dn = slicing.GatherDimensionNumbers(offset, (axis,), (axis,))
    sizes = xs[:axis] + (1,) + xs[axis + 1:]
    return slicing.gather(x, lax_shape.expand_dims(idx, (k,)), dn, sizes, mode="clip")


def take_along_axis(x, idx, axis: int):
    """np.take_along_axis for `idx` shaped like `x` except along `axis` (clipped indices)."""
    nd = len(shape_of(x))
    if 0 in shape_of(x):
        return full(shape_of(idx), 0, dtype_of(x))
    others = tuple(i for i in range(nd) if i != axis)
    dn = slicing.GatherDimensionNumbers((), (axis,), (axis,), others, others)
    return slicing.gather(x, lax_shape.expand_dims(idx, (nd,)), dn, (1,) * nd, mode="clip")


def search_sorted(sorted_a, v, side: str = "left"):
    """Insertion indices (int64, v's shape) of `v` into the 1-D ascending `sorted_a` (same
    dtype): a binary search of ceil(log2(n + 1)) gathers. 'left' counts the entries before
    v in NumPy's order, 'right' those not after it."""
    n, vs = shape_of(sorted_a)[0], shape_of(v)
    lo, hi = full(vs, 0, INDEX), full(vs, n, INDEX)
    for _ in range(n.bit_length()):
        mid = ew.shift_right_logical(ew.add(lo, hi), 1)
        probe = take(sorted_a, mid, 0)
        right = (sorts_before(probe, v) if side == "left"
                 else ew.bitwise_not(sorts_before(v, probe)))
        active = ew.lt(lo, hi)
        lo = ew.select(ew.bitwise_and(active, right), ew.add(mid, 1), lo)
        hi = ew.select(ew.bitwise_and(active, ew.bitwise_not(right)), mid, hi)
    return lo


# --- compaction: the value-dependent step ------------------------------------------------------

_count_kernel = jit(count_true)


@kernel("k", "padded")
def _compact_kernel(mask, values, *, k, padded):
    n = shape_of(mask)[0]
    if n == 0:
        outs = [full((k,), 0, dtype_of(v)) for v in values]
    else:
        # The positions of the True entries come first, in order, after a stable sort.
        order = sort_with([ew.bitwise_not(mask)], [iota(n)], 0)[1][0]
        order = (slicing.slice_in_dim(order, 0, k) if k <= n else
                 lax_shape.pad(order, np.zeros((), INDEX), [(0, k - n, 0)]))
        outs = [take(v, order, 0) for v in values]
    if not padded:
        return outs, None
    return outs, ew.lt(iota(k), lax_shape.broadcast_in_dim(count_true(mask), (k,), ()))


def compact(mask, values, size, fname: str):
    """The entries of the 1-D `values` where the 1-D `mask` holds, in order: as many as
    there are (read from the device), or exactly `size` (static, as jax.numpy's size=).
    Returns the compacted values and, with `size`, the mask of real (not padding) entries."""
    if size is None:
        k = concrete_int(_count_kernel(mask), fname)
    else:
        k = index_arg(size, "size")
        if k < 0:
            raise ValueError(f"{fname}: size must be non-negative, got {k}")
    return _compact_kernel(mask, list(values), k=k, padded=size is not None)


def fill(x, valid, fill_value):
    """x where `valid`, else `fill_value` (x unchanged when valid is None)."""
    if valid is None:
        return x
    return ew.select(valid, x, full(shape_of(x), fill_value, dtype_of(x)))


def unravel(flat, shape):
    """Coordinates (a tuple of int64 arrays) of the flat indices into `shape`."""
    strides = np.cumprod((1,) + tuple(shape[:0:-1]))[::-1]
    return tuple(ew.rem(ew.div(flat, int(s)), max(int(d), 1)) for s, d in zip(strides, shape))
