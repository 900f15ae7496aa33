"""npaccel.numpy.products against NumPy: values, result dtypes and exception classes for
dot, vdot, inner, outer, tensordot, kron, cross and einsum (a table of subscripts, both
calling forms, every optimize mode), einsum_path; jit against eager, vmap against a loop,
and derivatives against finite differences."""
import warnings

import numpy as np
import pytest

import npaccel
from npaccel.numpy import products as npr
from harness import assert_close, check_grads, default_tol
from tests.numpy._against_numpy import expected_exception

ALL = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
       np.uint64, np.float16, np.float32, np.float64, np.complex64, np.complex128]


def rand(shape, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        return rng.integers(0 if dtype.kind == "u" else -9, 10, size=shape).astype(dtype)
    x = rng.standard_normal(shape)
    if dtype.kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def _tol(dtype):
    dtype = np.dtype(dtype)
    return 2e-2 if dtype == np.float16 else 10 * default_tol(dtype)



def same(fn, *args, tol=None, **kwargs):
    """npaccel's `fn` (a name in products) against NumPy's: values and dtype, or NumPy's
    exception class."""
    np_fn, na_fn = getattr(np, fn), getattr(npr, fn)
    try:
        expected = np_fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 (what NumPy raises is the specification)
        with pytest.raises(expected_exception(e)):
            na_fn(*args, **kwargs)
        return
    actual = na_fn(*args, **kwargs)
    expected = np.asarray(expected)
    assert_close(actual, expected, _tol(expected.dtype) if tol is None else tol,
                 err_msg=f"{fn} {[np.shape(a) for a in args]} {kwargs}")


@pytest.fixture(autouse=True)
def _quiet():
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


# --- dot, vdot, inner, outer, kron -----------------------------------------------------

DOT_SHAPES = [((), ()), ((), (3,)), ((2, 3), ()), ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)),
              ((2, 3), (3, 4)), ((2, 2, 3), (4, 3, 2)), ((0,), (0,)), ((2, 0), (0, 3)),
              ((3,), (4,)), ((2, 3), (2, 3))]
INNER_SHAPES = [((), (3,)), ((3,), (3,)), ((2, 3), (3,)), ((2, 3), (4, 3)), ((2, 2, 3), (3,)),
                ((0,), (0,)), ((3,), (4,))]
PAIR_SHAPES = [((), ()), ((3,), (4,)), ((2, 3), (3, 1)), ((2, 1, 2), (3, 2)), ((0,), (2,)),
               ((2, 2), ())]


@pytest.mark.parametrize("shapes", DOT_SHAPES, ids=str)
def test_dot_shapes(shapes):
    same("dot", rand(shapes[0]), rand(shapes[1], seed=1))


@pytest.mark.parametrize("dtype", ALL, ids=lambda d: np.dtype(d).name)
def test_dot_dtypes(dtype):
    same("dot", rand((2, 3), dtype), rand((3, 4), dtype, seed=1))
    same("vdot", rand((2, 2), dtype), rand((4,), dtype, seed=1))


def test_dot_mixed_and_scalars():
    same("dot", rand(3, np.int8), rand(3, np.float32))
    same("dot", rand(3, np.int8), 3)          # a Python scalar is an int64 array here
    same("dot", 2.0, rand((2, 2), np.float32))
    same("dot", [1, 2], [[1, 2], [3, 4]])
    with pytest.raises(TypeError, match="ndarray"):
        npr.dot(rand(2), rand(2), out=np.zeros(()))


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3, 2)), ((), ()), ((3,), (4,)),
                                    ((2,), ())], ids=str)
def test_vdot(shapes):
    same("vdot", rand(shapes[0], np.complex128), rand(shapes[1], np.complex128, seed=1))


@pytest.mark.parametrize("shapes", INNER_SHAPES, ids=str)
def test_inner(shapes):
    same("inner", rand(shapes[0]), rand(shapes[1], seed=1))


