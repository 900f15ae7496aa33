"""What a fresh interpreter sees: import side effects, silence on stderr, the version gate,
and the disk cache shared between processes."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from npaccel._runtime import _jaxlib

REPO = Path(__file__).resolve().parents[2]


def _run_python(code, cache_dir, extra_env=None, args=()):
    env = dict(os.environ)
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the runtime must quiet XLA by itself
    env.update(NPACCEL_CACHE_DIR=str(cache_dir), **(extra_env or {}))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], env=env,
                          cwd=REPO, capture_output=True, text=True, timeout=120)


def _run_json(code, cache_dir, **kwargs):
    done = _run_python(code, cache_dir, **kwargs)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return json.loads(done.stdout)


def test_import_is_lazy(tmp_path):
    report = _run_json("""
        import json, sys
        import npaccel._runtime as rt
        from npaccel._runtime import backend
        print(json.dumps({"client": backend._client is not None,
                          "scipy": "scipy" in sys.modules, "jax": "jax" in sys.modules}))
    """, tmp_path)
    assert report == {"client": False, "scipy": False, "jax": False}


def test_nothing_reaches_stderr(tmp_path):
    # Creating the client, a transfer, a compile, an execute, and a rejected execute
    # (which XLA itself would log as an E-line).
    done = _run_python("""
        import numpy as np
        import npaccel._runtime as rt
        rt.devices()
        text = '''module { func.func public @main(%a: tensor<2xf32>) -> tensor<2xf32> {
          %0 = stablehlo.negate %a : tensor<2xf32>
          return %0 : tensor<2xf32> } }'''
        exe = rt.compile_module(rt.ir.Module.parse(text, rt.context()),
                                [((2,), np.float32)], [((2,), np.float32)])
        (y,) = exe.execute([rt.device_put(np.ones(2, np.float32))])
        assert (rt.to_host(y) == -1).all()
        try:
            exe.execute([rt.device_put(np.ones(3, np.float32))])
        except TypeError:
            pass
        print("ok")
    """, tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok\n", "")


_LOG_LEVEL = """
    import json, os
    import npaccel._runtime
    print(json.dumps(os.environ["TF_CPP_MIN_LOG_LEVEL"]))
"""


def test_log_level_defaults_to_hiding_info_lines(tmp_path):
    assert _run_json(_LOG_LEVEL, tmp_path) == "1"


def test_user_log_level_is_respected(tmp_path):
    assert _run_json(_LOG_LEVEL, tmp_path, extra_env={"TF_CPP_MIN_LOG_LEVEL": "3"}) == "3"


def test_unsupported_jaxlib_refused_at_import(tmp_path):
    done = _run_python("""
        import jaxlib.version
        jaxlib.version.__version__ = "0.9.0"
        import npaccel._runtime
    """, tmp_path)
    assert done.returncode != 0
    assert "ImportError: npaccel needs jaxlib 0.10.2" in done.stderr
    assert "jaxlib 0.9.0 is installed" in done.stderr


@pytest.mark.parametrize("version", ["0.10.2", "0.10.2.dev20250101", "0.10.2rc1"])
def test_supported_version_accepted(version):
    _jaxlib.check_jaxlib_version(version)


@pytest.mark.parametrize("version", ["0.10.1", "0.10.3", "0.11.0", "1.0.0", "0.10", "", "x"])
def test_unsupported_version_refused(version):
    with pytest.raises(ImportError, match=f"needs jaxlib 0.10.2 .*but jaxlib {version} is"):
        _jaxlib.check_jaxlib_version(version)


def test_supported_range_is_one_constant(monkeypatch):
    monkeypatch.setattr(_jaxlib, "SUPPORTED_JAXLIB_VERSIONS", ((0, 10, 2), (0, 11, 0)))
    _jaxlib.check_jaxlib_version("0.10.9")
    _jaxlib.check_jaxlib_version("0.11.0")
    with pytest.raises(ImportError, match="needs jaxlib 0.10.2 to 0.11.0"):
        _jaxlib.check_jaxlib_version("0.11.1")


# -- the disk cache, shared between processes ------------------------------------------------

_SCALE = """
    import json, sys
    import numpy as np
    import npaccel._runtime as rt
    factor = sys.argv[1]
    text = f'''module {{ func.func public @main(%x: tensor<4xf64>) -> tensor<4xf64> {{
      %c = stablehlo.constant dense<{factor}> : tensor<4xf64>
      %y = stablehlo.multiply %x, %c : tensor<4xf64>
      return %y : tensor<4xf64> }} }}'''
    exe = rt.compile_module(rt.ir.Module.parse(text, rt.context()),
                            [((4,), np.float64)], [((4,), np.float64)])
    (y,) = exe.execute([rt.device_put(np.array([1.0, -2.5, 0.0, 3.25]))])
    print(json.dumps({"result": rt.to_host(y).tolist(), "info": rt.cache_info()}))
