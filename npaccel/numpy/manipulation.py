"""NumPy's "Array manipulation routines" on lax (shapes, transposes, joining, splitting,
tiling, adding and removing elements, rearranging), plus the indexing routines that move
elements around: take, take_along_axis, put_along_axis, choose, compress, select,
diagonal and trace.

Static arguments (shapes, axes, index lists of insert/delete) are read on the host; an
argument that sets the output *shape* from its values (repeat's array of counts,
compress's condition, trim_zeros' data) is read from the device eagerly and raises
ConcretizationError under jit/vmap unless a size keyword (as in jax.numpy) fixes it.
"""
from __future__ import annotations

import math
import operator
from typing import Any, Sequence

import numpy as np

from npaccel.core import dtypes
from npaccel.core.trace import ConcretizationError, concrete_or_error
from npaccel.lax import convert, elementwise as ew, shape as lax_shape, slicing
from npaccel.lax.reduction import cumsum, reduce_max, reduce_min, reduce_or, reduce_sum
from npaccel.lax.slicing import (GatherDimensionNumbers, GatherScatterMode,
                                 ScatterDimensionNumbers)
from npaccel.lax.sorting import sort
from npaccel.numpy import _core
from npaccel.numpy._core import (PYTHON_SCALARS, asvalue, astype, dtype_of, is_value,
                                 result_type, shape_of)

ArrayLike = Any
AxisLike = Any


# --- helpers ---------------------------------------------------------------------------------

def _check_out(out) -> None:
    if out is not None:
        raise TypeError("out= is handled by npaccel.ndarray")


def _rank(x) -> int:
    return len(shape_of(x))


def _axis(axis, ndim: int, argname: str | None = None) -> int:
    """NumPy's normalize_axis_index: AxisError (prefixed by the argument name) if out of range."""
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(axis, ndim, argname)
    return axis % ndim


def _axes(axis, ndim: int, argname: str | None = None,
          allow_duplicate: bool = False) -> tuple[int, ...]:
    """NumPy's normalize_axis_tuple: an int or a sequence of ints."""
    if type(axis) not in (tuple, list):
        try:
            axis = [operator.index(axis)]
        except TypeError:
            pass
    out = tuple(_axis(a, ndim, argname) for a in axis)
    if not allow_duplicate and len(set(out)) != len(out):
        raise ValueError(f"repeated axis in `{argname}` argument" if argname else "repeated axis")
    return out


def _slice_axis(x, axis: int, start: int, stop: int, step: int = 1):
    return slicing.slice_in_dim(x, start, stop, step, axis)


def _leading_ones(x, ndim: int):
    """x with size-1 axes prepended up to rank `ndim` (NumPy's ndmin)."""
    shape = shape_of(x)
    return x if len(shape) >= ndim else lax_shape.reshape(x, (1,) * (ndim - len(shape)) + shape)


def _stretch(x, axis: int, size: int):
    """A size-1 axis of x repeated `size` times."""
    shape = list(shape_of(x))
    shape[axis] = size
    return _core.broadcast_to(x, shape)


def _concrete_or_none(x):
    """x's value on the host, or None when x is abstract (traced under jit/vmap)."""
    try:
        return np.asarray(concrete_or_error(asvalue(x)))
    except ConcretizationError:
        return None


def _gather_axis(x, idx, axis: int, mode=GatherScatterMode.PROMISE_IN_BOUNDS, fill=None):
    """x indexed along `axis` by the integer array idx (in bounds, non-negative): the
    result has shape x.shape[:axis] + idx.shape + x.shape[axis + 1:]."""
    shape, idx_shape = shape_of(x), shape_of(idx)
    ndim_out = len(shape) - 1 + len(idx_shape)
    offset = tuple(range(axis)) + tuple(range(axis + len(idx_shape), ndim_out))
    dnums = GatherDimensionNumbers(offset_dims=offset, collapsed_slice_dims=(axis,),
                                   start_index_map=(axis,))
    sizes = shape[:axis] + (1,) + shape[axis + 1:]
    if shape[axis] == 0:   # only empty index arrays reach here; gather needs a non-empty axis
        out_shape = shape[:axis] + idx_shape + shape[axis + 1:]
        return lax_shape.full(out_shape, 0, dtype_of(x))
    idx = np.asarray(idx, np.int64)[..., None] if isinstance(idx, np.ndarray) else \
        lax_shape.expand_dims(idx, (len(idx_shape),))
    return slicing.gather(x, idx, dnums, sizes, mode=mode, fill_value=fill)


def _wrap_negative(idx, size: int):
    """Traced integer indices with negative ones counted from the end (as NumPy indexing)."""
    idx = convert.convert_element_type(idx, np.int64)
    return ew.select(ew.lt(idx, np.zeros(shape_of(idx), np.int64)),
                     ew.add(idx, np.full(shape_of(idx), size, np.int64)), idx)


def _out_of_bounds(host: np.ndarray, size: int, axis: int) -> None:
    bad = host[(host < -size) | (host >= size)]
    if bad.size:
        raise IndexError(f"index {bad.flat[0]} is out of bounds for axis {axis} with size {size}")


def _where(cond, x, y):
    """NumPy's where(cond, x, y) with broadcasting and NEP 50 promotion."""
    x, y = _core.promote_and_broadcast(x, y)
    shape = _core.broadcast_shapes(shape_of(cond), shape_of(x))
    return ew.select(_core.broadcast_to(asvalue(cond), shape), _core.broadcast_to(x, shape),
                     _core.broadcast_to(y, shape))


def _sequence(arrays) -> list:
    """The arrays of a joining routine: a sequence, or an array split along its first axis."""
    if is_value(arrays) or isinstance(arrays, np.ndarray) or hasattr(arrays, "__npaccel_value__"):
        return list(unstack(asvalue(arrays)))
    return list(arrays)


def _stack_sequence(arrays) -> list:
    if not (hasattr(arrays, "__getitem__") or is_value(arrays)):
        raise TypeError('arrays to stack must be passed as a "sequence" type such as list or '
                        'tuple.')
    return _sequence(arrays)


# --- basic operations and changing shape -----------------------------------------------------

def shape(a: ArrayLike) -> tuple[int, ...]:
    """numpy.shape."""
    return shape_of(asvalue(a))


def ndim(a: ArrayLike) -> int:
    """numpy.ndim."""
    return _rank(asvalue(a))


def size(a: ArrayLike, axis: AxisLike = None) -> int:
    """numpy.size: of the whole array, or the product along `axis` (an int or a tuple)."""
    dims = shape_of(asvalue(a))
    if axis is None:
        return math.prod(dims)
    return math.prod(dims[ax] for ax in _axes(axis, len(dims)))


_ORDERS = ("C", "F", "A", "K")


def _check_order(order) -> str:
    order = "C" if order is None else order
    if order not in _ORDERS:
        raise ValueError(f"order must be one of 'C', 'F', 'A', or 'K' (got {order!r})")
    return order


def _new_shape(new_shape, size_: int) -> tuple[int, ...]:
    """reshape's target with the one unknown (negative) dimension inferred."""
    try:
        dims = [operator.index(new_shape)]
    except TypeError:
        try:
            dims = [operator.index(d) for d in new_shape]
        except TypeError:
            raise TypeError(f"expected a sequence of integers or a single integer, got "
                            f"{new_shape!r}") from None
    unknown = [i for i, d in enumerate(dims) if d < 0]
    if len(unknown) > 1:
        raise ValueError("can only specify one unknown dimension")
    known = math.prod(d for d in dims if d >= 0)
    if unknown and known and size_ % known == 0:
        dims[unknown[0]] = size_ // known
    if unknown and dims[unknown[0]] < 0 or math.prod(dims) != size_:
        text = ",".join("newaxis" if d < 0 else str(d) for d in dims)
        raise ValueError(f"cannot reshape array of size {size_} into shape "
                         f"({text}{',' if len(dims) == 1 else ''})")
    return tuple(dims)


def _reversed_axes(x):
    return lax_shape.transpose(x, tuple(range(_rank(x) - 1, -1, -1)))


