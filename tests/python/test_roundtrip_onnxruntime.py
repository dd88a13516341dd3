"""Round trip: `kiln-cli export` of every ONNX test-data model (import, then export) gives a model
that ONNX's checker accepts (whenever it accepts the original) and whose outputs, run by ONNX
Runtime on the case's own inputs, equal the original's bit for bit wherever ONNX Runtime runs the
original."""
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

from kiln_testlib import finish, run_cli, sample_models, testdata_models

ort.set_default_logger_severity(3)


def load_inputs(model, case_dir):
    """Feeds of test_data_set_0, or seeded random data for the bundled samples."""
    graph_inputs = [i for i in model.graph.input
                    if i.name not in {t.name for t in model.graph.initializer}]
    feeds = {}
    data_dir = case_dir / "test_data_set_0"
    if data_dir.is_dir():
        for i, vi in enumerate(graph_inputs):
            f = data_dir / f"input_{i}.pb"
            if not f.exists():
                continue
            raw = f.read_bytes()
            kind = vi.type.WhichOneof("value")
            if kind == "tensor_type":
                t = onnx.TensorProto()
                t.ParseFromString(raw)
                feeds[vi.name] = numpy_helper.to_array(t)
            elif kind == "sequence_type":
                s = onnx.SequenceProto()
                s.ParseFromString(raw)
                feeds[vi.name] = numpy_helper.to_list(s)
            elif kind == "optional_type":
                o = onnx.OptionalProto()
                o.ParseFromString(raw)
                feeds[vi.name] = numpy_helper.to_optional(o)
            else:
                return None
        return feeds
    rng = np.random.default_rng(0)
    for vi in graph_inputs:
        tt = vi.type.tensor_type
        shape = [d.dim_value if d.HasField("dim_value") else 1 for d in tt.shape.dim]
        dtype = onnx.helper.tensor_dtype_to_np_dtype(tt.elem_type)
        feeds[vi.name] = rng.standard_normal(shape).astype(dtype)
    return feeds


def run(path, feeds):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


def bit_equal(a, b):
    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(
            bit_equal(x, y) for x, y in zip(a, b))
    if a is None or b is None:
        return a is None and b is None
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind in "fc":
        return a.tobytes() == b.tobytes() or np.array_equal(a, b, equal_nan=True)
    return np.array_equal(a, b)


def check(item, tmp):
    name, path = item
    out = Path(tmp) / (name.replace("/", "__") + ".onnx")
    r = run_cli("export", path, "-o", out)
    if r.returncode != 0:
        return "fail", f"{name}: export exited {r.returncode}: {r.stderr.strip()}"
    original = onnx.load(str(path))
    try:
        onnx.checker.check_model(original)
        original_valid = True
    except Exception:
        original_valid = False
    if original_valid:
        try:
            onnx.checker.check_model(onnx.load(str(out)))
        except Exception as e:
            return "fail", f"{name}: checker rejects the export: {str(e).splitlines()[0]}"
    feeds = load_inputs(original, Path(path).parent)
    if feeds is None:
        return "skip", f"{name}: inputs of a kind this test cannot feed"
    try:
        want = run(path, feeds)
    except Exception:
        return "skip", f"{name}: ONNX Runtime does not run the original"
    try:
        got = run(out, feeds)
    except Exception as e:
        return "fail", f"{name}: ONNX Runtime runs the original but not the export: {str(e).splitlines()[0]}"
    if len(got) != len(want) or not all(bit_equal(w, g) for w, g in zip(want, got)):
        return "fail", f"{name}: outputs differ from the original's"
    return "pass", name


def main():
    items = testdata_models() + [(p.name, p) for p in sample_models()]
    if not items:
        finish("roundtrip", 0, 1)
    with tempfile.TemporaryDirectory() as tmp:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda it: check(it, tmp), items))
    fails = [m for s, m in results if s == "fail"]
    skips = [m for s, m in results if s == "skip"]
    for m in fails[:60]:
        print("FAIL", m)
    print(f"skipped (ONNX Runtime cannot run the original or its inputs): {len(skips)}")
    finish("roundtrip", sum(1 for s, _ in results if s == "pass"), len(fails), len(skips))


if __name__ == "__main__":
    sys.exit(main())
