"""npaccel.numpy.creation against NumPy: values, result dtypes and shapes for many argument
combinations (0-d and empty included), every keyword, NumPy's exception classes for bad
input; jit against eager, vmap against a loop and derivatives against finite differences
for the routines that take array data."""
import warnings

import numpy as np
import pytest

import npaccel
from npaccel import lax
from npaccel.core.trace import ConcretizationError
from npaccel.numpy import creation as nc
from harness import assert_close, check_grads, default_tol

ALL = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
       np.uint64, np.float16, np.float32, np.float64, np.complex64, np.complex128]
SHAPES = [(), 0, 3, (2, 3), (0, 4), [2, 1, 3]]


@pytest.fixture(autouse=True)
def _quiet_numpy():
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _assert_tree(actual, expected, tol, where):
    if isinstance(expected, (tuple, list)):
        assert isinstance(actual, (tuple, list)) and len(actual) == len(expected), where
        for a, e in zip(actual, expected):
            _assert_tree(a, e, tol, where)
        return
    if isinstance(expected, float) and not isinstance(actual, (np.ndarray, np.generic)):
        np.testing.assert_equal(float(actual), expected, err_msg=where)   # linspace's nan step
        return
    expected = np.asarray(expected)
    t = default_tol(expected.dtype) if tol is None else tol
    assert_close(actual, expected, t, err_msg=where)


def same_many(calls, tol=None, eager=False):
    """npaccel against NumPy for each (name, args, kwargs): the values and dtype, or NumPy's
    exception class. The calls NumPy accepts run in one jit with the arguments as constants
    (one compilation for all; test_eager_matches_numpy runs a sample eagerly)."""
    good = []
    for name, args, kwargs in calls:
        try:
            expected = getattr(np, name)(*args, **kwargs)
        except Exception as e:   # noqa: BLE001 (any exception NumPy raises is the spec)
            with pytest.raises(type(e)):
                getattr(nc, name)(*args, **kwargs)
            continue
        good.append((name, args, kwargs, expected))

    def run():
        return [getattr(nc, name)(*args, **kwargs) for name, args, kwargs, _ in good]
    actual = run() if eager else npaccel.jit(run)()
    for (name, args, kwargs, expected), a in zip(good, actual):
        _assert_tree(a, expected, tol, f"{name}{args}{kwargs}")


def same(name, *args, tol=None, eager=False, **kwargs):
    same_many([(name, args, kwargs)], tol, eager)


# --- from shape or value ---------------------------------------------------------------------

@pytest.mark.parametrize("name", ["zeros", "ones"])
def test_zeros_ones(name):
    same_many([(name, (shape,), {}) for shape in SHAPES + [-1, (2, -1), 2.0, (2.0,)]]
              + [(name, ((2, 3), dtype), {}) for dtype in ALL]
              + [(name, (3,), {"dtype": None, "order": "F"})])


def test_empty():
    # The values are unspecified: shape and dtype as NumPy's.
    for shape in SHAPES:
        for dtype in (None, np.int8, np.complex64):
            for out, ref in [(nc.empty(shape, dtype), np.empty(shape, dtype)),
                             (nc.empty_like(np.ones(shape, np.int16), dtype),
                              np.empty_like(np.ones(shape, np.int16), dtype))]:
                assert out.shape == ref.shape and out.dtype == ref.dtype
    same("empty", -1)


def test_full():
    same_many([("full", args, kwargs) for args, kwargs in [
        ((3, 1), {}), ((3, 1.5), {}), ((3, True), {}), ((3, 1j), {}), (((2, 3), 7), {}),
        (((), 5), {}), ((0, 5), {}), ((3, 1.5), {"dtype": int}), ((3, np.float32(2)), {}),
        (((2, 3), [1, 2, 3]), {}), (((2, 3), np.arange(3, dtype=np.int8)), {}),
        (((2, 3), [[1], [2]]), {"dtype": np.float32}), ((3, [1, 2]), {}),
        ((3, 300), {"dtype": np.int8}), ((3, -1), {"dtype": np.uint8}), ((-1, 0), {}),
        ((3.0, 0), {}), ((3, 2.5), {"dtype": np.complex64}), ((3, 1), {"order": "F"})]]
        + [("full", ((2, 2), 3), {"dtype": dtype}) for dtype in ALL]
        + [("full", (2, np.ones((), dtype)), {}) for dtype in ALL])


