"""npaccel.numpy.ufuncs against NumPy: every ufunc over the dtypes of NumPy's loops, NEP 50
with Python scalars, broadcasting, 0-d and empty inputs, where=/dtype=, every method,
error types, jit against eager and derivatives against finite differences.

Most value checks run the ufunc under jit: one compilation per case instead of one per
primitive (the eager path is the same code; test_jit_matches_eager covers it)."""
import itertools
import warnings

import numpy as np
import pytest

import npaccel
from npaccel.core import dtypes as core_dtypes
from npaccel.core.trace import ConcretizationError
from npaccel.numpy import ufuncs as nu
from harness import assert_close, check_grads, default_tol

bf16 = core_dtypes.bfloat16
CHARS = {c: np.dtype(c) for c in "?bBhHiIlLqQefdFD"}
NAMES = sorted({getattr(np, n).__name__ for n in nu.UFUNCS} - {"isnat"})
GUFUNCS = ["matmul", "matvec", "vecdot", "vecmat"]
ELEMENTWISE = [n for n in NAMES if n not in GUFUNCS]
BINARY = [n for n in ELEMENTWISE if getattr(np, n).nin == 2 and getattr(np, n).nout == 1]


@pytest.fixture(autouse=True)
def _quiet_numpy():
    # NumPy warns on division by zero, overflow and invalid values; the values are checked.
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def np_ufunc(name):
    return getattr(np, name)


def loop_inputs(name):
    """The input dtype combinations of NumPy's loops that npaccel supports, plus bfloat16
    where NumPy (ml_dtypes) has a loop for it."""
    u = np_ufunc(name)
    combos = []
    for t in u.types:
        ins = t.split("->")[0]
        if all(c in CHARS for c in ins):
            combo = tuple(CHARS[c] for c in ins)
            if combo not in combos:
                combos.append(combo)
    try:
        u.resolve_dtypes((bf16,) * u.nin + (None,) * u.nout)
        combos.append((bf16,) * u.nin)
    except TypeError:
        pass
    return combos


# --- inputs --------------------------------------------------------------------------------

