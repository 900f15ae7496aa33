"""Running one test module of NumPy or SciPy in a pytest subprocess, on npaccel or on plain
NumPy/SciPy (the reference), and collecting its per-test outcomes.

Each job is its own process group with a wall-clock limit: a test that crashes the
interpreter or hangs is recorded as such and the job is re-run without it.
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
from pathlib import Path

SITE = Path(sysconfig.get_paths()["purelib"])
REPO = Path(__file__).resolve().parent.parent
MAX_RESTARTS = 5


@dataclasses.dataclass(frozen=True)
class Job:
    """One test module (a file or a package under site-packages) of NumPy or SciPy."""
    target: str                    # "numpy/fft/tests", "scipy/special"

    @property
    def suite(self) -> str:
        return self.target.split("/")[0]

    @property
    def slug(self) -> str:
        return self.target.replace("/", ".").removesuffix(".py")

    def command(self, report: Path, reference: bool, deselect: list[str]) -> list[str]:
        marks = "array_api_backends and not slow" if self.suite == "scipy" else "not slow"
        command = [sys.executable, "-m", "pytest", "-p", "compat_suite.plugin",
                   f"--compat-report={report}", "-q", "-p", "no:cacheprovider",
                   "-p", "no:randomly", f"--rootdir={SITE}", "-c", str(report.parent / "pytest.ini"),
                   "-m", marks, str(SITE / self.target)]
        if reference:
            command.append("--compat-reference")
        elif self.suite == "scipy":
            command.append("--npaccel-xp")
        return command + [f"--deselect={nodeid}" for nodeid in deselect]


def _environment(job: Job) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])}
    env.pop("NPACCEL", None)          # the plugin activates npaccel, scoped to test modules
    env["OMP_NUM_THREADS"] = env["OPENBLAS_NUM_THREADS"] = "1"
    if job.suite == "scipy":
        env["SCIPY_ARRAY_API"] = "1"  # read when SciPy is imported
    return env


# SciPy's backend tests carry the backend in their ids (`test_x[numpy-ortho]`); both runs
# name it `xp`, so the reference's and npaccel's results pair up.
_BACKEND_ID = re.compile(r"(?<=[\[-])(numpy|npaccel\.array_api)(?=[\]-])")


def _read(report: Path) -> tuple[dict, list[str]]:
    """Final outcomes by node id, and the tests that started but never finished."""
    outcomes, started = {}, []
    if report.exists():
        for line in report.read_text().splitlines():
            record = json.loads(line)
            if record["nodeid"].startswith("scipy/"):
                record["nodeid"] = _BACKEND_ID.sub("xp", record["nodeid"])
            if record["outcome"] == "started":
                started.append(record["nodeid"])
            else:
                outcomes[record["nodeid"]] = record
    return outcomes, [n for n in started if n not in outcomes]


def run(job: Job, reference: bool, workdir: Path, timeout: float) -> dict:
    """{nodeid: {"outcome", "message"}} for every test the job ran."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "pytest.ini").write_text("[pytest]\n")
    population = "reference" if reference else "npaccel"
    results: dict = {}
    deselect: list[str] = []
    for attempt in range(MAX_RESTARTS + 1):
        report = workdir / f"{job.slug}.{population}.{attempt}.jsonl"
        report.unlink(missing_ok=True)
        with open(workdir / f"{job.slug}.{population}.log", "a") as log:
            process = subprocess.Popen(job.command(report, reference, deselect), cwd=workdir,
                                       env=_environment(job), stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
            try:
                code, hung = process.wait(timeout), False
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                code, hung = process.wait(), True
        outcomes, unfinished = _read(report)
        results.update(outcomes)
        if code in (0, 1, 5) and not hung:
            break
        for nodeid in unfinished:
            results[nodeid] = {"nodeid": nodeid, "outcome": "hang" if hung else "crash",
                               "message": f"process {'timed out' if hung else f'exited {code}'}"}
        if not unfinished:
            break                      # an internal or collection error: nothing to skip
        deselect += unfinished
    return results
