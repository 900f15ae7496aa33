"""Local additions to the shared harness (_differential.py) for the manipulation,
creation, indexing and utilities tests.

`check_native`: for the callables NumPy does not dispatch to npaccel (they take no
array, or are plain Python functions that never reach `__array_function__`), compare
npaccel.numpy's own implementation, called directly, with NumPy's function. The result is
wrapped as the dispatch layer wraps it, so the comparison is `check`'s."""
import warnings

import numpy as np
import pytest

import npaccel.numpy as npn
from npaccel.dispatch import protocols
from tests.differential._differential import assert_same, to_npaccel
from tests.numpy._against_numpy import expected_exception


def check_native(name: str, *args, tol: float | None = None, **kwargs):
    """np.<name>(*args, **kwargs) against npaccel.numpy.<name> on npaccel arrays."""
    where = f"npaccel.numpy.{name} args={args!r} kwargs={kwargs!r}"
    impl = getattr(npn, name)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = getattr(np, name)(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 (whatever NumPy raises is the spec)
            with pytest.raises(expected_exception(e)):
                impl(*to_npaccel(args), **to_npaccel(kwargs))
            return None
        actual = protocols.wrap(impl(*to_npaccel(args), **to_npaccel(kwargs)))
    assert_same(actual, expected, tol, where)
    return expected


def undefined_cast(x, dtype) -> bool:
    """Whether casting x to `dtype` turns a NaN, an infinity or an out-of-range float into an
    integer: undefined in C, so NumPy's answer is the platform's (x86 wraps -2.5 to 254 in
    uint8; XLA saturates to 0). Tests leave such inputs out."""
    dtype = np.dtype(dtype)
    values = np.real(np.asarray(x))
    if dtype.kind not in "iu" or values.dtype.kind not in "fc" or values.size == 0:
        return False
    info = np.iinfo(dtype)
    with np.errstate(all="ignore"):
        whole = np.trunc(values.astype(np.float64))
        return bool(~np.isfinite(whole).all() or (whole < info.min).any()
                    or (whole > info.max).any())