def _default(rng, shape, dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(max(info.min, -20), min(info.max, 20) + 1, size=shape).astype(dtype)
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return (2 * rng.standard_normal(shape)).astype(dtype)


def _positive(rng, shape, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "c":
        return _default(rng, shape, dtype)
    if dtype.kind in "iu" or dtype == np.bool_:
        return rng.integers(1, 20, size=shape).astype(dtype)
    return (rng.uniform(0.1, 5, size=shape)).astype(dtype)


def _above_one(rng, shape, dtype):
    return (_positive(rng, shape, dtype) + (1 if np.dtype(dtype) != np.bool_ else 0)).astype(dtype)


def _unit(rng, shape, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind in "iub":
        return rng.integers(0, 2, size=shape).astype(dtype)
    if dtype.kind == "c":
        parts = rng.uniform(-0.9, 0.9, (2, *shape))
        return (0.5 * (parts[0] + 1j * parts[1])).astype(dtype)
    return rng.uniform(-0.9, 0.9, size=shape).astype(dtype)


def _small(lo, hi):
    def gen(rng, shape, dtype):
        if np.dtype(dtype).kind in "fc" or np.dtype(dtype) == bf16:
            return rng.integers(lo, hi, size=shape).astype(dtype)
        info = np.iinfo(dtype) if np.dtype(dtype) != np.bool_ else None
        lo_ = lo if info is None else max(lo, info.min)
        return rng.integers(lo_, hi, size=shape).astype(dtype)
    return gen


def _shift(rng, shape, dtype):
    return rng.integers(0, np.dtype(dtype).itemsize * 8, size=shape).astype(dtype)


def _nonzero(rng, shape, dtype):
    x = _default(rng, shape, dtype)
    return np.where(x == 0, np.ones((), dtype), x).astype(dtype)


# name: one generator per argument (default _default)
GENERATORS = {
    "log": [_positive], "log2": [_positive], "log10": [_positive], "sqrt": [_positive],
    "log1p": [_positive], "arccosh": [_above_one], "arcsin": [_unit], "arccos": [_unit],
    "arctanh": [_unit], "power": [_small(-4, 5), _small(0, 4)],
    "ldexp": [_default, _small(-10, 11)],
    "left_shift": [_default, _shift], "right_shift": [_default, _shift],
    "reciprocal": [_nonzero], "float_power": [_positive, _default],
}


def make_args(name, in_dtypes, shapes, seed=0):
    rng = np.random.default_rng(seed)
    gens = GENERATORS.get(name, [_default] * len(in_dtypes))
    return [g(rng, s, d) for g, s, d in zip(gens, shapes, in_dtypes)]


UNARY_SHAPES = [(2, 3)]
BINARY_SHAPES = [(2, 3), (3,)]


def shapes_for(name):
    return UNARY_SHAPES if np_ufunc(name).nin == 1 else BINARY_SHAPES


def tol_for(dtype):
    return default_tol(dtype) * (10 if np.dtype(dtype) == np.float64 else 1)


def assert_outputs(actual, expected, err=""):
    actual = actual if isinstance(actual, tuple) else (actual,)
    expected = expected if isinstance(expected, tuple) else (expected,)
    assert len(actual) == len(expected), err
    for a, e in zip(actual, expected):
        e = np.asarray(e)
        assert_close(a, e, tol_for(e.dtype), err_msg=err)


# --- every ufunc over every loop -----------------------------------------------------------

LOOP_CASES = [pytest.param(n, d, id=f"{n}-{'_'.join(x.name for x in d)}")
              for n in ELEMENTWISE for d in loop_inputs(n)]


@pytest.mark.parametrize("name,in_dtypes", LOOP_CASES)
def test_loop(name, in_dtypes):
    """Values and dtypes of each loop against NumPy (dtypes also against resolve_dtypes)."""
    args = make_args(name, in_dtypes, shapes_for(name))
    expected = np_ufunc(name)(*args)
    actual = npaccel.jit(getattr(nu, name))(*args)
    loop = np_ufunc(name).resolve_dtypes(tuple(in_dtypes) + (None,) * np_ufunc(name).nout)
    outs = actual if isinstance(actual, tuple) else (actual,)
    assert tuple(np.asarray(o).dtype for o in outs) == loop[np_ufunc(name).nin:]
    assert_outputs(actual, expected, name)


FLOAT_SPECIALS = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 0.5, 3.0, -7.0,
                  1e300, -1e300, 1e-300]
# Special-value semantics implemented here (not delegated to an XLA op) are checked exactly.
SPECIAL_NAMES = ["add", "subtract", "multiply", "divide", "floor_divide", "remainder", "fmod",
                 "divmod", "maximum", "minimum", "fmax", "fmin", "hypot", "logaddexp",
                 "logaddexp2", "copysign", "nextafter", "spacing", "modf", "frexp", "ldexp",
                 "heaviside", "isnan", "isinf", "isfinite", "signbit", "floor", "ceil", "trunc",
                 "rint", "sign", "absolute", "equal", "less", "greater_equal", "sqrt", "exp",
                 "log", "reciprocal", "square", "negative", "arctan2", "power", "float_power"]


@pytest.mark.parametrize("name", SPECIAL_NAMES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_special_values(name, dtype):
    u = np_ufunc(name)
    x = np.array(FLOAT_SPECIALS, dtype)
    if u.nin == 1:
        args = [x]
    elif name == "ldexp":
        args = [x[:, None], np.array([-1100, -60, -1, 0, 1, 3, 60, 1100], np.int32)]
    else:
        args = [x[:, None], x[None, :]]
    assert_outputs(npaccel.jit(getattr(nu, name))(*args), u(*args), name)


COMPLEX_SPECIALS = np.array([complex(a, b) for a in (np.nan, np.inf, -np.inf, 0.0, -1.5, 2.0)
                             for b in (np.nan, np.inf, 0.0, -0.0, 1.0)])


@pytest.mark.parametrize("name", ["sign", "maximum", "fmin", "isnan", "isinf", "isfinite",
                                  "less", "greater_equal", "equal", "rint", "absolute",
                                  "conjugate", "logical_and", "multiply"])
def test_complex_special_values(name):
    u = np_ufunc(name)
    z = COMPLEX_SPECIALS
    args = [z] if u.nin == 1 else [z[:, None], z[None, :]]
    assert_outputs(npaccel.jit(getattr(nu, name))(*args), u(*args), name)


def test_integer_edge_cases():
    """Division by zero gives 0, INT_MIN // -1 wraps, shifts past the width, |INT_MIN|,
    bitwise_count of negatives, gcd/lcm signs: as NumPy."""
    for dtype in (np.int8, np.int64, np.uint8):
        info = np.iinfo(dtype)
        vals = np.array(sorted(v for v in {info.min, info.min + 1, -7, -1, 0, 1, 7, info.max}
                               if info.min <= v <= info.max), dtype)
        x, y = vals[:, None], vals[None, :]
        for name in ("floor_divide", "remainder", "fmod", "divmod", "gcd", "lcm", "equal"):
            assert_outputs(npaccel.jit(getattr(nu, name))(x, y), np_ufunc(name)(x, y), name)
        for name in ("absolute", "negative", "bitwise_count", "sign", "invert", "square"):
            assert_outputs(npaccel.jit(getattr(nu, name))(vals), np_ufunc(name)(vals), name)
        shifts = np.array([0, 1, 7, 8, 9, 63, 64, 65], dtype if dtype != np.int8 else np.int16)
        x16 = vals.astype(shifts.dtype)[:, None]
        for name in ("left_shift", "right_shift"):
            assert_outputs(npaccel.jit(getattr(nu, name))(x16, shifts[None, :]),
                           np_ufunc(name)(x16, shifts[None, :]), name)


def test_mixed_sign_comparisons():
    i = np.array([-5, -1, 0, 1, 2**62], np.int64)[:, None]
    u = np.array([0, 1, 2**63, 2**64 - 1], np.uint64)[None, :]
    for name in ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal"):
        assert_outputs(getattr(nu, name)(i, u), np_ufunc(name)(i, u), name)
        assert_outputs(getattr(nu, name)(u, i), np_ufunc(name)(u, i), name)


def test_integer_power():
    base = np.arange(-5, 6, dtype=np.int64)[:, None]
    exp = np.arange(0, 40, 3, dtype=np.int64)[None, :]
    assert_outputs(nu.power(base, exp), np.power(base, exp))
    assert_outputs(nu.power(base.astype(np.uint8), exp.astype(np.uint8)),
                   np.power(base.astype(np.uint8), exp.astype(np.uint8)))
    for e in (-1, np.array([1, -2])):
        with pytest.raises(ValueError, match="negative integer powers"):
            np.power(np.array([2, 3]), e)
        with pytest.raises(ValueError, match="negative integer powers"):
            nu.power(np.array([2, 3]), e)
    # Under jit the sign of the exponent cannot be seen: the truncated value of 1 / x**n.
    out = npaccel.jit(nu.power)(np.array([1, -1, -1, 2, 0]), np.array([-3, -3, -2, -1, 2]))
    np.testing.assert_array_equal(np.asarray(out), [1, -1, 1, 0, 0])


# --- generalized ufuncs ----------------------------------------------------------------------

GUFUNC_SHAPES = {
    "matmul": [((2, 3), (3, 4)), ((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)),
               ((5, 1, 2, 3), (4, 3, 2)), ((0, 3), (3, 2)), ((2, 0), (0, 4))],
    "matvec": [((2, 3), (3,)), ((4, 2, 3), (1, 3)), ((2, 3), (5, 3))],
    "vecdot": [((3,), (3,)), ((4, 3), (3,)), ((2, 1, 3), (5, 3)), ((0,), (0,))],
    "vecmat": [((3,), (3, 2)), ((4, 3), (1, 3, 2))],
}
GUFUNC_CASES = [pytest.param(n, s, d, id=f"{n}-{s}-{np.dtype(d).name}")
                for n in GUFUNCS for i, s in enumerate(GUFUNC_SHAPES[n])
                for d in ([np.float64, np.complex64, np.int32, np.bool_, np.uint8, np.float16]
                          if i == 0 else [np.float32, np.complex128])]


@pytest.mark.parametrize("name,shapes,dtype", GUFUNC_CASES)
def test_gufunc(name, shapes, dtype):
    args = make_args(name, [dtype, dtype], shapes)
    expected = np_ufunc(name)(*args)
    assert_outputs(npaccel.jit(getattr(nu, name))(*args), expected, name)


def test_gufunc_mixed_dtypes_and_scalars():
    a, b = np.ones((2, 3), np.int8), np.ones((3,), np.float32)
    assert_outputs(nu.matmul(a, b), np.matmul(a, b))
    assert_outputs(nu.vecdot(a, b), np.vecdot(a, b))


def test_gufunc_errors():
    for name in GUFUNCS:
        with pytest.raises(ValueError, match="does not have enough dimensions"):
            getattr(nu, name)(np.ones(()), np.ones((2, 3)))
        with pytest.raises(ValueError):
            np_ufunc(name)(np.ones(()), np.ones((2, 3)))
    with pytest.raises(ValueError, match="mismatch in its core dimension 0") as ours:
        nu.matmul(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError) as theirs:
        np.matmul(np.ones((2, 3)), np.ones((2, 3)))
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError):
        nu.matmul(np.ones((2, 2, 3)), np.ones((3, 3, 2)))   # loop dims do not broadcast
    with pytest.raises(TypeError):
        nu.matmul(np.ones((2, 2)), np.ones((2, 2)), where=np.ones(2, bool))
    with pytest.raises(TypeError):
        nu.matmul(np.ones(2, "m8[s]"), np.ones(2, "m8[s]"))


def test_gufunc_axes():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4, 2)), rng.standard_normal((4, 5))
    axes = [(0, 1), (0, 1), (0, 2)]
    assert_outputs(nu.matmul(a, b, axes=axes), np.matmul(a, b, axes=axes))
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    assert_outputs(nu.vecdot(x, y, axis=0), np.vecdot(x, y, axis=0))
    with pytest.raises(TypeError):
        nu.add(x, y, axis=0)


