"""Bad input never crashes kiln-cli: each case exits non-zero with one line naming the file and
the reason."""
import os
import random
import tempfile
from pathlib import Path

from kiln_testlib import finish, run_cli, sample_models, testdata_models


def main():
    passed, failed = 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = next((p for p in sample_models()), None) or testdata_models()[0][1]
        good = Path(source).read_bytes()
        cases = {
            "missing.onnx": None,
            "empty.onnx": b"",
            "random.onnx": random.Random(7).randbytes(4096),
            "truncated.onnx": good[: len(good) // 2],
            "text.onnx": b"this is not a model\n",
        }
        for name, data in cases.items():
            path = tmp / name
            if data is not None:
                path.write_bytes(data)
            for cmd in (["inspect"], ["dump"], ["export", "-o", str(tmp / "out.onnx")]):
                r = run_cli(cmd[0], path, *cmd[1:])
                lines = r.stderr.strip().splitlines()
                ok = (r.returncode not in (0,) and r.returncode > 0 and len(lines) == 1
                      and name in lines[0])
                if ok:
                    passed += 1
                else:
                    failed += 1
                    print(f"FAIL {cmd[0]} {name}: exit {r.returncode}, stderr {r.stderr!r}")
        # Bad options are named too.
        for args, needle in ((["inspect", source, "--bogus"], "--bogus"),
                             (["inspect", source, "--shape", "x=1xq"], "--shape"),
                             (["export", source], "-o"),
                             (["frobnicate"], "frobnicate")):
            r = run_cli(*args)
            if r.returncode > 0 and needle in r.stderr and len(r.stderr.strip().splitlines()) == 1:
                passed += 1
            else:
                failed += 1
                print(f"FAIL {args}: exit {r.returncode}, stderr {r.stderr!r}")
        # A failed export never clobbers an existing file.
        keep = tmp / "keep.onnx"
        keep.write_bytes(b"precious")
        r = run_cli("export", tmp / "empty.onnx", "-o", keep)
        if r.returncode != 0 and keep.read_bytes() == b"precious":
            passed += 1
        else:
            failed += 1
            print("FAIL a failed export touched the existing output file")
    finish("cli-bad-input", passed, failed)


if __name__ == "__main__":
    main()
