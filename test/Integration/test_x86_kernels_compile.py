"""The x86 kernels of convert-lowbit-to-x86 vs the numpy reference, bit for bit.

Every case compiles for each --target (host = AVX-512 VNNI on the machines
measured, x86-64-v4 = AVX-512 vpmaddwd, x86-64-v3-vnni = AVX-VNNI vpdpbusd
ymm, x86-64-v3 = AVX2 vpmaddwd, generic = the linalg fallback) and runs on random inputs over the full storage range.
The shapes hit the edges of the kernels: K not a multiple of the dot group,
N not a multiple of the lanes or of the register tile, M = 1, M not a
multiple of the tile height, several M blocks, tiny and odd shapes, both
requantization modes, per-tensor and per-channel weights, symmetric and
asymmetric, i8 and u8 on both sides, 8/16/32-bit outputs.

A separate test checks that each target really takes its kernel (the
instruction in the generated assembly), so a silent fallback to the generic
path cannot pass for a fast path.
"""

import re

import numpy as np
import pytest

from integration_support import (FLAGS, RUNNABLE, assert_informative,
                                 run_quant_compile)
from lowbit.reference.windows import exact_matmul
from mlir_gen import (Model, QType, bias_type, calibrated_type,
                      random_act_type, random_ints, random_weights)
from test_conv_compile import build_conv
from test_matmul_compile import build_fc

MODES = ["fixed_point", "float"]
TARGETS = ["host", "x86-64-v4", "x86-64-v3-vnni", "x86-64-v3", "generic"]
KERNEL_TARGETS = TARGETS[:-1]  # those with x86 kernels


def _target(target):
    if not RUNNABLE[target]:
        pytest.skip(f"this CPU cannot run --target={target}")
    return None if target == "host" else target


def _check(harness, model, inputs, target, lo, hi, name):
    outs = harness.check(model, inputs, io="quantized", target=_target(target),
                         name=name)
    assert_informative(np.concatenate([o[0].ravel() for o in outs]), lo, hi)


# --- fully_connected -----------------------------------------------------------