def reshape(a: ArrayLike, /, shape, order: str = "C", *, copy: bool | None = None):
    """numpy.reshape: one dimension may be -1; order='F' reads and writes column-major."""
    a = asvalue(a)
    order = _check_order(order)
    if order == "K":
        raise ValueError("order 'K' is not permitted for reshaping")
    new = _new_shape(shape, math.prod(shape_of(a)))
    if order == "F":   # column-major = row-major on the reversed axes
        return _reversed_axes(lax_shape.reshape(_reversed_axes(a), new[::-1]))
    # Note: order='A' reads as 'C': npaccel arrays are always C-contiguous.
    return lax_shape.reshape(a, new)


def ravel(a: ArrayLike, order: str = "C"):
    """numpy.ravel ('K' and 'A' read in memory order, which is C order here)."""
    a = asvalue(a)
    if _check_order(order) == "F":
        a = _reversed_axes(a)
    return lax_shape.reshape(a, (math.prod(shape_of(a)),))


# --- transpose-like operations ---------------------------------------------------------------

def transpose(a: ArrayLike, axes: Sequence[int] | None = None):
    """numpy.transpose."""
    a = asvalue(a)
    n = _rank(a)
    if axes is None:
        return _reversed_axes(a)
    try:
        axes = tuple(axes)
    except TypeError:
        axes = (axes,)
    if len(axes) != n:
        raise ValueError("axes don't match array")
    perm = tuple(_axis(ax, n) for ax in axes)
    if len(set(perm)) != n:
        raise ValueError("repeated axis in transpose")
    return lax_shape.transpose(a, perm)


def permute_dims(a: ArrayLike, axes: Sequence[int] | None = None):
    """numpy.permute_dims (the Array API's transpose)."""
    return transpose(a, axes)


