"""Differential tests of the small utilities on npaccel arrays: functional programming
(apply_along_axis, apply_over_axes, piecewise), data-type routines, the functions that
write into their argument (copyto, put, ...) and input/output (printing, files)."""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import npaccel.numpy as npaccel_numpy

from tests.differential._differential import (arrays, broadcast_shapes, check, differential,
                                              dtypes, shapes)
from tests.differential._local import check_native, undefined_cast

LIKE = np.zeros(0)

# --- functional programming ----------------------------------------------------------------

# Functions of a 1-d slice, written with NumPy calls (they dispatch on npaccel values too).
FUNC1D = {
    "sum": np.sum,
    "cumsum": np.cumsum,
    "reversed": lambda v: v[::-1],
    "min_max": lambda v: np.stack([np.min(v), np.max(v)]) if np.size(v) else np.zeros(2),
    "outer": lambda v: np.multiply.outer(v, v),
}



def _params(names, xfails):
    """Parameters with strict xfail marks for the known failures (name -> reason)."""
    return [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=xfails[n]))
            if n in xfails else n for n in sorted(names)]


@pytest.mark.parametrize("func", sorted(FUNC1D))
@differential
@given(data=st.data())
def test_apply_along_axis(func, data):
    x = data.draw(arrays(kinds="iuf", shape=data.draw(shapes(min_ndim=1, nonempty=True))))
    axis = data.draw(st.integers(-x.ndim - 1, x.ndim))
    check(np.apply_along_axis, FUNC1D[func], axis, x)


@differential
@given(x=arrays(kinds="biuf"), func=st.sampled_from([np.sum, np.max, np.mean, np.cumsum]),
       data=st.data())
def test_apply_over_axes(x, func, data):
    axes = data.draw(st.integers(-x.ndim - 1, x.ndim) | st.lists(st.integers(0, max(x.ndim - 1, 0)),
                                                                max_size=2))
    assume(not (func is np.max and x.size == 0))
    check(np.apply_over_axes, func, x, axes)


PIECES = [0, 1.5, np.negative, np.abs, lambda v: v * 2]


@differential
@given(x=arrays(kinds="iuf"), data=st.data())
def test_piecewise(x, data):
    thresholds = data.draw(st.lists(st.sampled_from([-1, 0, 1, 2]), min_size=1, max_size=3))
    conds = [x > t for t in thresholds]
    n = len(conds) + data.draw(st.sampled_from([0, 1, 1, 2]))   # 2: too many functions
    functions = data.draw(st.lists(st.sampled_from(PIECES), min_size=n, max_size=n))
    check(np.piecewise, x, conds, functions)


# --- data-type routines ---------------------------------------------------------------------

@differential
@given(x=arrays(), dtype=dtypes())
def test_astype(x, dtype):
    assume(not undefined_cast(x, dtype))
    check(np.astype, x, dtype)


@differential
@given(data=st.data())
def test_common_type(data):
    xs = [data.draw(arrays(kinds="biufc", shape=(2,))) for _ in range(data.draw(st.integers(0, 3)))]
    check(np.common_type, *xs)


@differential
@given(x=arrays(specials=True))
def test_min_scalar_type(x):
    check(np.min_scalar_type, x)


# name -> argument strategy for the predicates NumPy does not dispatch: called directly.
NATIVE = {
    "isscalar": arrays() | st.sampled_from([1, 2.5, "a", None, [1], np.float32(1)]),
    "iterable": arrays() | st.sampled_from([1, "ab", [1], (), None]),
    "isfortran": arrays(),
    "typename": st.sampled_from(list("?bhilqBHILQefdgFDGSUVO")),
    "mintypecode": st.lists(st.sampled_from(list("bifdFD")) | arrays(shape=(2,)), max_size=3),
}


@pytest.mark.parametrize("name", sorted(NATIVE))
@differential
@given(data=st.data())
def test_native_predicates(name, data):
    check_native(name, data.draw(NATIVE[name]))


def test_isfortran_through_numpy():
    """np.isfortran is a plain Python function: it reads `a.flags`, which npaccel.ndarray
    lacks."""
    check(np.isfortran, np.zeros((2, 3)))


# NumPy's own dtype functions, given npaccel arrays or their dtypes.
DTYPE_FUNCTIONS = {
    "issubdtype": lambda x, y: np.issubdtype(x.dtype, y.dtype),
    "isdtype": lambda x, y: np.isdtype(x.dtype, ("integral", "real floating")),
    "promote_types": lambda x, y: np.promote_types(x.dtype, y.dtype),
    "can_cast_dtype": lambda x, y: np.can_cast(x.dtype, y.dtype, "same_kind"),
    "result_type_dtype": lambda x, y: np.result_type(x.dtype, y.dtype, 1.5),
}

# The same with the arrays themselves: NumPy dispatches these to npaccel.
ARRAY_DTYPE_FUNCTIONS = {
    "can_cast": lambda x, y: np.can_cast(x, y.dtype),
    "result_type": lambda x, y: np.result_type(x, y, 1.5),
}


