"""Differential tests of NumPy's array manipulation routines on npaccel arrays.

Each family is a table: a name and, per name, a strategy of keyword arguments drawn for
the input's rank (valid and invalid axes, shapes and indices, so exception classes are
compared too)."""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

from tests.differential._differential import (SHAPES, arrays, broadcast_shapes, check,
                                              differential, dtypes, shapes)
from tests.differential._local import check_native, undefined_cast


# --- argument strategies (functions of the input's rank) ---------------------------------

def _axis(nd):
    """An axis, one out of range on either side included."""
    return st.integers(-nd - 1, nd)


def _axis_or_none(nd):
    return st.none() | _axis(nd)


def _axes(nd):
    return st.lists(_axis(nd), max_size=min(nd + 1, 3)).map(tuple)


def _axis_int_or_axes(nd):
    return _axis_or_none(nd) | _axes(nd)


def _perm(nd):
    """A permutation of the axes, or sometimes a wrong one (too short, repeated)."""
    return st.one_of(st.permutations(range(nd)).map(tuple),
                     st.lists(st.integers(-nd, nd), max_size=nd + 1).map(tuple))


def _shape(nd):
    """A shape from the pool, or one with an inferred (-1) dimension."""
    return st.sampled_from(SHAPES) | st.sampled_from([(-1,), (2, -1), (-1, 3), 4, -1])


def _small_ints(lo, hi):
    return lambda nd: st.integers(lo, hi)


def _index_array(nd):
    """An integer index: a Python int, a list, or an integer array (out of range too)."""
    ints = st.integers(-5, 4)
    return st.one_of(ints, st.lists(ints, max_size=4),
                     st.lists(ints, max_size=4).map(lambda v: np.array(v, np.int64)))


def _kw(**table):
    """A strategy of keyword dicts: each value is a function of the rank."""
    return lambda x: st.fixed_dictionaries({k: f(x.ndim) for k, f in table.items()})


def _one_of(*tables):
    return lambda x: st.one_of(*[t(x) for t in tables])


def _values(nd):
    """Values for insert/append: a scalar or a small array (broadcastable or not)."""
    return st.one_of(st.integers(-2, 3), arrays(dtype=np.int64, shape=None))


def _pad(x):
    nd = x.ndim
    width = st.integers(0, 3)
    pair = st.tuples(width, width)
    widths = st.one_of(width, pair, st.lists(pair, min_size=nd, max_size=nd).map(tuple),
                       st.just(-1), st.lists(pair, min_size=nd + 1, max_size=nd + 1))
    plain = st.sampled_from(["edge", "wrap", "reflect", "symmetric", "empty", "bogus"])
    return st.one_of(
        st.fixed_dictionaries({"pad_width": widths, "mode": plain}),
        st.fixed_dictionaries({"pad_width": widths, "mode": st.just("constant"),
                               "constant_values": st.sampled_from([0, 1, (2, 3)])}),
        st.fixed_dictionaries({"pad_width": widths, "mode": st.just("linear_ramp"),
                               "end_values": st.sampled_from([0, 2, (1, -1)])}),
        st.fixed_dictionaries({"pad_width": widths,
                               "mode": st.sampled_from(["maximum", "minimum", "mean", "median"]),
                               "stat_length": st.sampled_from([None, 1, 2, (1, 2)])}),
        st.fixed_dictionaries({"pad_width": widths,
                               "mode": st.sampled_from(["reflect", "symmetric"]),
                               "reflect_type": st.sampled_from(["even", "odd"])}))


_NO_ARGS = _kw()

