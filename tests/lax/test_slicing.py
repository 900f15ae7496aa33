"""Slicing and indexing lax primitives against NumPy indexing (see tests/harness.py)."""
from functools import partial

import numpy as np
import pytest

import npaccel
from npaccel.lax import slicing
from npaccel.lax.slicing import (GatherDimensionNumbers as GDN, GatherScatterMode,
                                 ScatterDimensionNumbers as SDN)
from harness import (COMPLEX, FLOATS, OpRecord, bfloat16, check_grads, lowered_ops, op_tests,
                     rand_default)

# A few dtypes of every kind; the index arguments have their own dtypes (arg_dtypes).
ALL = [np.bool_, np.int8, np.uint32, np.float16, bfloat16, np.float64, np.complex64]
NUMERIC = ALL[1:]
ORDERED = ALL[:-1]
FEW = [np.int32, np.float32, np.float64]


def _idx(lo, hi):
    """Integer indices drawn from [lo, hi): out-of-bounds ones when the range says so."""
    def gen(rng, shape, dtype):
        return rng.integers(lo, hi, size=shape).astype(dtype)
    return gen


def _perm(rng, shape, dtype):
    """Distinct indices (a prefix of a permutation of range(6)), for unique scatters."""
    return rng.permutation(6)[:int(np.prod(shape))].reshape(shape).astype(dtype)


def _with_index_dtypes(*index_dtypes):
    return lambda d: [d, *index_dtypes]


def _fill(dtype):
    """jax.lax.gather's default FILL_OR_DROP fill value."""
    dtype = np.dtype(dtype)
    if dtype.kind in "fc" or dtype == bfloat16:
        return np.asarray(np.nan, dtype)
    if dtype.kind in "iu":
        return np.asarray(np.iinfo(dtype).min if dtype.kind == "i" else np.iinfo(dtype).max, dtype)
    return np.asarray(True)


# --- NumPy references ----------------------------------------------------------------------

def _np_dynamic_starts(x_shape, starts, sizes, wrap=True):
    """Start indices as jax.lax.dynamic_slice uses them: negatives from the end, then
    clamped so that the window fits."""
    out = []
    for i, d, s in zip(starts, x_shape, sizes):
        i = int(i)
        i = i + d if wrap and i < 0 else i
        out.append(min(max(i, 0), d - s))
    return out


def _np_dynamic_slice(sizes, wrap=True):
    def ref(x, *starts):
        starts = _np_dynamic_starts(x.shape, starts, sizes, wrap)
        return x[tuple(slice(i, i + s) for i, s in zip(starts, sizes))]
    return ref


def _np_dynamic_update_slice(x, u, *starts):
    starts = _np_dynamic_starts(x.shape, starts, u.shape)
    out = x.copy()
    out[tuple(slice(i, i + s) for i, s in zip(starts, u.shape))] = u
    return out


def _np_take_rows(mode, fill_value=None):
    """x[i[..., 0]] via np.take, out-of-bounds rows clipped or filled."""
    def ref(x, i):
        idx = i[..., 0].astype(np.int64)
        out = np.take(x, np.clip(idx, 0, x.shape[0] - 1), axis=0)
        if mode == "fill":
            fill = _fill(x.dtype) if fill_value is None else np.asarray(fill_value, x.dtype)
            valid = ((idx >= 0) & (idx < x.shape[0])).reshape(idx.shape + (1,) * (x.ndim - 1))
            out = np.where(valid, out, fill)
        return out
    return ref


def _np_column_windows(size, mode, fill_value=None):
    """Windows x[:, s:s + size] for each start s = i[k, 0], as a (k, rows, size) stack."""
    def ref(x, i):
        n = x.shape[1]
        starts = i[:, 0].astype(np.int64)
        out = np.stack([x[:, min(max(s, 0), n - size):][:, :size] for s in starts])
        if mode == "fill":
            valid = ((starts >= 0) & (starts <= n - size))[:, None, None]
            fill = _fill(x.dtype) if fill_value is None else np.asarray(fill_value, x.dtype)
            out = np.where(valid, out, fill)
        return out
    return ref


