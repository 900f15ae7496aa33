"""The jaxpr IR and pytrees: make_jaxpr's printed form, eval_jaxpr against NumPy, and
tree_util round trips (containers, None, namedtuples, registered classes)."""
import collections
import re

import numpy as np
import pytest

import npaccel as na
from npaccel import lax
from npaccel.core import Literal, Var, eval_jaxpr, jaxpr_as_fun
from npaccel.core import tree_util as tu
from npaccel.lax.reduction import reduce_sum

X = np.array([0.3, -1.2, 2.0])
C = np.array([1.5, -0.5, 4.0])          # closed over: becomes a constvar


def f_closure(x):
    return lax.add(lax.mul(lax.sin(x), C), 2.0)


def f_closure_np(x):
    return np.sin(x) * C + 2.0


def _eqn_lines(text):
    return [ln for ln in text.splitlines() if re.match(r"\s+\S+ = ", ln)]


def _prims(closed):
    return [e.primitive.name for e in closed.eqns]


# --- printing -------------------------------------------------------------------------

def test_binders_constvars_and_literals():
    closed = na.make_jaxpr(f_closure)(X)
    text = str(closed)
    lines = text.splitlines()
    # constvars before ';', invars after, each binder is name:dtype[shape]
    assert re.fullmatch(r"\{ lambda a:f64\[3\]; b:f64\[3\]\. let", lines[0]), lines[0]
    assert re.fullmatch(r"  in \([a-z]+,\) \}", lines[-1]), lines[-1]
    assert _prims(closed) == ["sin", "mul", "broadcast_in_dim", "add"]
    for name, line in zip(_prims(closed), _eqn_lines(text)):
        assert re.match(rf"    [a-z]+:f64\[3\] = {name}\b", line), line
    # the constvar is the closed-over array itself, the Python scalar is a literal
    assert len(closed.consts) == 1 and closed.consts[0] is C
    assert f"{2.0}:f64[]" in text
    assert "mul c a" in text
    assert repr(closed) == text


def test_scalar_literals_take_the_operand_dtype():
    text = str(na.make_jaxpr(lambda x: lax.add(lax.mul(x, 3), np.int32(2)))(np.int32(5)))
    assert re.search(r"b:i32\[\] = mul a 3:i32\[\]", text), text
    assert re.search(r"= add b 2:i32\[\]", text), text
    text = str(na.make_jaxpr(lambda p: lax.bitwise_and(p, True))(np.bool_(False)))
    assert "and a true:bool[]" in text, text
    text = str(na.make_jaxpr(lambda x: lax.mul(x, 0.5))(np.ones((2, 3), np.float32)))
    assert re.search(r"a:f32\[2,3\]\. let", text) and "mul a" in text, text


def test_python_scalar_argument_is_a_weak_invar():
    closed = na.make_jaxpr(lambda x: lax.add(x, x))(1.0)
    (aval,) = closed.in_avals
    assert aval.shape == () and aval.dtype == np.float64 and aval.weak_type
    assert str(closed).splitlines()[0] == "{ lambda ; a:f64[]. let"
    assert closed.out_avals[0].weak_type


def test_pytree_inputs_and_outputs_flatten_in_order():
    def f(d, t):
        return {"s": lax.sin(d["a"]), "p": lax.mul(t[0], t[1])}

    closed = na.make_jaxpr(f)({"a": X, "b": None}, (np.float32(1), np.float32(2)))
    assert [a.str_short() for a in closed.in_avals] == ["f64[3]", "f32[]", "f32[]"]
    # dict outputs come out in sorted key order: "p" before "s"
    assert [a.str_short() for a in closed.out_avals] == ["f32[]", "f64[3]"]
    assert str(closed).splitlines()[-1] == "  in (e, d) }"


def test_multiple_outputs_and_outputs_that_are_inputs():
    text = str(na.make_jaxpr(lambda x, y: (y, x, lax.neg(x)))(X, 1))
    assert text.splitlines()[0] == "{ lambda ; a:f64[3] b:i64[]. let"
    assert text.splitlines()[-1] == "  in (b, a, c) }"


