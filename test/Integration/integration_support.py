"""Paths and helpers shared by the integration tests.

Test modules import these from here, never from ``conftest``: when pytest
collects several test directories, ``conftest`` may name another directory's
module.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
PYTHON_DIR = REPO / "python"
BUILD = Path(os.environ.get("LOWBIT_BUILD_DIR", REPO / "build"))
QUANT_COMPILE = BUILD / "bin" / "quant-compile"
LIBLOWBIT = BUILD / "lib" / "libLowBit.so"
if "LOWBIT_BUILD_DIR" in os.environ and LIBLOWBIT.is_file():
    # The reference parses models with the same build's library.
    os.environ.setdefault("LOWBIT_LIBRARY", str(LIBLOWBIT))
if str(PYTHON_DIR) not in sys.path:
    sys.path.insert(0, str(PYTHON_DIR))

# Seconds allowed for one quant-compile run (normally well under 1 s).
COMPILE_TIMEOUT = 120


def run_quant_compile(quant_compile, *args, check=True):
    """Runs quant-compile; returns the CompletedProcess (text output)."""
    proc = subprocess.run([str(quant_compile), *map(str, args)],
                          capture_output=True, text=True,
                          timeout=COMPILE_TIMEOUT)
    if check and proc.returncode != 0:
        pytest.fail(f"quant-compile {' '.join(map(str, args))} failed "
                    f"({proc.returncode}):\n{proc.stderr}")
    return proc


def assert_informative(out, lo, hi, what="output"):
    """A test must be able to fail: the output may not be constant or
    (almost) all at the saturation bounds ``lo``/``hi``."""
    out = np.asarray(out)
    distinct = np.unique(out).size
    inside = np.mean((out > lo) & (out < hi))
    assert distinct >= min(4, out.size), \
        f"{what} has only {distinct} distinct values: {np.unique(out)}"
    assert inside >= 0.25, \
        f"{what} is {100 * (1 - inside):.0f}% saturated at [{lo}, {hi}]"


def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


# The CPU flags of /proc/cpuinfo, and which --target this machine can run.
FLAGS = _cpu_flags()
RUNNABLE = {
    "host": True,
    "generic": True,
    "x86-64-v3": {"avx2", "fma", "bmi2"} <= FLAGS,
    "x86-64-v3-vnni": {"avx2", "fma", "bmi2", "avx_vnni"} <= FLAGS,
    "x86-64-v4": {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= FLAGS,
}
