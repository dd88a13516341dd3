"""kiln-cli profile, bench and compare end to end on the bundled ResNet-style sample: the report's
fields and figures, accuracy deltas that are zero-ish for an exact optimization and pinpoint a
deliberately perturbed node, the compare table and its JSON schema, ONNX Runtime side by side, and
clear one-line errors (exit code != 0, no crash) for bad options and files."""
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

from kiln_testlib import finish, make_feeds, run_cli, sample_models

SCHEMAS = Path(__file__).resolve().parents[2] / "resources" / "schemas"
QUICK = ["--iters", "5", "--warmup", "1", "--node-iters", "3", "--time-budget", "2", "--samples", "2"]
passed, failed = 0, 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {what}")


def cli_json(*args, timeout=300):
    r = run_cli(*args, timeout=timeout)
    check(r.returncode == 0, f"{args[:2]} exit {r.returncode}: {r.stderr.strip()}")
    return r


def load(path):
    return json.loads(Path(path).read_text())


def validate(doc, schema_name, what):
    """Validates against resources/schemas/<schema_name> (scripts/install-deps.sh installs jsonschema)."""
    import jsonschema
    schema = json.loads((SCHEMAS / schema_name).read_text())
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
    check(not errors, f"{what}: schema {schema_name}: " + "; ".join(
        f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:3]))


def is_num_or_null(v):
    return v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))


def check_report(rep, what, nodes=None):
    validate(rep, "kiln-profile.schema.json", what)
    keys = list(rep)
    check(keys[:3] == ["version", "kind", "summary"], f"{what}: header order {keys[:3]}")
    check(rep["version"] == 1 and rep["kind"] == "kiln-profile", f"{what}: version/kind")
    card = rep["summary"]
    check(set(card) == {"latency", "accuracy", "size", "throughput", "energy"}, f"{what}: card {set(card)}")
    lat = rep["latency"]
    e2e = lat["end_to_end"]
    check(0 < e2e["min"] <= e2e["p50"] <= e2e["p90"] <= e2e["p99"] <= e2e["max"], f"{what}: percentiles ordered")
    check(card["latency"]["p50_ms"] == e2e["p50"], f"{what}: card p50 is the measured p50")
    pn = lat["per_node"]
    if nodes is not None:
        check(len(pn["nodes"]) == nodes, f"{what}: {len(pn['nodes'])} per-node entries, expected {nodes}")
    check(abs(sum(g["ms"] for g in pn["by_op"]) - pn["node_sum_ms"]) < 1e-6 * max(1, pn["node_sum_ms"]),
          f"{what}: per-op times add up to the node sum")
    check(abs(sum(g["ms"] for g in pn["by_original_node"]) - pn["node_sum_ms"]) < 1e-6 * max(1, pn["node_sum_ms"]),
          f"{what}: per-original-node times add up to the node sum")
    print(f"{what}: p50 {e2e['p50']:.3f} ms spread {e2e['spread']:.3f} ms, observer overhead "
          f"{pn['observer_overhead_pct']:+.2f}% paired / {pn['observer_direct_pct']:.4f}% direct, "
          f"node sum {pn['node_sum_pct_of_end_to_end']:.1f}% of end to end")
    mem = rep["memory"]
    check(mem["weights_by_dtype"]["f32"]["bytes"] > 0 and mem["weights_bytes"] == card["size"]["weights_bytes"],
          f"{what}: weights by dtype")
    check(mem["peak_activation_bytes"] and mem["peak_activation_bytes"] > 0, f"{what}: planned activations")
    check(mem["peak_rss_bytes"] and mem["peak_rss_bytes"] > 0, f"{what}: peak RSS")
    check(mem["file_bytes"] and mem["file_bytes"] > 0, f"{what}: file size")
    comp = rep["compute"]
    check(comp["total_flops"] > 0 and comp["total_macs"] > 0 and "how" in comp["machine"], f"{what}: compute")
    check(all(n["bound"] in ("compute", "memory", "unknown") for n in comp["nodes"]), f"{what}: roofline classes")
    en = rep["energy"]
    if en["available"]:
        check(en["joules_per_inference"] >= 0 and card["energy"]["joules_per_inference"] is not None, f"{what}: energy")
    else:
        check(en["reason"] and card["energy"]["joules_per_inference"] is None, f"{what}: energy not available says why")


def perturb(src, dst, node_name, factor):
    m = onnx.load(src)
    node = next(n for n in m.graph.node if n.name == node_name)
    init = next(t for t in m.graph.initializer if t.name == node.input[1])
    arr = numpy_helper.to_array(init) * np.float32(factor)
    init.CopyFrom(numpy_helper.from_array(arr.astype(np.float32), init.name))
    onnx.save(m, dst)