@pytest.mark.parametrize("name", sorted(DTYPE_FUNCTIONS))
@differential
@given(x=arrays(), y=arrays())
def test_dtype_functions(name, x, y):
    check(DTYPE_FUNCTIONS[name], x, y)


@pytest.mark.parametrize("name", sorted(ARRAY_DTYPE_FUNCTIONS))
@differential
@given(x=arrays(), y=arrays())
def test_array_dtype_functions(name, x, y):
    check(ARRAY_DTYPE_FUNCTIONS[name], x, y)


# --- functions that write into their first argument -----------------------------------------

def _mutated(name):
    """np.<name>(a, ...) on a copy of a: what it returns and the copy afterwards (check
    runs this on both sides, so the input itself must stay as it was)."""
    def run(a, *args, **kwargs):
        a = a.copy()
        return getattr(np, name)(a, *args, **kwargs), a
    run.__name__ = name
    return run


@st.composite
def _copyto_args(draw):
    dst_shape, src_shape, where_shape = draw(broadcast_shapes(3))
    dst = draw(arrays(shape=dst_shape))
    src = draw(arrays(shape=src_shape) | st.sampled_from([1, -1, 2.5, True]))
    casting = draw(st.sampled_from(["same_kind", "unsafe", "safe", "no"]))
    where = draw(st.just(True) | arrays(dtype=np.bool_, shape=where_shape))
    # Positional: check() has a `where` keyword of its own.
    return (dst, src, casting, where), {}


@st.composite
def _put_args(draw):
    a = draw(arrays(shape=draw(shapes())))
    # Not an empty list of indices, nor empty values: npaccel's put raises for both where
    # NumPy does nothing (reported; the put method is in npaccel/dispatch/ndarray.py).
    indices = draw(st.lists(st.integers(-a.size - 1, a.size), min_size=1, max_size=3, unique=True)
                   | st.integers(-5, 5))
    values = draw(arrays(kinds="biuf", shape=draw(shapes(max_ndim=1, nonempty=True)))
                  | st.sampled_from([7, -1]))
    mode = draw(st.sampled_from(["raise", "wrap", "clip"]))
    # Repeated positions after wrapping or clipping: NumPy keeps the last write, a scatter
    # any one; then one value.
    positions = np.asarray(indices).ravel() % max(a.size, 1) if mode == "wrap" else \
        np.clip(np.asarray(indices).ravel(), 0, max(a.size - 1, 0))
    if mode != "raise" and len(set(positions.tolist())) != positions.size:
        values = 7
    return (a, indices, values), {"mode": mode}


@st.composite
def _putmask_args(draw):
    a = draw(arrays())
    mask = draw(arrays(dtype=np.bool_, shape=draw(st.sampled_from([a.shape, a.shape, (1,)]))))
    # Not empty values: npaccel's putmask raises where NumPy does nothing (reported; it is
    # in npaccel/dispatch/inplace.py).
    values = draw(arrays(kinds="biuf", shape=draw(shapes(max_ndim=1, nonempty=True)))
                  | st.sampled_from([7, -1]))
    return (a, mask, values), {}


@st.composite
def _place_args(draw):
    a = draw(arrays())
    mask = draw(arrays(dtype=np.bool_, shape=draw(st.sampled_from([a.shape, a.shape, (1,)]))))
    values = draw(arrays(kinds="biuf", shape=draw(shapes(max_ndim=1))) | st.sampled_from([[7], []]))
    return (a, mask, values), {}


@st.composite
def _fill_diagonal_args(draw):
    a = draw(arrays(shape=draw(shapes() | st.sampled_from([(3, 3), (2, 2, 2), (5, 2)]))))
    val = draw(arrays(kinds="biuf", shape=draw(shapes(max_ndim=1))) | st.sampled_from([7, -1]))
    return (a, val), {"wrap": draw(st.booleans())}


INPLACE = {"copyto": _copyto_args(), "put": _put_args(), "putmask": _putmask_args(),
           "place": _place_args(), "fill_diagonal": _fill_diagonal_args()}


INPLACE_XFAILS: dict = {}


@pytest.mark.parametrize("name", _params(INPLACE, INPLACE_XFAILS))
@differential
@given(data=st.data())
def test_inplace(name, data):
    args, kwargs = data.draw(INPLACE[name])
    target = args[0]
    assume(not any(undefined_cast(v, target.dtype) for v in args[1:] if np.ndim(v) or
                   isinstance(v, float)))
    # Note: npaccel refuses complex values for a real array (NumPy discards the
    # imaginary part with a warning); values here are real.
    check(_mutated(name), *args, **kwargs)


# --- printing --------------------------------------------------------------------------------

PRINTING = {
    "array2string": st.fixed_dictionaries({"precision": st.none() | st.integers(0, 4),
                                           "separator": st.sampled_from([" ", ", "])}),
    "array_repr": st.fixed_dictionaries({"precision": st.none() | st.integers(0, 4)}),
    "array_str": st.fixed_dictionaries({"suppress_small": st.booleans()}),
}


@pytest.mark.parametrize("name", sorted(PRINTING))
@differential
@given(x=arrays(specials=True), data=st.data())
def test_printing(name, x, data):
    check(getattr(np, name), x, **data.draw(PRINTING[name]))