_PROTOS = [np.arange(6, dtype=np.int8).reshape(2, 3), [1.5, 2.5], np.array(3, np.complex64),
           np.ones((0, 2), bool), 7]
_LIKE_KWARGS = [{}, {"dtype": np.float32}, {"shape": 4}, {"shape": (2, 0)},
                {"dtype": bool, "shape": (3, 1)}, {"shape": -1}]


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "full_like"])
def test_like(name):
    same_many([(name, (proto, 2.7) if name == "full_like" else (proto,), kwargs)
               for proto in _PROTOS for kwargs in _LIKE_KWARGS])


def test_eye_tri_identity():
    cases = [((3,), {}), ((2, 4), {}), ((4, 2), {}), ((3,), {"k": 1}), ((3,), {"k": -2}),
             ((3,), {"k": 5}), ((3,), {"k": -5}), ((0,), {}), ((3, 0), {}), ((3,), {"dtype": int}),
             ((3,), {"dtype": bool}), ((2, 3), {"k": 1, "dtype": np.complex64}), ((-1,), {}),
             ((2.5,), {}), ((2, None, 1), {}), ((3,), {"order": "F"})]
    same_many([("eye", args, kwargs) for args, kwargs in cases]
              + [("tri", args, {k: v for k, v in kwargs.items() if k != "order"})
                 for args, kwargs in cases]
              + [("identity", (n,), {"dtype": dtype}) for n in (0, 1, 4)
                 for dtype in (None, int, np.float32, bool, np.complex128)])


# --- from existing data ----------------------------------------------------------------------

_DATA = [3, 2.5, True, 1 + 2j, [1, 2, 3], [[1, 2.0], [3, 4]], [], [[]],
         np.arange(6, dtype=np.uint16).reshape(2, 3), np.float32(1.5), np.array(4, np.int8)]
_CONVERTERS = ["array", "asarray", "asanyarray", "ascontiguousarray", "asfortranarray",
               "asarray_chkfinite", "require"]


@pytest.mark.parametrize("data", _DATA, ids=repr)
def test_array_asarray(data):
    dtypes = [None, np.float32, np.int64, np.complex64, bool]
    same_many([(name, (data, dtype), {}) for name in _CONVERTERS for dtype in dtypes]
              + [("array", (data, dtype), {"ndmin": 3}) for dtype in dtypes]
              + [(name, (data, dtype), {"copy": copy}) for name in ("array", "asarray")
                 for dtype in dtypes for copy in (None, True, False)])


def test_array_of_npaccel_values():
    x = nc.arange(6)
    for fn in (nc.array, nc.asarray, nc.copy):
        assert fn(x) is not None and np.asarray(fn(x)).tolist() == list(range(6))
    assert nc.asarray(x, copy=False) is x   # immutable: no copy needed
    with pytest.raises(ValueError):
        nc.asarray(x, np.float32, copy=False)
    nested = nc.array([x, x], dtype=np.float32)
    assert_close(nested, np.array([np.arange(6)] * 2, np.float32), 0)
    assert_close(nc.array([[1, 2]], ndmax=2), np.array([[1, 2]], ndmax=2), 0)
    with pytest.raises(ValueError):
        nc.array([[1]], ndmax=1)


