"""From per-test outcomes to the compat report: applicability, pass rates, failure classes,
and the comparison with the committed baseline.

A test counts when it passes on the reference (plain NumPy/SciPy). It is *not applicable*
when it tests ndarray internals that an npaccel array does not have by design — decided
by the rules below, from the test's name and from how it failed, never by listing tests.
"""
from __future__ import annotations

import re

# Tests whose subject is ndarray's memory layout or C-level machinery.
NOT_APPLICABLE_NAME = re.compile(
    r"stride|flags|buffer|memoryview|ctypes|c_api|capi|subclass|array_interface|"
    r"array_struct|refcount|writeable|owndata|contiguous|alignment|unaligned|byteorder|"
    r"byteswap|memory_overlap|mem_overlap", re.I)
# Failures that are the absence of such machinery on a non-ndarray array.
NOT_APPLICABLE_FAILURE = re.compile(
    r"has no attribute '(strides|ctypes|data|__array_interface__|__array_struct__|"
    r"setflags|byteswap|newbyteorder|__array_priority__|__array_wrap__|"
    r"__array_finalize__|view)'|memoryview|buffer protocol|bytes-like object|"
    r"not an ndarray|must be an ndarray|subclass of ndarray", re.I)

# Failure classes, first match wins: (name, pattern over "ExceptionType: message").
FAILURE_CLASSES = [
    ("crash or hang", r"^process (exited|killed)"),
    ("unsupported dtype", r"does not support arrays of dtype|dtype \w+ is not supported"),
    ("no native implementation, fallback impossible", r"not implemented by npaccel"),
    ("ndarray type check", r"isinstance|not a numpy array|expected .*ndarray|ndarray.*expected"),
    ("exception message differs", r"Regex pattern did not match|does not match"),
    ("no exception raised", r"DID NOT RAISE|DID NOT WARN"),
    # NumPy/SciPy C code writing into np.asarray(x) of an npaccel array: the host view of
    # device memory is read-only, so an out=/output= npaccel array cannot be filled in C.
    ("C code writes into an npaccel array", r"read-only"),
    ("warning differs", r"[Ww]arning"),
    ("values differ", r"Not equal to tolerance|Arrays are not|Mismatched elements|"
                      r"not almost equal|Items are not equal|assert .* == "),
    ("dtype differs", r"dtype"),
    ("shape differs", r"shape"),
    ("missing attribute", r"^AttributeError"),
    ("TypeError", r"^TypeError"),
    ("ValueError", r"^ValueError"),
    ("IndexError", r"^IndexError"),
    ("other assertion", r"^AssertionError|^assert"),
]
_COMPILED = [(name, re.compile(pattern)) for name, pattern in FAILURE_CLASSES]

FAILED = ("failed", "error", "crash", "hang", "missing")


def failure_class(message: str) -> str:
    for name, pattern in _COMPILED:
        if pattern.search(message):
            return name
    return "other: " + (message.split(":")[0][:40] or "no message")


def not_applicable(nodeid: str, record: dict | None) -> bool:
    test_name = nodeid.split("::", 1)[-1]
    if NOT_APPLICABLE_NAME.search(test_name):
        return True
    if record is None:
        return False
    if record["outcome"] == "skipped":
        return True   # the suite itself skips it for this backend (SciPy's np_only, ...)
    return record["outcome"] in FAILED and bool(NOT_APPLICABLE_FAILURE.search(record["message"]))


def classify(reference: dict, npaccel: dict) -> dict:
    """nodeid -> (status, class, message) for every test that passes on the reference;
    status is passed / failed / errored / not applicable / not run (its module's run ended
    first: a collection error or the time budget; left out of the pass rate, shown)."""
    table = {}
    for nodeid, ref in reference.items():
        if ref["outcome"] != "passed":
            continue
        record = npaccel.get(nodeid)
        if not_applicable(nodeid, record):
            table[nodeid] = ("not applicable", "", "")
        elif record is None:
            table[nodeid] = ("not run", "", "collection error or time budget")
        elif record["outcome"] in ("passed", "xpassed"):
            table[nodeid] = ("passed", "", "")
        else:
            status = "failed" if record["outcome"] in ("failed", "xfailed") else "errored"
            message = record.get("message", "")
            table[nodeid] = (status, failure_class(message), message)
    return table


def module_of(nodeid: str, targets: list[str]) -> str:
    return next((t for t in targets if nodeid.startswith(t)), nodeid.split("::")[0])


def summarize(table: dict, targets: list[str]) -> dict:
    rows: dict = {}
    classes: dict = {}
    for nodeid, (status, cls, _) in table.items():
        row = rows.setdefault(module_of(nodeid, targets), dict.fromkeys(
            ("passed", "failed", "errored", "not applicable", "not run"), 0))
        row[status] += 1
        if cls:
            classes[cls] = classes.get(cls, 0) + 1
    for row in rows.values():
        applicable = row["passed"] + row["failed"] + row["errored"]
        row["pass rate"] = round(100 * row["passed"] / applicable, 2) if applicable else None
    return {"modules": rows, "failure classes": dict(sorted(classes.items(),
                                                           key=lambda kv: -kv[1]))}


def format_table(summary: dict) -> str:
    lines = [f"{'module':<48} {'passed':>7} {'failed':>7} {'errored':>7} {'n/a':>6} "
             f"{'not run':>7} {'rate':>8}"]
    totals = {"numpy": [0, 0], "scipy": [0, 0]}
    for module, row in sorted(summary["modules"].items()):
        rate = "-" if row["pass rate"] is None else f"{row['pass rate']:.2f}%"
        lines.append(f"{module:<48} {row['passed']:>7} {row['failed']:>7} {row['errored']:>7} "
                     f"{row['not applicable']:>6} {row['not run']:>7} {rate:>8}")
        suite = totals[module.split("/")[0]]
        suite[0] += row["passed"]
        suite[1] += row["passed"] + row["failed"] + row["errored"]
    for suite, (passed, applicable) in totals.items():
        if applicable:
            lines.append(f"{suite + ' (applicable tests)':<48} {passed:>7} of {applicable:<7} "
                         f"{100 * passed / applicable:>20.2f}%")
    lines.append("\nfailure classes:")
    lines += [f"  {count:>6}  {cls}" for cls, count in summary["failure classes"].items()]
    return "\n".join(lines)


# --- the baseline: known failures of applicable tests --------------------------------------

def baseline_lines(table: dict) -> list[str]:
    return sorted(f"{nodeid}  # {cls}: {message[:120]}"
                  for nodeid, (status, cls, message) in table.items()
                  if status in ("failed", "errored"))


def read_baseline(text: str) -> set[str]:
    return {line.split("  # ")[0].strip() for line in text.splitlines()
            if line.strip() and not line.startswith("#")}


def compare(table: dict, known_failures: set[str]) -> tuple[list[str], list[str]]:
    """(regressions: failing now but not known, fixed: known failures that now pass)."""
    failing = {n for n, (status, _, _) in table.items() if status in ("failed", "errored")}
    passing = {n for n, (status, _, _) in table.items() if status == "passed"}
    return sorted(failing - known_failures), sorted(known_failures & passing)
