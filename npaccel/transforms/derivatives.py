"""The public differentiation API on pytrees: jvp, linearize, vjp, grad, value_and_grad,
jacfwd, jacrev, hessian."""
from __future__ import annotations

from functools import partial, wraps
from typing import Any, Callable, Sequence

import numpy as np

from npaccel.core import dtypes, tree_util
from npaccel.core.aval import ShapedArray
from npaccel.core.jaxpr import eval_jaxpr
from npaccel.core.trace import get_aval
from npaccel.transforms import ops
from npaccel.transforms.ad import Zero, instantiate, jvp_flat, tangent_aval
from npaccel.transforms.transpose import linearize_flat, vjp_flat


def _check_tangent(p, t):
    pa, ta = get_aval(p), get_aval(t)
    want = dtypes.tangent_dtype(pa.dtype)
    if pa.shape != ta.shape or (ta.dtype != want and not (want == dtypes.float0)):
        raise ValueError(f"primal and tangent arguments to jvp must have the same shape and "
                         f"a matching tangent dtype; got primal {pa.str_short()} and "
                         f"tangent {ta.str_short()} (expected dtype {want})")


def _flatten_fun(fun: Callable, in_tree, has_aux: bool):
    """`flat_f(*leaves)` -> output leaves, or (output leaves, aux leaves) with `has_aux`;
    after a call, `flat_f.trees()` is (out_tree, aux_tree or None)."""
    if not has_aux:
        flat = tree_util.flatten_fun_output(fun, in_tree)
        flat.trees = lambda: (flat.out_tree(), None)
        return flat

    def pair(*args):
        out = fun(*args)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError("a function with has_aux=True must return a pair (output, aux)")
        return out

    flat = tree_util.flatten_fun_output(pair, in_tree)

    def flat_f(*leaves):
        leaves_out = flat(*leaves)
        n = flat.out_tree().children()[0].num_leaves
        return leaves_out[:n], leaves_out[n:]

    flat_f.trees = lambda: tuple(flat.out_tree().children())
    return flat_f


def _as_tangent_of(t, aval, what: str):
    """`t` checked as a (co)tangent of a value of `aval`: the same shape and the tangent
    dtype (a weak Python scalar is cast to it; anything goes where that dtype is float0)."""
    want, t_aval = dtypes.tangent_dtype(aval.dtype), get_aval(t)
    if want == dtypes.float0 or t_aval.dtype == want and t_aval.shape == aval.shape:
        return t
    if t_aval.weak_type and t_aval.shape == aval.shape:
        return ops.convert(t, want)
    raise ValueError(f"a {what} of type {t_aval.str_short()} was given for a value of type "
                     f"{aval.str_short()}; expected {ShapedArray(aval.shape, want).str_short()}")


def jvp(fun: Callable, primals: Sequence, tangents: Sequence, has_aux: bool = False):
    """Forward mode: (fun(*primals), d fun(primals) . tangents[, aux])."""
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("primal and tangent arguments to jvp must be tuples or lists")
    p_leaves, in_tree = tree_util.tree_flatten(tuple(primals))
    t_leaves, t_tree = tree_util.tree_flatten(tuple(tangents))
    if in_tree != t_tree:
        raise TypeError(f"primal and tangent arguments to jvp must have the same tree "
                        f"structure; got {in_tree} and {t_tree}")
    for p, t in zip(p_leaves, t_leaves):
        _check_tangent(p, t)
    t_leaves = [Zero(tangent_aval(get_aval(p))) if not dtypes.is_inexact(get_aval(p).dtype) else t
                for p, t in zip(p_leaves, t_leaves)]
    flat_fun = _flatten_fun(fun, in_tree, has_aux)
    p_out, t_out, *aux = jvp_flat(flat_fun, p_leaves, t_leaves, has_aux=has_aux)
    out_tree, aux_tree = flat_fun.trees()
    out = tree_util.tree_unflatten(out_tree, p_out), tree_util.tree_unflatten(out_tree, t_out)
    return (*out, tree_util.tree_unflatten(aux_tree, aux[0])) if has_aux else out


def linearize(fun: Callable, *primals) -> tuple[Any, Callable]:
    """(fun(*primals), f_jvp) where f_jvp(*tangents) is the linear map, evaluated later."""
    p_leaves, in_tree = tree_util.tree_flatten(primals)
    flat_fun = tree_util.flatten_fun_output(fun, in_tree)
    p_out, jaxpr, consts = linearize_flat(flat_fun, p_leaves)
    out_tree = flat_fun.out_tree()
    in_avals = [get_aval(p) for p in p_leaves]

    def f_jvp(*tangents):
        t_leaves, t_tree = tree_util.tree_flatten(tangents)
        if t_tree != in_tree:
            raise TypeError(f"linearized function expects tangents of structure {in_tree}, got {t_tree}")
        t_leaves = [_as_tangent_of(t, a, "tangent") for t, a in zip(t_leaves, in_avals)]
        return tree_util.tree_unflatten(out_tree, eval_jaxpr(jaxpr, consts, *t_leaves))

    return tree_util.tree_unflatten(out_tree, p_out), f_jvp