def test_chkfinite_and_require_errors():
    same("asarray_chkfinite", [1.0, np.inf])
    same("asarray_chkfinite", [1.0, np.nan], np.float32)
    same("require", [1], requirements="Z")
    same("require", [1], requirements="CF")
    same("require", [1], np.float32, requirements=["A", "W", "O", "E"])
    with pytest.raises(ConcretizationError):
        npaccel.jit(nc.asarray_chkfinite)(np.ones(2))
    # Under grad the primal is concrete, so the check runs.
    assert float(npaccel.grad(lambda x: lax.mul(nc.asarray_chkfinite(x), 3.0))(2.0)) == 3.0


def test_copy():
    for data in ([1, 2], np.ones((2, 0)), 5.0):
        same("copy", data)


def test_from_host_data():
    buf = np.arange(5, dtype=np.int16).tobytes()
    same("frombuffer", buf, np.int16)
    same("frombuffer", buf, np.int16, count=2, offset=2)
    same("frombuffer", buf)
    same("fromiter", range(5), np.float32)
    assert_close(nc.fromiter((i * i for i in range(4)), int, count=3),
                 np.fromiter((i * i for i in range(4)), int, count=3), 0)
    same("fromstring", "1 2 3", sep=" ")
    same("fromstring", "1,2", np.int8, sep=",")


# --- numerical ranges ------------------------------------------------------------------------

_ARANGE = [
    (5,), (0,), (-3,), (2, 9), (9, 2), (2, 9, 3), (9, 2, -2), (0.0, 1.0, 0.1), (1.5,),
    (0, 1, 0.3), (-1, 1, 0.25), (1, 2, 0.3), (0, 10, 0), (0, np.inf), (0, np.nan),
    (np.float32(0), 1.0, 0.1), (np.float32(3),), (np.int8(5),), (np.uint64(5),), (True,),
    (np.uint8(3), np.int8(5)), (1j, 5 + 3j), (0, 3, 1.5j), (np.array(3),), (10**10, 10**10 + 3),
    (2**63, 2**63 + 3), (0.5, 3),
]


def test_arange():
    same_many([("arange", args, {}) for args in _ARANGE])


def test_arange_dtype():
    same_many([("arange", args, {"dtype": dtype}) for args, dtype in [
        ((5,), np.float32), ((5,), np.float16), ((0, 5, 0.5), int), ((0, 300, 100), np.int8),
        ((3, 0, -1), np.uint8), ((-3, 0), np.uint8), ((0.5, 3), np.float16), ((0, 3), np.complex64),
        ((1, 2, 0.3), np.float32), ((3,), bool), ((2,), bool), ((1,), bool),
        ((0, 1, 0.1), np.float16), ((0, 5), np.int16), ((-5, 5, 3), np.int32),
        ((0, 100, 7), np.uint16), ((1j, 3 + 1j), np.complex128), ((0, 2**40, 2**37), np.int64),
        ((250, 260), np.uint8), ((-1, 2.5, 0.5), np.float64)]])


def test_arange_keywords_and_errors():
    same("arange", stop=3)
    same("arange", 3, None, 1)
    same("arange", 3, step=None)
    same("arange", 1, 10, step=2, dtype=float)
    same("arange", np.array([3]))
    same("arange", None)
    with pytest.raises(TypeError):
        nc.arange()
    assert_close(nc.arange(nc.asarray(4)), np.arange(4), 0)   # a concrete npaccel bound
    with pytest.raises(ConcretizationError):
        npaccel.jit(nc.arange)(4)


@pytest.mark.parametrize("dtype", [None, np.float32, int, np.int8, np.complex64, bool])
def test_linspace_scalar_bounds(dtype):
    same_many([("linspace", (0, 10, num), {"endpoint": endpoint, "dtype": dtype})
               for num in (0, 1, 2, 5, 50) for endpoint in (True, False)]
              + [("linspace", (-2.5, 7.25, num, endpoint), {"retstep": True, "dtype": dtype})
                 for num in (0, 1, 2, 5) for endpoint in (True, False)])


