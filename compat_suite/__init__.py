"""compat_suite: NumPy's and SciPy's own test suites run against npaccel.

`plugin.py` is the pytest plugin (`-p compat_suite.plugin`) that points the tests at
npaccel; `runner.py` runs the selected test modules (with and without npaccel) in
subprocesses; `report.py` classifies outcomes and prints the table; `baseline/` holds the
expected results that the CI check compares against (`python -m compat_suite --help`).
"""