def moveaxis(a: ArrayLike, source: AxisLike, destination: AxisLike):
    """numpy.moveaxis."""
    a = asvalue(a)
    n = _rank(a)
    source = _axes(source, n, "source")
    destination = _axes(destination, n, "destination")
    if len(source) != len(destination):
        raise ValueError("`source` and `destination` arguments must have the same number of "
                         "elements")
    order = [i for i in range(n) if i not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return lax_shape.transpose(a, order)


def rollaxis(a: ArrayLike, axis: int, start: int = 0):
    """numpy.rollaxis."""
    a = asvalue(a)
    n = _rank(a)
    axis = _axis(axis, n)
    start = operator.index(start)
    if start < 0:
        start += n
    if not 0 <= start < n + 1:
        raise np.exceptions.AxisError(f"'start' arg requires {-n} <= start < {n + 1}, but "
                                      f"{start} was passed in")
    if axis < start:
        start -= 1
    order = [i for i in range(n) if i != axis]
    order.insert(start, axis)
    return lax_shape.transpose(a, order)


def swapaxes(a: ArrayLike, axis1: int, axis2: int):
    """numpy.swapaxes."""
    a = asvalue(a)
    n = _rank(a)
    axis1, axis2 = _axis(axis1, n, "axis1"), _axis(axis2, n, "axis2")
    order = list(range(n))
    order[axis1], order[axis2] = axis2, axis1
    return lax_shape.transpose(a, order)


def matrix_transpose(x: ArrayLike, /):
    """numpy.matrix_transpose: swap the last two axes."""
    x = asvalue(x)
    if _rank(x) < 2:
        raise ValueError(f"Input array must be at least 2-dimensional, but it is {_rank(x)}")
    return swapaxes(x, -1, -2)


# --- changing number of dimensions -----------------------------------------------------------

def expand_dims(a: ArrayLike, axis: AxisLike):
    """numpy.expand_dims: axes index the result."""
    a = asvalue(a)
    axis = axis if isinstance(axis, (tuple, list)) else (axis,)
    out_ndim = len(axis) + _rank(a)
    axis = _axes(axis, out_ndim)
    dims = iter(shape_of(a))
    return lax_shape.reshape(a, [1 if ax in axis else next(dims) for ax in range(out_ndim)])


def squeeze(a: ArrayLike, axis: AxisLike = None):
    """numpy.squeeze."""
    a = asvalue(a)
    dims = shape_of(a)
    if axis is None:
        axis = tuple(i for i, d in enumerate(dims) if d == 1)
    elif not dims and type(axis) not in (tuple, list) and operator.index(axis) in (0, -1):
        return a   # NumPy's PyArray_ConvertMultiAxis accepts axis 0 or -1 for 0-d arrays
    axis = _axes(axis, len(dims))
    if any(dims[ax] != 1 for ax in axis):
        raise ValueError("cannot select an axis to squeeze out which has size not equal to one")
    return lax_shape.reshape(a, [d for i, d in enumerate(dims) if i not in axis])


def _atleast(arys, to_shape):
    res = [lax_shape.reshape(a, to_shape(shape_of(a))) for a in map(asvalue, arys)]
    return res[0] if len(res) == 1 else tuple(res)


def atleast_1d(*arys):
    """numpy.atleast_1d: one array, or a tuple for several."""
    return _atleast(arys, lambda s: s if len(s) >= 1 else (1,))


def atleast_2d(*arys):
    """numpy.atleast_2d: a 1-d (N,) becomes (1, N)."""
    return _atleast(arys, lambda s: s if len(s) >= 2 else (1,) * (2 - len(s)) + s)


def atleast_3d(*arys):
    """numpy.atleast_3d: (N,) becomes (1, N, 1) and (M, N) becomes (M, N, 1)."""
    shapes = {0: lambda s: (1, 1, 1), 1: lambda s: (1, *s, 1), 2: lambda s: (*s, 1)}
    return _atleast(arys, lambda s: shapes[len(s)](s) if len(s) < 3 else s)


def broadcast_to(array: ArrayLike, shape, subok: bool = False):
    """numpy.broadcast_to."""
    try:
        shape = tuple(operator.index(d) for d in shape)
    except TypeError:
        shape = (operator.index(shape),)
    if any(d < 0 for d in shape):
        raise ValueError("all elements of broadcast shape must be non-negative")
    return _core.broadcast_to(asvalue(array), shape)


def broadcast_shapes(*args) -> tuple[int, ...]:
    """numpy.broadcast_shapes (shapes only; ints stand for 1-d shapes)."""
    return tuple(np.broadcast_shapes(*args))


def broadcast_arrays(*args, subok: bool = False) -> tuple:
    """numpy.broadcast_arrays: a tuple."""
    values = [asvalue(a) for a in args]
    shape = _core.broadcast_shapes(*[shape_of(v) for v in values])
    return tuple(_core.broadcast_to(v, shape) for v in values)


# --- joining arrays --------------------------------------------------------------------------

_CASTINGS = ("no", "equiv", "safe", "same_kind", "unsafe")


def concatenate(arrays, /, axis: int | None = 0, out=None, *, dtype=None,
                casting: str | None = "same_kind"):
    """numpy.concatenate: axis=None joins the flattened arrays; `dtype` and `casting` as
    NumPy (the cast of each input to the result type must obey `casting`)."""
    if out is not None and dtype is not None:
        raise TypeError("concatenate() only takes `out` or `dtype` as an argument, but both "
                        "were provided.")
    _check_out(out)
    values = [asvalue(a) for a in _sequence(arrays)]
    if not values:
        raise ValueError("need at least one array to concatenate")
    if axis is None:
        values, axis = [ravel(v) for v in values], 0
    first = shape_of(values[0])
    if not first:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    axis = _axis(axis, len(first))
    for i, v in enumerate(values[1:], 1):
        s = shape_of(v)
        if len(s) != len(first):
            raise ValueError(f"all the input arrays must have same number of dimensions, but "
                             f"the array at index 0 has {len(first)} dimension(s) and the array "
                             f"at index {i} has {len(s)} dimension(s)")
        for d, (p, q) in enumerate(zip(first, s)):
            if d != axis and p != q:
                raise ValueError(f"all the input array dimensions except for the concatenation "
                                 f"axis must match exactly, but along dimension {d}, the array "
                                 f"at index 0 has size {p} and the array at index {i} has "
                                 f"size {q}")
    casting = "same_kind" if casting is None else casting
    if casting not in _CASTINGS:
        raise ValueError(f"casting must be one of 'no', 'equiv', 'safe', 'same_kind', 'unsafe' "
                         f"(got {casting!r})")
    dtype = result_type(*values) if dtype is None else dtypes.check_supported(dtype)
    for v in values:
        if not np.can_cast(dtype_of(v), dtype, casting):
            raise TypeError(f"Cannot cast array data from {dtype_of(v)!r} to {dtype!r} "
                            f"according to the rule {casting!r}")
    return lax_shape.concatenate([astype(v, dtype) for v in values], axis)


concat = concatenate   # numpy.concat: the Array API name


def stack(arrays, axis: int = 0, out=None, *, dtype=None, casting: str | None = "same_kind"):
    """numpy.stack: join along a new axis."""
    values = [asvalue(a) for a in _stack_sequence(arrays)]
    if not values:
        raise ValueError("need at least one array to stack")
    if len({shape_of(v) for v in values}) != 1:
        raise ValueError("all input arrays must have the same shape")
    axis = _axis(axis, _rank(values[0]) + 1)
    return concatenate([lax_shape.expand_dims(v, (axis,)) for v in values], axis, out,
                       dtype=dtype, casting=casting)


def _as_tuple(arrs) -> tuple:
    return arrs if isinstance(arrs, tuple) else (arrs,)


def vstack(tup, *, dtype=None, casting: str | None = "same_kind"):
    """numpy.vstack: along the first axis, 1-d inputs as rows."""
    arrs = _as_tuple(atleast_2d(*_stack_sequence(tup)))
    return concatenate(arrs, 0, dtype=dtype, casting=casting)


def hstack(tup, *, dtype=None, casting: str | None = "same_kind"):
    """numpy.hstack: along the second axis (the first for 1-d inputs)."""
    arrs = _as_tuple(atleast_1d(*_stack_sequence(tup)))
    axis = 0 if arrs and _rank(arrs[0]) == 1 else 1
    return concatenate(arrs, axis, dtype=dtype, casting=casting)


def dstack(tup):
    """numpy.dstack: along the third axis."""
    return concatenate(_as_tuple(atleast_3d(*_stack_sequence(tup))), 2)


def column_stack(tup):
    """numpy.column_stack: 1-d inputs as columns."""
    arrays = []
    for v in _stack_sequence(tup):
        v = asvalue(v)
        arrays.append(transpose(_leading_ones(v, 2)) if _rank(v) < 2 else v)
    return concatenate(arrays, 1)


def _block_index(index) -> str:
    return "arrays" + "".join(f"[{i}]" for i in index)


def _block_depths(arrays, parent=()):
    """(index of the first leaf, largest leaf rank) of a nested list; the checks of
    NumPy's _block_check_depths_match."""
    if isinstance(arrays, tuple):
        raise TypeError(f"{_block_index(parent)} is a tuple. Only lists can be used to arrange "
                        "blocks, and np.block does not allow implicit conversion from tuple "
                        "to ndarray.")
    if not isinstance(arrays, list):
        return parent, _rank(asvalue(arrays))
    if not arrays:
        return parent + (None,), 0
    results = [_block_depths(a, parent + (i,)) for i, a in enumerate(arrays)]
    first, max_ndim = results[0]
    for index, nd in results[1:]:
        max_ndim = max(max_ndim, nd)
        if len(index) != len(first):
            raise ValueError(f"List depths are mismatched. First element was at depth "
                             f"{len(first)}, but there is an element at depth {len(index)} "
                             f"({_block_index(index)})")
        if index[-1] is None:
            first = index
    return first, max_ndim


def _block(arrays, depth: int, max_depth: int, result_ndim: int):
    if depth < max_depth:
        parts = [_block(a, depth + 1, max_depth, result_ndim) for a in arrays]
        return concatenate(parts, axis=-(max_depth - depth))
    return _leading_ones(asvalue(arrays), result_ndim)


def block(arrays):
    """numpy.block: nested lists of arrays joined innermost-last along trailing axes."""
    bottom, arr_ndim = _block_depths(arrays)
    if bottom and bottom[-1] is None:
        raise ValueError(f"List at {_block_index(bottom[:-1])} cannot be empty")
    list_ndim = len(bottom)
    return _block(arrays, 0, list_ndim, max(arr_ndim, list_ndim))


# --- splitting arrays ------------------------------------------------------------------------

def array_split(ary: ArrayLike, indices_or_sections, axis: int = 0) -> list:
    """numpy.array_split: a list; sections of unequal size allowed (the first ones larger)."""
    ary = asvalue(ary)
    axis = _axis(axis, _rank(ary))
    total = shape_of(ary)[axis]
    try:
        n_sections = len(indices_or_sections) + 1
        div_points = [0] + list(indices_or_sections) + [total]
    except TypeError:
        n_sections = int(indices_or_sections)
        if n_sections <= 0:
            raise ValueError("number sections must be larger than 0.") from None
        each, extras = divmod(total, n_sections)
        sizes = [0] + extras * [each + 1] + (n_sections - extras) * [each]
        div_points = np.cumsum(sizes).tolist()
    pieces = []
    for start, stop in zip(div_points[:-1], div_points[1:]):
        start, stop, _ = slice(start, stop).indices(total)   # Python slicing of ary[st:end]
        pieces.append(_slice_axis(ary, axis, start, max(start, stop)))
    return pieces


def split(ary: ArrayLike, indices_or_sections, axis: int = 0) -> list:
    """numpy.split: a list of equal sections, or pieces between the given indices."""
    try:
        len(indices_or_sections)
    except TypeError:
        ary = asvalue(ary)
        if shape_of(ary)[_axis(axis, _rank(ary))] % indices_or_sections:
            raise ValueError("array split does not result in an equal division") from None
    return array_split(ary, indices_or_sections, axis)


def hsplit(ary: ArrayLike, indices_or_sections) -> list:
    """numpy.hsplit: along the second axis (the first for 1-d)."""
    ary = asvalue(ary)
    if _rank(ary) == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    return split(ary, indices_or_sections, 1 if _rank(ary) > 1 else 0)


def vsplit(ary: ArrayLike, indices_or_sections) -> list:
    """numpy.vsplit: along the first axis."""
    ary = asvalue(ary)
    if _rank(ary) < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return split(ary, indices_or_sections, 0)


def dsplit(ary: ArrayLike, indices_or_sections) -> list:
    """numpy.dsplit: along the third axis."""
    ary = asvalue(ary)
    if _rank(ary) < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return split(ary, indices_or_sections, 2)


def unstack(x: ArrayLike, /, *, axis: int = 0) -> tuple:
    """numpy.unstack: the slices along `axis`, as a tuple."""
    x = asvalue(x)
    if _rank(x) == 0:
        raise ValueError("Input array must be at least 1-d.")
    axis = _axis(axis, _rank(x), "source")
    return tuple(slicing.index_in_dim(x, i, axis, keepdims=False)
                 for i in range(shape_of(x)[axis]))


# --- tiling arrays ---------------------------------------------------------------------------

def tile(A: ArrayLike, reps):
    """numpy.tile: one broadcast to interleaved (rep, size) axes, then a reshape."""
    try:
        tup = tuple(reps)
    except TypeError:
        tup = (reps,)
    tup = tuple(operator.index(t) for t in tup)
    if any(t < 0 for t in tup):
        raise ValueError("negative dimensions are not allowed")
    c = _leading_ones(asvalue(A), len(tup))
    dims = shape_of(c)
    tup = (1,) * (len(dims) - len(tup)) + tup
    interleaved = [n for pair in zip(tup, dims) for n in pair]
    spread = lax_shape.broadcast_in_dim(c, interleaved, range(1, 2 * len(dims), 2))
    return lax_shape.reshape(spread, [t * d for t, d in zip(tup, dims)])


def _repeat_counts(repeats, n: int):
    """Concrete repeat counts as an int array (scalar or one per element), or None if traced."""
    host = _concrete_or_none(repeats)
    if host is None:
        return None
    if host.ndim > 1:
        raise ValueError("setting an array element with a sequence. The requested array would "
                         "exceed the maximum number of dimension of 1.")
    host = host.astype(np.intp)
    if n and (host < 0).any():   # NumPy checks the counts of existing elements only
        raise ValueError("repeats may not contain negative values.")
    if host.size != 1 and host.shape != (n,):
        raise ValueError(f"operands could not be broadcast together with shape ({n},) "
                         f"({host.size},)")
    return np.maximum(host, 0)


def _traced_repeat_index(repeats, n: int, total: int):
    """The source index of each of `total` outputs for traced counts: a mark at each
    segment end, summed cumulatively (segments beyond `total` are dropped)."""
    counts = _core.broadcast_to(convert.convert_element_type(asvalue(repeats), np.int64), (n,))
    ends = lax_shape.expand_dims(cumsum(counts, 0), (1,))
    dnums = ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
                                    scatter_dims_to_operand_dims=(0,))
    marks = slicing.scatter_add(np.zeros(total + 1, np.int64), ends, np.ones(n, np.int64), dnums,
                                mode=GatherScatterMode.FILL_OR_DROP)
    index = _slice_axis(cumsum(marks, 0), 0, 0, total)
    # Past the counts' sum the last element repeats (as jax.numpy).
    return ew.min(index, np.full(total, max(n - 1, 0), np.int64))