def main():
    sample = next((p for p in sample_models() if p.name == "resnet_mini.onnx"), None)
    if sample is None:
        print("resnet_mini.onnx sample not built: skipped")
        finish("profile-cli", 0, 0, 1)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        a_json, b_json = tmp / "a.json", tmp / "b.json"

        # 1. A full profile of the original, with a batch sweep.
        r = cli_json("profile", sample, *QUICK, "--batch", "1,2", "--json", a_json)
        check("summary" in r.stdout and "per node" in r.stdout, "profile prints the summary")
        a = load(a_json)
        check_report(a, "profile", nodes=65)
        tp = a["throughput"]
        check([p["batch"] for p in tp["points"]] == [1, 2] and tp["batched_inputs"] == ["input"], "batch sweep points")
        check(tp["best_batch"] in (1, 2) and a["summary"]["throughput"]["best_batch"] == tp["best_batch"], "best batch")
        check(a["summary"]["accuracy"]["measured"] is False and "accuracy" not in a, "no reference: no accuracy")

        # 2. An exactly optimized model against the original: zero-ish deltas.
        opt = tmp / "opt.onnx"
        cli_json("optimize", sample, "-o", opt, "--target", "kiln")
        cli_json("profile", opt, "--against", sample, *QUICK, "--no-sweep", "--json", b_json)
        b = load(b_json)
        check_report(b, "profile --against (optimized)")
        out = b["accuracy"]["outputs"][0]
        check(out["max_abs_error"] < 1e-4 and out["cosine"] > 0.99999 and out["top1_agreement"] == 1.0,
              f"exact optimization is zero-ish: {out}")
        check(b["summary"]["accuracy"]["measured"] and b["summary"]["accuracy"]["max_abs_error"] < 1e-4, "card accuracy")
        # The optimized file carries provenance: times per original node (batchnorms included, by
        # name from the reference) and every value of the optimized model compared.
        originals = b["latency"]["per_node"]["by_original_node"]
        check(len(originals) > len(b["latency"]["per_node"]["nodes"])
              and any(g["op"] == "BatchNormalization" and g["name"] for g in originals),
              f"per original node through the file's provenance: {originals[:3]}")
        pn = b["accuracy"]["per_node"]
        check(pn["only_in_compared_model"] == 0 and pn["compared"] == len(b["latency"]["per_node"]["nodes"]),
              f"every optimized value compared: {pn['compared']} compared, {pn['only_in_compared_model']} not")

        # 3. A perturbed weight: non-zero deltas and the per-node error names the node.
        target = "/layer1/layer1.1/conv1/Conv"
        bad = tmp / "perturbed.onnx"
        perturb(sample, bad, target, 1.1)
        cli_json("profile", bad, "--against", sample, *QUICK, "--no-sweep", "--no-energy", "--json", tmp / "c.json")
        c = load(tmp / "c.json")
        first = c["accuracy"]["per_node"]["first_exceeding"]
        check(c["accuracy"]["outputs"][0]["max_abs_error"] > 1e-3, "perturbed weights give a non-zero error")
        check(first is not None and first["node"] == target, f"per-node error pinpoints {target}: {first}")

        # 4. compare: the table and its JSON schema.
        r = cli_json("compare", a_json, b_json)
        check("latency p50" in r.stdout and "direction" in r.stdout, "compare prints a table")
        r = cli_json("compare", a_json, b_json, "--json")
        cj = json.loads(r.stdout)
        validate(cj, "kiln-compare.schema.json", "compare --json")
        schema_ok = (cj.get("version") == 1 and cj.get("kind") == "kiln-compare" and isinstance(cj.get("rows"), list)
                     and all(isinstance(cj.get(k), int) for k in ("better", "worse", "same")))
        for row in cj.get("rows", []):
            schema_ok = schema_ok and set(row) == {"metric", "unit", "a", "b", "delta", "delta_pct", "direction", "note"}
            schema_ok = schema_ok and isinstance(row["metric"], str) and isinstance(row["unit"], str)
            schema_ok = schema_ok and all(is_num_or_null(row[k]) for k in ("a", "b", "delta", "delta_pct"))
            schema_ok = schema_ok and row["direction"] in ("better", "worse", "same", "n/a")
            if row["a"] is not None and row["b"] is not None:
                schema_ok = schema_ok and abs(row["delta"] - (row["b"] - row["a"])) <= 1e-9 * max(1, abs(row["a"]))
        check(schema_ok, f"compare JSON schema: {json.dumps(cj)[:400]}")
        counts = {d: sum(r["direction"] == d for r in cj["rows"]) for d in ("better", "worse", "same")}
        check(all(counts[d] == cj[d] for d in counts), "compare counts")
        rows = {r["metric"]: r for r in cj["rows"]}
        check(rows["max abs error"]["direction"] == "n/a", "error metric missing from A is n/a")
        check(rows["peak activations"]["direction"] in ("better", "same"), "fused model plans no more activation memory")

        # 5. bench, twice, and side by side with ONNX Runtime.
        runs = []
        for _ in range(2):
            r = cli_json("bench", sample, "--iters", "10", "--json")
            j = json.loads(r.stdout)
            check(j["kind"] == "kiln-bench" and j["latency"]["end_to_end"]["count"] == 10, "bench runs exactly --iters")
            runs.append(j["latency"]["end_to_end"])
        print("bench twice: p50 %.3f / %.3f ms, spreads %.3f / %.3f ms" %
              (runs[0]["p50"], runs[1]["p50"], runs[0]["spread"], runs[1]["spread"]))
        try:
            import onnxruntime  # noqa: F401
            r = cli_json("bench", sample, "--iters", "10", "--compare-ort")
            check("kiln / ort p50 ratio" in r.stdout, f"bench --compare-ort prints the ratio: {r.stdout}")
            print(r.stdout.strip())
        except ImportError:
            r = run_cli("bench", sample, "--iters", "2", "--compare-ort")
            check(r.returncode == 3 and "not installed" in r.stderr, f"no onnxruntime is said: {r.stderr!r}")
        env = dict(os.environ, KILN_ORT_BENCH_SCRIPT=str(tmp / "no_such_script.py"))
        import subprocess
        from kiln_testlib import kiln_cli
        r = subprocess.run([kiln_cli(), "bench", str(sample), "--iters", "2", "--compare-ort"], capture_output=True,
                           text=True, env=env, timeout=120)
        check(r.returncode not in (0,) and r.returncode > 0 and "no_such_script.py" in r.stderr,
              f"a missing ORT script is named: {r.returncode} {r.stderr!r}")

        # 6. Inputs from a folder and from images (with labels).
        model = onnx.load(sample)
        make_feeds(model, tmp / "feeds")
        cli_json("profile", sample, "--inputs", tmp / "feeds", *QUICK, "--no-sweep", "--json", tmp / "d.json")
        d = load(tmp / "d.json")
        check(d["inputs"]["from"].startswith("folder") and d["inputs"]["shapes"]["input"] == [2, 3, 64, 64],
              f"inputs from a folder: {d['inputs']}")
        img_dir = tmp / "images"
        img_dir.mkdir()
        rng = np.random.default_rng(0)
        for i in range(3):
            px = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
            (img_dir / f"{i}.ppm").write_bytes(b"P6 50 40 255\n" + px.tobytes())
        (tmp / "labels.txt").write_text("1\n2\n3\n")
        cli_json("profile", sample, "--against", sample, "--images", img_dir, "--mean", "0.485,0.456,0.406",
                 "--std", "0.229,0.224,0.225", "--labels", tmp / "labels.txt", *QUICK, "--no-sweep",
                 "--json", tmp / "e.json")
        e = load(tmp / "e.json")
        acc = e["accuracy"]
        check(acc["samples"] == 3 and acc["outputs"][0]["identical"] and "labels" in acc
              and acc["labels"]["model"]["samples"] == 3, f"images + labels: {json.dumps(acc)[:300]}")

        # 7. Step history over the built-in recipe.
        cli_json("profile", sample, "--steps", "--iters", "3", "--warmup", "1", "--node-iters", "2", "--samples", "1",
                 "--no-sweep", "--no-energy", "--json", tmp / "steps.json")
        s = load(tmp / "steps.json")
        for i, rep in enumerate(s["reports"]):
            validate(rep, "kiln-profile.schema.json", f"step {i} report")
        check(s["kind"] == "kiln-step-history" and len(s["table"]) == len(s["reports"]) >= 2, "step history")
        check(s["table"][-1]["nodes"] < 65 and all(
            r["max_abs_error"] is None or r["max_abs_error"] < 1e-3 for r in s["table"]), "steps: fewer nodes, exact")

        # 8. Bad options and files: one clear line, exit != 0, no crash.
        (tmp / "notjson.json").write_text("{oops")
        cases = [
            (["profile", tmp / "missing.onnx"], "missing.onnx"),
            (["profile", sample, "--bogus"], "--bogus"),
            (["profile", sample, "--backend", "cuda"], "cuda"),
            (["profile", sample, "--backend", "tpu"], "tpu"),
            (["profile", sample, "--batch", "1,0"], "--batch"),
            (["profile", sample, "--threads", "zero"], "--threads"),
            (["profile", sample, "--inputs", tmp / "nowhere"], "nowhere"),
            (["profile", sample, "--images", tmp / "feeds"], "feeds"),
            (["profile", sample, "--against", tmp / "missing_ref.onnx"], "missing_ref.onnx"),
            (["profile", sample, "--labels", tmp / "labels.txt"], "--against"),
            (["profile", sample, "--shape", "nope=1x3"], "nope"),
            (["bench", sample, "--iters", "abc"], "--iters"),
            (["bench", sample, "--backend", "cuda"], "cuda"),
            (["compare", a_json], "two reports"),
            (["compare", a_json, tmp / "notjson.json"], "notjson.json"),
            (["compare", a_json, sample], "resnet_mini.onnx"),
        ]
        for args, needle in cases:
            r = run_cli(*args)
            lines = r.stderr.strip().splitlines()
            check(0 < r.returncode < 128 and len(lines) == 1 and needle in lines[0],
                  f"{[str(x) for x in args]}: exit {r.returncode}, stderr {r.stderr!r}")
    finish("profile-cli", passed, failed)


if __name__ == "__main__":
    main()
