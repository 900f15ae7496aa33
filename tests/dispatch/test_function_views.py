"""NumPy functions that return views (np.transpose, np.diagonal, np.split, ...) return
views of npaccel arrays too: writes reach the base, or raise where NumPy's view is
read-only; np.shares_memory/may_share_memory answer as NumPy does. Eager and under jit."""
import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

import npaccel

CASES = [
    (np.transpose, ()), (np.transpose, ((1, 0, 2),)), (np.permute_dims, ((2, 0, 1),)),
    (np.matrix_transpose, ()), (np.swapaxes, (0, 2)), (np.moveaxis, (0, -1)),
    (np.rollaxis, (2,)), (np.expand_dims, (1,)), (np.flip, ()), (np.flip, (1,)),
    (np.fliplr, ()), (np.flipud, ()), (np.rot90, ()), (np.rot90, (3, (1, 2))),
    (np.split, (2,)), (np.array_split, (3, 2)), (np.hsplit, (3,)), (np.vsplit, ([1],)),
    (np.dsplit, (2,)), (np.unstack, ()), (np.diagonal, ()), (np.diagonal, (1, 1, 2)),
    (np.broadcast_to, ((3, 2, 3, 4),)), (sliding_window_view, ((2, 2, 2),)),
    (sliding_window_view, ((2, 2), (0, 2))), (np.squeeze, ()),
]
BAD = [(np.moveaxis, (5, 0)), (np.swapaxes, (0, 3)), (np.diagonal, (0, 1, 1)),
       (np.split, (5,)), (np.broadcast_to, ((3,),)), (sliding_window_view, (9,))]


def _name(case):
    f, args = case
    return f"{f.__name__}{args}"


def _base(shape=(2, 3, 4)):
    return np.arange(np.prod(shape), dtype=np.float64).reshape(shape)


def _write(view, value):
    for v in (view if isinstance(view, (list, tuple)) else [view]):
        v[...] = value


def _check_write(f, args, base_np, base_x):
    view_np, view_x = f(base_np, *args), f(base_x, *args)
    assert type(view_x) is type(view_np) if isinstance(view_np, (list, tuple)) else \
        isinstance(view_x, npaccel.ndarray)
    for v_np, v_x in zip(*[v if isinstance(v, (list, tuple)) else [v] for v in (view_np, view_x)]):
        np.testing.assert_array_equal(np.asarray(v_x), v_np)
        assert v_x.base is base_x and v_x.flags.writeable == v_np.flags.writeable
    try:
        _write(view_np, -1.0)
    except ValueError:
        with pytest.raises(ValueError, match="read-only"):
            _write(view_x, -1.0)
        return
    _write(view_x, -1.0)
    np.testing.assert_array_equal(np.asarray(base_x), base_np)


@pytest.mark.parametrize("case", CASES, ids=_name)
def test_view_functions_write_through_like_numpy(case):
    f, args = case
    base_np = _base((1, 3, 4) if f is np.squeeze else (2, 3, 4))
    _check_write(f, args, base_np, npaccel.array(base_np))


@pytest.mark.parametrize("case", CASES, ids=_name)
def test_base_writes_show_through_views(case):
    f, args = case
    base_np = _base((1, 3, 4) if f is np.squeeze else (2, 3, 4))
    base_x = npaccel.array(base_np)
    view_np, view_x = f(base_np, *args), f(base_x, *args)
    base_np[0, 1:] = 7.0
    base_x[0, 1:] = 7.0
    for v_np, v_x in zip(*[v if isinstance(v, (list, tuple)) else [v] for v in (view_np, view_x)]):
        np.testing.assert_array_equal(np.asarray(v_x), v_np)


@pytest.mark.parametrize("case", BAD, ids=_name)
def test_bad_arguments_raise_numpys_exception(case):
    f, args = case
    with pytest.raises(Exception) as expected:
        f(_base(), *args)
    with pytest.raises(expected.type):
        f(npaccel.array(_base()), *args)


def test_writes_through_function_views_under_jit_and_grad():
    def program(a):
        a = a * 1.0
        np.transpose(a)[0] = 0.0            # the first column of a
        for part in np.split(a, 2, axis=1):
            part[0] += 1.0
        return np.sum(np.diagonal(a) * a[1, :3])

    x = np.arange(1.0, 13.0).reshape(3, 4)
    expected = program(x.copy())
    np.testing.assert_allclose(float(npaccel.jit(program)(npaccel.array(x))), expected)
    grad = np.asarray(npaccel.grad(program)(npaccel.array(x)))
    eps, numeric = 1e-6, np.zeros_like(x)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        numeric[i] = (program(x + d) - program(x - d)) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-6)


MEMORY = [lambda a: (a, a[1]), lambda a: (a[::2], a[1::2]), lambda a: (a, a.copy()),
          lambda a: (np.diagonal(a), a[0]), lambda a: (np.diagonal(a), a[0, 1:]),
          lambda a: (a.T, a[:, 1]), lambda a: (np.flip(a)[0], a[1]),
          lambda a: (a[:0], a), lambda a: (a.reshape(-1)[3:5], a[1])]


@pytest.mark.parametrize("pair", range(len(MEMORY)))
@pytest.mark.parametrize("func", [np.shares_memory, np.may_share_memory])
def test_memory_overlap_like_numpy(func, pair):
    base = np.arange(9.0).reshape(3, 3)
    assert func(*MEMORY[pair](npaccel.array(base))) == func(*MEMORY[pair](base))


def test_memory_overlap_of_complex_parts():
    z_np, z = np.ones(3, complex), npaccel.array(np.ones(3, complex))
    for pick in (lambda v: (v.real, v.imag), lambda v: (v, v.imag), lambda v: (v.real, v[1:])):
        assert np.shares_memory(*pick(z)) == np.shares_memory(*pick(z_np))


def test_setflags_write_like_numpy():
    for make in (np.array, npaccel.array):
        a = make(np.arange(4.0))
        a.setflags(write=False)
        view = a[1:]
        with pytest.raises(ValueError, match="read-only"):
            a[0] = 1.0
        with pytest.raises(ValueError, match="read-only"):
            view[0] = 1.0
        assert not a.flags.writeable and not view.flags.writeable
        a.setflags(write=True)
        a[0] = 7.0
        assert a[0] == 7.0
        base = make(np.eye(2))
        diagonal = np.diagonal(base)
        diagonal.setflags(write=True)
        diagonal[1] = 5.0
        assert base[1, 1] == 5.0


@pytest.mark.parametrize("dtype", ["m8[s]", "M8[D]", object, "U3"])
def test_astype_to_host_only_dtypes_gives_numpys_array(dtype):
    expected = np.arange(3).astype(dtype)
    actual = npaccel.array(np.arange(3)).astype(dtype)
    assert type(actual) is np.ndarray and actual.dtype == expected.dtype
    np.testing.assert_array_equal(actual, expected)
