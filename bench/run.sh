#!/usr/bin/env bash
#===- bench/run.sh - LowBit kernels next to oneDNN and OpenBLAS ------------===#
#
# One command: installs oneDNN and OpenBLAS when missing, builds LowBit,
# generates and compiles the benchmark models, builds the C++ harness and
# runs it single-threaded. Writes bench/results/latest.json and prints a
# table. Not part of scripts/test.sh: timings are no unit tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
PY=/usr/bin/python3
CXX=/usr/lib/llvm-22/bin/clang++

missing=()
for pkg in libdnnl-dev libopenblas-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_=sudo
  $sudo_ apt-get update -qq
  $sudo_ apt-get install -y -qq "${missing[@]}"
fi

# The build directory is shared with the tests; several checkouts on one
# machine build under one lock.
if command -v flock >/dev/null 2>&1; then
  flock /tmp/lowbit-build.lock bash scripts/build.sh
else
  bash scripts/build.sh
fi

out="$root/build/bench"
models="$out/models"
mkdir -p "$models" "$root/bench/results"
rm -rf "$models"; mkdir -p "$models"
echo "== generating and compiling the models (quant-compile --io=quantized) =="
"$PY" bench/gen_models.py "$models"
for src in "$models"/*.mlir; do
  build/bin/quant-compile "$src" -o "${src%.mlir}.so" --io=quantized
done
# The int8 models once more on two threads (OpenMP), for the speed-up.
for src in "$models"/*.float.mlir; do
  build/bin/quant-compile "$src" -o "${src%.mlir}.t2.so" --io=quantized \
    --threads=2
done

echo "== the demo model (examples/fashion_mnist): fp32 and int8 builds =="
demo="$out/demo"
PYTHONPATH="$root/python" "$PY" -m lowbit quantize examples/fashion_mnist/model.onnx \
  --calib examples/fashion_mnist/calib.npy -o "$demo" >/dev/null
PYTHONPATH="$root/python" "$PY" - "$demo" > "$models/whole_models.txt" <<'PYEOF'
import math
import sys
from pathlib import Path
from lowbit import CompiledModel
from lowbit.cli import FLOAT_SO, QUANTIZED_SO
demo = Path(sys.argv[1]).resolve()
info = CompiledModel(demo / QUANTIZED_SO).info
def count(tensor):
    return math.prod(tensor["shape"])
print("demo_fashion_mnist", demo / FLOAT_SO, demo / QUANTIZED_SO, info["entry"],
      count(info["inputs"][0]), count(info["outputs"][0]))
PYEOF

echo "== building the harness =="
"$CXX" -O2 -march=native -std=c++17 bench/harness.cpp -o "$out/harness" \
  -ldnnl -lopenblas -ldl

echo "== running (single-threaded, and the int8 models on 2 threads) =="
# OPENBLAS_CORETYPE pins old OpenBLAS kernels on this machine kind; only this
# command drops it, so OpenBLAS picks its AVX-512 kernels.
env -u OPENBLAS_CORETYPE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
  DNNL_VERBOSE=0 "$out/harness" "$models" "$root/bench/results/latest.json"
echo "wrote bench/results/latest.json"