# name -> keyword strategy; called as np.<name>(x, **kwargs).
UNARY = {
    "ravel": _kw(order=lambda nd: st.sampled_from("CFAK")),
    "fliplr": _NO_ARGS, "flipud": _NO_ARGS,
    "atleast_1d": _NO_ARGS, "atleast_2d": _NO_ARGS, "atleast_3d": _NO_ARGS,
    "ndim": _NO_ARGS, "shape": _NO_ARGS, "size": _kw(axis=_axis_or_none),
    "matrix_transpose": _NO_ARGS,
    "transpose": _kw(axes=lambda nd: st.none() | _perm(nd)),
    "permute_dims": _kw(axes=_perm),
    "squeeze": _kw(axis=_axis_int_or_axes),
    "flip": _kw(axis=_axis_int_or_axes),
    "expand_dims": _kw(axis=lambda nd: _axis(nd + 1) | _axes(nd + 1)),
    "moveaxis": _one_of(_kw(source=_axis, destination=_axis),
                        _kw(source=_axes, destination=_axes)),
    "rollaxis": _kw(axis=_axis, start=lambda nd: st.integers(-nd - 1, nd + 1)),
    "swapaxes": _kw(axis1=_axis, axis2=_axis),
    "roll": _one_of(_kw(shift=_small_ints(-5, 5), axis=_axis_or_none),
                    _kw(shift=lambda nd: st.lists(st.integers(-3, 3), max_size=3).map(tuple),
                        axis=_axes)),
    "rot90": _kw(k=_small_ints(-1, 5), axes=lambda nd: st.tuples(_axis(nd), _axis(nd))),
    "repeat": _kw(repeats=lambda nd: st.integers(-1, 3) | st.lists(st.integers(0, 2), max_size=4),
                  axis=_axis_or_none),
    "tile": _kw(reps=lambda nd: st.integers(0, 2)
                | st.lists(st.integers(0, 2), max_size=4).map(tuple)),
    "resize": _kw(new_shape=lambda nd: st.sampled_from(SHAPES)
                  | st.sampled_from([5, (3, 3), (-1,)])),
    "reshape": _kw(shape=_shape, order=lambda nd: st.sampled_from("CFA")),
    "broadcast_to": _kw(shape=lambda nd: st.sampled_from(SHAPES + ((2, 2, 3), (4, 4)))),
    "diagonal": _kw(offset=_small_ints(-3, 3), axis1=_axis, axis2=_axis),
    "trace": _kw(offset=_small_ints(-3, 3), axis1=_axis, axis2=_axis,
                 dtype=lambda nd: st.none() | dtypes()),
    "trim_zeros": _kw(trim=lambda nd: st.sampled_from(["fb", "f", "b", "B", "x"]),
                      axis=_axis_int_or_axes),
    "unstack": _kw(axis=_axis),
    "delete": _kw(obj=lambda nd: _index_array(nd)
                  | st.sampled_from([slice(None, None, 2), slice(-1, 0, -1)]),
                  axis=_axis_or_none),
    "insert": _kw(obj=lambda nd: _index_array(nd) | st.just(slice(None, None, 2)),
                  values=_values, axis=_axis_or_none),
    "append": _kw(values=_values, axis=_axis_or_none),
    "take": _kw(indices=_index_array, axis=_axis_or_none,
                mode=lambda nd: st.sampled_from(["raise", "wrap", "clip"])),
    "pad": _pad,
}

SPLIT = {
    "split": True, "array_split": True, "hsplit": False, "vsplit": False, "dsplit": False,
}

# name -> whether it takes an axis; called as np.<name>(arrays, ...).
JOIN = {
    "concatenate": _axis_or_none, "concat": _axis_or_none, "stack": _axis,
    "vstack": None, "hstack": None, "dstack": None, "column_stack": None,
}

COVERED = {f"numpy.{n}" for n in [*UNARY, *SPLIT, *JOIN]} | {
    "numpy.block", "numpy.broadcast_arrays", "numpy.broadcast_shapes", "numpy.choose",
    "numpy.compress", "numpy.select", "numpy.take_along_axis", "numpy.put_along_axis"}


# --- one input array ---------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(UNARY))
@differential
@given(data=st.data())
def test_unary(name, data):
    x = data.draw(arrays())
    kwargs = data.draw(UNARY[name](x))
    assume(not undefined_cast(x, kwargs.get("dtype") or x.dtype))
    check(getattr(np, name), x, **kwargs)


def test_flip_0d():
    check(np.flip, np.array(5))


@pytest.mark.parametrize("name", sorted(SPLIT))
@differential
@given(data=st.data())
def test_split(name, data):
    x = data.draw(arrays())
    sections = data.draw(st.integers(0, 4) | st.lists(st.integers(-4, 5), max_size=3))
    kwargs = {"axis": data.draw(_axis(x.ndim))} if SPLIT[name] else {}
    check(getattr(np, name), x, sections, **kwargs)


# --- several input arrays ----------------------------------------------------------------

@st.composite
def _several(draw, n_min=1, n_max=3, min_ndim=0):
    """A few arrays of mostly compatible shapes and (NEP 50 promoting) dtypes."""
    n = draw(st.integers(n_min, n_max))
    shape_list = draw(broadcast_shapes(n, min_ndim))
    return [draw(arrays(shape=s)) for s in shape_list]


