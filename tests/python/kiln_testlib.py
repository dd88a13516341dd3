"""Shared helpers for Kiln's Python oracle tests (run by ctest with KILN_CLI set)."""
import os
import subprocess
import sys
from pathlib import Path

TESTDATA = Path(os.environ.get("KILN_ONNX_TESTDATA_DIR", "/usr/share/libonnx-testdata/data"))
SUITES = ["node", "pytorch-converted", "pytorch-operator", "simple"]


def kiln_cli():
    cli = os.environ.get("KILN_CLI")
    if not cli or not Path(cli).exists():
        sys.exit("KILN_CLI must point to the kiln-cli binary")
    return cli


def testdata_models():
    """Every model.onnx of the ONNX backend test data, as (case name, path)."""
    out = []
    for suite in SUITES:
        d = TESTDATA / suite
        if not d.is_dir():
            continue
        for case in sorted(d.iterdir()):
            m = case / "model.onnx"
            if m.is_file():
                out.append((f"{suite}/{case.name}", m))
    return out


def sample_models():
    d = Path(os.environ.get("KILN_SAMPLES_DIR", ""))
    return sorted(d.glob("*.onnx")) if d.is_dir() else []


def run_cli(*args, timeout=120):
    return subprocess.run([kiln_cli(), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def finish(name, passed, failed, skipped=0):
    """Prints the closing line ctest logs show and exits non-zero on any failure."""
    print(f"{name}: {passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed else 0)


def concrete(dims):
    """Concrete dims for a declared shape: symbolic batch dims become 2, other symbols 16."""
    out = []
    for d in dims:
        if d.HasField("dim_value"):
            out.append(d.dim_value)
        else:
            out.append(2 if "batch" in d.dim_param else 16)
    return out


def make_feeds(model, in_dir, seed=0):
    """Seeded inputs for every graph input without an initializer, written as input_N.pb in
    in_dir. Returns (feeds by name, kiln-cli --shape arguments)."""
    import numpy as np
    from onnx import helper, numpy_helper
    inits = {t.name for t in model.graph.initializer}
    rng = np.random.default_rng(seed)
    in_dir.mkdir(parents=True, exist_ok=True)
    feeds, shape_args = {}, []
    for i, vi in enumerate(i for i in model.graph.input if i.name not in inits):
        tt = vi.type.tensor_type
        shape = concrete(tt.shape.dim)
        dtype = helper.tensor_dtype_to_np_dtype(tt.elem_type)
        if np.issubdtype(dtype, np.floating):
            arr = rng.uniform(-1, 1, shape).astype(dtype)
        elif dtype == np.bool_ or "mask" in vi.name:
            arr = rng.integers(0, 2, shape).astype(dtype)
        else:
            arr = rng.integers(0, 10, shape).astype(dtype)
        feeds[vi.name] = arr
        (in_dir / f"input_{i}.pb").write_bytes(numpy_helper.from_array(arr, vi.name).SerializeToString())
        if shape:
            shape_args += ["--shape", f"{vi.name}={'x'.join(map(str, shape))}"]
    return feeds, shape_args


def ort_session(model_path, level="disable", save_to=None):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.graph_optimization_level = {
        "disable": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
        "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
        "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    }[level]
    if save_to:
        so.optimized_model_filepath = str(save_to)
    return ort.InferenceSession(str(model_path), so, providers=["CPUExecutionProvider"])


def kiln_run_and_compare(model_path, in_dir, out_dir, shape_args, names, expected, rtol, atol):
    """Runs the model with kiln-cli on the inputs in in_dir and compares every output with
    `expected` (arrays, in output order). Returns None when all agree, else why not."""
    import numpy as np
    import onnx
    from onnx import numpy_helper
    r = run_cli("run", model_path, "--inputs", in_dir, "--outputs", out_dir, *shape_args, timeout=600)
    if r.returncode != 0:
        return "kiln-cli run exited " + str(r.returncode) + ": " + r.stderr.strip()
    for i, (name, exp) in enumerate(zip(names, expected)):
        f = out_dir / f"output_{i}.pb"
        if not f.exists():
            return f"{f.name} was not written"
        t = onnx.TensorProto()
        t.ParseFromString(f.read_bytes())
        got = numpy_helper.to_array(t)
        if t.name != name:
            return f"output {i} is named {t.name!r}, expected {name!r}"
        if got.shape != exp.shape or got.dtype != exp.dtype:
            return f"output {name}: {got.dtype}{list(got.shape)} vs expected {exp.dtype}{list(exp.shape)}"
        if not np.allclose(got, exp, rtol=rtol, atol=atol, equal_nan=True):
            err = np.max(np.abs(got.astype(np.float64) - exp.astype(np.float64)))
            return f"output {name}: max abs error {err:.3g}"
    return None
