"""NumPy indexing on values: `getitem(x, index)` and the functional `setitem(x, index, v)`.

Basic indices (ints, slices, Ellipsis, None) become static slices, reverses and reshapes;
advanced indices (integer arrays, boolean masks, and ints mixed with them) are flattened
into one linear index and become a single gather. `setitem` gathers the *positions* the
index selects (from an iota) and scatters the update there, so every index NumPy accepts
can also be assigned to, functionally — which is what makes `a[i] = v` traceable.
"""
from __future__ import annotations

import math
import operator

import numpy as np

from npaccel.core.trace import ConcretizationError, Tracer, get_aval, is_traced
from npaccel.lax import elementwise as ew, shape as lax_shape, slicing
from npaccel.numpy import _core

_INT_TYPES = (int, np.integer)


# --- normalising the index ------------------------------------------------------------

def _is_int_scalar(i) -> bool:
    if isinstance(i, bool):
        return False
    if isinstance(i, _INT_TYPES):
        return True
    if _core.is_value(i) or isinstance(i, np.ndarray):
        aval = get_aval(i)
        return aval.shape == () and aval.dtype.kind in "iu"
    return False


def _as_index_array(i):
    """A list/array index as a value; TypeError for indices NumPy rejects."""
    v = _core.asvalue(i)
    dtype = _core.dtype_of(v)
    if dtype.kind not in "iub":
        raise IndexError("arrays used as indices must be of integer (or boolean) type")
    return v


def _concrete(x, what: str):
    if isinstance(x, Tracer):
        try:
            return np.asarray(x.concrete_value())
        except ConcretizationError:
            raise ConcretizationError(
                f"{what} needs concrete values: the result's shape depends on them, which "
                "is unknown inside jit/vmap. Use np.where(mask, x, y) or a fixed-size "
                "formulation instead.") from None
    return np.asarray(x)


def _expand(index, ndim):
    """The index as a list of entries without Ellipsis, booleans turned into integer
    arrays (eagerly), and the count of array dimensions it consumes."""
    if not isinstance(index, tuple):
        index = (index,)
    entries = []
    for i in index:
        unwrap = getattr(i, "__npaccel_value__", None)
        i = unwrap() if unwrap is not None else i
        if isinstance(i, (list, np.ndarray)) or _core.is_value(i):
            i = i if _is_int_scalar(i) else _as_index_array(i)
        elif isinstance(i, bool):
            i = _as_index_array(np.asarray(i))
        elif not (i is None or i is Ellipsis or isinstance(i, slice) or _is_int_scalar(i)):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), numpy.newaxis "
                             "(`None`) and integer or boolean arrays are valid indices")
        if not (i is None or i is Ellipsis or isinstance(i, slice) or _is_int_scalar(i)) \
                and _core.dtype_of(i) == np.bool_:
            entries.extend(_mask_to_ints(i))
        else:
            entries.append(i)
    if sum(e is Ellipsis for e in entries) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = sum(1 for e in entries if e is not None and e is not Ellipsis)
    if used > ndim:
        raise IndexError(f"too many indices for array: array is {ndim}-dimensional, "
                         f"but {used} were indexed")
    k = next((n for n, e in enumerate(entries) if e is Ellipsis), None)
    if k is not None:
        entries[k:k + 1] = [slice(None)] * (ndim - used)
    else:
        entries += [slice(None)] * (ndim - used)
    return entries


def _mask_to_ints(mask):
    """A boolean mask of rank k stands for k integer index arrays (its nonzero)."""
    host = _concrete(mask, "boolean mask indexing")
    if host.ndim == 0:
        # x[True] adds an axis of length 1; x[False] one of length 0.
        return [None, np.zeros(0, np.int64)] if not host else [None]
    return [np.asarray(ix, np.int64) for ix in np.nonzero(host)]


# --- getitem ---------------------------------------------------------------------------

def getitem(x, index):
    """x[index] with NumPy's semantics (basic indexing returns the same values as a view
    would; views themselves are the ndarray layer's business)."""
    x = _core.asvalue(x)
    entries = _expand(index, len(_core.shape_of(x)))
    has_advanced = any(_is_advanced(e) for e in entries)
    y, advanced = _apply_basic(x, entries, ints_are_advanced=has_advanced)
    if not advanced:
        return y
    return _gather_advanced(y, advanced)


def _is_advanced(e) -> bool:
    return not (e is None or isinstance(e, slice) or _is_int_scalar(e))


