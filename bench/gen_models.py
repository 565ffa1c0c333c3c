"""Writes the benchmark models and their parameters.

For every int8 case: ``NAME.float.mlir`` and ``NAME.fixed.mlir`` (the same
model with float and fixed_point requantization), compiled by run.sh with
``quant-compile --io=quantized``, and ``NAME.bin`` with the raw parameters
the C++ harness gives oneDNN: int8 weights in the lowbit layout, int32 bias,
float64 weight scales.  For every GEMM shape also ``NAME.fp32.mlir``, the
float TOSA model of the same product, and for every convolution
``NAME.fp32.mlir`` (tosa.conv2d / tosa.depthwise_conv2d with a bias).  ``cases.txt`` lists the cases, one
per line: name kind M K N H W C F KH KW pad groups in_scale in_zp out_scale
out_zp.

All activations are u8 (zero point 128), weights symmetric per-channel s8
(narrow range), outputs u8: the configuration oneDNN's int8 primitives
take natively (u8 x s8 with per-channel output scales).

    /usr/bin/python3 bench/gen_models.py OUT_DIR
"""

import math
import sys
from pathlib import Path

import numpy as np

GEMMS = [  # name, M, K, N
    ("gemm_256", 256, 256, 256),
    ("gemm_1024", 1024, 1024, 1024),
    ("gemm_2048", 2048, 2048, 2048),
    ("gemm_128x768x3072", 128, 768, 3072),
    ("gemv_1x4096x4096", 1, 4096, 4096),
]
CONVS = [  # name, H, W, C, F, K, depthwise
    ("conv3x3_56x56x64", 56, 56, 64, 64, 3, False),
    ("conv3x3_14x14x256", 14, 14, 256, 256, 3, False),
    ("dw3x3_56x56x128", 56, 56, 128, 128, 3, True),
]

IN_SCALE, IN_ZP = 0.02, 128


def fmt(x):
    s = repr(float(x))
    return s if ("." in s or "e" in s) else s + ".0"


def hexdense(a, dtype):
    return '"0x' + np.ascontiguousarray(a, dtype=dtype).tobytes().hex().upper() + '"'


def qtype_act(scale, zp):
    return f"!quant.uniform<u8:f32, {fmt(scale)}:{zp}>"


def qtype_w(scales):
    body = ", ".join(f"{fmt(s)}:0" for s in scales)
    return f"!quant.uniform<i8<-127:127>:f32:0, {{{body}}}>"


def qtype_b(scales):
    body = ", ".join(f"{fmt(IN_SCALE * s)}:0" for s in scales)
    return f"!quant.uniform<i32:f32:0, {{{body}}}>"


def tensor(shape, elem):
    return "tensor<" + "".join(f"{d}x" for d in shape) + elem + ">"


def out_scale(k_eff, w_scales):
    """An output scale that maps the typical accumulator spread (a random
    walk over K products of centered u8 x s8) onto the u8 range."""
    spread = math.sqrt(k_eff) * 74 * 73 * IN_SCALE * float(np.mean(w_scales))
    return 4 * spread / 255


def write_case(out, name, kind, m, k, n, h, w, c, f, kh, pad, groups,
               w_int, bias, w_scales, body_fn):
    o_scale, o_zp = out_scale(k if kind != "dw" else kh * kh, w_scales), 128
    for mode in ("float", "fixed"):
        attr = "requant = #lowbit.requant<float>" if mode == "float" else ""
        (out / f"{name}.{mode}.mlir").write_text(
            body_fn(qtype_act(o_scale, o_zp), attr))
    with open(out / f"{name}.bin", "wb") as fh:
        fh.write(np.ascontiguousarray(w_int, np.int8).tobytes())
        fh.write(np.ascontiguousarray(bias, np.int32).tobytes())
        fh.write(np.ascontiguousarray(w_scales, np.float64).tobytes())
    return (f"{name} {kind} {m} {k} {n} {h} {w} {c} {f} {kh} {kh} {pad} "
            f"{groups} {fmt(IN_SCALE)} {IN_ZP} {fmt(o_scale)} {o_zp}")


