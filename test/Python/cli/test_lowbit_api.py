"""``lowbit.import_onnx / calibrate / quantize / compile / reference / run``
end to end: a tiny conv+relu+gemm ONNX model built here, and the
fashion_mnist demo model."""

import json

import numpy as np
import pytest

import lowbit
from lowbit import LowBitError
from lowbit_cli_support import (FASHION, TINY_CLASSES, TINY_SHAPE, tiny_onnx,
                                tiny_samples)


def tiny_float_numpy(proto, x):
    """The tiny model in float64 numpy, from the ONNX initializers."""
    from onnx import numpy_helper
    init = {t.name: numpy_helper.to_array(t).astype(np.float64)
            for t in proto.graph.initializer}
    w, b, fw, fb = init["w"], init["b"], init["fw"], init["fb"]
    n = x.shape[0]
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
    conv = np.zeros((n, 4, 8, 8))
    for i in range(3):
        for j in range(3):
            conv += np.einsum("nchw,oc->nohw", xp[:, :, i:i + 8, j:j + 8],
                              w[:, :, i, j])
    conv += b[None, :, None, None]
    return np.maximum(conv, 0).reshape(n, -1) @ fw.T + fb


@pytest.fixture(scope="module")
def tiny():
    proto = tiny_onnx()
    model = lowbit.import_onnx(proto)
    samples = tiny_samples(32)
    stats = lowbit.calibrate(model, samples)
    qmodel = lowbit.quantize(model, stats)
    return proto, model, samples, stats, qmodel


def test_tiny_import_calibrate_quantize(tiny):
    proto, model, samples, stats, qmodel = tiny
    assert model.kind == "float"
    assert model.input_names == ["x"] and model.input_shapes == [TINY_SHAPE]
    assert model.output_shapes == [(1, TINY_CLASSES)]
    assert "tosa.conv2d" in model.mlir
    assert stats.samples == 32 and stats.method == "minmax"
    assert stats.path.is_file() and json.loads(stats.path.read_text()) == stats.data
    x = stats.values["x"]
    assert x["min"] == pytest.approx(float(samples.min()))
    assert x["max"] == pytest.approx(float(samples.max()))
    assert qmodel.kind == "quantized"
    assert "lowbit.conv2d" in qmodel.mlir and "lowbit.fully_connected" in qmodel.mlir
    assert qmodel.input_names == ["x"] and qmodel.input_shapes == [TINY_SHAPE]


def test_tiny_compiled_matches_numpy_and_reference(tiny):
    proto, model, samples, stats, qmodel = tiny
    fp32, int8 = lowbit.compile(model), lowbit.compile(qmodel)
    want = tiny_float_numpy(proto, samples)
    (got_f,) = lowbit.run(fp32, samples)
    (got_q,) = lowbit.run(int8, samples)
    assert got_f.shape == got_q.shape == (32, TINY_CLASSES)
    np.testing.assert_allclose(got_f, want, rtol=1e-4, atol=1e-4)
    spread = want.max() - want.min()
    assert np.abs(got_q - want).max() < 0.05 * spread
    # Threads change the schedule, never the result.
    (got_q2,) = lowbit.run(lowbit.compile(qmodel, threads=2), samples)
    assert got_q2.tobytes() == got_q.tobytes()
    for s in range(4):
        one = samples[s:s + 1]
        (native,) = int8(one)
        (ref,) = lowbit.reference(qmodel, one)
        assert native.dtype == ref.dtype == np.float32
        assert native.tobytes() == ref.tobytes(), s
        assert native.tobytes() == got_q[s:s + 1].tobytes()
    (ref_all,) = lowbit.run(qmodel, samples[:6])        # the reference, batched
    assert ref_all.tobytes() == got_q[:6].tobytes()


def test_sample_layouts_and_batch(tiny):
    proto, model, samples, stats, qmodel = tiny
    # [S, *input_shape] and [S, *input_shape[1:]] calibrate identically.
    stats2 = lowbit.calibrate(model, samples[:, None])
    assert stats2.values["x"]["range"] == stats.values["x"]["range"]
    int8 = lowbit.compile(qmodel)
    (stacked,) = lowbit.run(int8, samples[:3, None])     # [S, 1, 3, 8, 8]
    assert stacked.shape == (3, 1, TINY_CLASSES)
    (single,) = lowbit.run(int8, samples[:1])            # exactly the shape
    assert single.shape == (1, TINY_CLASSES)
    # A model imported with batch 4 runs [N, ...] in chunks of 4.
    model4 = lowbit.import_onnx(proto, batch=4)
    assert model4.input_shapes == [(4, 3, 8, 8)]
    fp32_4, fp32_1 = lowbit.compile(model4), lowbit.compile(model)
    (a,) = lowbit.run(fp32_4, samples[:8])
    (b,) = lowbit.run(fp32_1, samples[:8])
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    with pytest.raises(LowBitError, match="not a multiple of the model's batch 4"):
        lowbit.run(fp32_4, samples[:6])


def test_options_files_and_methods(tiny, tmp_path):
    proto, model, samples, stats, qmodel = tiny
    per_tensor = lowbit.quantize(model, stats, weights="per-tensor")
    assert per_tensor.mlir != qmodel.mlir
    assert "i8<-127:127>:f32:0," not in per_tensor.mlir   # no per-axis weights
    for method in ("percentile", "entropy", "mse"):
        s = lowbit.calibrate(model, samples, method=method, percentile=99.0)
        assert s.method == method
    path = qmodel.save(tmp_path / "q.mlir")
    loaded = lowbit.load(path)
    assert loaded.kind == "quantized" and loaded.input_shapes == [TINY_SHAPE]
    compiled = lowbit.compile(loaded, output=tmp_path / "q.so",
                              header=tmp_path / "q.h")
    assert (tmp_path / "q.so").is_file()
    assert "lowbit_model_info" in (tmp_path / "q.h").read_text()
    (a,) = compiled(samples[:1])
    (b,) = lowbit.CompiledModel(tmp_path / "q.so")(samples[:1])
    assert a.tobytes() == b.tobytes()
    assert lowbit.quantize(model, None).kind == "quantized"   # static ranges