def repeat(a: ArrayLike, repeats, axis: int | None = None, *,
           total_repeat_length: int | None = None):
    """numpy.repeat. Array counts must be concrete (they set the output length) unless
    `total_repeat_length` is given, as in jax.numpy: the output is then cut or padded with
    the last element to that length."""
    a, axis = _whole_or_axis(a, axis)
    n = shape_of(a)[axis]
    counts = _repeat_counts(repeats, n)
    if counts is None:
        if total_repeat_length is None:
            raise ConcretizationError(
                "repeat: the repeat counts are traced, but they set the output length; pass "
                "total_repeat_length= (as jax.numpy.repeat) or make them static")
        index = _traced_repeat_index(repeats, n, operator.index(total_repeat_length))
        return _gather_axis(a, index, axis)
    if counts.size == 1 and total_repeat_length is None:   # a broadcast, then merge axes
        r, dims = int(counts.reshape(())), shape_of(a)
        spread = lax_shape.broadcast_in_dim(
            a, dims[:axis + 1] + (r,) + dims[axis + 1:],
            tuple(range(axis + 1)) + tuple(range(axis + 2, len(dims) + 1)))
        return lax_shape.reshape(spread, dims[:axis] + (n * r,) + dims[axis + 1:])
    index = np.repeat(np.arange(n), counts)
    if total_repeat_length is not None:
        total = operator.index(total_repeat_length)
        index = np.concatenate([index, np.full(max(total - index.size, 0), max(n - 1, 0))])[:total]
    return _gather_axis(a, index, axis)


# --- rearranging elements --------------------------------------------------------------------

def flip(m: ArrayLike, axis: AxisLike = None):
    """numpy.flip."""
    m = asvalue(m)
    axes = tuple(range(_rank(m))) if axis is None else _axes(axis, _rank(m))
    return lax_shape.rev(m, axes) if axes else m


def fliplr(m: ArrayLike):
    """numpy.fliplr."""
    m = asvalue(m)
    if _rank(m) < 2:
        raise ValueError("Input must be >= 2-d.")
    return flip(m, 1)


def flipud(m: ArrayLike):
    """numpy.flipud."""
    m = asvalue(m)
    if _rank(m) < 1:
        raise ValueError("Input must be >= 1-d.")
    return flip(m, 0)


def _roll_static(a, offset: int, axis: int):
    n = shape_of(a)[axis]
    offset %= n or 1
    if not offset:
        return a
    return lax_shape.concatenate([_slice_axis(a, axis, n - offset, n),
                                  _slice_axis(a, axis, 0, n - offset)], axis)


def _roll_traced(a, shift, axis: int):
    """Roll by a traced shift: a window of length n into two copies of the axis."""
    n = shape_of(a)[axis]
    if n == 0:
        return a
    size = np.asarray(n, np.int64)
    shift = convert.convert_element_type(shift, np.int64)
    shift = ew.rem(ew.add(ew.rem(shift, size), size), size)
    doubled = lax_shape.concatenate([a, a], axis)
    return slicing.dynamic_slice_in_dim(doubled, ew.sub(size, shift), n, axis)


def roll(a: ArrayLike, shift, axis: AxisLike = None):
    """numpy.roll: shift and axis may be tuples (shifts on a repeated axis add up); a traced
    shift rolls by a dynamic slice."""
    a = asvalue(a)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), shape_of(a))
    axes = _axes(axis, _rank(a), allow_duplicate=True)
    if _rank(a) == 0:   # NumPy's roll fails unpacking its (empty) per-axis slices
        raise ValueError("not enough values to unpack (expected 2, got 0)")
    host = _concrete_or_none(shift)
    pairs_shape = _core.broadcast_shapes(shape_of(asvalue(shift)), (len(axes),) if
                                         isinstance(axis, (tuple, list)) else ())
    if len(pairs_shape) > 1:
        raise ValueError("'shift' and 'axis' should be scalars or 1D sequences")
    count = pairs_shape[0] if pairs_shape else 1
    axes = np.broadcast_to(np.asarray(axes), (count,)).tolist()
    if host is not None:
        totals = dict.fromkeys(range(_rank(a)), 0)
        for sh, ax in zip(np.broadcast_to(host, (count,)).tolist(), axes):
            totals[ax] += int(sh)
        for ax, offset in totals.items():
            a = _roll_static(a, offset, ax)
        return a
    shifts = _core.broadcast_to(asvalue(shift), (count,))
    for i, ax in enumerate(axes):
        a = _roll_traced(a, slicing.index_in_dim(shifts, i, 0, keepdims=False), ax)
    return a


def rot90(m: ArrayLike, k: int = 1, axes: tuple[int, int] = (0, 1)):
    """numpy.rot90: rotate from the first axis towards the second."""
    axes = tuple(axes)
    if len(axes) != 2:
        raise ValueError("len(axes) must be 2.")
    m = asvalue(m)
    n = _rank(m)
    if axes[0] == axes[1] or abs(axes[0] - axes[1]) == n:
        raise ValueError("Axes must be different.")
    if not all(-n <= ax < n for ax in axes):
        raise ValueError(f"Axes={axes} out of range for array of ndim={n}.")
    k = operator.index(k) % 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, axes[0]), axes[1])
    order = list(range(n))
    order[axes[0]], order[axes[1]] = order[axes[1]], order[axes[0]]
    if k == 1:
        return transpose(flip(m, axes[1]), order)
    return flip(transpose(m, order), axes[1])


# --- pad -------------------------------------------------------------------------------------

def _pad_widths(pad_width, ndim: int) -> list[tuple[int, int]]:
    """pad_width as (before, after) ints per axis (NumPy's _as_pairs with as_index)."""
    if isinstance(pad_width, dict):
        seq = [(0, 0)] * ndim
        for ax, width in pad_width.items():
            match width:
                case int(both):
                    seq[ax] = both, both
                case tuple((int(before), int(after))):
                    seq[ax] = before, after
                case _:
                    raise AssertionError(f"Expected code to be unreachable, but got: {width}")
        pad_width = seq
    widths = np.asarray(concrete_or_error(asvalue(pad_width), "pad: pad_width must be static"))
    if widths.dtype.kind != "i":
        raise TypeError("`pad_width` must be of integral type.")
    pairs = _as_pairs(widths, ndim)
    if (widths.size and widths.min() < 0) or any(w < 0 for pair in pairs for w in pair):
        raise ValueError("index can't contain negative values")
    return [(int(lo), int(hi)) for lo, hi in pairs]


