"""NumPy's "Array creation routines" on lax: from shape or value (zeros, full, eye, ...),
from existing data (array, asarray, frombuffer, ...), numerical ranges (arange, linspace,
mgrid, ...) and building matrices (diag, tri, vander, ...).

Every routine returns a value on the device (an npaccel.Array, or a tracer inside a
transformation), never a host NumPy array. Routines whose output shape comes from argument
*values* (arange, linspace's `num`, ...) need those arguments concrete.
"""
from __future__ import annotations

import math
import operator
from typing import Any, Callable, Sequence

import numpy as np

from npaccel.core import dtypes
from npaccel.core.trace import ConcretizationError, concrete_or_error
from npaccel.lax import convert, elementwise as ew, shape as lax_shape
from npaccel.lax.reduction import cumprod
from npaccel.numpy import manipulation as _manip
from npaccel.numpy._core import (PYTHON_SCALARS, asvalue, astype, broadcast_to, dtype_of,
                                 is_value, promote_and_broadcast, result_type, shape_of)
from npaccel.transforms.array import device_put

ShapeLike = Any   # an int or a sequence of ints
DTypeLike = Any


# --- helpers ---------------------------------------------------------------------------------

def _on_device(x):
    """Creation routines hand back device values: host constants are transferred."""
    return x if is_value(x) else device_put(np.asarray(x))


def _index(x, what: str = "value") -> int:
    """operator.index, with a traced argument named in the error (it sets a shape)."""
    try:
        return operator.index(x)
    except ConcretizationError as e:
        raise ConcretizationError(f"the {what} sets an output shape and must be concrete: "
                                  f"{e}") from None


def _shape(shape: ShapeLike) -> tuple[int, ...]:
    """NumPy's `shape` argument: an int or a sequence of ints, none negative."""
    try:
        dims = (_index(shape, "shape"),)
    except TypeError as e:
        if isinstance(e, ConcretizationError):
            raise
        try:
            dims = tuple(_index(d, "shape") for d in shape)
        except TypeError as inner:
            if isinstance(inner, ConcretizationError):
                raise
            raise TypeError(f"expected a sequence of integers or a single integer, "
                            f"got {shape!r}") from None
    if any(d < 0 for d in dims):
        raise ValueError("negative dimensions are not allowed")
    return dims


def _dtype(dtype: DTypeLike, default=np.float64) -> np.dtype:
    return dtypes.check_supported(default if dtype is None else dtype)


def _filled(shape: tuple[int, ...], value, dtype):
    """`value` (a scalar or an array broadcastable to `shape`) cast to `dtype` as NumPy's
    copyto(casting='unsafe') does, broadcast to `shape`: Python ints are checked for
    overflow, Python floats and complex numbers cast unsafely."""
    if type(value) in (float, complex):
        value = np.asarray(value)
    value = astype(value if type(value) in PYTHON_SCALARS else asvalue(value), dtype)
    return _on_device(broadcast_to(value, shape))


def _like_shape_dtype(a, dtype, shape):
    a = asvalue(a)
    return (shape_of(a) if shape is None else _shape(shape),
            dtype_of(a) if dtype is None else _dtype(dtype))


def _iota(dtype, shape, dimension):
    return lax_shape.broadcasted_iota(dtype, shape, dimension)


# --- from shape or value ---------------------------------------------------------------------

def zeros(shape: ShapeLike, dtype: DTypeLike = None, order: str = "C", *, device=None,
          like=None):
    """numpy.zeros."""
    return _filled(_shape(shape), 0, _dtype(dtype))


def ones(shape: ShapeLike, dtype: DTypeLike = None, order: str = "C", *, device=None,
         like=None):
    """numpy.ones."""
    return _filled(_shape(shape), 1, _dtype(dtype))


def empty(shape: ShapeLike, dtype: DTypeLike = None, order: str = "C", *, device=None,
          like=None):
    """numpy.empty."""
    # Note: NumPy leaves the memory uninitialised; XLA has no such buffers, so the
    # elements are zeros (a valid instance of "arbitrary values").
    return zeros(shape, dtype)