_BOUNDS = [(np.float32(0), 1), (np.int8(0), np.int8(5)), (np.float16(0), 1), (1j, 2 + 3j),
           ([0, 1, 2], 5), ([[0.0], [1.0]], [2.0, 3.0, 4.0]), (np.array(1, np.int32), 5.0),
           (np.arange(3, dtype=np.float32), np.float64(9))]


def test_linspace_array_bounds():
    same_many([("linspace", (start, stop, 6), {"axis": axis}) for start, stop in _BOUNDS
               for axis in (0, -1)]
              + [("linspace", (start, stop, 4), {"endpoint": False, "retstep": True, "axis": axis})
                 for start, stop in _BOUNDS for axis in (0, 1)])


def test_linspace_denormal_step():
    # The step underflows: NumPy then divides before multiplying, and so do we. (The
    # returned step itself is denormal, which XLA's CPU backend flushes to zero.)
    same("linspace", 1e-320, 2e-320, 4, endpoint=False)
    same("linspace", 0, 5e-323, 3)


def test_linspace_errors():
    same("linspace", 0, 1, -1)
    same("linspace", 0, 1, 2.5)
    same("linspace", [0, 1], 2, 3, axis=2)
    same("linspace", [0, 1], [2, 3, 4])


def test_logspace():
    same_many([("logspace", args, kwargs) for args, kwargs in [
        ((0, 2, 3), {}), ((0, 2, 5), {"base": 2}), ((0, 1, 4), {"endpoint": False}),
        ((np.float32(0), np.float32(1), 3), {}), ((0, 3, 4), {"dtype": int}),
        (([0, 1], 2, 3), {"axis": 1}), ((0, 2, 3), {"base": [2.0, 3.0], "axis": 1}),
        ((0, 2, 3), {"base": np.float32(2)}), ((0, 1, 0), {}), ((1j, 2j, 3), {}),
        (([0.0, 1.0], [[2.0], [3.0]], 3), {"base": [2.0, 10.0], "axis": -1})]])


def test_geomspace():
    same_many([("geomspace", args, kwargs) for args, kwargs in [
        ((1, 1000, 4), {}), ((1, 1000, 4), {"endpoint": False}), ((-1, -100, 3), {}),
        ((1j, 100j, 3), {}), ((1, 100, 3), {"dtype": np.float32}), ((1, 100, 3), {"dtype": int}),
        ((np.float32(1), np.float32(100), 3), {}), (([1, 2], [16, 32], 5), {"axis": 1}),
        ((1, 0, 3), {}), ((0, 5, 3), {}), ((1, 16, 1), {}), ((1, 16, 0), {}),
        ((-1 + 0j, 1 + 1j, 5), {}), ((2, 2, 3), {}), ((1, 256, 9), {"dtype": np.complex64})]])


def test_meshgrid():
    inputs = ([], [[1, 2, 3]], [[1, 2], np.arange(3.0)],
              [[1], [2, 3], np.arange(4, dtype=np.int8)], [np.ones((2, 2)), [1, 2]])
    same_many([("meshgrid", tuple(xi), dict(indexing=indexing, sparse=sparse, copy=copy))
               for xi in inputs for indexing in ("xy", "ij") for sparse in (False, True)
               for copy in (True, False)] + [("meshgrid", ([1, 2], [3]), {"indexing": "foo"})])
    assert isinstance(nc.meshgrid([1], [2], sparse=True, copy=False), list)   # as NumPy


_GRIDS = [np.s_[0:5], np.s_[:3], np.s_[1:3:-1], np.s_[0:1:5j], np.s_[0:3:3j], np.s_[0:5:0],
          np.s_[0:2, 0:3], np.s_[0:2:0.5, 0:3], np.s_[0:2, 0:1:3j], np.s_[-1:1:0.5, 1:3, 0:2],
          np.s_[np.float32(0):np.float32(2)], np.s_[np.float32(0):np.float32(2), 0:1],
          np.s_[0:4:1j], np.s_[0:4:1j, 0:2:2j], np.s_[3:0:-1, 0:2], np.s_[1:3:-1, 0:2]]


