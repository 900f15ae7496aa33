"""Matrix and vector products (NumPy reference: "Linear algebra / Matrix and vector
products"): dot, vdot, inner, outer, tensordot, einsum, einsum_path, kron, cross.

Every contraction is one lax.dot_general. einsum parses NumPy's subscripts into integer
labels, takes diagonals (repeated labels on one operand) with a strided slice and sums
labels used by one operand only, then contracts operands pairwise in the order
`np.einsum_path` chooses (called on zero-stride stand-ins of the shapes, so NumPy's own
path finder runs without touching memory).

As in NumPy, Python scalars are converted to arrays before promotion here (np.dot(int8
array, 3) is int64): these functions are not ufuncs, so NEP 50's weak scalars do not apply.
"""
from __future__ import annotations

import operator
import string
import warnings

import numpy as np

from npaccel.lax import contraction, elementwise as ew, reduction, shape as lax_shape, slicing
from npaccel.numpy._core import (asvalue, astype, broadcast_shapes, broadcast_to, dtype_of,
                                 normalize_axis, shape_of)

__all__ = ["dot", "vdot", "inner", "outer", "tensordot", "einsum", "einsum_path", "kron",
           "cross"]


# --- shared helpers ----------------------------------------------------------------------

def _check_out(out) -> None:
    if out is not None:
        raise TypeError("out= is handled by npaccel.ndarray")


def _operands(*xs):
    """The arguments as values of their common (non-weak) result type."""
    values = [asvalue(x) for x in xs]
    dtype = np.result_type(*[dtype_of(v) for v in values])
    return [astype(v, dtype) for v in values]


def _fmt_shape(shape) -> str:
    # NumPy prints shapes without spaces in its alignment errors: (2,3), (3,).
    return "(" + ",".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _mul(a, b):
    """a * b with broadcasting; a and b share a dtype (bool multiplies as `and`)."""
    shape = broadcast_shapes(shape_of(a), shape_of(b))
    a, b = broadcast_to(a, shape), broadcast_to(b, shape)
    return ew.bitwise_and(a, b) if dtype_of(a) == np.bool_ else ew.mul(a, b)


def _sum(x, axes):
    """Sum over `axes` (bool sums are `or`, as NumPy's einsum computes them)."""
    if not axes:
        return x
    reduce = reduction.reduce_or if dtype_of(x) == np.bool_ else reduction.reduce_sum
    return reduce(x, tuple(axes))


def _contract(a, b, a_axes, b_axes, a_batch=(), b_batch=()):
    dims = ((tuple(a_axes), tuple(b_axes)), (tuple(a_batch), tuple(b_batch)))
    if dtype_of(a) == np.float16:
        # NumPy accumulates float16 products in float32, rounding once at the end.
        return astype(contraction.dot_general(a, b, dims, preferred_element_type=np.float32),
                      np.float16)
    return contraction.dot_general(a, b, dims)


def _ravel(x):
    return lax_shape.reshape(x, (int(np.prod(shape_of(x), dtype=np.int64)),))


def _not_aligned(sa, sb, da, db):
    return ValueError(f"shapes {_fmt_shape(sa)} and {_fmt_shape(sb)} not aligned: "
                      f"{sa[da]} (dim {da}) != {sb[db]} (dim {db})")


# --- dot, vdot, inner, outer -------------------------------------------------------------

def dot(a, b, out=None):
    """numpy.dot: a product of 0-d operands, an inner product of vectors, and otherwise a
    sum over the last axis of `a` and the second-to-last axis of `b` (its only axis if 1-d)."""
    _check_out(out)
    a, b = _operands(a, b)
    sa, sb = shape_of(a), shape_of(b)
    if not sa or not sb:
        return _mul(a, b)
    da, db = len(sa) - 1, max(len(sb) - 2, 0)
    if sa[da] != sb[db]:
        raise _not_aligned(sa, sb, da, db)
    return _contract(a, b, (da,), (db,))


def vdot(a, b):
    """numpy.vdot: the dot product of the flattened arrays, conjugating `a` if complex."""
    a, b = _operands(a, b)
    a, b = _ravel(a), _ravel(b)
    (na,), (nb,) = shape_of(a), shape_of(b)
    if na != nb:
        raise ValueError(f"cannot reshape array of size {nb} into shape ({na},)")
    if dtype_of(a).kind == "c":
        a = ew.conj(a)
    return _contract(a, b, (0,), (0,))