def full(shape: ShapeLike, fill_value, dtype: DTypeLike = None, order: str = "C", *,
         device=None, like=None):
    """numpy.full: `fill_value` may be an array broadcastable to `shape`."""
    shape = _shape(shape)
    if dtype is None:
        fill_value = asvalue(fill_value)
        dtype = dtype_of(fill_value)
    return _filled(shape, fill_value, _dtype(dtype))


def zeros_like(a, dtype: DTypeLike = None, order: str = "K", subok: bool = True,
               shape: ShapeLike = None, *, device=None):
    """numpy.zeros_like."""
    shape, dtype = _like_shape_dtype(a, dtype, shape)
    return _filled(shape, 0, dtype)


def ones_like(a, dtype: DTypeLike = None, order: str = "K", subok: bool = True,
              shape: ShapeLike = None, *, device=None):
    """numpy.ones_like."""
    shape, dtype = _like_shape_dtype(a, dtype, shape)
    return _filled(shape, 1, dtype)


def empty_like(prototype, /, dtype: DTypeLike = None, order: str = "K", subok: bool = True,
               shape: ShapeLike = None, *, device=None):
    """numpy.empty_like."""
    # Note: zeros, as for `empty`.
    return zeros_like(prototype, dtype, shape=shape)


def full_like(a, fill_value, dtype: DTypeLike = None, order: str = "K", subok: bool = True,
              shape: ShapeLike = None, *, device=None):
    """numpy.full_like: the fill value is cast to a's dtype (or `dtype`)."""
    shape, dtype = _like_shape_dtype(a, dtype, shape)
    return _filled(shape, fill_value, dtype)


def eye(N: int, M: int | None = None, k: int = 0, dtype: DTypeLike = float, order: str = "C",
        *, device=None, like=None):
    """numpy.eye: ones on the k-th diagonal."""
    shape = _shape((N, N if M is None else M))
    k = _index(k, "diagonal offset k")
    on_diagonal = ew.eq(ew.add(_iota(np.int64, shape, 0), k), _iota(np.int64, shape, 1))
    return astype(on_diagonal, _dtype(dtype))


def identity(n: int, dtype: DTypeLike = None, *, like=None):
    """numpy.identity."""
    return eye(n, dtype=dtype)


# --- from existing data ----------------------------------------------------------------------

_NO_COPY = ("Unable to avoid copy while creating an array as requested.\nIf using "
            "`np.array(obj, copy=False)` replace it with `np.asarray(obj)` to allow a copy "
            "when needed (no behavior change in NumPy 1.x).")


def _is_array(obj) -> bool:
    return is_value(obj) or isinstance(obj, np.ndarray) or hasattr(obj, "__npaccel_value__")


def _convert(obj, dtype, copy, ndmin: int = 0, ndmax: int = 0):
    """The conversion shared by array/asarray: `copy=False` refuses to build a new array
    (from sequences or scalars, or for a dtype change), as NumPy does."""
    dtype = None if dtype is None else _dtype(dtype)
    if copy is False and (not _is_array(obj) or (dtype is not None
                                                 and dtype_of(asvalue(obj)) != dtype)):
        raise ValueError(_NO_COPY)
    if ndmax and not _is_array(obj) and not isinstance(obj, PYTHON_SCALARS):
        obj = np.array(obj, dtype, ndmax=ndmax)   # NumPy's limit on nested-sequence depth
    value = asvalue(obj, dtype)
    ndim = len(shape_of(value))
    if ndim < ndmin:
        value = lax_shape.reshape(value, (1,) * (ndmin - ndim) + shape_of(value))
    return _on_device(value)


def array(object, dtype: DTypeLike = None, *, copy: bool | None = True, order: str = "K",
          subok: bool = False, ndmin: int = 0, ndmax: int = 0, like=None):
    """numpy.array. Values are immutable, so `copy` only decides whether a conversion may
    happen at all."""
    return _convert(object, dtype, copy, operator.index(ndmin), operator.index(ndmax))