def _np_scatter_rows(at, mode):
    """Scatter rows u[k] onto x[i[k, 0]] with a ufunc's `at` (or assignment for None),
    out-of-bounds rows clipped or dropped."""
    def ref(x, i, u):
        idx = i[..., 0].reshape(-1).astype(np.int64)
        rows = u.reshape((idx.size,) + x.shape[1:])
        if mode == "clip":
            idx = np.clip(idx, 0, x.shape[0] - 1)
        else:
            keep = (idx >= 0) & (idx < x.shape[0])
            idx, rows = idx[keep], rows[keep]
        out = x.copy()
        if at is None:
            out[idx] = rows
        else:
            at(out, idx, rows)
        return out
    return ref


def _np_batched_take(x, i):
    """out[b, j, :] = x[b, i[b, j, 0], :] by fancy indexing (gather with batching dims)."""
    return x[np.arange(x.shape[0])[:, None], i[..., 0]]


def _np_batched_add_at(x, i, u):
    out = x.copy()
    for b in range(x.shape[0]):
        np.add.at(out[b], i[b, :, 0], u[b])
    return out


def _np_column_window_add(mode):
    """x[:, s:s + size] += u[k] for each start s = i[k, 0], clipped or dropped when the
    window does not fit."""
    def ref(x, i, u):
        out = x.copy()
        size, n = u.shape[2], x.shape[1]
        for s, w in zip(i[:, 0].astype(np.int64), u):
            if mode == "clip":
                s = min(max(s, 0), n - size)
            if 0 <= s <= n - size:
                out[:, s:s + size] += w
        return out
    return ref


# --- the op table ----------------------------------------------------------------------------

ROWS = GDN(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0,))
POINTS = GDN(offset_dims=(), collapsed_slice_dims=(0, 1), start_index_map=(0, 1))
COLUMN_WINDOWS = GDN(offset_dims=(1, 2), collapsed_slice_dims=(), start_index_map=(1,))
BATCHED_ROWS = GDN(offset_dims=(2,), collapsed_slice_dims=(1,), start_index_map=(1,),
                   operand_batching_dims=(0,), start_indices_batching_dims=(0,))
SCATTER_ROWS = SDN(update_window_dims=(1,), inserted_window_dims=(0,),
                   scatter_dims_to_operand_dims=(0,))
SCATTER_ELEMENTS = SDN(update_window_dims=(), inserted_window_dims=(0,),
                       scatter_dims_to_operand_dims=(0,))
SCATTER_COLUMN_WINDOWS = SDN(update_window_dims=(1, 2), inserted_window_dims=(),
                             scatter_dims_to_operand_dims=(1,))
SCATTER_BATCHED = SDN(update_window_dims=(), inserted_window_dims=(1,),
                      scatter_dims_to_operand_dims=(1,), operand_batching_dims=(0,),
                      scatter_indices_batching_dims=(0,))

INT32 = _with_index_dtypes(np.int32)
OOB_ROWS = [rand_default, _idx(-3, 8)]                 # operands have 5 or 6 rows
IN_ROWS = [rand_default, _idx(0, 4)]


def _gather_rows(mode, name, dtypes=ALL, rng=OOB_ROWS, grad=True, **kw):
    fun = partial(slicing.gather, dimension_numbers=ROWS, slice_sizes=(1, 3), mode=mode, **kw)
    ref_mode = "fill" if mode == "fill" else "clip"
    return OpRecord(name, fun, _np_take_rows(ref_mode, kw.get("fill_value")),
                    [((5, 3), (4, 1)), ((6, 3), (2, 1))], dtypes, rng=rng, arg_dtypes=INT32,
                    grad_argnums=[0], grad=grad)


def _scatter_rows(name, fun, at, mode, dtypes, rng=None, grad_argnums=(0, 2), **kw):
    return OpRecord(name, partial(fun, dimension_numbers=SCATTER_ROWS, mode=mode, **kw),
                    _np_scatter_rows(at, mode),
                    [((5, 3), (4, 1), (4, 3)), ((6, 2), (3, 1), (3, 2))], dtypes,
                    rng=rng or [rand_default, _idx(-3, 8), rand_default],
                    arg_dtypes=lambda d: [d, np.int32, d], grad_argnums=list(grad_argnums))