@pytest.mark.parametrize("mutate,pattern", [
    (lambda s: s.astype(np.int32), "must be floating point (float32 or float64), got integer data (int32)"),
    (lambda s: s[:, :, :7], "shape [32,3,7,8] does not match input 'x' of shape [1,3,8,8]"),
    (lambda s: s[:0], "no calibration samples"),
    (lambda s: np.where(np.arange(s.size).reshape(s.shape) == 3 * 192 + 5, np.nan, s),
     "sample 3 of input 'x' contains NaN"),
    (lambda s: np.where(np.arange(s.size).reshape(s.shape) == 7 * 192, np.inf, s),
     "sample 7 of input 'x' contains an infinity"),
    (lambda s: s.astype(np.float64) * 1e300, "beyond the float32 range"),
])
def test_calibrate_rejects_bad_samples(tiny, mutate, pattern):
    model = tiny[1]
    with pytest.raises(LowBitError) as info:
        lowbit.calibrate(model, mutate(tiny_samples(32)))
    assert pattern in str(info.value)


def test_api_misuse_is_a_clear_error(tiny):
    proto, model, samples, stats, qmodel = tiny
    with pytest.raises(LowBitError, match="already quantized"):
        lowbit.quantize(qmodel, stats)
    with pytest.raises(LowBitError, match="already quantized"):
        lowbit.calibrate(qmodel, samples)
    with pytest.raises(LowBitError, match="float model; quantize it first"):
        lowbit.reference(model, samples[:1])
    with pytest.raises(LowBitError, match="weights must be per-channel or per-tensor"):
        lowbit.quantize(model, stats, weights="per-row")
    with pytest.raises(LowBitError, match="bits must be 8 or 16"):
        lowbit.quantize(model, stats, bits=3)
    with pytest.raises(LowBitError, match="unknown calibration method"):
        lowbit.calibrate(model, samples, method="median")
    with pytest.raises(LowBitError, match="has 1 input"):
        lowbit.calibrate(model, [samples, samples])
    with pytest.raises(LowBitError, match="expected shape"):
        lowbit.reference(qmodel, samples[:2])


def test_fashion_mnist_end_to_end():
    model = lowbit.import_onnx(FASHION / "model.onnx")
    stats = lowbit.calibrate(model, np.load(FASHION / "calib.npy"))
    qmodel = lowbit.quantize(model, stats, bits=8, weights="per-channel")
    int8, fp32 = lowbit.compile(qmodel), lowbit.compile(model)
    images = np.load(FASHION / "test_images.npy")
    labels = np.load(FASHION / "test_labels.npy")
    (q_logits,) = lowbit.run(int8, images)
    (f_logits,) = lowbit.run(fp32, images)
    top1_q = (q_logits.argmax(-1) == labels).mean() * 100
    top1_f = (f_logits.argmax(-1) == labels).mean() * 100
    reference = json.loads((FASHION / "reference_accuracy.json").read_text())
    assert top1_f == pytest.approx(100 * reference["float32"]["test_1000"], abs=0.11)
    assert abs(top1_q - top1_f) <= 1.0, (top1_q, top1_f)
    for i in (0, 1, 17, 999):
        (ref,) = lowbit.reference(qmodel, images[i:i + 1])
        assert ref.tobytes() == q_logits[i:i + 1].tobytes(), i


def test_reference_runs_float_data_movement_left_by_fusion():
    """tosa.const_shape / slice / transpose / reshape, which lowbit-fuse
    leaves in float between dcast and qcast (the fashion_mnist model's input
    transpose and floor-mode pool crop), run in the reference exactly."""
    f32 = {"kind": "float", "bits": 32}
    shape_t = {"element": {"kind": "unknown"}, "shape": []}

    def op(name, operands, result, shape, attrs, rtype=None):
        return {"op": name, "loc": f"t.mlir:{result}", "operands": operands,
                "results": [result], "attributes": attrs,
                "result_types": [rtype or {"shape": shape, "element": f32}]}

    desc = {"entry": "m", "returns": ["r"],
            "arguments": [{"id": "x", "name": "x",
                           "type": {"shape": [2, 3, 4, 5], "element": f32}}],
            "ops": [
                op("tosa.const_shape", [], "start", None,
                   {"values": "dense<1> : tensor<4xindex>"}, shape_t),
                op("tosa.const_shape", [], "size", None,
                   {"values": "dense<[1, 2, 3, 4]> : tensor<4xindex>"}, shape_t),
                op("tosa.slice", ["x", "start", "size"], "s", [1, 2, 3, 4], {}),
                op("tosa.transpose", ["s"], "t", [4, 1, 2, 3],
                   {"perms": "array<i32: 3, 0, 1, 2>"}),
                op("tosa.const_shape", [], "shape", None,
                   {"values": "dense<[4, 6]> : tensor<2xindex>"}, shape_t),
                op("tosa.reshape", ["t", "shape"], "r", [4, 6], {}),
            ]}
    x = np.arange(120, dtype=np.float32).reshape(2, 3, 4, 5)
    (got,) = lowbit.Interpreter(desc).run(x)
    want = x[1:2, 1:3, 1:4, 1:5].transpose(3, 0, 1, 2).reshape(4, 6)
    assert got.dtype == np.float32 and got.tolist() == want.tolist()