def asarray(a, dtype: DTypeLike = None, order: str | None = None, *, device=None,
            copy: bool | None = None, like=None):
    """numpy.asarray."""
    return _convert(a, dtype, copy)


def asanyarray(a, dtype: DTypeLike = None, order: str | None = None, *, device=None,
               copy: bool | None = None, like=None):
    """numpy.asanyarray (npaccel has no array subclasses)."""
    return _convert(a, dtype, copy)


def ascontiguousarray(a, dtype: DTypeLike = None, *, like=None):
    """numpy.ascontiguousarray: at least 1-d, as NumPy returns."""
    return _convert(a, dtype, None, ndmin=1)


def asfortranarray(a, dtype: DTypeLike = None, *, like=None):
    """numpy.asfortranarray: at least 1-d."""
    # Note: npaccel arrays have no memory layout to choose; values equal NumPy's.
    return _convert(a, dtype, None, ndmin=1)


def asarray_chkfinite(a, dtype: DTypeLike = None, order: str | None = None):
    """numpy.asarray_chkfinite: reads the values (eagerly, or the primal under grad)."""
    value = asarray(a, dtype)
    if dtypes.is_inexact(dtype_of(value)):
        host = concrete_or_error(value, "asarray_chkfinite needs concrete values to check")
        if not np.isfinite(host).all():
            raise ValueError("array must not contain infs or NaNs")
    return value


_REQUIREMENTS = {"C": "C", "C_CONTIGUOUS": "C", "CONTIGUOUS": "C", "F": "F",
                 "F_CONTIGUOUS": "F", "FORTRAN": "F", "A": "A", "ALIGNED": "A", "W": "W",
                 "WRITEABLE": "W", "O": "O", "OWNDATA": "O", "E": "E", "ENSUREARRAY": "E"}


def require(a, dtype: DTypeLike = None, requirements=None, *, like=None):
    """numpy.require: every flag holds for npaccel values except contradictory orders."""
    flags = {_REQUIREMENTS[r.upper()] for r in requirements or ()}
    if {"C", "F"} <= flags:
        raise ValueError('Cannot specify both "C" and "F" order')
    return asarray(a, dtype)


def copy(a, order: str = "K", subok: bool = False):
    """numpy.copy (values are immutable: the copy may share the buffer)."""
    return _on_device(asvalue(a))


def frombuffer(buffer, dtype: DTypeLike = None, count: int = -1, offset: int = 0, *,
               like=None):
    """numpy.frombuffer, read on the host then sent to the device."""
    return _on_device(np.frombuffer(buffer, _dtype(dtype), count, offset))


def fromiter(iter, dtype: DTypeLike, count: int = -1, *, like=None):
    """numpy.fromiter, read on the host then sent to the device."""
    return _on_device(np.fromiter(iter, _dtype(dtype), count))


def fromstring(string, dtype: DTypeLike = float, count: int = -1, *, sep, like=None):
    """numpy.fromstring, parsed on the host then sent to the device."""
    return _on_device(np.fromstring(string, _dtype(dtype), count, sep=sep))


# --- numerical ranges: arange ----------------------------------------------------------------

def _scalar(x, name: str):
    """A range bound as a Python or NumPy scalar (0-d arrays are read)."""
    if type(x) in PYTHON_SCALARS or isinstance(x, np.generic):
        return x
    host = concrete_or_error(asvalue(x), f"{name} needs concrete bounds (they set the length)")
    if host.ndim:
        raise TypeError("only 0-dimensional arrays can be converted to Python scalars")
    return host[()]


def _arange_length(start, stop, step, complex_: bool) -> int:
    """NumPy's _calc_length: ceil((stop - start) / step), computed on the bound objects."""
    quotient = (stop - start) / step
    if complex_ and isinstance(quotient, complex):   # only a complex quotient counts both parts
        parts = (quotient.real, quotient.imag)
    else:
        parts = (float(quotient),)
    if any(math.isnan(p) for p in parts):
        raise ValueError("arange: cannot compute length")
    if any(math.isinf(p) for p in parts):
        raise ValueError("Maximum allowed size exceeded")
    return max(0, min(math.ceil(p) for p in parts))


