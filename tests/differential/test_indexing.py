"""Differential tests of indexing: `x[index]` and `x[index] = value` on npaccel.ndarray with
random index expressions, and NumPy's indexing routines."""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

from tests.differential._differential import arrays, check, differential, dtypes, shapes
from tests.differential._local import check_native, undefined_cast

# --- random index expressions -------------------------------------------------------------

_INTS = st.integers(-5, 4)   # past either end of the axes in SHAPES too
_SLICES = st.builds(slice, st.none() | _INTS, st.none() | _INTS,
                    st.sampled_from([None, 1, 2, 3, -1, -2, 0]))


def _int_array(shape):
    return arrays(dtype=np.int64, shape=shape).map(lambda a: np.clip(a, -4, 3))


_INT_ARRAYS = st.one_of(
    st.lists(st.integers(-4, 3), max_size=3),                 # a list
    st.sampled_from([(), (0,), (1,), (3,), (2, 1)]).flatmap(_int_array),
    st.just(np.array([1.0, 0.0])))                           # not an integer array


@st.composite
def _entry(draw, x):
    """One index entry: an int (as Python or NumPy integer), a slice, None, Ellipsis, an
    integer array or a boolean mask (matching x's leading axes or not)."""
    kind = draw(st.sampled_from(["int", "int", "slice", "slice", "none", "ellipsis",
                                 "array", "mask", "bool"]))
    if kind == "int":
        return draw(_INTS | _INTS.map(np.int64))
    if kind == "slice":
        return draw(_SLICES)
    if kind == "none":
        return None
    if kind == "ellipsis":
        return Ellipsis
    if kind == "array":
        return draw(_INT_ARRAYS)
    if kind == "bool":
        return draw(st.booleans())
    mask_shape = draw(st.sampled_from([x.shape[:k] for k in range(1, x.ndim + 1)] or [()])
                      | shapes(max_ndim=2))
    return draw(arrays(dtype=np.bool_, shape=mask_shape))


@st.composite
def _index(draw, x):
    """A tuple of entries (sometimes a lone entry), with the axes before them skipped by
    full slices so masks and arrays meet every axis."""
    entries = draw(st.lists(_entry(x), max_size=4))
    skip = draw(st.integers(0, x.ndim))
    index = (slice(None),) * skip + tuple(entries)
    if len(index) == 1 and draw(st.booleans()):
        return index[0]
    return index


def _getitem(x, index):
    return x[index]


def _assigned(x, index, value):
    """x after `x[index] = value`, on a copy (check runs this on both sides)."""
    y = x.copy()
    y[index] = value
    return y


@differential
@given(data=st.data())
def test_getitem(data):
    x = data.draw(arrays())
    index = data.draw(_index(x))
    check(_getitem, x, index)


def _result_shape(x, index):
    try:
        return x[index].shape
    except Exception:  # noqa: BLE001 (the comparison checks the exception)
        return None


def _repeated_positions(x, index) -> bool:
    """Whether the index selects an element twice (NumPy keeps the last write there, an
    XLA scatter any one of them)."""
    try:
        positions = np.arange(x.size).reshape(x.shape)[index]
    except Exception:  # noqa: BLE001
        return False
    return np.unique(positions).size != np.size(positions)


@differential
@given(data=st.data())
def test_setitem(data):
    x = data.draw(arrays())
    index = data.draw(_index(x))
    shape = _result_shape(x, index)
    value_shapes = [(), (1,)] + ([shape, shape[1:], (1,) + shape] if shape is not None else [])
    kinds = "biuf" if x.dtype.kind != "c" else "biufc"
    # Note: npaccel refuses complex values for a real array (NumPy drops the imaginary part
    # with a warning), so values are real there.
    value = data.draw(st.one_of(
        st.sampled_from([0, 1, -1, 2.5, True, 300]),
        arrays(kinds=kinds, shape=data.draw(st.sampled_from(value_shapes) | shapes()))))
    assume(not undefined_cast(value, x.dtype))
    if _repeated_positions(x, index) and np.size(value) > 1:
        value = np.asarray(value).flat[0]
    check(_assigned, x, index, value)