def inner(a, b):
    """numpy.inner: a sum over the last axes of `a` and `b` (a product if either is 0-d)."""
    a, b = _operands(a, b)
    sa, sb = shape_of(a), shape_of(b)
    if not sa or not sb:
        return _mul(a, b)
    if sa[-1] != sb[-1]:
        raise _not_aligned(sa, sb, len(sa) - 1, len(sb) - 1)
    return _contract(a, b, (len(sa) - 1,), (len(sb) - 1,))


def outer(a, b, out=None):
    """numpy.outer: out[i, j] = a.ravel()[i] * b.ravel()[j]."""
    _check_out(out)
    a, b = _operands(a, b)
    a, b = _ravel(a), _ravel(b)
    return _mul(lax_shape.expand_dims(a, (1,)), lax_shape.expand_dims(b, (0,)))


# --- tensordot and kron ------------------------------------------------------------------

def _axes_list(axes) -> list[int]:
    try:
        return [operator.index(a) for a in axes]
    except TypeError:
        return [operator.index(axes)]


def _tensordot_axes(axes):
    try:
        iter(axes)
    except TypeError:
        n = operator.index(axes)
        return list(range(-n, 0)), list(range(0, n))
    axes_a, axes_b = axes
    return _axes_list(axes_a), _axes_list(axes_b)


def _check_axis_index(axis: int, ndim: int) -> int:
    # NumPy indexes the shape tuple with the axis: an IndexError when out of range.
    if not -ndim <= axis < ndim:
        raise IndexError("tuple index out of range")
    return axis % ndim


def tensordot(a, b, axes=2):
    """numpy.tensordot: sum products over `axes` (an int N: the last N axes of `a` with
    the first N of `b`; or a pair of axis sequences). The result's axes are a's remaining
    axes, then b's."""
    axes_a, axes_b = _tensordot_axes(axes)
    a, b = _operands(a, b)
    sa, sb = shape_of(a), shape_of(b)
    if len(axes_a) != len(axes_b):
        raise ValueError("shape-mismatch for sum")
    # As NumPy: pair by pair, so a size mismatch stops before a later bad axis.
    axes_a, axes_b = list(axes_a), list(axes_b)
    for k, (i, j) in enumerate(zip(axes_a, axes_b)):
        axes_a[k], axes_b[k] = _check_axis_index(i, len(sa)), _check_axis_index(j, len(sb))
        if sa[axes_a[k]] != sb[axes_b[k]]:
            raise ValueError("shape-mismatch for sum")
    return _contract(a, b, axes_a, axes_b)


def kron(a, b):
    """numpy.kron: the Kronecker product, out[i*m + k] = a[i] * b[k] along every axis
    (the operand of fewer dimensions gets leading axes of length 1)."""
    a, b = _operands(a, b)
    sa, sb = shape_of(a), shape_of(b)
    nd = max(len(sa), len(sb))
    if nd == 0:
        return _mul(a, b)
    sa, sb = (1,) * (nd - len(sa)) + sa, (1,) * (nd - len(sb)) + sb
    # a on the even axes and b on the odd axes of a (2*nd)-d product, then merge the pairs.
    a = lax_shape.reshape(a, [d for s in sa for d in (s, 1)])
    b = lax_shape.reshape(b, [d for s in sb for d in (1, s)])
    return lax_shape.reshape(_mul(a, b), [x * y for x, y in zip(sa, sb)])


# --- cross -------------------------------------------------------------------------------

def _component(x, i: int):
    return slicing.index_in_dim(x, i, axis=-1, keepdims=False)