def _as_pairs(x, ndim: int) -> list:
    """A scalar, a (before, after) pair or one pair per axis, as one pair per axis (NumPy's
    _as_pairs); host values give NumPy scalars, traced values traced 0-d items."""
    if x is None:
        return [(None, None)] * ndim
    x = asvalue(x)
    dims = shape_of(x)
    if len(dims) < 3 and math.prod(dims) in (1, 2) and dims != (2, 1):
        pairs = [(0, 0) if math.prod(dims) == 1 else (0, 1)] * ndim
    else:
        pairs = [(2 * i, 2 * i + 1) for i in range(ndim)]
        x = _core.broadcast_to(x, (ndim, 2))
    if not is_value(x):   # a host constant: NumPy scalars
        flat = np.ravel(x)
        return [(flat[i], flat[j]) for i, j in pairs]
    flat = ravel(x)
    item = lambda i: slicing.index_in_dim(flat, i, 0, keepdims=False)  # noqa: E731
    return [(item(i), item(j)) for i, j in pairs]


def _assigned(values, dtype):
    """`values` cast as NumPy's item assignment casts them: unsafely, except that a Python
    int out of the dtype's range is an OverflowError."""
    return astype(values if type(values) in PYTHON_SCALARS else asvalue(values), dtype)


def _pad_value(value, dtype):
    """A fill value cast to the array's dtype as NumPy's assignment does (unsafe)."""
    return astype(asvalue(value), dtype)


def _pad_constant(x, axis, widths, values):
    for side, (width, value) in enumerate(zip(widths, values)):
        if width:
            config = [(0, 0, 0)] * _rank(x)
            config[axis] = (width, 0, 0) if side == 0 else (0, width, 0)
            x = lax_shape.pad(x, _pad_value(value, dtype_of(x)), config)
    return x


def _edges(x, axis):
    n = shape_of(x)[axis]
    return _slice_axis(x, axis, 0, 1), _slice_axis(x, axis, n - 1, n)


def _join(left, x, right, axis):
    return lax_shape.concatenate([p for p in (left, x, right) if p is not None], axis)


def _pad_edge(x, axis, widths):
    lo, hi = widths
    first, last = _edges(x, axis)
    return _join(_stretch(first, axis, lo) if lo else None, x,
                 _stretch(last, axis, hi) if hi else None, axis)


def _odd(chunk, edge, axis):
    """2 * edge - chunk, in the array's dtype (NumPy's odd reflection)."""
    edge = _stretch(edge, axis, shape_of(chunk)[axis])
    if dtype_of(chunk) == np.bool_:   # NumPy computes in int64 and stores `!= 0`
        return ew.bitwise_or(edge, chunk)
    return ew.sub(ew.add(edge, edge), chunk)


def _pad_reflect(x, axis, widths, odd: bool, include_edge: bool):
    """NumPy's _set_reflect_both, chunk by chunk until both sides are filled (whole
    periods only, so that wide pads repeat the reflected pattern)."""
    lo, hi = widths
    period = shape_of(x)[axis]
    if period == 1:
        return _pad_edge(x, axis, widths)
    while lo > 0 or hi > 0:
        size_ = shape_of(x)[axis]
        if include_edge:
            old = size_ // period * period
        else:
            old = (size_ - 1) // (period - 1) * (period - 1)
        left = right = None
        first, last = _edges(x, axis)
        if lo > 0:
            c = min(old, lo)
            start = 0 if include_edge else 1
            left = lax_shape.rev(_slice_axis(x, axis, start, start + c), (axis,))
            left = _odd(left, first, axis) if odd else left
            lo -= c
        if hi > 0:
            c = min(old, hi)
            stop = size_ if include_edge else size_ - 1
            right = lax_shape.rev(_slice_axis(x, axis, stop - c, stop), (axis,))
            right = _odd(right, last, axis) if odd else right
            hi -= c
        x = _join(left, x, right, axis)
    return x


def _pad_wrap(x, axis, widths):
    """NumPy's _set_wrap_both: copies of whole periods from the far side."""
    lo, hi = widths
    original = shape_of(x)[axis]
    while lo > 0 or hi > 0:
        size_ = shape_of(x)[axis]
        period = size_ // original * original
        left = right = None
        if lo > 0:
            c = min(period, lo)
            left = _slice_axis(x, axis, period - c, period)
            lo = lo - period if lo > period else 0
        if hi > 0:
            c = min(period, hi)
            right = _slice_axis(x, axis, size_ - period, size_ - period + c)
            hi = hi - period if hi > period else 0
        x = _join(left, x, right, axis)
    return x


def _ramp(end, edge, width: int, axis: int, dtype):
    """NumPy's linspace(end, edge, width, endpoint=False, dtype=dtype, axis=axis): end +
    i * (edge - end) / width in the inexact type of the two, floored for integer dtypes."""
    inexact = result_type(end, edge, 0.0)
    end, edge = (astype(asvalue(v), inexact) for v in (end, edge))
    shape = list(shape_of(edge))
    shape[axis] = width
    step = ew.div(ew.sub(edge, _core.broadcast_to(end, shape_of(edge))), width)
    i = lax_shape.broadcasted_iota(inexact, shape, axis)
    ramp = ew.add(ew.mul(i, _stretch(step, axis, width)), _core.broadcast_to(end, shape))
    if np.issubdtype(dtype, np.integer):
        ramp = ew.floor(ramp)
    return astype(ramp, dtype)


def _pad_linear_ramp(x, axis, widths, end_values):
    ramps = [_ramp(end, edge, width, axis, dtype_of(x)) if width else None
             for width, end, edge in zip(widths, end_values, _edges(x, axis))]
    right = lax_shape.rev(ramps[1], (axis,)) if ramps[1] is not None else None
    return _join(ramps[0], x, right, axis)


def _stat_dtype(dtype):
    """The type NumPy's mean and median compute in: float64 for integers and bools,
    float32 for half floats."""
    if not dtypes.is_inexact(dtype):
        return np.dtype(np.float64)
    return np.dtype(np.float32) if dtype.itemsize == 2 else dtype


def _mean(chunk, axis):
    dtype = _stat_dtype(dtype_of(chunk))
    total = reduce_sum(astype(chunk, dtype), (axis,))
    return ew.div(total, np.full(shape_of(total), shape_of(chunk)[axis], dtype))


