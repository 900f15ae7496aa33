"""`python -m npaccel script.py [args...]` (or `-m module`): run an unchanged NumPy
program on npaccel, as `NPACCEL=1 python script.py` does."""
import os
import runpy
import sys

from npaccel import activation

USAGE = "usage: python -m npaccel script.py [args...]  |  python -m npaccel -m module [args...]"


def main(argv: list[str]) -> None:
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        raise SystemExit(0 if argv else 2)
    activation.activate("user")
    if argv[0] == "-m" and len(argv) > 1:
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = argv
        sys.path.insert(0, os.path.dirname(os.path.abspath(argv[0])))
        runpy.run_path(argv[0], run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