def test_nested_jaxpr_is_indented():
    inner = na.jit(f_closure)
    closed = na.make_jaxpr(lambda x: lax.exp(inner(x)))(X)
    text = str(closed)
    assert _prims(closed) == ["jit", "exp"]
    lines = text.splitlines()
    jit_line = next(i for i, ln in enumerate(lines) if " = jit[" in ln)
    nested_head = lines[jit_line + 1]
    assert re.fullmatch(r" {8}\{ lambda ; a:f64\[3\] b:f64\[3\]\. let", nested_head), nested_head
    nested_body = [ln for ln in lines[jit_line + 2:] if " = sin " in ln]
    assert nested_body and nested_body[0].startswith(" " * 12), nested_body
    assert "name='f_closure'" in text
    # the closed-over array is an operand of the jit equation (nested jaxprs have no constvars)
    jit_eqn = closed.eqns[0]
    assert not jit_eqn.params["jaxpr"].constvars
    assert len(jit_eqn.inputs) == 2


def test_make_jaxpr_static_argnums():
    closed = na.make_jaxpr(lambda x, n: lax.integer_pow(x, n), static_argnums=1)(X, 3)
    assert _prims(closed) == ["integer_pow"]
    assert "integer_pow[y=3] a" in str(closed)
    assert len(closed.in_avals) == 1
    with_kwargs = na.make_jaxpr(lambda x, *, scale: lax.mul(x, scale))(X, scale=C)
    assert [a.str_short() for a in with_kwargs.in_avals] == ["f64[3]", "f64[3]"]
    assert "mul a b" in str(with_kwargs)


# --- evaluation -------------------------------------------------------------------------

def test_eval_jaxpr_reproduces_the_function():
    closed = na.make_jaxpr(f_closure)(X)
    (out,) = eval_jaxpr(closed.jaxpr, closed.consts, X)
    np.testing.assert_allclose(np.asarray(out), f_closure_np(X), rtol=1e-12)
    x2 = X[::-1] * 0.5
    (out2,) = jaxpr_as_fun(closed.jaxpr, closed.consts)(x2)
    np.testing.assert_allclose(np.asarray(out2), f_closure_np(x2), rtol=1e-12)


def test_eval_jaxpr_with_literals_and_several_outputs():
    def f(x, y):
        return lax.mul(lax.exp(x), y), lax.sub(x, 1.0)

    closed = na.make_jaxpr(f)(X, C)
    assert any(type(a) is Literal for e in closed.eqns for a in e.inputs)
    assert all(type(v) is Var for v in closed.jaxpr.invars)
    outs = eval_jaxpr(closed.jaxpr, closed.consts, X, C)
    np.testing.assert_allclose(np.asarray(outs[0]), np.exp(X) * C, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(outs[1]), X - 1.0, rtol=1e-12)


def test_eval_jaxpr_is_traceable():
    """eval_jaxpr binds primitives, so transformations apply to it."""
    closed = na.make_jaxpr(f_closure)(X)

    def g(x):
        return eval_jaxpr(closed.jaxpr, closed.consts, x)[0]

    t = np.array([1.0, 0.5, -2.0])
    _, t_out = na.jvp(g, (X,), (t,))
    np.testing.assert_allclose(np.asarray(t_out), np.cos(X) * C * t, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(na.jit(g)(X)), f_closure_np(X), rtol=1e-12)
    batch = np.stack([X, 2 * X])
    np.testing.assert_allclose(np.asarray(na.vmap(g)(batch)),
                               np.stack([f_closure_np(b) for b in batch]), rtol=1e-12)


# --- pytrees ----------------------------------------------------------------------------

Point = collections.namedtuple("Point", ["x", "y"])


class Pair:
    """Registered with register_pytree_node: children (a, b), aux `tag`."""

    def __init__(self, a, b, tag="t"):
        self.a, self.b, self.tag = a, b, tag

    def __eq__(self, other):
        return type(other) is Pair and (self.a, self.b, self.tag) == (other.a, other.b, other.tag)


tu.register_pytree_node(Pair, lambda p: ((p.a, p.b), p.tag), lambda tag, ch: Pair(*ch, tag=tag))


