"""Compiling hand-built StableHLO and executing it, with arguments checked before XLA."""

import ml_dtypes
import numpy as np
import pytest

import npaccel._runtime as rt
from npaccel._runtime import context, func, hlo, ir, ir_tensor_type


def _module(arg_types, body):
    """A module whose public @main takes `arg_types` and returns body(*arguments)."""
    with context(), ir.Location.unknown():
        module = ir.Module.create()
        types = [ir_tensor_type(shape, dtype) for shape, dtype in arg_types]
        with ir.InsertionPoint(module.body):
            results = _main(types, body)
        return module, results


def _main(types, body):
    # The result types are only known once the body has been built, so the function type
    # is set afterwards.
    main = func.FuncOp("main", ir.FunctionType.get(types, []))
    main.attributes["sym_visibility"] = ir.StringAttr.get("public")
    block = main.add_entry_block()
    with ir.InsertionPoint(block):
        results = list(body(*block.arguments))
        func.ReturnOp(results)
    main.attributes["function_type"] = ir.TypeAttr.get(
        ir.FunctionType.get(types, [r.type for r in results]))
    return results


def _compile(arg_types, out_types, body):
    module, _ = _module(arg_types, body)
    return rt.compile_module(module, arg_types, out_types)


def _add(shape, dtype):
    types = [(shape, np.dtype(dtype))] * 2
    return _compile(types, types[:1], lambda a, b: [hlo.AddOp(a, b).result])


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.uint8, np.complex128])
@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 3)], ids=str)
def test_add_matches_numpy(shape, dtype):
    rng = np.random.default_rng(0)
    x, y = (rng.uniform(-9, 9, shape).astype(dtype) for _ in range(2))
    (out,) = _add(shape, dtype).execute([rt.device_put(x), rt.device_put(y)])
    expected = np.add(x, y)
    result = rt.to_host(out)
    assert result.dtype == expected.dtype and result.shape == expected.shape
    np.testing.assert_allclose(result, expected, rtol=1e-6)


def test_results_feed_another_execute():
    exe = _add((4,), np.float64)
    x = np.linspace(-1, 1, 4)
    (once,) = exe.execute([rt.device_put(x)] * 2)
    (twice,) = exe.execute([once, once])
    np.testing.assert_allclose(rt.to_host(twice), (x + x) + (x + x))


def test_several_results_and_mixed_dtypes():
    f32, i32 = ((3,), np.dtype(np.float32)), ((), np.dtype(np.int32))
    exe = _compile([f32, i32], [f32, i32], lambda a, n: [hlo.MulOp(a, a).result, n])
    x = np.array([1.5, -2.0, 3.0], np.float32)
    out = exe.execute([rt.device_put(x), rt.device_put(np.int32(4))])
    np.testing.assert_allclose(rt.to_host(out[0]), np.multiply(x, x))
    np.testing.assert_array_equal(rt.to_host(out[1]), np.int32(4))


def test_no_arguments():
    exe = _compile([], [((2,), np.dtype(np.int64))], lambda: [hlo.ConstantOp(
        ir.DenseElementsAttr.get(np.array([3, -4], np.int64))).result])
    (out,) = exe.execute([])
    np.testing.assert_array_equal(rt.to_host(out), np.array([3, -4]))


def test_hlo_text_is_optimized_hlo():
    text = _add((3,), np.float32).hlo_text()
    assert text.startswith("HloModule") and "add" in text


def test_executable_records_its_types():
    exe = _add((2,), np.int16)
    assert exe.in_types == (((2,), np.dtype(np.int16)),) * 2
    assert exe.out_types == (((2,), np.dtype(np.int16)),)


# -- arguments are checked before XLA sees them (XLA would print E-lines to stderr) ----------

def _bad_call(capfd, exe, args, error, match):
    capfd.readouterr()
    with pytest.raises(error, match=match):
        exe.execute(args)
    assert capfd.readouterr().err == ""


@pytest.fixture
def add_f32():
    return _add((3,), np.float32)


def test_wrong_argument_count(capfd, add_f32):
    x = rt.device_put(np.zeros(3, np.float32))
    _bad_call(capfd, add_f32, [x], TypeError, "takes 2 argument")
    _bad_call(capfd, add_f32, [x, x, x], TypeError, "takes 2 argument")


