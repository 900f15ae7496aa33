"""NumPy's "Functional programming" routines: apply_along_axis, apply_over_axes, piecewise."""
from __future__ import annotations

import numpy as np

from npaccel.core.trace import is_traced
from npaccel.lax import elementwise as ew, shape as lax_shape
from npaccel.numpy import _core
from npaccel.transforms.batching import vmap


def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """func1d applied to every 1-d slice along `axis`. Eagerly one call per slice, as NumPy
    (func1d may be any Python, value-dependent code included); traced, one vmap over the
    other axes, so the function is traced once."""
    arr = _core.asvalue(arr)
    nd = len(_core.shape_of(arr))
    axis = _core.normalize_axis(axis, nd)
    moved = _moveaxis(arr, axis, nd - 1)
    call = lambda x: _core.asvalue(func1d(x, *args, **kwargs))  # noqa: E731
    out = _over_slices(call, moved) if not is_traced(arr) else _vmapped(call, nd - 1)(moved)
    out_nd = len(_core.shape_of(out))
    # The function's output dims replace `axis`: move them back into its place.
    if out_nd == nd - 1:
        return out
    perm = list(range(axis)) + list(range(nd - 1, out_nd)) + list(range(axis, nd - 1))
    return lax_shape.transpose(out, perm)


def _vmapped(f, times: int):
    for _ in range(times):
        f = vmap(f, in_axes=0, out_axes=0)
    return f


def _over_slices(call, moved):
    """call on each moved[i, j, ..., :], the results stacked over the leading axes."""
    outer = _core.shape_of(moved)[:-1]
    if 0 in outer:
        raise ValueError("Cannot apply_along_axis when any iteration dimensions are 0")
    results = [call(moved[index]) for index in np.ndindex(*outer)]
    first = _core.shape_of(results[0])
    stacked = lax_shape.concatenate([lax_shape.expand_dims(_core.asvalue(r), (0,))
                                     for r in results], 0)
    return lax_shape.reshape(stacked, outer + first)


def _moveaxis(x, src, dst):
    return lax_shape.moveaxis(x, src, dst) if src != dst else x


def apply_over_axes(func, a, axes):
    """func(a, axis) applied for each axis in turn, keeping dimensions. As NumPy, a negative
    axis counts from the end and the axis is otherwise passed to func unchecked."""
    value = _core.asvalue(a)
    nd = len(_core.shape_of(value))
    for axis in (axes,) if np.ndim(axes) == 0 else axes:
        axis = axis + nd if axis < 0 else axis
        res = _core.asvalue(func(value, axis))
        if len(_core.shape_of(res)) != nd:
            from npaccel.lax.shape import expand_dims
            res = expand_dims(res, (axis,))
            if len(_core.shape_of(res)) != nd:
                raise ValueError("function is not returning an array of the correct shape")
        value = res
    return value


def piecewise(x, condlist, funclist, *args, **kw):
    """funclist[i] (a function or a constant) where condlist[i]; an extra last function
    covers where no condition holds. Every function is evaluated on all of x (traceable)."""
    x = _core.asvalue(x)
    shape, dtype = _core.shape_of(x), _core.dtype_of(x)
    if isinstance(condlist, (bool, np.bool_)) or (np.ndim(condlist) == 0 if not _core.is_value(condlist) else False):
        condlist = [condlist]
    conds = [_core.broadcast_to(_core.asvalue(c), shape) for c in condlist]
    if len(funclist) == len(conds) + 1:
        default = _piece(funclist[-1], x, dtype, args, kw)
        nothing = conds[0]
        for c in conds[1:]:
            nothing = ew.bitwise_or(nothing, c)
        conds.append(ew.bitwise_not(nothing))
        pieces = [_piece(f, x, dtype, args, kw) for f in funclist[:-1]] + [default]
    elif len(funclist) == len(conds):
        pieces = [_piece(f, x, dtype, args, kw) for f in funclist]
    else:
        raise ValueError(f"with {len(conds)} condition(s), either {len(conds)} or "
                         f"{len(conds) + 1} functions are expected")
    out = _core.broadcast_to(_core.astype(0, dtype), shape)
    for c, p in zip(conds, pieces):
        out = ew.select(c, p, out)
    return out


def _piece(f, x, dtype, args, kw):
    value = f(x, *args, **kw) if callable(f) else f
    return _core.broadcast_to(_core.astype(_core.asvalue(value), dtype), _core.shape_of(x))
