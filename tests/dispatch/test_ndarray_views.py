"""Views and mutation of npaccel.ndarray mirror NumPy: every scenario runs on a NumPy array
and on an npaccel array, and the bases, views and results must agree."""
import pickle

import numpy as np
import pytest

import npaccel as na
from npaccel.dispatch import ndarray


def _pair(shape=(3, 4), dtype=np.float64):
    host = np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape)
    return host, ndarray(host)


def _same(np_arr, nd_arr):
    got = np.asarray(nd_arr)
    assert got.shape == np_arr.shape and got.dtype == np_arr.dtype
    np.testing.assert_array_equal(got, np_arr)


# Each scenario mutates through some view and returns the arrays to compare.
SCENARIOS = {
    "row_view": lambda a: (a[1].__setitem__(2, 100), a[1])[1:],
    "column_view": lambda a: (a[:, 1].__setitem__(slice(None), -5), a[:, 1])[1:],
    "transpose_view": lambda a: (a.T.__setitem__((0, 2), -1), a.T)[1:],
    "reshape_view": lambda a: (a.reshape(2, 6).__setitem__((1, 5), 55), a.reshape(6, 2))[1:],
    "strided_view": lambda a: (a[::2, 1::2].__setitem__(Ellipsis, 9), a[::2, 1::2])[1:],
    "reversed_view": lambda a: (a[:, ::-1][0].__setitem__(0, 42), a[:, ::-1])[1:],
    "view_of_view": lambda a: (a[1:][:, 2:][0].__setitem__(1, 77), a[1:][:, 2:])[1:],
    "newaxis_ellipsis": lambda a: (a[None, ..., 2].__setitem__((0, 1), 8), a[None, ..., 2])[1:],
    "fancy_set": lambda a: (a.__setitem__(([0, 2], [1, 3]), [10, 20]),)[1:],
    "mask_set": lambda a: (a.__setitem__(np.arange(12).reshape(3, 4) % 3 == 0, -2),)[1:],
    "fancy_get_is_copy": lambda a: (a[[0, 1]].__setitem__(0, 1000),)[1:],
    "negative_index": lambda a: (a.__setitem__(-1, 3),)[1:],
    "broadcast_row": lambda a: (a.__setitem__(slice(None), np.arange(4.0)),)[1:],
    "fill_via_ellipsis": lambda a: (a[1:, :2].__setitem__(Ellipsis, np.array([[1.0], [2.0]])),)[1:],
    "flat_put": lambda a: (a.put([0, 5, 11], [-1, -2, -3]),)[1:],
    "fill": lambda a: (a[2].fill(4.5),)[1:],
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_mutation_scenarios_match_numpy(name):
    host, arr = _pair()
    host_views = SCENARIOS[name](host)
    arr_views = SCENARIOS[name](arr)
    _same(host, arr)
    for hv, av in zip(host_views, arr_views):
        _same(hv, av)


def test_sibling_views_see_each_others_writes():
    host, arr = _pair()
    views = [(host[0], arr[0]), (host[:, 0], arr[:, 0]), (host.T, arr.T)]
    host[0][0] = arr[0][0] = 7
    host[:, 0][2] = arr[:, 0][2] = -7
    for hv, av in views:
        _same(hv, av)
    # A write to the base is seen through every view.
    host[1, 0] = arr[1, 0] = 123
    for hv, av in views:
        _same(hv, av)


def test_base_attribute():
    _, arr = _pair()
    assert arr.base is None
    assert arr[1].base is arr
    assert arr[1][2:].base is arr
    assert arr.T.base is arr
    assert arr[[0, 1]].base is None            # advanced indexing copies


def test_real_imag_views():
    host = np.array([1 + 2j, 3 - 4j, 5j])
    arr = ndarray(host)
    host.real[1] = arr.real[1] = 9
    host.imag[2] = arr.imag[2] = -1
    _same(host, arr)
    _same(host.real, arr.real)


def test_snapshot_of_numpy_source_and_copy():
    host = np.arange(4.0)
    arr = ndarray(host)
    host[0] = 100
    assert float(arr[0]) == 0.0
    c = arr.copy()
    c[1] = 5
    assert float(arr[1]) == 1.0


def test_index_errors_match_numpy():
    host, arr = _pair()
    for bad in [5, (0, 7), (0, 0, 0), (slice(None), [4])]:
        with pytest.raises(IndexError):
            host[bad]
        with pytest.raises(IndexError) as info:
            arr[bad]
        if isinstance(bad, int):
            assert str(info.value) == "index 5 is out of bounds for axis 0 with size 3"
    with pytest.raises(ValueError):
        arr[0] = np.ones(3)


def test_conversions_repr_pickle():
    host, arr = _pair((2, 3))
    assert repr(arr) == repr(host)
    assert str(arr) == str(host)
    assert arr.tolist() == host.tolist()
    assert float(arr[1, 2]) == 5.0 and int(arr[0, 1]) == 1 and len(arr) == 2
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(arr)), host)
    assert [np.asarray(r).tolist() for r in arr] == host.tolist()
    assert (arr.shape, arr.ndim, arr.size, arr.dtype, arr.itemsize, arr.nbytes) == \
        (host.shape, host.ndim, host.size, host.dtype, host.itemsize, host.nbytes)