# --- NEP 50: Python scalars -------------------------------------------------------------------

SCALARS = [True, 3, -2, 2.5, 1.5j]
SCALAR_DTYPES = [np.bool_, np.int8, np.uint8, np.int64, np.float16, np.float32, np.complex64]
SCALAR_NAMES = ["add", "subtract", "true_divide", "floor_divide", "power", "maximum", "less",
                "arctan2", "logaddexp", "bitwise_and", "left_shift", "copysign", "ldexp",
                "heaviside", "fmod", "hypot", "equal", "logical_or", "gcd", "nextafter"]


def _outcome(f):
    try:
        return f()
    except Exception as e:  # noqa: BLE001  (the exception class is what is compared)
        return e


@pytest.mark.parametrize("name", SCALAR_NAMES)
def test_python_scalar_promotion(name):
    """Result dtypes (and exception classes) with a weak Python scalar on either side, for
    every (array dtype, scalar type); values for one dtype per scalar type."""
    ours, theirs = getattr(nu, name), np_ufunc(name)
    for dtype, s in itertools.product(SCALAR_DTYPES, SCALARS):
        x = np.array([1, 2, 3], dtype)
        for args in ((x, s), (s, x)):
            expected = _outcome(lambda: theirs(*args))
            if isinstance(expected, Exception):
                with pytest.raises(type(expected)):
                    npaccel.make_jaxpr(lambda a: ours(*[a if v is x else v for v in args]))(x)
                continue
            jaxpr = npaccel.make_jaxpr(lambda a: ours(*[a if v is x else v for v in args]))(x)
            assert jaxpr.out_avals[0].dtype == expected.dtype, (name, dtype, s, args[0] is s)
    for s in SCALARS:
        x = np.array([1, 2, 3], np.float32)
        expected = _outcome(lambda: theirs(x, s))
        if not isinstance(expected, Exception):
            assert_outputs(npaccel.jit(lambda a: ours(a, s))(x), expected, f"{name} {s}")


def test_python_int_overflow():
    with pytest.raises(OverflowError):
        nu.add(np.ones(3, np.int8), 300)
    with pytest.raises(OverflowError):
        nu.multiply(np.ones(3, np.uint8), -1)
    assert_outputs(nu.add(np.ones(3, np.int16), 300), np.add(np.ones(3, np.int16), 300))
    # Comparisons with out-of-range Python ints are exact in NumPy 2.
    x = np.array([0, 5, 255], np.uint8)
    for name in ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal"):
        for s in (-1, 256, 2**70):
            assert_outputs(getattr(nu, name)(x, s), np_ufunc(name)(x, s), f"{name} {s}")
            assert_outputs(getattr(nu, name)(s, x), np_ufunc(name)(s, x), f"{name} {s}")


