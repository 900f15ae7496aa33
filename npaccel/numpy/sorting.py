"""Sorting, searching and counting (NumPy's reference section of that name) on lax.sort,
gather and a binary search. `count_nonzero` lives with the reductions.

NumPy's orders hold throughout: NaNs sort last, complex numbers sort by real part, then
imaginary part (lax.sort's comparator), and every sort is stable.

Functions whose output shape depends on values (nonzero, flatnonzero, argwhere, where with
one argument, extract) read the count from the device when their input is concrete; under
jit or vmap they need a static `size=` (and take `fill_value=`), as in jax.numpy, and raise
ConcretizationError naming the function otherwise.
"""
from __future__ import annotations

import numpy as np

from npaccel.lax import elementwise as ew
from npaccel.lax import shape as lax_shape
from npaccel.lax import slicing
from npaccel.lax.sorting import sort as lax_sort
# NumPy-named helpers are imported under private names, so that npaccel.numpy exports only
# this module's own functions under NumPy's names.
from npaccel.numpy._core import asvalue, dtype_of, normalize_axis, shape_of
from npaccel.numpy._core import astype as _astype
from npaccel.numpy._core import broadcast_shapes as _broadcast_shapes
from npaccel.numpy._core import broadcast_to as _broadcast_to
from npaccel.numpy._core import result_type as _result_type
from npaccel.numpy._reducing import (INDEX, compact, concrete_int, count_true, fill, index_arg,
                                     iota, kernel, operand, search_sorted, sort_with, truthy,
                                     unravel)
from npaccel.numpy._reducing import ravel as _ravel
from npaccel.numpy._reducing import take as _take
from npaccel.transforms.jit import jit

__all__ = ["sort", "argsort", "lexsort", "partition", "argpartition", "searchsorted", "nonzero",
           "flatnonzero", "argwhere", "where", "extract"]


# --- sorting -------------------------------------------------------------------------------

def _check_kind(kind, stable):
    if kind is not None and stable is not None:
        raise ValueError("`kind` and keyword parameters can't be provided at the same time. "
                         "Use only one of them.")
    if kind is not None:
        if not isinstance(kind, str):
            raise TypeError(f"sort kind must be str, not {type(kind).__name__}")
        if kind[:1].lower() not in ("q", "h", "m", "s"):
            raise ValueError(f"sort kind must be one of 'quick', 'heap', or 'stable' "
                             f"(got {kind!r})")


def _check_order(order):
    if order is not None:
        raise ValueError("Cannot specify order when the array has no fields.")


def _along(a, axis):
    """The value and the normalized axis; axis=None sorts the flattened array."""
    a = asvalue(a)
    if axis is None:
        return _ravel(a), 0
    return a, normalize_axis(index_arg(axis, "axis"), len(shape_of(a)))


def sort(a, axis=-1, kind=None, order=None, *, stable=None):
    """numpy.sort: ascending along `axis`, NaNs last. Every sort is stable."""
    _check_kind(kind, stable)
    _check_order(order)
    a, axis = _along(a, axis)
    return lax_sort(a, dimension=axis, is_stable=True)


def argsort(a, axis=-1, kind=None, order=None, *, stable=None):
    """numpy.argsort: the indices that sort `a` along `axis`.

    # Note: always stable, so ties come out in input order whatever `kind` says (NumPy's
    # quicksort may order ties differently on long inputs)."""
    _check_kind(kind, stable)
    _check_order(order)
    a = asvalue(a)
    if not shape_of(a):  # as NumPy: a 0-d array sorts as a 1-element one
        a = lax_shape.reshape(a, (1,))
    a, axis = _along(a, axis)
    idx = lax_shape.broadcasted_iota(INDEX, shape_of(a), axis)
    return sort_with([a], [idx], axis)[1][0]


