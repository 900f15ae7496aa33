"""Indexing routines, functional programming, packbits, dtype routines and I/O vs NumPy."""
import numpy as np
import pytest

import npaccel as na
from npaccel.numpy import bitwise, dtype_routines, functional, indexing, io


def _same(got, want):
    got = got if isinstance(got, tuple) else (got,)
    want = want if isinstance(want, tuple) else (want,)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        g = np.asarray(g)
        assert g.dtype == np.asarray(w).dtype and g.shape == np.shape(w)
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("call", [
    lambda m: m.ix_([0, 1], [2, 3, 4]),
    lambda m: m.ix_(np.array([True, False, True]), [1]),
    lambda m: m.ravel_multi_index(([1, 2], [3, 0]), (3, 4)),
    lambda m: m.ravel_multi_index(([1, 5], [3, -1]), (3, 4), mode="wrap", order="F"),
    lambda m: m.ravel_multi_index(([1, 5], [3, -1]), (3, 4), mode="clip"),
    lambda m: m.unravel_index([5, 11, 0], (3, 4)),
    lambda m: m.unravel_index(7, (2, 2, 2), order="F"),
    lambda m: m.tril_indices(3, 1, 4), lambda m: m.triu_indices(4, -1),
    lambda m: m.tril_indices_from(np.ones((2, 5))), lambda m: m.triu_indices_from(np.ones((3, 3)), 1),
    lambda m: m.diag_indices(3, 3), lambda m: m.diag_indices_from(np.ones((2, 2))),
    lambda m: m.mask_indices(3, np.triu, 1),
])
def test_indexing_routines(call):
    _same(call(indexing), call(np))


def test_indexing_routine_errors():
    for m in (np, indexing):
        with pytest.raises(ValueError):
            m.ravel_multi_index(([1, 3],), (3,))
        with pytest.raises(ValueError):
            m.unravel_index([12], (3, 4))
        with pytest.raises(ValueError):
            m.diag_indices_from(np.ones((2, 3)))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_apply_along_axis(axis):
    x = np.arange(24.0).reshape(2, 3, 4)
    for f in (lambda v: v.sum(), lambda v: v[::-1] * 2, lambda v: np.outer(v, v)):
        want = np.apply_along_axis(f, axis, x)
        got = functional.apply_along_axis(lambda v: f(na.dispatch.asndarray(v)), axis, x)
        np.testing.assert_allclose(np.asarray(got), want)


def test_apply_over_axes_and_piecewise():
    x = np.arange(24.0).reshape(2, 3, 4)
    want = np.apply_over_axes(np.sum, x, [0, 2])
    got = functional.apply_over_axes(lambda v, a: np.sum(na.dispatch.asndarray(v), axis=a), x, [0, 2])
    np.testing.assert_allclose(np.asarray(got), want)
    y = np.linspace(-2, 2, 9)
    conds = [y < -1, (y >= -1) & (y < 1)]
    funcs = [lambda v: -v, 0.5, lambda v: v * v]
    np.testing.assert_allclose(np.asarray(functional.piecewise(y, conds, funcs)),
                               np.piecewise(y, conds, funcs))
    np.testing.assert_allclose(np.asarray(functional.piecewise(y, conds, funcs[:2])),
                               np.piecewise(y, conds, funcs[:2]))


@pytest.mark.parametrize("shape,axis,order", [((13,), None, "big"), ((3, 10), 1, "little"),
                                              ((4, 3), 0, "big"), ((2, 2), None, "little")])
def test_packbits_unpackbits(shape, axis, order):
    bits = (np.arange(int(np.prod(shape))).reshape(shape) * 7 % 3 == 0)
    packed = np.packbits(bits, axis=axis, bitorder=order)
    _same(bitwise.packbits(bits, axis=axis, bitorder=order), packed)
    _same(bitwise.unpackbits(packed, axis=axis, bitorder=order),
          np.unpackbits(packed, axis=axis, bitorder=order))
    _same(bitwise.unpackbits(packed, axis=axis, count=5, bitorder=order),
          np.unpackbits(packed, axis=axis, count=5, bitorder=order))


def test_dtype_routines():
    x32 = na.device_put(np.ones(3, np.float32))
    assert dtype_routines.common_type(x32, np.ones(2, np.int8)) is np.common_type(np.ones(3, np.float32), np.ones(2, np.int8))
    assert dtype_routines.min_scalar_type(na.device_put(np.array(10))) == np.min_scalar_type(np.array(10))
    assert dtype_routines.isscalar(x32) is False and dtype_routines.isscalar(3.0) is True
    assert dtype_routines.iterable(x32) and not dtype_routines.iterable(na.device_put(np.array(1.0)))
    assert dtype_routines.astype(x32, np.int8).dtype == np.int8


def test_io_round_trips(tmp_path):
    x = na.device_put(np.arange(6.0).reshape(2, 3))
    io.save(tmp_path / "a.npy", x)
    np.testing.assert_array_equal(np.asarray(io.load(tmp_path / "a.npy")), np.asarray(x))
    io.savetxt(tmp_path / "a.txt", x)
    np.testing.assert_array_equal(np.asarray(io.loadtxt(tmp_path / "a.txt")), np.asarray(x))
    assert io.array_repr(x) == np.array_repr(np.asarray(x))
    assert io.array2string(x) == np.array2string(np.asarray(x))
    assert io.binary_repr(na.device_put(np.array(5))) == np.binary_repr(5)