RECORDS = [
    # slice
    OpRecord("slice_strided", partial(slicing.slice, start_indices=(1, 0), limit_indices=(4, 5),
                                      strides=(2, 2)),
             lambda x: x[1:4:2, 0:5:2], [((4, 5),), ((6, 7),)], ALL, hlo_ops=["stablehlo.slice"]),
    OpRecord("slice_empty", partial(slicing.slice, start_indices=(0, 2), limit_indices=(3, 2)),
             lambda x: x[0:3, 2:2], [((3, 4),)], [np.float32, np.float64]),
    OpRecord("slice_in_dim_neg_axis", partial(slicing.slice_in_dim, start_index=-3,
                                              limit_index=None, axis=-1),
             lambda x: x[..., -3:], [((2, 4),), ((3,),), ((2, 3, 5),)], ALL),
    OpRecord("slice_in_dim_stride", partial(slicing.slice_in_dim, start_index=None,
                                            limit_index=-1, stride=2),
             lambda x: x[:-1:2], [((5, 2),), ((4,),)], FEW),
    OpRecord("index_in_dim", partial(slicing.index_in_dim, index=-1, axis=1, keepdims=False),
             lambda x: x[:, -1], [((2, 3),), ((3, 4, 2),)], FEW),
    OpRecord("index_in_dim_keepdims", partial(slicing.index_in_dim, index=1),
             lambda x: x[1:2], [((2, 3),)], FEW),
    # dynamic_slice: out-of-bounds starts are wrapped (if negative) and clamped
    OpRecord("dynamic_slice", lambda x, i, j: slicing.dynamic_slice(x, (i, j), (2, 3)),
             _np_dynamic_slice((2, 3)), [((4, 5), (), ()), ((3, 6), (), ())], ALL,
             rng=[rand_default, _idx(-8, 8), _idx(-8, 8)],
             arg_dtypes=_with_index_dtypes(np.int32, np.int32), grad_argnums=[0]),
    OpRecord("dynamic_slice_mixed_index_dtypes",
             lambda x, i, j: slicing.dynamic_slice(x, [i, j], [1, 2]),
             _np_dynamic_slice((1, 2)), [((3, 4), (), ())], FEW,
             rng=[rand_default, _idx(-4, 4), _idx(0, 6)],
             arg_dtypes=_with_index_dtypes(np.int8, np.uint16), grad_argnums=[0]),
    OpRecord("dynamic_slice_no_negative",
             lambda x, i, j: slicing.dynamic_slice(x, (i, j), (2, 2), allow_negative_indices=False),
             _np_dynamic_slice((2, 2), wrap=False), [((3, 4), (), ())], FEW,
             rng=[rand_default, _idx(-5, 5), _idx(-5, 5)],
             arg_dtypes=_with_index_dtypes(np.int64, np.int64), grad_argnums=[0],
             hlo_ops=["stablehlo.dynamic_slice"]),
    OpRecord("dynamic_slice_in_dim",
             lambda x, i: slicing.dynamic_slice_in_dim(x, i, 2, axis=-1),
             lambda x, i: _np_dynamic_slice((*x.shape[:-1], 2))(x, *[0] * (x.ndim - 1), i),
             [((3, 5), ()), ((4,), ())], FEW, rng=[rand_default, _idx(-7, 7)],
             arg_dtypes=INT32, grad_argnums=[0]),
    OpRecord("dynamic_index_in_dim",
             lambda x, i: slicing.dynamic_index_in_dim(x, i, axis=0, keepdims=False),
             lambda x, i: x[min(max(int(i) + x.shape[0] if i < 0 else int(i), 0), x.shape[0] - 1)],
             [((4, 3), ()), ((3,), ())], FEW, rng=[rand_default, _idx(-6, 6)],
             arg_dtypes=INT32, grad_argnums=[0]),
    # dynamic_update_slice
    OpRecord("dynamic_update_slice",
             lambda x, u, i, j: slicing.dynamic_update_slice(x, u, (i, j)),
             _np_dynamic_update_slice, [((4, 5), (2, 3), (), ()), ((3, 3), (3, 1), (), ())], ALL,
             rng=[rand_default, rand_default, _idx(-8, 8), _idx(-8, 8)],
             arg_dtypes=lambda d: [d, d, np.int32, np.int32], grad_argnums=[0, 1],
             hlo_ops=["stablehlo.compare", "stablehlo.add", "stablehlo.select",
                      "stablehlo.compare", "stablehlo.add", "stablehlo.select",
                      "stablehlo.dynamic_update_slice"]),
    OpRecord("dynamic_update_slice_in_dim",
             lambda x, u, i: slicing.dynamic_update_slice_in_dim(x, u, i, axis=1),
             lambda x, u, i: _np_dynamic_update_slice(x, u, 0, i), [((3, 5), (3, 2), ())], FEW,
             rng=[rand_default, rand_default, _idx(-7, 7)],
             arg_dtypes=lambda d: [d, d, np.int32], grad_argnums=[0, 1]),
    OpRecord("dynamic_update_index_in_dim",
             lambda x, u, i: slicing.dynamic_update_index_in_dim(x, u, i, axis=0),
             lambda x, u, i: _np_dynamic_update_slice(x, u[None], i, 0), [((4, 3), (3,), ())], FEW,
             rng=[rand_default, rand_default, _idx(-5, 5)],
             arg_dtypes=lambda d: [d, d, np.int32], grad_argnums=[0, 1]),
    # gather
    _gather_rows("clip", "gather_rows_clip"),
    _gather_rows("fill", "gather_rows_fill", grad=False),
    _gather_rows("fill", "gather_rows_fill_value", dtypes=FEW, fill_value=2),
    _gather_rows(GatherScatterMode.PROMISE_IN_BOUNDS, "gather_rows_promise", dtypes=FEW,
                 rng=IN_ROWS),
    OpRecord("gather_points", partial(slicing.gather, dimension_numbers=POINTS, slice_sizes=(1, 1)),
             lambda x, i: x[i[..., 0], i[..., 1]], [((4, 5), (3, 2)), ((4, 5), (2, 2, 2))], ALL,
             rng=[rand_default, _idx(0, 4)], arg_dtypes=_with_index_dtypes(np.uint8),
             grad_argnums=[0]),
    OpRecord("gather_column_windows_clip",
             partial(slicing.gather, dimension_numbers=COLUMN_WINDOWS, slice_sizes=(4, 2),
                     mode="clip"),
             _np_column_windows(2, "clip"), [((4, 6), (3, 1))], FEW,
             rng=[rand_default, _idx(-2, 8)], arg_dtypes=INT32, grad_argnums=[0],
             hlo_ops=["stablehlo.gather"]),
    OpRecord("gather_column_windows_fill",
             partial(slicing.gather, dimension_numbers=COLUMN_WINDOWS, slice_sizes=(4, 2),
                     mode="fill", fill_value=-1),
             _np_column_windows(2, "fill", fill_value=-1),
             [((4, 6), (3, 1))], [np.float32, np.float64], rng=[rand_default, _idx(-2, 8)],
             arg_dtypes=_with_index_dtypes(np.int64), grad_argnums=[0]),
    OpRecord("gather_batching_dims_fill",
             partial(slicing.gather, dimension_numbers=BATCHED_ROWS, slice_sizes=(1, 1, 3),
                     mode="fill", fill_value=0),
             lambda x, i: np.where((i >= 0) & (i < x.shape[1]),
                                   _np_batched_take(x, np.clip(i, 0, x.shape[1] - 1)),
                                   np.zeros((), x.dtype)),
             [((2, 4, 3), (2, 5, 1))], FEW + [np.complex64], rng=[rand_default, _idx(-2, 6)],
             arg_dtypes=INT32, grad_argnums=[0]),
    # scatter family (default mode FILL_OR_DROP drops out-of-bounds rows)
    _scatter_rows("scatter_add", slicing.scatter_add, np.add.at, None, NUMERIC),
    _scatter_rows("scatter_add_clip", slicing.scatter_add, np.add.at, "clip", FEW),
    _scatter_rows("scatter_mul", slicing.scatter_mul, np.multiply.at, None, NUMERIC,
                  grad_argnums=[0]),
    _scatter_rows("scatter_mul_unique", slicing.scatter_mul, np.multiply.at, None, FEW,
                  rng=[rand_default, _perm, rand_default], unique_indices=True),
    _scatter_rows("scatter_min", slicing.scatter_min, np.minimum.at, None, ORDERED),
    _scatter_rows("scatter_max", slicing.scatter_max, np.maximum.at, "clip", ORDERED),
    _scatter_rows("scatter_unique", slicing.scatter, None, None, ALL,
                  rng=[rand_default, _perm, rand_default], unique_indices=True),
    OpRecord("scatter_add_elements_promise",
             partial(slicing.scatter_add, dimension_numbers=SCATTER_ELEMENTS,
                     mode="promise_in_bounds"),
             _np_scatter_rows(np.add.at, None), [((6,), (5, 1), (5,)), ((6,), (2, 3, 1), (2, 3))],
             FEW + COMPLEX, rng=[rand_default, _idx(0, 6), rand_default],
             arg_dtypes=lambda d: [d, np.int32, d], grad_argnums=[0, 2],
             hlo_ops=["stablehlo.scatter", "stablehlo.add"]),
    *[OpRecord(f"scatter_add_column_windows_{mode}",
               partial(slicing.scatter_add, dimension_numbers=SCATTER_COLUMN_WINDOWS, mode=mode),
               _np_column_window_add(mode), [((4, 6), (3, 1), (3, 4, 2))], FEW,
               rng=[rand_default, _idx(-2, 8), rand_default],
               arg_dtypes=lambda d: [d, np.int64, d], grad_argnums=[0, 2])
      for mode in ("clip", "fill")],
    OpRecord("scatter_add_batching_dims",
             partial(slicing.scatter_add, dimension_numbers=SCATTER_BATCHED),
             _np_batched_add_at, [((2, 5), (2, 3, 1), (2, 3))], FEW + FLOATS[:2],
             rng=[rand_default, _idx(0, 5), rand_default],
             arg_dtypes=lambda d: [d, np.int32, d], grad_argnums=[0, 2]),
]

