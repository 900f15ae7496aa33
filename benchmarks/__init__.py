"""npaccel benchmarks: each module prints a table of costs measured side by side in one run,
and the ratios between them. Nothing is asserted; the figures are for reading.

    python -m benchmarks                    # all of them
    python -m benchmarks.eager_overhead     # one of them
"""