def cross(a, b, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: int | None = None):
    """numpy.cross: cross products of the 2- or 3-vectors along axisa of `a` and axisb of
    `b` (2-vectors have a zero third component; two 2-vectors give the z-component only),
    broadcast over the other axes, the vectors of the result along axisc."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = _operands(a, b)
    if not shape_of(a) or not shape_of(b):
        raise ValueError("At least one array has zero dimension")
    a = lax_shape.moveaxis(a, normalize_axis(axisa, len(shape_of(a))), -1)
    b = lax_shape.moveaxis(b, normalize_axis(axisb, len(shape_of(b))), -1)
    na, nb = shape_of(a)[-1], shape_of(b)[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n"
                         "(dimension must be 2 or 3)")
    if na == 2 or nb == 2:
        warnings.warn("Arrays of 2-dimensional vectors are deprecated. Use arrays of "
                      "3-dimensional vectors instead. (deprecated in NumPy 2.0)",
                      DeprecationWarning, stacklevel=2)
    if dtype_of(a) == np.bool_:
        raise TypeError("numpy boolean subtract, the `-` operator, is not supported, use the "
                        "bitwise_xor, the `^` operator, or the logical_xor function instead.")
    shape = broadcast_shapes(shape_of(a)[:-1], shape_of(b)[:-1])
    a0, a1, b0, b1 = [broadcast_to(_component(x, i), shape) for x in (a, b) for i in (0, 1)]
    z = ew.sub(ew.mul(a0, b1), ew.mul(a1, b0))
    if na == 2 and nb == 2:
        return z
    zero = lax_shape.full(shape, 0, dtype_of(a))
    a2 = broadcast_to(_component(a, 2), shape) if na == 3 else zero
    b2 = broadcast_to(_component(b, 2), shape) if nb == 3 else zero
    x = ew.sub(ew.mul(a1, b2), ew.mul(a2, b1))
    y = ew.sub(ew.mul(a2, b0), ew.mul(a0, b2))
    out = lax_shape.concatenate([lax_shape.expand_dims(c, (len(shape),)) for c in (x, y, z)],
                                len(shape))
    return lax_shape.moveaxis(out, -1, normalize_axis(axisc, len(shape) + 1))


# --- einsum: parsing ---------------------------------------------------------------------
# A term is a list of labels: letters, and Ellipsis for '...'. After parsing, an ellipsis
# becomes integer labels 0..n-1, one per broadcast axis, right-aligned across operands.

# NumPy's 52 labels in its order (the interleaved form's integer i is _LETTERS[i]);
# implicit output labels are sorted in this (ASCII) order.
_LETTERS = string.ascii_uppercase + string.ascii_lowercase


def _parse_term(text: str, where: str) -> list:
    term, i = [], 0
    while i < len(text):
        c = text[i]
        if c == ".":
            if text[i:i + 3] != "..." or Ellipsis in term:
                raise ValueError("einstein sum subscripts string contains a '.' that is not "
                                 f"part of an ellipsis ('...') in the {where}")
            term.append(Ellipsis)
            i += 3
            continue
        if c not in _LETTERS:
            raise ValueError(f"invalid subscript '{c}' in einstein sum subscripts string, "
                             "subscripts must be letters")
        term.append(c)
        i += 1
    return term


def _parse_string(subscripts: str, n_operands: int):
    text = subscripts.replace(" ", "")
    inputs, arrow, output = text.partition("->")
    terms = [_parse_term(t, "input") for t in inputs.split(",")]
    if len(terms) < n_operands:
        raise ValueError("more operands provided to einstein sum function than specified in "
                         "the subscripts string")
    if len(terms) > n_operands:
        raise ValueError("fewer operands provided to einstein sum function than specified in "
                         "the subscripts string")
    return terms, (_parse_term(output, "output") if arrow else None)


def _parse_sublist(sublist) -> list:
    term = []
    for s in sublist:
        if s is Ellipsis:
            term.append(Ellipsis)
            continue
        s = operator.index(s)
        if not 0 <= s < len(_LETTERS):
            raise ValueError("subscript is not within the valid range [0, 52)")
        term.append(_LETTERS[s])
    return term


def _parse(operands):
    """(arrays, input terms, output term or None) from either of NumPy's calling forms:
    einsum('ij,jk->ik', a, b) or einsum(a, [0, 1], b, [1, 2], [0, 2])."""
    if len(operands) < 2:
        raise ValueError("must specify the einstein sum subscripts string and at least one "
                         "operand")
    if isinstance(operands[0], str):
        arrays = list(operands[1:])
        terms, output = _parse_string(operands[0], len(arrays))
        return arrays, terms, output
    output = None
    if len(operands) % 2:
        # An odd count ends with the output sublist.
        output, operands = _parse_sublist(operands[-1]), operands[:-1]
    return list(operands[0::2]), [_parse_sublist(s) for s in operands[1::2]], output


def _expand_ellipses(shapes, terms):
    """Each term's labels with the ellipsis replaced by integer labels, and the number of
    broadcast axes."""
    n_broadcast = 0
    for i, (shape, term) in enumerate(zip(shapes, terms)):
        n_letters = len(term) - (Ellipsis in term)
        if n_letters > len(shape):
            raise ValueError("einstein sum subscripts string contains too many subscripts "
                             f"for operand {i}")
        if Ellipsis not in term and n_letters < len(shape):
            raise ValueError("operand has more dimensions than subscripts given in einstein "
                             "sum, but no '...' ellipsis provided to broadcast the extra "
                             "dimensions.")
        n_broadcast = max(n_broadcast, len(shape) - n_letters)
    labels = []
    for shape, term in zip(shapes, terms):
        if Ellipsis in term:
            k = term.index(Ellipsis)
            n = len(shape) - (len(term) - 1)
            term = term[:k] + list(range(n_broadcast - n, n_broadcast)) + term[k + 1:]
        labels.append(term)
    return labels, n_broadcast


def _output_labels(terms, output, n_broadcast, optimize) -> list:
    letters = [c for term in terms for c in term if c is not Ellipsis]
    if output is None:
        once = sorted(c for c in set(letters) if letters.count(c) == 1)
        return list(range(n_broadcast)) + once
    out = []
    for c in output:
        if c is Ellipsis:
            out.extend(range(n_broadcast))
        elif c not in letters:
            raise ValueError(f"einstein sum subscripts string included output subscript "
                             f"'{c}' which never appeared in an input")
        elif c in out:
            raise ValueError(f"einstein sum subscripts string includes output subscript "
                             f"'{c}' multiple times")
        else:
            out.append(c)
    # NumPy's optimizing path (any optimize but False) sums broadcast axes that an explicit
    # output leaves out; its C implementation (optimize=False) rejects them.
    if Ellipsis not in output and n_broadcast and optimize is False:
        raise ValueError("output has more dimensions than subscripts given in einstein sum, "
                         "but no '...' ellipsis provided to broadcast the extra dimensions.")
    return out


def _label_sizes(shapes, labels) -> dict:
    """Each label's size; a size-1 axis broadcasts against the others, as in NumPy."""
    sizes = {}
    for i, (shape, labs) in enumerate(zip(shapes, labels)):
        own = {}
        for lab, d in zip(labs, shape):
            if own.setdefault(lab, d) != d:
                raise ValueError(f"dimensions in operand {i} for collapsing index '{lab}' "
                                 f"don't match ({own[lab]} != {d})")
            if sizes.get(lab, 1) == 1:
                sizes[lab] = d
            elif d not in (1, sizes[lab]):
                remapped = " ".join(f"{_fmt_shape(s)}->{_fmt_shape(s)}" for s in shapes)
                raise ValueError("operands could not be broadcast together with remapped "
                                 f"shapes [original->remapped]: {remapped} ")
    return sizes