def test_scalar_only_and_traced_weak_scalars():
    assert_outputs(nu.add(2, 3), np.add(2, 3))
    assert_outputs(nu.true_divide(1, 2), np.true_divide(1, 2))
    assert_outputs(nu.multiply(2.5, 1j), np.multiply(2.5, 1j))
    x = np.arange(3, dtype=np.float32)
    # A Python scalar passed through jit is a weak tracer: it still does not promote.
    out = npaccel.jit(nu.add)(x, 2.0)
    assert np.asarray(out).dtype == np.float32
    out = npaccel.jit(nu.multiply)(np.arange(3, dtype=np.int8), 3)
    assert np.asarray(out).dtype == np.int8


# --- broadcasting, 0-d and empty ----------------------------------------------------------------

BROADCAST_SHAPES = [((3, 1), (1, 4)), ((), (2, 3)), ((), ()), ((0, 3), (3,)), ((2, 0), (1, 1)),
                    ((1,), (0,))]


@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
@pytest.mark.parametrize("name", ["add", "divmod", "arctan2", "less", "hypot", "right_shift"])
def test_broadcasting(name, shapes):
    dtype = np.int32 if name == "right_shift" else np.float64
    args = make_args(name, [dtype, dtype], shapes)
    assert_outputs(npaccel.jit(getattr(nu, name))(*args), np_ufunc(name)(*args), name)


@pytest.mark.parametrize("shape", [(), (0,), (0, 3)], ids=str)
@pytest.mark.parametrize("name", ["sin", "frexp", "isnan", "bitwise_count", "sign"])
def test_unary_shapes(name, shape):
    dtype = np.int16 if name == "bitwise_count" else np.float32
    (x,) = make_args(name, [dtype], [shape])
    assert_outputs(npaccel.jit(getattr(nu, name))(x), np_ufunc(name)(x), name)


def test_broadcast_error():
    with pytest.raises(ValueError, match="could not be broadcast"):
        nu.add(np.ones(2), np.ones(3))


# --- keywords -----------------------------------------------------------------------------------

def test_where():
    x, y = np.arange(6.0).reshape(2, 3), np.array([10.0, 20.0, 30.0])
    mask = np.array([True, False, True])
    for name in ("add", "divmod", "sin"):
        args = [x, y][:np_ufunc(name).nin]
        out = getattr(nu, name)(*args, where=mask)
        expected = np_ufunc(name)(*args, where=mask, out=tuple(np.zeros_like(x) for _ in
                                                                range(np_ufunc(name).nout)))
        assert_outputs(out, expected, name)
    # `where` takes part in broadcasting; a Python bool is allowed; ints are not.
    assert np.asarray(nu.add(1.0, 2.0, where=np.ones((2, 2), bool))).shape == (2, 2)
    assert_outputs(nu.add(x, y, where=False), np.zeros_like(x))
    with pytest.raises(TypeError):
        nu.add(x, y, where=np.array([1, 0, 1]))


def test_dtype_signature_casting():
    i8 = np.arange(5, dtype=np.int8)
    cases = [
        lambda m: m.add(i8, i8, dtype=np.float64),
        lambda m: m.add(i8, 3, dtype=np.int16),
        lambda m: m.divmod(i8, 3, dtype=np.float32),
        lambda m: m.add(1, 2, signature="ff->f"),
        lambda m: m.add(i8, i8, signature=(np.float32, np.float32, None)),
        lambda m: m.add(1.5, 2.5, dtype=np.int64),                      # UFuncTypeError
        lambda m: m.add(1.5, 2.5, dtype=np.int64, casting="unsafe"),
        lambda m: m.add(i8, i8.astype(np.int16), casting="no"),          # UFuncTypeError
        lambda m: m.equal(i8, i8, dtype=np.float64),                     # no loop
        lambda m: m.sqrt(i8, dtype=np.float32),
    ]
    for case in cases:
        expected = _outcome(lambda: case(np))
        if isinstance(expected, Exception):
            with pytest.raises(type(expected)):
                case(nu)
        else:
            assert_outputs(case(nu), expected)


def test_out_and_positional_out():
    x = np.arange(3.0)
    assert_outputs(nu.add(x, x, None), np.add(x, x, None))
    assert_outputs(nu.sin(x, out=(None,)), np.sin(x))
    with pytest.raises(TypeError, match="out= is handled"):
        nu.add(x, x, out=np.empty(3))
    with pytest.raises(TypeError, match="out= is handled"):
        nu.add(x, x, np.empty(3))
    with pytest.raises(TypeError, match="positional"):
        nu.add(x)


# --- errors ---------------------------------------------------------------------------------------

