"""Pytrees (tuples, lists, dicts, None, namedtuples and registered classes), on optree.

The API mirrors `jax.tree_util`. Registrations live in optree's "npaccel" namespace so they
never clash with other libraries in the same process.
"""
from __future__ import annotations

from typing import Any, Callable

import optree

_NS = "npaccel"

PyTreeDef = optree.PyTreeSpec


def tree_flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None):
    return optree.tree_flatten(tree, is_leaf, none_is_leaf=False, namespace=_NS)


def tree_unflatten(treedef: PyTreeDef, leaves) -> Any:
    return treedef.unflatten(leaves)


def tree_leaves(tree: Any, is_leaf=None) -> list:
    return optree.tree_leaves(tree, is_leaf, none_is_leaf=False, namespace=_NS)


def tree_structure(tree: Any, is_leaf=None) -> PyTreeDef:
    return optree.tree_structure(tree, is_leaf, none_is_leaf=False, namespace=_NS)


def tree_map(f: Callable, tree: Any, *rest: Any, is_leaf=None) -> Any:
    return optree.tree_map(f, tree, *rest, is_leaf=is_leaf, none_is_leaf=False, namespace=_NS)


def treedef_children(treedef: PyTreeDef) -> list[PyTreeDef]:
    return treedef.children()


def register_pytree_node(cls: type, flatten_func: Callable, unflatten_func: Callable) -> type:
    """`flatten_func(x) -> (children, aux)`, `unflatten_func(aux, children) -> x`."""
    optree.register_pytree_node(cls, flatten_func, unflatten_func, namespace=_NS)
    return cls


def register_pytree_node_class(cls: type) -> type:
    """Class decorator: `cls.tree_flatten(self)` and `cls.tree_unflatten(aux, children)`."""
    return register_pytree_node(cls, lambda x: x.tree_flatten(), cls.tree_unflatten)


def _holds_value(x) -> bool:
    return hasattr(x, "__npaccel_value__")


def flatten_fun_output(f: Callable, in_tree: PyTreeDef, unwrap_holders: bool = False):
    """Wrap `f(*tree) -> tree` as `flat_f(*leaves) -> leaves`; the output tree is stored
    in `flat_f.out_tree()` after a call. With `unwrap_holders`, objects holding one array
    (npaccel.ndarray) count as plain leaves, so their structure matches a plain array's."""
    store: list[PyTreeDef] = []

    def flat_f(*leaves):
        args = tree_unflatten(in_tree, leaves)
        out = f(*args)
        if unwrap_holders:
            out = tree_map(lambda x: x.__npaccel_value__() if _holds_value(x) else x, out,
                           is_leaf=_holds_value)
        out_leaves, out_tree = tree_flatten(out)
        store[:] = [out_tree]
        return out_leaves

    flat_f.out_tree = lambda: store[0]
    return flat_f


def broadcast_prefix(prefix: Any, tree: Any) -> list:
    """The leaves of `prefix` repeated over the leaves of `tree` that they cover (None in
    `prefix` is a leaf, as in vmap's in_axes; None in `tree` is an empty node)."""
    result: list = []

    def add(p, subtree):
        result.extend([p] * tree_structure(subtree).num_leaves)

    optree.tree_map(add, prefix, tree, is_leaf=lambda x: x is None, none_is_leaf=False,
                    namespace=_NS)
    return result