globals().update(op_tests(RECORDS))


# --- beyond the table ------------------------------------------------------------------------

def test_gather_fill_lowering_masks_out_of_bounds_windows():
    x, i = np.zeros((5, 3)), np.zeros((4, 1), np.int32)
    ops = lowered_ops(lambda x, i: slicing.gather(x, i, ROWS, (1, 3), mode="fill"), x, i)
    assert ops[0] == "stablehlo.gather" and ops[-1] == "stablehlo.select"


def test_scatter_clip_lowering_clamps_indices():
    x, i, u = np.zeros((5, 3)), np.zeros((4, 1), np.int32), np.zeros((4, 3))
    ops = lowered_ops(lambda x, i, u: slicing.scatter_add(x, i, u, SCATTER_ROWS, mode="clip"),
                      x, i, u)
    assert ops[-3:] == ["stablehlo.clamp", "stablehlo.scatter", "stablehlo.add"]


def test_scatter_overlapping_updates_grads():
    """Non-unique scatter: the derivative follows whichever update was written."""
    rng = np.random.default_rng(0)
    x, u = rng.standard_normal((5, 2)), rng.standard_normal((4, 2))
    i = np.array([[1], [3], [1], [1]])
    f = partial(slicing.scatter, scatter_indices=i, dimension_numbers=SCATTER_ROWS)
    out = np.asarray(f(x, updates=u))
    untouched = [0, 2, 4]
    np.testing.assert_array_equal(out[untouched], x[untouched])
    assert any(np.array_equal(out[1], u[k]) for k in (0, 2, 3))
    check_grads(lambda x, u: f(x, updates=u), [x, u], order=2)