ERROR_CASES = [
    lambda m: m.bitwise_and(np.ones(2), np.ones(2)),
    lambda m: m.left_shift(np.ones(2, np.float32), 1),
    lambda m: m.subtract(np.ones(2, bool), np.ones(2, bool)),
    lambda m: m.negative(np.ones(2, bool)),
    lambda m: m.isnat(np.ones(2)),
    lambda m: m.gcd(np.ones(2), np.ones(2)),
    lambda m: m.arctan2(np.ones(2, np.complex64), 1),
    lambda m: m.ldexp(np.ones(2), np.ones(2, np.uint64)),
    lambda m: m.sin.reduce(np.ones(3)),
    lambda m: m.divmod.reduce(np.ones(3)),
    lambda m: m.matmul.reduce(np.ones(3)),
    lambda m: m.matmul.outer(np.ones(3), np.ones(3)),
    lambda m: m.sin.outer(np.ones(3), np.ones(3)),
    lambda m: m.sin.accumulate(np.ones(3)),
    lambda m: m.equal.reduce(np.array([1, 2, 0])),
    lambda m: m.ldexp.accumulate(np.ones(3, np.int8)),
    lambda m: m.add.accumulate(np.array(3.0)),
    lambda m: m.add.accumulate(np.ones((2, 2)), axis=None),
    lambda m: m.subtract.reduce(np.ones((2, 2)), axis=(0, 1)),
    lambda m: m.subtract.reduce(np.ones((2, 2)), axis=None),
    lambda m: m.maximum.reduce(np.ones((0, 2)), axis=0),
    lambda m: m.maximum.reduce(np.ones((2, 0)), axis=None),
    lambda m: m.subtract.reduce(np.ones((0,))),
    lambda m: m.maximum.reduce(np.ones((2, 2)), where=np.array([True, False])),
    lambda m: m.add.reduce(np.ones((2, 3)), axis=5),
    lambda m: m.add.reduce(np.ones((2, 3)), axis=(0, 0)),
    lambda m: m.add.reduce(np.array(3.0), axis=1),
    lambda m: m.add.reduceat(np.arange(5), [-1]),
    lambda m: m.add.reduceat(np.arange(5), [5]),
    lambda m: m.add.reduceat(np.ones((2, 3)), [0, 1], axis=None),
    lambda m: m.add.at(np.arange(5), [0, 7], 1),
    lambda m: m.add.at(np.arange(5), [0, 0, 1], [1, 2]),
    lambda m: m.negative.at(np.arange(5), [0], 1),
    lambda m: m.add.at(np.arange(5), [0]),
    lambda m: m.matmul.at(np.arange(5), [0], 1),
    lambda m: m.divmod.at(np.arange(5), [0], 1),
]


@pytest.mark.parametrize("case", ERROR_CASES, ids=range(len(ERROR_CASES)))
def test_errors(case):
    expected = _outcome(lambda: case(np))
    assert isinstance(expected, Exception)
    with pytest.raises(type(expected)) as info:
        case(nu)
    assert type(info.value) is type(expected)


def test_error_messages():
    with pytest.raises(ValueError, match="zero-size array to reduction operation maximum which "
                                         "has no identity"):
        nu.maximum.reduce(np.ones((0, 2)), axis=0)
    with pytest.raises(np.exceptions.AxisError):
        nu.add.reduce(np.ones((2, 3)), axis=2)


# --- reduce ------------------------------------------------------------------------------------

REDUCTION_DTYPES = [np.bool_, np.int8, np.uint16, np.int64, np.uint64, np.float16, np.float32,
                    np.float64, np.complex64, bf16]


def _reduces(name, dtype):
    return not isinstance(_outcome(lambda: np_ufunc(name).reduce(np.ones(2, dtype))), Exception)


def _main_dtype(name):
    """The dtype whose values every keyword combination is checked with."""
    return next(d for d in (np.float64, np.int64, np.bool_) if _reduces(name, d))


@pytest.mark.parametrize("name", BINARY)
def test_reduction_dtypes(name):
    """Result dtypes (or exception classes) of reduce, accumulate and reduceat for every
    input dtype, traced without compiling."""
    u, ours = np_ufunc(name), getattr(nu, name)
    for dtype, method in itertools.product(REDUCTION_DTYPES, ("reduce", "accumulate", "reduceat")):
        x = np.ones((2, 3), dtype)
        extra = ([0, 1],) if method == "reduceat" else ()
        expected = _outcome(lambda: getattr(u, method)(x, *extra))
        run = lambda a: getattr(ours, method)(a, *extra)  # noqa: E731
        if isinstance(expected, Exception):
            with pytest.raises(type(expected)):
                npaccel.make_jaxpr(run)(x)
        else:
            out = npaccel.make_jaxpr(run)(x).out_avals[0]
            assert (out.dtype, out.shape) == (expected.dtype, expected.shape), (name, dtype, method)


def _reduce_input(name, dtype, shape=(3, 4)):
    gens = GENERATORS.get(name, [_default])
    x = gens[-1](np.random.default_rng(1), shape, dtype)
    if name in ("multiply", "power", "float_power", "ldexp", "left_shift", "lcm"):
        if np.dtype(dtype) != np.bool_:   # small values: products and powers stay finite
            x = _small(0, 3)(np.random.default_rng(1), shape, dtype)
    return x


@pytest.mark.parametrize("name", BINARY)
def test_reduce(name):
    u, ours = np_ufunc(name), getattr(nu, name)
    dtype = _main_dtype(name)
    x = _reduce_input(name, dtype)
    reorderable = u.identity is not None or name in ("maximum", "minimum", "fmax", "fmin")
    kwargs_list = [{}, {"axis": 1}, {"axis": -1, "keepdims": True}, {"axis": ()}]
    if reorderable:
        kwargs_list += [{"axis": None}, {"axis": (0, 1), "keepdims": True}]
    initial = 1 if np.dtype(dtype) != np.bool_ else True
    where = np.array([[True, False, True, True]] * 3)
    kwargs_list += [{"axis": 0, "initial": initial},
                    {"axis": 1, "where": where, "initial": initial}]
    if u.identity is not None:
        kwargs_list += [{"axis": 0, "where": where}]
    for kwargs in kwargs_list:
        expected = _outcome(lambda: u.reduce(x, **kwargs))
        if isinstance(expected, Exception):
            with pytest.raises(type(expected)):
                ours.reduce(x, **kwargs)
            continue
        actual = npaccel.jit(lambda a: ours.reduce(a, **kwargs))(x)
        assert_outputs(actual, expected, f"{name} {kwargs}")
    small = next(d for d in REDUCTION_DTYPES if _reduces(name, d))   # bool or int8 mostly
    x = _reduce_input(name, small)
    assert_outputs(npaccel.jit(lambda a: ours.reduce(a, axis=1))(x), u.reduce(x, axis=1), name)