def lexsort(keys, axis=-1):
    """numpy.lexsort: indices sorting by the last key, then the one before, and so on."""
    if isinstance(keys, (list, tuple)):
        keys = [asvalue(k) for k in keys]
    else:
        keys = asvalue(keys)
        keys = [] if not shape_of(keys) else [
            lax_shape.squeeze(slicing.slice_in_dim(keys, i, i + 1), (0,))
            for i in range(shape_of(keys)[0])]
    if not keys:
        raise TypeError("need sequence of keys with len > 0 in lexsort")
    if len({shape_of(k) for k in keys}) > 1:
        raise ValueError("all keys need to be the same shape")
    shape = shape_of(keys[0])
    if not shape:  # as NumPy: 0-d keys sort as one entry (axis 0 or -1)
        normalize_axis(index_arg(axis, "axis"), 1)
        return np.zeros((), INDEX)
    axis = normalize_axis(index_arg(axis, "axis"), len(shape))
    idx = lax_shape.broadcasted_iota(INDEX, shape, axis)
    return sort_with(keys[::-1], [idx], axis)[1][0]


def _check_kth(kth, shape, axis: int):
    n = shape[axis]
    kth = np.asarray(kth)
    if kth.dtype == np.bool_:
        raise ValueError("Booleans unacceptable as partition index")
    if kth.dtype.kind not in "iu":
        raise TypeError("Partition index must be integer")
    if kth.ndim > 1:
        raise ValueError("object too deep for desired array")
    if 0 in shape:  # NumPy does not look at kth for an empty array
        return
    for k in kth.ravel():
        if not -n <= k < n:
            raise ValueError(f"kth(={k if k >= 0 else k + n}) out of bounds ({n})")


def _check_select_kind(kind):
    if kind != "introselect":
        raise ValueError(f"select kind must be 'introselect' (got {kind!r})")


def partition(a, kth, axis=-1, kind="introselect", order=None):
    """numpy.partition: the kth entries in their sorted places, smaller ones before them
    and larger ones after.

    # Note: the result is the fully sorted array, one of the arrangements NumPy allows
    # (NumPy's own arrangement of the other entries is unspecified)."""
    _check_select_kind(kind)
    _check_order(order)
    a, axis = _along(a, axis)
    _check_kth(kth, shape_of(a), axis)
    return lax_sort(a, dimension=axis, is_stable=True)


def argpartition(a, kth, axis=-1, kind="introselect", order=None):
    """numpy.argpartition: indices that partition `a` (see partition: a full stable sort)."""
    _check_select_kind(kind)
    _check_order(order)
    a = asvalue(a)
    if not shape_of(a):
        a = lax_shape.reshape(a, (1,))
    a, axis = _along(a, axis)
    _check_kth(kth, shape_of(a), axis)
    return argsort(a, axis)


def searchsorted(a, v, side="left", sorter=None):
    """numpy.searchsorted: where to insert `v` into the sorted 1-D `a` to keep it sorted."""
    if not isinstance(side, str):
        raise TypeError(f"search side must be str, not {type(side).__name__}")
    if side not in ("left", "right"):
        raise ValueError("search side must be one of 'left' or 'right'")
    a = asvalue(a)
    if len(shape_of(a)) != 1:
        raise ValueError("object of too small depth for desired array" if not shape_of(a)
                         else "object too deep for desired array")
    if sorter is not None:
        sorter = asvalue(sorter)
        if int(np.prod(shape_of(sorter))) != shape_of(a)[0]:
            raise ValueError("sorter.size must equal a.size")
        a = _take(a, _astype(_ravel(sorter), INDEX), 0)  # Note: sorter entries are clipped
    # Note: NumPy compares in the common dtype of a and v with Python scalars taken at full
    # precision (np.asarray(v)), not NEP 50's weak promotion.
    v = asvalue(v)
    dtype = _result_type(dtype_of(a), dtype_of(v))
    return _searchsorted_kernel(_astype(a, dtype), _astype(v, dtype), side=side)


_searchsorted_kernel = kernel("side")(search_sorted)


# --- counting and selecting nonzero entries ------------------------------------------------

def _fills(fill_value, n: int):
    if fill_value is None:
        return [0] * n
    if isinstance(fill_value, (list, tuple)) or np.ndim(fill_value) == 1:
        fill_value = list(fill_value)
        if len(fill_value) != n:
            raise ValueError(f"fill_value must be a scalar or a sequence of length {n}, got "
                             f"length {len(fill_value)}")
        return fill_value
    return [fill_value] * n