def _median(chunk, axis):
    dtype, n = _stat_dtype(dtype_of(chunk)), shape_of(chunk)[axis]
    ordered = sort(astype(chunk, dtype), axis)
    middle = _mean(_slice_axis(ordered, axis, (n - 1) // 2, n // 2 + 1), axis)
    if not dtypes.is_inexact(dtype_of(chunk)):
        return middle
    has_nan = reduce_or(ew.ne(chunk, chunk), (axis,))   # NumPy's median propagates NaN
    return ew.select(has_nan, np.full(shape_of(middle), np.nan, dtype), middle)


_STATS = {"maximum": lambda c, ax: reduce_max(c, (ax,)),
          "minimum": lambda c, ax: reduce_min(c, (ax,)),
          "mean": _mean, "median": _median}


def _stat(chunk, axis, mode, dtype):
    """The statistic over `axis`, kept as a size-1 axis, rounded for integer arrays."""
    value = _STATS[mode](chunk, axis)
    if np.issubdtype(dtype, np.integer) and dtypes.is_inexact(dtype_of(value)):
        value = ew.round(value, ew.RoundingMethod.TO_NEAREST_EVEN)
    return lax_shape.expand_dims(astype(value, dtype), (axis,))


def _pad_stat(x, axis, widths, lengths, mode):
    n = shape_of(x)[axis]
    lengths = [n if length is None or n < length else int(length) for length in lengths]
    if 0 in lengths and mode in ("maximum", "minimum"):
        raise ValueError("stat_length of 0 yields no value for padding")
    dtype = dtype_of(x)
    left = _stat(_slice_axis(x, axis, 0, lengths[0]), axis, mode, dtype)
    right = left if lengths[0] == lengths[1] == n else \
        _stat(_slice_axis(x, axis, n - lengths[1], n), axis, mode, dtype)
    lo, hi = widths
    return _join(_stretch(left, axis, lo) if lo else None, x,
                 _stretch(right, axis, hi) if hi else None, axis)


_PAD_KWARGS = {"empty": [], "edge": [], "wrap": [], "constant": ["constant_values"],
               "linear_ramp": ["end_values"], "maximum": ["stat_length"],
               "mean": ["stat_length"], "median": ["stat_length"], "minimum": ["stat_length"],
               "reflect": ["reflect_type"], "symmetric": ["reflect_type"]}


def _static_pairs(x, ndim):
    pairs = _as_pairs(x if x is None else np.round(concrete_or_error(asvalue(x))).astype(np.intp),
                      ndim)
    return [tuple(None if v is None else int(v) for v in pair) for pair in pairs]


def pad(array: ArrayLike, pad_width, mode="constant", **kwargs):
    """numpy.pad: every mode NumPy has; a callable mode runs on the host (eagerly only).
    Axes are padded in order, each seeing the earlier axes' padding, as NumPy does."""
    x = asvalue(array)
    n = _rank(x)
    widths = _pad_widths(pad_width, n)
    if callable(mode):
        host = concrete_or_error(x, "pad with a callable mode runs NumPy on the host")
        return asvalue(np.pad(host, widths, mode, **kwargs))
    try:
        unsupported = set(kwargs) - set(_PAD_KWARGS[mode])
    except KeyError:
        raise ValueError(f"mode '{mode}' is not supported") from None
    if unsupported:
        raise ValueError(f"unsupported keyword arguments for mode '{mode}': {unsupported}")
    if mode == "empty":
        # Note: NumPy leaves the padding uninitialised; here it is zeros.
        mode, kwargs = "constant", {}
    if mode == "constant":
        values = _as_pairs(kwargs.get("constant_values", 0), n)
        for axis in range(n):
            x = _pad_constant(x, axis, widths[axis], values[axis])
        return x
    dims = shape_of(x)
    if math.prod(dims) == 0:
        for axis, pair in enumerate(widths):
            if dims[axis] == 0 and any(pair):
                raise ValueError(f"can't extend empty axis {axis} using modes other than "
                                 "'constant' or 'empty'")
        return _pad_constant_zeros(x, widths)
    if mode == "linear_ramp":
        ends = _as_pairs(kwargs.get("end_values", 0), n)
        pad_axis = lambda y, ax: _pad_linear_ramp(y, ax, widths[ax], ends[ax])  # noqa: E731
    elif mode in _STATS:
        lengths = _static_pairs(kwargs.get("stat_length"), n)
        pad_axis = lambda y, ax: _pad_stat(y, ax, widths[ax], lengths[ax], mode)  # noqa: E731
    elif mode in ("reflect", "symmetric"):
        odd = kwargs.get("reflect_type", "even") == "odd"
        pad_axis = lambda y, ax: _pad_reflect(y, ax, widths[ax], odd,  # noqa: E731
                                              mode == "symmetric")
    elif mode == "wrap":
        pad_axis = lambda y, ax: _pad_wrap(y, ax, widths[ax])  # noqa: E731
    else:
        pad_axis = lambda y, ax: _pad_edge(y, ax, widths[ax])  # noqa: E731
    for axis in range(n):
        if any(widths[axis]):
            x = pad_axis(x, axis)
    return x


def _pad_constant_zeros(x, widths):
    zero = np.zeros((), dtype_of(x))
    return lax_shape.pad(x, zero, [(lo, hi, 0) for lo, hi in widths])


# --- adding and removing elements ------------------------------------------------------------

def _flat_axis(arr, axis):
    """(array, axis) for routines where axis=None means the flattened array."""
    arr = asvalue(arr)
    if axis is None:
        return (ravel(arr) if _rank(arr) != 1 else arr), 0
    return arr, _axis(axis, _rank(arr))


def _whole_or_axis(a, axis):
    """(array, axis) for routines where axis=None means the flattened array, always; as
    NumPy's PyArray_CheckAxis (take, repeat, compress), a 0-d array counts as 1-d."""
    a = asvalue(a)
    if axis is None or _rank(a) == 0:
        return ravel(a), _axis(0 if axis is None else axis, 1)
    return a, _axis(axis, _rank(a))


def _static_index(obj, name: str) -> np.ndarray:
    return np.asarray(concrete_or_error(asvalue(obj), f"{name}: the index argument sets the "
                                                     "output shape and must be static"))


def _kept(obj, n: int, axis: int) -> np.ndarray:
    """delete's mask of kept positions along an axis of length n."""
    keep = np.ones(n, bool)
    if isinstance(obj, slice):
        keep[obj] = False
        return keep
    single = isinstance(obj, (int, np.integer)) and not isinstance(obj, bool)
    if not single:
        was_array = isinstance(obj, np.ndarray) or is_value(obj)
        obj = _static_index(obj, "delete")
        if obj.size == 0 and not was_array:
            obj = obj.astype(np.intp)
        elif obj.size == 1 and obj.dtype.kind in "ui":
            obj, single = obj.item(), True
    if single:
        _out_of_bounds(np.asarray([obj]), n, axis)
        keep[obj] = False
    elif obj.dtype == bool:
        if obj.shape != (n,):
            raise ValueError(f"boolean array argument obj to delete must be one dimensional "
                             f"and match the axis length of {n}")
        keep = ~obj
    elif obj.dtype.kind not in "iu":
        raise IndexError("arrays used as indices must be of integer (or boolean) type")
    else:
        _out_of_bounds(obj, n, axis)
        keep[obj,] = False
    return keep


def delete(arr: ArrayLike, obj, axis: int | None = None):
    """numpy.delete: obj is an int, a slice, an index array or a boolean mask (static)."""
    arr, axis = _flat_axis(arr, axis)
    keep = _kept(obj, shape_of(arr)[axis], axis)
    return _gather_axis(arr, np.flatnonzero(keep), axis)


def _insert_positions(obj, n: int, axis: int):
    """insert's static index array (or a single index, with whether obj was a scalar)."""
    if isinstance(obj, slice):
        return np.arange(*obj.indices(n), dtype=np.intp)
    was_array = isinstance(obj, np.ndarray) or is_value(obj)
    indices = _static_index(obj, "insert")
    if indices.dtype == bool:
        if indices.ndim != 1:
            raise ValueError("boolean array argument obj to insert must be one dimensional")
        indices = np.flatnonzero(indices)
    elif indices.ndim > 1:
        raise ValueError("index array argument obj to insert must be one dimensional or scalar")
    if indices.size == 0 and not was_array:
        indices = indices.astype(np.intp)
    return indices


def insert(arr: ArrayLike, obj, values, axis: int | None = None):
    """numpy.insert: `values` placed before the static positions `obj`."""
    arr, axis = _flat_axis(arr, axis)
    dims, dtype = shape_of(arr), dtype_of(arr)
    n = dims[axis]
    indices = _insert_positions(obj, n, axis)
    # As NumPy's np.array(values, dtype=arr.dtype): Python ints out of range overflow.
    values = asvalue(values, dtype)
    if indices.size == 1:
        index = operator.index(indices.item())
        if not -n <= index <= n:
            raise IndexError(f"index {obj} is out of bounds for axis {axis} with size {n}")
        index += n if index < 0 else 0
        values = _leading_ones(values, len(dims))
        if indices.ndim == 0:   # a[:, i] = v vs a[:, [i]] = v: NumPy inserts v's first axis
            values = moveaxis(values, 0, axis)
        target = dims[:axis] + (shape_of(values)[axis],) + dims[axis + 1:]
        values = _core.broadcast_to(values, target)
        return lax_shape.concatenate([_slice_axis(arr, axis, 0, index), values,
                                      _slice_axis(arr, axis, index, n)], axis)
    if indices.dtype.kind not in "iu":
        raise IndexError("arrays used as indices must be of integer (or boolean) type")
    indices = np.where(indices < 0, indices + n, indices).astype(np.intp)
    count = len(indices)
    indices[np.argsort(indices, kind="mergesort")] += np.arange(count)
    _out_of_bounds(indices, n + count, axis)
    source = np.empty(n + count, np.intp)   # where each output element comes from
    old = np.ones(n + count, bool)
    old[indices] = False
    source[old] = np.arange(n)
    source[indices] = n + np.arange(count)
    values = _core.broadcast_to(values, dims[:axis] + (count,) + dims[axis + 1:])
    return _gather_axis(lax_shape.concatenate([arr, values], axis), source, axis)


def append(arr: ArrayLike, values, axis: int | None = None):
    """numpy.append: flattened unless `axis` is given."""
    arr = asvalue(arr)
    if axis is None:
        arr = ravel(arr) if _rank(arr) != 1 else arr
        values, axis = ravel(values), 0
    return concatenate((arr, values), axis=axis)


def resize(a: ArrayLike, new_shape):
    """numpy.resize: the flattened data repeated cyclically to fill `new_shape`."""
    if isinstance(new_shape, (int, np.integer)):
        new_shape = (new_shape,)
    new_shape = tuple(operator.index(d) for d in new_shape)
    if any(d < 0 for d in new_shape):
        raise ValueError("all elements of `new_shape` must be non-negative")
    a = ravel(a)
    n, new_size = shape_of(a)[0], math.prod(new_shape)
    if n == 0 or new_size == 0:
        return lax_shape.full(new_shape, 0, dtype_of(a))
    copies = -(-new_size // n)
    cyclic = lax_shape.reshape(lax_shape.broadcast(a, (copies,)), (copies * n,))
    return lax_shape.reshape(_slice_axis(cyclic, 0, 0, new_size), new_shape)


def trim_zeros(filt: ArrayLike, trim: str = "fb", axis: AxisLike = None):
    """numpy.trim_zeros: reads the data (the result's shape depends on it)."""
    value = asvalue(filt)
    trim = trim.lower()
    if trim not in ("fb", "bf", "f", "b"):
        raise ValueError(f"unexpected character(s) in `trim`: {trim!r}")
    n = _rank(value)
    axes = tuple(range(n)) if axis is None else _axes(axis, n, "axis")
    if not axes:
        return value
    host = concrete_or_error(value, "trim_zeros: the result's shape depends on the data")
    nonzero = np.argwhere(host)
    if nonzero.size == 0:
        start, stop = [0] * n, [0] * n
    else:
        start = nonzero.min(0).tolist() if "f" in trim else [0] * n
        stop = (nonzero.max(0) + 1).tolist() if "b" in trim else list(shape_of(value))
    dims = shape_of(value)
    start = [s if ax in axes else 0 for ax, s in enumerate(start)]
    stop = [s if ax in axes else dims[ax] for ax, s in enumerate(stop)]
    return slicing.slice(value, start, stop)


# --- indexing routines that move elements ----------------------------------------------------

_CLIPMODES = ("raise", "wrap", "clip")


def _check_clipmode(mode) -> None:
    if mode not in _CLIPMODES:
        raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got {mode!r})")


def take(a: ArrayLike, indices, axis: int | None = None, out=None, mode: str = "raise"):
    """numpy.take. Out-of-bounds indices raise IndexError eagerly in mode 'raise'."""
    _check_out(out)
    _check_clipmode(mode)
    a, axis = _whole_or_axis(a, axis)
    n = shape_of(a)[axis]
    host = _concrete_or_none(indices)
    if host is not None:
        host = host.astype(np.intp)
        if host.size and n == 0:
            raise IndexError("cannot do a non-empty take from an empty axes.")
        if mode == "raise":
            _out_of_bounds(host, n, axis)
            host = np.where(host < 0, host + n, host)
        else:
            host = np.mod(host, n) if mode == "wrap" else np.clip(host, 0, n - 1)
        return _gather_axis(a, host, axis)
    idx = convert.convert_element_type(asvalue(indices), np.int64)
    size = np.full(shape_of(idx), n, np.int64)
    if mode == "wrap":
        idx = ew.rem(ew.add(ew.rem(idx, size), size), size)
    elif mode == "clip":
        idx = ew.clamp(np.int64(0), idx, np.int64(max(n - 1, 0)))
    else:
        # Note: a traced index cannot raise; out-of-bounds ones give NaN (the minimum of
        # signed and the maximum of unsigned integers, True for bool) as in jax.numpy.
        return _gather_axis(a, _wrap_negative(idx, n), axis, GatherScatterMode.FILL_OR_DROP)
    return _gather_axis(a, idx, axis)


def _along_axis(arr, indices, axis):
    """The flattened-or-not array, its normalised axis, the integer indices and the
    broadcast shape of NumPy's _make_along_axis_idx."""
    arr, indices = asvalue(arr), asvalue(indices)
    if axis is None:
        if _rank(indices) != 1:
            raise ValueError("when axis=None, `indices` must have a single dimension.")
        arr, axis = ravel(arr), 0
    else:
        axis = _axis(axis, _rank(arr))
    if not np.issubdtype(dtype_of(indices), np.integer):
        raise IndexError("`indices` must be an integer array")
    arr_shape, idx_shape = shape_of(arr), shape_of(indices)
    if len(arr_shape) != len(idx_shape):
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    out_shape = list(idx_shape)
    for d, (n, m) in enumerate(zip(arr_shape, idx_shape)):
        if d != axis and n != m and 1 not in (n, m):
            raise IndexError(f"shape mismatch: indexing arrays could not be broadcast "
                             f"together with shapes {idx_shape} {arr_shape}")
        out_shape[d] = m if d == axis or n == 1 else n
    return arr, axis, indices, tuple(out_shape)


def _full_index(arr_shape, indices, axis, out_shape):
    """The (out_shape..., ndim) index vectors: `indices` on `axis`, the position elsewhere
    (0 on arr's size-1 axes); plus the gather/scatter mode (static indices are checked)."""
    n = arr_shape[axis]
    host = _concrete_or_none(indices)
    if host is not None:
        _out_of_bounds(host, n, axis)
        along = np.where(host < 0, host + n, host).astype(np.int64)
        mode = GatherScatterMode.PROMISE_IN_BOUNDS
    else:
        # Note: traced out-of-bounds indices cannot raise: gathers fill and scatters drop.
        along, mode = _wrap_negative(indices, n), GatherScatterMode.FILL_OR_DROP
    columns = []
    for d, size_ in enumerate(arr_shape):
        if d == axis:
            col = _core.broadcast_to(along, out_shape)
        elif size_ == 1:
            col = np.zeros(out_shape, np.int64)
        else:
            col = lax_shape.broadcasted_iota(np.int64, out_shape, d)
        columns.append(lax_shape.expand_dims(col, (len(out_shape),)))
    return lax_shape.concatenate(columns, len(out_shape)), mode


def take_along_axis(arr: ArrayLike, indices, axis: int | None = -1):
    """numpy.take_along_axis."""
    arr, axis, indices, out_shape = _along_axis(arr, indices, axis)
    n = _rank(arr)
    if 0 in shape_of(arr):   # nothing to gather (and gather needs non-empty axes)
        _full_index(shape_of(arr), indices, axis, out_shape)   # the bounds check
        return lax_shape.full(out_shape, 0, dtype_of(arr))
    index, mode = _full_index(shape_of(arr), indices, axis, out_shape)
    dnums = GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=tuple(range(n)),
                                   start_index_map=tuple(range(n)))
    return slicing.gather(arr, index, dnums, (1,) * n, mode=mode)


def put_along_axis(arr: ArrayLike, indices, values, axis: int | None):
    """numpy.put_along_axis, functionally: returns arr with `values` written at `indices`.
    Note: where indices repeat, NumPy keeps the last write; XLA keeps an unspecified one."""
    arr, axis, indices, out_shape = _along_axis(arr, indices, axis)
    n = _rank(arr)
    index, mode = _full_index(shape_of(arr), indices, axis, out_shape)
    values = _core.broadcast_to(_assigned(values, dtype_of(arr)), out_shape)
    if 0 in shape_of(arr):
        return arr
    dnums = ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=tuple(range(n)),
                                    scatter_dims_to_operand_dims=tuple(range(n)))
    return slicing.scatter(arr, index, values, dnums, mode=mode)