@pytest.mark.parametrize("name", ["add", "multiply", "maximum", "logaddexp", "hypot", "gcd",
                                  "bitwise_and", "logical_and"])
def test_reduce_empty(name):
    u, ours = np_ufunc(name), getattr(nu, name)
    dtype = np.int32 if name in ("gcd", "bitwise_and") else np.float64
    for shape, axis in (((0, 3), 0), ((0, 3), 1), ((2, 0), None), ((0,), 0)):
        x = np.zeros(shape, dtype)
        expected = _outcome(lambda: u.reduce(x, axis=axis))
        if isinstance(expected, Exception):
            with pytest.raises(type(expected)):
                ours.reduce(x, axis=axis)
        else:
            assert_outputs(ours.reduce(x, axis=axis), expected, f"{name} {shape}")


def test_reduce_dtypes_and_specials():
    i8 = np.arange(1, 6, dtype=np.int8)
    for m in ("reduce", "accumulate"):
        for args in ((np.add, i8, {}), (np.multiply, np.ones(3, np.uint8), {}),
                     (np.add, np.ones(3, bool), {}), (np.add, i8, {"dtype": np.float32}),
                     (np.add, np.ones(3) * 1.5, {"dtype": np.int8}),
                     (np.logical_and, np.array([1, 2, 0]), {}),
                     (np.add, np.ones(3, bool), {"dtype": bool})):
            u, x, kw = args
            assert_outputs(getattr(getattr(nu, u.__name__), m)(x, **kw), getattr(u, m)(x, **kw))
    nan = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, 2.0], [0.0, -1.0, 5.0]])
    for name in ("maximum", "minimum", "fmax", "fmin", "add", "logaddexp", "hypot"):
        for axis in (0, 1, None):
            assert_outputs(getattr(nu, name).reduce(nan, axis=axis),
                           np_ufunc(name).reduce(nan, axis=axis), name)
    z = np.array([[1 + 1j, complex(np.nan, 0), 2, complex(3, np.nan)], [1, 2, 3, 4j]])
    for name in ("maximum", "minimum", "fmax"):
        for axis in (0, 1, None):
            assert_outputs(getattr(nu, name).reduce(z, axis=axis),
                           np_ufunc(name).reduce(z, axis=axis), name)
    infs = np.array([-np.inf, np.inf, 1.0])
    for name in ("logaddexp", "logaddexp2", "hypot", "maximum"):
        assert_outputs(getattr(nu, name).reduce(infs), np_ufunc(name).reduce(infs), name)
    assert_outputs(nu.add.reduce(np.array(3.0)), np.add.reduce(np.array(3.0)))
    assert_outputs(nu.add.reduce(np.ones(3), initial=5), np.add.reduce(np.ones(3), initial=5))
    assert_outputs(nu.add.reduce(np.ones(3, np.int8), initial=500),
                   np.add.reduce(np.ones(3, np.int8), initial=500))


# --- accumulate and reduceat --------------------------------------------------------------------

@pytest.mark.parametrize("name", BINARY)
def test_accumulate(name):
    u, ours = np_ufunc(name), getattr(nu, name)
    x = _reduce_input(name, _main_dtype(name))
    for kwargs in ({}, {"axis": -1, "dtype": np.float64}):
        expected = _outcome(lambda: u.accumulate(x, **kwargs))
        if isinstance(expected, Exception):
            with pytest.raises(type(expected)):
                ours.accumulate(x, **kwargs)
            continue
        assert_outputs(npaccel.jit(lambda a: ours.accumulate(a, **kwargs))(x), expected,
                       f"{name} {kwargs}")


def test_accumulate_specials():
    x = np.array([1.0, np.nan, 3.0, -np.inf, 2.0])
    for name in ("maximum", "minimum", "fmax", "add", "logaddexp", "multiply"):
        assert_outputs(getattr(nu, name).accumulate(x), np_ufunc(name).accumulate(x), name)
    z = np.array([1 + 2j, 1 + 3j, 0 + 5j, 2 - 1j])
    assert_outputs(nu.maximum.accumulate(z), np.maximum.accumulate(z))
    assert_outputs(nu.add.accumulate(np.zeros((0, 2)), axis=0), np.add.accumulate(np.zeros((0, 2))))
    assert_outputs(nu.add.accumulate(np.ones(3), axis=None),
                   np.add.accumulate(np.ones(3), axis=None))


@pytest.mark.parametrize("name", ["add", "multiply", "maximum", "subtract", "logical_or",
                                  "fmin", "divide", "bitwise_xor", "hypot"])
