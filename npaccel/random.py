"""npaccel.random: counter-based pseudo-random numbers with jax.random's API.

A key is a plain uint32[2] array (what JAX calls a raw key). Every sampler is a pure
function of (key, shape, parameters) written with lax, so it gives the same numbers
eagerly and under jit, and maps over a batch of keys under vmap. Use a key once: derive
new ones with split or fold_in.

The generator is Threefry-2x32 with 20 rounds (Salmon et al., "Parallel random numbers:
as easy as 1, 2, 3", SC'11; the Random123 library), as in JAX, counted the way JAX's
default (`jax_threefry_partitionable`) mode counts: value i of a request of `shape` (i its
row-major flat index) comes from threefry(key, counter=(hi32(i), lo32(i))); a 32-bit value
is the xor of the two output words, a 64-bit value their concatenation. split(key, n)[i] is
threefry(key, (0, i)) and fold_in(key, d) is threefry(key, (0, d)), so split(key, n)[i] ==
fold_in(key, i), as in JAX.
"""
# Note: npaccel's default dtypes are float64, int64 and uint64 (JAX's with jax_enable_x64),
# so uniform() and normal() draw 64 random bits per value by default. No value is checked
# against JAX's (jax is not a dependency): the generator is checked against the Random123
# test vectors, and the samplers statistically.
from __future__ import annotations

import functools
import math
import operator
from typing import Sequence

import ml_dtypes
import numpy as np

from npaccel.core import dtypes
from npaccel.core.trace import concrete_or_error, get_aval
from npaccel.lax import (control_flow, convert, elementwise as ew, linalg, reduction,
                         shape as lax_shape, slicing, sorting)
from npaccel.numpy._core import (asvalue, astype, broadcast_shapes, broadcast_to, dtype_of,
                                 normalize_axis, shape_of)
from npaccel.transforms import vmap
from npaccel.transforms.custom_derivatives import custom_jvp
from npaccel.transforms.jit import jit

__all__ = ["PRNGKey", "key", "key_data", "wrap_key_data", "split", "fold_in", "threefry_2x32",
           "bits", "uniform", "normal", "randint", "bernoulli", "choice", "permutation",
           "categorical", "gumbel", "exponential", "laplace", "logistic", "cauchy",
           "rademacher", "truncated_normal", "multivariate_normal", "gamma", "loggamma",
           "beta", "dirichlet"]

_UINT = {8: np.dtype(np.uint8), 16: np.dtype(np.uint16), 32: np.dtype(np.uint32),
         64: np.dtype(np.uint64)}
_MASK32 = 0xFFFFFFFF


# --- Threefry-2x32 -------------------------------------------------------------------------

# The rotation constants of Threefry-2x32 (Random123's R_32x2), four rounds per set, the
# two sets alternating; and the key-schedule parity constant.
_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = 0x1BD11BDA


def _rotate_left(x, r: int):
    return ew.bitwise_or(ew.shift_left(x, r), ew.shift_right_logical(x, 32 - r))


def _threefry2x32(k0, k1, x0, x1):
    """Threefry-2x32, 20 rounds, on uint32 arrays of one shape: five blocks of four
    mix rounds, each block followed by the injection of a rotated key schedule."""
    schedule = [k0, k1, ew.bitwise_xor(ew.bitwise_xor(k0, k1), _PARITY)]
    x0, x1 = ew.add(x0, schedule[0]), ew.add(x1, schedule[1])
    for block in range(5):
        for r in _ROTATIONS[block % 2]:
            x0 = ew.add(x0, x1)
            x1 = ew.bitwise_xor(_rotate_left(x1, r), x0)
        x0 = ew.add(x0, schedule[(block + 1) % 3])
        x1 = ew.add(ew.add(x1, schedule[(block + 2) % 3]), block + 1)
    return x0, x1


def _key_words(key, shape):
    """The two words of `key`, each broadcast to `shape`."""
    words = [lax_shape.reshape(slicing.slice_in_dim(key, i, i + 1), ()) for i in (0, 1)]
    return [lax_shape.broadcast_in_dim(w, shape, ()) for w in words]


def _counters(shape):
    """(hi, lo) words of the row-major flat index of every element of `shape`."""
    size = math.prod(shape)
    if size > 2 ** 32:
        raise NotImplementedError(f"random values for more than 2**32 elements (shape {shape})")
    lo = lax_shape.reshape(lax_shape.iota(np.uint32, size), shape)
    return lax_shape.full(shape, 0, np.uint32), lo


def threefry_2x32(keypair, count):
    """Threefry-2x32 of the uint32 array `count` under the key (k0, k1), as
    jax.random.threefry_2x32: the flattened count's first half is the x0 words and its
    second half the x1 words (padded with a zero when of odd size)."""
    k = _check_key("threefry_2x32", asvalue(keypair, None))
    count = asvalue(count)
    if dtype_of(count) != np.uint32:
        raise TypeError(f"threefry_2x32 needs a uint32 count, got {dtype_of(count).name}")
    shape = shape_of(count)
    flat = lax_shape.reshape(count, (math.prod(shape),))
    odd = math.prod(shape) % 2
    if odd:
        flat = lax_shape.concatenate([flat, np.zeros(1, np.uint32)], 0)
    half = (math.prod(shape) + odd) // 2
    x0, x1 = slicing.slice_in_dim(flat, 0, half), slicing.slice_in_dim(flat, half, 2 * half)
    out = lax_shape.concatenate(list(_threefry2x32(*_key_words(k, (half,)), x0, x1)), 0)
    return lax_shape.reshape(slicing.slice_in_dim(out, 0, math.prod(shape)), shape)


