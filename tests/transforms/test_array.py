"""npaccel.Array: reading it from NumPy, every dtype on the device and back, printing,
pickling, Python number protocols, and operators (broadcasting, NEP 50 promotion) against
NumPy's own results and dtypes."""
import operator
import pickle

import numpy as np
import pytest

import npaccel as na
from npaccel import lax
from npaccel.core import dtypes
from harness import ALL, assert_close

def _sample(dtype, shape=(2, 3), seed=0):
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        return rng.integers(0, 100, size=shape).astype(dtype)
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def test_asarray_is_a_zero_copy_read_only_view():
    x = _sample(np.float32)
    a = na.device_put(x)
    host = np.asarray(a)
    assert host.dtype == x.dtype and host.shape == x.shape
    np.testing.assert_array_equal(host, x)
    assert np.asarray(a) is host                   # read once, then reused
    assert not host.flags.writeable
    with pytest.raises(ValueError):
        host[0, 0] = 1.0
    copy = np.array(a)
    assert copy.flags.writeable and not np.shares_memory(copy, host)
    np.testing.assert_array_equal(np.asarray(a, dtype=np.float64), x.astype(np.float64))
    x[0, 0] = 100.0                                # device_put snapshots its input
    assert np.asarray(a)[0, 0] != 100.0


def test_array_is_immutable_and_unhashable():
    a = na.device_put(np.arange(3.0))
    with pytest.raises(TypeError):
        a[0] = 1.0
    with pytest.raises(TypeError):
        hash(a)
    assert na.device_put(a) is a


@pytest.mark.parametrize("dtype", ALL, ids=lambda d: np.dtype(d).name)
def test_every_dtype_round_trips_through_an_op(dtype):
    x = _sample(dtype)
    a = na.device_put(x)
    assert (a.dtype, a.shape, a.ndim, a.size, a.weak_type) == (x.dtype, x.shape, 2, 6, False)
    assert_close(a, x, 0)
    if dtypes.is_bool(dtype) or dtypes.is_integer(dtype):
        out, ref = lax.bitwise_not(a), np.invert(x)
    else:
        out, ref = lax.neg(a), np.negative(x)
    assert type(out) is na.Array
    assert_close(out, ref, 0)
    wide = np.complex128 if dtypes.is_complex(dtype) else np.float64
    back = lax.convert_element_type(lax.convert_element_type(a, wide), dtype)
    assert_close(back, x, 0)


@pytest.mark.parametrize("dtype", [np.float32, np.int8, np.bool_, np.complex64, dtypes.bfloat16],
                         ids=lambda d: np.dtype(d).name)
def test_repr_str_and_pickle(dtype):
    x = _sample(dtype)
    a = na.device_put(x)
    text = repr(a)
    assert text.startswith("Array([[") and text.endswith(f"dtype={np.dtype(dtype).name})")
    squeeze = "".join                                # compare without line wrapping
    assert squeeze(np.array2string(x, separator=", ").split()) in squeeze(text.split())
    assert str(a) == str(x)
    b = pickle.loads(pickle.dumps(a))
    assert type(b) is na.Array and b.dtype == x.dtype and b.shape == x.shape
    assert_close(b, x, 0)


def test_pickle_keeps_weak_type():
    weak = na.jit(lambda s: lax.add(s, s))(1.25)
    assert weak.weak_type
    back = pickle.loads(pickle.dumps(weak))
    assert back.weak_type and float(back) == float(weak)


def test_python_number_protocols():
    f = na.device_put(np.float32(2.5))
    i = na.device_put(np.int8(-3))
    assert float(f) == 2.5 and int(f) == 2 and bool(f) is True and f.item() == 2.5
    assert int(i) == -3 and operator.index(i) == -3 and [10, 20, 30, 40][i] == 20
    assert complex(na.device_put(np.complex64(1 + 2j))) == 1 + 2j
    assert bool(na.device_put(np.array([0.0]))) is False
    with pytest.raises(ValueError):
        bool(na.device_put(np.ones(3)))
    m = _sample(np.int32)
    a = na.device_put(m)
    assert len(a) == 2 and a.tolist() == m.tolist()
    rows = list(a)
    assert len(rows) == 2
    for r, ref in zip(rows, m):
        np.testing.assert_array_equal(np.asarray(r), ref)
    scalar = na.device_put(np.float64(1.0))
    with pytest.raises(TypeError):
        len(scalar)
    with pytest.raises(TypeError):
        iter(scalar)


# --- operators ----------------------------------------------------------------------------

BINARY = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
          "truediv": operator.truediv, "lt": operator.lt, "le": operator.le,
          "gt": operator.gt, "ge": operator.ge, "eq": operator.eq, "ne": operator.ne}
BITWISE = {"and": operator.and_, "or": operator.or_, "xor": operator.xor}

