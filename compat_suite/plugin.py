"""pytest plugin (`-p compat_suite.plugin`): NumPy's and SciPy's own tests on npaccel.

- NumPy's tests: test modules get the activated `numpy` (the mechanism of `NPACCEL=1`,
  scoped to test modules), so the arrays they create are npaccel arrays; NumPy's internals
  and the test oracles (`numpy.testing` compares host copies) stay NumPy's.
- SciPy's tests (`--npaccel-xp`): SciPy's array-API backend tests run with npaccel's
  namespace as the one backend (`SCIPY_ARRAY_API=1` must be set before SciPy is imported;
  the runner sets it).
- `--compat-report=PATH` writes one JSON line per test: node id, outcome, message.

NumPy functions npaccel does not implement run on the host silently (counted): the suite
measures what users get, and NumPy's tests that check warnings must not see ours.
"""
from __future__ import annotations

import json

import pytest

import npaccel
from npaccel import activation

NAMESPACE = "npaccel.array_api"


def pytest_addoption(parser):
    group = parser.getgroup("npaccel compat_suite")
    group.addoption("--npaccel-xp", action="store_true",
                    help="run SciPy's array-API backend tests with npaccel as the backend")
    group.addoption("--compat-report", default=None,
                    help="write one JSON line per test outcome to this file")
    group.addoption("--compat-skip", default=None,
                    help="a file of node ids not to run (done already, or crashed)")
    group.addoption("--compat-reference", action="store_true",
                    help="report only: run on plain NumPy/SciPy (the reference run)")


def pytest_configure(config):
    if not config.getoption("--compat-reference"):
        npaccel.config.fallback = "silent"
        npaccel.config.fperrors = "all"   # NumPy's RuntimeWarnings too: the suite checks them
        activation.activate("tests")
        if config.getoption("--npaccel-xp"):
            _register_scipy_backend()
    path = config.getoption("--compat-report")
    if path:
        config.pluginmanager.register(_Reporter(path), "compat_suite_reporter")


def pytest_collection_modifyitems(session, config, items):
    path = config.getoption("--compat-skip")
    if path:
        skip = set(open(path).read().splitlines())
        items[:] = [item for item in items if item.nodeid not in skip]


def _register_scipy_backend():
    """Make SciPy's `xp` fixture run on npaccel's namespace only. SciPy's conftest is
    imported here (the module object pytest registers later), its list of known backends
    extended, and the fixture re-declared with the new parameters (the original's are
    frozen when it is declared)."""
    import scipy.conftest as scipy_conftest
    from npaccel.dispatch.namespace import array_api

    scipy_conftest.xp_known_backends.add(NAMESPACE)
    params = [pytest.param(array_api, id=NAMESPACE, marks=pytest.mark.array_api_backends)]
    scipy_conftest.xp_available_backends[:] = params
    original = scipy_conftest.xp._get_wrapped_function()
    scipy_conftest.xp = pytest.fixture(params=params, name="xp")(original)


class _Reporter:
    """One JSON line per test: its final outcome (setup/teardown errors included)."""

    def __init__(self, path: str):
        self.file = open(path, "a", buffering=1)

    def pytest_runtest_logstart(self, nodeid, location):
        # A test that starts and never reports crashed the process (or hung).
        self.file.write(json.dumps({"nodeid": nodeid, "outcome": "started"}) + "\n")

    def pytest_runtest_logreport(self, report):
        outcome = _outcome(report)
        if outcome is None:
            return
        message = ""
        if report.failed or report.skipped:
            message = _message(report)
        self.file.write(json.dumps({"nodeid": report.nodeid, "outcome": outcome,
                                    "message": message}) + "\n")

    def pytest_unconfigure(self):
        self.file.close()


def _outcome(report) -> str | None:
    xfail = hasattr(report, "wasxfail")
    if report.when == "call":
        if xfail:
            return "xpassed" if report.passed else "xfailed"
        return report.outcome
    if report.failed:
        return "error"
    if report.skipped and report.when == "setup":
        return "xfailed" if xfail else "skipped"
    return None


def _message(report) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return crash.message.strip().splitlines()[0][:300] if crash.message.strip() else ""
    if isinstance(report.longrepr, tuple):
        return str(report.longrepr[2])[:300]
    return str(report.longrepr).strip().splitlines()[-1][:300] if report.longrepr else ""

