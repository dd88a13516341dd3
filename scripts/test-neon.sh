#!/usr/bin/env bash
# Cross-builds the CPU kernels for AArch64 (g++-aarch64-linux-gnu, cmake/aarch64-toolchain.cmake)
# with only kiln_kernels and the kernels-only tests (KILN_KERNELS_ONLY=ON: no protobuf, ONNX or Qt
# for arm64 needed), then runs those tests under qemu-user: the NEON kernels against the scalar
# and reference kernels. Exits non-zero when a tool is missing, the build fails or a test fails.
#   KILN_NEON_BUILD_DIR  build directory (default build-aarch64)
#   KILN_NEON_JOBS       parallel compile jobs (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${KILN_NEON_BUILD_DIR:-build-aarch64}
JOBS=${KILN_NEON_JOBS:-2}
SYSROOT=/usr/aarch64-linux-gnu

for tool in aarch64-linux-gnu-g++ qemu-aarch64 cmake; do
  command -v "$tool" >/dev/null || { echo "test-neon: $tool not found (scripts/install-deps.sh installs it)" >&2; exit 2; }
done
[ -d /usr/src/googletest ] || { echo "test-neon: /usr/src/googletest missing (libgtest-dev)" >&2; exit 2; }

start=$(date +%s)
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ -f "$BUILD_DIR/CMakeCache.txt" ] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja' "$BUILD_DIR/CMakeCache.txt" \
    && ((${#generator[@]})); then
  generator=()  # keep the generator an existing build directory was made with
fi
cmake -S . -B "$BUILD_DIR" "${generator[@]}" \
  -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-toolchain.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DKILN_KERNELS_ONLY=ON -DKILN_BUILD_TESTS=ON >/dev/null
cmake --build "$BUILD_DIR" --target kiln_kernels_only_tests -j "$JOBS"
built=$(date +%s)

# Run directly under the emulator (the same command ctest --test-dir $BUILD_DIR runs through
# CMAKE_CROSSCOMPILING_EMULATOR); --gtest_brief prints failures and the summary only.
timeout 1200 qemu-aarch64 -L "$SYSROOT" "$BUILD_DIR/tests/kernels_neon/kiln_kernels_only_tests" --gtest_brief=1
end=$(date +%s)
echo "test-neon: NEON kernel tests passed under qemu-aarch64 (build $((built - start)) s, tests $((end - built)) s)"
