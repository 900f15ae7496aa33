"""The on-disk executable cache shared by all processes of one user.

An entry is a header (magic, format version, payload length, sha256 of the payload)
followed by the serialized executable. Entries are written atomically (a temporary file
in the same directory, then os.replace), and anything that does not check out on read is
treated as a miss: the caller recompiles and overwrites it. Every OSError means "no disk
cache this time", never an error for the user.
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from pathlib import Path

# Bump when the header, the payload or the key's ingredients change meaning.
FORMAT_VERSION = 1
_MAGIC = b"npaccel-xla\0"
_HEADER = struct.Struct("<12sIQ32s")  # magic, format version, payload length, sha256
_DISABLED = {"", "0", "off", "none", "false"}


def cache_dir() -> Path | None:
    """The cache directory from the environment, or None when the disk cache is off."""
    configured = os.environ.get("NPACCEL_CACHE_DIR")
    if configured is not None and configured.strip().lower() in _DISABLED:
        return None
    if configured is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
        configured = os.path.join(base, "npaccel", "xla")
    try:
        return Path(configured).expanduser()
    except RuntimeError:  # no home directory to expand "~" to: no disk cache
        return None


def _entry_path(directory: Path, key: str) -> Path:
    return directory / f"{key}.xla"


def _pack(payload: bytes) -> bytes:
    digest = hashlib.sha256(payload).digest()
    return _HEADER.pack(_MAGIC, FORMAT_VERSION, len(payload), digest) + payload


def _unpack(entry: bytes) -> bytes | None:
    if len(entry) < _HEADER.size:
        return None
    magic, version, length, digest = _HEADER.unpack_from(entry)
    payload = entry[_HEADER.size:]
    if magic != _MAGIC or version != FORMAT_VERSION or length != len(payload):
        return None
    return payload if hashlib.sha256(payload).digest() == digest else None


def load(key: str) -> bytes | None:
    """The payload stored under `key`, or None if absent, unreadable or damaged."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        entry = _entry_path(directory, key).read_bytes()
    except OSError:
        return None
    return _unpack(entry)


def store(key: str, payload: bytes) -> None:
    """Write `payload` under `key`, atomically; silently does nothing if it cannot."""
    directory = cache_dir()
    if directory is None:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _write_atomically(_entry_path(directory, key), _pack(payload))
    except OSError:
        pass  # a read-only or full cache directory only costs a recompile later


def _write_atomically(path: Path, data: bytes) -> None:
    # Same directory as the target, so os.replace is a rename within one file system and
    # a concurrent reader sees either the old entry or the whole new one.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".xla")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        _remove_quietly(tmp)
        raise


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