@pytest.mark.parametrize("name", sorted(JOIN))
@differential
@given(data=st.data())
def test_join(name, data):
    xs = data.draw(_several(n_min=0))
    kwargs = {}
    if JOIN[name] is not None:
        kwargs["axis"] = data.draw(JOIN[name](max((x.ndim for x in xs), default=0) + 1))
    if name in ("concatenate", "stack", "vstack", "hstack") and data.draw(st.booleans()):
        kwargs["dtype"] = data.draw(dtypes())
        kwargs["casting"] = data.draw(st.sampled_from(["same_kind", "unsafe", "no", "safe"]))
        assume(not any(undefined_cast(x, kwargs["dtype"]) for x in xs))
    check(getattr(np, name), xs, **kwargs)


@differential
@given(xs=_several(n_max=4), nested=st.booleans())
def test_block(xs, nested):
    blocks = [xs[:2], xs[2:]] if nested else xs
    check(np.block, blocks)


@differential
@given(xs=_several(n_max=3))
def test_broadcast_arrays(xs):
    check(np.broadcast_arrays, *xs)


@differential
@given(shape_list=broadcast_shapes(3))
def test_broadcast_shapes(shape_list):
    # NumPy does not dispatch broadcast_shapes (it takes no arrays): npaccel's is called.
    check_native("broadcast_shapes", *shape_list)


@differential
@given(data=st.data())
def test_choose(data):
    n = data.draw(st.integers(1, 3))
    index_shape, *choice_shapes = data.draw(broadcast_shapes(n + 1))
    index = data.draw(arrays(shape=index_shape, kinds="iub"))
    choices = [data.draw(arrays(shape=s, kinds="iuf")) for s in choice_shapes]
    mode = data.draw(st.sampled_from(["raise", "wrap", "clip"]))
    check(np.choose, index, choices, mode=mode)


@differential
@given(data=st.data())
def test_select(data):
    n = data.draw(st.integers(1, 3))
    shape_list = data.draw(broadcast_shapes(2 * n + 1))
    conds = [data.draw(arrays(shape=s, kinds=data.draw(st.sampled_from(["b", "b", "i"]))))
             for s in shape_list[:n]]
    choices = [data.draw(arrays(shape=s, kinds="biufc")) for s in shape_list[n:-1]]
    default = data.draw(st.sampled_from([0, 1.5, np.nan]) | arrays(shape=shape_list[-1]))
    check(np.select, conds, choices, default=default)


@differential
@given(data=st.data())
def test_compress(data):
    x = data.draw(arrays())
    axis = data.draw(_axis_or_none(x.ndim))
    shape = data.draw(shapes(max_ndim=1) | shapes(min_ndim=2))
    condition = data.draw(arrays(kinds="bi", shape=shape))
    check(np.compress, condition, x, axis=axis)


@st.composite
def _along_axis_args(draw):
    """An array, an axis, and integer indices of the same rank whose other dimensions
    broadcast against the array's (mostly)."""
    x = draw(arrays(shape=draw(shapes(min_ndim=1))))
    axis = draw(_axis_or_none(x.ndim))
    if axis is None:
        ishape = (draw(st.integers(0, 3)),)
    else:
        ishape = list(x.shape)
        for d in range(x.ndim):
            if d == (axis % x.ndim if -x.ndim <= axis < x.ndim else -1):
                ishape[d] = draw(st.integers(0, 3))
            elif draw(st.integers(0, 3)) == 0:
                ishape[d] = draw(st.sampled_from([1, 2]))
    bound = x.size if axis is None else (x.shape[axis] if -x.ndim <= axis < x.ndim else 1)
    values = st.integers(-bound - 1, bound) if bound else st.integers(-1, 0)
    raw = draw(st.lists(values, min_size=int(np.prod(ishape)), max_size=int(np.prod(ishape))))
    indices = np.array(raw, np.int64).reshape(ishape)
    return x, indices, axis


@differential
@given(args=_along_axis_args())
def test_take_along_axis(args):
    x, indices, axis = args
    check(np.take_along_axis, x, indices, axis=axis)


def _put_along_axis(arr, indices, values, axis):
    """put_along_axis mutates arr: compare arr afterwards (and the None it returns)."""
    returned = np.put_along_axis(arr, indices, values, axis=axis)
    return returned, arr


@differential
@given(args=_along_axis_args(), value=st.sampled_from([7, -1]))
def test_put_along_axis(args, value):
    # A scalar value: where indices repeat, every write stores the same number (NumPy
    # keeps the last write, XLA an unspecified one).
    x, indices, axis = args
    check(_put_along_axis, x.copy(), indices, value, axis)
