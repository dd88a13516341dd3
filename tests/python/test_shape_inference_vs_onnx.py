#!/usr/bin/env python3
"""Oracle test: Kiln's shape inference against ONNX's.

For every model of ONNX's backend test data (node, pytorch-converted, pytorch-operator, simple) and
every $KILN_SAMPLES_DIR/*.onnx, the model is stripped of its value_info and of its graph outputs'
types (inputs and initializers stay), then typed twice:
  - by onnx.shape_inference.infer_shapes(strict_mode=False, data_prop=True), and
  - by `$KILN_CLI dump-types`, which prints `NAME<TAB>TYPE` per value after Kiln's infer_shapes.
Every value a node produces is compared where both give a tensor type: element types must match,
ranks must match where both know them, and dims must match where both give numbers. Kiln's types
of the graph outputs are also checked against the types the model declared before stripping
(in the test data those are the shapes the reference outputs really have).

Prints a summary table; exits non-zero on any disagreement (listing the first 30).
"""
import glob
import os
import subprocess
import sys
import tempfile

import onnx
from onnx import shape_inference

DTYPES = {
    "undef": 0, "f32": 1, "u8": 2, "i8": 3, "u16": 4, "i16": 5, "i32": 6, "i64": 7, "str": 8,
    "bool": 9, "f16": 10, "f64": 11, "u32": 12, "u64": 13, "c64": 14, "c128": 15, "bf16": 16,
    "f8e4m3fn": 17, "f8e4m3fnuz": 18, "f8e5m2": 19, "f8e5m2fnuz": 20, "u4": 21, "i4": 22,
    "f4e2m1": 23,
}
FOLDERS = ("node", "pytorch-converted", "pytorch-operator", "simple")
MAX_LISTED = 30


class TensorType:
    """Element type (0 = unknown) and dims (None = rank unknown; each dim an int or None)."""

    def __init__(self, elem, dims):
        self.elem = elem
        self.dims = dims

    def __str__(self):
        inv = {v: k for k, v in DTYPES.items()}
        shape = "[*]" if self.dims is None else "[" + ",".join(
            "?" if d is None else str(d) for d in self.dims) + "]"
        return inv.get(self.elem, str(self.elem)) + shape


def parse_kiln_type(text):
    """`f32[1,batch,?]` -> TensorType; None for unknown or non-tensor types."""
    if "[" not in text or not text.endswith("]"):
        return None
    name, rest = text.split("[", 1)
    if name not in DTYPES:
        return None
    body = rest[:-1]
    if body == "*":
        return TensorType(DTYPES[name], None)
    dims = []
    for d in body.split(",") if body else []:
        dims.append(int(d) if d.isdigit() else None)
    return TensorType(DTYPES[name], dims)


def onnx_tensor_type(type_proto):
    if not type_proto.HasField("tensor_type"):
        return None
    tt = type_proto.tensor_type
    if not tt.HasField("shape"):
        dims = None
    else:
        dims = [d.dim_value if d.HasField("dim_value") else None for d in tt.shape.dim]
    if tt.elem_type == 0 and dims is None:
        return None
    return TensorType(tt.elem_type, dims)


def compare(a, b):
    """None when consistent, else a reason."""
    if a.elem and b.elem and a.elem != b.elem:
        return "element type"
    if a.dims is not None and b.dims is not None:
        if len(a.dims) != len(b.dims):
            return "rank"
        for x, y in zip(a.dims, b.dims):
            if x is not None and y is not None and x != y:
                return "dim"
    return None


def known_dims(t):
    return 0 if t is None or t.dims is None else sum(d is not None for d in t.dims)


def run_kiln(cli, path):
    proc = subprocess.run([cli, "dump-types", path], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else
                           f"exit code {proc.returncode}")
    types = {}
    for line in proc.stdout.splitlines():
        name, _, t = line.rpartition("\t")
        types[name] = parse_kiln_type(t)
    return types


def model_paths():
    root = os.environ.get("KILN_ONNX_TESTDATA_DIR", "/usr/share/libonnx-testdata/data")
    for folder in FOLDERS:
        for p in sorted(glob.glob(os.path.join(root, folder, "*", "model.onnx"))):
            yield folder, p
    samples = os.environ.get("KILN_SAMPLES_DIR")
    if samples and os.path.isdir(samples):
        for p in sorted(glob.glob(os.path.join(samples, "*.onnx"))):
            yield "samples", p