def choose(a: ArrayLike, choices, out=None, mode: str = "raise"):
    """numpy.choose: choices[a[i]][i], everything broadcast together."""
    _check_out(out)
    _check_clipmode(mode)
    a = asvalue(a)
    if not np.can_cast(dtype_of(a), np.intp, "safe"):
        raise TypeError(f"Cannot cast array data from {dtype_of(a)!r} to "
                        f"{np.dtype(np.intp)!r} according to the rule 'safe'")
    choices = [c if type(c) in PYTHON_SCALARS else asvalue(c) for c in _sequence(choices)]
    n = len(choices)
    if n == 0:
        raise ValueError("0-length sequence.")
    dtype = result_type(*choices)
    shape_ = _core.broadcast_shapes(shape_of(a), *[shape_of(c) for c in choices])
    host = _concrete_or_none(a)
    if host is not None:
        if mode == "raise" and ((host < 0) | (host >= n)).any():
            raise ValueError("invalid entry in choice array")
        host = np.mod(host, n) if mode == "wrap" else np.clip(host, 0, n - 1)
        which = np.asarray(host, np.int32)
    else:
        idx = convert.convert_element_type(a, np.int64)
        size = np.full(shape_of(idx), n, np.int64)
        # Note: a traced index cannot raise; mode 'raise' clips like mode 'clip'.
        idx = ew.rem(ew.add(ew.rem(idx, size), size), size) if mode == "wrap" else \
            ew.clamp(np.int64(0), idx, np.int64(n - 1))
        which = convert.convert_element_type(idx, np.int32)
    cases = [_core.broadcast_to(astype(asvalue(c), dtype), shape_) for c in choices]
    return ew.select_n(_core.broadcast_to(which, shape_), *cases)


