#!/usr/bin/env bash
# Installs everything Kiln needs on a fresh Debian 12 machine: the toolchain and libraries from
# Debian's packages, and the Python oracles (onnx, onnxruntime, numpy) from PyPI. Idempotent:
# packages already present are not fetched again.
set -euo pipefail

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  libprotobuf-dev protobuf-compiler libonnx-dev libonnx-testdata
  libgtest-dev libgmock-dev libbenchmark-dev
  qt6-base-dev qt6-charts-dev qt6-svg-dev libqcustomplot-dev libqcustomplot2.1-qt6
  xvfb xauth
  g++-aarch64-linux-gnu qemu-user
)
PIP_PACKAGES=(onnx onnxruntime numpy jsonschema)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "kiln: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if ! "$PY" -c "import onnx, onnxruntime, numpy, jsonschema" 2>/dev/null; then
  echo "kiln: installing Python packages ${PIP_PACKAGES[*]}"
  "$PY" -m pip install -q "${PIP_PACKAGES[@]}" 2>/dev/null ||
    "$PY" -m pip install -q --break-system-packages "${PIP_PACKAGES[@]}"
fi
