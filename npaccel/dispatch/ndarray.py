"""`npaccel.ndarray`: NumPy's mutable array, on top of immutable lax values.

An array is a *view* of a storage cell: the cell holds the current value of the array
that owns the memory, and the view holds the steps (basic index, reshape, transpose,
real/imag part) that derive this array's value from it. Reading applies the steps;
writing (`a[i] = v`, `a += b`, `out=`) computes the new value of the view, pushes it back
through the steps to a new value of the whole cell, and replaces the cell's value. Every
update is a functional lax operation, so the same code runs eagerly, under jit, grad and
vmap: inside a transformation the cell simply holds a tracer.
"""
from __future__ import annotations

import operator

import numpy as np

from npaccel.core import tree_util
from npaccel.core.dtypes import SUPPORTED
from npaccel.core.trace import Tracer, get_aval, pytype_aval_mappings
from npaccel.lax import elementwise as ew, shape as lax_shape
from npaccel.numpy import _core, indexing
from npaccel.transforms.array import device_put


class _Storage:
    """The value of the array that owns the memory, shared by all its views."""
    __slots__ = ("value", "version")

    def __init__(self, value):
        self.value = value
        self.version = 0


# --- view steps: (forward: parent value -> child value, backward: (parent, child) -> parent)

def _step_index(index):
    return ("index", index,
            lambda v: indexing.getitem(v, index),
            lambda parent, child: indexing.setitem(parent, index, child))


def _step_reshape(shape):
    return ("reshape", shape,
            lambda v: lax_shape.reshape(v, shape),
            lambda parent, child: lax_shape.reshape(child, _core.shape_of(parent)))


def _step_transpose(perm):
    inverse = tuple(int(i) for i in np.argsort(perm))
    return ("transpose", perm,
            lambda v: lax_shape.transpose(v, perm),
            lambda parent, child: lax_shape.transpose(child, inverse))


def _step_part(which):
    take = ew.real if which == "real" else ew.imag

    def put(parent, child):
        re, im = (child, ew.imag(parent)) if which == "real" else (ew.real(parent), child)
        return ew.complex(re, im)
    return (which, None, take, put)