def vjp(fun: Callable, *primals, has_aux: bool = False):
    """(fun(*primals), f_vjp[, aux]) where f_vjp(ct) gives one cotangent per primal."""
    p_leaves, in_tree = tree_util.tree_flatten(primals)
    flat_fun = _flatten_fun(fun, in_tree, has_aux)
    p_out, f_vjp_flat, *aux = vjp_flat(flat_fun, p_leaves, has_aux)
    out_tree, aux_tree = flat_fun.trees()
    in_avals = [get_aval(p) for p in p_leaves]
    out_avals = [get_aval(p) for p in p_out]

    def f_vjp(ct):
        ct_leaves, ct_tree = tree_util.tree_flatten(ct)
        if ct_tree != out_tree and _holder_leaves(ct) == _holder_leaves(out):
            # A plain array standing for an array-holder output (npaccel.ndarray) is fine.
            ct_leaves, ct_tree = tree_util.tree_flatten(out_tree.unflatten(
                tree_util.tree_leaves(ct, is_leaf=_is_holder)))
        if ct_tree != out_tree:
            raise TypeError(f"cotangent must have the structure of the output {out_tree}, got {ct_tree}")
        ct_leaves = [_as_tangent_of(c, a, "cotangent") for c, a in zip(ct_leaves, out_avals)]
        cts = [instantiate(c) for c in f_vjp_flat(*ct_leaves)]
        cts = [c if dtypes.is_inexact(a.dtype) else np.zeros(a.shape, dtypes.float0)
               for c, a in zip(cts, in_avals)]
        return tree_util.tree_unflatten(in_tree, cts)

    out = tree_util.tree_unflatten(out_tree, p_out)
    if has_aux:
        return out, f_vjp, tree_util.tree_unflatten(aux_tree, aux[0])
    return out, f_vjp


def _is_holder(x) -> bool:
    """Objects that hold one array value (npaccel.ndarray) count as a leaf for matching."""
    return hasattr(x, "__npaccel_value__")


def _holder_leaves(tree) -> int:
    return len(tree_util.tree_leaves(tree, is_leaf=_is_holder))


def _argnums_tuple(argnums) -> tuple[int, ...]:
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)


def _check_differentiable(x, fn_name: str):
    for leaf in tree_util.tree_leaves(x):
        dtype = get_aval(leaf).dtype
        if not dtypes.is_inexact(dtype):
            raise TypeError(f"{fn_name} requires real- or complex-valued inputs (input dtype "
                            f"that is a sub-dtype of np.inexact), but got {dtype.name}. If you "
                            "want to use integer-valued inputs, use vjp or set allow_int to True.")


def _split_args(args, argnums):
    def fun_of_diff(f):
        def g(*diff):
            full = list(args)
            for i, d in zip(argnums, diff):
                full[i] = d
            return f(*full)
        return g
    return tuple(args[i] for i in argnums), fun_of_diff


def value_and_grad(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
                   allow_int: bool = False) -> Callable:
    """A function returning (fun(*args), gradient of fun w.r.t. args[argnums])."""
    nums = _argnums_tuple(argnums)

    @wraps(fun)
    def value_and_grad_f(*args, **kwargs):
        if max(nums) >= len(args):
            raise TypeError(f"differentiating with respect to argnums={argnums} requires at least "
                            f"{max(nums) + 1} positional arguments, got {len(args)}")
        diff, fun_of_diff = _split_args(args, nums)
        if not allow_int:
            _check_differentiable(diff, "grad")
        f = fun_of_diff(partial(fun, **kwargs))
        res = vjp(f, *diff, has_aux=has_aux)
        out, f_vjp = res[0], res[1]
        aval = get_aval(out) if not isinstance(out, (tuple, list, dict)) else None
        if aval is None or aval.shape != ():
            raise TypeError("Gradient only defined for scalar-output functions. Output "
                            f"{'had shape ' + str(aval.shape) if aval else 'was a ' + type(out).__name__}.")
        if not dtypes.is_inexact(aval.dtype):
            raise TypeError(f"grad requires real- or complex-valued outputs, got {aval.dtype}")
        g = f_vjp(ops.convert(np.ones((), aval.dtype), aval.dtype))
        g = g[0] if isinstance(argnums, int) else g
        return ((out, res[2]), g) if has_aux else (out, g)

    return value_and_grad_f


