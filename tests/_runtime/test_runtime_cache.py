"""The executable caches within one process: memory LRU, disk entries, damaged entries."""

import random

import numpy as np
import pytest

import npaccel._runtime as rt
from npaccel._runtime import compiler, disk_cache

F64x4 = ((4,), np.dtype(np.float64))


def _fresh_module():
    """A program no other test compiles (a random constant), so counters start clean."""
    factor = random.uniform(1.0, 2.0)
    text = f"""module {{ func.func public @main(%x: tensor<4xf64>) -> tensor<4xf64> {{
      %c = stablehlo.constant dense<{factor!r}> : tensor<4xf64>
      %y = stablehlo.multiply %x, %c : tensor<4xf64>
      return %y : tensor<4xf64> }} }}"""
    return rt.ir.Module.parse(text, rt.context()), factor


def _compile_and_check(module, factor):
    exe = rt.compile_module(module, [F64x4], [F64x4])
    x = np.array([1.0, -2.5, 0.0, 3.25])
    (out,) = exe.execute([rt.device_put(x)])
    np.testing.assert_array_equal(rt.to_host(out), np.multiply(x, factor))
    return exe


def _delta(before):
    after = rt.cache_info()
    return {k: after[k] - before[k] for k in ("memory_hits", "disk_hits", "compiles")}


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("NPACCEL_CACHE_DIR", str(tmp_path))
    return tmp_path


def _entries(directory):
    return sorted(p for p in directory.iterdir() if p.suffix == ".xla" and not p.name.startswith("."))


def test_memory_hit_returns_same_executable(cache_dir):
    module, factor = _fresh_module()
    before = rt.cache_info()
    first = _compile_and_check(module, factor)
    second = _compile_and_check(module, factor)
    assert first is second
    assert _delta(before) == {"memory_hits": 1, "disk_hits": 0, "compiles": 1}


def test_disk_hit_after_memory_cleared(cache_dir):
    module, factor = _fresh_module()
    _compile_and_check(module, factor)
    (entry,) = _entries(cache_dir)
    rt.clear_memory_cache()
    assert rt.cache_info()["memory_size"] == 0
    before = rt.cache_info()
    _compile_and_check(module, factor)
    assert _delta(before) == {"memory_hits": 0, "disk_hits": 1, "compiles": 0}
    assert rt.cache_info()["disk_dir"] == str(cache_dir)


def _truncate(data):
    return data[: len(data) // 2]


def _flip_payload_byte(data):
    return data[:-1] + bytes([data[-1] ^ 0xFF])


DAMAGE = {
    "garbage": lambda data: b"\x00garbage" * 50,
    "empty": lambda data: b"",
    "truncated": _truncate,
    "header-only": lambda data: data[:64],
    "payload-bit-flip": _flip_payload_byte,
    "payload-appended": lambda data: data + b"x",
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_entry_is_recompiled_and_rewritten(cache_dir, damage):
    module, factor = _fresh_module()
    _compile_and_check(module, factor)
    (entry,) = _entries(cache_dir)
    damaged = DAMAGE[damage](entry.read_bytes())
    entry.write_bytes(damaged)
    _assert_recompiles_and_heals(module, factor, entry, damaged)


def _assert_recompiles_and_heals(module, factor, entry, damaged):
    rt.clear_memory_cache()
    before = rt.cache_info()
    _compile_and_check(module, factor)
    assert _delta(before) == {"memory_hits": 0, "disk_hits": 0, "compiles": 1}
    assert entry.read_bytes() != damaged
    rt.clear_memory_cache()
    before = rt.cache_info()
    _compile_and_check(module, factor)
    assert _delta(before)["disk_hits"] == 1


def test_intact_entry_xla_cannot_read(cache_dir):
    module, factor = _fresh_module()
    _compile_and_check(module, factor)
    (entry,) = _entries(cache_dir)
    disk_cache.store(entry.stem, b"a well-formed entry holding no executable")
    _assert_recompiles_and_heals(module, factor, entry, entry.read_bytes())


def test_entry_of_another_format_version(cache_dir, monkeypatch):
    module, factor = _fresh_module()
    _compile_and_check(module, factor)
    (entry,) = _entries(cache_dir)
    payload = disk_cache.load(entry.stem)
    with monkeypatch.context() as patch:
        patch.setattr(disk_cache, "FORMAT_VERSION", disk_cache.FORMAT_VERSION + 1)
        disk_cache.store(entry.stem, payload)
    assert disk_cache.load(entry.stem) is None
    _assert_recompiles_and_heals(module, factor, entry, entry.read_bytes())


@pytest.mark.parametrize("value", ["", "0", "off", "none", "false", "OFF", " False "])
def test_disk_cache_disabled(monkeypatch, value):
    monkeypatch.setenv("NPACCEL_CACHE_DIR", value)
    assert rt.cache_info()["disk_dir"] is None
    module, factor = _fresh_module()
    _compile_and_check(module, factor)
    rt.clear_memory_cache()
    before = rt.cache_info()
    _compile_and_check(module, factor)
    assert _delta(before) == {"memory_hits": 0, "disk_hits": 0, "compiles": 1}


def test_default_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("NPACCEL_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert rt.cache_info()["disk_dir"] == str(tmp_path / "npaccel" / "xla")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert rt.cache_info()["disk_dir"] == str(tmp_path / "home" / ".cache" / "npaccel" / "xla")


def test_no_home_directory_means_no_disk_cache(monkeypatch):
    monkeypatch.delenv("NPACCEL_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(disk_cache.Path, "expanduser", _no_home)
    assert rt.cache_info()["disk_dir"] is None
    module, factor = _fresh_module()
    _compile_and_check(module, factor)


def _no_home(self):
    raise RuntimeError("Could not determine home directory.")


def test_unusable_directory_is_silently_skipped(monkeypatch, tmp_path):
    # Under a regular file, so that mkdir fails even for root (who ignores permissions).
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("NPACCEL_CACHE_DIR", str(blocker / "cache"))
    module, factor = _fresh_module()
    _compile_and_check(module, factor)
    rt.clear_memory_cache()
    before = rt.cache_info()
    _compile_and_check(module, factor)
    assert _delta(before)["compiles"] == 1


def test_unreadable_entry_is_silently_skipped(cache_dir):
    module, factor = _fresh_module()
    _compile_and_check(module, factor)
    (entry,) = _entries(cache_dir)
    entry.unlink()
    entry.mkdir()  # reading it and replacing it both raise OSError
    rt.clear_memory_cache()
    before = rt.cache_info()
    _compile_and_check(module, factor)
    assert _delta(before)["compiles"] == 1
    assert not [p for p in cache_dir.iterdir() if p.name.startswith(".tmp-")]


def test_lru_evicts_least_recently_used():
    lru = compiler._LRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # now "b" is the oldest
    lru.put("c", 3)
    assert (lru.get("a"), lru.get("b"), lru.get("c")) == (1, None, 3)
    assert len(lru) == 2
