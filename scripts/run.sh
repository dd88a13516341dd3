#!/usr/bin/env bash
# The main job: install, build, then open the workbench GUI on the bundled sample model, or,
# where there is no display, print the headless summary of that model.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
BUILD_DIR=${KILN_BUILD_DIR:-build}
SAMPLE=${1:-$BUILD_DIR/samples/resnet_mini.onnx}
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$BUILD_DIR/app/kiln" ]; then
  exec "$BUILD_DIR/app/kiln" "$SAMPLE"
fi
echo "kiln: no display found; headless summary of $SAMPLE"
"$BUILD_DIR/app/kiln-cli" inspect "$SAMPLE"
