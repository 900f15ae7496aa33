"""compat_suite: the plugin points test modules at npaccel, the runner survives crashes,
and the report's rules (applicability, classes, baseline comparison) do what they say."""
import json

import pytest

from compat_suite import report, runner

TINY = '''
import os
import numpy as np
from numpy.testing import assert_allclose

def test_arrays_are_npaccel():
    x = np.linspace(0.0, 1.0, 5)
    assert type(x).__module__ == "npaccel.dispatch.ndarray"
    assert_allclose(np.cumsum(x), [0.0, 0.25, 0.75, 1.5, 2.5])

def test_fails():
    assert np.sum(np.arange(3)) == 4

def test_crashes():
    os._exit(3)

def test_hangs():
    import time
    time.sleep(600)

def test_after_the_crash():
    assert np.asarray(np.ones(2)).sum() == 2
'''


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compat")
    (folder / "test_tiny.py").write_text(TINY)
    return runner.run(runner.Job(str(folder / "test_tiny.py")), False, folder / "work", 300,
                      test_timeout=10)


def _outcomes(results):
    return {nodeid.split("::")[-1]: r["outcome"] for nodeid, r in results.items()}


def test_plugin_gives_test_modules_npaccel_arrays(tiny_run):
    outcomes = _outcomes(tiny_run)
    assert outcomes["test_arrays_are_npaccel"] == "passed"
    assert outcomes["test_fails"] == "failed"


def test_runner_records_a_crash_and_a_hang_and_runs_the_rest(tiny_run):
    outcomes = _outcomes(tiny_run)
    assert outcomes["test_crashes"] == "crash"
    assert outcomes["test_hangs"] == "hang"
    assert outcomes["test_after_the_crash"] == "passed"


def _record(outcome, message=""):
    return {"outcome": outcome, "message": message}


def test_applicability_rules_and_classes():
    reference = {f"numpy/t.py::{name}": _record("passed") for name in
                 ("test_strides", "test_sum", "test_mean", "test_view", "test_skip", "test_gone")}
    reference["numpy/t.py::test_broken_upstream"] = _record("failed")
    npaccel = {
        "numpy/t.py::test_strides": _record("failed", "AttributeError: no"),
        "numpy/t.py::test_sum": _record("passed"),
        "numpy/t.py::test_mean": _record("failed", "AssertionError: \nNot equal to tolerance"),
        "numpy/t.py::test_view": _record("failed", "TypeError: a bytes-like object is required"),
        "numpy/t.py::test_skip": _record("skipped", "np_only"),
        "numpy/t.py::test_broken_upstream": _record("failed"),
    }
    table = report.classify(reference, npaccel)
    status = {n.split("::")[1]: s[0] for n, s in table.items()}
    assert status == {"test_strides": "not applicable", "test_sum": "passed",
                      "test_mean": "failed", "test_view": "not applicable",
                      "test_skip": "not applicable", "test_gone": "not run"}
    assert table["numpy/t.py::test_mean"][1] == "values differ"
    summary = report.summarize(table, ["numpy/t.py"])
    assert summary["modules"]["numpy/t.py"]["pass rate"] == 50.0    # not run: left out
    assert "numpy" in report.format_table(summary)
    json.dumps(summary)


def test_baseline_comparison():
    table = {"a": ("passed", "", ""), "b": ("failed", "values differ", "x"),
             "c": ("errored", "crash or hang", "process exited -11"), "d": ("passed", "", "")}
    known = report.read_baseline("# header\n" + "\n".join(report.baseline_lines(table)) + "\nd  # old\n")
    assert known == {"b", "c", "d"}
    regressions, fixed = report.compare(table, {"b", "d"})
    assert regressions == ["c"] and fixed == ["d"]


@pytest.mark.parametrize("message, expected", [
    ("TypeError: npaccel does not support arrays of dtype object", "unsupported dtype"),
    ("AssertionError: Regex pattern did not match.", "exception message differs"),
    ("Failed: DID NOT RAISE <class 'ValueError'>", "no exception raised"),
    ("AttributeError: 'ndarray' object has no attribute 'foo'", "missing attribute"),
    ("process exited -11", "crash or hang"),
    ("process killed after 120 s", "crash or hang"),
    ("ValueError: output array is read-only.", "C code writes into an npaccel array"),
])
def test_failure_classes(message, expected):
    assert report.failure_class(message) == expected