def test_scatter_mul_updates_grad_needs_unique_indices():
    x, u, i = np.ones((4,)), np.ones((3,)), np.array([[0], [1], [1]])
    f = lambda u: slicing.scatter_mul(x, i, u, SCATTER_ELEMENTS)  # noqa: E731
    with pytest.raises(NotImplementedError, match="unique_indices"):
        npaccel.jvp(f, (u,), (u,))


def test_scatter_min_max_ties_share_the_derivative():
    x, i = np.array([1.0, 2.0]), np.array([[0], [0]])
    u = np.array([1.0, 0.5])
    _, t = npaccel.jvp(lambda x, u: slicing.scatter_max(x, i, u, SCATTER_ELEMENTS),
                       (x, u), (np.array([1.0, 1.0]), np.array([3.0, 5.0])))
    np.testing.assert_allclose(np.asarray(t), [(1.0 + 3.0) / 2, 1.0])


def test_gather_grad_is_zero_for_filled_windows():
    x = np.arange(15.0).reshape(5, 3)
    i = np.array([[1], [7], [-1], [1]])
    _, f_vjp = npaccel.vjp(lambda x: slicing.gather(x, i, ROWS, (1, 3), mode="fill",
                                                    fill_value=0.0), x)
    (g,) = f_vjp(np.ones((4, 3)))
    expected = np.zeros_like(x)
    expected[1] = 2
    np.testing.assert_array_equal(np.asarray(g), expected)