def _arange_dtype(*bounds) -> np.dtype:
    # NumPy takes the bounds' own types (Python int -> int64, NumPy scalars their dtype),
    # promoted with intp: np.arange(np.float32(1)) is float64.
    return np.result_type(np.intp, *[np.asarray(b).dtype for b in bounds])


def _arange_values(first, second, length: int, dtype: np.dtype):
    """NumPy's fill: buffer[0] = first, buffer[1] = second, buffer[i] = first + i * delta
    with delta = second - first, computed in the array's type (float32 for float16)."""
    kind = dtype.kind
    if dtypes.is_float(dtype) and dtype.itemsize == 2:
        work = np.dtype(np.float32)
    elif kind in "iu":   # i * delta wraps like the C loop: compute in 64 bits, truncate
        work = np.dtype(np.uint64 if kind == "u" else np.int64)
    else:
        work = dtypes.real_dtype(dtype)
    first_c, second_c = np.asarray(first, dtype), np.asarray(second, dtype)
    parts = []
    for take in ((np.real, np.imag) if kind == "c" else (lambda v: v,)):
        a = np.asarray(take(first_c)).astype(work)
        delta = np.subtract(np.asarray(take(second_c)).astype(work), a, dtype=work)
        parts.append(ew.add(ew.mul(lax_shape.iota(work, length), delta.item()), a.item()))
    out = ew.complex(*parts) if kind == "c" else parts[0]
    out = convert.convert_element_type(out, dtype)
    second_at_1 = ew.eq(lax_shape.iota(np.int32, length), 1)
    return ew.select(second_at_1, lax_shape.full((length,), second_c), out)


def arange(start_or_stop=None, /, stop=None, step=1, *, dtype: DTypeLike = None, device=None,
           like=None):
    """numpy.arange: NumPy's result dtype, length ceil((stop - start) / step) and values
    (start + i * (next - start)), with start_or_stop alone meaning stop."""
    if start_or_stop is None and stop is None:
        raise TypeError("arange() requires stop to be specified.")
    start, stop = (0, start_or_stop) if stop is None else (
        0 if start_or_stop is None else start_or_stop, stop)
    step = 1 if step is None else step
    start, stop, step = (_scalar(b, "arange") for b in (start, stop, step))
    dtype = _arange_dtype(start, stop, step) if dtype is None else _dtype(dtype)
    length = _arange_length(start, stop, step, dtype.kind == "c")
    if dtype == np.bool_ and length > 2:
        raise TypeError("arange() is only supported for booleans when the result has at "
                        "most length 2.")
    if length <= 2:   # the fill loop only runs from the third element
        return _on_device(np.asarray([start, start + step][:length], dtype))
    return _arange_values(start, start + step, length, dtype)


# --- numerical ranges: linspace, logspace, geomspace -----------------------------------------

