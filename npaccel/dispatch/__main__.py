"""python -m npaccel.dispatch --coverage [--summary]"""
import argparse

from npaccel.dispatch.coverage import format_report, report


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m npaccel.dispatch")
    parser.add_argument("--coverage", action="store_true",
                        help="print native / fallback / unsupported per NumPy function")
    parser.add_argument("--summary", action="store_true", help="only the totals")
    args = parser.parse_args()
    if not args.coverage:
        parser.print_help()
        return
    print(format_report(report(), verbose=not args.summary))


if __name__ == "__main__":
    main()
