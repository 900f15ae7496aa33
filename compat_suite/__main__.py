"""`python -m compat_suite`: run NumPy's and SciPy's own tests on npaccel and report.

    python -m compat_suite                     # the "pr" tier, table on stdout
    python -m compat_suite --tier full --json  # every listed module, JSON on stdout
    python -m compat_suite --tier smoke --check          # CI: fail on a regression
    python -m compat_suite --tier smoke --update-baseline
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from compat_suite import report, runner

NUMPY = ["numpy/_core/tests/test_umath.py", "numpy/_core/tests/test_ufunc.py",
         "numpy/_core/tests/test_numeric.py", "numpy/_core/tests/test_shape_base.py",
         "numpy/_core/tests/test_einsum.py", "numpy/lib/tests/test_function_base.py",
         "numpy/lib/tests/test_shape_base.py", "numpy/lib/tests/test_index_tricks.py",
         "numpy/lib/tests/test_nanfunctions.py", "numpy/lib/tests/test_arraysetops.py",
         "numpy/lib/tests/test_twodim_base.py", "numpy/linalg/tests", "numpy/fft/tests",
         "numpy/random/tests/test_random.py", "numpy/random/tests/test_generator_mt19937.py"]
SCIPY = [f"scipy/{name}" for name in
         ("special", "fft", "linalg", "signal", "stats", "ndimage", "optimize")]
TIERS = {
    "smoke": ["numpy/lib/tests/test_twodim_base.py", "numpy/fft/tests/test_helper.py",
              "numpy/lib/tests/test_index_tricks.py", "scipy/fft"],
    "pr": ["numpy/lib/tests/test_twodim_base.py", "numpy/fft/tests",
           "numpy/lib/tests/test_index_tricks.py", "numpy/lib/tests/test_arraysetops.py",
           "numpy/lib/tests/test_nanfunctions.py", "numpy/random/tests/test_random.py",
           "scipy/fft", "scipy/special"],
    "full": NUMPY + SCIPY,
}
BASELINES = Path(__file__).parent / "baseline"


def _arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m compat_suite", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", choices=TIERS, default="pr")
    parser.add_argument("--modules", nargs="*", help="only targets containing these strings")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if a test outside the tier's baseline of known failures fails")
    parser.add_argument("--update-baseline", action="store_true")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--budget", type=float, default=1800,
                        help="seconds per module and population (the rest counts as not run)")
    parser.add_argument("--workdir", default=None, help="where logs and raw reports go")
    parser.add_argument("--report-only", action="store_true",
                        help="report the outcomes already in --workdir (no runs)")
    return parser.parse_args(argv)


def _run_all(jobs, workdir: Path, parallel: int, budget: float, report_only: bool):
    tasks = [(job, reference) for job in jobs for reference in (True, False)]
    if report_only:
        results = [runner.outcomes(workdir, job, reference) for job, reference in tasks]
    else:
        with ThreadPoolExecutor(parallel) as pool:
            results = list(pool.map(lambda t: runner.run(t[0], t[1], workdir, budget), tasks))
    reference, npaccel = {}, {}
    for (_, is_reference), outcome in zip(tasks, results):
        (reference if is_reference else npaccel).update(outcome)
    return reference, npaccel


def main(argv=None) -> int:
    args = _arguments(argv)
    targets = [t for t in TIERS[args.tier] if not args.modules or any(m in t for m in args.modules)]
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="compat_suite-"))
    reference, npaccel = _run_all([runner.Job(t) for t in targets], workdir, args.jobs,
                                  args.budget, args.report_only)
    table = report.classify(reference, npaccel)
    summary = report.summarize(table, targets)
    print(json.dumps(summary, indent=1) if args.json else report.format_table(summary))
    print(f"(logs and raw outcomes: {workdir})", file=sys.stderr)
    baseline = BASELINES / f"{args.tier}.txt"
    if args.update_baseline:
        BASELINES.mkdir(exist_ok=True)
        baseline.write_text(f"# compat_suite baseline, tier {args.tier}: known failures of "
                            "applicable tests (nodeid  # class: message)\n"
                            + "\n".join(report.baseline_lines(table)) + "\n")
    if args.check:
        known = report.read_baseline(baseline.read_text()) if baseline.exists() else set()
        regressions, fixed = report.compare(table, known)
        for nodeid in fixed:
            print(f"now passes (tighten the baseline): {nodeid}", file=sys.stderr)
        for nodeid in regressions:
            status, cls, message = table[nodeid]
            print(f"REGRESSION {nodeid}: {cls}: {message}", file=sys.stderr)
        return 1 if regressions else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
