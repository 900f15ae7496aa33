"""The one gate to jaxlib: silence XLA's start-up logging, check the version, import it.

Every other module in `npaccel._runtime` imports jaxlib only after this one has run
(the package `__init__` imports it first).
"""

from __future__ import annotations

import os
import re

# XLA reads this once, when its shared library is loaded; setting it any later has no
# effect and the client's start-up `I...` lines would reach the user's terminal.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")

import jaxlib.version  # noqa: E402  (must follow the environment setting above)

# Inclusive (min, max). The runtime leans on private, underscore-prefixed jaxlib contracts
# that change between releases: widen this only after the test suite passes on the new one.
SUPPORTED_JAXLIB_VERSIONS = ((0, 10, 2), (0, 10, 2))


def _parse_version(version: str) -> tuple[int, int, int] | None:
    match = re.match(r"(\d+)\.(\d+)\.(\d+)", version)
    return None if match is None else tuple(int(part) for part in match.groups())


def _format_version(parts: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in parts)


def check_jaxlib_version(version: str) -> None:
    """Raise ImportError unless `version` lies in SUPPORTED_JAXLIB_VERSIONS."""
    low, high = SUPPORTED_JAXLIB_VERSIONS
    parsed = _parse_version(version)
    if parsed is not None and low <= parsed <= high:
        return
    supported = _format_version(low) if low == high else (
        f"{_format_version(low)} to {_format_version(high)}")
    raise ImportError(
        f"npaccel needs jaxlib {supported} (it uses jaxlib's private API), "
        f"but jaxlib {version} is installed; install it with "
        f"`pip install 'jaxlib=={_format_version(high)}'`.")


jaxlib_version: str = jaxlib.version.__version__
check_jaxlib_version(jaxlib_version)

# Imported only once the version is known to be good: other versions may fail here in
# confusing ways.
from jaxlib import xla_client as xc  # noqa: E402

JaxRuntimeError = xc.XlaRuntimeError
