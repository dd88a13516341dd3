"""Parity: `kiln-cli run` (reference runtime) against ONNX Runtime (graph optimizations off) on
the bundled samples and a few models generated here with onnx.helper, on the same seeded random
inputs saved as input_N.pb. A model kiln-cli reports unsupported ops for is skipped, with why;
any numeric mismatch (rtol 1e-4, atol 1e-5) fails."""
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from exporter_models import GENERATORS
from kiln_testlib import kiln_run_and_compare, make_feeds, ort_session, sample_models

ort.set_default_logger_severity(3)
RTOL, ATOL = 1e-4, 1e-5


def small_cnn(path):
    rng = np.random.default_rng(3)

    def w(name, *shape):
        return numpy_helper.from_array((rng.standard_normal(shape) * 0.2).astype(np.float32), name)

    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "w2", "b2"], ["c2"], pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("GlobalAveragePool", ["r2"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"]),
        helper.make_node("Gemm", ["f", "fc", "fcb"], ["logits"], transB=1),
        helper.make_node("Softmax", ["logits"], ["probs"], axis=1),
    ]
    graph = helper.make_graph(
        nodes, "small_cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, 16, 16])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["batch", 5])],
        [w("w1", 8, 3, 3, 3), w("b1", 8), w("w2", 16, 8, 3, 3), w("b2", 16), w("fc", 5, 16), w("fcb", 5)])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def ocr_style(path):
    """A DBNet-like text detector head: strided convs with HardSwish, an upsampling Resize that
    merges scales, and a ConvTranspose that restores full resolution."""
    rng = np.random.default_rng(5)

    def w(name, *shape):
        return numpy_helper.from_array((rng.standard_normal(shape) * 0.2).astype(np.float32), name)

    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("HardSwish", ["c1"], ["h1"]),
        helper.make_node("Conv", ["h1", "w2", "b2"], ["c2"], pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("HardSwish", ["c2"], ["h2"]),
        helper.make_node("Resize", ["h2", "", "scales"], ["up"], mode="linear",
                         coordinate_transformation_mode="half_pixel"),
        helper.make_node("Concat", ["h1", "up"], ["cat"], axis=1),
        helper.make_node("Resize", ["cat", "", "scales"], ["up_nn"], mode="nearest",
                         coordinate_transformation_mode="asymmetric", nearest_mode="floor"),
        helper.make_node("Conv", ["up_nn", "w3", "b3"], ["c3"], pads=[1, 1, 1, 1]),
        helper.make_node("HardSigmoid", ["c3"], ["hs"]),
        helper.make_node("ConvTranspose", ["hs", "wt", "bt"], ["ct"], strides=[2, 2],
                         pads=[1, 1, 1, 1], output_padding=[1, 1]),
        helper.make_node("Sigmoid", ["ct"], ["prob"]),
    ]
    graph = helper.make_graph(
        nodes, "ocr_style",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, 32, 64])],
        [helper.make_tensor_value_info("prob", TensorProto.FLOAT, None)],
        [w("w1", 8, 3, 3, 3), w("b1", 8), w("w2", 8, 8, 3, 3), w("b2", 8),
         numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales"),
         w("w3", 8, 16, 3, 3), w("b3", 8), w("wt", 8, 1, 3, 3), w("bt", 1)])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def small_mlp_with_if(path):
    """MatMul + Add + Tanh, then an If on a computed condition (a control-flow smoke test)."""
    rng = np.random.default_rng(4)
    w = numpy_helper.from_array(rng.standard_normal((6, 4)).astype(np.float32), "w")
    then_g = helper.make_graph([helper.make_node("Relu", ["h"], ["t_out"])], "then", [],
                               [helper.make_tensor_value_info("t_out", TensorProto.FLOAT, None)])
    else_g = helper.make_graph([helper.make_node("Neg", ["h"], ["e_out"])], "else", [],
                               [helper.make_tensor_value_info("e_out", TensorProto.FLOAT, None)])
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["mm"]),
        helper.make_node("Tanh", ["mm"], ["h"]),
        helper.make_node("ReduceSum", ["h"], ["s"], keepdims=0),
        helper.make_node("Greater", ["s", "zero"], ["c"]),
        helper.make_node("If", ["c"], ["y"], then_branch=then_g, else_branch=else_g),
    ]
    zero = numpy_helper.from_array(np.array(0, dtype=np.float32), "zero")
    graph = helper.make_graph(nodes, "mlp_if",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 6])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4])], [w, zero])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)


def check(model_path, work):
    """Returns 'passed', 'skipped: ...' or 'failed: ...'."""
    model = onnx.load(str(model_path))
    feeds, shape_args = make_feeds(model, work / "inputs")
    sess = ort_session(model_path)
    expected = sess.run(None, feeds)
    names = [o.name for o in sess.get_outputs()]
    why = kiln_run_and_compare(model_path, work / "inputs", work / "outputs", shape_args, names, expected, RTOL, ATOL)
    if why is None:
        return "passed"
    if "unsupported" in why:
        return "skipped: " + why
    return "failed: " + why


def main():
    passed = failed = skipped = 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        models = list(sample_models())
        generated = [("small_cnn", small_cnn), ("ocr_style", ocr_style), ("mlp_if", small_mlp_with_if)]
        generated += [(f"exported_{k}", make) for k, make in GENERATORS.items()]
        for name, make in generated:
            p = tmp / f"{name}.onnx"
            make(str(p))
            models.append(p)
        for k, m in enumerate(models):
            work = tmp / f"case{k}"
            work.mkdir()
            result = check(m, work)
            print(f"{m.stem}: {result}")
            if result == "passed":
                passed += 1
            elif result.startswith("skipped"):
                skipped += 1
            else:
                failed += 1
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
