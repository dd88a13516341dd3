#!/usr/bin/env bash
# The whole test suite: install, build, run every test (unit, golden, conformance and the
# ONNX / ONNX Runtime oracle tests) with ctest, then the NEON kernels cross-built for AArch64 and
# run under qemu (scripts/test-neon.sh), then fuzz the ONNX importer for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh -DKILN_BUILD_TESTS=ON
BUILD_DIR=${KILN_BUILD_DIR:-build}
# Headless Qt for GUI tests.
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
ctest --test-dir "$BUILD_DIR" --output-on-failure --parallel "$(nproc)" --timeout 1200
./scripts/test-neon.sh
FUZZ_SECONDS=${FUZZ_SECONDS:-60} ./scripts/fuzz.sh