# --- indexing routines ---------------------------------------------------------------------

_MASK_FUNCTIONS = [np.triu, np.tril]

# name -> (args, kwargs) strategy for the routines NumPy does not dispatch (no array argument).
NATIVE = {
    "diag_indices": st.tuples(st.tuples(st.integers(0, 4), st.integers(0, 3)), st.just({})),
    "tril_indices": st.tuples(st.tuples(st.integers(0, 4)), st.fixed_dictionaries(
        {"k": st.integers(-3, 3), "m": st.none() | st.integers(0, 4)})),
    "triu_indices": st.tuples(st.tuples(st.integers(0, 4)), st.fixed_dictionaries(
        {"k": st.integers(-3, 3), "m": st.none() | st.integers(0, 4)})),
    "mask_indices": st.tuples(st.tuples(st.integers(0, 4), st.sampled_from(_MASK_FUNCTIONS)),
                              st.fixed_dictionaries({"k": st.integers(-3, 3)})),
}

# name -> kwargs strategy; called as np.<name>(x, **kwargs).
FROM_ARRAY = {
    "diag_indices_from": st.just({}),
    "tril_indices_from": st.fixed_dictionaries({"k": st.integers(-3, 3)}),
    "triu_indices_from": st.fixed_dictionaries({"k": st.integers(-3, 3)}),
}

COVERED = {f"numpy.{n}" for n in [*NATIVE, *FROM_ARRAY]} | {
    "numpy.ix_", "numpy.ravel_multi_index", "numpy.unravel_index"}


@pytest.mark.parametrize("name", sorted(NATIVE))
@differential
@given(data=st.data())
def test_native(name, data):
    args, kwargs = data.draw(NATIVE[name])
    check_native(name, *args, **kwargs)


@pytest.mark.parametrize("name", sorted(FROM_ARRAY))
@differential
@given(data=st.data())
def test_from_array(name, data):
    x = data.draw(arrays(shape=data.draw(shapes() | st.sampled_from([(3, 3), (2, 2, 2)]))))
    check(getattr(np, name), x, **data.draw(FROM_ARRAY[name]))


@differential
@given(data=st.data())
def test_ix_(data):
    n = data.draw(st.integers(1, 3))
    args = [data.draw(arrays(kinds=data.draw(st.sampled_from(["i", "i", "u", "b", "f"])),
                             shape=data.draw(shapes(max_ndim=1) | shapes(min_ndim=2))))
            for _ in range(n)]
    check(np.ix_, *args)


@differential
@given(data=st.data())
def test_ravel_multi_index(data):
    dims = data.draw(st.sampled_from([(4,), (2, 3), (3, 1), (2, 1, 3), (0, 3)]))
    n = data.draw(st.sampled_from([len(dims), len(dims), len(dims) + 1]))
    shape = data.draw(shapes(max_ndim=2))
    multi_index = tuple(data.draw(arrays(dtype=data.draw(dtypes("iu")), shape=shape))
                        for _ in range(n))
    mode = data.draw(st.sampled_from(["raise", "wrap", "clip", ("clip",) * n]))
    check(np.ravel_multi_index, multi_index, dims, mode=mode,
          order=data.draw(st.sampled_from("CF")))


@differential
@given(data=st.data())
def test_unravel_index(data):
    indices = data.draw(arrays(dtype=data.draw(dtypes("iuf")), shape=data.draw(shapes())))
    shape = data.draw(st.sampled_from([(4,), (2, 3), (3, 1), (2, 1, 3), 6, (0,)]))
    check(np.unravel_index, indices, shape, order=data.draw(st.sampled_from("CF")))