def gemm(out, rng, name, M, K, N):
    w = rng.integers(-127, 128, size=(N, K), dtype=np.int64)
    scales = rng.uniform(0.002, 0.01, size=N)
    bias = rng.integers(-20000, 20001, size=N)
    x_t = qtype_act(IN_SCALE, IN_ZP)

    def body(o_t, attr):
        a = f" {{{attr}}}" if attr else ""
        wt, bt = qtype_w(scales), qtype_b(scales)
        return f"""func.func @{name}(%x: {tensor((M, K), x_t)}) -> {tensor((M, N), o_t)} {{
  %wc = arith.constant dense<{hexdense(w, np.int8)}> : {tensor((N, K), 'i8')}
  %w = quant.scast %wc : {tensor((N, K), 'i8')} to {tensor((N, K), wt)}
  %bc = arith.constant dense<{hexdense(bias, np.int32)}> : {tensor((N,), 'i32')}
  %b = quant.scast %bc : {tensor((N,), 'i32')} to {tensor((N,), bt)}
  %y = lowbit.fully_connected %x, %w, %b{a} : ({tensor((M, K), x_t)}, {tensor((N, K), wt)}, {tensor((N,), bt)}) -> {tensor((M, N), o_t)}
  return %y : {tensor((M, N), o_t)}
}}
"""
    line = write_case(out, name, "gemm", M, K, N, 0, 0, 0, 0, 0, 0, 1, w, bias,
                      scales, body)
    # The float model of the same product, [1, M, K] x [1, K, N] (the 64
    # MiB matrix of the GEMV is 128 MB of MLIR text; it compiles in about
    # half a minute).
    bf = rng.standard_normal(size=(1, K, N)).astype(np.float32)
    (out / f"{name}.fp32.mlir").write_text(f"""func.func @{name}(%a: tensor<1x{M}x{K}xf32>) -> tensor<1x{M}x{N}xf32> {{
  %b = arith.constant dense<{hexdense(bf, np.float32)}> : tensor<1x{K}x{N}xf32>
  %zp = "tosa.const"() <{{values = dense<0.0> : tensor<1xf32>}}> : () -> tensor<1xf32>
  %c = tosa.matmul %a, %b, %zp, %zp : (tensor<1x{M}x{K}xf32>, tensor<1x{K}x{N}xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x{M}x{N}xf32>
  return %c : tensor<1x{M}x{N}xf32>
}}
""")
    return line


def conv(out, rng, name, H, W, C, F, KS, depthwise):
    cin = 1 if depthwise else C
    w = rng.integers(-127, 128, size=(F, KS, KS, cin), dtype=np.int64)
    scales = rng.uniform(0.002, 0.01, size=F)
    bias = rng.integers(-20000, 20001, size=F)
    x_t = qtype_act(IN_SCALE, IN_ZP)
    p = KS // 2
    groups = C if depthwise else 1

    def body(o_t, attr):
        attrs = [f"pad = array<i64: {p}, {p}, {p}, {p}>"]
        if depthwise:
            attrs.append(f"groups = {C} : i64")
        if attr:
            attrs.append(attr)
        wt, bt = qtype_w(scales), qtype_b(scales)
        ws = (F, KS, KS, cin)
        return f"""func.func @{name}(%x: {tensor((1, H, W, C), x_t)}) -> {tensor((1, H, W, F), o_t)} {{
  %wc = arith.constant dense<{hexdense(w, np.int8)}> : {tensor(ws, 'i8')}
  %w = quant.scast %wc : {tensor(ws, 'i8')} to {tensor(ws, wt)}
  %bc = arith.constant dense<{hexdense(bias, np.int32)}> : {tensor((F,), 'i32')}
  %b = quant.scast %bc : {tensor((F,), 'i32')} to {tensor((F,), bt)}
  %y = lowbit.conv2d %x, %w, %b {{{', '.join(attrs)}}} : ({tensor((1, H, W, C), x_t)}, {tensor(ws, wt)}, {tensor((F,), bt)}) -> {tensor((1, H, W, F), o_t)}
  return %y : {tensor((1, H, W, F), o_t)}
}}
"""
    # The float TOSA model of the same convolution (bias, no clamp: what
    # the harness gives oneDNN's fp32 primitive).
    wf = rng.standard_normal(size=(KS, KS, C, 1) if depthwise
                             else (F, KS, KS, C)).astype(np.float32)
    bf = rng.standard_normal(size=(F,)).astype(np.float32)
    op = "tosa.depthwise_conv2d" if depthwise else "tosa.conv2d"
    xt, yt, wt_, bt_ = (tensor((1, H, W, C), "f32"), tensor((1, H, W, F), "f32"),
                        tensor(wf.shape, "f32"), tensor((F,), "f32"))
    (out / f"{name}.fp32.mlir").write_text(f"""func.func @{name}(%x: {xt}) -> {yt} {{
  %w = arith.constant dense<{hexdense(wf, np.float32)}> : {wt_}
  %b = arith.constant dense<{hexdense(bf, np.float32)}> : {bt_}
  %zp = "tosa.const"() <{{values = dense<0.0> : tensor<1xf32>}}> : () -> tensor<1xf32>
  %y = {op} %x, %w, %b, %zp, %zp {{acc_type = f32, pad = array<i64: {p}, {p}, {p}, {p}>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>}} : ({xt}, {wt_}, {bt_}, tensor<1xf32>, tensor<1xf32>) -> {yt}
  return %y : {yt}
}}
""")
    kind = "dw" if depthwise else "conv"
    return write_case(out, name, kind, H * W, KS * KS * cin, F, H, W, C, F, KS,
                      p, groups, w, bias, scales, body)


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2026)
    lines = [gemm(out, rng, *g) for g in GEMMS]
    lines += [conv(out, rng, *c) for c in CONVS]
    (out / "cases.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
