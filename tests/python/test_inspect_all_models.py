"""`kiln-cli inspect` (text and --json) exits 0 on every ONNX test-data model and bundled sample,
and its JSON carries the fields a user relies on."""
import json
from concurrent.futures import ThreadPoolExecutor

from kiln_testlib import finish, run_cli, sample_models, testdata_models

REQUIRED = ["producer", "ir_version", "opsets", "inputs", "outputs", "ops", "parameters",
            "compute", "unsupported_ops"]


def check(item):
    name, path = item
    r = run_cli("inspect", path)
    if r.returncode != 0:
        return f"{name}: inspect exited {r.returncode}: {r.stderr.strip()}"
    r = run_cli("inspect", path, "--json")
    if r.returncode != 0:
        return f"{name}: inspect --json exited {r.returncode}: {r.stderr.strip()}"
    try:
        j = json.loads(r.stdout)
    except json.JSONDecodeError as e:
        return f"{name}: --json output is not JSON: {e}"
    missing = [k for k in REQUIRED if k not in j]
    if missing:
        return f"{name}: JSON lacks {missing}"
    if sum(op["count"] for op in j["ops"].values()) != j["nodes"]:
        return f"{name}: op counts do not add up to the node count"
    return None


def main():
    items = testdata_models() + [(p.name, p) for p in sample_models()]
    if not items:
        finish("inspect", 0, 1)
    with ThreadPoolExecutor(max_workers=4) as pool:
        errors = [e for e in pool.map(check, items) if e]
    for e in errors[:50]:
        print("FAIL", e)
    finish("inspect", len(items) - len(errors), len(errors))


if __name__ == "__main__":
    main()
