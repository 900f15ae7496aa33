"""`python -m benchmarks`: run every benchmark, one after the other, in one process."""
from benchmarks import eager_overhead, grad_cost, jit_chain, numpy_dispatch

BENCHMARKS = (eager_overhead, jit_chain, grad_cost, numpy_dispatch)


def main() -> None:
    for bench in BENCHMARKS:
        bench.main()


if __name__ == "__main__":
    main()