class Tally:
    FIELDS = ("models", "onnx_rejected", "kiln_failed", "agree", "disagree", "only_kiln",
              "only_onnx", "neither", "kiln_more_dims", "onnx_more_dims", "declared_agree",
              "declared_disagree")

    def __init__(self):
        for f in self.FIELDS:
            setattr(self, f, 0)

    def add(self, other):
        for f in self.FIELDS:
            setattr(self, f, getattr(self, f) + getattr(other, f))


def check_model(cli, path, tmpdir, tally, problems, notes):
    model = onnx.load(path, load_external_data=False)
    graph = model.graph
    declared = {o.name: onnx_tensor_type(o.type) for o in graph.output}
    del graph.value_info[:]
    for o in graph.output:
        o.ClearField("type")
    stripped = os.path.join(tmpdir, "stripped.onnx")
    onnx.save(model, stripped)
    try:
        inferred = shape_inference.infer_shapes(model, strict_mode=False, data_prop=True)
    except Exception as e:  # ONNX refuses some valid-looking models; they prove nothing here
        tally.onnx_rejected += 1
        notes.append(f"{path}: ONNX inference rejected it: {str(e).splitlines()[0][:160]}")
        return
    onnx_types = {}
    for vi in list(inferred.graph.value_info) + list(inferred.graph.output):
        onnx_types[vi.name] = onnx_tensor_type(vi.type)
    try:
        kiln_types = run_kiln(cli, stripped)
    except Exception as e:
        tally.kiln_failed += 1
        problems.append(f"{path}: kiln-cli dump-types failed: {e}")
        return
    tally.models += 1
    produced = [o for n in graph.node for o in n.output if o]
    for name in produced:
        o = onnx_types.get(name)
        k = kiln_types.get(name)
        if o is not None and k is not None:
            why = compare(k, o)
            if why:
                tally.disagree += 1
                problems.append(f"{path}: '{name}': {why}: kiln {k} vs onnx {o}")
            else:
                tally.agree += 1
                kd, od = known_dims(k), known_dims(o)
                tally.kiln_more_dims += kd > od
                tally.onnx_more_dims += od > kd
                if od > kd:
                    notes.append(f"{path}: '{name}': onnx knows more: kiln {k} vs onnx {o}")
        elif k is not None:
            tally.only_kiln += 1
        elif o is not None:
            tally.only_onnx += 1
            notes.append(f"{path}: '{name}': only onnx: {o}")
        else:
            tally.neither += 1
    for name, d in declared.items():
        k = kiln_types.get(name)
        if d is None or k is None:
            continue
        why = compare(k, d)
        if why:
            tally.declared_disagree += 1
            problems.append(f"{path}: output '{name}': {why}: kiln {k} vs declared {d}")
        else:
            tally.declared_agree += 1


def main():
    cli = os.environ.get("KILN_CLI")
    if not cli or not os.access(cli, os.X_OK):
        print("KILN_CLI must name the kiln-cli binary", file=sys.stderr)
        return 2
    verbose = "-v" in sys.argv
    tallies = {}
    problems, notes = [], []
    with tempfile.TemporaryDirectory() as tmpdir:
        for folder, path in model_paths():
            t = tallies.setdefault(folder, Tally())
            try:
                check_model(cli, path, tmpdir, t, problems, notes)
            except Exception as e:
                problems.append(f"{path}: {type(e).__name__}: {e}")
    total = Tally()
    for t in tallies.values():
        total.add(t)
    rows = list(tallies.items()) + [("total", total)]
    header = ("set", "models", "onnx-rej", "kiln-fail", "agree", "disagree", "only-kiln",
              "only-onnx", "neither", "kiln+dims", "onnx+dims", "decl-ok", "decl-bad")
    print(("{:<18}" + "{:>10}" * (len(header) - 1)).format(*header))
    for name, t in rows:
        print(("{:<18}" + "{:>10}" * (len(header) - 1)).format(
            name, t.models, t.onnx_rejected, t.kiln_failed, t.agree, t.disagree, t.only_kiln,
            t.only_onnx, t.neither, t.kiln_more_dims, t.onnx_more_dims, t.declared_agree,
            t.declared_disagree))
    if verbose:
        for n in notes:
            print("note:", n)
    if problems:
        print(f"\n{len(problems)} problems; the first {min(len(problems), MAX_LISTED)}:")
        for p in problems[:MAX_LISTED]:
            print("  " + p)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
