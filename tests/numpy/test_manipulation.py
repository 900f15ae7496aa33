"""npaccel.numpy.manipulation against NumPy.

Each test body is written once against an array namespace `xp` and run with xp=numpy and
xp=npaccel (as CuPy's tests do): over a pool of shapes (0-d and empty included) and the
dtypes, under jit (one compilation per case) and, for a sample, eagerly; vmap against a
NumPy loop; derivatives against finite differences for the linear routines; and NumPy's
exception classes for bad input."""
import types
import warnings

import numpy as np
import pytest

import npaccel
from npaccel import lax
from npaccel.core.trace import ConcretizationError
from npaccel.numpy import creation as nc, manipulation as nm
from harness import assert_close, check_grads, default_tol

ALL = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
       np.uint64, np.float16, np.float32, np.float64, np.complex64, np.complex128]
FEW = [np.bool_, np.int8, np.uint32, np.float16, np.float64, np.complex64]
SHAPES = [(), (0,), (5,), (2, 3), (3, 0, 2), (2, 3, 4)]

NA = types.SimpleNamespace(**{name: getattr(mod, name) for mod in (nc, nm)
                              for name in dir(mod) if not name.startswith("_")})


@pytest.fixture(autouse=True)
def _quiet_numpy():
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _assert_tree(actual, expected, tol, where):
    if isinstance(expected, (tuple, list)):
        assert isinstance(actual, (tuple, list)) and len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected)):
            _assert_tree(a, e, tol, f"{where}[{i}]")
        return
    expected = np.asarray(expected)
    assert_close(actual, expected, default_tol(expected.dtype) if tol is None else tol,
                 err_msg=where)


def _data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        return rng.integers(0 if dtype.kind == "u" else -9, 10, size=shape).astype(dtype)
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def same_many(calls, tol=0, eager=False):
    """npaccel against NumPy for each (name, args, kwargs): values and dtype, or NumPy's
    exception class; the calls NumPy accepts run in one jit, the arguments as constants."""
    good = []
    for name, args, kwargs in calls:
        try:
            expected = getattr(np, name)(*args, **kwargs)
        except Exception as e:   # noqa: BLE001 (any exception NumPy raises is the spec)
            with pytest.raises(type(e)):
                getattr(NA, name)(*args, **kwargs)
            continue
        good.append((name, args, kwargs, expected))

    def run():
        return [getattr(NA, name)(*args, **kwargs) for name, args, kwargs, _ in good]
    actual = run() if eager else npaccel.jit(run)()
    for (name, args, kwargs, expected), a in zip(good, actual):
        _assert_tree(a, expected, tol, f"{name}{args}{kwargs}")


# --- test bodies: f(xp, x) -> list of results ------------------------------------------------

def _reshape(xp, x):
    out = [xp.reshape(x, -1), xp.reshape(x, (1, -1)), xp.reshape(x, x.shape[::-1], order="F"),
           xp.reshape(x, (-1, 1), order="A"), xp.ravel(x), xp.ravel(x, "F"), xp.ravel(x, order="K")]
    if x.ndim >= 2:
        out += [xp.reshape(x, (x.shape[0], -1), order="F"), xp.reshape(x, (-1, x.shape[-1]))]
    return out


def _transpose(xp, x):
    n = x.ndim
    out = [xp.transpose(x), xp.permute_dims(x, tuple(range(n))[::-1]), xp.transpose(x, None)]
    if n >= 1:
        out += [xp.moveaxis(x, 0, -1), xp.swapaxes(x, 0, -1), xp.rollaxis(x, -1),
                xp.rollaxis(x, 0, n), xp.transpose(x, [-1] + list(range(n - 1)))]
    if n >= 2:
        out += [xp.matrix_transpose(x), xp.moveaxis(x, [0, 1], [-1, 0]), xp.rollaxis(x, 1, 0)]
    return out


def _dims(xp, x):
    e = xp.expand_dims(x, (0, -1))
    return [xp.expand_dims(x, 0), e, xp.expand_dims(x, -1), xp.squeeze(e), xp.squeeze(e, 0),
            xp.squeeze(e, (0, -1)), xp.atleast_1d(x), xp.atleast_2d(x), xp.atleast_3d(x),
            xp.atleast_2d(x, e), xp.broadcast_to(x, (2,) + x.shape),
            xp.broadcast_to(xp.expand_dims(x, -1), x.shape + (3,)),
            xp.broadcast_arrays(x, xp.expand_dims(x, 0), xp.ones((3,) + (1,) * x.ndim, bool))]


def _join(xp, x):
    out = [xp.concatenate([x, x], axis=None), xp.concatenate((x, x), None, dtype=np.complex128),
           xp.stack([x, x]), xp.stack([x, x, x], axis=-1), xp.vstack([x, x]), xp.hstack([x, x]),
           xp.dstack([x, x]), xp.block([[x, x], [x, x]]), xp.block([x]), xp.append(x, x),
           xp.concatenate([x, x], axis=None, casting="unsafe", dtype=np.int8)]
    if x.ndim >= 1:
        out += [xp.concatenate([x, x]), xp.concatenate([x, x, x], axis=-1), xp.concat([x, x]),
                xp.append(x, x, axis=0), xp.column_stack([x, x])]
    return out


