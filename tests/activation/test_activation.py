"""Activation: unchanged NumPy code in scope gets npaccel arrays and NumPy's results.

Each program runs twice from the same source: in a module the activation covers and in
one it does not (plain NumPy); the namespaces must agree value for value, with npaccel
arrays on the activated side.
"""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import npaccel
from npaccel import activation

IN_SCOPE = "npaccel_activation_user_module"


def run(source: str, activated: bool) -> dict:
    namespace = {"__name__": IN_SCOPE if activated else "plain_numpy_module"}
    if activated:
        activation.activate(lambda name, file: name == IN_SCOPE)
    try:
        exec(compile(textwrap.dedent(source), "<program>", "exec"), namespace)
    finally:
        activation.deactivate()
    return namespace


def assert_same_namespaces(source: str, names: list[str]):
    plain, fast = run(source, False), run(source, True)
    for name in names:
        expected, actual = plain[name], fast[name]
        if isinstance(expected, np.ndarray):
            assert isinstance(actual, npaccel.ndarray), f"{name}: {type(actual)}"
        np.testing.assert_allclose(np.asarray(actual), expected, rtol=1e-12, err_msg=name)
        assert np.asarray(actual).dtype == np.asarray(expected).dtype, name


PROGRAM = """
import numpy as np
from numpy.linalg import solve
import numpy.fft as fft
x = np.linspace(0.0, 1.0, 7)
grid = np.mgrid[0:2, 0:3]
stacked = np.r_[x, [5.0, 6.0]]
a = np.eye(4) * 3 + np.ones((4, 4))
sol = solve(a, np.arange(4.0))
spec = np.abs(fft.rfft(x))
acc = np.zeros(5)
for i in range(5):
    acc[i] = np.sum(x[: i + 1] ** 2)
acc += 1
parts = np.split(np.arange(6), 3)
"""


def test_program_runs_on_npaccel_with_numpys_results():
    assert_same_namespaces(PROGRAM, ["x", "grid", "stacked", "a", "sol", "spec", "acc", "parts"])


def test_identity_and_classes():
    ns = run("""
        import numpy as np
        x = np.array([1.0, 2.0])
        same = np.asarray(x) is x and np.asanyarray(x) is x
        copied = np.array(x) is not x
        class Holder:
            array = np.array      # a class attribute must not become a method
        held = Holder().array([1, 2])
        strings = np.array(["a", "b"])   # dtypes npaccel does not hold stay NumPy's
        out = np.zeros(2)
        returned = np.multiply(x, 2, out=out) is out
        """, True)
    assert ns["same"] and ns["copied"] and ns["returned"]
    assert isinstance(ns["held"], npaccel.ndarray)
    assert type(ns["strings"]) is np.ndarray


def test_only_modules_in_scope_see_the_proxy():
    ns = run("import numpy as np\nimport numpy.linalg\nfrom numpy import random\n", True)
    assert ns["np"] is not np and ns["random"] is not np.random
    assert ns["np"].linalg is not np.linalg
    assert run("import numpy as np\n", False)["np"] is np
    # NumPy's internals keep the real module while a scope is active.
    activation.activate(lambda name, file: name == IN_SCOPE)
    try:
        assert type(np.random.default_rng(0).random(2)) is np.ndarray
        assert type(np.asarray([1, 2])) is np.ndarray
    finally:
        activation.deactivate()


def test_assertions_compare_host_copies():
    ns = run("""
        import numpy as np
        from numpy.testing import assert_equal, assert_allclose, assert_raises
        x = np.arange(3.0)
        assert_equal(x, [0.0, 1.0, 2.0])
        assert_allclose(np.sin(x), np.sin([0.0, 1.0, 2.0]))
        try:
            assert_equal(x, [0.0, 1.0, 3.0])
            caught = False
        except AssertionError:
            caught = True
        """, True)
    assert ns["caught"]


# --- random: NumPy's generators, NumPy's numbers, npaccel arrays ---------------------------

LEGACY = ["rand(3, 2)", "randn(4)", "random(5)", "randint(0, 10, size=6)",
          "normal(1.0, 2.0, size=(2, 2))", "uniform(-1, 1, 4)", "choice(10, 3)",
          "permutation(6)", "binomial(5, 0.3, 4)", "poisson(2.0, 3)", "standard_t(3, 2)",
          "exponential(size=3)", "random_sample((2, 3))"]
GENERATOR = ["random(4)", "normal(size=(2, 3))", "integers(0, 100, 5)", "uniform(0, 1, 3)",
             "choice(7, 3, replace=False)", "permutation(5)", "standard_normal(3)",
             "exponential(2.0, 4)", "gamma(2.0, size=3)", "multivariate_normal([0, 0], [[1, 0], [0, 2]], 2)",
             "permutation(np.arange(6.0))", "choice(np.arange(5.0), 2)"]


@pytest.mark.parametrize("seed", [0, 7])
@pytest.mark.parametrize("call", LEGACY)
def test_legacy_random_gives_numpys_numbers(call, seed):
    assert_same_namespaces(f"import numpy as np\nnp.random.seed({seed})\nr = np.random.{call}\n"
                           f"again = np.random.{call}\n", ["r", "again"])


@pytest.mark.parametrize("call", GENERATOR)
def test_default_rng_gives_numpys_numbers(call):
    assert_same_namespaces(f"import numpy as np\nrng = np.random.default_rng(12345)\n"
                           f"r = rng.{call}\nagain = rng.{call}\n", ["r", "again"])


@pytest.mark.parametrize("maker", ["np.random.default_rng(3)", "np.random.RandomState(3)",
                                   "np.random.Generator(np.random.PCG64(3))"])
def test_shuffle_in_place_matches_numpy(maker):
    assert_same_namespaces(f"""
        import numpy as np
        g = {maker}
        x = np.arange(10.0)
        g.shuffle(x)
        m = np.arange(12).reshape(4, 3)
        g.shuffle(m)
        np.random.seed(1)
        y = np.arange(5)
        np.random.shuffle(y)
        """, ["x", "m", "y"])
    ns = run(f"import numpy as np\ng = {maker}\n", True)
    assert isinstance(ns["g"], (np.random.Generator, np.random.RandomState))


# --- the command lines: NPACCEL=1 python script.py and python -m npaccel script.py ---------

SCRIPT = """
import numpy as np
np.random.seed(0)
x = np.random.rand(4)
print(type(np.cumsum(x)).__module__)
print(repr(np.round(np.cumsum(x) * np.pi, 12).tolist()))
"""


@pytest.fixture(scope="module")
def script(tmp_path_factory):
    path = tmp_path_factory.mktemp("activation") / "script.py"
    path.write_text(SCRIPT)
    return path


def _run(command, env_extra):
    env = {**os.environ, **env_extra}
    env.pop("NPACCEL", None) if not env_extra.get("NPACCEL") else None
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.mark.parametrize("how", ["env", "module"])
def test_command_line_activation(script, how):
    plain = _run([sys.executable, str(script)], {"NPACCEL": ""})
    command = ([sys.executable, str(script)] if how == "env"
               else [sys.executable, "-m", "npaccel", str(script)])
    fast = _run(command, {"NPACCEL": "1"} if how == "env" else {"NPACCEL": ""})
    assert plain[0] == "numpy" and fast[0] == "npaccel.dispatch.ndarray"
    assert fast[1] == plain[1]