def test_jit_and_vmap_of_dynamic_slice_with_traced_negative_index():
    x = np.arange(12.0).reshape(3, 4)
    f = npaccel.jit(lambda x, i: slicing.dynamic_slice_in_dim(x, i, 2, axis=1))
    np.testing.assert_array_equal(np.asarray(f(x, np.int32(-1))), x[:, 2:4])
    starts = np.array([-1, 0, 5], np.int32)
    batched = npaccel.vmap(lambda i: slicing.dynamic_index_in_dim(x, i, 1, keepdims=False))(starts)
    np.testing.assert_array_equal(np.asarray(batched), x[:, [3, 0, 3]].T)


def test_vmap_over_indices_only():
    """Batched indices with unbatched operand/updates (the harness batches all or one end)."""
    rng = np.random.default_rng(0)
    x, u = rng.standard_normal((5, 3)), rng.standard_normal((4, 3))
    i = rng.integers(-2, 7, size=(3, 4, 1))
    f = lambda i: slicing.scatter_add(x, i, u, SCATTER_ROWS)  # noqa: E731
    expected = np.stack([_np_scatter_rows(np.add.at, None)(x, ib, u) for ib in i])
    np.testing.assert_allclose(np.asarray(npaccel.vmap(f)(i)), expected, rtol=1e-12)
    starts = np.array([-1, 2, 9], np.int32)
    g = lambda s: slicing.dynamic_update_slice(x, u[:2], (s, 1))  # noqa: E731
    expected = np.stack([_np_dynamic_update_slice(x, u[:2], s, 1) for s in starts])
    np.testing.assert_array_equal(np.asarray(npaccel.vmap(g)(starts)), expected)


def test_python_int_start_indices():
    x = np.arange(20.0).reshape(4, 5)
    np.testing.assert_array_equal(np.asarray(slicing.dynamic_slice(x, (-1, 3), (1, 2))),
                                  x[3:4, 3:5])
    out = slicing.dynamic_update_slice(x, np.ones((2, 2)), [1, 9])
    expected = _np_dynamic_update_slice(x, np.ones((2, 2)), 1, 9)
    np.testing.assert_array_equal(np.asarray(out), expected)


def test_start_indices_as_one_array():
    x = np.arange(20).reshape(4, 5)
    out = slicing.dynamic_slice(x, np.array([1, 2]), (2, 2))
    np.testing.assert_array_equal(np.asarray(out), x[1:3, 2:4])
    traced = npaccel.jit(lambda x, s: slicing.dynamic_slice(x, s, (2, 2)))(x, np.array([3, -2]))
    np.testing.assert_array_equal(np.asarray(traced), x[2:4, 3:5])


def test_dimension_numbers_and_modes():
    dn = GDN((1,), (0,), (0,))
    assert hash(dn) == hash(GDN((1,), (0,), (0,), (), ()))
    assert hash(SDN((1,), (0,), (0,)))
    assert GatherScatterMode.from_any("clip") is GatherScatterMode.CLIP
    assert GatherScatterMode.from_any("fill") is GatherScatterMode.FILL_OR_DROP
    assert GatherScatterMode.from_any(None) is GatherScatterMode.FILL_OR_DROP
    assert GatherScatterMode.from_any("promise_in_bounds") is GatherScatterMode.PROMISE_IN_BOUNDS
    # lists in dimension numbers and slice sizes are accepted (made hashable)
    out = slicing.gather(np.arange(6.0), np.array([[4]]), GDN([], [0], [0]), [1])
    np.testing.assert_array_equal(np.asarray(out), [4.0])