def test_reduceat(name):
    u, ours = np_ufunc(name), getattr(nu, name)
    dtype = np.int32 if name == "bitwise_xor" else np.float64
    x = _reduce_input(name, dtype, (6, 3))
    for indices, axis in (([0, 2, 5], 0), ([0, 3, 1, 4], 0), ([1], 1), ([2, 2, 0], 1), ([], 0)):
        expected = u.reduceat(x, indices, axis=axis)
        assert_outputs(npaccel.jit(lambda a: ours.reduceat(a, indices, axis=axis))(x), expected,
                       f"{name} {indices} {axis}")
    i8 = np.arange(5, dtype=np.int8)
    assert_outputs(nu.add.reduceat(i8, [0, 2]), np.add.reduceat(i8, [0, 2]))
    # Traced indices work too (the segments are masks).
    idx = np.array([0, 4, 2])
    assert_outputs(npaccel.jit(ours.reduceat)(x, idx), u.reduceat(x, idx))


# --- outer and at ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["add", "multiply", "less", "divmod", "arctan2", "power"])
def test_outer(name):
    u, ours = np_ufunc(name), getattr(nu, name)
    a, b = make_args(name, [np.int32, np.int32], [(2, 3), (4,)])
    assert_outputs(ours.outer(a, b), u.outer(a, b), name)
    expected = _outcome(lambda: u.outer(a[0, 0], b, dtype=np.float64))
    if isinstance(expected, Exception):
        with pytest.raises(type(expected)):
            ours.outer(a[0, 0], b, dtype=np.float64)
    else:
        assert_outputs(ours.outer(a[0, 0], b, dtype=np.float64), expected)
    where = np.array([True, False, True, True])
    if u.nout == 1:
        got = ours.outer(a, b, where=where)
        want = u.outer(a, b, where=where, out=np.zeros(u.outer(a, b).shape, u.outer(a, b).dtype))
        assert_outputs(got, want)


AT_CASES = [
    ("add", np.arange(5.0), [0, 0, 1, 4], 1.5),
    ("add", np.arange(5), [0, 0, 1], 1.5),
    ("add", np.arange(6.0).reshape(2, 3), (slice(None), [0, 0]), np.array([1.0, 2.0])),
    ("add", np.arange(6.0).reshape(2, 3), ([1, 1, 0], [2, 2, 0]), np.array([1.0, 2.0, 3.0])),
    ("add", np.ones(3, np.int8), [0], 300),
    ("multiply", np.arange(1.0, 6.0), [1, 1, 3], np.array([2.0, 3.0, 4.0])),
    ("maximum", np.arange(5.0), [2, 2, 0], np.array([10.0, -1.0, np.nan])),
    ("minimum", np.arange(5), [4, 4], np.array([-3, 1])),
    ("subtract", np.arange(5.0), [0, 0, 3], np.array([1.0, 2.0, 3.0])),
    ("power", np.arange(5), [2, 2], 2),
    ("negative", np.arange(5.0), [0, 0, 2], None),
    ("logical_or", np.zeros(4, bool), [1, 1, 3], True),
    ("add", np.zeros(4, bool), [1, 1, 3], True),
    ("bitwise_xor", np.arange(4), [1, 1, 3], 7),
    ("add", np.arange(5.0), np.array([True, False, True, False, False]), 2.0),
    ("add", np.arange(5.0), -1, 2.0),
]


@pytest.mark.parametrize("name,a,indices,b", AT_CASES, ids=range(len(AT_CASES)))
def test_at(name, a, indices, b):
    expected = a.copy()
    args = () if b is None else (b,)
    np_ufunc(name).at(expected, indices, *args)
    assert_outputs(getattr(nu, name).at(a, indices, *args), expected, name)


def test_at_traced_indices():
    a = np.arange(6.0).reshape(3, 2)
    idx = np.array([0, 2, 0, -1])
    expected = a.copy()
    np.add.at(expected, idx, 1.0)
    assert_outputs(npaccel.jit(lambda x, i: nu.add.at(x, i, 1.0))(a, idx), expected)
    expected = a.copy()
    np.subtract.at(expected, (idx, np.array([1, 0, 1, 1])), 2.0)
    cols = np.array([1, 0, 1, 1])
    assert_outputs(npaccel.jit(lambda x, i: nu.subtract.at(x, (i, cols), 2.0))(a, idx), expected)
    with pytest.raises(ConcretizationError):
        npaccel.jit(lambda x, i: nu.add.at(x, (slice(None), i), 1.0))(a, np.array([0]))


# --- the objects ----------------------------------------------------------------------------------

def test_objects_mirror_numpy():
    names = [n for n in dir(np) if isinstance(getattr(np, n), np.ufunc)]
    assert sorted(names) == nu.UFUNCS
    for n in names:
        ours, theirs = getattr(nu, n), getattr(np, n)
        assert isinstance(ours, nu.ufunc)
        for attr in ("__name__", "nin", "nout", "nargs", "ntypes", "types", "signature"):
            assert getattr(ours, attr) == getattr(theirs, attr), (n, attr)
        assert ours.identity == theirs.identity
    assert nu.abs is nu.absolute and nu.conj is nu.conjugate and nu.mod is nu.remainder
    assert nu.true_divide is nu.divide and nu.bitwise_not is nu.invert is nu.bitwise_invert
    assert nu.pow is nu.power and nu.acos is nu.arccos and nu.atan2 is nu.arctan2
    assert nu.bitwise_left_shift is nu.left_shift and nu.bitwise_right_shift is nu.right_shift
    assert repr(nu.add) == "<ufunc 'add'>"
    assert nu.add.resolve_dtypes((np.dtype(np.int8), int, None)) == (np.dtype(np.int8),) * 3


# --- transformations ------------------------------------------------------------------------------

EAGER_CASES = ["add", "floor_divide", "divmod", "power", "logaddexp", "hypot", "frexp", "ldexp",
               "maximum", "fmax", "sign", "isnan", "gcd", "less", "copysign", "modf", "rint",
               "spacing", "heaviside", "matmul"]


