"""Every NumPy ufunc against NumPy: `__call__` (special values, mixed dtypes, weak Python
scalars, dtype=/casting=/out=/where=) and every method NumPy defines for it (reduce,
accumulate, reduceat, outer, at).

The tables come from the ufuncs themselves (`nin`, `nout`, `signature`, `types`), not from
hand lists: a ufunc's dtypes are its loops' input dtypes (float-only, integer-only and
bool loops follow), plus now and then any dtype, so that NumPy's TypeErrors are compared
too. Methods NumPy refuses for a ufunc (reduce of a unary ufunc, at of divmod, ...) are in
the tables as well: their cases compare the exception.

Hypothesis derandomizes by test function, not by parameter: every ufunc of a table sees the
same draws (of its own dtypes), which keeps the number of XLA compilations down.
"""
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness import default_tol
from tests.differential._differential import (
    DTYPES, arrays, broadcast_shapes, check, differential, dtypes, shapes)

NAMES = sorted(n for n in dir(np) if isinstance(getattr(np, n), np.ufunc))
# Aliases (np.abs is np.absolute, np.pow is np.power, ...) are the same objects, so the
# same calls: the tests run each ufunc once, under its own name; COVERED has every name.
UFUNCS = sorted({getattr(np, n).__name__ for n in NAMES})


def _u(name: str) -> np.ufunc:
    return getattr(np, name)


GUFUNCS = [n for n in UFUNCS if _u(n).signature]
ELEMENTWISE = [n for n in UFUNCS if not _u(n).signature]
# reduce, accumulate and reduceat are defined (NumPy raises for the others) for these:
REDUCIBLE = [n for n in UFUNCS if _u(n).nin == 2 and _u(n).nout == 1]
BINARY = [n for n in UFUNCS if _u(n).nin == 2]


def _methods(name: str) -> list[str]:
    u = _u(name)
    return (["at"] + (["outer"] if u.nin == 2 else [])
            + (["reduce", "accumulate", "reduceat"] if u.nin == 2 and u.nout == 1 else []))


COVERED = {f"numpy.{n}" for n in NAMES} | {f"numpy.{n}.{m}" for n in NAMES for m in _methods(n)}

_BY_CHAR = {d.char: d for d in DTYPES}


def _loop_dtypes(name: str, position: int) -> list[np.dtype]:
    """The harness dtypes of the ufunc's loops at input `position` (empty for isnat)."""
    chars = {t.split("->")[0][position] for t in _u(name).types}
    return [d for d in DTYPES if d.char in chars]


def _dtype_for(name: str, position: int = 0):
    """Mostly a dtype the ufunc has a loop for, sometimes any (to compare TypeErrors)."""
    loops = _loop_dtypes(name, position)
    return st.one_of(st.sampled_from(loops), dtypes()) if loops else dtypes()


# Weak Python scalars (NEP 50), including ints beyond small integer types (OverflowError,
# or NumPy 2's exact comparisons) and the float specials.
_SCALARS = [0, 1, -1, 3, 300, -129, 2**40, 0.5, -2.5, float("nan"), float("inf"), -0.0,
            True, False, 1.5 - 2j]


def _absent():
    return st.just(None)


@st.composite
def _operands(draw, name: str, specials: bool = True):
    """The ufunc's inputs: broadcasting arrays of its loops' dtypes; for binary ufuncs,
    sometimes one a Python scalar."""
    u = _u(name)
    args = [draw(arrays(draw(_dtype_for(name, i)), s, specials=specials))
            for i, s in enumerate(draw(broadcast_shapes(u.nin)))]
    if u.nin == 2 and draw(st.integers(0, 3)) == 0:
        args[draw(st.integers(0, 1))] = draw(st.sampled_from(_SCALARS))
    return args


def _defined_cast(x: np.ndarray, dtype) -> bool:
    """Whether NumPy's unsafe cast of x's values to `dtype` is defined: float to integer
    is C undefined behaviour for NaN, ±inf and values beyond the target's range (negative
    ones for unsigned targets), where NumPy gives whatever the platform gives."""
    if x.dtype.kind not in "fc" or np.dtype(dtype).kind not in "iu":
        return True
    values = np.concatenate([x.real.ravel(), x.imag.ravel()]).astype(np.float64)
    info = np.iinfo(dtype)
    return bool(np.all((values > info.min - 1) & (values < info.max + 1)))


def _broadcast_shape(args) -> tuple:
    try:
        return np.broadcast_shapes(*[np.shape(a) for a in args])
    except ValueError:
        return np.shape(args[0])


# --- __call__ ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ELEMENTWISE)
@differential
@given(data=st.data())
def test_call(name, data):
    """Values with NaN, ±inf, -0.0 and the integer limits; mixed dtypes; Python scalars."""
    check(_u(name), *data.draw(_operands(name)))