def _words_to_bits(y0, y1, bit_width: int):
    """`bit_width` random bits from the two output words of Threefry."""
    if bit_width == 64:
        hi = ew.shift_left(convert.convert_element_type(y0, np.uint64), 32)
        return ew.bitwise_or(hi, convert.convert_element_type(y1, np.uint64))
    bits32 = ew.bitwise_xor(y0, y1)
    return bits32 if bit_width == 32 else convert.convert_element_type(bits32, _UINT[bit_width])


@functools.partial(jit, static_argnums=(1, 2))
def _random_bits(key, bit_width: int, shape: tuple[int, ...]):
    """Uniform random bits: `shape` unsigned integers of `bit_width` bits."""
    return _words_to_bits(*_threefry2x32(*_key_words(key, shape), *_counters(shape)), bit_width)


@functools.partial(jit, static_argnums=(1,))
def _split(key, shape: tuple[int, ...]):
    y0, y1 = _threefry2x32(*_key_words(key, shape), *_counters(shape))
    last = len(shape)
    return lax_shape.concatenate([lax_shape.expand_dims(y, (last,)) for y in (y0, y1)], last)


@jit
def _fold_in(key, data):
    y0, y1 = _threefry2x32(*_key_words(key, (1,)), np.zeros(1, np.uint32),
                           lax_shape.reshape(data, (1,)))
    return lax_shape.concatenate([y0, y1], 0)


# --- keys ----------------------------------------------------------------------------------

def _check_key(name: str, key):
    key = asvalue(key)
    aval = get_aval(key)
    if aval.shape != (2,) or aval.dtype != np.uint32:
        raise TypeError(f"{name} needs a single PRNG key, a uint32 array of shape (2,) (from "
                        f"npaccel.random.key, split or fold_in), got {aval.str_short()}; "
                        "use npaccel.vmap to map over many keys")
    return key


def key(seed, *, impl=None):
    """A PRNG key from an integer seed (jax.random.key; here a plain uint32[2], the same as
    PRNGKey): (the high 32 bits, the low 32 bits) of the seed as a 64-bit integer."""
    if impl not in (None, "threefry2x32"):
        raise ValueError(f"npaccel.random supports only the threefry2x32 generator, got {impl!r}")
    if isinstance(seed, int) and not isinstance(seed, bool):
        if not -2 ** 63 <= seed < 2 ** 64:
            raise OverflowError(f"PRNG seed {seed} does not fit in 64 bits")
        seed = np.int64(seed) if seed < 2 ** 63 else np.uint64(seed)  # as JAX with x64
    seed = asvalue(seed)
    dtype = dtype_of(seed)
    if shape_of(seed):
        raise TypeError(f"PRNG key seed must be a scalar; got shape {shape_of(seed)}")
    if not dtypes.is_integer(dtype):
        raise TypeError(f"PRNG key seed must be an integer; got dtype {dtype.name}")
    # As JAX: the high word is bits 32-63 of a 64-bit seed's two's-complement pattern, 0 for
    # narrower types; the low word the seed's low 32 bits (sign-extended from narrower ones).
    if isinstance(seed, np.ndarray):
        value = int(seed) % 2 ** (64 if dtype.itemsize == 8 else 32)
        return asvalue(np.array([value >> 32, value & _MASK32], np.uint32))
    if dtype.itemsize < 8:
        words = [lax_shape.full((), 0, np.uint32), convert.convert_element_type(seed, np.uint32)]
    else:
        pattern = convert.convert_element_type(seed, np.uint64)
        words = [convert.convert_element_type(w, np.uint32) for w in
                 (ew.shift_right_logical(pattern, 32), ew.bitwise_and(pattern, _MASK32))]
    return lax_shape.concatenate([lax_shape.reshape(w, (1,)) for w in words], 0)


def PRNGKey(seed, *, impl=None):  # noqa: N802 (JAX's name)
    """A PRNG key from an integer seed (jax.random.PRNGKey): a uint32[2] array."""
    return key(seed, impl=impl)


def key_data(keys):
    """The uint32 data of keys (jax.random.key_data): keys are their own data here."""
    return asvalue(keys)


def wrap_key_data(key_bits, *, impl=None):
    """Keys from uint32 data (jax.random.wrap_key_data): the data itself, checked."""
    key_bits = asvalue(key_bits)
    if dtype_of(key_bits) != np.uint32 or shape_of(key_bits)[-1:] != (2,):
        raise TypeError(f"key data must be a uint32 array with a last axis of 2, got "
                        f"{get_aval(key_bits).str_short()}")
    return key_bits


def split(key, num: int | Sequence[int] = 2):
    """`num` new keys from `key`, shape (num, 2) (jax.random.split); num may be a shape."""
    key = _check_key("split", key)
    return _split(key, _shape(num))