FC_CASES = {
    # (b, k, n): M, K, N
    "m1-k3-n5": dict(b=1, k=3, n=5),
    "m1-k1-n1-per_tensor": dict(b=1, k=1, n=1, per_axis=False, n_sets=8),
    "m3-k13-n7-u8_in": dict(b=3, k=13, n=7, x_storage="u8"),
    "m8-k64-n32": dict(b=8, k=64, n=32),
    "m9-k67-n33-asym_w": dict(b=9, k=67, n=33, asymmetric_w=True),
    "m17-k130-n50-no_bias": dict(b=17, k=130, n=50, bias=False),
    "m2-k300-n130-clamp": dict(b=2, k=300, n=130, clamp=True),
    "m5-k257-n31-per_tensor-u8_in-u8_out": dict(
        b=5, k=257, n=31, per_axis=False, x_storage="u8", out_storage="u8"),
    "m6-k20-n24-i16_out": dict(b=6, k=20, n=24, out_storage="i16"),
    "m4-k9-n18-u16_out-asym_w": dict(b=4, k=9, n=18, out_storage="u16",
                                     asymmetric_w=True),
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("requant", MODES)
@pytest.mark.parametrize("case", list(FC_CASES), ids=list(FC_CASES))
def test_fully_connected(harness, rng, case, requant, target):
    model, inputs, (lo, hi) = build_fc(rng, requant=requant, **FC_CASES[case])
    _check(harness, model, inputs, target, lo, hi, "fc")


@pytest.mark.parametrize("target", KERNEL_TARGETS)
def test_fully_connected_several_m_blocks(harness, rng, target):
    """K = 4000 makes an A block hold 48 (byte dot) or 24 (int16) rows, so
    100 rows take several blocks, the last one partial."""
    model, inputs, (lo, hi) = build_fc(rng, b=100, k=4000, n=20, n_sets=1)
    _check(harness, model, inputs, target, lo, hi, "fc")


def build_fc_u8_weights(rng, *, b, k, n, requant, w_zp=128, n_sets=3):
    """u8 weights (zero point near 128): the byte dot shifts them to s8 and
    needs the row sums of the activations."""
    x_t = random_act_type(rng, "i8")
    w = rng.integers(0, 256, size=(n, k))
    w_t = QType("u8", [0.01 + 0.001 * i for i in range(n)],
                [w_zp + (i % 3) for i in range(n)], axis=0)
    inputs = [(random_ints(rng, (b, k), x_t),) for _ in range(n_sets)]
    xq = np.concatenate([i[0] for i in inputs]).astype(np.int64) - x_t.zp
    acc = exact_matmul(xq, (w - np.asarray(w_t.zp)[:, None]).T)
    real = acc * x_t.scale * np.asarray(w_t.scale)
    out_t = calibrated_type(rng, real, "i8")
    m = Model("fc")
    x = m.arg((b, k), x_t)
    y = m.op("lowbit.fully_connected", [x, m.const(w, w_t)], (b, n), out_t,
             requant=requant if requant != "fixed_point" else None)
    m.ret(y)
    return m, inputs, (out_t.qmin, out_t.qmax)


@pytest.mark.parametrize("target", KERNEL_TARGETS)
@pytest.mark.parametrize("requant", MODES)
def test_fully_connected_u8_weights(harness, rng, requant, target):
    model, inputs, (lo, hi) = build_fc_u8_weights(rng, b=5, k=37, n=21,
                                                  requant=requant)
    _check(harness, model, inputs, target, lo, hi, "fc")


# --- matmul with a constant right-hand side ---------------------------------------

def build_const_matmul(rng, *, bmkn, storages, requant, clamp=False, n_sets=3):
    bsz, mm, kk, nn = bmkn
    a_t = random_act_type(rng, storages[0])
    b_t = random_act_type(rng, storages[1])
    rhs = random_ints(rng, (bsz, kk, nn), b_t).astype(np.int64)
    inputs = [(random_ints(rng, (bsz, mm, kk), a_t),) for _ in range(n_sets)]
    acc = np.concatenate([exact_matmul(a.astype(np.int64) - a_t.zp,
                                       rhs - b_t.zp) for (a,) in inputs])
    out_t = calibrated_type(rng, acc * a_t.scale * b_t.scale, "i8")
    m = Model("matmul")
    a = m.arg((bsz, mm, kk), a_t)
    lo, hi = out_t.qmin, out_t.qmax
    clamp_attr = None
    if clamp:
        clamp_attr = [lo + 20, hi - 30]
        lo, hi = clamp_attr
    y = m.op("lowbit.matmul", [a, m.const(rhs, b_t)], (bsz, mm, nn), out_t,
             clamp=clamp_attr,
             requant=requant if requant != "fixed_point" else None)
    m.ret(y)
    return m, inputs, (lo, hi)


MATMUL_CASES = {
    "b2-5x13x17-i8_i8": dict(bmkn=(2, 5, 13, 17), storages=("i8", "i8")),
    "b3-1x33x20-u8_u8-clamp": dict(bmkn=(3, 1, 33, 20), storages=("u8", "u8"),
                                   clamp=True),
    "b1-10x8x40-i8_u8": dict(bmkn=(1, 10, 8, 40), storages=("i8", "u8")),
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("requant", MODES)
@pytest.mark.parametrize("case", list(MATMUL_CASES), ids=list(MATMUL_CASES))
def test_matmul_constant_rhs(harness, rng, case, requant, target):
    model, inputs, (lo, hi) = build_const_matmul(rng, requant=requant,
                                                 **MATMUL_CASES[case])
    _check(harness, model, inputs, target, lo, hi, "matmul")


# --- conv2d: 1x1 as a GEMM, others through im2col, depthwise ---------------------

CONV_CASES = {
    "1x1-c20-f33": dict(k=(1, 1), c=20, f=33, hw=(5, 7)),
    "1x1-stride2-c8": dict(k=(1, 1), c=8, f=12, hw=(7, 7), stride=(2, 2)),
    "3x3-pad1-c3-f16": dict(c=3, f=16, hw=(9, 9), pad=(1, 1, 1, 1)),
    "3x3-c70-f20-u8_in": dict(c=70, f=20, hw=(6, 5), x_storage="u8"),
    "3x3-stride2-dilation2-asym_w": dict(c=6, f=10, hw=(11, 10), stride=(2, 2),
                                         dilation=(2, 2), pad=(2, 1, 0, 2),
                                         asymmetric_w=True, narrow_w=False),
    "3x3-batch2-per_tensor-clamp": dict(n=2, c=5, f=18, hw=(6, 6),
                                        per_axis=False, clamp="band",
                                        pad=(1, 1, 1, 1)),
    "3x3-c64-f24-several_blocks": dict(c=64, f=24, hw=(20, 20),
                                       pad=(1, 1, 1, 1), n_sets=1),
    # Stride 1 with C a multiple of the dot group: the implicit GEMM reads a
    # padded copy of the input (OW = 13 leaves a partial tile per row).
    "implicit-c4-3x3-pad1-ow13": dict(c=4, f=20, hw=(7, 13), pad=(1, 1, 1, 1)),
    "implicit-c8-5x5-asym_pad-batch2-u8_in": dict(
        n=2, c=8, f=12, k=(5, 5), hw=(9, 11), pad=(2, 1, 0, 2), x_storage="u8"),
    "implicit-c16-f40-valid-per_tensor": dict(c=16, f=40, hw=(6, 10),
                                              per_axis=False),
    "implicit-c8-asym_w-declined_on_vnni": dict(c=8, f=16, hw=(6, 6),
                                                pad=(1, 1, 1, 1),
                                                asymmetric_w=True,
                                                narrow_w=False),
    # Channels that are no multiple of the dot group (first layers): the
    # implicit GEMM on flattened image rows, groups along a window row.
    "flat-c1-f16-28x28-pad1-relu": dict(c=1, f=16, hw=(28, 28),
                                        pad=(1, 1, 1, 1), clamp="relu",
                                        n_sets=2),
    "flat-c3-f20-7x7-pad3-u8_in": dict(c=3, f=20, k=(7, 7), hw=(11, 13),
                                       pad=(3, 3, 3, 3), x_storage="u8"),
    "flat-c2-f8-5x5-asym_pad-batch2": dict(n=2, c=2, f=8, k=(5, 5),
                                           hw=(9, 7), pad=(2, 0, 1, 3)),
    "flat-c6-f33-3x2-valid-per_tensor": dict(c=6, f=33, k=(3, 2), hw=(5, 9),
                                             per_axis=False),
    "flat-c1-f5-w1": dict(c=1, f=5, hw=(6, 1), pad=(1, 1, 1, 1)),
    "flat-c3-f16-w2-i16_out": dict(c=3, f=16, hw=(3, 2), pad=(1, 1, 1, 0),
                                   out_storage="i16"),
    "dw-c16-3x3-pad1": dict(c=16, f=16, groups=16, hw=(8, 9),
                            pad=(1, 1, 1, 1)),
    "dw-c20-3x3-stride2-u8_in": dict(c=20, f=20, groups=20, hw=(9, 9),
                                     stride=(2, 2), pad=(1, 0, 1, 1),
                                     x_storage="u8"),
    "dw-c7-5x5-dilation2-per_tensor": dict(c=7, f=7, groups=7, k=(5, 5),
                                           hw=(12, 13), dilation=(2, 2),
                                           pad=(4, 4, 3, 2), per_axis=False),
    "dw-c24-asym_w-batch2": dict(c=24, f=24, groups=24, n=2, hw=(5, 11),
                                 pad=(1, 1, 1, 1), asymmetric_w=True,
                                 narrow_w=False),
    "dw-c33-relu-no_bias": dict(c=33, f=33, groups=33, hw=(4, 19), bias=False,
                                clamp="relu", pad=(1, 1, 1, 1)),
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("requant", MODES)
@pytest.mark.parametrize("case", list(CONV_CASES), ids=list(CONV_CASES))
def test_conv2d(harness, rng, case, requant, target):
    model, inputs, (lo, hi) = build_conv(rng, requant=requant,
                                         **CONV_CASES[case])
    _check(harness, model, inputs, target, lo, hi, "conv")


def build_depthwise_wide_weights(rng, requant):
    """Channel 0 has weights 127 with zero point -10: w - zp = 137 leaves s8,
    so vpdpbusd cannot take the centered weights."""
    c, hw = 16, (6, 7)
    x_t = random_act_type(rng, "i8")
    w = rng.integers(-128, 128, size=(c, 3, 3, 1))
    w[0] = 127
    zps = [-10] + [int(z) for z in rng.integers(-10, 11, size=c - 1)]
    w_t = QType("i8", [0.002 + 0.0003 * i for i in range(c)], zps, axis=0)
    inputs = [(random_ints(rng, (1, *hw, c), x_t),) for _ in range(3)]
    from lowbit.reference.ops import conv2d_accumulator
    xq = np.concatenate([i[0] for i in inputs]).astype(np.int64)
    acc = conv2d_accumulator(xq, x_t.zp, w, np.asarray(zps), None, (1, 1),
                             (1, 1), (1, 1, 1, 1), c)
    out_t = calibrated_type(rng, acc * x_t.scale * np.asarray(w_t.scale), "i8")
    m = Model("conv")
    x = m.arg((1, *hw, c), x_t)
    y = m.op("lowbit.conv2d", [x, m.const(w, w_t)], (1, *hw, c), out_t,
             pad=[1, 1, 1, 1], groups=c,
             requant=requant if requant != "fixed_point" else None)
    m.ret(y)
    return m, inputs, (out_t.qmin, out_t.qmax)


@pytest.mark.parametrize("requant", MODES)
def test_depthwise_wide_weights_use_int16(harness, rng, quant_compile, workdir,
                                          requant):
    """The kernel switches to vpmaddwd on int16 and stays exact."""
    model, inputs, (lo, hi) = build_depthwise_wide_weights(rng, requant)
    _check(harness, model, inputs, "host", lo, hi, "conv")
    asm = _asm(quant_compile, workdir, model, "host")
    assert not re.search(r"\bvpdpbusd\b", asm)
    assert re.search(r"\bvpmaddwd\b[^\n]*zmm", asm)


# --- depthwise: taps packed four to a lane ------------------------------------------

def build_depthwise(rng, *, c, hw, n=1, k=(3, 3), stride=(1, 1),
                    dilation=(1, 1), pad=(1, 1, 1, 1), x_storage="i8",
                    out_storage="i8", w_zp=0, per_axis=True, clamp=None,
                    out_zp=None, bias=True, requant="float", n_sets=2,
                    w_storage="i8"):
    """A depthwise conv2d whose centered weights w - zp_w stay in s8 (so the
    byte dot takes them) while the weight zero points are non-zero up to
    ``w_zp`` (per channel when ``per_axis``) around 0 (i8 weights) or 128
    (u8 weights)."""
    from lowbit.reference.ops import conv2d_accumulator
    x_t = random_act_type(rng, x_storage)
    mid = 128 if w_storage == "u8" else 0
    w = mid + rng.integers(-127 + w_zp, 128 - w_zp, size=(c, k[0], k[1], 1))
    if per_axis:
        zps = [mid + int(z) for z in rng.integers(-w_zp, w_zp + 1, size=c)]
        w_t = QType(w_storage,
                    [0.002 + 0.0003 * (i % 37) for i in range(c)], zps, axis=0)
    else:
        zps = [mid + int(rng.integers(-w_zp, w_zp + 1))] * c
        w_t = QType(w_storage, 0.004, zps[0])
    shape = (n, *hw, c)
    inputs = [(random_ints(rng, shape, x_t),) for _ in range(n_sets)]
    xq = np.concatenate([i[0] for i in inputs]).astype(np.int64)
    acc = conv2d_accumulator(xq, x_t.zp, w, np.asarray(zps), None, stride,
                             dilation, pad, c)
    b = None
    if bias:
        spread = max(int(np.std(acc)), 1)
        b = rng.integers(-2 * spread, 2 * spread + 1, size=c)
    scales = np.broadcast_to(np.asarray(w_t.scale), (c,))
    real = (acc + (0 if b is None else b)) * x_t.scale * scales
    out_t = calibrated_type(rng, real, out_storage, zp=out_zp)
    m = Model("conv")
    x = m.arg(shape, x_t)
    operands = [x, m.const(w, w_t)]
    if bias:
        operands.append(m.const(b.astype(np.int64), bias_type(x_t, w_t)))
    lo, hi = out_t.qmin, out_t.qmax
    clamp_attr = None
    if clamp == "relu":
        clamp_attr = [out_t.zp, out_t.qmax]
        lo = max(lo, out_t.zp)
    y = m.op("lowbit.conv2d", operands, (n, *acc.shape[1:3], c), out_t,
             stride=list(stride) if stride != (1, 1) else None,
             dilation=list(dilation) if dilation != (1, 1) else None,
             pad=list(pad) if any(pad) else None, groups=c, clamp=clamp_attr,
             requant=requant if requant != "fixed_point" else None)
    m.ret(y)
    return m, inputs, (lo, hi)


DW_CASES = {
    # The benchmark's configuration (u8 zero point 128 in and out): the
    # saturating narrowing of the float epilogue.
    "c128-56w-u8-zp128": dict(c=128, hw=(9, 56), x_storage="u8",
                              out_storage="u8", out_zp=128),
    "c16-w1": dict(c=16, hw=(5, 1)),
    # Several slabs of 16 output rows and a partial one (5 rows).
    "c64-h37-slabs-u8-zp128": dict(c=64, hw=(37, 6), x_storage="u8",
                                   out_storage="u8", out_zp=128),
    "c24-h41-stride2-slabs": dict(c=24, hw=(41, 7), stride=(2, 2)),
    "c17-w2-u8_in": dict(c=17, hw=(4, 2), x_storage="u8"),
    "c48-w3-pad0": dict(c=48, hw=(6, 3), pad=(0, 0, 0, 0)),
    "c130-w5-asym_pad-wzp": dict(c=130, hw=(7, 5), pad=(2, 0, 1, 2), w_zp=9),
    "c64-h1-w7-wzp-per_tensor": dict(c=64, hw=(1, 7), w_zp=5, per_axis=False),
    "c80-u8_weights-zp128": dict(c=80, hw=(4, 6), w_storage="u8", w_zp=6,
                                 x_storage="u8", out_storage="u8",
                                 out_zp=128),
    "c32-stride2": dict(c=32, hw=(9, 11), stride=(2, 2), x_storage="u8"),
    "c20-stride2x1-dilation2x1": dict(c=20, hw=(10, 9), stride=(2, 1),
                                      dilation=(2, 1), pad=(2, 2, 1, 1)),
    "c24-5x5-pad2-i16_out": dict(c=24, hw=(8, 9), k=(5, 5), pad=(2, 2, 2, 2),
                                 out_storage="i16"),
    "c33-1x7-u8_out-relu": dict(c=33, hw=(6, 13), k=(1, 7), pad=(0, 0, 3, 3),
                                out_storage="u8", clamp="relu"),
    "c16-3x1-i32_out-batch3": dict(c=16, n=3, hw=(5, 6), k=(3, 1),
                                   pad=(1, 1, 0, 0), out_storage="i32"),
    "c40-9x9-w4-no_bias": dict(c=40, hw=(6, 4), k=(9, 9), pad=(4, 4, 4, 4),
                               bias=False),
    # 64-channel tiles narrowed by saturating packs (float mode), then two
    # single blocks and a partial one; relu clamps the packed bytes.
    "c100-i8_out-zp0-relu": dict(c=100, hw=(5, 6), out_storage="i8", out_zp=0,
                                 clamp="relu"),
    # Horizontal dilation takes the one-tap-per-instruction kernel.
    "c18-dilation1x2": dict(c=18, hw=(6, 9), dilation=(1, 2)),
}


@pytest.mark.parametrize("target", ["host", "x86-64-v4", "x86-64-v3-vnni"])
@pytest.mark.parametrize("requant", MODES)
@pytest.mark.parametrize("case", list(DW_CASES), ids=list(DW_CASES))
def test_depthwise(harness, rng, case, requant, target):
    model, inputs, (lo, hi) = build_depthwise(rng, requant=requant,
                                              **DW_CASES[case])
    _check(harness, model, inputs, target, lo, hi, "conv")


def test_depthwise_packs_taps(quant_compile, workdir, rng):
    """On VNNI the 3x3 depthwise kernel does one dot per kernel row (3 per
    output vector, not 9) on taps transposed into the lanes."""
    if "avx512_vnni" not in FLAGS:
        pytest.skip("this host has no AVX-512 VNNI")
    model, _, _ = build_depthwise(rng, c=16, hw=(1, 1), pad=(1, 1, 1, 1))
    asm = _asm(quant_compile, workdir, model, "host")
    assert len(re.findall(r"\bvpdpbusd\b", asm)) == 3
    if "avx512vbmi" in FLAGS:
        assert re.search(r"\bvpermb\b", asm)
    # 64 channels, u8 with zero point 128: four blocks per saturating pack.
    model, _, _ = build_depthwise(rng, c=64, hw=(3, 3), x_storage="u8",
                                  out_storage="u8", out_zp=128)
    asm = _asm(quant_compile, workdir, model, "host")
    assert re.search(r"\bvpacksswb\b", asm)


# --- the kernel each target takes --------------------------------------------------

def _asm(quant_compile, workdir, model, target):
    src = workdir / f"{target}.mlir"
    src.write_text(model.text())
    out = workdir / f"{target}.s"
    args = [src, "-o", out, "--emit=asm", "--io=quantized"]
    if target != "host":
        args.append(f"--target={target}")
    run_quant_compile(quant_compile, *args)
    return out.read_text()


@pytest.mark.parametrize("kind", ["fc", "conv3x3", "conv3x3_c3", "depthwise"])
@pytest.mark.parametrize("target", TARGETS)
def test_each_target_takes_its_kernel(quant_compile, workdir, rng, kind,
                                      target):
    if kind == "fc":
        model, _, _ = build_fc(rng, b=4, k=64, n=32)
    elif kind == "conv3x3":
        model, _, _ = build_conv(rng, c=16, f=32, hw=(6, 6), pad=(1, 1, 1, 1))
    elif kind == "conv3x3_c3":
        model, _, _ = build_conv(rng, c=3, f=32, hw=(6, 6), pad=(1, 1, 1, 1))
    else:
        model, _, _ = build_conv(rng, c=32, f=32, groups=32, hw=(6, 6),
                                 pad=(1, 1, 1, 1))
    body = _asm(quant_compile, workdir, model, target)
    dpbusd = len(re.findall(r"\bvpdpbusd\b", body))
    maddwd_zmm = len(re.findall(r"\bvpmaddwd\b[^\n]*zmm", body))
    maddwd_ymm = len(re.findall(r"\bvpmaddwd\b[^\n]*ymm", body))
    if target == "host":
        if "avx512_vnni" not in FLAGS:
            pytest.skip("this host has no AVX-512 VNNI")
        assert dpbusd > 0 and maddwd_zmm == 0
    elif target == "x86-64-v4":
        assert dpbusd == 0 and maddwd_zmm > 0
    elif target == "x86-64-v3-vnni":
        # The VEX byte dot on ymm; AVX-512 nowhere.
        vex_dpbusd = len(re.findall(r"\{vex\}\s*vpdpbusd\s[^\n]*ymm", body))
        assert vex_dpbusd > 0 and vex_dpbusd == dpbusd and "zmm" not in body
    elif target == "x86-64-v3":
        assert dpbusd == 0 and maddwd_ymm > 0 and "zmm" not in body
    else:
        assert dpbusd == 0 and maddwd_zmm == 0 and maddwd_ymm == 0


# --- the CPU check of compiled libraries ---------------------------------------------

# LLVM feature names -> /proc/cpuinfo flags, where they differ.
CPUINFO_NAME = {"sse3": "pni", "sse4.1": "sse4_1", "sse4.2": "sse4_2",
                "pclmul": "pclmulqdq", "bmi": "bmi1", "lzcnt": "abm",
                "avx512vnni": "avx512_vnni", "avx512vbmi2": "avx512_vbmi2",
                "avx512bitalg": "avx512_bitalg",
                "avx512vpopcntdq": "avx512_vpopcntdq",
                "avx512vp2intersect": "avx512_vp2intersect",
                "avx512bf16": "avx512_bf16", "avx512fp16": "avx512_fp16",
                "avxvnni": "avx_vnni", "sha": "sha_ni"}


@pytest.mark.parametrize("target", TARGETS)
def test_library_checks_the_cpu(harness, rng, target):
    """Each library lists the features its target may use; on this machine
    every runnable target's features are reported by the kernel too, and
    the library's own cpuid check agrees."""
    import ctypes
    import json
    model, _, _ = build_fc(rng, b=2, k=8, n=4)
    compiled = harness.compile(harness.write(model, "fc"), target=_target(target))
    lib = compiled._lib
    lib.lowbit_target.restype = ctypes.c_char_p
    info = json.loads(lib.lowbit_target())
    expected_isa = {"generic": "generic", "x86-64-v3": "avx2",
                    "x86-64-v3-vnni": "avxvnni", "x86-64-v4": "avx512"}
    if target in expected_isa:
        assert info["isa"] == expected_isa[target]
        assert info["target"] == target
    if target == "generic":
        assert info["features"] == []
    if target == "x86-64-v4":
        assert {"avx2", "avx512f", "avx512bw", "avx512vl"} <= set(info["features"])
    if FLAGS:
        flags = {CPUINFO_NAME.get(f, f) for f in info["features"]}
        assert flags <= FLAGS, flags - FLAGS
    lib.lowbit_cpu_supported.restype = ctypes.c_int
    lib.lowbit_cpu_missing.restype = ctypes.c_uint64
    assert lib.lowbit_cpu_supported() == 1
    assert lib.lowbit_cpu_missing() == 0


@pytest.mark.parametrize("target", KERNEL_TARGETS)
@pytest.mark.parametrize("requant", MODES)
def test_extreme_accumulators_wrap_like_the_reference(harness, rng, requant,
                                                      target):
    """Biases over the whole int32 range make the accumulator wrap, and
    multipliers from 2^-40 to 3.9 exercise every shift of the fixed-point
    path (left shifts that wrap, right shifts up to 31, a zero multiplier):
    the vector epilogue must wrap and round exactly as the reference."""
    b, k, n = 7, 40, 36
    x_t = QType("i8", 0.05, -7)
    multipliers = [3.9, 2.5, 1.0, 0.999, 0.5, 0.3, 1e-3, 2.0 ** -31, 2.0 ** -40]
    w_scales = [0.01 * (1 + i % 5) for i in range(n)]
    out_scale = 0.05 * 0.01 / multipliers[0]
    # Per-channel weight scales realise the multipliers (s_x s_w / s_out).
    w_scales = [multipliers[i % len(multipliers)] * out_scale / 0.05
                for i in range(n)]
    w_t = QType("i8", w_scales, 0, axis=0, narrow=True)
    w = rng.integers(-127, 128, size=(n, k))
    bias = rng.integers(-(1 << 31), (1 << 31) - 1, size=n)
    out_t = QType("i8", out_scale, 3)
    m = Model("fc")
    x = m.arg((b, k), x_t)
    y = m.op("lowbit.fully_connected",
             [x, m.const(w, w_t), m.const(bias, bias_type(x_t, w_t))], (b, n),
             out_t, requant=requant if requant != "fixed_point" else None)
    m.ret(y)
    inputs = [(random_ints(rng, (b, k), x_t),) for _ in range(3)]
    outs = harness.check(m, inputs, io="quantized", target=_target(target),
                         name="fc")
    assert np.unique(np.concatenate([o[0].ravel() for o in outs])).size >= 3


@pytest.mark.parametrize("target", KERNEL_TARGETS)
@pytest.mark.parametrize("requant", MODES)
def test_rounding_with_multipliers_near_one(harness, rng, requant, target):
    """Multipliers in [0.25, 4) leave the fixed-point result to the high
    multiply alone (right shift 0 or 1) and a 16-bit output keeps every
    value unsaturated, so an off-by-one in the rounding of any lane shows
    (a nudge of 2^29 instead of 2^30 in the high multiply fails here)."""
    b, k, n = 16, 3, 48
    x_t = QType("i8", 0.05, 0)
    multipliers = np.exp(rng.uniform(np.log(0.25), np.log(4.0), size=n))
    # Exact halves and quarters make ties: half to even (float) and half up
    # (fixed point) must both be honoured.
    multipliers[:6] = [0.5, 1.5, 0.25, 0.75, 2.5, 0.5]
    out_scale = 0.05 * 0.01
    w_t = QType("i8", [float(mm) * out_scale / 0.05 for mm in multipliers], 0,
                axis=0, narrow=True)
    w = rng.integers(-2, 3, size=(n, k))
    out_t = QType("i16", out_scale, 5)
    m = Model("fc")
    x = m.arg((b, k), x_t)
    y = m.op("lowbit.fully_connected", [x, m.const(w, w_t)], (b, n), out_t,
             requant=requant if requant != "fixed_point" else None)
    m.ret(y)
    inputs = [(random_ints(rng, (b, k), x_t),) for _ in range(4)]
    outs = harness.check(m, inputs, io="quantized", target=_target(target),
                         name="fc")
    vals = np.concatenate([o[0].ravel() for o in outs])
    assert np.unique(vals).size > 500 and np.abs(vals).max() < 10000


# The fp32 (float TOSA) kernels: test_float_kernels_compile.py.
