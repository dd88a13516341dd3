#!/usr/bin/env bash
# Fuzzes the ONNX importer with libFuzzer for ${FUZZ_SECONDS:-60} seconds, seeded with a dozen
# small models from ONNX's test data. Exits non-zero when the fuzzer finds a crash, leak or
# timeout (its reproducer is left in build-fuzz/fuzz-artifacts/).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"
seconds="${FUZZ_SECONDS:-60}"
testdata="${KILN_ONNX_TESTDATA_DIR:-/usr/share/libonnx-testdata/data}"

# Coverage instrumentation for the library too, not only the target file, or the fuzzer is blind
# to the importer's branches.
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DKILN_FUZZ=ON -DKILN_GUI=OFF -DKILN_CUDA=OFF \
  -DKILN_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" >/dev/null
ninja -C "$build" fuzz_onnx_import

corpus="$build/fuzz-corpus"
artifacts="$build/fuzz-artifacts"
mkdir -p "$corpus" "$artifacts"
# Small models that between them cover subgraphs, sequences, initializers and typed attributes.
for t in node/test_if node/test_loop11 node/test_scan9_sum node/test_sequence_insert_at_back \
         node/test_constant node/test_conv_with_strides_padding node/test_cast_FLOAT_to_FLOAT16 \
         node/test_optional_get_element_sequence node/test_gather_0 node/test_resize_downsample_scales_linear \
         pytorch-converted/test_ConvTranspose2d simple/test_sequence_model1; do
  if [[ -f "$testdata/$t/model.onnx" ]]; then
    cp "$testdata/$t/model.onnx" "$corpus/$(basename "$t").onnx"
  fi
done

# Inputs that once broke the importer, kept as regression seeds.
cp "$root"/tests/data/fuzz/*.onnx "$corpus/"

cd "$build"
"$build/tests/fuzz_onnx_import" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts/" "$corpus"
