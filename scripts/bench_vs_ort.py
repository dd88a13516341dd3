#!/usr/bin/env python3
"""End-to-end latency of Kiln's CPU backend against ONNX Runtime on the same models, inputs and
thread count, in one run.

For each of resnet_style (unfused BatchNorm), mobilenetv2_style and bert_style (4 layers, hidden
256, 4 heads, sequence 128) from tests/python/exporter_models.py: build the model, optimize it with
`kiln-cli optimize --target kiln`, write one set of seeded inputs, then alternate rounds of
`kiln-cli run --backend cpu --threads N --iters I` (in-process latency after a warm-up run) and an
ONNX Runtime session (all graph optimizations, intra-op threads N, inter-op 1) over the same
inputs. Prints per-model medians, the Kiln/ORT ratio (< 1 means Kiln is faster) and the largest
output difference. On a shared machine, use more --rounds: the median of the rounds is reported.

    scripts/bench_vs_ort.py [--kiln-cli build/app/kiln-cli] [--threads 2] [--iters 50] [--rounds 5]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "python"))
import exporter_models  # noqa: E402

SEQ = 128


def build_models(folder):
    models = {}
    p = os.path.join(folder, "resnet_style.onnx")
    exporter_models.resnet_style(p)
    models["resnet_style"] = (p, {"input": lambda rng: rng.standard_normal((1, 3, 64, 64)).astype(np.float32)})
    p = os.path.join(folder, "mobilenetv2_style.onnx")
    exporter_models.mobilenetv2_style(p)
    models["mobilenetv2_style"] = (p, {"input": lambda rng: rng.standard_normal((1, 3, 64, 64)).astype(np.float32)})
    p = os.path.join(folder, "bert_style.onnx")
    exporter_models.bert_style(p, layers=4, hidden=256, heads=4, vocab=1000, max_len=SEQ)
    models["bert_style"] = (p, {
        "input_ids": lambda rng: rng.integers(0, 1000, (1, SEQ)).astype(np.int64),
        "attention_mask": lambda rng: np.ones((1, SEQ), np.int64),
    })
    return models


def write_inputs(folder, feeds):
    os.makedirs(folder, exist_ok=True)
    for name, value in feeds.items():
        np.save(os.path.join(folder, name + ".npy"), value)


def kiln_latency(cli, model, input_dir, output_dir, threads, iters):
    cmd = [cli, "run", model, "--inputs", input_dir, "--outputs", output_dir, "--backend", "cpu",
           "--threads", str(threads), "--iters", str(iters)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    m = re.search(r"latency_ms median=([0-9.]+)", out)
    if not m:
        raise RuntimeError("no latency in kiln-cli output:\n" + out)
    return float(m.group(1))


def ort_session(model, threads):
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])


def ort_latency(session, feeds, iters):
    session.run(None, feeds)
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        session.run(None, feeds)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kiln-cli", default=os.path.join(HERE, "..", "build", "app", "kiln-cli"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--iters", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--models", default="resnet_style,mobilenetv2_style,bert_style")
    args = ap.parse_args()
    wanted = args.models.split(",")
    print(f"ONNX Runtime {ort.__version__}, threads {args.threads}, {args.iters} iterations x {args.rounds} rounds, "
          f"batch 1, float32; load average {os.getloadavg()[0]:.1f}")
    print(f"{'model':<20} {'kiln ms':>9} {'ort ms':>9} {'kiln/ort':>9} {'max |diff|':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (path, gens) in build_models(tmp).items():
            if name not in wanted:
                continue
            optimized = os.path.join(tmp, name + ".kiln.onnx")
            subprocess.run([args.kiln_cli, "optimize", path, "-o", optimized, "--target", "kiln"], check=True,
                           capture_output=True)
            rng = np.random.default_rng(0)
            feeds = {k: g(rng) for k, g in gens.items()}
            input_dir, output_dir = os.path.join(tmp, name + "_in"), os.path.join(tmp, name + "_out")
            write_inputs(input_dir, feeds)
            session = ort_session(path, args.threads)
            kiln_ms, ort_ms = [], []
            for _ in range(args.rounds):
                kiln_ms.append(kiln_latency(args.kiln_cli, optimized, input_dir, output_dir, args.threads, args.iters))
                ort_ms.append(ort_latency(session, feeds, args.iters))
            k, o = statistics.median(kiln_ms), statistics.median(ort_ms)
            want = session.run(None, feeds)[0]
            got = numpy_helper.to_array(onnx.load_tensor(os.path.join(output_dir, "output_0.pb")))
            diff = float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64))))
            print(f"{name:<20} {k:>9.3f} {o:>9.3f} {k / o:>8.2f}x {diff:>11.2e}", flush=True)


if __name__ == "__main__":
    main()
