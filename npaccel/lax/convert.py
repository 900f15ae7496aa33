"""Type primitives: convert_element_type, bitcast_convert_type, reduce_precision."""
from __future__ import annotations

import numpy as np

from npaccel._runtime import hlo, ir
from npaccel.core import dtypes
from npaccel.core.aval import ShapedArray
from npaccel.core.trace import get_aval
from npaccel.lax._standard import FLOAT, as_operand, check_dtype, standard_primitive
from npaccel.transforms import lowering
from npaccel.transforms.ad import Zero, jvp_rules, transpose_rules
from npaccel.transforms.batching import batching_rules

HLO_OPS = {"convert_element_type": "stablehlo.convert",
           "bitcast_convert_type": "stablehlo.bitcast_convert",
           "reduce_precision": "stablehlo.reduce_precision"}


def _vectorized(prim):
    """Unary shape-preserving primitive: the batch axis stays where it is."""
    batching_rules[prim] = lambda size, vals, dims, **params: (prim.bind(*vals, **params), dims[0])


# --- convert_element_type ---------------------------------------------------------------

def _convert_abstract_eval(x, *, new_dtype, weak_type):
    return ShapedArray(x.shape, dtypes.check_supported(new_dtype), weak_type)


def _convert_lower(ctx, x, *, new_dtype, weak_type):
    # Note: StableHLO's convert from complex to real is unspecified; NumPy (and JAX) keep
    # the real part, so take it explicitly first (the one exception to one-op lowering),
    # except for bool, which is `x != 0` (an imaginary part alone is true).
    if dtypes.is_complex(ctx.avals_in[0].dtype) and dtypes.is_bool(new_dtype):
        zero = lowering.full_like_aval(0, ctx.avals_in[0])
        return hlo.CompareOp(x, zero, hlo.ComparisonDirectionAttr.get("NE")).result
    if dtypes.is_complex(ctx.avals_in[0].dtype) and not dtypes.is_complex(new_dtype):
        x = hlo.RealOp(x).result
    return hlo.ConvertOp(lowering.ir_type(ctx.avals_out[0]), x).result


def _convert_jvp(primals, tangents, *, new_dtype, weak_type):
    (x,), (t,) = primals, tangents
    out = convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=weak_type)
    old_dtype = get_aval(x).dtype
    if type(t) is Zero or not (dtypes.is_inexact(old_dtype) and dtypes.is_inexact(new_dtype)):
        return out, Zero.like(out)
    return out, convert_element_type_p.bind(t, new_dtype=new_dtype, weak_type=weak_type)


def _convert_transpose(ct, x, *, new_dtype, weak_type):
    return [convert_element_type(ct, x.aval.dtype)]


convert_element_type_p = standard_primitive("convert_element_type", _convert_abstract_eval,
                                            _convert_lower)
jvp_rules[convert_element_type_p] = _convert_jvp
transpose_rules[convert_element_type_p] = _convert_transpose
_vectorized(convert_element_type_p)


def convert_element_type(x, new_dtype):
    """Elementwise cast to `new_dtype` (stablehlo.convert). Complex to real keeps the real
    part; float to integer rounds toward zero."""
    x = as_operand(x)
    new_dtype = dtypes.check_supported(new_dtype)
    if type(x) in (bool, int, float, complex):
        x = np.asarray(x)
    aval = get_aval(x)
    if aval.dtype == new_dtype and not aval.weak_type:
        return x
    return convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=False)


# --- bitcast_convert_type -----------------------------------------------------------------

def _bitcast_abstract_eval(x, *, new_dtype):
    new_dtype = dtypes.check_supported(new_dtype)
    old = x.dtype
    if dtypes.is_bool(old) or dtypes.is_bool(new_dtype):
        raise TypeError("bitcast_convert_type does not support bool")
    if dtypes.is_complex(old) != dtypes.is_complex(new_dtype):
        raise TypeError(f"bitcast_convert_type cannot convert between real and complex types "
                        f"({old} to {new_dtype}); use real/imag/complex")
    if old.itemsize == new_dtype.itemsize:
        shape = x.shape
    elif old.itemsize > new_dtype.itemsize:
        shape = (*x.shape, old.itemsize // new_dtype.itemsize)
    else:
        ratio = new_dtype.itemsize // old.itemsize
        if not x.shape or x.shape[-1] != ratio:
            raise TypeError(f"bitcast_convert_type from {old} to {new_dtype} needs a last "
                            f"dimension of size {ratio}, got shape {x.shape}")
        shape = x.shape[:-1]
    return ShapedArray(shape, new_dtype)


def _bitcast_batch(size, vals, dims, *, new_dtype):
    (x,), (d,) = vals, dims
    if d == get_aval(x).ndim - 1:
        from npaccel.lax.shape import moveaxis
        x, d = moveaxis(x, d, 0), 0
    return bitcast_convert_type(x, new_dtype), d


bitcast_convert_type_p = standard_primitive(
    "bitcast_convert_type", _bitcast_abstract_eval,
    lambda ctx, x, *, new_dtype: hlo.BitcastConvertOp(lowering.ir_type(ctx.avals_out[0]), x).result)
batching_rules[bitcast_convert_type_p] = _bitcast_batch


def _bitcast_jvp(primals, tangents, *, new_dtype):
    out = bitcast_convert_type_p.bind(*primals, new_dtype=new_dtype)
    return out, Zero.like(out)


jvp_rules[bitcast_convert_type_p] = _bitcast_jvp


def bitcast_convert_type(x, new_dtype):
    """Reinterpret the bits of x as `new_dtype` (stablehlo.bitcast_convert)."""
    return bitcast_convert_type_p.bind(as_operand(x), new_dtype=np.dtype(new_dtype))


# --- reduce_precision ----------------------------------------------------------------------

def _reduce_precision_abstract_eval(x, *, exponent_bits, mantissa_bits):
    check_dtype("reduce_precision", FLOAT, x)
    if exponent_bits < 1 or mantissa_bits < 0:
        raise ValueError(f"reduce_precision needs exponent_bits >= 1 and mantissa_bits >= 0, "
                         f"got {exponent_bits}, {mantissa_bits}")
    return x


def _reduce_precision_lower(ctx, x, *, exponent_bits, mantissa_bits):
    i32 = ir.IntegerType.get_signless(32)
    return hlo.ReducePrecisionOp(x, ir.IntegerAttr.get(i32, exponent_bits),
                                 ir.IntegerAttr.get(i32, mantissa_bits)).result


reduce_precision_p = standard_primitive("reduce_precision", _reduce_precision_abstract_eval,
                                        _reduce_precision_lower)
_vectorized(reduce_precision_p)


def _reduce_precision_jvp(primals, tangents, **params):
    (x,), (t,) = primals, tangents
    out = reduce_precision_p.bind(x, **params)
    return out, t if type(t) is Zero else reduce_precision_p.bind(t, **params)


jvp_rules[reduce_precision_p] = _reduce_precision_jvp


def reduce_precision(x, exponent_bits: int, mantissa_bits: int):
    """Round x to a float format with the given bit counts (stablehlo.reduce_precision)."""
    if isinstance(exponent_bits, (np.dtype, type)):
        raise TypeError("reduce_precision takes exponent_bits and mantissa_bits")
    return reduce_precision_p.bind(as_operand(x), exponent_bits=int(exponent_bits),
                                   mantissa_bits=int(mantissa_bits))