@pytest.mark.parametrize("grid", ["mgrid", "ogrid"])
def test_index_grids(grid):
    good = []
    for key in _GRIDS:
        try:
            good.append((key, getattr(np, grid)[key]))
        except Exception as e:   # noqa: BLE001
            with pytest.raises(type(e)):
                getattr(nc, grid)[key]
    actual = npaccel.jit(lambda: [getattr(nc, grid)[key] for key, _ in good])()
    for (key, expected), a in zip(good, actual):
        _assert_tree(a, expected, None, f"{grid}[{key}]")


def test_indices_and_fromfunction():
    same_many([("indices", (dims, dtype, sparse), {}) for dims in [(), (0,), (3,), (2, 3), (2, 0, 4)]
               for dtype in (int, np.float32, np.int8) for sparse in (False, True)]
              + [("indices", ((2, -1),), {})])
    same("fromfunction", lambda i, j: i * 10 + j, (2, 3))
    same("fromfunction", lambda i, j: i >= j, (3, 3), dtype=int)
    same("fromfunction", lambda i, *, c: i + c, (4,), c=2.5)
    same("fromfunction", lambda i: i, 3)


# --- building matrices -----------------------------------------------------------------------

_MATS = [np.arange(12.0).reshape(3, 4), np.arange(6, dtype=np.int8).reshape(3, 2) - 3,
         np.ones((2, 3, 3), np.complex64), np.arange(4, dtype=np.uint32), np.ones((0, 3), bool),
         np.ones(()), [[1, 2], [3, 4]]]


@pytest.mark.parametrize("m", _MATS, ids=lambda m: str(np.shape(m)))
def test_tril_triu(m):
    same_many([(name, (m, k), {}) for name in ("tril", "triu") for k in (0, 1, -1, 3, -4)])


@pytest.mark.parametrize("v", [np.arange(1, 4), np.arange(12).reshape(3, 4), np.ones(0),
                               np.ones((2, 0)), np.arange(4.0).reshape(2, 2).astype(np.float16),
                               [1j, 2], np.ones((2, 2, 2)), 3, [True, False]],
                         ids=lambda v: str(np.shape(v)))
def test_diag_diagflat(v):
    same_many([(name, (v, k), {}) for name in ("diag", "diagflat") for k in (0, 2, -1, -5)])


@pytest.mark.parametrize("x", [[1, 2, 3], np.float32([1.5, -2]), np.array([True, False]),
                               np.uint64([1, 2]), np.int8([3, 4, 5]), [1j, 2], [], np.ones((2, 2)),
                               5], ids=repr)
def test_vander(x):
    same_many([("vander", (x, N, increasing), {}) for N in (None, 0, 1, 4, -1)
               for increasing in (False, True)])


@pytest.mark.parametrize("name,args,kwargs", [
    ("full", ((2, 3), [1, 2, 3]), {}), ("eye", (3, 4), {"k": 1}),
    ("arange", (3, 0, -1), {"dtype": np.uint8}), ("arange", (1j, 5 + 3j), {}),
    ("linspace", (0, [1, 2], 5), {"axis": -1, "retstep": True}),
    ("geomspace", (-1, -100, 3), {}), ("meshgrid", ([1, 2], [3, 4, 5]), {"sparse": True}),
    ("tril", (np.ones((3, 4)),), {"k": 1}), ("diag", ([1, 2],), {"k": -1}),
    ("vander", ([1, 2, 3],), {}), ("asarray_chkfinite", ([1.0, np.inf],), {}),
], ids=lambda p: p if isinstance(p, str) else "")
def test_eager_matches_numpy(name, args, kwargs):
    same(name, *args, eager=True, **kwargs)


