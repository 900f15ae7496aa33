"""Set routines (NumPy's reference section of that name) on stable sorts.

Each routine sorts, marks the entries it keeps with a boolean mask of static shape, and
compacts them at the end. The compaction is the only value-dependent step: eagerly it
reads the count from the device; under jit/vmap it needs `size=` (and takes
`fill_value=`, which defaults to the smallest value kept), as in jax.numpy, and raises
ConcretizationError naming the function otherwise.

NaNs: unique collapses them into one by default (equal_nan=True); the unique_* functions
of the Array API keep them apart; NaN is never in a set operation's intersection.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from npaccel.core import dtypes
from npaccel.lax import elementwise as ew
from npaccel.lax import shape as lax_shape
from npaccel.lax import slicing
from npaccel.lax import reduction as lax_red
# NumPy-named helpers are imported under private names, so that npaccel.numpy exports only
# this module's own functions under NumPy's names.
from npaccel.lax.reduction import cumsum as _cumsum
from npaccel.numpy._core import asvalue, dtype_of, normalize_axis, shape_of
from npaccel.numpy._core import astype as _astype
from npaccel.numpy._core import result_type as _result_type
from npaccel.numpy._reducing import (INDEX, compact, fill, index_arg, iota, kernel, search_sorted,
                                     sort_with)
from npaccel.numpy._reducing import isnan as _isnan
from npaccel.numpy._reducing import ravel as _ravel
from npaccel.numpy._reducing import take as _take

__all__ = ["unique", "unique_values", "unique_counts", "unique_inverse", "unique_all",
           "intersect1d", "union1d", "setdiff1d", "setxor1d", "isin"]


class UniqueAllResult(NamedTuple):
    values: object
    indices: object
    inverse_indices: object
    counts: object


class UniqueCountsResult(NamedTuple):
    values: object
    counts: object


class UniqueInverseResult(NamedTuple):
    values: object
    inverse_indices: object


def _shifted(x, fill_value, forward: bool):
    """x moved one step along axis 0 (x[i-1] at i, or x[i+1] with forward), the vacated
    end filled."""
    n = shape_of(x)[0]
    end = lax_shape.full((1,) + shape_of(x)[1:], fill_value, dtype_of(x))
    if forward:
        return lax_shape.concatenate([slicing.slice_in_dim(x, 1, n), end], 0)
    return lax_shape.concatenate([end, slicing.slice_in_dim(x, 0, n - 1)], 0)


def _starts(s, equal_nan: bool):
    """The first entry of each run of equal values in the sorted 1-D s."""
    n = shape_of(s)[0]
    if n == 0:
        return lax_shape.full((0,), True, np.bool_)
    prev = _shifted(s, 0, forward=False)
    new = ew.ne(s, prev)
    if equal_nan and dtypes.is_inexact(dtype_of(s)):
        new = ew.bitwise_and(new, ew.bitwise_not(ew.bitwise_and(_isnan(s), _isnan(prev))))
    return ew.bitwise_or(new, _first(n))


def _first(n):
    """The mask of the first of n entries."""
    return ew.eq(iota(n), lax_shape.full((n,), 0, INDEX))


def _sorted_runs(x, equal_nan: bool):
    """The 1-D x sorted (stably), the permutation that sorts it, and the run starts."""
    (s,), (perm,) = sort_with([x], [iota(shape_of(x)[0])], 0)
    return s, perm, _starts(s, equal_nan)


def _run_counts(pos, valid, n):
    """Run lengths from the compacted run start positions (padding runs count 0)."""
    k = shape_of(pos)[0]
    if k == 0:
        return pos
    nxt = _shifted(pos, n, forward=True)
    if valid is not None:
        nxt = ew.select(_shifted(valid, False, forward=True), nxt, lax_shape.full((k,), n, INDEX))
        return ew.select(valid, ew.sub(nxt, pos), lax_shape.full((k,), 0, INDEX))
    return ew.sub(nxt, pos)


def _inverse(starts, perm):
    """For each input entry, the index of its run (in input order)."""
    n = shape_of(starts)[0]
    run = ew.sub(_cumsum(_astype(starts, INDEX), 0), lax_shape.full((n,), 1, INDEX))
    return sort_with([perm], [run], 0)[1][0] if n else run


def _fill_values(values, valid, fill_value):
    """Padding entries get fill_value (default: the smallest value, the first)."""
    if valid is None:
        return values
    if fill_value is None:
        if shape_of(values)[0] == 0:
            return values
        first = lax_shape.broadcast_in_dim(slicing.slice_in_dim(values, 0, 1), shape_of(values),
                                           tuple(range(len(shape_of(values)))))
        return ew.select(lax_shape.broadcast_in_dim(valid, shape_of(values), (0,)), values, first)
    mask = lax_shape.broadcast_in_dim(valid, shape_of(values), (0,))
    return ew.select(mask, values, lax_shape.full(shape_of(values), fill_value, dtype_of(values)))


def _row_runs(rows):
    """Sort the rows of the 2-D `rows` lexicographically (stably): the permutation and the
    run starts (rows equal elementwise, so NaN rows stay apart, as in NumPy)."""
    n, m = shape_of(rows)
    perm = iota(n)
    if n == 0:
        return perm, lax_shape.full((0,), True, np.bool_)
    # Stable sorts by each column, the last one first: the lexicographic order of the rows
    # (two operands per sort, however many columns).
    for j in range(m - 1, -1, -1):
        column = lax_shape.squeeze(slicing.slice_in_dim(rows, j, j + 1, axis=1), (1,))
        perm = sort_with([_take(column, perm, 0)], [perm], 0)[1][0]
    ordered = _take(rows, perm, 0)
    differs = lax_red.reduce_or(ew.ne(ordered, _shifted(ordered, 0, forward=False)), (1,))
    return perm, ew.bitwise_or(differs, _first(n))


@kernel("equal_nan", "shape")
def _runs_kernel(flat, *, equal_nan, shape):
    """The 1-D input sorted, the permutation, the run starts and the inverse (shaped)."""
    s, perm, starts = _sorted_runs(flat, equal_nan)
    return s, perm, starts, lax_shape.reshape(_inverse(starts, perm), shape)


@kernel()
def _row_runs_kernel(rows):
    perm, starts = _row_runs(rows)
    return perm, starts, _inverse(starts, perm)


@kernel("n", "axis", "return_counts", "default_fill")
def _unique_finish(values, index, pos, valid, fill_value, *, n, axis, return_counts,
                   default_fill):
    """Padding (with size=) filled in, the axis put back, and the run counts."""
    moved = lax_shape.moveaxis(values, axis, 0)
    moved = _fill_values(moved, valid, None if default_fill else fill_value)
    counts = _run_counts(pos, valid, n) if return_counts else None
    return lax_shape.moveaxis(moved, 0, axis), fill(index, valid, 0), counts


def _unique(ar, return_index, return_inverse, return_counts, axis, equal_nan, size,
            fill_value, fname):
    a = asvalue(ar)
    shape = shape_of(a)
    if axis is not None:
        axis = normalize_axis(index_arg(axis, "axis"), len(shape))
    if axis is None or len(shape) == 1:  # as NumPy: a 1-D array's rows are its entries
        flat = _ravel(a)
        n, axis = shape_of(flat)[0], 0
        s, perm, starts, inverse = _runs_kernel(flat, equal_nan=bool(equal_nan), shape=shape)
        (values, index, pos), valid = compact(starts, [s, perm, iota(n)], size, fname)
    else:
        moved = lax_shape.moveaxis(a, axis, 0)
        n = shape[axis]
        rows = lax_shape.reshape(moved, (n, int(np.prod(shape_of(moved)[1:], dtype=np.int64))))
        perm, starts, inverse = _row_runs_kernel(rows)
        (index, pos), valid = compact(starts, [perm, iota(n)], size, fname)
        values = lax_shape.moveaxis(_take(moved, index, 0), 0, axis)
    values, index, counts = _unique_finish(
        values, index, pos, valid, 0 if fill_value is None else fill_value, n=n, axis=axis,
        return_counts=bool(return_counts), default_fill=fill_value is None)
    extras = [index] if return_index else []
    extras += [inverse] if return_inverse else []
    extras += [counts] if return_counts else []
    return (values, *extras) if extras else values


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *,
           equal_nan=True, sorted=True, size=None, fill_value=None):
    """numpy.unique: the sorted unique values (rows along `axis`), with the first indices,
    the inverse (input-shaped for axis=None) and the counts on request.

    # Note: the result is always sorted; NumPy may return sorted=False results in hash
    # order instead (both are allowed by its documentation)."""
    return _unique(ar, return_index, return_inverse, return_counts, axis, equal_nan, size,
                   fill_value, "unique")


