"""npaccel.lax: primitives that map one-to-one onto StableHLO ops, with the signatures and
semantics of jax.lax (float64 is the default float type)."""
from npaccel.lax.convert import (bitcast_convert_type, convert_element_type, reduce_precision)
from npaccel.lax.elementwise import (
    RoundingMethod, abs, acos, acosh, add, asin, asinh, atan, atan2, atanh, bitwise_and,
    bitwise_not, bitwise_or, bitwise_xor, cbrt, ceil, clamp, clz, complex, conj, cos, cosh,
    digamma, div, eq, erf, erf_inv, erfc, exp, exp2, expm1, floor, ge, gt, imag,
    integer_pow, is_finite, le, lgamma, log, log1p, logistic, lt, max, min, mul, ne, neg,
    nextafter, polygamma, population_count, pow, real, rem, round, rsqrt, select, select_n,
    shift_left, shift_right_arithmetic, shift_right_logical, sign, sin, sinh, sqrt,
    stop_gradient, sub, tan, tanh)
from npaccel.lax.control_flow import cond, fori_loop, map, scan, switch, while_loop
from npaccel.lax.convolution import (ConvDimensionNumbers, conv, conv_dimension_numbers,
                                     conv_general_dilated, conv_transpose,
                                     conv_with_general_padding)
from npaccel.lax.contraction import Precision, batch_matmul, dot, dot_general
from npaccel.lax.fourier import FftType, fft
from npaccel.lax.reduction import (argmax, argmin, cumlogsumexp, cummax, cummin, cumprod, cumsum,
                                   reduce, reduce_and, reduce_max, reduce_min, reduce_or,
                                   reduce_prod, reduce_sum, reduce_window, reduce_xor)
from npaccel.lax.random_bits import RandomAlgorithm, rng_bit_generator
from npaccel.lax.slicing import (GatherDimensionNumbers, GatherScatterMode,
                                 ScatterDimensionNumbers, dynamic_index_in_dim, dynamic_slice,
                                 dynamic_slice_in_dim, dynamic_update_index_in_dim,
                                 dynamic_update_slice, dynamic_update_slice_in_dim, gather,
                                 index_in_dim, scatter, scatter_add, scatter_max, scatter_min,
                                 scatter_mul, slice, slice_in_dim)
from npaccel.lax.sorting import sort, sort_key_val, top_k
from npaccel.lax import linalg  # noqa: F401  (cholesky, triangular_solve: jax.lax.linalg)
from npaccel.lax.shape import (broadcast, broadcast_in_dim, broadcasted_iota, concatenate,
                               expand_dims, full, full_like, iota, pad, padtype_to_pads, reshape,
                               rev, squeeze, transpose)
from npaccel.lax import _wiring  # noqa: F401  (operators, and the ops transforms need)

# jax.lax spells the logical ops without the bitwise_ prefix.
not_ = bitwise_not
and_ = bitwise_and
or_ = bitwise_or
xor = bitwise_xor