def test_reshape_of_noncontiguous_view_is_a_copy():
    host, arr = _pair()
    r_host, r_arr = host.T.reshape(12), arr.T.reshape(12)
    r_host[0] = r_arr[0] = 99
    _same(host, arr)                         # unchanged: reshape copied
    _same(r_host, r_arr)


def test_functionalized_mutation_under_jit_grad_vmap():
    def fill(x):
        out = ndarray(np.zeros(4))
        for i in range(4):
            out[i] = x[i] * x[i] if i % 2 else x[i]
        out[1:3] = out[1:3] * 2.0
        return out

    def fill_np(x):
        out = np.zeros(4)
        for i in range(4):
            out[i] = x[i] * x[i] if i % 2 else x[i]
        out[1:3] = out[1:3] * 2.0
        return out

    x = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(na.jit(fill)(x), fill_np(x))
    xs = np.stack([x, x + 1])
    np.testing.assert_allclose(na.vmap(fill)(xs), np.stack([fill_np(r) for r in xs]))
    jac = na.jacrev(fill)(x)
    expected = np.diag([1.0, 2 * 2 * x[1], 2.0, 2 * x[3]])
    np.testing.assert_allclose(jac, expected)


def test_flat_reads_and_writes_in_c_order_even_for_views():
    host, arr = _pair()
    host.T.flat[5] = arr.T.flat[5] = -1
    host.flat[[0, 2]] = arr.flat[[0, 2]] = 9
    _same(host, arr)
    np.testing.assert_array_equal(np.asarray(arr.T.flat), np.asarray(host.T.flat))


@pytest.mark.parametrize("src,dst", [(np.float32, np.int32), (np.float32, np.uint8),
                                     (np.int16, np.int64), (np.float64, np.complex128),
                                     (np.uint8, np.bool_)])
def test_view_reinterprets_bits_and_writes_through(src, dst):
    host = (np.arange(8) % 2 if dst is np.bool_ else np.arange(8)).astype(src).reshape(2, 4)
    arr = ndarray(host)
    hv, av = host.view(dst), arr.view(dst)
    _same(hv, av)
    hv[0, 0] = av[0, 0] = hv[1, -1]
    _same(host, arr)


def test_resize_in_place_and_on_views():
    host = np.arange(6.0).reshape(2, 3).copy()
    arr = ndarray(host)
    host.resize(8, refcheck=False)
    arr.resize(8)
    _same(host, arr)
    with pytest.raises(ValueError, match="does not own its data"):
        arr[1:].resize(3)