def call_with(fun, nargs: int, keys, outputs: bool = False):
    """fun(*args[:nargs], **dict(zip(keys, args[nargs:]))). Keyword values travel as
    arguments of `check`, so each side gets its own (npaccel arrays on its side), and
    `where=` does not collide with check's own `where` parameter. An `out` is copied
    first (check runs NumPy before converting the arguments: NumPy's writes must not reach
    the arrays the npaccel side starts from); with `outputs` the result comes back with
    the out arrays, so the comparison sees the values written."""
    keys = tuple(keys)

    def run(*args):
        kwargs = dict(zip(keys, args[nargs:]))
        if "out" in kwargs:
            out = kwargs["out"]
            kwargs["out"] = tuple(o.copy() for o in out) if isinstance(out, tuple) else out.copy()
        result = fun(*args[:nargs], **kwargs)
        return (result, kwargs["out"]) if outputs else result
    run.__name__ = getattr(fun, "__name__", "fun")
    return run


def check_keywords(fun, *args, tol=None, **kwargs):
    """check(fun, *args, **kwargs) with the keywords passed through `call_with`."""
    return check(call_with(fun, len(args), kwargs, outputs="out" in kwargs),
                 *args, *kwargs.values(), tol=tol)


@st.composite
def _call_keywords(draw, name: str):
    """dtype= and casting= (valid or not), and out= arrays with a where= mask or not."""
    u = _u(name)
    kwargs = {}
    out_dtypes = [d for d in DTYPES if d.char in {t[-1] for t in u.types}]
    dtype = draw(st.one_of(_absent(), st.sampled_from(out_dtypes or list(DTYPES))))
    if dtype is not None:
        kwargs["dtype"] = dtype
    casting = draw(st.sampled_from([None, "no", "equiv", "safe", "same_kind", "unsafe"]))
    if casting is not None:
        kwargs["casting"] = casting
    return kwargs


@st.composite
def _outs(draw, name: str, shape: tuple, specials: bool = True):
    """out arrays of the broadcast shape (now and then another) and of the ufunc's output
    loop dtypes or any."""
    u = _u(name)
    out_dtypes = [d for d in DTYPES if d.char in {t[-1] for t in u.types}] or list(DTYPES)
    shape = draw(st.one_of(st.just(shape), st.just(shape), shapes()))
    return [draw(arrays(draw(st.one_of(st.sampled_from(out_dtypes), dtypes())), shape,
                        specials=specials)) for _ in range(u.nout)]


@st.composite
def _where(draw, shape: tuple):
    """A where= mask: a Python bool, or a bool array broadcasting to `shape` (or not)."""
    related = [shape[i:] for i in range(len(shape) + 1)]
    mask_shape = draw(st.one_of(st.sampled_from(related), shapes()))
    return draw(st.one_of(st.booleans(), arrays(np.bool_, mask_shape)))


@pytest.mark.parametrize("name", ELEMENTWISE)
@differential
@given(data=st.data())
def test_call_keywords(name, data):
    """dtype=, casting=, out= (one array per output) and where= with out=: where= alone
    leaves NumPy's output uninitialised where the mask is False, so it goes with out=."""
    u = _u(name)
    args = data.draw(_operands(name, specials=False))
    kwargs = data.draw(_call_keywords(name))
    if not all(_defined_cast(a, kwargs.get("dtype", a.dtype)) for a in args
               if isinstance(a, np.ndarray)):
        del kwargs["dtype"]
    results = _results(u, args, kwargs)
    # (no out= where NumPy raises without it: npaccel's dispatch checks the out cast after
    # computing, NumPy before, so the exception classes could differ; reported)
    mode = data.draw(st.sampled_from(["plain", "out", "where"])) if results else "plain"
    tol = None
    if mode != "plain":
        outs = data.draw(_outs(name, results[0].shape, specials=False))
        outs = _fitting_outs(outs, results, kwargs.get("casting") or "same_kind")
        kwargs["out"] = tuple(outs) if len(outs) > 1 else outs[0]
        # (computed in the loop's dtype: its tolerance, not the out array's)
        tol = max(default_tol(r.dtype) for r in results)
    if mode == "where":
        kwargs["where"] = data.draw(_where(results[0].shape))
    check_keywords(u, *args, tol=tol, **kwargs)


