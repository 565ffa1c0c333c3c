#!/usr/bin/env bash
#===- scripts/bootstrap.sh - Install LowBit's dependencies from Debian -----===#
#
# Idempotent: checks every package first and runs apt only for what is
# missing. Uses sudo when not root.
set -euo pipefail

PACKAGES=(
  # Toolchain: LLVM/MLIR 22 (Debian security suite), clang + lld, build tools.
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  cmake ninja-build
  # OpenMP runtime for models compiled with --threads=N.
  libomp-22-dev
  # Unit tests for the MLIR-free numeric core.
  libgtest-dev
  # Python reference, CLI and tests (Debian's /usr/bin/python3).
  python3 python3-numpy python3-pytest python3-matplotlib python3-onnx python3-tqdm
  # C compiler used to check that generated headers stand alone.
  gcc
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "bootstrap: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