@jit
def _flat_mask(a):
    return _ravel(truthy(a)), iota(int(np.prod(shape_of(a), dtype=np.int64)))


_unravel_kernel = kernel("shape")(lambda flat, *, shape: unravel(flat, shape))


def _nonzero_flat(a, size, fname):
    """The flat indices of the nonzero entries and their validity mask (with size)."""
    mask, positions = _flat_mask(a)
    (flat,), valid = compact(mask, [positions], size, fname)
    return flat, valid


def _nonzero(a, size, fill_value, fname):
    a = asvalue(a)
    shape = shape_of(a)
    if not shape:
        raise ValueError("Calling nonzero on 0d arrays is not allowed. Use "
                         "np.atleast_1d(scalar).nonzero() instead.")
    flat, valid = _nonzero_flat(a, size, fname)
    coords = _unravel_kernel(flat, shape=shape)
    return tuple(fill(c, valid, f) for c, f in zip(coords, _fills(fill_value, len(shape))))


def nonzero(a, *, size=None, fill_value=None):
    """numpy.nonzero: a tuple of index arrays, one per axis, of the nonzero entries in
    C order. `size` and `fill_value` as in jax.numpy.nonzero."""
    return _nonzero(a, size, fill_value, "nonzero")


def flatnonzero(a, *, size=None, fill_value=None):
    """numpy.flatnonzero: indices of the nonzero entries of the flattened array."""
    flat, valid = _nonzero_flat(asvalue(a), size, "flatnonzero")
    return fill(flat, valid, _fills(fill_value, 1)[0])


def argwhere(a, *, size=None, fill_value=None):
    """numpy.argwhere: the (N, a.ndim) indices of the nonzero entries."""
    a = asvalue(a)
    shape = shape_of(a)
    if not shape:
        # As NumPy: a 0-d array has one (empty) index when nonzero, none otherwise.
        out = argwhere(lax_shape.reshape(a, (1,)), size=size, fill_value=fill_value)
        return slicing.slice_in_dim(out, 0, 0, axis=1)
    flat, valid = _nonzero_flat(a, size, "argwhere")
    coords = [fill(c, valid, f)
              for c, f in zip(_unravel_kernel(flat, shape=shape), _fills(fill_value, len(shape)))]
    return lax_shape.concatenate([lax_shape.expand_dims(c, (1,)) for c in coords], 1)


def where(condition, x=None, y=None, /, *, size=None, fill_value=None):
    """numpy.where: `x` where `condition` holds, else `y` (broadcast, NEP 50 promotion);
    with the condition alone, nonzero(condition)."""
    if x is None and y is None:
        return _nonzero(condition, size, fill_value, "where")
    if x is None or y is None:
        raise ValueError("either both or neither of x and y should be given")
    cond, x, y = truthy(asvalue(condition)), operand(x), operand(y)
    dtype = _result_type(x, y)
    shape = _broadcast_shapes(shape_of(cond), shape_of(x), shape_of(y))
    x, y = (_broadcast_to(_astype(t, dtype), shape) for t in (x, y))
    return ew.select(_broadcast_to(cond, shape), x, y)


def extract(condition, arr, *, size=None, fill_value=None):
    """numpy.extract: the entries of _ravel(arr) where _ravel(condition) is nonzero."""
    mask, arr = _ravel(truthy(asvalue(condition))), _ravel(asvalue(arr))
    n_mask, n = shape_of(mask)[0], shape_of(arr)[0]
    if n_mask > n:
        beyond = slicing.slice_in_dim(mask, n, n_mask)
        if size is None and concrete_int(count_true(beyond), "extract"):
            first = n + int(np.argmax(np.asarray(beyond)))
            raise IndexError(f"index {first} is out of bounds for axis 0 with size {n}")
        # Note: with size= (under jit) selected entries beyond arr are dropped, not an error.
        mask = slicing.slice_in_dim(mask, 0, n)
    elif n_mask < n:
        mask = lax_shape.pad(mask, np.zeros((), np.bool_), [(0, n - n_mask, 0)])
    (out,), valid = compact(mask, [arr], size, "extract")
    return fill(out, valid, 0 if fill_value is None else fill_value)