def unique_values(x, *, size=None, fill_value=None):
    """numpy.unique_values (Array API): the unique values, NaNs kept apart.

    # Note: sorted, where NumPy may return hash order."""
    return _unique(x, False, False, False, None, False, size, fill_value, "unique_values")


def unique_counts(x, *, size=None, fill_value=None):
    """numpy.unique_counts (Array API): the unique values and their counts."""
    return UniqueCountsResult(*_unique(x, False, False, True, None, False, size, fill_value,
                                       "unique_counts"))


def unique_inverse(x, *, size=None, fill_value=None):
    """numpy.unique_inverse (Array API): the unique values and, for each input entry, the
    index of its value (shaped like x)."""
    return UniqueInverseResult(*_unique(x, False, True, False, None, False, size, fill_value,
                                        "unique_inverse"))


def unique_all(x, *, size=None, fill_value=None):
    """numpy.unique_all (Array API): values, first indices, inverse indices and counts."""
    return UniqueAllResult(*_unique(x, True, True, True, None, False, size, fill_value,
                                    "unique_all"))


def _flat_pair(ar1, ar2):
    a1, a2 = _ravel(asvalue(ar1)), _ravel(asvalue(ar2))
    dtype = _result_type(dtype_of(a1), dtype_of(a2))
    return _astype(a1, dtype), _astype(a2, dtype)


