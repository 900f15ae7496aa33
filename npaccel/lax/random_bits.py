"""Random bits: rng_bit_generator (stablehlo.rng_bit_generator), as jax.lax.

A stateless generator: the same key always gives the same bits (eager and jit alike), and
each call returns the next key to use. Keys are uint32[4] (as in JAX) or uint64[2]
(PHILOX also takes uint32[6] / uint64[3]).
"""
from __future__ import annotations

import enum
from typing import Sequence

import numpy as np

from npaccel._runtime import hlo
from npaccel.core.aval import ShapedArray
from npaccel.core.trace import get_aval
from npaccel.lax._standard import DtypeClass, as_operand, check_dtype, standard_primitive
from npaccel.lax.shape import broadcast_in_dim, concatenate, full
from npaccel.transforms import lowering
from npaccel.transforms.ad import defjvp_zero
from npaccel.transforms.batching import batching_rules, bdim_at_front

HLO_OPS = {"rng_bit_generator": "stablehlo.rng_bit_generator"}


class RandomAlgorithm(enum.IntEnum):
    """The bit generator (as jax.lax.RandomAlgorithm); RNG_DEFAULT is the platform's."""
    RNG_DEFAULT = 0
    RNG_THREE_FRY = 1
    RNG_PHILOX = 2


_HLO_ALGORITHM = {RandomAlgorithm.RNG_DEFAULT: "DEFAULT",
                  RandomAlgorithm.RNG_THREE_FRY: "THREE_FRY",
                  RandomAlgorithm.RNG_PHILOX: "PHILOX"}
# Note: XLA makes the bits unsigned whatever type is asked for (a signed request comes
# back as a mislabelled unsigned buffer), so only unsigned dtypes are accepted, as in JAX.
UNSIGNED = DtypeClass("unsigned integer (uint8, uint16, uint32, uint64)",
                      lambda d: d.kind == "u")
# Key sizes in bits each algorithm accepts.
_KEY_BITS = {RandomAlgorithm.RNG_DEFAULT: (128,), RandomAlgorithm.RNG_THREE_FRY: (128,),
             RandomAlgorithm.RNG_PHILOX: (128, 192)}


def _rng_abstract_eval(key, *, shape, dtype, algorithm):
    if key.dtype not in (np.uint32, np.uint64) or key.ndim != 1 or \
            key.size * key.dtype.itemsize * 8 not in _KEY_BITS[algorithm]:
        sizes = " or ".join(f"uint32[{b // 32}] / uint64[{b // 64}]" for b in _KEY_BITS[algorithm])
        raise TypeError(f"rng_bit_generator with {algorithm.name} needs a key of {sizes}, "
                        f"got {key.str_short()}")
    check_dtype("rng_bit_generator", UNSIGNED, ShapedArray((), dtype), "the output")
    if any(d < 0 for d in shape):
        raise ValueError(f"rng_bit_generator shape must be non-negative, got {shape}")
    return [key.strip_weak_type(), ShapedArray(shape, dtype)]


def _rng_lower(ctx, key, *, shape, dtype, algorithm):
    key_aval, bits_aval = ctx.avals_out
    state_aval = ShapedArray((key_aval.size * key_aval.dtype.itemsize // 8,), np.uint64)
    if key_aval.dtype == np.uint32:
        # Note: XLA's generators keep their state in uint64 words; a uint32 key is
        # reshaped and bitcast to them, and the new state back (four extra ops).
        pairs = lowering.ir_type(ShapedArray((state_aval.size, 2), np.uint32))
        key = hlo.BitcastConvertOp(lowering.ir_type(state_aval),
                                   hlo.ReshapeOp(pairs, key).result).result
    op = hlo.RngBitGeneratorOp(lowering.ir_type(state_aval), lowering.ir_type(bits_aval),
                               hlo.RngAlgorithmAttr.get(_HLO_ALGORITHM[algorithm]), key)
    new_key = op.output_state
    if key_aval.dtype == np.uint32:
        pairs = lowering.ir_type(ShapedArray((state_aval.size, 2), np.uint32))
        new_key = hlo.ReshapeOp(lowering.ir_type(key_aval),
                                hlo.BitcastConvertOp(pairs, new_key).result).result
    return [new_key, op.output]


def _rng_batch(axis_size, vals, dims, **params):
    # Note: XLA generates from one key at a time, so a batch of keys is a loop of
    # generators, one per key (the same bits as a Python loop would give).
    from npaccel.lax.slicing import index_in_dim
    (keys,), (d,) = vals, dims
    keys = bdim_at_front(keys, d, axis_size)
    if axis_size == 0:
        return [keys, full((0, *params["shape"]), 0, params["dtype"])], [0, 0]
    outs = [rng_bit_generator_p.bind(index_in_dim(keys, i, keepdims=False), **params)
            for i in range(axis_size)]
    return [_stack([o[j] for o in outs]) for j in range(2)], [0, 0]


def _stack(xs):
    return concatenate([broadcast_in_dim(x, (1, *get_aval(x).shape), range(1, get_aval(x).ndim + 1))
                        for x in xs], 0)


rng_bit_generator_p = standard_primitive("rng_bit_generator", _rng_abstract_eval, _rng_lower,
                                         multiple_results=True)
defjvp_zero(rng_bit_generator_p)
batching_rules[rng_bit_generator_p] = _rng_batch


def rng_bit_generator(key, shape: Sequence[int], dtype=np.uint32,
                      algorithm: RandomAlgorithm = RandomAlgorithm.RNG_DEFAULT):
    """(new_key, bits): uniformly random bits of `shape` and unsigned `dtype` from `key`
    (stablehlo.rng_bit_generator). The same key gives the same bits; use new_key next."""
    shape = tuple(int(d) for d in shape)
    return tuple(rng_bit_generator_p.bind(as_operand(key), shape=shape, dtype=np.dtype(dtype),
                                          algorithm=RandomAlgorithm(algorithm)))