@pytest.mark.parametrize("fn", ["outer", "kron"])
@pytest.mark.parametrize("shapes", PAIR_SHAPES, ids=str)
def test_outer_kron(fn, shapes):
    same(fn, rand(shapes[0]), rand(shapes[1], seed=1))


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint32, np.float16, np.complex64],
                         ids=lambda d: np.dtype(d).name)
def test_inner_outer_kron_dtypes(dtype):
    for fn in ("inner", "outer", "kron"):
        same(fn, rand((2, 3), dtype), rand((3,), dtype, seed=1))


# --- tensordot ---------------------------------------------------------------------------

TENSORDOT = [((2, 3, 4), (3, 4, 5), 2), ((2, 3), (3, 4), 1), ((2, 3), (4, 5), 0),
             ((2, 3, 4), (4, 3, 2), ([1, 2], [1, 0])), ((2, 3), (3, 2), (0, 1)),
             ((2, 3), (3, 2), ([-1], [0])), ((2, 3), (3, 2), -1), ((3,), (3,), 1),
             ((2, 3), (2, 3), 1), ((2, 3), (3, 2), ([0, 1], [1])), ((2, 3), (3, 2), 3),
             ((2, 3), (3, 2), ([0], [5]))]


@pytest.mark.parametrize("a,b,axes", TENSORDOT, ids=str)
def test_tensordot(a, b, axes):
    same("tensordot", rand(a), rand(b, seed=1), axes=axes)


def test_tensordot_dtypes():
    same("tensordot", rand((2, 3), np.int16), rand((3, 2), np.float32), axes=1)
    same("tensordot", rand((2, 3), np.bool_), rand((3, 2), np.bool_), axes=1)


# --- cross -------------------------------------------------------------------------------

CROSS = [((3,), (3,), {}), ((2,), (3,), {}), ((3,), (2,), {}), ((2,), (2,), {}),
         ((4, 3), (3,), {}), ((5, 2), (5, 3), {}), ((3, 4), (4, 3), dict(axisa=0)),
         ((3, 4), (3, 4), dict(axis=0)), ((2, 3), (2, 3), dict(axisc=0)),
         ((3, 4, 3), (4, 3), dict(axisc=1)), ((4,), (3,), {}), ((), (3,), {}),
         ((3,), (3,), dict(axisa=2)), ((3,), (3,), dict(axisc=1)), ((2,), (2,), dict(axisc=5))]


@pytest.mark.parametrize("a,b,kw", CROSS, ids=str)
def test_cross(a, b, kw):
    same("cross", rand(a), rand(b, seed=1), **kw)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.float32, np.complex128, np.bool_],
                         ids=lambda d: np.dtype(d).name)
def test_cross_dtypes(dtype):
    same("cross", rand((2, 3), dtype), rand((3,), dtype, seed=1))


def test_cross_warns_for_2_vectors():
    with pytest.warns(DeprecationWarning, match="2-dimensional vectors"):
        npr.cross(rand(2), rand(3))


# --- einsum ------------------------------------------------------------------------------

EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ii", [(3, 3)]),
    ("ii->i", [(3, 3)]), ("ij->", [(2, 3)]), ("ji", [(2, 3)]), ("ij->ji", [(2, 3)]),
    ("i,i", [(3,), (3,)]), ("i,i->i", [(3,), (3,)]), ("i,j", [(2,), (3,)]),
    ("i,j->ji", [(2,), (3,)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("...ij,...jk", [(1, 2, 3), (5, 3, 4)]), ("...ij,...jk->...ik", [(2, 2, 3), (3, 4)]),
    ("...i->...", [(2, 3, 4)]), ("i...->...", [(2, 3, 4)]), ("...,...", [(2, 3), (3,)]),
    ("ij...,j->i...", [(2, 3, 4), (3,)]), ("iij->j", [(3, 3, 2)]), ("iii->i", [(3, 3, 3)]),
    ("iji->ij", [(2, 3, 2)]), ("i,i", [(1,), (3,)]), ("ij,j", [(3, 1), (3,)]),
    ("ijk,jkl,lm->im", [(2, 3, 4), (3, 4, 5), (5, 2)]), ("ab,cd,bc->ad", [(2, 3), (4, 5), (3, 4)]),
    ("ij,jk,kl,lm->im", [(2, 3), (3, 4), (4, 5), (5, 2)]), ("i,j,k", [(2,), (3,), (2,)]),
    ("ea,fb,abcd,gc,hd->efgh", [(2, 3), (2, 3), (3, 3, 3, 3), (2, 3), (2, 3)]),
    ("bA,Ab", [(2, 3), (3, 2)]), ("i,ij,j->", [(3,), (3, 4), (4,)]),
    (" i j , j k ", [(2, 3), (3, 4)]),
    ("", [()]), (",i", [(), (3,)]), ("ij,kl->ijkl", [(0, 2), (2, 3)]),
]
EINSUM_ERRORS = [
    ("ij", [(3,)]), ("i", [(2, 3)]), ("i,i", [(2,), (3,)]), ("ii", [(2, 3)]),
    ("ij->k", [(2, 3)]), ("ij->ii", [(2, 3)]), ("i1", [(3, 3)]), ("i,i", [(3,)]),
    ("i", [(3,), (3,)]), ("i...->", [(2, 3)]), ("i->..", [(3,)]), ("i.i", [(3, 3)]),
]


def _einsum_args(shapes, dtype=np.float64):
    return [rand(s, dtype, seed=i) for i, s in enumerate(shapes)]


@pytest.mark.parametrize("optimize", [False, True], ids=["plain", "opt"])
@pytest.mark.parametrize("subscripts,shapes", EINSUM, ids=[s for s, _ in EINSUM])
def test_einsum(subscripts, shapes, optimize):
    same("einsum", subscripts, *_einsum_args(shapes), optimize=optimize)


@pytest.mark.parametrize("optimize", ["greedy", "optimal"])
@pytest.mark.parametrize("subscripts,shapes", [e for e in EINSUM if len(e[1]) >= 3],
                         ids=[s for s, sh in EINSUM if len(sh) >= 3])
def test_einsum_path_modes(subscripts, shapes, optimize):
    args = _einsum_args(shapes)
    same("einsum", subscripts, *args, optimize=optimize)
    assert npr.einsum_path(subscripts, *args, optimize=optimize) == \
        np.einsum_path(subscripts, *args, optimize=optimize)


def test_einsum_broadcast_axes_left_out_of_the_output():
    # NumPy's C einsum rejects this; its optimizing path sums the broadcast axes.
    x = rand((2, 3))
    for optimize in (False, True):
        same("einsum", "i...->", x, optimize=optimize)
        same("einsum", "i...,i...->i", x, x, optimize=optimize)


def test_einsum_explicit_path():
    args = _einsum_args([(2, 3), (3, 4), (4, 5)])
    path = ["einsum_path", (1, 2), (0, 1)]
    same("einsum", "ij,jk,kl->il", *args, optimize=path)


@pytest.mark.parametrize("subscripts,shapes", EINSUM_ERRORS, ids=[s for s, _ in EINSUM_ERRORS])
def test_einsum_errors(subscripts, shapes):
    same("einsum", subscripts, *_einsum_args(shapes))


@pytest.mark.parametrize("dtype", ALL, ids=lambda d: np.dtype(d).name)
def test_einsum_dtypes(dtype):
    same("einsum", "ij,jk->ik", *_einsum_args([(2, 3), (3, 2)], dtype))
    same("einsum", "ii->", *_einsum_args([(3, 3)], dtype))


def test_einsum_dtype_and_casting():
    a, b = rand(3, np.float32), rand(3, np.float32, seed=1)
    same("einsum", "i,i", a, b, dtype=np.float64)
    same("einsum", "i,i", a, b, dtype=np.float16)                      # TypeError (safe)
    same("einsum", "i,i", a, b, dtype=np.float16, casting="unsafe")
    same("einsum", "i,i->i", rand(3, np.int8), a)
    with pytest.raises(TypeError, match="ndarray"):
        npr.einsum("i", a, out=np.zeros(3))


def test_einsum_interleaved():
    a, b = rand((2, 3)), rand((3, 4), seed=1)
    same("einsum", a, [0, 1], b, [1, 2], [0, 2])
    same("einsum", a, [0, 1], b, [1, 2])
    same("einsum", a, [Ellipsis, 1], [1, Ellipsis])
    same("einsum", a, [Ellipsis, 1], [1])
    same("einsum", a, [0, 60])
    same("einsum", a, [0, 1], b, [1, 2], [0, 2], optimize=True)


def test_einsum_path():
    args = _einsum_args([(2, 3), (3, 4), (4, 5)])
    for optimize in ("greedy", "optimal", True, False):
        assert npr.einsum_path("ij,jk,kl->il", *args, optimize=optimize) == \
            np.einsum_path("ij,jk,kl->il", *args, optimize=optimize)
    a, b = args[:2]
    assert npr.einsum_path(a, [0, 1], b, [1, 2], [0, 2]) == \
        np.einsum_path(a, [0, 1], b, [1, 2], [0, 2])


# --- transformations ---------------------------------------------------------------------

JIT_CASES = [
    ("dot", lambda a, b: npr.dot(a, b), [(2, 3), (3, 4)]),
    ("vdot", lambda a, b: npr.vdot(a, b), [(2, 3), (3, 2)]),
    ("inner", lambda a, b: npr.inner(a, b), [(2, 3), (4, 3)]),
    ("outer", lambda a, b: npr.outer(a, b), [(2,), (3,)]),
    ("kron", lambda a, b: npr.kron(a, b), [(2, 2), (3,)]),
    ("tensordot", lambda a, b: npr.tensordot(a, b, ([1, 2], [1, 0])), [(2, 3, 4), (4, 3, 2)]),
    ("cross", lambda a, b: npr.cross(a, b), [(4, 3), (3,)]),
    ("einsum_matmul", lambda a, b: npr.einsum("bij,bjk->bik", a, b), [(2, 3, 4), (2, 4, 2)]),
    ("einsum_trace", lambda a: npr.einsum("ii", a), [(3, 3)]),
    ("einsum_diag", lambda a: npr.einsum("iij->ij", a), [(3, 3, 2)]),
    ("einsum_ellipsis", lambda a, b: npr.einsum("...ij,...j->...i", a, b), [(2, 3, 4), (4,)]),
    ("einsum_three_opt", lambda a, b, c: npr.einsum("ij,jk,kl->il", a, b, c, optimize=True),
     [(2, 3), (3, 4), (4, 2)]),
]


@pytest.mark.parametrize("name,fun,shapes", JIT_CASES, ids=[c[0] for c in JIT_CASES])
def test_jit_matches_eager(name, fun, shapes):
    args = _einsum_args(shapes)
    assert_close(npaccel.jit(fun)(*args), fun(*args), 1e-12, err_msg=name)


GRAD_CASES = [c for c in JIT_CASES if c[0] in
              ("dot", "vdot", "tensordot", "cross", "einsum_matmul", "einsum_trace", "einsum_diag",
               "einsum_ellipsis", "einsum_three_opt", "kron")]


@pytest.mark.parametrize("name,fun,shapes", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_grads(name, fun, shapes):
    check_grads(fun, _einsum_args(shapes), order=1)


def test_second_order_grads_dot():
    check_grads(lambda a, b: npr.dot(a, b), _einsum_args([(2, 3), (3,)]), order=2)


def test_complex_grads_einsum():
    args = _einsum_args([(2, 3), (3, 2)], np.complex128)
    check_grads(lambda a, b: npr.einsum("ij,jk->ik", a, b), args, order=1)


def test_vmap_matches_loop():
    a, b = rand((4, 2, 3)), rand((4, 3, 2), seed=1)
    fun = lambda x, y: npr.einsum("ij,jk->ik", x, y)  # noqa: E731
    expected = np.stack([np.asarray(fun(x, y)) for x, y in zip(a, b)])
    assert_close(npaccel.vmap(fun)(a, b), expected, 1e-12)
    expected = np.stack([np.asarray(npr.dot(x, b[0])) for x in a])
    assert_close(npaccel.vmap(npr.dot, in_axes=(0, None))(a, b[0]), expected, 1e-12)