# (left, right): arrays are (dtype, shape); Python scalars are themselves
PROMOTIONS = [
    ((np.float32, (2, 3)), 1.5),                   # a Python float yields to f32
    (2.5, (np.float32, (3,))),                     # ... on either side
    ((np.int8, (2, 3)), (np.int16, (3,))),         # i8 + i16 -> i16
    ((np.int8, (3,)), 7),                          # a Python int yields to i8
    ((np.uint8, (2, 1)), (np.int8, (1, 3))),       # u8 + i8 -> i16, broadcast both ways
    ((np.int32, (3,)), (np.float32, (2, 3))),      # i32 + f32 -> f64
    ((np.int64, (2, 3)), 2.0),                     # an int array with a Python float -> f64
    ((np.float16, (3,)), 1j),                      # f16 with a Python complex -> c64
    ((np.float32, (2, 3)), (np.float64, ())),      # a 0-d f64 array is not weak
    ((np.float32, (4, 1, 1)), (np.float32, (2, 3))),
    ((np.complex64, (3,)), (np.float64, (3,))),    # c64 + f64 -> c128
]


def _operand(spec, seed):
    if isinstance(spec, tuple):
        dtype, shape = spec
        x = _sample(dtype, shape, seed)
        if np.dtype(dtype).kind in "iu":
            x = (x % 7 + 1).astype(dtype)          # small and nonzero: no overflow, no x/0
        return x, na.device_put(x)
    return spec, spec


def _check_binary(op, left, right):
    l_np, l_na = _operand(left, seed=1)
    r_np, r_na = _operand(right, seed=2)
    expected = op(l_np, r_np)
    actual = op(l_na, r_na)
    assert isinstance(actual, (na.Array, na.ndarray))
    tol = 0 if np.asarray(expected).dtype.kind in "biu" else (
        1e-3 if np.asarray(expected).dtype == np.float16 else 1e-6)
    assert_close(actual, expected, tol, check_dtype=True, err_msg=f"{op.__name__}({left}, {right})")


def _is_complex(spec):
    return isinstance(spec, complex) or isinstance(spec, tuple) and np.dtype(spec[0]).kind == "c"


BINARY_CASES = [pytest.param(name, left, right, id=f"{name}-{left}-{right}")
                for left, right in PROMOTIONS for name in sorted(BINARY)
                if not (name in ("lt", "le", "gt", "ge") and (_is_complex(left) or _is_complex(right)))]


@pytest.mark.parametrize("name,left,right", BINARY_CASES)
def test_binary_operators_match_numpy(name, left, right):
    _check_binary(BINARY[name], left, right)


@pytest.mark.parametrize("name", sorted(BITWISE))
@pytest.mark.parametrize("left,right", [((np.int8, (2, 3)), (np.int16, (3,))),
                                        ((np.uint8, (3,)), 5),
                                        ((np.bool_, (2, 3)), (np.bool_, (3,))),
                                        ((np.bool_, (3,)), True)], ids=str)
def test_bitwise_operators_match_numpy(name, left, right):
    _check_binary(BITWISE[name], left, right)


def test_power_and_unary_operators():
    x = _sample(np.float32, (2, 3))
    a = na.device_put(x)
    assert_close(a ** 2.0, x ** 2.0, 1e-6)
    assert_close(abs(a) ** na.device_put(np.float32(0.5)), np.abs(x) ** np.float32(0.5), 1e-6)
    assert_close(-a, -x, 0)
    assert_close(+a, x, 0)
    assert_close(abs(a), np.abs(x), 0)
    i = _sample(np.int16)
    assert_close(~na.device_put(i), ~i, 0)
    assert_close(abs(na.device_put(-i)), np.abs(-i), 0)
    c = _sample(np.complex64, (3,))
    assert_close(abs(na.device_put(c)), np.abs(c), 1e-6)


def test_numpy_operands_on_the_left():
    x = _sample(np.float32, (3,))
    a = na.device_put(x)
    for left in (np.ones((2, 3)), np.float64(2.0), np.int8(3)):
        expected = left + x
        actual = left + a
        assert isinstance(actual, na.ndarray)   # NumPy operands dispatch to npaccel
        assert_close(actual, expected, 1e-6)


def test_operators_on_tracers_follow_the_same_rules():
    x = _sample(np.float32, (2, 3))
    out = na.jit(lambda a: (a + 1.5) * 2 - a / 4.0)(x)
    assert_close(out, (x + 1.5) * 2 - x / 4.0, 1e-6)
    i8 = (_sample(np.int8, (3,)) % 5).astype(np.int8)
    out = na.vmap(lambda a, b: a + b, in_axes=(None, 0))(i8, np.ones((2, 3), np.int16))
    assert_close(out, i8 + np.ones((2, 3), np.int16), 0)