def linspace(start, stop, num: int = 50, endpoint: bool = True, retstep: bool = False,
             dtype: DTypeLike = None, axis: int = 0, *, device=None):
    """numpy.linspace: start + i * step in the inexact result type, the last sample exactly
    `stop`; an integer `dtype` floors."""
    num = _index(num, "number of samples")
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    div = num - 1 if endpoint else num
    start, stop = [s if type(s) in PYTHON_SCALARS else asvalue(s) for s in (start, stop)]
    dt = result_type(start, stop, 0.0)   # the bounds' type, made inexact
    start, stop = promote_and_broadcast(start, stop, dtype=dt)
    bshape = shape_of(start)
    delta = ew.sub(stop, start)
    y = lax_shape.broadcasted_iota(dt, (num, *bshape), 0)
    delta_b = lax_shape.broadcast(delta, (num,))
    if div > 0:
        step = ew.div(delta, div)
        # NumPy divides by `div` first where the step underflows to zero (denormals).
        # Note: NumPy makes that choice once for the whole array; it differs by an ulp.
        scaled = ew.select(lax_shape.broadcast(ew.eq(step, 0), (num,)),
                           ew.mul(ew.div(y, div), delta_b),
                           ew.mul(y, lax_shape.broadcast(step, (num,))))
    else:
        step, scaled = np.nan, ew.mul(y, delta_b)
    y = ew.add(scaled, lax_shape.broadcast(start, (num,)))
    if endpoint and num > 1:
        last = lax_shape.expand_dims(stop, (0,))
        y = lax_shape.concatenate([_manip._slice_axis(y, 0, 0, num - 1), last], 0)
    y = _manip.moveaxis(y, 0, axis)
    if dtype is not None and np.issubdtype(_dtype(dtype), np.integer):
        y = ew.floor(y)
    y = y if dtype is None else astype(y, _dtype(dtype))
    return (y, step) if retstep else y


def logspace(start, stop, num: int = 50, endpoint: bool = True, base=10.0,
             dtype: DTypeLike = None, axis: int = 0):
    """numpy.logspace: base ** linspace(start, stop)."""
    if not isinstance(base, (float, int)) and len(shape_of(asvalue(base))):
        start, stop, base = (asvalue(v) for v in (start, stop, base))
        ndmax = len(np.broadcast_shapes(*(shape_of(v) for v in (start, stop, base))))
        start, stop, base = (_manip._leading_ones(v, ndmax) for v in (start, stop, base))
        base = _manip.expand_dims(base, axis)
    y = linspace(start, stop, num=num, endpoint=endpoint, axis=axis)
    out = ew.pow(*promote_and_broadcast(base if type(base) in PYTHON_SCALARS
                                        else asvalue(base), y))
    return out if dtype is None else astype(out, _dtype(dtype))


def geomspace(start, stop, num: int = 50, endpoint: bool = True, dtype: DTypeLike = None,
              axis: int = 0):
    """numpy.geomspace: a geometric progression, exact at its ends, negative and complex
    bounds rotated onto the positive reals and back."""
    start, stop = asvalue(start), asvalue(stop)
    try:
        hosts = [concrete_or_error(v) for v in (start, stop)]
    except ConcretizationError:
        hosts = []   # Note: traced bounds cannot be checked for zero (NaN/inf result)
    if any(np.any(h == 0) for h in hosts):
        raise ValueError("Geometric sequence cannot include zero")
    dt = np.result_type(dtype_of(start), dtype_of(stop), float(num), _dtype(dtype))
    start, stop = promote_and_broadcast(start, stop, dtype=dt)
    out_sign = ew.sign(start)
    start, stop = ew.div(start, out_sign), ew.div(stop, out_sign)
    logs = [ew.div(ew.log(v), math.log(10)) for v in (start, stop)]
    result = logspace(*logs, num=num, endpoint=endpoint, base=10.0, dtype=dt)
    pieces = [result]
    if num > 0:
        ends = [lax_shape.expand_dims(start, (0,))]
        middle_stop = num - 1 if num > 1 and endpoint else num
        pieces = ends + [_manip._slice_axis(result, 0, 1, middle_stop)]
        if num > 1 and endpoint:
            pieces.append(lax_shape.expand_dims(stop, (0,)))
    result = lax_shape.concatenate(pieces, 0) if len(pieces) > 1 else pieces[0]
    result = ew.mul(result, lax_shape.broadcast(out_sign, (num,)))
    result = _manip.moveaxis(result, 0, axis)
    # Note: unlike linspace, NumPy's geomspace truncates to an integer dtype (no floor).
    return astype(result, _dtype(dtype, dt))


# --- numerical ranges: grids -----------------------------------------------------------------

