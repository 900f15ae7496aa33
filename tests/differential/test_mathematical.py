"""The native non-ufunc elementwise helpers against NumPy: npaccel/numpy/mathematical.py
(clip, around/round, fix, angle, real, imag, sinc, i0, interp, unwrap, nan_to_num,
real_if_close, isclose, allclose, array_equal, array_equiv, isreal, iscomplex, isrealobj,
iscomplexobj, isneginf, isposinf) and npaccel/numpy/bitwise.py (packbits, unpackbits).

Each family is a table of NumPy names and the keyword strategies each takes; every keyword
is drawn or left out, invalid values included, so exceptions are compared as well.
"""
import inspect
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.differential._differential import (
    _POOLS, arrays, broadcast_shapes, check, differential, dtypes, shapes)
from tests.differential.test_ufuncs import check_keywords

_FLOATS = st.sampled_from(_POOLS["f"] + [np.nan, np.inf, -np.inf])

# name: {keyword: strategy}; x is drawn over every dtype with the special values.
UNARY = {
    "angle": {"deg": st.booleans()},
    "around": {"decimals": st.integers(-2, 2)},
    "round": {"decimals": st.integers(-2, 2)},
    "fix": {}, "i0": {}, "sinc": {}, "real": {}, "imag": {},
    "isreal": {}, "iscomplex": {}, "isrealobj": {}, "iscomplexobj": {},
    "isneginf": {}, "isposinf": {},
    "nan_to_num": {"copy": st.booleans(), "nan": _FLOATS, "posinf": _FLOATS,
                   "neginf": st.sampled_from([None, -1, -2.5, np.inf])},
    "real_if_close": {"tol": st.sampled_from([100, 1000.0, 0.5, 1e-20])},
    "unwrap": {"discont": st.sampled_from([None, 1.0, 4, 0.5]), "axis": st.integers(-3, 2),
               "period": st.sampled_from([2 * math.pi, 4, 5.0, 360, 3])},
}

# name: {keyword: strategy}; two operands that broadcast (or not), often equal.
PAIRS = {
    "isclose": {"rtol": st.sampled_from([0, 1e-5, 0.5]), "atol": st.sampled_from([0, 1e-8, 1]),
                "equal_nan": st.booleans()},
    "allclose": {"rtol": st.sampled_from([0, 1e-5, 0.5]), "atol": st.sampled_from([0, 1e-8, 1]),
                 "equal_nan": st.booleans()},
    "array_equal": {"equal_nan": st.booleans()},
    "array_equiv": {},
}

COVERED = {f"numpy.{n}" for n in [*UNARY, *PAIRS, "clip", "interp", "packbits", "unpackbits"]}


def _has_out(name: str) -> bool:
    return "out" in inspect.signature(getattr(np, name)).parameters


@st.composite
def _keywords(draw, table: dict):
    return {k: draw(s) for k, s in table.items() if draw(st.booleans())}


@st.composite
def _out_for(draw, fun, args, kwargs):
    """An out array for NumPy's result of fun(*args, **kwargs), or None where NumPy
    raises. Its shape is the result's and its dtype one NumPy casts to ('same_kind'):
    npaccel's dispatch writes array functions' out= unsafely and broadcasts into any
    shape (reported)."""
    try:
        with np.errstate(all="ignore"):
            result = np.asarray(fun(*args, **kwargs))
    except Exception:  # noqa: BLE001 (the call itself compares the exception)
        return None
    dtype = draw(dtypes().filter(lambda d: np.can_cast(result.dtype, d, "same_kind")))
    return draw(arrays(dtype, result.shape))


@pytest.mark.parametrize("name", sorted(UNARY))
@differential
@given(data=st.data())
def test_unary(name, data):
    """NaN, ±inf, -0.0 and the integer limits; out= where the function has it."""
    fun = getattr(np, name)
    x = data.draw(arrays(specials=True))
    kwargs = data.draw(_keywords(UNARY[name]))
    if _has_out(name) and data.draw(st.booleans()):
        kwargs["out"] = data.draw(_out_for(fun, (x,), kwargs))
    if kwargs.get("out", 0) is None:
        del kwargs["out"]
    check_keywords(fun, x, **kwargs)


