"""quant-compile --threads=N: the kernels' parallel loops on OpenMP threads.

Threaded code must compute what serial code computes, bit for bit: each case
compiles with --threads=2 (the machine's cores) and --threads=3 (more
threads than cores, so the work-sharing splits the iterations unevenly) and
is compared with the numpy reference. The shapes are the x86 kernel tests'
edges (partial tiles, tail panels, several M blocks, odd output widths), so
every split of the parallel loops meets a partial tile somewhere.
"""

import subprocess

import numpy as np
import pytest

from integration_support import RUNNABLE, assert_informative, run_quant_compile
from test_conv_compile import build_conv
from test_matmul_compile import build_fc
from test_x86_kernels_compile import (CONV_CASES, DW_CASES, FC_CASES,
                                      build_depthwise)

THREADS = [2, 3]
TARGETS = ["host", "x86-64-v3"]

FC_THREAD_CASES = ["m1-k3-n5", "m9-k67-n33-asym_w", "m2-k300-n130-clamp",
                   "m5-k257-n31-per_tensor-u8_in-u8_out"]
CONV_THREAD_CASES = ["3x3-c64-f24-several_blocks",
                     "implicit-c4-3x3-pad1-ow13",
                     "implicit-c8-5x5-asym_pad-batch2-u8_in",
                     "dw-c16-3x3-pad1", "dw-c20-3x3-stride2-u8_in",
                     "dw-c33-relu-no_bias"]


def _flags(target, threads):
    if not RUNNABLE[target]:
        pytest.skip(f"this CPU cannot run --target={target}")
    flags = [f"--threads={threads}"]
    if target != "host":
        flags.append(f"--target={target}")
    return flags


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", FC_THREAD_CASES)
def test_fully_connected_threaded(harness, rng, case, target, threads):
    model, inputs, (lo, hi) = build_fc(rng, requant="fixed_point",
                                       **FC_CASES[case])
    outs = harness.check(model, inputs, extra=_flags(target, threads))
    assert_informative(np.concatenate([o[0].ravel() for o in outs]), lo, hi)


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", CONV_THREAD_CASES)
def test_conv2d_threaded(harness, rng, case, target, threads):
    model, inputs, (lo, hi) = build_conv(rng, requant="float",
                                         **CONV_CASES[case])
    outs = harness.check(model, inputs, extra=_flags(target, threads))
    assert_informative(np.concatenate([o[0].ravel() for o in outs]), lo, hi)


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("requant", ["float", "fixed_point"])
@pytest.mark.parametrize("case", ["c128-56w-u8-zp128", "c64-h37-slabs-u8-zp128",
                                  "c24-h41-stride2-slabs",
                                  "c18-dilation1x2"])
def test_depthwise_threaded(harness, rng, case, requant, threads):
    """The register tiles of a slab (tap-packed kernel) or the output rows
    (one-tap kernel) on threads."""
    model, inputs, (lo, hi) = build_depthwise(rng, requant=requant,
                                              **DW_CASES[case])
    outs = harness.check(model, inputs, extra=_flags("host", threads))
    assert_informative(np.concatenate([o[0].ravel() for o in outs]), lo, hi)


@pytest.mark.parametrize("threads", THREADS)
def test_many_m_blocks_threaded(harness, rng, threads):
    """100 rows x K = 4000: several A blocks, each shared by the threads."""
    model, inputs, (lo, hi) = build_fc(rng, b=100, k=4000, n=200, n_sets=1)
    outs = harness.check(model, inputs, extra=_flags("host", threads))
    assert_informative(outs[0][0], lo, hi)


def _needed(so):
    out = subprocess.run(["readelf", "-d", str(so)], capture_output=True,
                         text=True, check=True).stdout
    return [line.split("[")[1].rstrip("]") for line in out.splitlines()
            if "(NEEDED)" in line]


def _symbols(so):
    out = subprocess.run(["nm", "-D", "--undefined-only", str(so)],
                         capture_output=True, text=True, check=True).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines()
            if line.strip()}


def test_threads_fork_through_openmp_and_one_thread_needs_only_libc(
        quant_compile, workdir, rng):
    """The threaded library calls the OpenMP runtime (so the parallel path
    is taken, not silently dropped); the default stays libc-only."""
    model, _, _ = build_fc(rng, b=64, k=64, n=64, n_sets=1)
    path = workdir / "fc.mlir"
    path.write_text(model.text())
    serial, threaded = workdir / "serial.so", workdir / "threaded.so"
    run_quant_compile(quant_compile, path, "-o", serial, "--io=quantized")
    run_quant_compile(quant_compile, path, "-o", threaded, "--io=quantized",
                      "--threads=2")
    assert _needed(serial) == ["libc.so.6"]
    assert "libomp.so.5" in _needed(threaded)
    assert "__kmpc_fork_call" in _symbols(threaded)
    assert "__kmpc_fork_call" not in _symbols(serial)


def test_zero_threads_is_refused(quant_compile, workdir, rng):
    model, _, _ = build_fc(rng, b=2, k=8, n=8, n_sets=1)
    path = workdir / "fc.mlir"
    path.write_text(model.text())
    proc = run_quant_compile(quant_compile, path, "-o", workdir / "x.so",
                             "--threads=0", check=False)
    assert proc.returncode != 0
    assert "--threads must be at least 1" in proc.stderr
    assert not (workdir / "x.so").exists()
