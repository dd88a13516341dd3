"""The optimizer against ONNX Runtime's, on models written the way exporters write them (the
bundled samples and tests/python/exporter_models.py): for each model,

- `kiln-cli optimize --target portable` must leave no more nodes than ONNX Runtime's *basic*
  level, and `--target kiln` no more than its *extended* level (ORT's optimized models are saved
  with optimized_model_filepath and counted the same way);
- the portable result must load and run in ONNX Runtime, and the kiln result in Kiln, with
  outputs equal to the original's (ONNX Runtime, optimizations off) within rtol 1e-4 / atol 1e-5;
- every step is also checked numerically by kiln-cli itself (--verify).

Prints a table of node counts and ratios."""
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

from exporter_models import GENERATORS
from kiln_testlib import kiln_run_and_compare, make_feeds, ort_session, run_cli, sample_models

ort.set_default_logger_severity(3)
RTOL, ATOL = 1e-4, 1e-5


def count(path):
    return len(onnx.load(str(path), load_external_data=False).graph.node)


def check(model_path, work):
    """Returns (row of counts, list of failures)."""
    failures = []
    model = onnx.load(str(model_path))
    feeds, shape_args = make_feeds(model, work / "inputs")
    reference = ort_session(model_path)
    names = [o.name for o in reference.get_outputs()]
    expected = reference.run(None, feeds)
    row = {"original": len(model.graph.node)}
    for level in ("basic", "extended"):
        saved = work / f"ort_{level}.onnx"
        ort_session(model_path, level, saved)
        row[f"ort_{level}"] = count(saved)
    for target in ("portable", "kiln"):
        out = work / f"kiln_{target}.onnx"
        r = run_cli("optimize", model_path, "-o", out, "--target", target, "--verify", *shape_args, timeout=600)
        if r.returncode != 0:
            failures.append(f"optimize --target {target} exited {r.returncode}: {r.stderr.strip()}")
            row[target] = None
            continue
        row[target] = count(out)
        if target == "portable":
            try:
                got = ort_session(out).run(None, feeds)
                for name, g, e in zip(names, got, expected):
                    if g.shape != e.shape or not np.allclose(g, e, rtol=RTOL, atol=ATOL):
                        failures.append(f"portable output {name} differs in ONNX Runtime")
            except Exception as e:  # ORT refusing the model is a failure of the portable promise
                failures.append(f"ONNX Runtime cannot run the portable result: {e}")
        why = kiln_run_and_compare(out, work / "inputs", work / f"out_{target}", shape_args, names, expected, RTOL, ATOL)
        if why:
            failures.append(f"{target} result run by Kiln: {why}")
    if row["portable"] is not None and row["portable"] > row["ort_basic"]:
        failures.append(f"portable leaves {row['portable']} nodes, ONNX Runtime basic {row['ort_basic']}")
    if row["kiln"] is not None and row["kiln"] > row["ort_extended"]:
        failures.append(f"kiln leaves {row['kiln']} nodes, ONNX Runtime extended {row['ort_extended']}")
    return row, failures


def ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "-"


def main():
    failed = 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        models = list(sample_models())
        for name, make in GENERATORS.items():
            p = tmp / f"{name}.onnx"
            make(str(p))
            models.append(p)
        for k, m in enumerate(models):
            work = tmp / f"case{k}"
            work.mkdir()
            row, failures = check(m, work)
            rows.append((m.stem, row))
            for f in failures:
                print(f"{m.stem}: FAIL: {f}")
            failed += bool(failures)
    print(f"{'model':<20} {'original':>8} {'ort basic':>9} {'portable':>8} {'ratio':>6} {'ort ext':>8} {'kiln':>6} {'ratio':>6}")
    for name, r in rows:
        print(f"{name:<20} {r['original']:>8} {r['ort_basic']:>9} {str(r['portable']):>8} "
              f"{ratio(r['portable'], r['ort_basic']):>6} {r['ort_extended']:>8} {str(r['kiln']):>6} "
              f"{ratio(r['kiln'], r['ort_extended']):>6}")
    print(f"optimize vs onnxruntime: {len(rows) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