# Scalar formatting: NumPy does not dispatch these (scalars, no arrays), so npaccel's own
# are called with 0-d npaccel arrays.
SCALAR_FORMATTING = {
    "base_repr": (arrays(kinds="iu", shape=()), st.fixed_dictionaries(
        {"base": st.sampled_from([2, 3, 16, 36, 37]), "padding": st.integers(0, 3)})),
    "binary_repr": (arrays(kinds="iu", shape=()), st.fixed_dictionaries(
        {"width": st.none() | st.integers(1, 10)})),
    "format_float_positional": (arrays(kinds="f", shape=(), specials=True), st.fixed_dictionaries(
        {"precision": st.none() | st.integers(0, 4), "unique": st.booleans(),
         "trim": st.sampled_from(["k", ".", "0", "-"])})),
    "format_float_scientific": (arrays(kinds="f", shape=(), specials=True), st.fixed_dictionaries(
        {"precision": st.none() | st.integers(0, 4), "unique": st.booleans(),
         "exp_digits": st.none() | st.integers(1, 3)})),
}


@pytest.mark.parametrize("name", sorted(SCALAR_FORMATTING))
@differential
@given(data=st.data())
def test_scalar_formatting(name, data):
    value, kwargs = SCALAR_FORMATTING[name]
    check_native(name, data.draw(value), **data.draw(kwargs))


# --- files and buffers --------------------------------------------------------------------------

def _contents(path):
    """What a saved file holds: every array NumPy loads from it, as plain data."""
    with np.load(path) as loaded:
        return [(k, loaded[k].dtype.str, loaded[k].shape, loaded[k].tobytes())
                for k in sorted(loaded.files)]


def _saved(name, path):
    """np.<name> writes the file; the comparison is on what NumPy reads back."""
    def run(*arrays_, **kwargs):
        getattr(np, name)(path, *arrays_, **kwargs)
        if name == "save":
            loaded = np.load(path)
            return loaded.dtype.str, loaded.shape, loaded.tobytes()
        if name == "savetxt":
            return path.read_text()
        return _contents(path)
    run.__name__ = name
    return run


SAVING = {"save": ".npy", "savez": ".npz", "savez_compressed": ".npz", "savetxt": ".txt"}


@pytest.mark.parametrize("name", sorted(SAVING))
@differential
@given(x=arrays(specials=True), y=arrays())
def test_saving(name, x, y, tmp_path_factory):
    path = tmp_path_factory.mktemp(name) / f"data{SAVING[name]}"
    if name == "savetxt":
        check(_saved(name, path), x, fmt="%.6g")
    elif name == "save":
        check(_saved(name, path), x)
    else:
        check(_saved(name, path), x, named=y)


@differential
@given(x=arrays(kinds="biuf", shape=(2, 3)), dtype=st.sampled_from([float, int, np.float32]),
       ndmin=st.integers(0, 2))
def test_text_loading(x, dtype, ndmin, tmp_path_factory):
    path = tmp_path_factory.mktemp("text") / "data.txt"
    np.savetxt(path, x, fmt="%d" if dtype is int else "%.6g")
    assume(not undefined_cast(x, dtype))
    check(np.loadtxt, path, dtype=dtype, ndmin=ndmin, like=LIKE)
    check(np.genfromtxt, path, dtype=dtype, ndmin=ndmin, like=LIKE)


@differential
@given(x=arrays())
def test_binary_loading(x, tmp_path_factory):
    # load, fromfile and fromregex take a file, not an array: npaccel's are called directly.
    folder = tmp_path_factory.mktemp("binary")
    np.save(folder / "x.npy", x)
    x.tofile(folder / "x.bin")
    (folder / "x.txt").write_text(" ".join(f"<{v}>" for v in x.ravel().tolist()))
    check_native("load", folder / "x.npy")
    check_native("fromfile", folder / "x.bin", dtype=x.dtype)
    # fromregex makes a structured array, which stays a NumPy array (npaccel has no
    # structured dtypes): its field is compared.
    regex, dtype = r"<([-\d.e+a-z]+)>", [("v", np.float64)]
    np.testing.assert_array_equal(npaccel_numpy.fromregex(folder / "x.txt", regex, dtype)["v"],
                                  np.fromregex(folder / "x.txt", regex, dtype)["v"])


@differential
@given(x=arrays())
def test_from_dlpack(x):
    check_native("from_dlpack", x)


COVERED = {f"numpy.{n}" for n in [*NATIVE, *INPLACE, *PRINTING, *SCALAR_FORMATTING, *SAVING]} | {
    "numpy.apply_along_axis", "numpy.apply_over_axes", "numpy.piecewise", "numpy.astype",
    "numpy.common_type", "numpy.min_scalar_type", "numpy.issubdtype", "numpy.isdtype",
    "numpy.promote_types", "numpy.can_cast", "numpy.result_type", "numpy.loadtxt",
    "numpy.genfromtxt", "numpy.load", "numpy.fromfile", "numpy.fromregex", "numpy.from_dlpack"}