def _results(u, args, kwargs) -> tuple | None:
    """NumPy's results of the call (a tuple of arrays), or None if it raises."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = u(*args, **kwargs)
    except Exception:  # noqa: BLE001 (the call itself compares the exception)
        return None
    return tuple(np.asarray(r) for r in (results if isinstance(results, tuple) else (results,)))


def _fitting_outs(outs, results, casting: str) -> list[np.ndarray]:
    """The out arrays, or ones NumPy's answer is defined for: of the result's dtype where
    the unsafe cast of the values would be undefined, of the results' shapes where a cast
    is refused (NumPy reports the cast first, npaccel the shape; reported)."""
    outs = [o if _defined_cast(r, o.dtype) else o.astype(r.dtype) for o, r in zip(outs, results)]
    if not all(np.can_cast(r.dtype, o.dtype, casting) for o, r in zip(outs, results)):
        outs = [np.zeros(r.shape, o.dtype) for o, r in zip(outs, results)]
    return outs


@st.composite
def _gufunc_operands(draw, name: str):
    """Operands of matmul/vecdot/matvec/vecmat: pool shapes whose core dimensions agree
    often enough (and sometimes do not)."""
    return [draw(arrays(draw(_dtype_for(name, i)), draw(shapes(min_ndim=1)))) for i in range(2)]


@pytest.mark.parametrize("name", GUFUNCS)
@differential
@given(data=st.data())
def test_gufunc_call(name, data):
    """The generalized ufuncs with dtype=/casting=, out= of NumPy's result shape, where=
    (refused by NumPy)."""
    u = _u(name)
    args = data.draw(_gufunc_operands(name))
    kwargs = data.draw(_call_keywords(name))
    mode = data.draw(st.sampled_from(["plain", "out", "where"]))
    if mode == "where":
        kwargs["where"] = True
    if mode == "out":
        try:
            shape = u(*args).shape
        except (ValueError, TypeError):
            # Core dimensions that do not match: no out= (npaccel's dispatch checks the out
            # cast after computing, NumPy before; reported).
            shape = None
        if shape is not None:
            kwargs["out"] = data.draw(_outs(name, shape, specials=False))[0]
    check_keywords(u, *args, **kwargs)


# --- reduce, accumulate, reduceat ------------------------------------------------------------

@st.composite
def _axes(draw, ndim: int):
    """axis= for reduce: None, an int (out of range too) or a tuple (duplicates too)."""
    one = st.integers(-ndim - 1, ndim)
    return draw(st.one_of(st.none(), one, st.lists(one, max_size=3).map(tuple)))


@st.composite
def _reduce_keywords(draw, name: str, x: np.ndarray):
    kwargs = {}
    if draw(st.booleans()):
        kwargs["axis"] = draw(_axes(x.ndim))
    if draw(st.booleans()):
        kwargs["keepdims"] = draw(st.booleans())
    if draw(st.booleans()):
        kwargs["initial"] = draw(st.sampled_from([None, 0, 1, -1, 3, 0.5, True]))
    if draw(st.integers(0, 2)) == 0:
        kwargs["where"] = draw(_where(x.shape))
    if draw(st.integers(0, 2)) == 0:
        kwargs["dtype"] = draw(dtypes().filter(lambda d: _defined_cast(x, d)))
    return kwargs


@pytest.mark.parametrize("name", REDUCIBLE)
@differential
@given(data=st.data())
def test_reduce(name, data):
    x = data.draw(arrays(data.draw(_dtype_for(name)), specials=True))
    check_keywords(_u(name).reduce, x, **data.draw(_reduce_keywords(name, x)))


@pytest.mark.parametrize("name", REDUCIBLE)
@differential
@given(data=st.data())
def test_accumulate(name, data):
    x = data.draw(arrays(data.draw(_dtype_for(name)), specials=True))
    kwargs = {}
    if data.draw(st.booleans()):
        kwargs["axis"] = data.draw(st.one_of(st.none(), st.integers(-x.ndim - 1, x.ndim)))
    if data.draw(st.integers(0, 2)) == 0:
        kwargs["dtype"] = data.draw(dtypes().filter(lambda d: _defined_cast(x, d)))
    check_keywords(_u(name).accumulate, x, **kwargs)


@pytest.mark.parametrize("name", REDUCIBLE)
@differential
@given(data=st.data())
def test_reduceat(name, data):
    """Indices increasing, decreasing or repeated (one-element segments), and out of
    range (IndexError); as an array or a list."""
    x = data.draw(arrays(data.draw(_dtype_for(name)), specials=True))
    axis = data.draw(st.integers(-x.ndim - 1, x.ndim)) if x.ndim else 0
    n = x.shape[axis] if -x.ndim <= axis < x.ndim else 1
    indices = data.draw(st.lists(st.integers(-1, n), max_size=4))
    if data.draw(st.booleans()):
        indices = np.array(indices, dtype=np.intp)
    check_keywords(_u(name).reduceat, x, indices, axis=axis)


# --- outer and at --------------------------------------------------------------------------

@pytest.mark.parametrize("name", BINARY)
@differential
@given(data=st.data())
def test_outer(name, data):
    a = data.draw(arrays(data.draw(_dtype_for(name, 0)), data.draw(shapes(max_ndim=2))))
    b = data.draw(arrays(data.draw(_dtype_for(name, 1)), data.draw(shapes(max_ndim=2))))
    check(_u(name).outer, a, b)


def _at(ufunc):
    """ufunc.at on a copy of `a` (each side its own), returning the mutated array."""
    def run(a, *rest):
        a = a.copy()
        ufunc.at(a, *rest)
        return a
    run.__name__ = f"{ufunc.__name__}.at"
    return run


@st.composite
def _at_indices(draw, shape: tuple):
    """Integer indices into the first axis with repeats (out of range too), a tuple of
    them for every axis, or a slice."""
    if not shape:
        return ()
    first = st.lists(st.integers(-shape[0] - 1, shape[0]), max_size=5)
    kind = draw(st.sampled_from(["first", "first", "all", "slice"]))
    if kind == "slice":
        return slice(None, None, draw(st.sampled_from([1, 2, -1])))
    if kind == "first":
        return np.array(draw(first), dtype=np.intp)
    size = draw(st.integers(0, 4))
    return tuple(np.array(draw(st.lists(st.integers(-n, n - 1) if n else st.just(0),
                                        min_size=size, max_size=size)), dtype=np.intp)
                 for n in shape)


@pytest.mark.parametrize("name", UFUNCS)
@differential
@given(data=st.data())
def test_at(name, data):
    """In place on an npaccel array: the mutated arrays must agree; repeated indices apply
    repeatedly."""
    u = _u(name)
    dtype = data.draw(_dtype_for(name, 0).filter(lambda d: not _inexact_into_integers(u, d)))
    a = data.draw(arrays(dtype, data.draw(shapes(min_ndim=0))))
    indices = data.draw(_at_indices(a.shape))
    rest = [indices]
    if u.nin == 2:
        picked = np.empty(a.shape)[indices].shape if _valid(a.shape, indices) else ()
        b_shape = data.draw(st.sampled_from([(), picked, picked[1:]]))
        b = data.draw(st.one_of(arrays(data.draw(_dtype_for(name, 1)), b_shape),
                                st.sampled_from(_SCALARS[:9])))
        rest.append(b)
    check(_at(u), a, *rest)


def _inexact_into_integers(u: np.ufunc, dtype: np.dtype) -> bool:
    """Whether ufunc.at on an integer array of `dtype` computes in floats and casts back,
    which is C undefined behaviour for NaN and out-of-range values (NumPy gives the
    platform's answer: arccos.at on int32 -3 gives INT_MIN)."""
    try:
        loop = u.resolve_dtypes((dtype,) * u.nin + (None,) * u.nout)
    except TypeError:
        return False
    return dtype.kind in "biu" and loop[-1].kind in "fc"


def _valid(shape, indices) -> bool:
    try:
        np.empty(shape)[indices]
    except IndexError:
        return False
    return True


# --- complex special values ----------------------------------------------------------------

_PARTS = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan]
COMPLEX_UNARY = [n for n in ELEMENTWISE if _u(n).nin == 1 and np.dtype(np.complex128) in _loop_dtypes(n, 0)]
COMPLEX_BINARY = ["add", "subtract", "multiply", "divide", "power", "float_power"]
# NumPy's complex power takes integer exponents by repeated multiplication and the others
# by libm's cpow (C99 multiplication and all); npaccel's is XLA's exp(y log x).
_POWER_XFAIL = pytest.mark.xfail(strict=True, reason=(
    "complex power at infinite/NaN parts (npy_cpow), and zero signs of integer powers"))
_BINARY_PARAMS = [pytest.param(n, marks=_POWER_XFAIL) if "power" in n else n
                  for n in COMPLEX_BINARY]


def _complex_grid(parts, dtype) -> np.ndarray:
    return np.array([complex(a, b) for a in parts for b in parts], dtype=dtype)


def _with_zero_signs(fun):
    """fun's result, and where its parts are zeros with the sign bit set (NaN signs are
    not NumPy's to keep, zero signs are: C99 Annex G and libm fix them)."""
    def run(*args):
        w = fun(*args)
        return (w,) + tuple(np.signbit(p) & (p == 0) for p in (np.real(w), np.imag(w)))
    run.__name__ = fun.__name__
    return run


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("name", COMPLEX_UNARY)
def test_complex_special_values(name, dtype):
    """Every part from {±0, ±1, ±inf, NaN}: C99 Annex G values and zero signs, as NumPy."""
    check(_with_zero_signs(_u(name)), _complex_grid(_PARTS, dtype))


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("name", _BINARY_PARAMS)
def test_complex_special_values_binary(name, dtype):
    z = _complex_grid([0.0, 1.0, -1.0, np.inf, -np.inf, np.nan], dtype)
    check(_with_zero_signs(_u(name)), z[:, None], z[None, :])