def _apply_basic(x, entries, ints_are_advanced):
    """Apply slices, static ints and None; returns the intermediate and the advanced
    indices as (axis of the intermediate, index value)."""
    shape = _core.shape_of(x)
    starts, limits, strides, flips, squeeze, new_axes, advanced = [], [], [], [], [], [], []
    axis_in, axis_out = 0, 0
    dynamic = []
    for e in entries:
        if e is None:
            new_axes.append(axis_out)
            axis_out += 1
            continue
        dim = shape[axis_in]
        if isinstance(e, slice):
            start, stop, step = e.indices(dim)
            if step < 0:
                flips.append(axis_in)
                start, stop, step = _flipped(start, stop, step, dim)
            starts.append(start)
            limits.append(max(stop, start))
            strides.append(step)
            axis_out += 1
        elif _is_int_scalar(e) and not ints_are_advanced:
            starts.append(0), limits.append(dim), strides.append(1)
            squeeze.append(axis_in)
            dynamic.append((axis_in, e))
        else:
            starts.append(0), limits.append(dim), strides.append(1)
            advanced.append((axis_in, e))
            axis_out += 1
        axis_in += 1
    if flips:
        x = lax_shape.rev(x, flips)
    if any(s != 0 for s in starts) or any(l != d for l, d in zip(limits, shape)) \
            or any(s != 1 for s in strides):
        x = slicing.slice(x, starts, limits, strides)
    for axis, i in dynamic:
        x = _index_one(x, axis, i)
    if squeeze:
        x = lax_shape.squeeze(x, squeeze)
    advanced = [(_axis_after_squeeze(a, squeeze), i) for a, i in advanced]
    for pos in new_axes:
        x = lax_shape.expand_dims(x, (pos,))
        advanced = [(a + (a >= pos), i) for a, i in advanced]
    return x, advanced


def _flipped(start, stop, step, dim):
    """A negative-step slice as a positive-step slice of the reversed axis."""
    count = len(range(start, stop, step))
    new_start = dim - 1 - start
    return new_start, new_start + (count - 1) * (-step) + 1 if count else new_start, -step


def _axis_after_squeeze(axis, squeezed):
    return axis - sum(1 for s in squeezed if s < axis)


def _index_one(x, axis, i):
    """x with position `i` of `axis` selected (kept as a size-1 axis, squeezed later)."""
    dim = _core.shape_of(x)[axis]
    if is_traced(i):
        # Note: a traced integer index cannot be bounds-checked; like JAX it is clamped.
        return slicing.dynamic_slice_in_dim(x, i, 1, axis)
    i = operator.index(np.asarray(i).item()) if not isinstance(i, int) else i
    if not -dim <= i < dim:
        raise IndexError(f"index {i} is out of bounds for axis {axis} with size {dim}")
    i %= dim
    return slicing.slice_in_dim(x, i, i + 1, axis=axis)


def _gather_advanced(y, advanced):
    """Gather with integer index arrays at some axes of y (NumPy's placement rules)."""
    axes = [a for a, _ in advanced]
    shape = _core.shape_of(y)
    idx = [_checked_index(i, shape[a], a) for a, i in advanced]
    bshape = _core.broadcast_shapes(*[_core.shape_of(i) for i in idx])
    linear = _linear_index(idx, [shape[a] for a in axes], bshape)
    rest = [d for k, d in enumerate(shape) if k not in axes]
    perm = axes + [k for k in range(len(shape)) if k not in axes]
    flat = lax_shape.reshape(lax_shape.transpose(y, perm), (math.prod(shape[a] for a in axes), *rest))
    out = _take_rows(flat, linear, bshape, rest)
    if axes == list(range(axes[0], axes[0] + len(axes))) and axes[0] != 0:
        # Adjacent advanced indices: the broadcast dims replace them in place.
        nb = len(bshape)
        order = list(range(nb, nb + axes[0])) + list(range(nb)) + list(range(nb + axes[0], nb + len(rest)))
        out = lax_shape.transpose(out, order)
    return out


def _checked_index(i, dim, axis):
    """Integer index array with negatives wrapped; out-of-range raises IndexError (eager)."""
    if not is_traced(i):
        host = np.asarray(i)
        if host.size and (host.min() < -dim or host.max() >= dim):
            bad = host[(host < -dim) | (host >= dim)].flat[0]
            raise IndexError(f"index {bad} is out of bounds for axis {axis} with size {dim}")
        return np.where(host < 0, host + dim, host).astype(np.int64)
    # Note: traced index arrays cannot be bounds-checked; they are clamped (as in JAX).
    i = _core.astype(i, np.int64)
    return ew.select(ew.lt(i, lax_shape.full_like(i, 0)), ew.add(i, lax_shape.full_like(i, dim)), i)


def _linear_index(idx, dims, bshape):
    """Row-major linear index over the advanced axes (int64)."""
    total = None
    for i, d in zip(idx, dims):
        i = _core.broadcast_to(_core.astype(i, np.int64), bshape)
        total = i if total is None else ew.add(ew.mul(total, lax_shape.full_like(total, d)), i)
    return total


