#!/usr/bin/env bash
# GUI smoke test under a virtual X server: opens the bundled samples in the real `kiln` binary,
# applies a recipe step by step, previews a step's diff, profiles each step, and saves screenshots into
# docs/screenshots/ (the README shows them). Fails when the GUI exits with an error, hangs, or a
# picture is missing or over 300 KB. Expects a build with the GUI (scripts/build.sh); set
# KILN_BUILD_DIR for another build folder and SHOTS_DIR for another output folder.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${KILN_BUILD_DIR:-build}
SHOTS=${SHOTS_DIR:-docs/screenshots}
KILN="$BUILD_DIR/app/kiln"
SAMPLES="$BUILD_DIR/samples"
[ -x "$KILN" ] || { echo "gui_smoke: $KILN not built (run scripts/build.sh)" >&2; exit 1; }
command -v xvfb-run >/dev/null || { echo "gui_smoke: xvfb-run missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
mkdir -p "$SHOTS"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# A session file and settings of its own: the smoke run must not touch (or read) the user's.
export KILN_SESSION_FILE="$WORK/session.json" XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data"
cat >"$WORK/recipe.json" <<'JSON'
{"version": 1, "name": "smoke", "steps": [
  {"pass": "fold-constants"}, {"pass": "fuse-conv-batchnorm"}, {"pass": "fuse-conv-activation"}]}
JSON

shot() {  # shot NAME ARGS...: one run of the GUI that must exit 0 within two minutes
  local name=$1
  shift
  timeout 120 xvfb-run -a -s "-screen 0 1600x1000x24" "$KILN" --size 1440x900 "$@" --screenshot "$SHOTS/$name.png" \
    2> >(grep -v XDG_RUNTIME_DIR >&2)
  local size
  size=$(stat -c %s "$SHOTS/$name.png")
  ((size < 300 * 1024)) || { echo "gui_smoke: $name.png is $size bytes (over 300 KB)" >&2; exit 1; }
  echo "gui_smoke: $SHOTS/$name.png ($((size / 1024)) KB)"
}

# The three steps applied one at a time, the fusion step's diff previewed on the graph after it
# (fused Convs added, their consumers rewired) and selected in the Inspector.
shot workbench_diff "$SAMPLES/resnet_mini.onnx" --recipe "$WORK/recipe.json" --apply all --preview-step 2 --select Conv
# The same step seen before it ran: the BatchNormalizations it removed.
shot workbench_diff_before "$SAMPLES/resnet_mini.onnx" --recipe "$WORK/recipe.json" --apply all --preview-step 2 --before \
  --select BatchNormalization
# The BERT-style sample after the whole built-in "kiln" recipe: the step timeline with each
# step's figures, the optimized graph, a MatMul's weight statistics and histogram.
shot workbench_bert "$SAMPLES/bert_block.onnx" --recipe kiln --apply all --preview-step 0 --select MatMul
# The same three steps profiled one by one: the Profile dock's step timeline (latency, memory and
# output error after each step against the original), the graph coloured by node latency.
shot workbench_profile "$SAMPLES/resnet_mini.onnx" --recipe "$WORK/recipe.json" --apply all --preview-step 0 --zoom 0.6 --select MaxPool \
  --profile --profile-tab 6 --heat latency
echo "gui_smoke: ok"
