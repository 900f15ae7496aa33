"""The NumPy face: npaccel.ndarray, NumPy's dispatch protocols, the fallback policy."""
from npaccel.dispatch import namespace as _namespace  # noqa: F401  (__array_namespace__)
from npaccel.dispatch import operators as _operators
from npaccel.dispatch.ndarray import asndarray, ndarray
from npaccel.dispatch.protocols import NpaccelFallbackWarning, config, fallback_counts, resolve

_operators.install()