def meshgrid(*xi, copy: bool = True, sparse: bool = False, indexing: str = "xy"):
    """numpy.meshgrid: a tuple of coordinate arrays ('xy': Cartesian, 'ij': matrix)."""
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    ndim = len(xi)
    ones = (1,) * ndim
    output = [_manip.reshape(x, ones[:i] + (-1,) + ones[i + 1:]) for i, x in enumerate(xi)]
    if indexing == "xy" and ndim > 1:
        output[0] = _manip.reshape(output[0], (1, -1) + ones[2:])
        output[1] = _manip.reshape(output[1], (-1, 1) + ones[2:])
    if not sparse:
        output = _manip.broadcast_arrays(*output)
    output = [_on_device(x) for x in output]
    return tuple(output) if copy or not sparse else output


def indices(dimensions: Sequence[int], dtype: DTypeLike = int, sparse: bool = False):
    """numpy.indices: the index grid of an array of shape `dimensions`."""
    dims = tuple(_index(d, "dimension") for d in dimensions)
    dtype, n = _dtype(dtype), len(dims)
    if any(d < 0 for d in dims):
        raise ValueError("negative dimensions are not allowed")
    if sparse:
        return tuple(_iota(dtype, (1,) * i + (d,) + (1,) * (n - i - 1), i)
                     for i, d in enumerate(dims))
    return _iota(dtype, (n, *dims), 0) if n == 0 else lax_shape.concatenate(
        [_iota(dtype, (1, *dims), i + 1) for i in range(n)], 0)


def fromfunction(function: Callable, shape: ShapeLike, *, dtype: DTypeLike = float, like=None,
                 **kwargs):
    """numpy.fromfunction: `function` called once on the index grids (NumPy's indices)."""
    dims = tuple(_index(d, "shape") for d in shape)   # a sequence, as NumPy's indices()
    return function(*[_iota(_dtype(dtype), dims, i) for i in range(len(dims))], **kwargs)


class _IndexGrid:
    """The objects behind mgrid (dense) and ogrid (sparse): slices to grids; a complex step
    is a number of points, the stop then included (NumPy's nd_grid)."""

    def __init__(self, sparse: bool):
        self.sparse = sparse

    def __getitem__(self, key):
        try:
            return self._grid(key)
        except (IndexError, TypeError) as e:
            if isinstance(e, ConcretizationError):
                raise
            return self._range(key)

    @staticmethod
    def _bounds(sl: slice):
        start, stop, step = (None if v is None else _scalar(v, "mgrid/ogrid")
                             for v in (sl.start, sl.stop, sl.step))
        return (0 if start is None else start), stop, (1 if step is None else step)

    def _grid(self, key):
        sizes, num_list, spans = [], [0], []
        for k in range(len(key)):
            start, stop, step = self._bounds(key[k])
            if isinstance(step, (complex, np.complexfloating)):
                points = int(abs(step))
                sizes.append(points)
                step = abs(step)
                spans.append((stop - start) / float(points - 1) if points != 1 else points)
            else:
                sizes.append(int(math.ceil((stop - start) / step)))
                spans.append(step)
            num_list += [start, stop, step]
        typ = np.result_type(*num_list)
        n = len(sizes)
        if self.sparse:   # one arange per axis: a negative size is an empty axis
            grids = list(indices([max(d, 0) for d in sizes], typ, sparse=True))
        else:
            sizes = _shape(sizes)
            grids = [_iota(typ, sizes, k) for k in range(n)]
        for k, kk in enumerate(key):
            start = self._bounds(kk)[0]
            scaled = ew.mul(*promote_and_broadcast(grids[k], spans[k]))
            grids[k] = astype(ew.add(*promote_and_broadcast(scaled, start)), typ)
        if self.sparse:
            return tuple(grids)
        return _manip.stack(grids) if grids else indices(sizes, typ)

    @staticmethod
    def _range(key):
        start, stop, step = _IndexGrid._bounds(key)
        if isinstance(step, (complex, np.complexfloating)):
            length = int(abs(step))
            spacing = (stop - start) / float(length - 1) if length != 1 else length
            typ = np.result_type(start, stop, abs(step))
            grid = arange(0, length, 1, dtype=typ)
            return ew.add(*promote_and_broadcast(ew.mul(*promote_and_broadcast(grid, spacing)),
                                                 start))
        return arange(start, stop, key.step)