def test_index_grids_eager():
    for grid in ("mgrid", "ogrid"):
        _assert_tree(getattr(nc, grid)[0:2, 0:1:3j], getattr(np, grid)[0:2, 0:1:3j], None, grid)


# --- transformations -------------------------------------------------------------------------

def _data_routines():
    """Creation routines of array data: (name, function, args)."""
    rng = np.random.default_rng(0)
    m, v = rng.standard_normal((3, 4)), rng.standard_normal(3)
    return [
        ("full", lambda x: nc.full((2, 3), x), [v]),
        ("full_like", lambda x: nc.full_like(np.ones((2, 3), np.float32), x), [v]),
        ("linspace", lambda a, b: nc.linspace(a, b, 5), [v, v + 1]),
        ("linspace-axis", lambda a, b: nc.linspace(a, b, 4, endpoint=False, axis=-1), [v, 2 * v]),
        ("logspace", lambda a, b: nc.logspace(a, b, 4, base=2.0), [v, v + 1]),
        ("geomspace", lambda a, b: nc.geomspace(a, b, 4), [np.abs(v) + 1, np.abs(v) + 3]),
        ("tril", lambda x: nc.tril(x, -1), [m]),
        ("triu", lambda x: nc.triu(x, 1), [m]),
        ("diag", lambda x: nc.diag(x, 1), [v]),
        ("diag2d", lambda x: nc.diag(x, -1), [m]),
        ("diagflat", lambda x: nc.diagflat(x), [m[:2, :2]]),
        ("vander", lambda x: nc.vander(x, 4), [v]),
        ("meshgrid", lambda a, b: nc.meshgrid(a, b), [v, m[0]]),
        ("array", lambda x: nc.array(x, ndmin=3), [v]),
        ("asarray-dtype", lambda x: nc.asarray(x, np.float32), [m]),
        ("zeros_like", lambda x: nc.zeros_like(x, shape=(2,)), [v]),
    ]


@pytest.mark.parametrize("name,fn,args", _data_routines(), ids=lambda p: p if isinstance(p, str) else "")
def test_jit_matches_eager(name, fn, args):
    _assert_tree(npaccel.jit(fn)(*args), fn(*args), 1e-12, name)


@pytest.mark.parametrize("name,fn,args", _data_routines(), ids=lambda p: p if isinstance(p, str) else "")
def test_vmap_matches_loop(name, fn, args):
    stacked = [np.stack([a, a * 0.5 + 1, a * 2]) for a in args]
    batched = npaccel.jit(npaccel.vmap(fn))(*stacked)
    loop = [fn(*[s[i] for s in stacked]) for i in range(3)]
    expected = npaccel.tree_util.tree_map(lambda *xs: np.stack([np.asarray(x) for x in xs]), *loop)
    _assert_tree(batched, expected, 1e-12, name)


_LINEAR = ["full", "linspace", "linspace-axis", "tril", "triu", "diag", "diag2d", "diagflat",
           "meshgrid", "vander", "geomspace"]


@pytest.mark.parametrize("name,fn,args", [r for r in _data_routines() if r[0] in _LINEAR],
                         ids=lambda p: p if isinstance(p, str) else "")
def test_grads(name, fn, args):
    check_grads(npaccel.jit(fn), args, order=2 if name == "linspace" else 1)


def test_traced_shapes_raise():
    with pytest.raises(ConcretizationError):
        npaccel.jit(lambda n: nc.zeros(n))(3)
    with pytest.raises(ConcretizationError):
        npaccel.jit(lambda n: nc.linspace(0, 1, n))(3)
    with pytest.raises(ConcretizationError):
        npaccel.jit(lambda k: nc.eye(3, k=k))(1)
    # geomspace cannot check traced bounds for zero: it computes (inf/nan) instead
    out = npaccel.jit(lambda a: nc.geomspace(a, 8.0, 3))(1.0)
    assert_close(out, np.geomspace(1.0, 8.0, 3), 1e-12)