def _take_rows(flat, linear, bshape, rest):
    if _core.shape_of(flat)[0] == 0:   # only empty index arrays pass the bounds check here
        return lax_shape.full((*bshape, *rest), 0, _core.dtype_of(flat))
    nb = len(bshape)
    dnums = slicing.GatherDimensionNumbers(offset_dims=tuple(range(nb, nb + len(rest))),
                                           collapsed_slice_dims=(0,), start_index_map=(0,))
    start = lax_shape.expand_dims(linear, (nb,))
    return slicing.gather(flat, start, dnums, (1, *rest), mode=slicing.GatherScatterMode.CLIP)


# --- setitem ---------------------------------------------------------------------------

def setitem(x, index, value):
    """The value of x after `x[index] = value` (NumPy's casting: the update takes x's
    dtype, as NumPy's unsafe assignment does)."""
    x = _core.asvalue(x)
    xshape, dtype = _core.shape_of(x), _core.dtype_of(x)
    value = _cast_for_assignment(value, dtype)
    mask = _single_full_mask(index, xshape)
    if mask is not None and _core.shape_of(value) == ():
        # x[mask] = scalar needs no positions: a select, traceable with traced masks.
        return ew.select(mask, _core.broadcast_to(value, xshape), x)
    size = math.prod(xshape)
    positions = getitem(lax_shape.reshape(lax_shape.iota(np.int64, size), xshape), index)
    pshape = _core.shape_of(positions)
    value = _broadcast_update(value, pshape)
    flat = lax_shape.reshape(x, (size,))
    n = math.prod(pshape)
    dnums = slicing.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
                                            scatter_dims_to_operand_dims=(0,))
    updated = slicing.scatter(flat, lax_shape.reshape(positions, (n, 1)),
                              lax_shape.reshape(value, (n,)), dnums,
                              mode=slicing.GatherScatterMode.CLIP)
    return lax_shape.reshape(updated, xshape)


def _cast_for_assignment(value, dtype):
    value = _core.asvalue(value)
    src = _core.dtype_of(value)
    if src.kind == "c" and dtype.kind != "c":
        raise TypeError(f"cannot assign complex values to an array of dtype {dtype} "
                        "(NumPy discards the imaginary part with a ComplexWarning; npaccel "
                        "refuses: take .real explicitly)")
    return _core.astype(value, dtype) if src != dtype else value


def _single_full_mask(index, xshape):
    """The mask if `index` is one boolean array of x's whole shape."""
    unwrap = getattr(index, "__npaccel_value__", None)
    index = unwrap() if unwrap is not None else index
    if isinstance(index, (np.ndarray,)) or _core.is_value(index):
        aval = get_aval(index)
        if aval.dtype == np.bool_ and aval.shape == xshape and xshape:
            return index
    return None


def _broadcast_update(value, shape):
    vshape = _core.shape_of(value)
    # NumPy drops leading size-1 dimensions of the value that the target lacks.
    while len(vshape) > len(shape) and vshape[0] == 1:
        value = lax_shape.squeeze(value, (0,))
        vshape = vshape[1:]
    try:
        return _core.broadcast_to(value, shape)
    except ValueError:
        raise ValueError(f"could not broadcast input array from shape {vshape} into "
                         f"shape {shape}") from None


# --- indexing routines (NumPy's "Indexing routines" section) ---------------------------

def ix_(*args):
    """Open-mesh index arrays: args[k] reshaped to lie along axis k (booleans -> nonzero)."""
    out = []
    n = len(args)
    for k, a in enumerate(args):
        is_array = isinstance(a, np.ndarray) or hasattr(a, "__npaccel_value__") \
            or _core.is_value(a)
        v = _core.asvalue(a)
        if not is_array and _core.shape_of(v) == (0,):
            v = np.zeros(0, np.intp)   # NumPy's type for an empty sequence (not float)
        if len(_core.shape_of(v)) != 1:
            raise ValueError("Cross index must be 1 dimensional")
        if _core.dtype_of(v) == np.bool_:
            v = np.nonzero(_concrete(v, "np.ix_ with a boolean array"))[0]
        # Note: as NumPy, other dtypes (floats too) pass through unchecked.
        shape = [1] * n
        shape[k] = _core.shape_of(v)[0]
        out.append(lax_shape.reshape(_core.asvalue(v), tuple(shape)))
    return tuple(out)