def _candidates(a, assume_unique: bool):
    """The entries of the 1-D a to combine, whether each takes part, and its index in a:
    all of a as given (assume_unique), or a sorted with its first occurrences marked."""
    n = shape_of(a)[0]
    if assume_unique:
        return a, lax_shape.full((n,), True, np.bool_), iota(n)
    s, perm, starts = _sorted_runs(a, equal_nan=True)
    return s, starts, perm


def _merged(a1, a2, assume_unique):
    """The candidates of both arrays sorted together (taking part first, then by value;
    stable, so an entry of a1 precedes an equal one of a2) with their positions in the
    concatenation a1 + a2."""
    v1, t1, i1 = _candidates(a1, assume_unique)
    v2, t2, i2 = _candidates(a2, assume_unique)
    n1 = shape_of(a1)[0]
    values = lax_shape.concatenate([v1, v2], 0)
    taking = lax_shape.concatenate([t1, t2], 0)
    where = lax_shape.concatenate([i1, ew.add(i2, lax_shape.full(shape_of(i2), n1, INDEX))], 0)
    (absent, values), (where,) = sort_with([ew.bitwise_not(taking), values], [where], 0)
    return values, ew.bitwise_not(absent), where


@kernel("assume_unique")
def _intersect_kernel(a1, a2, *, assume_unique):
    """Entry i of the merged candidates is common when it and entry i + 1 both take part
    and are equal; its indices in a1 and a2."""
    values, taking, where = _merged(a1, a2, assume_unique)
    n = shape_of(values)[0]
    head = [slicing.slice_in_dim(x, 0, max(n - 1, 0)) for x in (values, taking, where)]
    tail = [slicing.slice_in_dim(x, min(1, n), n) for x in (values, taking, where)]
    match = ew.bitwise_and(ew.bitwise_and(head[1], tail[1]), ew.eq(head[0], tail[0]))
    n1 = lax_shape.full(shape_of(tail[2]), shape_of(a1)[0], INDEX)
    return match, head[0], head[2], ew.sub(tail[2], n1)


