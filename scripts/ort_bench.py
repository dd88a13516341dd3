#!/usr/bin/env python3
"""Latency of one model in ONNX Runtime, for `kiln-cli bench --compare-ort`.

usage: ort_bench.py MODEL INPUT_DIR --threads N --iters N --warmup N

INPUT_DIR holds manifest.json ({"input name": "file.npy", ...}) and the .npy files: the same
seeded inputs Kiln ran. Prints one JSON object on stdout: the latencies in ms, or {"error": ...}
with exit code 3 when onnxruntime is not installed and 4 when the model does not run.
"""
import argparse
import json
import sys
import time
from pathlib import Path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("inputs")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iters", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=3)
    a = ap.parse_args()
    try:
        import numpy as np
        import onnxruntime as ort
    except ImportError as e:
        print(json.dumps({"error": f"ONNX Runtime is not installed ({e}); pip install onnxruntime numpy"}))
        return 3
    try:
        so = ort.SessionOptions()
        so.intra_op_num_threads = a.threads
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        sess = ort.InferenceSession(a.model, so, providers=["CPUExecutionProvider"])
        manifest = json.loads((Path(a.inputs) / "manifest.json").read_text())
        feeds = {name: np.load(Path(a.inputs) / f) for name, f in manifest.items()}
        # The same warm-up rule as Kiln's: the given count, and at least 0.2 s.
        start, done = time.perf_counter(), 0
        while done < max(1, a.warmup) or time.perf_counter() - start < 0.2:
            sess.run(None, feeds)
            done += 1
        times = []
        for _ in range(max(1, a.iters)):
            t0 = time.perf_counter()
            sess.run(None, feeds)
            times.append((time.perf_counter() - t0) * 1000.0)
    except Exception as e:  # the model or its inputs are refused: report, do not trace back
        print(json.dumps({"error": f"ONNX Runtime could not run the model: {e}"}))
        return 4
    times.sort()
    pct = lambda q: float(np.percentile(times, q))
    print(json.dumps({"ort_version": ort.__version__, "threads": a.threads, "iterations": len(times),
                      "graph_optimization": "ORT_ENABLE_ALL (its default)",
                      "min": times[0], "p10": pct(10), "p50": pct(50), "p90": pct(90), "max": times[-1]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