@tu.register_pytree_node_class
class Box:
    """Registered with the class decorator: tree_flatten / tree_unflatten methods."""

    def __init__(self, items, name):
        self.items, self.name = items, name

    def tree_flatten(self):
        return list(self.items), self.name

    @classmethod
    def tree_unflatten(cls, name, children):
        return cls(children, name)

    def __eq__(self, other):
        return type(other) is Box and (list(self.items), self.name) == (list(other.items), other.name)


TREES = [
    ((1, 2, 3), [1, 2, 3]),
    ([1, (2, 3), [4]], [1, 2, 3, 4]),
    ({"b": 1, "a": 2, "c": {"z": 3, "y": 4}}, [2, 1, 4, 3]),   # dict leaves by sorted key
    (None, []),
    ((1, None, [None, 2]), [1, 2]),
    (Point(1, (2, 3)), [1, 2, 3]),
    (Pair(1, [2, 3], tag="k"), [1, 2, 3]),
    (Box((Point(1, 2), {"q": 3}), "box"), [1, 2, 3]),
    ({"p": Pair(Box([1], "n"), None), "t": ()}, [1]),
]


@pytest.mark.parametrize("tree,leaves", TREES, ids=lambda t: type(t).__name__)
def test_flatten_unflatten_round_trip(tree, leaves):
    got, treedef = tu.tree_flatten(tree)
    assert got == leaves
    assert tu.tree_leaves(tree) == leaves
    assert tu.tree_structure(tree) == treedef
    assert treedef.num_leaves == len(leaves)
    back = tu.tree_unflatten(treedef, got)
    assert back == tree and type(back) is type(tree)
    doubled = tu.tree_unflatten(treedef, [2 * v for v in got])
    assert tu.tree_leaves(doubled) == [2 * v for v in leaves]


def test_registered_aux_data_is_part_of_the_structure():
    assert tu.tree_structure(Pair(1, 2, tag="a")) != tu.tree_structure(Pair(1, 2, tag="b"))
    assert tu.tree_structure(Box([1], "a")) == tu.tree_structure(Box([5], "a"))
    assert tu.tree_structure(Point(1, 2)) != tu.tree_structure((1, 2))


def test_tree_map_over_several_trees():
    t1 = {"a": (1, 2), "b": Point(3, [4]), "c": None, "d": Pair(5, 6)}
    t2 = {"a": (10, 20), "b": Point(30, [40]), "c": None, "d": Pair(50, 60)}
    t3 = {"a": (100, 200), "b": Point(300, [400]), "c": None, "d": Pair(500, 600)}
    out = tu.tree_map(lambda x, y, z: x + y + z, t1, t2, t3)
    assert out == {"a": (111, 222), "b": Point(333, [444]), "c": None, "d": Pair(555, 666)}
    with pytest.raises(ValueError):
        tu.tree_map(lambda x, y: x + y, (1, 2), (1, 2, 3))


def test_tree_map_is_leaf_and_arrays_are_leaves():
    tree = {"w": np.ones(3), "p": (np.zeros(2), [2.0, 3.0])}
    shapes = tu.tree_map(np.shape, tree)
    assert shapes == {"w": (3,), "p": ((2,), [(), ()])}
    out = tu.tree_map(lambda x: len(x) if isinstance(x, list) else x, tree,
                      is_leaf=lambda x: isinstance(x, list))
    assert out["p"][1] == 2


def test_pytrees_pass_through_transformations():
    p = Pair(C, {"v": X}, tag="w")

    def loss(p):
        return lax.mul(p.a, lax.sin(p.b["v"]))

    out = na.jit(loss)(p)
    np.testing.assert_allclose(np.asarray(out), C * np.sin(X), rtol=1e-12)
    g = na.grad(lambda p: reduce_sum(loss(p), (0,)))(p)
    assert type(g) is Pair and g.tag == "w"
    np.testing.assert_allclose(np.asarray(g.a), np.sin(X), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(g.b["v"]), C * np.cos(X), rtol=1e-12)
    box = na.vmap(lambda b: Box([lax.neg(b.items[0])], b.name))(Box([np.stack([X, C])], "nm"))
    assert box.name == "nm"
    np.testing.assert_allclose(np.asarray(box.items[0]), -np.stack([X, C]))
