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
