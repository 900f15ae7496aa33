"""numpy.lib: the submodules of NumPy's lib that npaccel mirrors (stride_tricks)."""