@pytest.mark.parametrize("name", EAGER_CASES)
def test_jit_matches_eager(name):
    in_dtypes = [np.float32] * np_ufunc(name).nin
    if name in ("power", "gcd"):
        in_dtypes = [np.int32] * 2
    if name == "ldexp":
        in_dtypes = [np.float32, np.int32]
    shapes = [(2, 3), (3, 2)] if name == "matmul" else shapes_for(name)
    args = make_args(name, in_dtypes, shapes)
    ours = getattr(nu, name)
    eager = ours(*args)
    assert_outputs(eager, np_ufunc(name)(*args), name)
    assert_outputs(npaccel.jit(ours)(*args), eager, name)


GRAD_CASES = {
    "add": 2, "subtract": 2, "multiply": 2, "divide": 2, "power": 2, "float_power": 2,
    "exp": 1, "exp2": 1, "expm1": 1, "log": 1, "log2": 1, "log10": 1, "log1p": 1, "sqrt": 1,
    "cbrt": 1, "square": 1, "reciprocal": 1, "sin": 1, "cos": 1, "tan": 1, "arcsin": 1,
    "arccos": 1, "arctan": 1, "sinh": 1, "cosh": 1, "tanh": 1, "arcsinh": 1, "arccosh": 1,
    "arctanh": 1, "arctan2": 2, "hypot": 2, "logaddexp": 2, "logaddexp2": 2, "degrees": 1,
    "radians": 1, "absolute": 1, "negative": 1, "maximum": 2, "fmin": 2, "ldexp": 1,
    "copysign": 1, "remainder": 2, "fmod": 2, "matmul": 2, "vecdot": 2,
}


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_grad(name):
    ours = getattr(nu, name)
    nin = np_ufunc(name).nin
    rng = np.random.default_rng(3)
    if name in ("matmul", "vecdot"):
        args = [rng.standard_normal((2, 3)),
                rng.standard_normal((3, 2) if name == "matmul" else (3,))]
    elif name == "ldexp":
        n = np.array([1, -2, 3])
        check_grads(lambda x: ours(x, n), [rng.standard_normal(3)], order=1)
        return
    elif name == "copysign":
        s = np.array([1.0, -1.0, -2.0])
        check_grads(lambda x: ours(x, s), [rng.uniform(0.5, 2, 3)], order=1)
        return
    else:
        gen = GENERATORS.get(name, [_default] * nin)
        args = [g(rng, (3,), np.float64) for g in gen[:nin]]
        if name in ("power", "float_power"):
            args[0] = rng.uniform(0.5, 2, 3)
        if name in ("remainder", "fmod"):
            args = [np.array([5.3, -2.2, 7.9]), np.array([2.0, 3.0, -2.5])]
        if name in ("absolute", "maximum", "fmin", "hypot"):
            args = [a + np.sign(a) * 0.3 for a in args]
    check_grads(ours, args, order=1 if name in ("remainder", "fmod", "maximum", "fmin") else 2)


GRAD_METHODS = {
    "add.reduce": lambda a: nu.add.reduce(a, axis=0),
    "multiply.reduce": lambda a: nu.multiply.reduce(a, axis=None),
    "maximum.reduce": lambda a: nu.maximum.reduce(a, axis=1),
    "logaddexp.reduce": lambda a: nu.logaddexp.reduce(a, axis=1, keepdims=True),
    "hypot.reduce": lambda a: nu.hypot.reduce(a, axis=0, where=np.array([True, False, True, True])),
    "subtract.reduce": lambda a: nu.subtract.reduce(a, axis=1),
    "add.accumulate": lambda a: nu.add.accumulate(a, axis=1),
    "logaddexp.accumulate": lambda a: nu.logaddexp.accumulate(a, axis=1),
    "power.accumulate": lambda a: nu.power.accumulate(a, axis=0),
    "multiply.reduceat": lambda a: nu.multiply.reduceat(a, [0, 2], axis=1),
    "multiply.outer": lambda a: nu.multiply.outer(a[0], a[1]),
    "add.at": lambda a: nu.add.at(a, [0, 0, 2], 1.0),
    "subtract.at": lambda a: nu.subtract.at(a, ([0, 0], [1, 1]), 2.0),
}


@pytest.mark.parametrize("method", sorted(GRAD_METHODS))
def test_grad_methods(method):
    x = np.random.default_rng(0).uniform(0.5, 2, (3, 4))
    check_grads(GRAD_METHODS[method], [x], order=1)


def test_grad_masked_fold_forward():
    # Masked folds differentiate forward (reverse mode waits on bool scan residuals).
    x = np.random.default_rng(0).uniform(0.5, 2, (3, 4))
    check_grads(lambda a: nu.subtract.reduceat(a, [0, 2, 1], axis=1), [x], order=1,
                modes=("fwd",))
    where = np.array([True, False, True, True])
    check_grads(lambda a: nu.divide.reduce(a, axis=1, initial=2.0, where=where), [x], order=1,
                modes=("fwd",))


def test_vmap():
    x, y = np.random.default_rng(0).standard_normal((2, 4, 3))
    for name in ("add", "hypot", "floor_divide", "logaddexp"):
        ours = getattr(nu, name)
        assert_outputs(npaccel.vmap(ours)(x, y), np_ufunc(name)(x, y), name)
    assert_outputs(npaccel.vmap(lambda a: nu.add.reduce(a))(x), np.add.reduce(x, axis=1))
    gi = np.array([[12, 18], [7, 5]], np.int64)
    assert_outputs(npaccel.vmap(nu.gcd)(gi, gi[::-1]), np.gcd(gi, gi[::-1]))