def fold_in(key, data):
    """A new key from `key` and an integer (jax.random.fold_in): statistically
    independent keys for different data."""
    key = _check_key("fold_in", key)
    data = asvalue(data)
    if shape_of(data):
        raise TypeError(f"fold_in needs a scalar, got shape {shape_of(data)}; use "
                        "npaccel.vmap for batching")
    if not (dtypes.is_integer(dtype_of(data)) or dtypes.is_bool(dtype_of(data))):
        raise TypeError(f"fold_in needs integer data, got dtype {dtype_of(data).name}")
    return _fold_in(key, convert.convert_element_type(data, np.uint32))


# --- argument checks -------------------------------------------------------------------------

def _shape(shape) -> tuple[int, ...]:
    """A shape as a tuple of non-negative ints (an int is a 1-d shape)."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, (bool, np.bool_)):
        shape = (shape,)
    try:
        shape = tuple(operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(f"Shapes must be sequences of integers, got {shape!r}") from None
    if any(d < 0 for d in shape):
        raise ValueError(f"negative dimensions are not allowed, got shape {shape}")
    return shape


def _check_shape(name: str, shape, *param_shapes) -> None:
    """The parameters must broadcast to `shape` exactly (as jax.random)."""
    if param_shapes:
        result = broadcast_shapes(shape, *param_shapes)
        if result != tuple(shape):
            raise ValueError(f"{name} parameter shapes must be broadcast-compatible with the "
                             f"shape argument, and the result of broadcasting the shapes must "
                             f"equal the shape argument, but got result {result} for shape "
                             f"argument {tuple(shape)}.")


def _dtype(name: str, dtype, accept, what: str, error=ValueError) -> np.dtype:
    dtype = np.dtype(np.float64 if dtype is None else dtype)
    if not accept(dtype):
        raise error(f"dtype argument to `{name}` must be a {what} dtype, got {dtype}")
    return dtype


def _float_dtype(name: str, dtype) -> np.dtype:
    return _dtype(name, dtype, dtypes.is_float, "float")


# --- uniform, normal and friends -------------------------------------------------------------

def _float_bits(dtype) -> int:
    """How many random bits make one float of `dtype` in [0, 1)."""
    return 8 if ml_dtypes.finfo(dtype).nmant < 8 else dtype.itemsize * 8  # bfloat16: 8


def _unit_floats(key, shape, dtype):
    return _bits_to_unit(_random_bits(key, _float_bits(dtype), shape), dtype)


def _bits_to_unit(random, dtype):
    """Floats in [0, 1): random bits in the mantissa of a number in [1, 2), minus 1."""
    nbits, nmant = dtype.itemsize * 8, ml_dtypes.finfo(dtype).nmant
    rng_bits = _float_bits(dtype)
    uint = _UINT[nbits]
    random = convert.convert_element_type(random, uint)
    one = int(np.array(1.0, dtype).view(uint))
    mantissa = ew.shift_right_logical(random, rng_bits - nmant)
    floats = convert.bitcast_convert_type(ew.bitwise_or(mantissa, one), dtype)
    return ew.sub(floats, 1.0)


@functools.partial(jit, static_argnums=(1, 2))
def _uniform(key, shape, dtype, minval, maxval):
    minval = broadcast_to(astype(minval, dtype), shape)
    maxval = broadcast_to(astype(maxval, dtype), shape)
    floats = _unit_floats(key, shape, dtype)
    return ew.max(minval, ew.add(ew.mul(floats, ew.sub(maxval, minval)), minval))


def uniform(key, shape: Sequence[int] = (), dtype=np.float64, minval=0.0, maxval=1.0):
    """Uniform values in [minval, maxval) (jax.random.uniform)."""
    key = _check_key("uniform", key)
    dtype = _float_dtype("uniform", dtype)
    shape = _shape(shape)
    minval, maxval = asvalue(minval), asvalue(maxval)
    _check_shape("uniform", shape, shape_of(minval), shape_of(maxval))
    return _uniform(key, shape, dtype, minval, maxval)


@functools.partial(jit, static_argnums=(1, 2))
def _normal_real(key, shape, dtype):
    return _unit_to_normal(_unit_floats(key, shape, dtype), dtype)


def _unit_to_normal(unit, dtype):
    """sqrt(2) erf_inv(u) for u uniform on (-1, 1) (the open lower end keeps erf_inv
    finite), from floats in [0, 1)."""
    lo = np.nextafter(np.array(-1.0, dtype), np.array(0.0, dtype))
    u = ew.max(ew.add(ew.mul(unit, float(1.0 - lo)), float(lo)), float(lo))
    return ew.mul(ew.erf_inv(u), float(np.sqrt(2)))


def normal(key, shape: Sequence[int] = (), dtype=np.float64):
    """Standard normal values (jax.random.normal); complex dtypes give independent real
    and imaginary parts of variance 1/2 each."""
    key = _check_key("normal", key)
    dtype = _dtype("normal", dtype, dtypes.is_inexact, "float or complex")
    shape = _shape(shape)
    if not dtypes.is_complex(dtype):
        return _normal_real(key, shape, dtype)
    real = dtypes.real_dtype(dtype)
    keys = _split(key, (2,))
    parts = [_normal_real(slicing.index_in_dim(keys, i, keepdims=False), shape, real)
             for i in (0, 1)]
    return ew.mul(ew.complex(*parts), float(1 / np.sqrt(2)))


# Transforms of a uniform U into other distributions, by name, and U's range [low, 1):
# "tiny" (the smallest normal float) keeps logs of U finite, "above -1" (the float after
# -1) keeps log(1 - |U|) finite.
_FROM_UNIFORM = {
    "gumbel": (lambda u: ew.neg(ew.log(ew.neg(ew.log(u)))), "tiny"),           # -log(-log U)
    "exponential": (lambda u: ew.neg(ew.log1p(ew.neg(u))), 0.0),               # -log(1 - U)
    "logistic": (lambda u: ew.sub(ew.log(u), ew.log1p(ew.neg(u))), "tiny"),    # log(U/(1-U))
    "cauchy": (lambda u: ew.tan(ew.mul(ew.sub(u, 0.5), float(np.pi))), "tiny"),
    "laplace": (lambda u: ew.mul(ew.sign(u), ew.log1p(ew.neg(ew.abs(u)))), "above -1"),
}


@functools.partial(jit, static_argnums=(1, 2, 3))
def _from_uniform(key, name: str, shape, dtype):
    transform, low = _FROM_UNIFORM[name]
    low = {"tiny": ml_dtypes.finfo(dtype).tiny,
           "above -1": np.nextafter(np.array(-1.0, dtype), np.array(0.0, dtype))}.get(low, low)
    return transform(_uniform(key, shape, dtype, np.asarray(low, dtype), np.asarray(1.0, dtype)))


def _sample_from_uniform(name, key, shape, dtype):
    return _from_uniform(_check_key(name, key), name, _shape(shape), _float_dtype(name, dtype))


def gumbel(key, shape: Sequence[int] = (), dtype=np.float64, mode=None):
    """Standard Gumbel values, -log(-log(U)) (jax.random.gumbel)."""
    if mode not in (None, "low"):
        raise NotImplementedError("gumbel supports mode='low' only")
    return _sample_from_uniform("gumbel", key, shape, dtype)


def exponential(key, shape: Sequence[int] = (), dtype=np.float64):
    """Standard exponential values, -log(1 - U) (jax.random.exponential)."""
    return _sample_from_uniform("exponential", key, shape, dtype)


def logistic(key, shape: Sequence[int] = (), dtype=np.float64):
    """Standard logistic values, log(U / (1 - U)) (jax.random.logistic)."""
    return _sample_from_uniform("logistic", key, shape, dtype)


def cauchy(key, shape: Sequence[int] = (), dtype=np.float64):
    """Standard Cauchy values, tan(pi (U - 1/2)) (jax.random.cauchy)."""
    return _sample_from_uniform("cauchy", key, shape, dtype)


def laplace(key, shape: Sequence[int] = (), dtype=np.float64):
    """Standard Laplace values, sign(U) log(1 - |U|), U uniform on (-1, 1)
    (jax.random.laplace)."""
    return _sample_from_uniform("laplace", key, shape, dtype)


def rademacher(key, shape: Sequence[int] = (), dtype=np.int64):
    """-1 or 1 with equal probability (jax.random.rademacher)."""
    key = _check_key("rademacher", key)
    shape = _shape(shape)
    coin = bernoulli(key, 0.5, shape)
    return astype(ew.sub(ew.mul(astype(coin, dtype), 2), 1), dtype)


def truncated_normal(key, lower, upper, shape: Sequence[int] | None = None,
                     dtype=np.float64):
    """Normal values truncated to (lower, upper) (jax.random.truncated_normal): erf_inv
    of a uniform between erf(lower / sqrt 2) and erf(upper / sqrt 2)."""
    key = _check_key("truncated_normal", key)
    dtype = _float_dtype("truncated_normal", dtype)
    lower, upper = astype(asvalue(lower), dtype), astype(asvalue(upper), dtype)
    if shape is None:
        shape = broadcast_shapes(shape_of(lower), shape_of(upper))
    else:
        shape = _shape(shape)
        _check_shape("truncated_normal", shape, shape_of(lower), shape_of(upper))
    lower, upper = broadcast_to(lower, shape), broadcast_to(upper, shape)
    sqrt2 = float(np.sqrt(2))
    a, b = ew.erf(ew.div(lower, sqrt2)), ew.erf(ew.div(upper, sqrt2))
    out = ew.mul(ew.erf_inv(_uniform(key, shape, dtype, a, b)), sqrt2)
    # Rounding may land on a bound (or beyond): keep strictly inside, as JAX.
    inf = lax_shape.full(shape, np.inf, dtype)
    return ew.clamp(ew.nextafter(ew.stop_gradient(lower), inf), out,
                    ew.nextafter(ew.stop_gradient(upper), ew.neg(inf)))


def multivariate_normal(key, mean, cov, shape: Sequence[int] | None = None, dtype=None,
                        method: str = "cholesky"):
    """Multivariate normal values, mean + L z with cov = L L^T
    (jax.random.multivariate_normal)."""
    key = _check_key("multivariate_normal", key)
    if method != "cholesky":
        raise NotImplementedError(f"multivariate_normal supports method='cholesky' only, "
                                  f"got {method!r}")
    dtype = _float_dtype("multivariate_normal", dtype)
    mean, cov = astype(asvalue(mean), dtype), astype(asvalue(cov), dtype)
    mshape, cshape = shape_of(mean), shape_of(cov)
    if len(mshape) < 1:
        raise ValueError(f"multivariate_normal requires mean.ndim >= 1, got mean.ndim == "
                         f"{len(mshape)}")
    if len(cshape) < 2:
        raise ValueError(f"multivariate_normal requires cov.ndim >= 2, got cov.ndim == "
                         f"{len(cshape)}")
    n = mshape[-1]
    if cshape[-2:] != (n, n):
        raise ValueError(f"multivariate_normal requires cov.shape == (..., n, n) for "
                         f"n={n}, but got cov.shape == {cshape}.")
    if shape is None:
        shape = broadcast_shapes(mshape[:-1], cshape[:-2])
    else:
        shape = _shape(shape)
        _check_shape("multivariate_normal", shape, mshape[:-1], cshape[:-2])
    factor = broadcast_to(linalg.cholesky(cov), (*shape, n, n))
    z = _normal_real(key, (*shape, n), dtype)
    z = lax_shape.broadcast_in_dim(z, (*shape, n, n), (*range(len(shape)), len(shape) + 1))
    offsets = reduction.reduce_sum(ew.mul(factor, z), (len(shape) + 1,))
    return ew.add(broadcast_to(mean, (*shape, n)), offsets)


# --- integers --------------------------------------------------------------------------------

def _clip_convert(x, dtype):
    """Integer x clipped to the range of integer `dtype`, then converted to it."""
    src, dst = np.iinfo(dtype_of(x)), np.iinfo(dtype)
    shape = shape_of(x)
    lo = lax_shape.full(shape, max(src.min, dst.min), dtype_of(x))
    hi = lax_shape.full(shape, min(src.max, dst.max), dtype_of(x))
    return convert.convert_element_type(ew.max(lo, ew.min(x, hi)), dtype)


def _mulhi64(a, b):
    """The high 64 bits of the 128-bit product of uint64 arrays a and b, from 32-bit
    halves (each partial product fits in 64 bits)."""
    mask = 0xFFFFFFFF
    a0, a1 = ew.bitwise_and(a, mask), ew.shift_right_logical(a, 32)
    b0, b1 = ew.bitwise_and(b, mask), ew.shift_right_logical(b, 32)
    p00, p01, p10, p11 = ew.mul(a0, b0), ew.mul(a0, b1), ew.mul(a1, b0), ew.mul(a1, b1)
    middle = ew.add(ew.add(ew.shift_right_logical(p00, 32), ew.bitwise_and(p01, mask)),
                    ew.bitwise_and(p10, mask))
    high = ew.add(ew.add(p11, ew.shift_right_logical(p01, 32)), ew.shift_right_logical(p10, 32))
    return ew.add(high, ew.shift_right_logical(middle, 32))


@functools.partial(jit, static_argnums=(1, 4))
def _randint(key, shape, minval, maxval, dtype):
    top = _clip_convert(np.asarray(np.iinfo(dtype).max, dtype), dtype_of(maxval))
    maxval_too_big = broadcast_to(ew.gt(maxval, broadcast_to(top, shape_of(maxval))), shape)
    lo = broadcast_to(_clip_convert(minval, dtype), shape)
    hi = broadcast_to(_clip_convert(maxval, dtype), shape)
    # The span hi - lo, exact in uint64 arithmetic; 1 for an empty range (minval comes
    # back, as JAX); one more when maxval lies above the dtype, where a 64-bit span may
    # wrap to 0, meaning 2**64.
    u64 = np.dtype(np.uint64)
    span = ew.sub(convert.convert_element_type(hi, u64), convert.convert_element_type(lo, u64))
    span = ew.select(ew.le(hi, lo), lax_shape.full(shape, 1, u64), span)
    span = ew.select(ew.bitwise_and(maxval_too_big, ew.gt(hi, lo)), ew.add(span, 1), span)
    # Note: JAX reduces two draws modulo the span; a 64-bit draw r scaled to
    # floor(r * span / 2**64) (Lemire's multiply-shift) has a bias below span / 2**64 as
    # well, and compiles much faster on XLA:CPU than 64-bit remainders of Threefry output.
    r = _random_bits(key, 64, shape)
    offset = ew.select(ew.eq(span, 0), r, _mulhi64(r, span))
    start = convert.convert_element_type(lo, u64)
    return convert.convert_element_type(ew.add(start, offset), dtype)


def randint(key, shape: Sequence[int], minval, maxval, dtype=np.int64):
    """Uniform integers in [minval, maxval) (jax.random.randint); an empty range gives
    minval, and maxval may exceed the dtype (randint(k, s, 0, 256, uint8) covers uint8)."""
    key = _check_key("randint", key)
    dtype = _dtype("randint", dtype, dtypes.is_integer, "integer", TypeError)
    shape = _shape(shape)
    minval, maxval = asvalue(minval), asvalue(maxval)
    _check_shape("randint", shape, shape_of(minval), shape_of(maxval))
    # Non-integer bounds are truncated to int64, as JAX's astype(int).
    minval, maxval = [b if dtypes.is_integer(dtype_of(b)) else astype(b, np.int64)
                      for b in (minval, maxval)]
    return _randint(key, shape, minval, maxval, dtype)


def bits(key, shape: Sequence[int] = (), dtype=None):
    """Uniform random bits as unsigned integers (jax.random.bits; default uint64)."""
    key = _check_key("bits", key)
    dtype = np.dtype(np.uint64 if dtype is None else dtype)
    if dtype.kind != "u":
        raise ValueError(f"dtype argument to `bits` must be an unsigned int dtype, got {dtype}")
    return _random_bits(key, dtype.itemsize * 8, _shape(shape))


# Note: p defaults to the Python float 0.5 (float64 uniforms); JAX's default is
# float32(0.5).
def bernoulli(key, p=0.5, shape: Sequence[int] | None = None):
    """True with probability p (jax.random.bernoulli)."""
    key = _check_key("bernoulli", key)
    p = asvalue(p)
    if not dtypes.is_float(dtype_of(p)):
        raise TypeError(f"bernoulli probability `p` must have a floating dtype, got "
                        f"{dtype_of(p)}.")
    shape = shape_of(p) if shape is None else _shape(shape)
    _check_shape("bernoulli", shape, shape_of(p))
    u = _uniform(key, shape, dtype_of(p), np.asarray(0.0, dtype_of(p)),
                 np.asarray(1.0, dtype_of(p)))
    return ew.lt(u, broadcast_to(p, shape))


# --- permutations and choices ----------------------------------------------------------------

@functools.partial(jit, static_argnums=(2,))
def _sort_by_random_keys(key, x, axis: int):
    return sorting.sort_key_val(_random_bits(key, 32, shape_of(x)), x, axis)[1]


def _shuffle(key, x, axis: int):
    """x shuffled along `axis` by sorting on random 32-bit keys; repeated rounds (as JAX)
    make ties, which would leave pairs in order, unlikely for large arrays."""
    size = math.prod(shape_of(x))
    rounds = int(np.ceil(3 * np.log(max(1, size)) / np.log(np.iinfo(np.uint32).max)))
    for _ in range(rounds):
        keys = _split(key, (2,))
        key, subkey = [slicing.index_in_dim(keys, i, keepdims=False) for i in (0, 1)]
        x = _sort_by_random_keys(subkey, x, axis)
    return x


def _take(x, indices, axis: int):
    """x[..., indices, ...] along `axis` (the indices' shape replaces that axis)."""
    xshape, ishape = shape_of(x), shape_of(indices)
    offset_dims = (*range(axis), *range(axis + len(ishape), len(xshape) + len(ishape) - 1))
    dnums = slicing.GatherDimensionNumbers(offset_dims=offset_dims, collapsed_slice_dims=(axis,),
                                           start_index_map=(axis,))
    sizes = tuple(1 if d == axis else n for d, n in enumerate(xshape))
    return slicing.gather(x, lax_shape.expand_dims(indices, (len(ishape),)), dnums, sizes,
                          mode=slicing.GatherScatterMode.PROMISE_IN_BOUNDS)


def _arange(n: int):
    return lax_shape.iota(np.int64, n)


def permutation(key, x, axis: int = 0, independent: bool = False):
    """A random permutation of arange(x) (x an int) or of x along `axis`
    (jax.random.permutation); independent=True shuffles each slice on its own."""
    key = _check_key("permutation", key)
    x = asvalue(x)
    ndim = len(shape_of(x))
    axis = normalize_axis(axis, ndim or 1)
    if not ndim:
        if not dtypes.is_integer(dtype_of(x)):
            raise TypeError("x must be an integer or at least 1-dimensional")
        n = int(concrete_or_error(x, "argument x of npaccel.random.permutation()"))
        return _shuffle(key, _arange(n), 0)
    if independent or ndim == 1:
        return _shuffle(key, x, axis)
    order = _shuffle(key, _arange(shape_of(x)[axis]), 0)
    return _take(x, order, axis)


def choice(key, a, shape: Sequence[int] = (), replace: bool = True, p=None, axis: int = 0):
    """A random sample of arange(a) (a an int) or of a's entries along `axis`
    (jax.random.choice), with or without replacement, uniform or with probabilities p."""
    key = _check_key("choice", key)
    if not isinstance(shape, Sequence):
        raise TypeError(f"shape argument of npaccel.random.choice must be a sequence, got "
                        f"{shape}")
    shape = _shape(shape)
    arr = asvalue(a)
    ndim = len(shape_of(arr))
    if ndim == 0:
        n_inputs = int(concrete_or_error(arr, "argument a of npaccel.random.choice()"))
    else:
        axis = normalize_axis(axis, ndim)
        n_inputs = shape_of(arr)[axis]
    n_draws = math.prod(shape)
    if n_draws == 0:
        return lax_shape.full(shape, 0, dtype_of(arr))
    if n_inputs <= 0:
        raise ValueError("a must be greater than 0 unless no samples are taken")
    if not replace and n_draws > n_inputs:
        raise ValueError(f"Cannot take a larger sample (size {n_draws}) than population "
                         f"(size {n_inputs}) when 'replace=False'")
    if p is None and replace:
        indices = randint(key, shape, 0, n_inputs)
    elif p is None:
        indices = slicing.slice_in_dim(permutation(key, n_inputs), 0, n_draws)
    else:
        indices = _weighted_indices(key, p, n_inputs, n_draws, shape, replace)
    indices = lax_shape.reshape(indices, shape)
    return indices if ndim == 0 else _take(arr, indices, axis)


def _weighted_indices(key, p, n_inputs, n_draws, shape, replace):
    p = asvalue(p)
    if not dtypes.is_inexact(dtype_of(p)):
        p = astype(p, np.float64)
    if shape_of(p) != (n_inputs,):
        raise ValueError(f"p must be None or a 1D vector with the same size as a.shape[axis]. "
                         f"p has shape {shape_of(p)} and a.shape[axis] is {n_inputs}.")
    dtype = dtype_of(p)
    if replace:
        # Inverse CDF: the index of the first cumulative weight >= r, r uniform on
        # (0, total]: the count of cumulative weights below r.
        cumulative = reduction.cumsum(p, 0)
        total = lax_shape.reshape(slicing.slice_in_dim(cumulative, n_inputs - 1, None), ())
        total = lax_shape.broadcast_in_dim(total, shape, ())
        r = ew.mul(total, ew.sub(1.0, uniform(key, shape, dtype)))
        below = ew.lt(lax_shape.broadcast_in_dim(cumulative, (*shape, n_inputs), (len(shape),)),
                      lax_shape.broadcast_in_dim(r, (*shape, n_inputs), tuple(range(len(shape)))))
        return reduction.reduce_sum(astype(below, np.int64), (len(shape),))
    # Without replacement: the Gumbel top-k trick (the k largest of log p + Gumbel noise).
    scores = ew.add(gumbel(key, (n_inputs,), dtype), ew.log(p))
    return astype(sorting.top_k(scores, n_draws)[1], np.int64)


def categorical(key, logits, axis: int = -1, shape: Sequence[int] | None = None):
    """Indices drawn with probabilities softmax(logits) along `axis`
    (jax.random.categorical), by the Gumbel-max trick."""
    key = _check_key("categorical", key)
    logits = asvalue(logits)
    if not dtypes.is_inexact(dtype_of(logits)):
        logits = astype(logits, np.float64)
    lshape = shape_of(logits)
    axis = normalize_axis(axis, len(lshape))
    batch_shape = lshape[:axis] + lshape[axis + 1:]
    if shape is None:
        shape = batch_shape
    else:
        shape = _shape(shape)
        _check_shape("categorical", shape, batch_shape)
    prefix = shape[:len(shape) - len(batch_shape)]
    full_shape = (*prefix, *lshape)
    noise = gumbel(key, full_shape, dtype_of(logits))
    scores = ew.add(noise, lax_shape.broadcast_in_dim(
        logits, full_shape, tuple(range(len(prefix), len(full_shape)))))
    return reduction.argmax(scores, len(prefix) + axis, np.int64)


# --- gamma, beta, dirichlet ------------------------------------------------------------------

def _gamma_one(key, alpha, log_space: bool):
    """One Gamma(alpha) sample, or its log (Marsaglia and Tsang, "A simple method for
    generating gamma variables", 2000): d v**3 for the first normal x, v = 1 + c x, and
    uniform u that pass the acceptance test; for alpha < 1, Gamma(alpha + 1) * U**(1/alpha).
    A proposal with v <= 0 is rejected within the same loop (the paper redraws x alone;
    u is independent of x, so the accepted values have the same distribution)."""
    dtype = dtype_of(alpha)
    zero, one = np.asarray(0.0, dtype), np.asarray(1.0, dtype)
    boost = ew.ge(alpha, one)
    d = ew.sub(ew.select(boost, alpha, ew.add(alpha, one)), np.asarray(1 / 3, dtype))
    c = ew.div(np.asarray(1 / 3, dtype), ew.sqrt(d))

    def propose(state):
        # One Threefry call per proposal: counter 0 gives the next key, 1 and 2 the bits
        # of x and u (outputs for distinct counters are independent).
        y0, y1 = _threefry2x32(*_key_words(state[0], (3,)), *_counters((3,)))
        words = [[lax_shape.reshape(slicing.slice_in_dim(y, i, i + 1), ()) for y in (y0, y1)]
                 for i in range(3)]
        k = lax_shape.concatenate([lax_shape.reshape(w, (1,)) for w in words[0]], 0)
        x, u = [_bits_to_unit(_words_to_bits(*words[i], _float_bits(dtype)), dtype)
                for i in (1, 2)]
        x = _unit_to_normal(x, dtype)
        v = ew.add(one, ew.mul(x, c))
        v3 = ew.mul(ew.mul(v, v), v)
        x2 = ew.mul(x, x)
        squeeze = ew.lt(u, ew.sub(one, ew.mul(np.asarray(0.0331, dtype), ew.mul(x2, x2))))
        exact = ew.lt(ew.log(u), ew.add(ew.mul(x2, np.asarray(0.5, dtype)),
                                        ew.mul(d, ew.add(ew.sub(one, v3), ew.log(v3)))))
        return k, v3, ew.bitwise_and(ew.gt(v, zero), ew.bitwise_or(squeeze, exact))

    keys = _split(key, (2,))
    key, sub = [slicing.index_in_dim(keys, i, keepdims=False) for i in (0, 1)]
    v3 = control_flow.while_loop(lambda s: ew.bitwise_not(s[2]), propose,
                                 (key, one, np.asarray(False)))[1]
    u = _uniform(sub, (), dtype, zero, one)
    if log_space:
        # log U = log1p(-U') for U' uniform on [0, 1); 0 only where U' == 0.
        log_u = ew.log1p(ew.neg(u))
        log_boost = ew.select(ew.bitwise_or(boost, ew.eq(log_u, zero)), zero,
                              ew.div(log_u, alpha))
        return ew.add(ew.add(ew.log(d), ew.log(v3)), log_boost)
    boost_factor = ew.select(boost, one, ew.pow(ew.sub(one, u), ew.div(one, alpha)))
    return ew.mul(ew.mul(d, v3), boost_factor)


@functools.partial(custom_jvp, nondiff_argnums=(2,))
def _gamma_samples(keys, alphas, log_space):
    return vmap(lambda k, a: _gamma_one(k, a, log_space))(keys, alphas)


@_gamma_samples.defjvp
def _gamma_samples_jvp(log_space, primals, tangents):
    # Note: JAX differentiates gamma samples by implicit reparameterisation, which needs
    # the derivative of the regularised incomplete gamma function; npaccel has none yet,
    # and differentiating through the rejection loop would be silently biased.
    raise NotImplementedError("derivatives of npaccel.random gamma/beta/dirichlet samples "
                              "with respect to their parameters are not implemented")


@functools.partial(jit, static_argnums=(2, 3, 4))
def _gamma(key, a, shape, dtype, log_space):
    alphas = lax_shape.reshape(broadcast_to(astype(a, dtype), shape), (math.prod(shape),))
    keys = _split(key, (math.prod(shape),))
    return lax_shape.reshape(_gamma_samples(keys, alphas, log_space), shape)


def _gamma_args(name, key, a, shape, dtype):
    key = _check_key(name, key)
    dtype = _float_dtype(name, dtype)
    a = asvalue(a)
    if shape is None:
        shape = shape_of(a)
    else:
        shape = _shape(shape)
        _check_shape(name, shape, shape_of(a))
    return key, a, shape, dtype


def gamma(key, a, shape: Sequence[int] | None = None, dtype=np.float64):
    """Gamma(a) values, unit scale (jax.random.gamma)."""
    key, a, shape, dtype = _gamma_args("gamma", key, a, shape, dtype)
    return _gamma(key, a, shape, dtype, False)


def loggamma(key, a, shape: Sequence[int] | None = None, dtype=np.float64):
    """log of Gamma(a) values, accurate for small a (jax.random.loggamma)."""
    key, a, shape, dtype = _gamma_args("loggamma", key, a, shape, dtype)
    return _gamma(key, a, shape, dtype, True)


def beta(key, a, b, shape: Sequence[int] | None = None, dtype=np.float64):
    """Beta(a, b) values, as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b) (jax.random.beta)."""
    key = _check_key("beta", key)
    dtype = _float_dtype("beta", dtype)
    a, b = asvalue(a), asvalue(b)
    if shape is None:
        shape = broadcast_shapes(shape_of(a), shape_of(b))
    else:
        shape = _shape(shape)
        _check_shape("beta", shape, shape_of(a), shape_of(b))
    keys = _split(key, (2,))
    log_x, log_y = [_gamma(slicing.index_in_dim(keys, i, keepdims=False), v, shape, dtype, True)
                    for i, v in ((0, a), (1, b))]
    # X / (X + Y) from the logs, scaled by the larger so neither underflows.
    top = ew.max(log_x, log_y)
    x, y = ew.exp(ew.sub(log_x, top)), ew.exp(ew.sub(log_y, top))
    return ew.div(x, ew.add(x, y))


def dirichlet(key, alpha, shape: Sequence[int] | None = None, dtype=np.float64):
    """Dirichlet(alpha) values along the last axis (jax.random.dirichlet): normalised
    Gamma(alpha_i) samples, computed from their logs."""
    key = _check_key("dirichlet", key)
    dtype = _float_dtype("dirichlet", dtype)
    alpha = asvalue(alpha)
    ashape = shape_of(alpha)
    if len(ashape) < 1:
        raise ValueError(f"dirichlet requires alpha.ndim >= 1, got alpha.ndim == {len(ashape)}")
    if shape is None:
        shape = ashape[:-1]
    else:
        shape = _shape(shape)
        _check_shape("dirichlet", shape, ashape[:-1])
    full = (*shape, ashape[-1])
    logs = _gamma(key, alpha, full, dtype, True)
    last = len(full) - 1
    top = reduction.reduce_max(logs, (last,))
    weights = ew.exp(ew.sub(logs, lax_shape.broadcast_in_dim(top, full, tuple(range(last)))))
    total = reduction.reduce_sum(weights, (last,))
    return ew.div(weights, lax_shape.broadcast_in_dim(total, full, tuple(range(last))))