def test_wrong_dtype(capfd, add_f32):
    x = rt.device_put(np.zeros(3, np.float32))
    y = rt.device_put(np.zeros(3, np.float64))
    _bad_call(capfd, add_f32, [x, y], TypeError, r"argument 1 is float64\[3\], expected float32\[3\]")


def test_wrong_shape(capfd, add_f32):
    x = rt.device_put(np.zeros(3, np.float32))
    y = rt.device_put(np.zeros((1, 3), np.float32))
    _bad_call(capfd, add_f32, [y, x], TypeError, r"argument 0 is float32\[1,3\]")


@pytest.mark.parametrize("arg", [np.zeros(3, np.float32), None, 1.0], ids=repr)
def test_non_buffer_argument(capfd, add_f32, arg):
    x = rt.device_put(np.zeros(3, np.float32))
    _bad_call(capfd, add_f32, [x, arg], TypeError, "argument 1 must be a device buffer")


def test_deleted_argument(capfd, add_f32):
    x = rt.device_put(np.zeros(3, np.float32))
    y = rt.device_put(np.zeros(3, np.float32))
    y.delete()
    _bad_call(capfd, add_f32, [x, y], RuntimeError, "argument 1 is a deleted")


def test_argument_not_made_by_runtime(capfd, add_f32):
    x = rt.device_put(np.zeros(3, np.float32))
    bare = x._arrays[0]  # jaxlib's own single-device piece carries no aval
    _bad_call(capfd, add_f32, [x, bare], TypeError, "not made by npaccel")


# -- compile-time checks -------------------------------------------------------------------

def test_declared_types_must_match_main():
    module, _ = _module([((3,), np.float32)] * 2, lambda a, b: [hlo.AddOp(a, b).result])
    with pytest.raises(TypeError, match="do not match"):
        rt.compile_module(module, [((3,), np.float64)] * 2, [((3,), np.float64)])
    with pytest.raises(TypeError, match="do not match"):
        rt.compile_module(module, [((3,), np.float32)] * 2, [])


def test_declared_types_checked_on_memory_hit():
    types = [((4,), np.dtype(np.float32))] * 2
    module, _ = _module(types, lambda a, b: [hlo.SubtractOp(a, b).result])
    rt.compile_module(module, types, types[:1])
    with pytest.raises(TypeError, match="do not match"):
        rt.compile_module(module, types, [((4,), np.int32)])


def test_module_without_main():
    module = ir.Module.parse("module { func.func public @other() -> () { return } }", context())
    with pytest.raises(ValueError, match="no func.func @main"):
        rt.compile_module(module, [], [])


def test_compile_for_foreign_device():
    module, _ = _module([], lambda: [])
    with pytest.raises(ValueError, match="not a device"):
        rt.compile_module(module, [], [], device="cpu:0")


def test_compile_needs_a_module():
    with pytest.raises(TypeError, match="ir.Module"):
        rt.compile_module("module {}", [], [])


def test_unsupported_declared_dtype():
    module, _ = _module([], lambda: [])
    with pytest.raises(TypeError, match="not supported"):
        rt.compile_module(module, [((2,), np.dtype("U2"))], [])


# -- the MLIR helpers ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype, spelling", [
    (np.bool_, "i1"), (np.int8, "i8"), (np.int64, "i64"), (np.uint16, "ui16"),
    (np.uint64, "ui64"), (np.float16, "f16"), (ml_dtypes.bfloat16, "bf16"), (np.float64, "f64"),
    (np.complex64, "complex<f32>"), (np.complex128, "complex<f64>")])
def test_ir_element_type(dtype, spelling):
    with context():
        assert str(rt.ir_element_type(dtype)) == spelling
        assert str(ir_tensor_type((2, 0), dtype)) == f"tensor<2x0x{spelling}>"
        assert str(ir_tensor_type((), dtype)) == f"tensor<{spelling}>"


def test_context_is_one_object_with_dialects_loaded():
    assert rt.context() is rt.context()
    text = "module { func.func public @main(%a: tensor<f32>) -> tensor<f32> { " \
           "%0 = chlo.erf %a : tensor<f32> -> tensor<f32> \n return %0 : tensor<f32> } }"
    assert "chlo.erf" in str(ir.Module.parse(text, rt.context()))