def ravel_multi_index(multi_index, dims, mode="raise", order="C"):
    """Flat indices of the index tuples `multi_index` in an array of shape `dims`."""
    dims = tuple(int(d) for d in dims)
    # NumPy refuses an empty shape only when there is some index to place in it.
    if 0 in dims and any(math.prod(_core.shape_of(_core.asvalue(i))) for i in multi_index):
        raise ValueError("cannot unravel if shape has zero entries (is empty).")
    if len(multi_index) != len(dims):
        raise ValueError(f"parameter multi_index must be a sequence of length {len(dims)}")
    modes = (mode,) * len(dims) if isinstance(mode, str) else tuple(mode)
    strides = _strides(dims, order)
    total = None
    for idx, d, m, s in zip(multi_index, dims, modes, strides):
        idx = _core.astype(_int_indices(idx), np.int64)
        idx = _apply_mode(idx, d, m)
        term = ew.mul(idx, lax_shape.full_like(idx, s))
        total = term if total is None else ew.add(*_core.promote_and_broadcast(total, term))
    return total


def unravel_index(indices, shape, order="C"):
    """The tuple of coordinate arrays of flat `indices` in an array of `shape`."""
    shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(d) for d in shape)
    idx = _core.astype(_int_indices(indices), np.int64)
    if not is_traced(idx):
        host = np.asarray(idx)
        size = math.prod(shape)
        if host.size and (host.min() < 0 or host.max() >= size):
            raise ValueError(f"index {host[(host < 0) | (host >= size)].flat[0]} is out of "
                             f"bounds for array with size {size}")
    out = []
    for s, d in zip(_strides(shape, order), shape):
        q = ew.div(idx, lax_shape.full_like(idx, s))
        out.append(ew.rem(q, lax_shape.full_like(q, d)) if d else q)
    return tuple(out)


def _int_indices(x):
    """Integer (or boolean) indices for ravel_multi_index/unravel_index, as NumPy checks."""
    v = _core.asvalue(x)
    if _core.dtype_of(v).kind not in "iub":
        raise TypeError("only int indices permitted")
    return v


def _strides(dims, order):
    if order not in ("C", "F"):
        raise ValueError("only 'C' or 'F' order is permitted")
    seq = dims if order == "C" else dims[::-1]
    strides = [math.prod(seq[k + 1:]) for k in range(len(seq))]
    return strides if order == "C" else strides[::-1]


def _apply_mode(idx, dim, mode):
    if mode == "wrap":
        r = ew.rem(idx, lax_shape.full_like(idx, dim))
        return ew.select(ew.lt(r, lax_shape.full_like(r, 0)), ew.add(r, lax_shape.full_like(r, dim)), r)
    if mode == "clip":
        return ew.clamp(np.int64(0), idx, np.int64(dim - 1))
    if mode != "raise":
        raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got {mode!r})")
    if not is_traced(idx):
        host = np.asarray(idx)
        if host.size and (host.min() < 0 or host.max() >= dim):
            raise ValueError("invalid entry in coordinates array")
    return idx


def _triangle_indices(n, k, m, upper):
    m = n if m is None else m
    rows, cols = np.indices((n, m))
    mask = (cols - rows >= k) if upper else (cols - rows <= k)
    return tuple(_core.asvalue(a[mask].astype(np.int64)) for a in (rows, cols))


def tril_indices(n, k=0, m=None):
    """Indices of the lower triangle of an (n, m) array."""
    return _triangle_indices(int(n), int(k), m, upper=False)


def triu_indices(n, k=0, m=None):
    """Indices of the upper triangle of an (n, m) array."""
    return _triangle_indices(int(n), int(k), m, upper=True)


def _square_2d(arr, name):
    shape = _core.shape_of(_core.asvalue(arr))
    if len(shape) != 2:
        raise ValueError("input array must be 2-d")
    return shape


def tril_indices_from(arr, k=0):
    n, m = _square_2d(arr, "tril_indices_from")
    return tril_indices(n, k, m)


def triu_indices_from(arr, k=0):
    n, m = _square_2d(arr, "triu_indices_from")
    return triu_indices(n, k, m)


def diag_indices(n, ndim=2):
    """Indices of the main diagonal of an n x ... x n array."""
    idx = _core.asvalue(np.arange(int(n)))
    return (idx,) * int(ndim)


def diag_indices_from(arr):
    shape = _core.shape_of(_core.asvalue(arr))
    if len(shape) < 2:
        raise ValueError("input array must be at least 2-d")
    if len(set(shape)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    return diag_indices(shape[0], len(shape))


def mask_indices(n, mask_func, k=0):
    """Indices where mask_func(ones((n, n)), k) is nonzero (evaluated with NumPy)."""
    m = np.asarray(mask_func(np.ones((n, n), int), k)) != 0
    return tuple(_core.asvalue(a.astype(np.int64)) for a in np.nonzero(m))