def grad(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
         allow_int: bool = False) -> Callable:
    """The gradient of a scalar function w.r.t. the arguments at `argnums`."""
    vg = value_and_grad(fun, argnums, has_aux, allow_int)

    @wraps(fun)
    def grad_f(*args, **kwargs):
        (value, g) = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return grad_f


def _std_basis(leaves):
    """Identity matrices, one per flattened input, as batched tangents."""
    sizes = [get_aval(x).size for x in leaves]
    total = sum(sizes)
    dtype = np.result_type(*[get_aval(x).dtype for x in leaves])
    eye = np.eye(total, dtype=dtype)
    out, start = [], 0
    for x, n in zip(leaves, sizes):
        a = get_aval(x)
        out.append(eye[:, start:start + n].reshape((total, *a.shape)).astype(a.dtype))
        start += n
    return out, total


def jacfwd(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False) -> Callable:
    """The Jacobian by forward mode: one jvp per input element, batched with vmap."""
    from npaccel.transforms.batching import vmap
    nums = _argnums_tuple(argnums)

    @wraps(fun)
    def jacfun(*args, **kwargs):
        diff, fun_of_diff = _split_args(args, nums)
        _check_differentiable(diff, "jacfwd")
        f = fun_of_diff(partial(fun, **kwargs))
        leaves, in_tree = tree_util.tree_flatten(diff)
        basis, total = _std_basis(leaves)

        f_main = (lambda *d: f(*d)[0]) if has_aux else f

        def push(*tangent_leaves):
            tangents = tree_util.tree_unflatten(in_tree, list(tangent_leaves))
            return jvp(f_main, diff, tangents)[1]

        jac_t = vmap(push, out_axes=-1)(*basis)     # output leaves with a trailing input axis
        jac = _split_trailing(jac_t, leaves, in_tree, isinstance(argnums, int))
        return (jac, f(*diff)[1]) if has_aux else jac

    return jacfun


def _split_trailing(jac_t, in_leaves, in_tree, single):
    """Out leaves of shape (*out, total) -> (*out, *in_shape) per input leaf, as a pytree."""
    def split(o):
        pieces, start = [], 0
        for x in in_leaves:
            a = get_aval(x)
            piece = ops.slice_last(o, start, start + a.size)
            pieces.append(ops.reshape(piece, (*get_aval(o).shape[:-1], *a.shape)))
            start += a.size
        tree = tree_util.tree_unflatten(in_tree, pieces)
        return tree[0] if single else tree
    return tree_util.tree_map(split, jac_t)


def jacrev(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False) -> Callable:
    """The Jacobian by reverse mode: one vjp per output element, batched with vmap."""
    from npaccel.transforms.batching import vmap
    nums = _argnums_tuple(argnums)

    @wraps(fun)
    def jacfun(*args, **kwargs):
        diff, fun_of_diff = _split_args(args, nums)
        _check_differentiable(diff, "jacrev")
        f = fun_of_diff(partial(fun, **kwargs))
        res = vjp(f, *diff, has_aux=has_aux)
        y, f_vjp = res[0], res[1]
        y_leaves, y_tree = tree_util.tree_flatten(y)
        basis, total = _std_basis(y_leaves)

        def pull(*ct_leaves):
            return f_vjp(tree_util.tree_unflatten(y_tree, list(ct_leaves)))

        cts = vmap(pull)(*basis)       # per input leaf: (total_out, *in_shape)
        jac = _assemble_rev(cts, y_leaves, y_tree, isinstance(argnums, int))
        return (jac, res[2]) if has_aux else jac

    return jacfun


def _assemble_rev(cts, y_leaves, y_tree, single):
    """Cotangent stacks (total_out, *in) -> Jacobian pytree out-major: (*out, *in)."""
    cts = cts[0] if single else cts

    def per_output(start, y):
        a = get_aval(y)
        return tree_util.tree_map(
            lambda c: ops.reshape(ops.slice_first(c, start, start + a.size),
                                  (*a.shape, *get_aval(c).shape[1:])), cts)

    outs, start = [], 0
    for y in y_leaves:
        outs.append(per_output(start, y))
        start += get_aval(y).size
    return tree_util.tree_unflatten(y_tree, outs)


def hessian(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False) -> Callable:
    """The Hessian, as jacfwd(jacrev(fun))."""
    return jacfwd(jacrev(fun, argnums, has_aux), argnums, has_aux)
