"""rng_bit_generator: properties of the bits it makes (there is no NumPy reference for
XLA's generators): shapes and dtypes, determinism, dependence on the key, bit balance, and
vmap over keys against a Python loop."""
import numpy as np
import pytest

import npaccel
from npaccel.lax import convert, random_bits
from npaccel.lax.random_bits import RandomAlgorithm
from harness import UNSIGNED, assert_close, lowered_ops

KEY32 = np.array([0, 42, 7, 2 ** 31 + 5], np.uint32)
KEY64 = np.array([42, 2 ** 63 + 7], np.uint64)
ALGORITHMS = list(RandomAlgorithm)


def _bits(key, shape=(3, 5), dtype=np.uint32, algorithm=RandomAlgorithm.RNG_DEFAULT):
    new_key, bits = random_bits.rng_bit_generator(key, shape, dtype, algorithm)
    return np.asarray(new_key), np.asarray(bits)


@pytest.mark.parametrize("key", [KEY32, KEY64], ids=["u32x4", "u64x2"])
@pytest.mark.parametrize("dtype", UNSIGNED)
def test_shapes_and_dtypes(key, dtype):
    new_key, bits = _bits(key, (2, 3), dtype)
    assert new_key.shape == key.shape and new_key.dtype == key.dtype
    assert bits.shape == (2, 3) and bits.dtype == np.dtype(dtype)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_deterministic_and_jit_equals_eager(algorithm):
    eager = _bits(KEY32, algorithm=algorithm)
    again = _bits(KEY32, algorithm=algorithm)
    jitted = npaccel.jit(lambda k: random_bits.rng_bit_generator(k, (3, 5), np.uint32,
                                                                 algorithm))(KEY32)
    for a, b, c in zip(eager, again, jitted):
        assert_close(a, b, 0)
        assert_close(a, np.asarray(c), 0)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_keys_matter(algorithm):
    new_key, bits = _bits(KEY32, algorithm=algorithm)
    other_key = KEY32.copy()
    other_key[0] += 1
    assert not np.array_equal(bits, _bits(other_key, algorithm=algorithm)[1])
    assert not np.array_equal(new_key, KEY32)
    assert not np.array_equal(bits, _bits(new_key, algorithm=algorithm)[1])


def test_algorithms_differ():
    assert not np.array_equal(_bits(KEY64, algorithm=RandomAlgorithm.RNG_THREE_FRY)[1],
                              _bits(KEY64, algorithm=RandomAlgorithm.RNG_PHILOX)[1])


def test_philox_takes_a_192_bit_key():
    key = np.array([1, 2, 3], np.uint64)
    new_key, bits = _bits(key, algorithm=RandomAlgorithm.RNG_PHILOX)
    assert new_key.shape == (3,) and bits.shape == (3, 5)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint64])
def test_bit_balance(algorithm, dtype):
    """Each bit position is 1 about half the time (2**16 draws: standard error ~0.002)."""
    _, bits = _bits(KEY32, (2 ** 16,), dtype, algorithm)
    as_bits = np.unpackbits(bits.view(np.uint8)).reshape(bits.size, -1)
    assert abs(as_bits.mean() - 0.5) < 0.005
    assert np.all(np.abs(as_bits.mean(0) - 0.5) < 0.02)


@pytest.mark.parametrize("in_axes", [0, 1])
def test_vmap_over_keys_equals_loop(in_axes):
    keys = np.stack([KEY32 + i for i in range(3)])
    batched = keys if in_axes == 0 else keys.T.copy()

    def f(k):
        return random_bits.rng_bit_generator(k, (2, 4), np.uint16)

    new_keys, bits = npaccel.vmap(f, in_axes=in_axes)(batched)
    loop = [f(k) for k in keys]
    assert_close(new_keys, np.stack([np.asarray(k) for k, _ in loop]), 0)
    assert_close(bits, np.stack([np.asarray(b) for _, b in loop]), 0)


def test_vmap_of_jit():
    keys = np.stack([KEY64 + i for i in range(2)])
    f = npaccel.jit(lambda k: random_bits.rng_bit_generator(k, (3,), np.uint64)[1])
    assert_close(npaccel.vmap(f)(keys), np.stack([np.asarray(f(k)) for k in keys]), 0)


def test_jvp_of_a_function_using_bits():
    """The bits have zero tangent; the rest of the function differentiates normally."""
    def f(x):
        _, bits = random_bits.rng_bit_generator(KEY32, (3,))
        return x * convert.convert_element_type(bits, np.float64)
    x, t = np.ones(3), np.arange(3.0)
    _, t_out = npaccel.jvp(f, (x,), (t,))
    assert_close(t_out, t * _bits(KEY32, (3,))[1].astype(np.float64), 1e-12)


def test_lowering():
    f = lambda k: random_bits.rng_bit_generator(k, (4,))  # noqa: E731
    assert lowered_ops(f, KEY64) == ["stablehlo.rng_bit_generator"]
    # uint32 keys are reshaped and bitcast to XLA's uint64 state, and back.
    assert lowered_ops(f, KEY32) == ["stablehlo.reshape", "stablehlo.bitcast_convert",
                                     "stablehlo.rng_bit_generator", "stablehlo.bitcast_convert",
                                     "stablehlo.reshape"]


@pytest.mark.parametrize("call, error, match", [
    (lambda: random_bits.rng_bit_generator(KEY32[:2], (3,)), TypeError, "key"),
    (lambda: random_bits.rng_bit_generator(KEY32.astype(np.int32), (3,)), TypeError, "key"),
    (lambda: random_bits.rng_bit_generator(KEY32.reshape(2, 2), (3,)), TypeError, "key"),
    (lambda: random_bits.rng_bit_generator(np.ones(3, np.uint64), (3,),
                                           algorithm=RandomAlgorithm.RNG_THREE_FRY),
     TypeError, "key"),
    (lambda: random_bits.rng_bit_generator(KEY32, (3,), np.int32), TypeError, "unsigned"),
    (lambda: random_bits.rng_bit_generator(KEY32, (3,), np.float32), TypeError, "unsigned"),
    (lambda: random_bits.rng_bit_generator(KEY32, (-1,)), ValueError, "non-negative"),
    (lambda: random_bits.rng_bit_generator(KEY32, (3,), algorithm=7), ValueError,
     "RandomAlgorithm"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