def _step_bitcast(src: np.dtype, dst: np.dtype, shape):
    from npaccel.lax import convert
    if src.itemsize != dst.itemsize and not shape:
        raise ValueError("Changing the dtype of a 0d array is only supported if the itemsize "
                         "is unchanged")
    ratio = src.itemsize / dst.itemsize
    if ratio < 1 and shape[-1] % int(1 / ratio):
        raise ValueError("When changing to a larger dtype, its size must be a divisor of the "
                         "total size in bytes of the last axis of the array.")

    def cast(v, frm, to):
        if to.kind == "c" and frm.kind != "c":
            part = np.dtype(f"f{to.itemsize // 2}")
            v = cast(v, frm, part) if frm != part else v
            vshape = _core.shape_of(v)
            pairs = lax_shape.reshape(v, (*vshape[:-1], vshape[-1] // 2, 2))
            return ew.complex(indexing.getitem(pairs, (Ellipsis, 0)), indexing.getitem(pairs, (Ellipsis, 1)))
        if frm.kind == "c" and to.kind != "c":
            part = np.dtype(f"f{frm.itemsize // 2}")
            vshape = _core.shape_of(v)
            stacked = lax_shape.concatenate([lax_shape.expand_dims(ew.real(v), (-1,)),
                                             lax_shape.expand_dims(ew.imag(v), (-1,))], len(vshape))
            v = lax_shape.reshape(stacked, (*vshape[:-1], vshape[-1] * 2))
            return cast(v, part, to) if to != part else v
        if frm == np.bool_ or to == np.bool_:
            # lax bitcasts exclude bool; bool and (u)int8 share their byte 0/1 values.
            return convert.convert_element_type(v, to)
        vshape = _core.shape_of(v)
        if frm.itemsize < to.itemsize:
            k = to.itemsize // frm.itemsize
            v = lax_shape.reshape(v, (*vshape[:-1], vshape[-1] // k, k))
            return convert.bitcast_convert_type(v, to)
        out = convert.bitcast_convert_type(v, to)
        return lax_shape.reshape(out, (*vshape[:-1], vshape[-1] * (frm.itemsize // to.itemsize)))

    return ("view", dst, lambda v: cast(v, src, dst), lambda parent, child: cast(child, dst, src))


def _step_map(index_map: np.ndarray, forward, writeable: bool):
    """A view NumPy makes with strides that no basic index expresses (a diagonal, a
    broadcast, sliding windows, an axis permutation): `index_map` holds, for each element of
    the view, the flat index of the element of the parent it shows. Reading uses the native
    `forward`; writing scatters into the parent at those indices."""
    def backward(parent, child):
        if not writeable:
            raise ValueError("assignment destination is read-only")
        shape = _core.shape_of(parent)
        flat = lax_shape.reshape(parent, (int(np.prod(shape)),))
        return lax_shape.reshape(indexing.setitem(flat, index_map, child), shape)
    return ("map" if writeable else "readonly", index_map, forward, backward)


_READ_ONLY = ("readonly", "frozen")


def _step_frozen():
    """setflags(write=False): the same value, no writes."""
    def backward(parent, child):
        raise ValueError("assignment destination is read-only")
    return ("frozen", None, lambda v: v, backward)


class _Flags:
    """`a.flags`: what NumPy code checks before writing or handing memory on. Device
    arrays are always aligned; contiguity is that of the view steps."""

    def __init__(self, array: "ndarray"):
        self.writeable = all(kind not in _READ_ONLY for kind, *_ in array._steps)
        self.owndata = array._owner is None
        self.aligned = True
        self.c_contiguous = array._contiguous()
        # Arrays with at most one axis longer than 1 are contiguous in both orders.
        self.f_contiguous = self.c_contiguous and sum(d > 1 for d in array.shape) <= 1
        self.contiguous = self.c_contiguous
        self.fnc = self.f_contiguous and not self.c_contiguous
        self.forc = self.f_contiguous or self.c_contiguous

    def __getitem__(self, name: str):
        return getattr(self, {"C": "c_contiguous", "F": "f_contiguous", "W": "writeable",
                              "O": "owndata", "A": "aligned"}.get(name, name.lower()))

    def __repr__(self) -> str:
        return "\n".join(f"  {k.upper()} : {v}" for k, v in vars(self).items())


class _FlatIter:
    """`a.flat`: the array as one flat sequence, readable and assignable in C order."""

    def __init__(self, base: "ndarray"):
        self.base = base

    def _flat_value(self):
        return lax_shape.reshape(self.base.__npaccel_value__(), (self.base.size,))

    def __getitem__(self, index):
        return type(self.base)(indexing.getitem(self._flat_value(), _unwrap_index(index)))

    def __setitem__(self, index, value):
        flat = indexing.setitem(self._flat_value(), _unwrap_index(index), value)
        self.base._assign(lax_shape.reshape(flat, self.base.shape))

    def __len__(self):
        return self.base.size

    def __iter__(self):
        return iter(type(self.base)(self._flat_value()))

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self._flat_value(), dtype)


def _is_basic(index) -> bool:
    entries = index if isinstance(index, tuple) else (index,)
    return all(e is None or e is Ellipsis or isinstance(e, slice)
               or (isinstance(e, (int, np.integer)) and not isinstance(e, bool)) for e in entries)


def _selects_element(index, ndim: int) -> bool:
    entries = index if isinstance(index, tuple) else (index,)
    return len(entries) == ndim and all(isinstance(e, (int, np.integer)) for e in entries)


def _element(value, index, cls):
    """One element, as NumPy gives it: a scalar (a copy, read from the host copy that the
    value keeps); a 0-d array (not a view) inside a transformation or for array-API arrays."""
    if isinstance(value, Tracer) or not cls.zero_d_scalars:
        return cls(indexing.getitem(value, index))
    return np.asarray(value)[index]


def scalar_or_array(value, cls=None):
    """A 0-d result as NumPy returns it from ufuncs and reductions: a NumPy scalar, except
    inside a transformation (a 0-d array around the tracer) or for array-API arrays."""
    cls = cls or ndarray
    if isinstance(value, Tracer) or _core.shape_of(value) or not cls.zero_d_scalars:
        return asndarray(value, cls)
    return np.asarray(value)[()]


class ndarray:
    """A mutable n-dimensional array on an XLA device, with NumPy's semantics."""
    __slots__ = ("_storage", "_steps", "_owner", "_cached", "__weakref__")
    __array_priority__ = 1000
    # NumPy returns scalars for 0-d results of ufuncs, reductions and element indexing.
    zero_d_scalars = True

    def __init__(self, value, *, _storage=None, _steps=(), _owner=None):
        self._storage = _storage if _storage is not None else _Storage(_owned_value(value))
        self._steps = _steps
        self._owner = _owner
        self._cached = (-1, None)

    # --- the value and its updates -------------------------------------------------------

    def __npaccel_value__(self):
        """The current value (npaccel.Array or tracer) of this array."""
        version, value = self._cached
        if version != self._storage.version or value is None:
            value = self._storage.value
            for _, _, forward, _ in self._steps:
                value = forward(value)
            self._cached = (self._storage.version, value)
        return value

    def _assign(self, new_value) -> None:
        """Make this array's value `new_value` (same shape and dtype), writing through."""
        if any(kind in _READ_ONLY for kind, *_ in self._steps):
            raise ValueError("assignment destination is read-only")
        values = [self._storage.value]
        for _, _, forward, _ in self._steps[:-1]:
            values.append(forward(values[-1]))
        for (_, _, _, backward), parent in zip(reversed(self._steps), reversed(values)):
            new_value = backward(parent, new_value)
        self._storage.value = new_value
        self._storage.version += 1

    def _view(self, step) -> "ndarray":
        view = type(self)(None, _storage=self._storage, _steps=self._steps + (step,),
                       _owner=self._owner if self._owner is not None else self)
        # Computed now: bad indices raise here, as in NumPy, and the value is cached.
        view._cached = (self._storage.version, step[2](self.__npaccel_value__()))
        return view

    # --- attributes ------------------------------------------------------------------------

    @property
    def _aval(self):
        return get_aval(self.__npaccel_value__())

    shape = property(lambda self: self._aval.shape)
    dtype = property(lambda self: self._aval.dtype)
    ndim = property(lambda self: self._aval.ndim)
    size = property(lambda self: self._aval.size)
    itemsize = property(lambda self: self._aval.dtype.itemsize)
    nbytes = property(lambda self: self._aval.size * self._aval.dtype.itemsize)
    base = property(lambda self: self._owner)
    device = property(lambda self: "cpu")

    @shape.setter
    def shape(self, new_shape):
        reshaped = self.reshape(new_shape)
        self._steps, self._cached = reshaped._steps, (-1, None)

    @property
    def T(self) -> "ndarray":
        return self.transpose()

    @property
    def mT(self) -> "ndarray":
        if self.ndim < 2:
            raise ValueError("matrix transpose with ndim < 2 is undefined")
        perm = list(range(self.ndim))
        perm[-2:] = perm[-1], perm[-2]
        return self.transpose(perm)

    @property
    def real(self) -> "ndarray":
        return self._view(_step_part("real")) if self.dtype.kind == "c" else self

    @real.setter
    def real(self, value):
        self.real[...] = value

    @property
    def imag(self) -> "ndarray":
        if self.dtype.kind == "c":
            return self._view(_step_part("imag"))
        return type(self)(lax_shape.full(self.shape, 0, self.dtype))

    @imag.setter
    def imag(self, value):
        if self.dtype.kind != "c":
            raise TypeError("array does not have imaginary part to set")
        self.imag[...] = value

    @property
    def flags(self) -> _Flags:
        return _Flags(self)

    @property
    def flat(self) -> "_FlatIter":
        return _FlatIter(self)

    @flat.setter
    def flat(self, value):
        _FlatIter(self)[...] = value

    # --- views --------------------------------------------------------------------------------

    def _contiguous(self) -> bool:
        """Whether NumPy would reshape this array without a copy (approximately: no
        transposes or strided/reversed slices between it and its memory)."""
        for kind, param, _, _ in self._steps:
            if kind in ("transpose", "real", "imag", "map", "readonly"):
                return False
            if kind == "index":
                entries = param if isinstance(param, tuple) else (param,)
                if any(isinstance(e, slice) and e.step not in (None, 1) for e in entries):
                    return False
        return True

    def reshape(self, *shape, order="C", copy=None) -> "ndarray":
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            shape = tuple(shape[0])
        new_shape = _resolve_shape(shape, self.size)
        if order == "F":
            reverse = tuple(range(self.ndim))[::-1]
            flipped = lax_shape.reshape(lax_shape.transpose(self.__npaccel_value__(), reverse),
                                        new_shape[::-1])
            return type(self)(lax_shape.transpose(flipped, tuple(range(len(new_shape)))[::-1]))
        if order not in ("C", "A"):
            raise ValueError(f"order must be one of 'C', 'F', 'A', (got {order!r})")
        if copy or not self._contiguous():
            return type(self)(lax_shape.reshape(self.__npaccel_value__(), new_shape))
        return self._view(_step_reshape(new_shape))

    def transpose(self, *axes) -> "ndarray":
        if len(axes) == 1 and (axes[0] is None or not isinstance(axes[0], (int, np.integer))):
            axes = axes[0]
        nd = self.ndim
        perm = tuple(range(nd))[::-1] if not axes else tuple(_core.normalize_axis(a, nd) for a in axes)
        if sorted(perm) != list(range(nd)):
            raise ValueError("axes don't match array")
        return self._view(_step_transpose(perm))

    def swapaxes(self, axis1, axis2) -> "ndarray":
        perm = list(range(self.ndim))
        a, b = _core.normalize_axis(axis1, self.ndim), _core.normalize_axis(axis2, self.ndim)
        perm[a], perm[b] = perm[b], perm[a]
        return self._view(_step_transpose(tuple(perm)))

    def ravel(self, order="C") -> "ndarray":
        if order == "K":
            return self._ravel_in_memory_order()
        return self.reshape(-1, order=order)

    def _ravel_in_memory_order(self) -> "ndarray":
        """order='K': axes taken in the order of their strides in memory (a transposed
        view unravels as its base), each in its own direction, as NumPy does."""
        from npaccel.dispatch.views import _storage_units
        units = None if self._contiguous() or self.size == 0 else _storage_units(self)
        if units is None:
            return self.reshape(-1)
        first = units[(0,) * self.ndim + (0,)]
        strides = [abs(int(units[tuple(1 if j == i else 0 for j in range(self.ndim)) + (0,)])
                       - int(first)) if d > 1 else 0 for i, d in enumerate(self.shape)]
        perm = tuple(int(i) for i in np.argsort([-st for st in strides], kind="stable"))
        return type(self)(lax_shape.reshape(lax_shape.transpose(self.__npaccel_value__(), perm),
                                            (self.size,)))

    def squeeze(self, axis=None) -> "ndarray":
        shape = self.shape
        axes = _core.normalize_axes(axis, self.ndim) if axis is not None else \
            tuple(i for i, d in enumerate(shape) if d == 1)
        if any(shape[a] != 1 for a in axes):
            raise ValueError("cannot select an axis to squeeze out which has size not equal to one")
        return self.reshape(tuple(d for i, d in enumerate(shape) if i not in axes))

    def view(self, dtype=None, type=None) -> "ndarray":
        """A view with the same data reinterpreted as `dtype` (NumPy's rules for itemsize
        changes along the last axis)."""
        if dtype is None or np.dtype(dtype) == self.dtype:
            return self._view(_step_reshape(self.shape))
        return self._view(_step_bitcast(self.dtype, np.dtype(dtype), self.shape))

    def resize(self, *new_shape, refcheck=True) -> None:
        """Change shape and size in place; new elements are zero (NumPy's ndarray.resize)."""
        if self._owner is not None:
            raise ValueError("cannot resize this array: it does not own its data")
        if len(new_shape) == 1 and not isinstance(new_shape[0], (int, np.integer)):
            new_shape = tuple(new_shape[0])
        new_shape = tuple(int(d) for d in new_shape)
        n = int(np.prod(new_shape))
        flat = lax_shape.reshape(self.__npaccel_value__(), (self.size,))
        if n <= self.size:
            flat = indexing.getitem(flat, slice(0, n))
        else:
            flat = lax_shape.pad(flat, 0, [(0, n - self.size, 0)])
        self._storage.value = lax_shape.reshape(flat, new_shape)
        self._storage.version += 1

    # --- indexing ------------------------------------------------------------------------------

    def __getitem__(self, index):
        index = _unwrap_index(index)
        if _is_basic(index):
            if _selects_element(index, self.ndim):
                return _element(self.__npaccel_value__(), index, type(self))
            return self._view(_step_index(index))
        return type(self)(indexing.getitem(self.__npaccel_value__(), index))

    def __setitem__(self, index, value):
        index = _unwrap_index(index)
        self._assign(indexing.setitem(self.__npaccel_value__(), index, value))

    # --- conversions -------------------------------------------------------------------------

    def __array__(self, dtype=None, copy=None):
        value = self.__npaccel_value__()
        host = np.asarray(value)
        if copy or (copy is None and dtype is not None and np.dtype(dtype) != host.dtype):
            return np.array(host, dtype)
        if dtype is not None and np.dtype(dtype) != host.dtype:
            raise ValueError("converting an npaccel.ndarray to another dtype needs a copy")
        return host

    def _host(self) -> np.ndarray:
        return np.asarray(self.__npaccel_value__())

    def item(self, *args):
        return self._host().item(*args)

    def tolist(self):
        return self._host().tolist()

    def tobytes(self, order="C") -> bytes:
        return self._host().tobytes(order)

    def __bool__(self):
        value = self.__npaccel_value__()
        return bool(value) if isinstance(value, Tracer) else bool(self._host())

    def __int__(self):
        return int(self.__npaccel_value__())

    def __float__(self):
        return float(self.__npaccel_value__())

    def __complex__(self):
        return complex(self.__npaccel_value__())

    def __index__(self):
        if self.dtype.kind not in "iu" or self.ndim:
            raise TypeError("only integer scalar arrays can be converted to a scalar index")
        return operator.index(self.__npaccel_value__())

    def __len__(self):
        if not self.ndim:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        if not self.ndim:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self.shape[0]))

    def __contains__(self, item):
        import npaccel.numpy as xnp
        return bool(xnp.any(xnp.equal(self, item)))

    def __repr__(self):
        value = self.__npaccel_value__()
        if isinstance(value, Tracer):
            return f"ndarray<{get_aval(value).str_short()}, traced>"
        return np.array_repr(self._host())

    def __str__(self):
        value = self.__npaccel_value__()
        return repr(self) if isinstance(value, Tracer) else np.array_str(self._host())

    def __format__(self, spec):
        return self._host().__format__(spec) if self.ndim == 0 else format(str(self), spec)

    def __reduce__(self):
        return (_from_host, (np.array(self._host()),))

    def __dlpack__(self, *args, **kwargs):
        return self._host().__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._host().__dlpack_device__()

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        return self.copy()

    def copy(self, order="C") -> "ndarray":
        return type(self)(self.__npaccel_value__())

    def setflags(self, write=None, align=None, uic=None) -> None:
        """Only WRITEABLE can change: False makes this array (and views made from it later)
        read-only; True makes it writeable again."""
        if write is False and self.flags.writeable:
            self._steps += (_step_frozen(),)
            self._cached = (-1, None)
        elif write:
            # As NumPy allows for its read-only views (a diagonal, a broadcast): writes then
            # scatter into the base.
            self._steps = tuple(_step_map(param, forward, True) if kind == "readonly" else
                                (kind, param, forward, backward)
                                for kind, param, forward, backward in self._steps
                                if kind != "frozen")
            self._cached = (-1, None)

    def fill(self, value) -> None:
        self[...] = value

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True) -> "ndarray":
        dtype = np.dtype(dtype)
        if dtype not in SUPPORTED:
            # Object, string and datetime arrays live on the host: NumPy makes them, exactly.
            return self._host().astype(dtype, order, casting, subok, copy)
        if not np.can_cast(self.dtype, dtype, casting):
            raise TypeError(f"Cannot cast array data from {self.dtype!r} to {dtype!r} "
                            f"according to the rule {casting!r}")
        if dtype == self.dtype and not copy:
            return self
        return type(self)(_core.astype(self.__npaccel_value__(), dtype))

    def block_until_ready(self) -> "ndarray":
        value = self.__npaccel_value__()
        if hasattr(value, "block_until_ready"):
            value.block_until_ready()
        return self

    __hash__ = None


# Methods that are NumPy functions of the array: `a.sum(axis=0)` is `np.sum(a, axis=0)`.
_FUNCTION_METHODS = (
    "all", "any", "argmax", "argmin", "argpartition", "argsort", "choose", "clip",
    "compress", "conj", "conjugate", "cumprod", "cumsum", "diagonal", "dot", "max", "mean",
    "min", "nonzero", "partition", "prod", "ptp", "repeat", "round", "searchsorted", "std",
    "sum", "take", "trace", "var")


def _function_method(name):
    def method(self, *args, **kwargs):
        return getattr(np, name)(self, *args, **kwargs)
    method.__name__ = name
    method.__doc__ = f"Same as numpy.{name}(a, ...)."
    return method


for _name in _FUNCTION_METHODS:
    setattr(ndarray, _name, _function_method(_name))


def _flatten(self, order="C") -> ndarray:
    """A copy collapsed into one dimension."""
    return type(self)(lax_shape.reshape(self.__npaccel_value__(), (self.size,))) if order != "F" \
        else type(self)(lax_shape.reshape(lax_shape.transpose(self.__npaccel_value__(),
                                                          tuple(range(self.ndim))[::-1]), (self.size,)))


def _sort(self, axis=-1, kind=None, order=None) -> None:
    """Sort in place."""
    self[...] = np.sort(self, axis=axis, kind=kind, order=order)


def _put(self, indices, values, mode="raise") -> None:
    """Set the flattened array's elements at `indices` to `values` (in place)."""
    flat_index = _core.asvalue(indices)
    if mode in ("wrap", "clip"):
        flat_index = getattr(np, "mod" if mode == "wrap" else "clip")(
            ndarray(flat_index), *((self.size,) if mode == "wrap" else (0, self.size - 1)))
    elif mode != "raise":
        raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got {mode!r})")
    values = _core.asvalue(values)
    n = _core.shape_of(_core.asvalue(flat_index))
    count = int(np.prod(n))
    if _core.shape_of(values) != n and count:
        # NumPy repeats `values` cyclically to the number of indices.
        values = lax_shape.reshape(values, (int(np.prod(_core.shape_of(values))),))
        reps = -(-count // max(_core.shape_of(values)[0], 1))
        values = indexing.getitem(lax_shape.concatenate([values] * reps, 0), slice(0, count))
        values = lax_shape.reshape(values, n)
    flat = lax_shape.reshape(self.__npaccel_value__(), (self.size,))
    updated = indexing.setitem(flat, _unwrap_index(flat_index), values)
    self._assign(lax_shape.reshape(updated, self.shape))


ndarray.flatten = _flatten
ndarray.sort = _sort
ndarray.put = _put


def _resolve_shape(shape, size):
    shape = tuple(int(d) for d in shape)
    unknown = [i for i, d in enumerate(shape) if d == -1]
    if len(unknown) > 1:
        raise ValueError("can only specify one unknown dimension")
    known = int(np.prod([d for d in shape if d != -1]))
    if unknown:
        if known == 0 or size % known:
            raise ValueError(f"cannot reshape array of size {size} into shape {shape}")
        shape = shape[:unknown[0]] + (size // known,) + shape[unknown[0] + 1:]
    if int(np.prod(shape)) != size:
        raise ValueError(f"cannot reshape array of size {size} into shape {shape}")
    return shape


def _unwrap_index(index):
    if isinstance(index, tuple):
        return tuple(_unwrap_index(i) for i in index)
    if isinstance(index, ndarray):
        return index.__npaccel_value__()
    return index


def _owned_value(value):
    """A value this array may own: host data is copied to the device (a snapshot, so later
    changes to a NumPy source never show through)."""
    value = _core.asvalue(value)
    return device_put(value) if isinstance(value, np.ndarray) else value


def _from_host(x: np.ndarray) -> ndarray:
    return ndarray(x)


def asndarray(value, cls=None) -> ndarray:
    """Wrap a value (npaccel.Array, tracer, NumPy array) as an ndarray owning its memory."""
    cls = cls or ndarray
    return value if type(value) is cls else cls(value)


class ArrayAPIArray(ndarray):
    """The arrays of npaccel's array-API namespace (`x.__array_namespace__()`): an ndarray
    whose 0-d results stay 0-d arrays of the namespace, as the standard requires (NumPy's
    scalars would leave it). Operations keep the flavour of their inputs."""
    __slots__ = ()
    zero_d_scalars = False


# Transformations see an ndarray as one leaf: its current value. Inside the function it
# becomes a fresh ndarray around the tracer, so NumPy code (including mutation) runs as is.
for _cls in (ndarray, ArrayAPIArray):
    tree_util.register_pytree_node(_cls, lambda a: ([a.__npaccel_value__()], None),
                                   lambda _, leaves, c=_cls: c(leaves[0]))
    pytype_aval_mappings[_cls] = lambda a: get_aval(a.__npaccel_value__())