@st.composite
def _pair(draw):
    """(a, b): b often a's own values (in another dtype, or broadcast), else independent
    arrays or a Python scalar."""
    sa, sb = draw(broadcast_shapes(2))
    a = draw(arrays(shape=sa, specials=True))
    kind = draw(st.sampled_from(["same", "cast", "other", "scalar"]))
    if kind == "same":
        return a, a.copy()
    if kind == "cast":
        with np.errstate(all="ignore"):
            return a, a.astype(draw(dtypes()))
    if kind == "scalar":
        return a, draw(st.sampled_from([0, 1, -1.0, 2.5, np.nan, True, 1 + 1j]))
    return a, draw(arrays(shape=sb, specials=True))


@pytest.mark.parametrize("name", sorted(PAIRS))
@differential
@given(data=st.data())
def test_pair(name, data):
    a, b = data.draw(_pair())
    check(getattr(np, name), a, b, **data.draw(_keywords(PAIRS[name])))


@st.composite
def _bound(draw, shape: tuple):
    """A clip bound: None, a Python scalar, or an array of a related shape."""
    return draw(st.one_of(
        st.none(), st.sampled_from([0, -1, 2, 1.5, np.nan, 300, -2**40]),
        arrays(shape=draw(st.sampled_from([shape, shape[1:], ()])), kinds="biuf",
               specials=True)))


@differential
@given(data=st.data())
def test_clip(data):
    """Bounds positional, as min=/max=, both (ValueError) or one positional (TypeError);
    dtype= and out=."""
    x = data.draw(arrays(specials=True))
    lo, hi = data.draw(_bound(x.shape)), data.draw(_bound(x.shape))
    style = data.draw(st.sampled_from(["positional", "keywords", "both", "one"]))
    args, kwargs = {"positional": ((lo, hi), {}), "keywords": ((), {"min": lo, "max": hi}),
                    "both": ((lo, hi), {"min": lo}), "one": ((lo,), {})}[style]
    if data.draw(st.integers(0, 3)) == 0:
        kwargs["dtype"] = data.draw(dtypes())
    if data.draw(st.integers(0, 3)) == 0:
        out = data.draw(_out_for(np.clip, (x, *args), kwargs))
        kwargs.update({} if out is None else {"out": out})
    check_keywords(np.clip, x, *args, **kwargs)


@st.composite
def _sample_points(draw):
    """xp increasing (distinct pool values, sorted), fp of the same length (or not)."""
    n = draw(st.sampled_from([0, 1, 2, 4]))
    xp = np.array(sorted(draw(st.lists(st.sampled_from(_POOLS["f"] + [-np.inf, np.inf]),
                                       min_size=n, max_size=n, unique=True))))
    m = n if draw(st.integers(0, 4)) else draw(st.sampled_from([0, 1, 3]))
    fp = draw(arrays(draw(dtypes("biufc")), (m,), specials=True))
    return xp, fp


@differential
@given(data=st.data())
def test_interp(data):
    """Sample points with ±inf ends, fp real or complex with special values; left/right;
    period (0 raises)."""
    x = data.draw(arrays(kinds="biuf", specials=True))
    xp, fp = data.draw(_sample_points())
    kwargs = data.draw(_keywords({"left": st.sampled_from([None, -7.0, np.nan, 1 + 2j]),
                                  "right": st.sampled_from([None, 9.0, np.inf]),
                                  "period": st.sampled_from([None, 4.0, 360, 0])}))
    check(np.interp, x, xp, fp, **kwargs)


_AXIS = st.one_of(st.none(), st.integers(-3, 2))
_BITORDER = st.sampled_from(["big", "little", "middle"])


@differential
@given(data=st.data())
def test_packbits(data):
    x = data.draw(arrays(data.draw(dtypes("biuf"))))
    check(np.packbits, x, **data.draw(_keywords({"axis": _AXIS, "bitorder": _BITORDER})))


@differential
@given(data=st.data())
def test_unpackbits(data):
    dtype = data.draw(st.one_of(st.just(np.dtype(np.uint8)), dtypes("biu")))
    x = data.draw(arrays(dtype, data.draw(shapes()), specials=True))
    kwargs = data.draw(_keywords({"axis": _AXIS, "bitorder": _BITORDER,
                                  "count": st.sampled_from([None, 0, 3, 8, 20, -3, -30])}))
    check(np.unpackbits, x, **kwargs)
