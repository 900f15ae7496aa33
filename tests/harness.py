"""The op-table test harness: one record per op feeds every check.

A record says how to call the op, what NumPy/SciPy computes for it, which shapes and dtypes
to try and how to draw inputs. From it come: eager against the reference, jit against
eager, vmap against a Python loop, jvp and vjp against central finite differences (float64),
and the lowering check (the StableHLO ops the primitive becomes).

Every op is tried once per dtype it accepts (shapes taken in turn); NPACCEL_TEST_CASES adds
that many further (shape, dtype) combinations: the default keeps CI fast, a large number
runs every combination.
"""
from __future__ import annotations

import dataclasses
import itertools
import os
import re
from typing import Callable, Sequence

import numpy as np
import pytest

import npaccel
from npaccel.core import dtypes as core_dtypes
from npaccel.transforms import lowering
from npaccel.transforms.staging import make_jaxpr

EXTRA_CASES = int(os.environ.get("NPACCEL_TEST_CASES", "2"))

bfloat16 = core_dtypes.bfloat16
FLOATS = [np.float16, bfloat16, np.float32, np.float64]
COMPLEX = [np.complex64, np.complex128]
INEXACT = FLOATS + COMPLEX
SIGNED = [np.int8, np.int16, np.int32, np.int64]
UNSIGNED = [np.uint8, np.uint16, np.uint32, np.uint64]
INTS = SIGNED + UNSIGNED
BOOL = [np.bool_]
NUMERIC = INTS + INEXACT
ALL = BOOL + NUMERIC

_TOL = {np.dtype(np.float16): 1e-2, np.dtype(bfloat16): 5e-2, np.dtype(np.float32): 1e-5,
        np.dtype(np.float64): 1e-12, np.dtype(np.complex64): 1e-5, np.dtype(np.complex128): 1e-12}


def default_tol(dtype) -> float:
    return _TOL.get(np.dtype(dtype), 0)


# --- input generators: (rng, shape, dtype) -> np.ndarray -----------------------------------