"""


def _scale_in_new_process(cache_dir, factor="1.75"):
    report = _run_json(_SCALE, cache_dir, args=[factor])
    np.testing.assert_array_equal(report["result"],
                                  np.multiply([1.0, -2.5, 0.0, 3.25], float(factor)))
    info = report["info"]
    return info["compiles"], info["disk_hits"]


def _entries(directory):
    return [p for p in directory.iterdir() if p.suffix == ".xla" and not p.name.startswith(".")]


def test_second_process_hits_disk_cache(tmp_path):
    assert _scale_in_new_process(tmp_path) == (1, 0)
    assert _scale_in_new_process(tmp_path) == (0, 1)


def test_corrupt_entry_recompiled_in_new_process(tmp_path):
    assert _scale_in_new_process(tmp_path) == (1, 0)
    (entry,) = _entries(tmp_path)
    garbage = os.urandom(entry.stat().st_size)
    entry.write_bytes(garbage)
    assert _scale_in_new_process(tmp_path) == (1, 0)
    assert entry.read_bytes() != garbage
    assert _scale_in_new_process(tmp_path) == (0, 1)


def test_disabled_disk_cache_across_processes(tmp_path):
    assert _run_json(_SCALE, "", args=["1.5"])["info"]["disk_dir"] is None
    assert _scale_in_new_process("") == (1, 0)
    assert _scale_in_new_process("") == (1, 0)


def test_memory_cache_size_from_environment(tmp_path):
    report = _run_json("""
        import json
        import numpy as np
        import npaccel._runtime as rt
        def neg(n):
            text = f'''module {{ func.func public @main(%a: tensor<{n}xf32>) -> tensor<{n}xf32> {{
              %0 = stablehlo.negate %a : tensor<{n}xf32>
              return %0 : tensor<{n}xf32> }} }}'''
            module = rt.ir.Module.parse(text, rt.context())
            rt.compile_module(module, [((n,), np.float32)], [((n,), np.float32)])
        for n in (1, 2, 1):
            neg(n)
        print(json.dumps(rt.cache_info()))
    """, "", extra_env={"NPACCEL_EXECUTABLE_CACHE_SIZE": "1"})
    assert (report["memory_size"], report["compiles"], report["memory_hits"]) == (1, 3, 0)


def test_several_devices(tmp_path):
    # Two virtual CPU devices: a program compiled for one rejects a buffer on the other,
    # and the disk cache keeps the two programs apart (an executable stays on its device).
    code = """
        import json
        import numpy as np
        import npaccel._runtime as rt
        text = '''module { func.func public @main(%a: tensor<3xi32>) -> tensor<3xi32> {
          %0 = stablehlo.add %a, %a : tensor<3xi32>
          return %0 : tensor<3xi32> } }'''
        d0, d1 = rt.devices()
        x = np.array([1, 2, 3], np.int32)
        results = []
        for d in (d0, d1):
            module = rt.ir.Module.parse(text, rt.context())
            exe = rt.compile_module(module, [((3,), np.int32)], [((3,), np.int32)], device=d)
            (y,) = exe.execute([rt.device_put(x, d)])
            results.append(rt.to_host(y).tolist())
        try:
            exe.execute([rt.device_put(x, d0)])
        except ValueError as e:
            results.append(str(e))
        print(json.dumps({"results": results, "info": rt.cache_info()}))
    """
    flags = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    for expected in [(2, 0), (0, 2)]:
        report = _run_json(code, tmp_path, extra_env=flags)
        first, second, error = report["results"]
        np.testing.assert_array_equal(first, np.add([1, 2, 3], [1, 2, 3]))
        np.testing.assert_array_equal(second, first)
        assert "executable runs on" in error
        assert (report["info"]["compiles"], report["info"]["disk_hits"]) == expected