def _x(shape=(4, 5), dtype=np.float32):
    return np.zeros(shape, dtype)


ERRORS = [
    (TypeError, lambda: slicing.slice(_x(), (0,), (1,))),
    (TypeError, lambda: slicing.slice(_x(), (0, 0), (5, 5))),
    (TypeError, lambda: slicing.slice(_x(), (2, 0), (1, 5))),
    (ValueError, lambda: slicing.slice(_x(), (0, 0), (4, 5), (1, 0))),
    (ValueError, lambda: slicing.slice_in_dim(_x(), 0, 1, axis=2)),
    (IndexError, lambda: slicing.index_in_dim(_x(), 4)),
    (TypeError, lambda: slicing.dynamic_slice(_x(), (1,), (1, 1))),
    (TypeError, lambda: slicing.dynamic_slice(_x(), (np.float32(1), 0), (1, 1))),
    (TypeError, lambda: slicing.dynamic_slice(_x(), (0, 0), (5, 1))),
    (ValueError, lambda: slicing.dynamic_slice(_x(), (0, 0), (-1, 1))),
    (TypeError, lambda: slicing.dynamic_slice(_x(), (0, 0), (1,))),
    (TypeError, lambda: slicing.dynamic_update_slice(_x(), np.zeros((1, 1), np.int32), (0, 0))),
    (TypeError, lambda: slicing.dynamic_update_slice(_x(), _x((2,)), (0, 0))),
    (TypeError, lambda: slicing.dynamic_update_slice(_x(), _x((5, 1)), (0, 0))),
    (TypeError, lambda: slicing.gather(_x(), np.zeros((2, 1), np.float32), ROWS, (1, 5))),
    (TypeError, lambda: slicing.gather(_x(), np.zeros((2, 2), np.int32), ROWS, (1, 5))),
    (TypeError, lambda: slicing.gather(_x(), np.zeros((2, 1), np.int32), ROWS, (1,))),
    (TypeError, lambda: slicing.gather(_x(), np.zeros((2, 1), np.int32), ROWS, (2, 5))),
    (TypeError, lambda: slicing.gather(_x(), np.zeros((2, 1), np.int32), ROWS, (1, 6))),
    (ValueError, lambda: slicing.gather(_x(), np.zeros((2, 1), np.int32),
                                        GDN((1,), (0,), (2,)), (1, 5))),
    (ValueError, lambda: slicing.gather(_x((4, 5, 2)), np.zeros((2, 1), np.int32),
                                        GDN((2, 1), (0,), (0,)), (1, 5, 2))),
    (ValueError, lambda: slicing.gather(_x(), np.zeros((2, 1), np.int32), ROWS, (1, 5),
                                        mode="wrap")),
    (TypeError, lambda: slicing.gather(_x((3, 4, 3)), np.zeros((2, 5, 1), np.int32),
                                       BATCHED_ROWS, (1, 1, 3))),
    (TypeError, lambda: slicing.scatter_add(_x(), np.zeros((2, 1), np.int32),
                                            np.zeros((2, 5), np.float64), SCATTER_ROWS)),
    (TypeError, lambda: slicing.scatter_add(_x(), np.zeros((2, 1), np.int32), _x((3, 5)),
                                            SCATTER_ROWS)),
    (TypeError, lambda: slicing.scatter_add(_x(), np.zeros((2, 1), np.int32), _x((2, 6)),
                                            SCATTER_ROWS)),
    (TypeError, lambda: slicing.scatter_add(_x(dtype=bool), np.zeros((2, 1), np.int32),
                                            _x((2, 5), bool), SCATTER_ROWS)),
    (TypeError, lambda: slicing.scatter_max(_x(dtype=np.complex64), np.zeros((2, 1), np.int32),
                                            _x((2, 5), np.complex64), SCATTER_ROWS)),
    (TypeError, lambda: slicing.scatter(_x(), np.zeros((2, 1), np.float32), _x((2, 5)),
                                        SCATTER_ROWS)),
    (ValueError, lambda: slicing.scatter(_x(), np.zeros((2, 1), np.int32), _x((2, 5)),
                                         SDN((1,), (0, 0), (0,)))),
]


@pytest.mark.parametrize("error,call", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors(error, call):
    with pytest.raises(error):
        call()
