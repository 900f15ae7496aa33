"""NumPy's input/output and printing routines for npaccel arrays: data are brought to the
host once and handed to NumPy (these are host-side operations by nature); loaded arrays
go to the device."""
from __future__ import annotations

import numpy as np

from npaccel.numpy import _core


def _host(x):
    if _core.is_value(x) or hasattr(x, "__npaccel_value__"):
        return np.asarray(_core.asvalue(x))
    return x


def array2string(a, *args, **kwargs) -> str:
    return np.array2string(_host(a), *args, **kwargs)


def array_repr(arr, *args, **kwargs) -> str:
    return np.array_repr(_host(arr), *args, **kwargs)


def array_str(a, *args, **kwargs) -> str:
    return np.array_str(_host(a), *args, **kwargs)


def format_float_positional(x, *args, **kwargs) -> str:
    return np.format_float_positional(_host(x), *args, **kwargs)


def format_float_scientific(x, *args, **kwargs) -> str:
    return np.format_float_scientific(_host(x), *args, **kwargs)


def base_repr(number, base=2, padding=0) -> str:
    return np.base_repr(int(_host(number)), base, padding)


def binary_repr(num, width=None) -> str:
    return np.binary_repr(int(_host(num)), width)


def save(file, arr, allow_pickle=True):
    np.save(file, _host(arr), allow_pickle=allow_pickle)


def savez(file, *args, allow_pickle=True, **kwds):
    np.savez(file, *map(_host, args), allow_pickle=allow_pickle,
             **{k: _host(v) for k, v in kwds.items()})


def savez_compressed(file, *args, allow_pickle=True, **kwds):
    np.savez_compressed(file, *map(_host, args), allow_pickle=allow_pickle,
                        **{k: _host(v) for k, v in kwds.items()})


def savetxt(fname, X, *args, **kwargs):
    np.savetxt(fname, _host(X), *args, **kwargs)


def _device(x):
    return _core.asvalue(x) if isinstance(x, np.ndarray) and x.dtype.kind in "biufc" else x


def load(file, *args, **kwargs):
    out = np.load(file, *args, **kwargs)
    return _device(out) if isinstance(out, np.ndarray) else out


def loadtxt(fname, *args, **kwargs):
    return _device(np.loadtxt(fname, *args, **kwargs))


def genfromtxt(fname, *args, **kwargs):
    return _device(np.genfromtxt(fname, *args, **kwargs))


def fromfile(file, *args, **kwargs):
    return _device(np.fromfile(file, *args, **kwargs))


def fromregex(file, regexp, dtype, encoding=None):
    return _device(np.fromregex(file, regexp, dtype, encoding))


def from_dlpack(x, /, *, device=None, copy=None):
    """An array from any DLPack producer (copied to the device)."""
    return _core.asvalue(np.from_dlpack(x))
