"""Host <-> device transfers: every supported dtype and layout round-trips bit for bit."""

import ml_dtypes
import numpy as np
import pytest

import npaccel._runtime as rt

DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
          np.uint64, np.float16, ml_dtypes.bfloat16, np.float32, np.float64, np.complex64,
          np.complex128]
SHAPES = [(), (0,), (2, 0, 3), (7,), (3, 4), (2, 3, 5)]


def _sample(shape, dtype):
    dtype = np.dtype(dtype)
    values = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape) % 11 - 3
    if dtype == np.bool_:
        return values > 0
    if dtype.kind == "u":
        values = np.abs(values)
    if dtype.kind == "c":
        return (values + 1j * (values - 2)).astype(dtype)
    x = values.astype(dtype)
    if dtype.kind == "f" or dtype == ml_dtypes.bfloat16:  # special values must survive too
        flat = x.reshape(-1)
        flat[: min(3, flat.size)] = np.array([np.nan, -np.inf, -0.0], dtype)[: min(3, flat.size)]
    return x


def _comparable(x):
    # numpy.testing does not see bfloat16 NaNs as NaN; float32 holds every bfloat16 exactly.
    return x.astype(np.float32) if x.dtype == ml_dtypes.bfloat16 else x


def _assert_round_trip(x, **kwargs):
    out = rt.to_host(rt.device_put(x, **kwargs))
    assert out.dtype == x.dtype and out.shape == x.shape
    np.testing.assert_array_equal(_comparable(out), _comparable(x))
    assert np.ascontiguousarray(out).tobytes() == np.ascontiguousarray(x).tobytes()
    assert not out.flags.writeable


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_round_trip_every_dtype_and_shape(shape, dtype):
    _assert_round_trip(_sample(shape, dtype))


LAYOUTS = {
    "strided": lambda a: a[::2, 1::3],
    "fortran": np.asfortranarray,
    "transposed": lambda a: a.T,
    "reversed": lambda a: a[::-1, ::-2],
    "broadcast": lambda a: np.broadcast_to(a[:1], a.shape),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_round_trip_non_contiguous(layout, dtype):
    x = LAYOUTS[layout](_sample((6, 9), dtype))
    _assert_round_trip(x)
    _assert_round_trip(x, may_alias=True)


@pytest.mark.parametrize("may_alias", [False, True])
def test_unaligned_source(may_alias):
    raw = np.zeros(8 * 10 + 1, np.uint8)[1:]  # an address that is not a multiple of 8
    x = raw.view(np.float64)
    x[:] = np.arange(10.0)
    _assert_round_trip(x, may_alias=may_alias)


def test_numpy_scalar_becomes_0d_array():
    for value in [np.float32(2.5), np.int8(-3), np.bool_(True), np.complex128(1 - 2j)]:
        out = rt.to_host(rt.device_put(value))
        assert out.shape == () and out.dtype == value.dtype
        np.testing.assert_array_equal(out, np.asarray(value))


def _aligned(n, dtype):
    # 64-byte aligned memory is what jaxlib aliases instead of copying (when it may).
    itemsize = np.dtype(dtype).itemsize
    raw = np.empty(n * itemsize + 64, np.uint8)
    offset = -raw.ctypes.data % 64
    return raw[offset: offset + n * itemsize].view(dtype)


@pytest.mark.parametrize("make", [_aligned, lambda n, d: np.empty(n, d)], ids=["aligned", "any"])
def test_snapshot_semantics_without_may_alias(make):
    x = make(1 << 16, np.float32)
    x[:] = np.arange(x.size)
    original = x.copy()
    buffer = rt.device_put(x)
    x[:] = -1.0  # must not reach the device
    assert buffer.unsafe_buffer_pointer() != x.ctypes.data
    np.testing.assert_array_equal(rt.to_host(buffer), original)


def test_may_alias_reads_back_the_values():
    x = _aligned(1 << 10, np.float64)
    x[:] = np.linspace(0, 1, x.size)
    np.testing.assert_array_equal(rt.to_host(rt.device_put(x, may_alias=True)), x)


def test_explicit_device():
    assert rt.default_device() in rt.devices()
    x = np.arange(4, dtype=np.int32)
    np.testing.assert_array_equal(rt.to_host(rt.device_put(x, rt.default_device())), x)


def test_foreign_device_rejected():
    with pytest.raises(ValueError, match="not a device"):
        rt.device_put(np.zeros(2), device="cpu")


@pytest.mark.parametrize("value", [[1.0, 2.0], 3.0, 7, None, "text"], ids=repr)
def test_non_numpy_input_rejected(value):
    with pytest.raises(TypeError, match="numpy.ndarray"):
        rt.device_put(value)


@pytest.mark.parametrize("dtype", [">f4", ">i8", "O", "U3", "M8[s]", "V8", "f8,i4"])
def test_unsupported_dtype_rejected(dtype):
    with pytest.raises(TypeError, match="not supported"):
        rt.device_put(np.zeros(3, dtype))


def test_to_host_of_deleted_buffer_is_runtime_error():
    buffer = rt.device_put(np.arange(3.0))
    buffer.delete()
    with pytest.raises(RuntimeError, match="deleted"):
        rt.to_host(buffer)


def test_to_host_rejects_non_buffer():
    with pytest.raises(TypeError, match="device buffer"):
        rt.to_host(np.zeros(3))


def test_host_view_outlives_deleted_buffer():
    # jaxlib's zero-copy view keeps the device memory alive; relied on by callers that
    # cache host views of buffers they later free.
    x = np.arange(1 << 16, dtype=np.float64)
    buffer = rt.device_put(x)
    host = rt.to_host(buffer)
    buffer.delete()
    del buffer
    _ = [np.full(1 << 16, 7.0) for _ in range(8)]
    np.testing.assert_array_equal(host, x)