# --- einsum: one operand's labels --------------------------------------------------------

def _diagonal(x, labels: list, lab):
    """The diagonal over every axis labelled `lab`: move those k axes last, flatten them to
    n**k elements and take every (1 + n + ... + n**(k-1))-th, a strided slice."""
    where = [i for i, l in enumerate(labels) if l == lab]
    rest = [i for i, l in enumerate(labels) if l != lab]
    x = lax_shape.transpose(x, rest + where)
    shape, n, k = shape_of(x), shape_of(x)[-1], len(where)
    x = lax_shape.reshape(x, shape[:-k] + (n ** k,))
    stride = sum(n ** j for j in range(k)) if n > 1 else 1
    x = slicing.slice_in_dim(x, 0, n ** k, stride, axis=len(shape) - k)
    return x, [labels[i] for i in rest] + [lab]


def _canonical_operand(x, labels: list, sizes: dict):
    """x with unique labels (diagonals taken) and without the size-1 axes that broadcast."""
    for lab in [l for l in dict.fromkeys(labels) if labels.count(l) > 1]:
        x, labels = _diagonal(x, labels, lab)
    ones = [i for i, l in enumerate(labels) if shape_of(x)[i] == 1 and sizes[l] != 1]
    if ones:
        x = lax_shape.squeeze(x, ones)
        labels = [l for i, l in enumerate(labels) if i not in ones]
    return x, labels


def _sum_unneeded(x, labels: list, needed):
    axes = [i for i, l in enumerate(labels) if l not in needed]
    return _sum(x, axes), [l for l in labels if l in needed]


# --- einsum: contraction -----------------------------------------------------------------

def _contract_pair(x, lx, y, ly, keep):
    """dot_general of two labelled operands: shared labels still needed later are batch
    axes, other shared labels are contracted. Result labels: batch, x's free, y's free."""
    x, lx = _sum_unneeded(x, lx, keep | set(ly))
    y, ly = _sum_unneeded(y, ly, keep | set(lx))
    batch = [l for l in lx if l in ly and l in keep]
    summed = [l for l in lx if l in ly and l not in keep]
    z = _contract(x, y, [lx.index(l) for l in summed], [ly.index(l) for l in summed],
                  [lx.index(l) for l in batch], [ly.index(l) for l in batch])
    return z, batch + [l for l in lx if l not in ly] + [l for l in ly if l not in lx]