mgrid = _IndexGrid(sparse=False)
ogrid = _IndexGrid(sparse=True)


# --- building matrices -----------------------------------------------------------------------

def tri(N: int, M: int | None = None, k: int = 0, dtype: DTypeLike = float, *, like=None):
    """numpy.tri: ones at and below the k-th diagonal."""
    # NumPy builds it from aranges: N and M act as arange(N)'s stop (2.5 -> 3, -1 -> 0).
    shape = tuple(_arange_length(0, _scalar(d, "tri"), 1, False)
                  for d in (N, N if M is None else M))
    k = _index(k, "diagonal offset k")
    below = ew.ge(ew.add(_iota(np.int64, shape, 0), k), _iota(np.int64, shape, 1))
    return astype(below, _dtype(dtype))


def _where_mask(mask, on_true, m):
    m = asvalue(m)
    mask = broadcast_to(mask, np.broadcast_shapes(shape_of(mask), shape_of(m)))
    m = broadcast_to(m, shape_of(mask))
    zero = lax_shape.full(shape_of(m), 0, dtype_of(m))
    return ew.select(mask, m, zero) if on_true else ew.select(mask, zero, m)


def tril(m, k: int = 0):
    """numpy.tril: zeros above the k-th diagonal of the last two axes."""
    m = asvalue(m)
    return _where_mask(tri(*shape_of(m)[-2:], k=k, dtype=bool), True, m)


def triu(m, k: int = 0):
    """numpy.triu: zeros below the k-th diagonal of the last two axes."""
    m = asvalue(m)
    return _where_mask(tri(*shape_of(m)[-2:], k=k - 1, dtype=bool), False, m)


def diag(v, k: int = 0):
    """numpy.diag: a 1-d input placed on the k-th diagonal; a 2-d input's k-th diagonal."""
    v = asvalue(v)
    ndim, k = len(shape_of(v)), _index(k, "diagonal offset k")
    if ndim == 2:
        return _manip.diagonal(v, k)
    if ndim != 1:
        raise ValueError("Input must be 1- or 2-d.")
    n = shape_of(v)[0] + abs(k)
    # Element (i, i + k) is v[i] for k >= 0, v[j] (j = i + k) for k < 0: spread the padded
    # vector along rows or columns and keep the diagonal.
    padded = lax_shape.pad(v, np.zeros((), dtype_of(v)), [(0, abs(k), 0)])
    spread = lax_shape.broadcast_in_dim(padded, (n, n), (0,) if k >= 0 else (1,))
    return _where_mask(eye(n, k=k, dtype=bool), True, spread)


def diagflat(v, k: int = 0):
    """numpy.diagflat: the flattened input on the k-th diagonal."""
    return diag(_manip.ravel(v), k)


def vander(x, N: int | None = None, increasing: bool = False):
    """numpy.vander: columns x**(N-1), ..., x**0 (or increasing), as products of x."""
    x = asvalue(x)
    if len(shape_of(x)) != 1:
        raise ValueError("x must be a one-dimensional array or sequence.")
    rows = shape_of(x)[0]
    N = rows if N is None else _index(N, "N")
    dtype = np.promote_types(dtype_of(x), np.int64)
    if N < 0:
        raise ValueError("negative dimensions are not allowed")
    x = astype(x, dtype)
    ones = lax_shape.full((rows, min(N, 1)), 1, dtype)
    powers = cumprod(lax_shape.broadcast_in_dim(x, (rows, max(N - 1, 0)), (0,)), axis=1) \
        if N > 1 else lax_shape.full((rows, 0), 0, dtype)
    out = lax_shape.concatenate([ones, powers], 1) if N > 1 else ones
    return out if increasing else lax_shape.rev(out, (1,))