def rand_default(rng, shape, dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        lo, hi = max(info.min, -20), min(info.max, 20)
        return rng.integers(lo, hi + 1, size=shape).astype(dtype)
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def rand_positive(rng, shape, dtype):
    x = rand_default(rng, shape, dtype)
    if np.dtype(dtype).kind in "fc" or np.dtype(dtype) == bfloat16:
        return (np.abs(x.astype(np.complex128 if np.dtype(dtype).kind == "c" else np.float64)) + 0.5).astype(dtype)
    return np.abs(x).astype(dtype) + 1


def rand_uniform(lo, hi):
    def gen(rng, shape, dtype):
        return rng.uniform(lo, hi, size=shape).astype(dtype)
    return gen


def rand_nonzero(rng, shape, dtype):
    x = rand_default(rng, shape, dtype)
    return np.where(x == 0, np.ones((), dtype), x).astype(dtype)


def rand_small_int(rng, shape, dtype):
    """Small non-negative integers, as shift amounts or exponents."""
    return rng.integers(0, 4, size=shape).astype(dtype)


@dataclasses.dataclass
class OpRecord:
    name: str
    fun: Callable                      # npaccel callable on positional arrays
    reference: Callable                # NumPy/SciPy callable on NumPy arrays
    shapes: Sequence[tuple]            # each item: a tuple of argument shapes
    dtypes: Sequence                   # dtypes to try (all array args share it unless arg_dtypes)
    rng: Callable | Sequence[Callable] = rand_default   # one generator, or one per argument
    tol: float | None = None           # value tolerance (default: by dtype)
    grad: bool = True                  # check jvp/vjp against finite differences (float64)
    grad_argnums: Sequence[int] | None = None   # which args to differentiate (default all)
    grad_order: int = 2
    grad_tol: float = 1e-5
    grad_eps: float = 1e-4
    batch: bool = True
    hlo_ops: Sequence[str] = ()        # expected StableHLO ops of the lowering (in order)
    check_dtype: bool = True
    arg_dtypes: Callable | None = None  # dtype -> list of per-argument dtypes

    def arg_dtype_list(self, dtype, nargs):
        return self.arg_dtypes(dtype) if self.arg_dtypes else [dtype] * nargs

    def make_args(self, shapes, dtype, seed=0):
        rng = np.random.default_rng(seed)
        gens = self.rng if isinstance(self.rng, (list, tuple)) else [self.rng] * len(shapes)
        return [g(rng, s, d) for g, s, d in zip(gens, shapes, self.arg_dtype_list(dtype, len(shapes)))]


def _cases(record: OpRecord):
    combos = list(itertools.product(record.shapes, record.dtypes))
    first = [(record.shapes[i % len(record.shapes)], d) for i, d in enumerate(record.dtypes)]
    rest = [c for c in combos if c not in first]
    return first + rest[:EXTRA_CASES]


def _id(record, shapes, dtype):
    shape_txt = "_".join("x".join(map(str, s)) or "s" for s in shapes)
    return f"{record.name}-{shape_txt}-{np.dtype(dtype).name}"


def params(records, predicate=lambda r: True):
    return [pytest.param(r, shapes, dtype, id=_id(r, shapes, dtype))
            for r in records if predicate(r) for shapes, dtype in _cases(r)]


def assert_close(actual, expected, tol, check_dtype=True, err_msg=""):
    actual_np = np.asarray(actual)
    expected = np.asarray(expected)
    if check_dtype:
        assert actual_np.dtype == expected.dtype, f"{err_msg}: dtype {actual_np.dtype} != {expected.dtype}"
    assert actual_np.shape == expected.shape, f"{err_msg}: shape {actual_np.shape} != {expected.shape}"
    if actual_np.dtype == bfloat16 or expected.dtype == bfloat16:
        actual_np, expected = actual_np.astype(np.float32), expected.astype(np.float32)
    if tol == 0 or actual_np.dtype.kind in "biu":
        np.testing.assert_array_equal(actual_np, expected, err_msg=err_msg)
    else:
        np.testing.assert_allclose(actual_np, expected, rtol=tol, atol=tol, equal_nan=True, err_msg=err_msg)


def _tree_assert_close(actual, expected, tol, check_dtype=True, err_msg=""):
    a_leaves = npaccel.tree_util.tree_leaves(actual)
    e_leaves = npaccel.tree_util.tree_leaves(expected)
    assert len(a_leaves) == len(e_leaves), err_msg
    for a, e in zip(a_leaves, e_leaves):
        assert_close(a, e, tol, check_dtype, err_msg)


def _tol(record, dtype):
    return record.tol if record.tol is not None else default_tol(dtype)


# --- the checks --------------------------------------------------------------------------

def check_eager(record, shapes, dtype):
    args = record.make_args(shapes, dtype)
    expected = record.reference(*args)
    actual = record.fun(*args)
    _tree_assert_close(actual, expected, _tol(record, dtype), record.check_dtype, record.name)


def check_jit(record, shapes, dtype):
    args = record.make_args(shapes, dtype)
    eager = record.fun(*args)
    jitted = npaccel.jit(record.fun)(*args)
    _tree_assert_close(jitted, eager, _tol(record, dtype), True, record.name)


def check_vmap(record, shapes, dtype, batch=3):
    """Map over a new axis of every argument (and over axis 0 / None mixes) vs a loop."""
    stacked = [np.stack(a) for a in zip(*[record.make_args(shapes, dtype, seed=s) for s in range(batch)])]
    for in_axes in _in_axes_variants(len(shapes)):
        batched_args = [s if ax is not None else s[0] for s, ax in zip(stacked, in_axes)]
        batched_args = [np.moveaxis(a, 0, ax) if ax not in (None, 0) else a
                        for a, ax in zip(batched_args, in_axes)]
        actual = npaccel.vmap(record.fun, in_axes=in_axes)(*batched_args)
        loop = [record.fun(*[s[i] if ax is not None else s[0] for s, ax in zip(stacked, in_axes)])
                for i in range(batch)]
        expected = npaccel.tree_util.tree_map(lambda *xs: np.stack([np.asarray(x) for x in xs]), *loop)
        _tree_assert_close(actual, expected, _tol(record, dtype), True, f"{record.name} in_axes={in_axes}")


def _in_axes_variants(nargs):
    variants = [tuple([0] * nargs)]
    if nargs > 1:
        variants.append(tuple([0] + [None] * (nargs - 1)))
        variants.append(tuple([None] * (nargs - 1) + [0]))
    else:
        variants.append((-1,))
    return variants


def check_grads(fun, args, order=2, eps=1e-4, tol=1e-5, modes=("fwd", "rev")):
    """jvp against central differences and vjp against jvp (the dot-product test), up to
    `order` (higher orders differentiate the first-order maps)."""
    rng = np.random.default_rng(1)
    args = [np.asarray(a) for a in args]

    def flat_out(*xs):
        return npaccel.tree_util.tree_leaves(fun(*xs))

    tangents = [_rand_like(rng, a) for a in args]
    if "fwd" in modes:
        _, t_out = npaccel.jvp(flat_out, args, tangents)
        num = _numerical_jvp(flat_out, args, tangents, eps)
        for a, n in zip(t_out, num):
            np.testing.assert_allclose(np.asarray(a), n, rtol=tol, atol=tol, err_msg="jvp vs finite differences")
    if "rev" in modes:
        out, f_vjp = npaccel.vjp(flat_out, *args)
        cts = [_rand_like(rng, np.asarray(o)) for o in out]
        ct_in = f_vjp(cts)
        _, t_out = npaccel.jvp(flat_out, args, tangents)
        lhs = sum(_vdot(c, t) for c, t in zip(ct_in, tangents))
        rhs = sum(_vdot(c, t) for c, t in zip(cts, t_out))
        np.testing.assert_allclose(lhs, rhs, rtol=tol, atol=tol, err_msg="vjp vs jvp (dot-product test)")
    if order > 1:
        def f_jvp(*xs):
            return npaccel.jvp(flat_out, list(xs), tangents)[1]
        check_grads(f_jvp, args, order - 1, eps, tol, modes)
        if "rev" in modes:
            out = flat_out(*args)
            cts = [_rand_like(rng, np.asarray(o)) for o in out]

            def f_vjp(*xs):
                return npaccel.vjp(flat_out, *xs)[1](cts)
            check_grads(f_vjp, args, order - 1, eps, tol, ("fwd",))


def _rand_like(rng, a):
    a = np.asarray(a)
    if a.dtype.kind == "c":
        return (rng.standard_normal(a.shape) + 1j * rng.standard_normal(a.shape)).astype(a.dtype)
    return rng.standard_normal(a.shape).astype(a.dtype)


def _vdot(x, y):
    # The bilinear pairing (no conjugation): JAX's transposes satisfy
    # Re<ct, J t> = Re<J^T ct, t> with it.
    return np.real(np.sum(np.asarray(x) * np.asarray(y)))


def _numerical_jvp(f, args, tangents, eps):
    plus = f(*[a + eps * t for a, t in zip(args, tangents)])
    minus = f(*[a - eps * t for a, t in zip(args, tangents)])
    return [(np.asarray(p) - np.asarray(m)) / (2 * eps) for p, m in zip(plus, minus)]


def check_grad_record(record, shapes, dtype):
    args = record.make_args(shapes, dtype)
    argnums = record.grad_argnums if record.grad_argnums is not None else range(len(args))
    fixed = list(args)

    def f(*diff):
        full = list(fixed)
        for i, d in zip(argnums, diff):
            full[i] = d
        return record.fun(*full)

    check_grads(f, [args[i] for i in argnums], record.grad_order, record.grad_eps, record.grad_tol)


_OP_RE = re.compile(r"=\s*\"?((?:stablehlo|chlo)\.[a-z_0-9]+)")


def lowered_ops(fun, *args) -> list[str]:
    """The StableHLO/CHLO op names in `main` of fun's module, constants left out."""
    jaxpr = make_jaxpr(fun)(*args).jaxpr
    text = str(lowering.lower_jaxpr(jaxpr))
    return [op for op in _OP_RE.findall(text) if op != "stablehlo.constant"]


def check_lowering(record, shapes, dtype):
    args = record.make_args(shapes, dtype)
    assert lowered_ops(record.fun, *args) == list(record.hlo_ops), record.name


def _grad_params(records):
    return [pytest.param(r, shapes, np.float64, id=_id(r, shapes, np.float64))
            for r in records if r.grad and any(np.dtype(d) == np.float64 for d in r.dtypes)
            for shapes in list(r.shapes)[:1 + EXTRA_CASES]]


def _lowering_params(records):
    return [pytest.param(r, r.shapes[0], r.dtypes[0], id=_id(r, r.shapes[0], r.dtypes[0]))
            for r in records if r.hlo_ops]


def op_tests(records) -> dict[str, Callable]:
    """The test functions for a table of records; a test module does
    `globals().update(op_tests(RECORDS))`."""
    def make(check, cases):
        @pytest.mark.parametrize("record,shapes,dtype", cases)
        def test(record, shapes, dtype):
            check(record, shapes, dtype)
        return test

    return {
        "test_eager": make(check_eager, params(records)),
        "test_jit": make(check_jit, params(records)),
        "test_vmap": make(check_vmap, params(records, lambda r: r.batch)),
        "test_grad": make(check_grad_record, _grad_params(records)),
        "test_lowering": make(check_lowering, _lowering_params(records)),
    }