def _split(xp, x):
    out = [xp.split(x, 1), xp.array_split(x, 3), xp.array_split(x, [1, -1, 10], axis=-1),
           xp.split(x, [2]), xp.unstack(x), xp.unstack(x, axis=-1), xp.hsplit(x, [1])]
    if x.ndim >= 2:
        out += [xp.vsplit(x, [1]), xp.array_split(x, 2, axis=1), xp.split(x, [3, 1], axis=1)]
    if x.ndim >= 3:
        out.append(xp.dsplit(x, 2))
    return out


def _tile_repeat(xp, x):
    counts = np.arange(x.shape[0]) % 3 if x.ndim else np.array(2)
    out = [xp.tile(x, 2), xp.tile(x, (2, 1, 3)), xp.tile(x, ()), xp.tile(x, (0, 2)),
           xp.repeat(x, 2), xp.repeat(x, 0), xp.repeat(x, np.int8(3))]
    if x.ndim >= 1:
        out += [xp.repeat(x, 3, axis=-1), xp.repeat(x, counts, axis=0), xp.repeat(x, [2], axis=-1)]
    return out


def _flip_roll(xp, x):
    out = [xp.flip(x), xp.roll(x, 2), xp.roll(x, -7)]
    if x.ndim >= 1:
        out += [xp.flip(x, 0), xp.flipud(x), xp.flip(x, (-1,)), xp.roll(x, 1, axis=0),
                xp.roll(x, (1, 2), axis=(0, -1)), xp.roll(x, (1, 1), (-1, -1)),
                xp.roll(x, [3], axis=[-1]), xp.roll(x, -1, 0)]
    if x.ndim >= 2:
        out += [xp.fliplr(x), xp.flip(x, (0, -1)), xp.rot90(x), xp.rot90(x, 2), xp.rot90(x, 3, (1, 0)),
                xp.rot90(x, -1, (0, -1)), xp.rot90(x, 4)]
    return out


def _widths(x):
    return [2, ((1, 2),) * max(x.ndim, 1), [[k % 3, (2 * k) % 4] for k in range(max(x.ndim, 1))]]


def _pad_constant(xp, x):
    return [xp.pad(x, w, **kw) for w, kw in zip(_widths(x) + [1], (
        {}, {"constant_values": 5}, {"constant_values": (1.5, 2.25)}, {"mode": "constant"}))]


def _pad_modes(modes):
    def body(xp, x):
        return [xp.pad(x, w, mode, **kwargs) for mode, kwargs in modes
                for w in (((1, 2),) * max(x.ndim, 1), 5)]
    body.__name__ = "_pad_" + "_".join(m for m, _ in modes)
    return body


_pad_copy = _pad_modes([("edge", {}), ("wrap", {})])
_pad_reflect = _pad_modes([("reflect", {}), ("symmetric", {"reflect_type": "odd"})])
_pad_odd = _pad_modes([("reflect", {"reflect_type": "odd"}), ("symmetric", {})])
_pad_extrema = _pad_modes([("maximum", {}), ("minimum", {"stat_length": 2})])
_pad_mean = _pad_modes([("mean", {"stat_length": ((1, 2),)}), ("linear_ramp", {})])
_pad_median = _pad_modes([("median", {"stat_length": 3}),
                          ("linear_ramp", {"end_values": (5, 2)})])