def intersect1d(ar1, ar2, assume_unique=False, return_indices=False, *, size=None,
                fill_value=None):
    """numpy.intersect1d: the sorted values in both arrays, with their first indices in
    each on request."""
    match, *candidates = _intersect_kernel(*_flat_pair(ar1, ar2),
                                           assume_unique=bool(assume_unique))
    (common, ind1, ind2), valid = compact(match, candidates, size, "intersect1d")
    common = _fill_values(common, valid, fill_value)
    return (common, fill(ind1, valid, 0), fill(ind2, valid, 0)) if return_indices else common


def union1d(ar1, ar2, *, size=None, fill_value=None):
    """numpy.union1d: the sorted unique values in either array."""
    a1, a2 = _flat_pair(ar1, ar2)
    return _unique(lax_shape.concatenate([a1, a2], 0), False, False, False, None, True, size,
                   fill_value, "union1d")


def _contains(e, t):
    """Whether each entry of e equals an entry of the 1-D t (compared in their common
    dtype): a binary search in sorted t."""
    dtype = _result_type(dtype_of(e), dtype_of(t))
    e, t = _astype(e, dtype), _astype(t, dtype)
    if shape_of(t)[0] == 0:
        return lax_shape.full(shape_of(e), False, np.bool_)
    st = sort_with([t], [], 0)[0][0]
    return ew.eq(_take(st, search_sorted(st, e, "left"), 0), e)


@kernel("invert")
def _isin_kernel(e, t, *, invert):
    found = _contains(e, t)
    return ew.bitwise_not(found) if invert else found


_ISIN_KINDS = (None, "sort", "table")


def isin(element, test_elements, assume_unique=False, invert=False, *, kind=None):
    """numpy.isin: whether each element is in test_elements (shaped like element; NaN is
    never found)."""
    if kind not in _ISIN_KINDS:
        raise ValueError(f"Invalid kind: '{kind}'. Please use None, 'sort' or 'table'.")
    e, t = asvalue(element), _ravel(asvalue(test_elements))
    if kind == "table" and not all(dtype_of(x).kind in "biu" for x in (e, t)):
        raise ValueError("The 'table' method is only supported for boolean or integer arrays. "
                         "Please select 'sort' or None for kind.")
    return _isin_kernel(e, t, invert=bool(invert))


@kernel("assume_unique")
def _setdiff_kernel(a1, a2, *, assume_unique):
    values, taking, _ = _candidates(a1, assume_unique)
    return ew.bitwise_and(taking, ew.bitwise_not(_contains(values, a2))), values


def setdiff1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    """numpy.setdiff1d: the unique values of ar1 not in ar2, sorted (with assume_unique,
    the entries of ar1 not in ar2, in ar1's order). ar1's dtype is kept."""
    keep, values = _setdiff_kernel(_ravel(asvalue(ar1)), _ravel(asvalue(ar2)),
                                   assume_unique=bool(assume_unique))
    (out,), valid = compact(keep, [values], size, "setdiff1d")
    return _fill_values(out, valid, fill_value)


@kernel("assume_unique")
def _setxor_kernel(a1, a2, *, assume_unique):
    """A merged candidate is kept when it differs from both neighbours that take part."""
    values, taking, _ = _merged(a1, a2, assume_unique)
    if not shape_of(values)[0]:
        return taking, values

    def differs(forward):
        other_taking = _shifted(taking, False, forward)
        differ = ew.ne(values, _shifted(values, 0, forward))
        return ew.bitwise_or(ew.bitwise_not(other_taking), differ)
    return ew.bitwise_and(taking, ew.bitwise_and(differs(False), differs(True))), values


def setxor1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    """numpy.setxor1d: the sorted values in exactly one of the arrays."""
    keep, values = _setxor_kernel(*_flat_pair(ar1, ar2), assume_unique=bool(assume_unique))
    (out,), valid = compact(keep, [values], size, "setxor1d")
    return _fill_values(out, valid, fill_value)