def _traced_compress_index(cond, n: int, size_: int):
    """The first `size_` positions where the traced `cond` holds (the rest 0), and a mask
    of the valid ones."""
    cond = ew.ne(cond, np.zeros(shape_of(cond), dtype_of(cond)))
    m = shape_of(cond)[0]
    # Note: NumPy raises for true entries past the axis length; traced, they are ignored.
    cond = _slice_axis(cond, 0, 0, min(m, n))
    ones = convert.convert_element_type(cond, np.int64)
    target = ew.select(cond, ew.sub(cumsum(ones, 0), np.ones(shape_of(ones), np.int64)),
                       np.full(shape_of(ones), size_, np.int64))
    dnums = ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
                                    scatter_dims_to_operand_dims=(0,))
    index = slicing.scatter(np.zeros(size_, np.int64), lax_shape.expand_dims(target, (1,)),
                            lax_shape.iota(np.int64, shape_of(ones)[0]), dnums,
                            mode=GatherScatterMode.FILL_OR_DROP)
    count = lax_shape.broadcast(reduce_sum(ones, (0,)), (size_,))
    valid = ew.lt(lax_shape.iota(np.int64, size_), count)
    return index, valid


def compress(condition, a: ArrayLike, axis: int | None = None, out=None, *,
             size: int | None = None, fill_value=0):
    """numpy.compress: the slices along `axis` where `condition` is true. The condition is
    read from the device (it sets the output length) unless `size` (as jax.numpy) fixes the
    length: then missing slices are `fill_value`."""
    _check_out(out)
    cond = asvalue(condition)
    if _rank(cond) != 1:
        raise ValueError("condition must be a 1-d array")
    a, axis = _whole_or_axis(a, axis)
    n = shape_of(a)[axis]
    host = _concrete_or_none(cond)
    if host is not None:
        index = np.flatnonzero(host)
        _out_of_bounds(index, n, axis)
        if size is None:
            return _gather_axis(a, index, axis)
        valid = np.arange(size) < index.size
        index = np.concatenate([index, np.zeros(max(size - index.size, 0), np.intp)])[:size]
    elif size is None:
        raise ConcretizationError("compress: the condition is traced, but it sets the output "
                                  "length; pass size= (and fill_value=), as jax.numpy.compress")
    else:
        index, valid = _traced_compress_index(cond, n, operator.index(size))
    taken = _gather_axis(a, index, axis) if n else lax_shape.full(
        shape_of(a)[:axis] + (operator.index(size),) + shape_of(a)[axis + 1:], 0, dtype_of(a))
    keep = lax_shape.broadcast_in_dim(asvalue(valid), shape_of(taken), (axis,))
    return ew.select(keep, taken, _core.broadcast_to(_pad_value(fill_value, dtype_of(a)),
                                                     shape_of(taken)))


def select(condlist: Sequence, choicelist: Sequence, default=0):
    """numpy.select: the choice of the first true condition, else `default`."""
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    if len(condlist) == 0:
        raise ValueError("select with an empty condition list is not possible")
    choices = [c if type(c) in PYTHON_SCALARS else asvalue(c) for c in [*choicelist, default]]
    try:
        dtype = result_type(*choices)
    except TypeError as e:
        raise TypeError(f"Choicelist and default value do not have a common dtype: {e}") from None
    conds = broadcast_arrays(*condlist)
    choices = broadcast_arrays(*[astype(asvalue(c), dtype) for c in choices])
    for i, c in enumerate(conds):   # after both broadcasts, as NumPy (the error it raises first)
        if dtype_of(c) != np.bool_:
            raise TypeError(f"invalid entry {i} in condlist: should be boolean ndarray")
    result_shape = shape_of(conds[0]) if not shape_of(choices[0]) else \
        _core.broadcast_shapes(shape_of(conds[0]), shape_of(choices[0]))
    result = _core.broadcast_to(choices[-1], result_shape)
    for choice, cond in zip(choices[-2::-1], conds[::-1]):
        result = ew.select(_core.broadcast_to(cond, result_shape),
                           _core.broadcast_to(choice, result_shape), result)
    return result


def diagonal(a: ArrayLike, offset: int = 0, axis1: int = 0, axis2: int = 1):
    """numpy.diagonal: the other axes first, the diagonal last (one gather)."""
    a = asvalue(a)
    n = _rank(a)
    if n < 2:
        raise ValueError("diag requires an array of at least two dimensions")
    axis1, axis2 = _axis(axis1, n, "axis1"), _axis(axis2, n, "axis2")
    if axis1 == axis2:
        raise ValueError("axis1 and axis2 cannot be the same")
    dims, offset = shape_of(a), operator.index(offset)
    row0, col0 = max(-offset, 0), max(offset, 0)
    length = max(0, min(dims[axis1] - row0, dims[axis2] - col0))
    if length == 0 or 0 in dims:   # nothing to gather (and gather needs non-empty axes)
        return lax_shape.full([d for i, d in enumerate(dims) if i not in (axis1, axis2)]
                              + [length], 0, dtype_of(a))
    index = np.stack([np.arange(length) + row0, np.arange(length) + col0], -1)
    dnums = GatherDimensionNumbers(offset_dims=tuple(range(n - 2)),
                                   collapsed_slice_dims=tuple(sorted((axis1, axis2))),
                                   start_index_map=(axis1, axis2))
    sizes = [1 if d in (axis1, axis2) else s for d, s in enumerate(dims)]
    return slicing.gather(a, index.astype(np.int64), dnums, sizes)


def _sum_dtype(dtype) -> np.dtype:
    """NumPy's add.reduce result type: small integers and bools widen to 64 bits."""
    if dtype == np.bool_ or (dtype.kind == "i" and dtype.itemsize < 8):
        return np.dtype(np.int64)
    if dtype.kind == "u" and dtype.itemsize < 8:
        return np.dtype(np.uint64)
    return dtype


def trace(a: ArrayLike, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype=None, out=None):
    """numpy.trace: the sum along a diagonal."""
    _check_out(out)
    diag = diagonal(a, offset, axis1, axis2)
    dtype = _sum_dtype(dtype_of(diag)) if dtype is None else dtypes.check_supported(dtype)
    # A boolean sum (dtype=bool) is NumPy's logical_or.reduce.
    reduce = reduce_or if dtype == np.bool_ else reduce_sum
    return reduce(astype(diag, dtype), (_rank(diag) - 1,))
