"""Hot call signatures run as one compiled executable.

Eagerly, a NumPy function on npaccel arrays runs its lax primitives one at a time: each is
a cached executable, but the Python around them (type resolution, broadcasting, a dozen
primitives for `np.std`) costs 50-400 µs a call. A call signature — the implementation, its
non-array arguments, the shapes and dtypes of its arrays — that has run eagerly
`NPACCEL_HOT_CALLS` times (default 3; 0 turns this off) is traced once and compiled, and
later calls run that one executable. Signatures seen once or twice, as in test suites with
ever-new shapes, stay eager: a compile costs 25-300 ms and would not pay back. Functions
that cannot be traced (value-dependent output shapes, host results) stay eager too.
"""
from __future__ import annotations

import os
from collections import OrderedDict

import numpy as np

from npaccel.core import tree_util
from npaccel.core.dtypes import SUPPORTED
from npaccel.core.trace import ConcretizationError, Tracer, get_aval
from npaccel.dispatch.ndarray import ndarray
from npaccel.transforms.array import Array

HOT_CALLS = int(os.environ.get("NPACCEL_HOT_CALLS", "3"))
_MAX_LEAVES = 32
_MAX_ENTRIES = 2048
_ARRAY = object()   # marks where a dynamic (array) argument sits among the leaves
_STATIC_TYPES = (bool, int, float, complex, str, bytes, type(None), type(Ellipsis),
                 np.dtype, np.generic, type)


class _Entry:
    __slots__ = ("calls", "compiled", "failed")

    def __init__(self):
        self.calls, self.compiled, self.failed = 0, None, False


_entries: OrderedDict = OrderedDict()


def _signature(impl, args, kwargs):
    """(key, arrays, treedef, leaves), or None when the call has traced or unhashable
    arguments (it then simply runs eagerly)."""
    leaves, treedef = tree_util.tree_flatten((args, kwargs),
                                             is_leaf=lambda x: isinstance(x, ndarray))
    if len(leaves) > _MAX_LEAVES:
        return None
    arrays, parts = [], []
    for i, leaf in enumerate(leaves):
        value = leaf.__npaccel_value__() if isinstance(leaf, ndarray) else leaf
        if isinstance(value, Array) or (isinstance(value, np.ndarray)
                                        and value.dtype in SUPPORTED):
            aval = get_aval(value)
            arrays.append(value)
            parts.append((aval.shape, aval.dtype, aval.weak_type))
            leaves[i] = _ARRAY
        elif isinstance(value, _STATIC_TYPES) and not isinstance(value, Tracer):
            parts.append((type(value), value))
        else:
            return None
    key = (impl, treedef, tuple(parts))
    try:
        hash(key)
    except TypeError:
        return None
    return key, arrays, treedef, leaves


def _rebuilding(impl, treedef, leaves):
    from npaccel.transforms.jit import jit

    def run(*arrays):
        it = iter(arrays)
        args, kwargs = tree_util.tree_unflatten(
            treedef, [next(it) if leaf is _ARRAY else leaf for leaf in leaves])
        return impl(*args, **kwargs)
    return jit(run)


def _entry(key) -> _Entry:
    entry = _entries.get(key)
    if entry is None:
        entry = _entries[key] = _Entry()
        if len(_entries) > _MAX_ENTRIES:
            _entries.popitem(last=False)
    return entry


def call(impl, args, kwargs):
    """`impl(*args, **kwargs)`, compiled once its signature is hot."""
    signature = _signature(impl, args, kwargs) if HOT_CALLS > 0 else None
    if signature is None:
        return impl(*args, **kwargs)
    key, arrays, treedef, leaves = signature
    entry = _entry(key)
    if entry.compiled is None:
        if entry.failed or entry.calls < HOT_CALLS:
            result = impl(*args, **kwargs)
            entry.calls += 1          # counted only when the eager call succeeded
            return result
        entry.compiled = _rebuilding(impl, treedef, leaves)
        # The first call traces. A trace that met a ConcretizationError (raised, or caught
        # to take a value-independent path) would not do what the eager calls did.
        made = ConcretizationError.made
        try:
            result = entry.compiled(*arrays)
        except Exception:  # noqa: BLE001 (not traceable: value-dependent shapes, host results)
            result = None
        if result is None or ConcretizationError.made != made:
            entry.compiled, entry.failed = None, True
            return impl(*args, **kwargs)
        return result
    return entry.compiled(*arrays)