def _insert_delete(xp, x):
    n = x.shape[-1]
    mask = np.arange(n) % 2 == 0
    column = np.arange(x.shape[-2] if x.ndim > 1 else 3) % 2
    return [xp.insert(x, 1, 7), xp.insert(x, [0, n, n // 2], 9, axis=-1),
            xp.insert(x, slice(None), 3, axis=0), xp.insert(x, n // 2, column, axis=-1),
            xp.insert(x, [n], 2.5, axis=-1), xp.insert(x, [1], xp.flip(x, -1), axis=0),
            xp.delete(x, 0, axis=0), xp.delete(x, slice(None, None, 2), axis=-1),
            xp.delete(x, [0, -1], axis=-1), xp.delete(x, mask, axis=-1), xp.delete(x, 1),
            xp.append(x, np.ones(3, bool)), xp.resize(x, (3, 4)), xp.resize(x, 7),
            xp.resize(x, 0), xp.resize(x, (2, 0))]


def _take(xp, x):
    n = x.size
    out = [xp.take(x, [0, -1]), xp.take(x, 7, mode="wrap"), xp.take(x, [-9, 99], mode="clip"),
           xp.take(x, np.array([[0, n - 1], [-1, -n]]))]
    if x.ndim >= 1:
        m = x.shape[-1]
        out += [xp.take(x, [m - 1, 0, -m], axis=-1), xp.take(x, 0, axis=0),
                xp.take(x, np.arange(6).reshape(2, 3) - 3, axis=-1, mode="wrap"),
                xp.take(x, [5, -5], axis=0, mode="clip")]
    return out


def _along_axis(xp, x):
    rng = np.random.default_rng(1)
    out = []
    for axis in range(-x.ndim, x.ndim):
        n = x.shape[axis]
        shape = list(x.shape)
        shape[axis] = 4
        idx = rng.integers(-n, n, size=shape)
        out.append(xp.take_along_axis(x, idx, axis=axis))
        ones = [1] * x.ndim
        ones[axis] = 2
        out.append(xp.take_along_axis(x, rng.integers(0, n, size=ones), axis))
    out.append(xp.take_along_axis(x, np.array([0, -1, 2]), None))
    # put_along_axis at distinct positions (where indices repeat, the winner is unspecified)
    for axis in range(x.ndim):
        n = x.shape[axis]
        shape = [1] * x.ndim
        shape[axis] = min(n, 2)
        idx = np.reshape([0, -1][:min(n, 2)], shape)
        target = list(x.shape)
        target[axis] = idx.shape[axis]
        out += [_put(xp, x, idx, 7, axis),
                _put(xp, x, idx, np.arange(np.prod(target)).reshape(target) % 5, axis)]
    return out


def _put(xp, x, idx, values, axis):
    """put_along_axis as a function of values for both namespaces (NumPy's writes in place)."""
    if xp is not np:
        return xp.put_along_axis(x, idx, values, axis)
    out = x.copy()
    np.put_along_axis(out, idx, values, axis)
    return out


def _choose_select(xp, x):
    rng = np.random.default_rng(2)
    a = rng.integers(0, 3, size=x.shape)
    conds = [rng.random(x.shape) < 0.3, rng.random(x.shape[-1:]) < 0.5]
    flipped = xp.flip(x)
    return [xp.choose(a, [x, flipped, x]), xp.choose(a + 2, [x, 0, flipped], mode="wrap"),
            xp.choose(a * 2 - 1, [x, flipped], mode="clip"), xp.choose(a % 2, [x, 1]),
            xp.select(conds, [x, flipped]), xp.select(conds[:1], [x], default=1),
            xp.select([conds[1]], [flipped], x)]


def _compress(xp, x):
    cond = np.arange(x.shape[0]) % 3 != 1
    out = [xp.compress(cond, x, axis=0), xp.compress([True, False, True], x),
           xp.compress(np.zeros(x.shape[-1], bool), x, axis=-1)]
    if x.ndim >= 2:
        out.append(xp.compress([1, 0, 2], x, axis=1))
    return out


def _diagonal(xp, x):
    return [xp.diagonal(x), xp.diagonal(x, 1), xp.diagonal(x, -1, -1, 0), xp.diagonal(x, 9),
            xp.trace(x), xp.trace(x, 1, dtype=np.complex128), xp.trace(x, -1, 1, 0)]


# (body, shapes, dtypes, tolerance): max(len(shapes), len(dtypes)) cases, both lists taken
# in turn, so that every shape and every dtype is seen. Pure data movement gets a few
# dtypes of each kind; the routines that promote or compute get all of them.
MOVE = [np.bool_, np.int8, np.uint32, np.float16, np.complex64]
BODIES = [
    (_reshape, SHAPES, ALL, 0),
    (_transpose, SHAPES, MOVE, 0),
    (_dims, SHAPES, MOVE, 0),
    (_join, SHAPES, ALL, 0),
    (_split, SHAPES[1:], MOVE, 0),
    (_tile_repeat, SHAPES, MOVE, 0),
    (_flip_roll, SHAPES, MOVE, 0),
    (_pad_constant, SHAPES, ALL, 0),
    (_pad_copy, [(), (5,), (2, 3), (2, 3, 4)], MOVE, 0),
    (_pad_reflect, [(1,), (5,), (2, 3), (2, 1, 4)], MOVE, 0),
    (_pad_odd, [(), (5,), (3, 2)], FEW, 0),
    (_pad_extrema, [(5,), (2, 3), ()], FEW, 0),
    (_pad_mean, [(5,), (2, 3), (2, 1, 3)], FEW, None),
    (_pad_median, [(5,), (2, 3), ()], FEW, None),
    (_insert_delete, [(5,), (2, 3), (2, 3, 4)], MOVE, 0),
    (_take, [(5,), (2, 3), (2, 3, 4), ()], ALL, 0),
    (_along_axis, [(5,), (2, 3), (2, 3, 4)], MOVE, 0),
    (_choose_select, [(), (5,), (2, 3), (2, 3, 4)], FEW, 0),
    (_compress, [(5,), (3, 3), (4, 3, 2)], MOVE, 0),
    (_diagonal, [(2, 3), (3, 3), (2, 3, 4), (0, 3), (4, 0, 2)], FEW, None),
]


def _cases(bodies):
    cases = []
    for body, shapes, dtypes, tol in bodies:
        for i in range(max(len(shapes), len(dtypes))):
            shape, dtype = shapes[i % len(shapes)], dtypes[i % len(dtypes)]
            cases.append(pytest.param(body, shape, dtype, tol, id=f"{body.__name__[1:]}-"
                                      f"{'x'.join(map(str, shape))}-{np.dtype(dtype).name}"))
    return cases


@pytest.mark.parametrize("body,shape,dtype,tol", _cases(BODIES))
def test_matches_numpy(body, shape, dtype, tol):
    x = _data(shape, dtype)
    expected = body(np, x)
    actual = npaccel.jit(lambda x: body(NA, x))(x)
    _assert_tree(actual, expected, tol, body.__name__)


# Eagerly, every primitive compiles on its own: a sample of bodies on small inputs.
_EAGER = [(_reshape, (2, 3)), (_join, (3,)), (_flip_roll, (2, 3)), (_pad_constant, (3,)),
          (_pad_reflect, (3,)), (_pad_mean, (3,)), (_take, (3,)), (_along_axis, (3,)),
          (_choose_select, (3,)), (_diagonal, (2, 3)), (_insert_delete, (3,))]


@pytest.mark.parametrize("body,shape", _EAGER, ids=lambda p: getattr(p, "__name__", "")[1:])
def test_eager_matches_numpy(body, shape):
    x = _data(shape, np.int16)
    _assert_tree(body(NA, x), body(np, x), None, body.__name__)


_BATCHED = [_reshape, _join, _split, _flip_roll, _pad_reflect, _pad_mean, _take,
            _along_axis, _choose_select, _diagonal]


@pytest.mark.parametrize("body", _BATCHED, ids=lambda b: b.__name__[1:])
def test_vmap_matches_loop(body):
    xs = _data((3, 2, 3), np.float32)
    batched = npaccel.jit(npaccel.vmap(lambda x: body(NA, x)))(xs)
    loop = [body(np, x) for x in xs]
    expected = npaccel.tree_util.tree_map(lambda *ys: np.stack(ys), *loop)
    _assert_tree(batched, expected, 1e-5, body.__name__)


# --- derivatives of the linear routines ------------------------------------------------------

def _linear_cases():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((2, 4))
    idx = rng.integers(-3, 3, size=(2, 4))
    return [
        ("reshape-transpose-split", lambda x: [
            nm.reshape(x, (2, -1)), nm.reshape(x, (4, 3), order="F"),
            nm.split(nm.moveaxis(x, 0, -1), 2), nm.resize(x, (5, 5))], [x]),
        ("joining", lambda x, y: [
            nm.concatenate([x, y, x]), nm.concatenate([x, y], axis=None),
            nm.block([[x, x], [y, y]]), nm.stack([x, x], -1)], [x, y]),
        ("pad-constant", lambda x, c: nm.pad(x, ((1, 2), (0, 3)), constant_values=c), [x, 1.5]),
        ("pad-reflect", lambda x: [nm.pad(x, ((2, 5), (3, 1)), "reflect"),
                                   nm.pad(x, 4, "symmetric", reflect_type="odd")], [x]),
        ("pad-wrap-edge-mean-ramp", lambda x: [
            nm.pad(nm.pad(x, 5, "wrap"), 1, "edge"),
            nm.pad(nm.pad(x, 2, "mean", stat_length=2), 1, "linear_ramp", end_values=3.0)], [x]),
        ("roll", lambda x: [nm.roll(x, (1, -2), (0, 1)), nm.roll(x, 5)], [x]),
        ("along-axis", lambda x, v: [
            nm.take_along_axis(x, idx, axis=0),
            nm.put_along_axis(x, np.array([[0, 2, 1, 0]]), v, 0)], [x, y[:1]]),
        ("repeat-tile-take", lambda x: [
            nm.repeat(x, 3, axis=1), nm.repeat(x, [2, 0, 1], axis=0), nm.tile(x, (2, 1, 2)),
            nm.take(x, [[0, -1], [5, 5]])], [x]),
        ("insert-delete", lambda x, v: [nm.insert(x, [1, 1, 4], v, axis=1),
                                        nm.delete(x, [0, 2], axis=1)], [x, y[0, :3]]),
        ("choose-select", lambda x, y: [nm.select([lax.gt(x, 0.0), lax.lt(x, -1.0)], [x, 2.0],
                                                  lax.mul(x, 3.0)),
                                        nm.choose(idx % 2, [y, 1.0, -y], mode="wrap")], [x, y]),
        ("diagonal-trace", lambda x: [nm.diagonal(x, 1), nm.trace(x, -1)], [x]),
    ]


@pytest.mark.parametrize("name,fn,args", _linear_cases(),
                         ids=lambda p: p if isinstance(p, str) else "")
def test_grads(name, fn, args):
    check_grads(npaccel.jit(fn), args, order=1)


def test_second_order_grads():
    x = np.random.default_rng(4).standard_normal((3, 4))
    check_grads(lambda x: nm.pad(nm.roll(x, 1, 0), 2, "reflect"), [x], order=2)


# --- the routines that read values: jit needs static arguments or a size ---------------------

def test_repeat_traced_counts():
    x = np.arange(6.0).reshape(2, 3)
    counts = np.array([2, 0, 3])
    f = npaccel.jit(lambda x, c: nm.repeat(x, c, axis=1, total_repeat_length=5))
    assert_close(f(x, counts), np.repeat(x, counts, axis=1), 0)
    g = npaccel.jit(lambda x, c: nm.repeat(x, c, axis=1, total_repeat_length=7))
    assert_close(g(x, counts), np.repeat(x, [2, 0, 5], axis=1), 0)   # last element repeats
    h = npaccel.jit(lambda x, c: nm.repeat(x, c, total_repeat_length=4))
    assert_close(h(x, 2), np.repeat(x, 2)[:4], 0)
    assert_close(nm.repeat(x, 1, total_repeat_length=8), np.repeat(x, [1] * 5 + [3]), 0)
    with pytest.raises(ConcretizationError):
        npaccel.jit(lambda x, c: nm.repeat(x, c))(x, counts)
    check_grads(npaccel.jit(lambda x: nm.repeat(x, counts, 1, total_repeat_length=4)), [x], 1)


def test_compress_size_and_traced_condition():
    x = np.arange(12.0).reshape(4, 3)
    cond = np.array([True, False, True, True])

    def padded(size, fill):
        kept = np.compress(cond, x, axis=0)
        return np.concatenate([kept, np.full((max(size - len(kept), 0), 3), fill)])[:size]

    assert_close(nm.compress(cond, x, axis=0, size=2), padded(2, 0), 0)
    traced = npaccel.jit(lambda c, x: [nm.compress(c, x, 0, size=5, fill_value=-1.5),
                                       nm.compress(c, x, 0, size=2)])
    _assert_tree(traced(cond, x), [padded(5, -1.5), padded(2, 0)], 0, "compress")
    with pytest.raises(ConcretizationError):
        npaccel.jit(lambda c, x: nm.compress(c, x))(cond, x)
    batched = npaccel.jit(npaccel.vmap(lambda c: nm.compress(c, np.arange(4.0), size=2)))(
        np.array([[1, 0, 1, 0], [0, 0, 0, 1]], bool))
    assert_close(batched, np.array([[0.0, 2.0], [3.0, 0.0]]), 0)


def test_traced_indices():
    x = np.arange(10.0).reshape(2, 5)
    idx = np.array([[0, -1], [4, -5]])
    for mode in ("raise", "wrap", "clip"):
        f = npaccel.jit(lambda x, i: nm.take(x, i, axis=1, mode=mode))
        assert_close(f(x, idx), np.take(x, idx, axis=1, mode=mode), 0)
    assert_close(npaccel.jit(lambda x, i: nm.take(x, i, mode="wrap"))(x, np.array([12, -13])),
                 np.take(x, [12, -13], mode="wrap"), 0)
    # Note: out of bounds, a traced index cannot raise: NaN (as jax.numpy's fill mode).
    out = np.asarray(npaccel.jit(lambda x, i: nm.take(x, i))(x, np.array([3, 10])))
    assert out[0] == 3.0 and np.isnan(out[1])
    along = npaccel.jit(lambda x, i: nm.take_along_axis(x, i, 1))(x, idx)
    assert_close(along, np.take_along_axis(x, idx, 1), 0)
    put = npaccel.jit(lambda x, i, v: nm.put_along_axis(x, i, v, 1))(x, idx[:, :1], -1.0)
    expected = x.copy()
    np.put_along_axis(expected, idx[:, :1], -1.0, 1)
    assert_close(put, expected, 0)
    a = np.array([[0, 1, 2, 1, 0], [2, 2, 0, 1, 5]])
    for mode in ("wrap", "clip"):
        got = npaccel.jit(lambda a: nm.choose(a, [x, -x, 2 * x], mode=mode))(a)
        assert_close(got, np.choose(a, [x, -x, 2 * x], mode=mode), 0)


def test_roll_traced_shift():
    x = np.arange(12).reshape(3, 4)
    for shift, axis in [(5, None), (-3, 1), (np.array([1, 7]), (0, 1)), (2, (0, 1))]:
        f = npaccel.jit(lambda x, s: nm.roll(x, s, axis))
        assert_close(f(x, shift), np.roll(x, shift, axis), 0)
    assert_close(npaccel.vmap(lambda s: nm.roll(x, s, 1))(np.arange(4)),
                 np.stack([np.roll(x, s, 1) for s in range(4)]), 0)


def test_trim_zeros():
    same_many([("trim_zeros", args, kwargs) for args, kwargs in [
        ((np.array([0, 0, 1, 0, 2, 0]),), {}), ((np.array([0, 0, 1, 0]),), {"trim": "b"}),
        ((np.array([0, 1, 0]),), {"trim": "F"}), ((np.zeros(3),), {}), ((np.zeros(0),), {}),
        ((np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),), {}),
        ((np.array([[0, 0, 0], [0, 1, 2], [0, 0, 0]]),), {"axis": 0}),
        ((np.array([[0, 0, 0], [0, 1, 2], [0, 0, 0]]),), {"axis": -1, "trim": "f"}),
        ((np.zeros((2, 2)),), {}), ((np.array(0),), {}), ((np.array([0, 1, 0]),), {"trim": "x"}),
        ((np.array([[0, 1]]),), {"axis": 2}), ((np.array([0, 1j, 0]),), {}),
        ((np.array([False, True, False]),), {}),
    ]], eager=True)
    with pytest.raises(ConcretizationError):
        npaccel.jit(nm.trim_zeros)(np.array([0.0, 1.0]))


def test_put_along_axis():
    rng = np.random.default_rng(5)
    for shape, axis in [((3, 4), 0), ((3, 4), 1), ((2, 3, 4), 2), ((5,), None), ((1, 4), 0)]:
        x = rng.standard_normal(shape)
        idx_shape = (1,) * len(shape) if axis is None else list(shape)
        if axis is None:
            idx = np.array([4, 0, -1])
        else:
            idx_shape[axis] = 2
            idx = np.stack([np.zeros(idx_shape[:axis] + idx_shape[axis + 1:], int),
                            np.full(idx_shape[:axis] + idx_shape[axis + 1:], -1)], axis)
        for values in (7.5, rng.standard_normal(idx.shape)):
            expected = x.copy() if axis is not None else x.ravel().copy()
            np.put_along_axis(expected, idx, values, axis if axis is not None else 0)
            assert_close(nm.put_along_axis(x, idx, values, axis), expected, 0)
    x = np.zeros((3, 2), np.int8)
    with pytest.raises(OverflowError):   # as NumPy's assignment of a Python int
        nm.put_along_axis(x, np.array([[1], [0], [0]]), 300, 1)
    wrapped = x.copy()
    np.put_along_axis(wrapped, np.array([[1], [0], [0]]), np.array(300), 1)
    assert_close(nm.put_along_axis(x, np.array([[1], [0], [0]]), np.array(300), 1), wrapped, 0)


def test_pad_special_modes():
    x = np.arange(6.0).reshape(2, 3)

    def pad_with(vector, pad_width, iaxis, kwargs):
        vector[:pad_width[0]] = kwargs.get("value", 10)
        vector[vector.size - pad_width[1]:] = -1

    assert_close(nm.pad(x, 2, pad_with, value=3), np.pad(x, 2, pad_with, value=3), 0)
    with pytest.raises(ConcretizationError):
        npaccel.jit(lambda x: nm.pad(x, 1, pad_with))(x)
    out = nm.pad(x, ((1, 2), (0, 1)), "empty")
    assert out.shape == (5, 4) and out.dtype == x.dtype
    assert_close(np.asarray(out)[1:3, :3], x, 0)
    same_many([("pad", (x, w), {"mode": "reflect"}) for w in ({0: 1}, {0: (1, 2), -1: 1})]
              + [("pad", (np.ones((0, 3)), ((0, 0), (1, 1))), {"mode": "edge"}),
                 ("pad", (np.arange(5, dtype=np.uint8), 3), {"mode": "reflect", "reflect_type": "odd"}),
                 ("pad", (np.array([1 + 2j, 3 - 1j, 2 + 5j]), 1), {"mode": "maximum"}),
                 ("pad", (np.array([1 + 2j, 3 - 1j, 2 + 5j]), 1), {"mode": "minimum"}),
                 ("pad", (np.array([1.0, np.nan, 3.0]), 1), {"mode": "median"}),
                 ("pad", (np.array([1, 2, 4, 7]), 2), {"mode": "median", "stat_length": 2}),
                 ("pad", (np.array([1, 2, 4, 8]), 2), {"mode": "mean", "stat_length": (3, 2)}),
                 ("pad", (np.array([True, False, True]), 2), {"mode": "reflect",
                                                              "reflect_type": "odd"}),
                 ("pad", (np.arange(4), 3), {"mode": "linear_ramp", "end_values": ((10, -2),)})])


# --- joining: dtypes and nesting -------------------------------------------------------------

def test_concatenate_promotion_and_casting():
    a = {np.dtype(d).name: _data((2, 2), d) for d in ALL}
    calls = [("concatenate", ([a[p], a[q]],), {}) for p in a for q in ("int8", "uint64",
                                                                       "float16", "complex64")]
    calls += [("concatenate", ([a["int64"], a["float64"]],), {"dtype": d, "casting": c})
              for d in (np.int8, np.float32, np.complex128, bool)
              for c in ("no", "equiv", "safe", "same_kind", "unsafe")]
    calls += [("concatenate", ([[1, 2], [2.5]],), {}), ("concatenate", (np.ones((2, 3)),), {}),
              ("stack", ([a["int8"], [[1, 2], [3, 4]]],), {"dtype": np.float32}),
              ("vstack", ([a["uint8"], a["int8"]],), {"dtype": np.int16}),
              ("hstack", ([a["float16"], a["bool"]],), {"casting": "safe"})]
    same_many(calls)


def test_block():
    a, b = np.ones((2, 2)), np.zeros((2, 3))
    same_many([("block", (arg,), {}) for arg in [
        [a, b], [[a, b], [b[:, :2], a]], [[[a]], [[a]]], [[1, 2], [3, 4]], 3, [1, [2]],
        [[a], a], (a, a), [], [[]], [[1, 2], [3]], [np.ones(3), np.arange(2.0)], [[a], [[a]]],
        [np.int8(1), 2.5], [[np.ones((1, 2, 2)), a]],
    ]])


# --- bad input: NumPy's exception classes ----------------------------------------------------

_X = np.arange(6).reshape(2, 3)

_ERRORS = [
    ("reshape", (_X, 3), {"order": "X"}), ("reshape", (_X, (-1, -1)), {}),
    ("reshape", (_X, (-2, 3)), {}), ("reshape", (np.ones(0), (0, -1)), {}), ("reshape", (_X, (4,)), {}),
    ("reshape", (_X, 2.0), {}), ("reshape", (_X, 6), {"order": "K"}), ("ravel", (_X, "X"), {}),
    ("transpose", (_X, (0,)), {}), ("transpose", (_X, (0, 0)), {}), ("transpose", (_X, (0, 5)), {}),
    ("moveaxis", (_X, (0, 1), 0), {}), ("moveaxis", (_X, (0, 0), (0, 1)), {}),
    ("moveaxis", (_X, 3, 0), {}), ("swapaxes", (_X, 0, 2), {}), ("squeeze", (_X, 0), {}),
    ("squeeze", (_X, 3), {}), ("expand_dims", (_X, (0, 0)), {}), ("expand_dims", (_X, 4), {}),
    ("broadcast_to", (_X, (-1, 3)), {}), ("broadcast_to", (_X, (3, 3)), {}),
    ("broadcast_to", (_X, 3), {}), ("broadcast_shapes", ((2, 3), (3, 3)), {}),
    ("broadcast_arrays", (_X, np.ones(2)), {}), ("matrix_transpose", (np.ones(3),), {}),
    ("rollaxis", (_X, 0, 3), {}), ("rollaxis", (_X, 0, -3), {}), ("rollaxis", (_X, 2), {}),
    ("concatenate", ([],), {}), ("concatenate", ([np.ones(()), np.ones(())],), {}),
    ("concatenate", ([_X, np.ones(3)],), {}), ("concatenate", ([_X, np.ones((2, 4))],), {}),
    ("concatenate", ([_X, _X],), {"axis": 2}), ("concatenate", ([_X, _X],), {"casting": "bogus"}),
    ("concatenate", ([_X.astype(np.int32), _X],), {"casting": "no"}),
    ("concatenate", ([_X, _X],), {"out": np.empty((4, 3)), "dtype": float}),
    ("concatenate", ([_X, 1.5 * _X],), {"dtype": int}), ("stack", ([],), {}),
    ("stack", ([_X, _X.T],), {}), ("stack", ([_X, _X],), {"axis": 3}), ("vstack", ([],), {}),
    ("hstack", ([],), {}), ("vstack", ((i for i in [_X]),), {}), ("dstack", ([],), {}),
    ("split", (_X, 4), {"axis": 1}), ("split", (_X, 2), {"axis": 2}), ("split", (_X, 0), {}),
    ("array_split", (_X, 0), {}), ("array_split", (_X, -1), {}), ("split", (_X, [1.5]), {}),
    ("hsplit", (np.ones(()), 1), {}), ("vsplit", (np.ones(3), 1), {}), ("dsplit", (_X, 1), {}),
    ("unstack", (np.ones(()),), {}), ("unstack", (_X,), {"axis": 2}),
    ("tile", (_X, -1), {}), ("tile", (_X, (2, -1)), {}), ("tile", (_X, 1.5), {}),
    ("repeat", (_X, -1), {}), ("repeat", (_X, [1, 2]), {"axis": 1}), ("repeat", (_X, [[1]]), {}),
    ("repeat", (_X, 2), {"axis": 2}), ("repeat", (_X, 1.5), {}), ("repeat", (_X, True), {}),
    ("fliplr", (np.ones(3),), {}), ("flipud", (np.ones(()),), {}), ("flip", (_X, 2), {}),
    ("flip", (_X, (0, 0)), {}), ("roll", (_X, [[1]], 0), {}), ("roll", (_X, 1, 2), {}),
    ("roll", (_X, 1.5), {}), ("roll", (np.ones(()), 2, 0), {}), ("roll", (_X, (1, 2, 3), (0, 1)), {}),
    ("rot90", (_X, 1, (0,)), {}), ("rot90", (_X, 1, (0, 0)), {}), ("rot90", (_X, 1, (0, 2)), {}),
    ("rot90", (_X, 1, (0, -2)), {}), ("rot90", (np.ones(3),), {}), ("rot90", (_X, 1, (0, 5)), {}),
    ("pad", (_X, -1), {}), ("pad", (_X, 1.5), {}), ("pad", (_X, ((1, 2), (3, 4), (5, 6))), {}),
    ("pad", (_X, 1), {"mode": "foo"}), ("pad", (_X, 1), {"mode": "edge", "constant_values": 3}),
    ("pad", (np.ones((0, 3)), 1), {"mode": "edge"}), ("pad", (_X, {0: 1.5}), {}),
    ("pad", (_X, 1), {"mode": "maximum", "stat_length": 0}), ("pad", (_X, [[1, 2, 3]]), {}),
    ("insert", (_X, 10, 1), {}), ("insert", (_X, [0, 10], 1), {}), ("insert", (_X, [[0]], 1), {}),
    ("insert", (_X, 1.5, 1), {}), ("insert", (_X, 1, [7, 8, 9]), {"axis": 1}),
    ("insert", (_X, 1, 1), {"axis": 2}), ("insert", (_X, np.array([True, False]), 1), {}),
    ("insert", (_X, [1.5, 2.5], 1), {}), ("delete", (_X, 7), {}),
    ("delete", (np.arange(4), [True, False]), {}), ("delete", (np.arange(4), [0, 5]), {}),
    ("delete", (np.arange(4), 1.5), {}), ("delete", (np.arange(4), [1.5]), {}),
    ("delete", (_X, 0), {"axis": 3}), ("resize", (_X, -1), {}), ("resize", (_X, (2, -1)), {}),
    ("take", (_X, 7), {}), ("take", (_X, [-7]), {}), ("take", (np.ones((0, 3)), 0), {"axis": 0}),
    ("take", (_X, 1), {"axis": 2}), ("take", (_X, 1), {"mode": "foo"}),
    ("take", (_X, 1), {"out": np.empty(())}),
    ("take_along_axis", (_X, np.array([0]), 0), {}), ("take_along_axis", (_X, np.array([[0.]]), 0), {}),
    ("take_along_axis", (_X, np.array([[5]]), 0), {}), ("take_along_axis", (_X, np.array([[0, 1]]), None), {}),
    ("take_along_axis", (_X, np.zeros((2, 2), int), 0), {}), ("take_along_axis", (_X, np.array([[0]]), 2), {}),
    ("take_along_axis", (np.ones((0, 3)), np.zeros((0, 3), int), 0), {}),
    ("take_along_axis", (np.ones((0, 3)), np.zeros((1, 3), int), 0), {}),
    ("take_along_axis", (np.ones((2, 0)), np.zeros((2, 0), int), 1), {}),
    ("put_along_axis", (_X, np.array([0]), 1, 0), {}), ("put_along_axis", (_X, np.array([[3]]), 1, 0), {}),
    ("choose", ([0, 2], [[1, 2], [3, 4]]), {}), ("choose", ([0, -1], [[1, 2], [3, 4]]), {}),
    ("choose", ([0.0, 1], [[1, 2], [3, 4]]), {}), ("choose", ([0, 1], [[1, 2], [3, 4]]), {"mode": "foo"}),
    ("choose", ([0, 1], [[1, 2, 3], [3, 4]]), {}),
    ("compress", ([True, False, True, True], [1, 2, 3]), {}), ("compress", ([[True]], [1, 2, 3]), {}),
    ("compress", ([True], _X), {"axis": 2}), ("select", ([], []), {}), ("select", ([True], [1, 2]), {}),
    ("select", ([1], [1]), {}), ("diagonal", (np.ones(3),), {}), ("diagonal", (_X, 0, 0, 0), {}),
    ("diagonal", (_X, 0, 0, 2), {}), ("trace", (np.ones(3),), {}), ("trace", (_X,), {"out": np.empty(())}),
    ("size", (_X, 3), {}), ("size", (_X, (0, 0)), {}),
]


@pytest.mark.parametrize("name,args,kwargs", _ERRORS, ids=lambda p: p if isinstance(p, str) else "")
def test_bad_input(name, args, kwargs):
    try:
        expected = getattr(np, name)(*args, **kwargs)
    except Exception as e:   # noqa: BLE001
        if "out" in kwargs and name != "concatenate":
            with pytest.raises(TypeError, match="out= is handled by npaccel.ndarray"):
                getattr(NA, name)(*args, **kwargs)
            return
        with pytest.raises(type(e)):
            getattr(NA, name)(*args, **kwargs)
        return
    if "out" in kwargs:   # NumPy wrote into `out`; npaccel leaves out= to its ndarray layer
        with pytest.raises(TypeError, match="out= is handled by npaccel.ndarray"):
            getattr(NA, name)(*args, **kwargs)
        return
    _assert_tree(getattr(NA, name)(*args, **kwargs), expected, 0, f"{name}{args}{kwargs}")


def test_shape_queries():
    for a in (_X, 3, [[1], [2]], np.ones((2, 0, 4)), nc.zeros((3, 1))):
        assert nm.shape(a) == np.shape(np.asarray(a))
        assert nm.ndim(a) == np.ndim(np.asarray(a))
        assert nm.size(a) == np.size(np.asarray(a))
        for axis in (0, -1, (0, -1)):
            if np.ndim(np.asarray(a)):
                assert nm.size(a, axis) == np.size(np.asarray(a), axis)
    assert nm.broadcast_shapes(3, (2, 1)) == np.broadcast_shapes(3, (2, 1))
    assert nm.broadcast_shapes() == ()
    shapes = npaccel.jit(lambda x: nc.full(nm.shape(x), nm.ndim(x) + nm.size(x, 1)))(_X)
    assert_close(shapes, np.full((2, 3), 5), 0)
