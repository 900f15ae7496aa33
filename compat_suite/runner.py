"""Running one test module of NumPy or SciPy in a pytest subprocess, on npaccel or on plain
NumPy/SciPy (the reference), and collecting its per-test outcomes.

Each run is its own process group, watched from here: a test that crashes the interpreter
or runs past the per-test limit is recorded (crash / hang) and the run resumes after it,
skipping what already finished; a module that exhausts its time budget stops there and its
remaining tests count as not run.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

SITE = Path(sysconfig.get_paths()["purelib"])
REPO = Path(__file__).resolve().parent.parent
MAX_RESUMES = 20
TEST_TIMEOUT = 120.0

# SciPy's backend tests carry the backend in their ids (`test_x[numpy-ortho]`); both runs
# name it `xp`, so the reference's and npaccel's results pair up.
_BACKEND_ID = re.compile(r"(?<=[\[-])(numpy|npaccel\.array_api)(?=[\]-])")


@dataclasses.dataclass(frozen=True)
class Job:
    """One test module (a file or a package under site-packages) of NumPy or SciPy."""
    target: str                    # "numpy/fft/tests", "scipy/special"

    @property
    def suite(self) -> str:
        return self.target.split("/")[0]

    @property
    def slug(self) -> str:
        return self.target.strip("/").replace("/", ".").removesuffix(".py")

    def command(self, report: Path, reference: bool, skip: Path) -> list[str]:
        marks = "array_api_backends and not slow" if self.suite == "scipy" else "not slow"
        command = [sys.executable, "-m", "pytest", "-p", "compat_suite.plugin",
                   f"--compat-report={report}", f"--compat-skip={skip}", "-q",
                   "-p", "no:cacheprovider", f"--rootdir={SITE}",
                   "-c", str(report.parent / "pytest.ini"), "-m", marks, str(SITE / self.target)]
        if reference:
            command.append("--compat-reference")
        elif self.suite == "scipy":
            command.append("--npaccel-xp")
        return command


def _environment(job: Job) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])}
    env.pop("NPACCEL", None)          # the plugin activates npaccel, scoped to test modules
    env["OMP_NUM_THREADS"] = env["OPENBLAS_NUM_THREADS"] = "1"
    if job.suite == "scipy":
        env["SCIPY_ARRAY_API"] = "1"  # read when SciPy is imported
    return env


def _records(report: Path) -> list[dict]:
    return [json.loads(line) for line in report.read_text().splitlines()] \
        if report.exists() else []


def _running(report: Path) -> str | None:
    """The test that started last and has not finished."""
    records = _records(report)
    return records[-1]["nodeid"] if records and records[-1]["outcome"] == "started" else None


def _watch(process, report: Path, deadline: float, test_timeout: float) -> str:
    """Wait for the run: 'done', 'hang' (one test past its limit) or 'budget'."""
    current, since = None, time.monotonic()
    while process.poll() is None:
        time.sleep(0.5)
        running = _running(report)
        if running != current:
            current, since = running, time.monotonic()
        now = time.monotonic()
        if now > deadline or (current is not None and now - since > test_timeout):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return "budget" if now > deadline else "hang"
    return "done"


def run(job: Job, reference: bool, workdir: Path, budget: float,
        test_timeout: float = TEST_TIMEOUT) -> dict:
    """{nodeid: {"outcome", "message"}} for every test the job ran."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "pytest.ini").write_text("[pytest]\n")
    name = _name(job, reference)
    skip, report = workdir / f"{name}.skip", workdir / f"{name}.jsonl"
    skip.write_text("")
    report.unlink(missing_ok=True)
    deadline = time.monotonic() + budget
    for _ in range(MAX_RESUMES + 1):
        with open(workdir / f"{name}.log", "a") as log:
            process = subprocess.Popen(job.command(report, reference, skip), cwd=workdir,
                                       env=_environment(job), stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
            state = _watch(process, report, deadline, test_timeout)
        running = _running(report)
        if state == "done" and (process.returncode in (0, 1, 5) or running is None):
            break
        if running is None or state == "budget":
            break
        outcome = "hang" if state == "hang" else "crash"
        message = (f"process killed after {test_timeout:.0f} s" if state == "hang"
                   else f"process exited {process.returncode}")
        with open(report, "a") as f:
            f.write(json.dumps({"nodeid": running, "outcome": outcome, "message": message}) + "\n")
        finished = {r["nodeid"] for r in _records(report) if r["outcome"] != "started"}
        skip.write_text("\n".join(sorted(finished)) + "\n")
    return _outcomes(report)


def _name(job: Job, reference: bool) -> str:
    return f"{job.slug}.{'reference' if reference else 'npaccel'}"


def outcomes(workdir: Path, job: Job, reference: bool) -> dict:
    """The outcomes an earlier run left in `workdir` (those it finished)."""
    return _outcomes(workdir / f"{_name(job, reference)}.jsonl")


def _outcomes(report: Path) -> dict:
    outcomes = {}
    for record in _records(report):
        if record["outcome"] == "started":
            continue
        if record["nodeid"].startswith("scipy/"):
            record["nodeid"] = _BACKEND_ID.sub("xp", record["nodeid"])
        outcomes[record["nodeid"]] = record
    return outcomes