def _standin(shape, dtype):
    """A zero-stride array of `shape`: NumPy's path finder sees the shape, no memory."""
    return np.lib.stride_tricks.as_strided(np.zeros((), dtype), shape, [0] * len(shape))


def _path(operands, out_labels, optimize) -> list[tuple[int, ...]]:
    """The contraction order: left to right without optimisation, else np.einsum_path's."""
    n = len(operands)
    naive = [(0, 1)] * (n - 1)
    if optimize is False or n < 2:
        return naive
    names = dict.fromkeys(l for _, labs in operands for l in labs)
    free = iter(c for c in _LETTERS if c not in names)
    letters = {l: (l if isinstance(l, str) else next(free, None)) for l in names}
    if None in letters.values():
        return naive  # more than 52 distinct labels: NumPy's path finder cannot name them
    subscripts = (",".join("".join(letters[l] for l in labs) for _, labs in operands)
                  + "->" + "".join(letters[l] for l in out_labels))
    standins = [_standin(shape_of(x), dtype_of(x)) for x, _ in operands]
    path, _ = np.einsum_path(subscripts, *standins, optimize=optimize)
    return [tuple(step) for step in path[1:]]


def _run_path(operands, out_labels, path):
    operands = list(operands)
    for step in path:
        group = [operands[i] for i in step]
        operands = [op for i, op in enumerate(operands) if i not in step]
        keep = set(out_labels).union(*[labs for _, labs in operands])
        x, lx = group[0]
        for k, (y, ly) in enumerate(group[1:], 2):
            later = set().union(*[labs for _, labs in group[k:]])
            x, lx = _contract_pair(x, lx, y, ly, keep | later)
        operands.append((x, lx))
    (x, lx), = operands
    x, lx = _sum_unneeded(x, lx, set(out_labels))
    return lax_shape.transpose(x, [lx.index(l) for l in out_labels])


def _einsum_dtype(arrays, dtype, casting) -> np.dtype:
    if dtype is None:
        return np.result_type(*[dtype_of(x) for x in arrays])
    dtype = np.dtype(dtype)
    for i, x in enumerate(arrays):
        if not np.can_cast(dtype_of(x), dtype, casting):
            raise TypeError(f"Iterator operand {i} dtype could not be cast from "
                            f"{dtype_of(x)!r} to {dtype!r} according to the rule {casting!r}")
    return dtype


def einsum(*operands, out=None, dtype=None, order="K", casting="safe", optimize=False):
    """numpy.einsum: Einstein summation over labelled axes, in either calling form
    (subscripts string, or interleaved operands and sublists). Repeated labels on one
    operand take its diagonal, labels absent from the output are summed, '...' broadcasts.
    `optimize` (False, True, 'greedy', 'optimal', or an explicit path) picks the pairwise
    contraction order, through np.einsum_path. `dtype` and `casting` as NumPy's; `order`
    (a memory layout) does not apply to values."""
    _check_out(out)
    arrays, terms, output = _parse(operands)
    arrays = [asvalue(x) for x in arrays]
    shapes = [shape_of(x) for x in arrays]
    labels, n_broadcast = _expand_ellipses(shapes, terms)
    out_labels = _output_labels(terms, output, n_broadcast, optimize)
    sizes = _label_sizes(shapes, labels)
    dtype = _einsum_dtype(arrays, dtype, casting)
    if len(arrays) == 1 and set(labels[0]) <= set(out_labels):
        # As NumPy: a lone operand that nothing is summed over comes back as a view (a
        # transpose or diagonal) in its own dtype, whatever dtype= says.
        dtype = dtype_of(arrays[0])
    ops = [_canonical_operand(astype(x, dtype), labs, sizes) for x, labs in zip(arrays, labels)]
    # Labels only one operand uses (and the output does not) are summed at once.
    ops = [_sum_unneeded(x, labs, set(out_labels).union(
               *[other for j, (_, other) in enumerate(ops) if j != i]))
           for i, (x, labs) in enumerate(ops)]
    return _run_path(ops, out_labels, _path(ops, out_labels, optimize))


def einsum_path(*operands, optimize="greedy", einsum_call=False):
    """numpy.einsum_path: NumPy's own answer (path and report), computed on zero-stride
    stand-ins of the operands' shapes."""
    if operands and isinstance(operands[0], str):
        positions = range(1, len(operands))
    else:
        positions = range(0, len(operands) - len(operands) % 2, 2)
    operands = list(operands)
    for i in positions:
        x = asvalue(operands[i])
        operands[i] = _standin(shape_of(x), dtype_of(x))
    return np.einsum_path(*operands, optimize=optimize, einsum_call=einsum_call)
