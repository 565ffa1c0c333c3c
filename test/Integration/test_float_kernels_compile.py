"""The fp32 x86 kernels (FloatGemm.cpp, FloatConv.cpp, FloatPool.cpp) vs
float64 numpy.

Float TOSA models (the fp32 baseline of a quantized model) compile with
their matmuls, convolutions and depthwise convolutions on FMA kernels.
Each output is one fused multiply-add chain, so it differs from the
float64 result only by rounding: every element must lie within
``TOL * sum_k |a_k * b_k|`` (plus the bias) of it, a bound a wrong index,
a missed tap or a dropped tail breaks by orders of magnitude. The shapes
cover the edges of the kernels: M = 1, M not a multiple of the tile
height, several M and k blocks, N / F not a multiple of the lanes, C = 1,
strides, dilations, asymmetric padding, batches, large kernels (taps in a
loop), fused clamps. Every target runs (generic = the linalg loops), and
a separate test checks that the kernels really are the ones compiled.
"""

import re

import numpy as np
import pytest

from integration_support import RUNNABLE, run_quant_compile

TARGETS = ["host", "x86-64-v4", "x86-64-v3", "generic"]
TOL = 1e-5


def t(shape):
    return "tensor<" + "x".join(map(str, shape)) + "xf32>"


def hexdense(x):
    return '"0x' + np.ascontiguousarray(x, np.float32).tobytes().hex().upper() + '"'


ZP = '%zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>'


def clamp_text(src, shape, clamp):
    if clamp is None:
        return src, ""
    lo, hi = clamp
    return "%y", (f"  %y = tosa.clamp {src} {{min_val = {lo:e} : f32, "
                  f"max_val = {hi:e} : f32}} : ({t(shape)}) -> {t(shape)}\n")


def check_close(got, exact, scale, what):
    """|got - exact| <= TOL * scale elementwise (scale = sum of |products|
    and |bias|), with a floor for all-zero rows."""
    assert got.shape == exact.shape, what
    bound = TOL * scale + 1e-30
    err = np.abs(got.astype(np.float64) - exact)
    worst = np.unravel_index(np.argmax(err / bound), err.shape)
    assert np.all(err <= bound), (
        f"{what}: at {worst} got {got[worst]!r}, float64 {exact[worst]!r}, "
        f"error {err[worst]:.3g} > bound {bound[worst]:.3g}")


def run_all_targets(harness, text, name, inputs):
    path = harness.write(text, name)
    outs = {}
    for target in TARGETS:
        if not RUNNABLE[target]:
            continue
        compiled = harness.compile(path, io="float",
                                   target=None if target == "host" else target)
        outs[target] = compiled(*inputs)[0]
    return outs


# --- tosa.matmul ------------------------------------------------------------

MATMULS = [  # batch, M, K, N
    (1, 1, 1, 1), (1, 1, 576, 10), (1, 1, 300, 130), (1, 5, 7, 3),
    (2, 9, 33, 40), (1, 17, 5, 16), (3, 4, 260, 17), (1, 300, 600, 70),
    (1, 64, 257, 48), (1, 7, 1000, 33), (2, 263, 20, 129),
]


def matmul_model(rng, shape):
    """A tosa.matmul with a constant right-hand side: (text, inputs, float64
    result, sum of |products|)."""
    batch, m, k, n = shape
    b = rng.standard_normal(size=(batch, k, n)).astype(np.float32)
    a = rng.standard_normal(size=(batch, m, k)).astype(np.float32)
    text = f"""func.func @mm(%a: {t((batch, m, k))}) -> {t((batch, m, n))} {{
  %b = arith.constant dense<{hexdense(b)}> : {t((batch, k, n))}
  {ZP}
  %c = tosa.matmul %a, %b, %zp, %zp : ({t((batch, m, k))}, {t((batch, k, n))}, tensor<1xf32>, tensor<1xf32>) -> {t((batch, m, n))}
  return %c : {t((batch, m, n))}
}}
"""
    exact = np.matmul(a.astype(np.float64), b.astype(np.float64))
    scale = np.matmul(np.abs(a.astype(np.float64)), np.abs(b.astype(np.float64)))
    return text, [a], exact, scale


@pytest.mark.parametrize("shape", MATMULS, ids=lambda s: "x".join(map(str, s)))
def test_float_matmul(harness, rng, shape):
    text, inputs, exact, scale = matmul_model(rng, shape)
    for target, out in run_all_targets(harness, text, "mm", inputs).items():
        check_close(out, exact, scale, target)


# --- tosa.conv2d ------------------------------------------------------------

def conv_reference(x, w, bias, pad, stride, dil, depthwise):
    """float64 NHWC convolution; returns (result, sum of |terms|)."""
    x = x.astype(np.float64)
    w = w.astype(np.float64)
    n, h, wd, c = x.shape
    if depthwise:
        kh, kw = w.shape[0], w.shape[1]
    else:
        kh, kw = w.shape[1], w.shape[2]
    pt, pb, pl, pr = pad
    xp = np.zeros((n, h + pt + pb, wd + pl + pr, c))
    xp[:, pt:pt + h, pl:pl + wd, :] = x
    oh = (h + pt + pb - (kh - 1) * dil[0] - 1) // stride[0] + 1
    ow = (wd + pl + pr - (kw - 1) * dil[1] - 1) // stride[1] + 1
    f = c if depthwise else w.shape[0]
    out = np.zeros((n, oh, ow, f)) + bias
    mag = np.zeros((n, oh, ow, f)) + np.abs(bias)
    for i in range(kh):
        for j in range(kw):
            y0, x0 = i * dil[0], j * dil[1]
            patch = xp[:, y0:y0 + (oh - 1) * stride[0] + 1:stride[0],
                       x0:x0 + (ow - 1) * stride[1] + 1:stride[1], :]
            if depthwise:
                tap = w[i, j, :, 0]
                out += patch * tap
                mag += np.abs(patch) * np.abs(tap)
            else:
                tap = w[:, i, j, :]  # [F][C]
                out += patch @ tap.T
                mag += np.abs(patch) @ np.abs(tap).T
    return out, mag


CONVS = {
    # n, h, w, c, f, kh, kw, pad, stride, dilation, clamp
    "3x3-pad1-relu": (1, 9, 11, 8, 20, 3, 3, (1, 1, 1, 1), (1, 1), (1, 1), (0.0, 3.4e38)),
    "c1-f16-pad1": (1, 28, 28, 1, 16, 3, 3, (1, 1, 1, 1), (1, 1), (1, 1), None),
    "1x1-c32-f64": (1, 7, 7, 32, 64, 1, 1, (0, 0, 0, 0), (1, 1), (1, 1), (0.0, 6.0)),
    "stride2-asym-pad": (2, 10, 9, 5, 33, 3, 2, (1, 2, 1, 0), (2, 2), (1, 1), None),
    "dilation2": (1, 12, 13, 17, 8, 3, 3, (2, 2, 2, 2), (1, 1), (2, 2), (-1.0, 1.0)),
    "5x5-stride3": (1, 14, 14, 3, 7, 5, 5, (2, 1, 2, 1), (3, 3), (1, 1), None),
    "8x7-taps-loop": (1, 10, 9, 4, 18, 8, 7, (1, 2, 3, 3), (1, 1), (1, 1), None),
    "c64-f48-no-pad": (1, 8, 9, 64, 48, 3, 3, (0, 0, 0, 0), (1, 1), (1, 1), None),
    # K = 1152 and a partial tile (7 x 5 pixels), clamped.
    "c128-k1152-relu6": (1, 7, 5, 128, 40, 3, 3, (1, 1, 1, 1), (1, 1), (1, 1), (0.0, 6.0)),
}


def conv_model(rng, case):
    """A tosa.conv2d (and clamp) of CONVS: (text, inputs, float64 result,
    sum of |products|)."""
    n, h, w, c, f, kh, kw, pad, stride, dil, clamp = case
    x = rng.standard_normal(size=(n, h, w, c)).astype(np.float32)
    wt = rng.standard_normal(size=(f, kh, kw, c)).astype(np.float32)
    bias = rng.standard_normal(size=(f,)).astype(np.float32)
    exact, mag = conv_reference(x, wt, bias, pad, stride, dil, False)
    oshape = exact.shape
    res, clamp_line = clamp_text("%c", oshape, clamp)
    text = f"""func.func @conv(%x: {t(x.shape)}) -> {t(oshape)} {{
  %w = arith.constant dense<{hexdense(wt)}> : {t(wt.shape)}
  %b = arith.constant dense<{hexdense(bias)}> : {t(bias.shape)}
  {ZP}
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {{acc_type = f32, pad = array<i64: {', '.join(map(str, pad))}>, stride = array<i64: {stride[0]}, {stride[1]}>, dilation = array<i64: {dil[0]}, {dil[1]}>}} : ({t(x.shape)}, {t(wt.shape)}, {t(bias.shape)}, tensor<1xf32>, tensor<1xf32>) -> {t(oshape)}
{clamp_line}  return {res} : {t(oshape)}
}}
"""
    if clamp is not None:
        exact = np.clip(exact, clamp[0], clamp[1])
    return text, [x], exact, mag


@pytest.mark.parametrize("case", CONVS.values(), ids=CONVS.keys())
def test_float_conv2d(harness, rng, case):
    text, inputs, exact, mag = conv_model(rng, case)
    for target, out in run_all_targets(harness, text, "conv", inputs).items():
        check_close(out, exact, mag, target)


@pytest.mark.parametrize("threads", [2, 3])
@pytest.mark.parametrize("kind,case", [
    ("mm", (1, 300, 600, 70)), ("mm", (2, 263, 20, 129)), ("mm", (1, 1, 300, 130)),
    ("conv", CONVS["c128-k1152-relu6"]), ("conv", CONVS["stride2-asym-pad"])])
def test_float_kernels_on_threads(harness, rng, kind, case, threads):
    """--threads splits the panels (GEMM) or pixel blocks (conv) among
    threads; every output is still the same FMA chain, so the result is the
    one-thread result bit for bit."""
    build = matmul_model if kind == "mm" else conv_model
    text, inputs, exact, scale = build(rng, case)
    # Two files: a library path is loaded once per process.
    one = harness.compile(harness.write(text, kind), io="float")(*inputs)[0]
    many = harness.compile(harness.write(text, kind), io="float",
                           extra=[f"--threads={threads}"])(*inputs)[0]
    check_close(one, exact, scale, "one thread")
    assert many.tobytes() == one.tobytes()


DEPTHWISE = {
    # n, h, w, c, kh, kw, pad, stride, dilation, clamp
    "3x3-c32-relu": (1, 7, 7, 32, 3, 3, (1, 1, 1, 1), (1, 1), (1, 1), (0.0, 3.4e38)),
    "3x3-c40-wide": (1, 6, 30, 40, 3, 3, (1, 1, 1, 1), (1, 1), (1, 1), None),
    "c5-stride2": (2, 11, 12, 5, 3, 3, (1, 1, 0, 1), (2, 2), (1, 1), (-0.5, 0.5)),
    "5x5-dil2-c33": (1, 13, 17, 33, 5, 5, (4, 4, 4, 4), (1, 1), (2, 2), None),
    "no-pad-c64": (1, 10, 21, 64, 3, 3, (0, 0, 0, 0), (1, 1), (1, 1), None),
    "1x1-narrow": (1, 3, 2, 17, 1, 1, (0, 0, 0, 0), (1, 1), (1, 1), None),
}


@pytest.mark.parametrize("case", DEPTHWISE.values(), ids=DEPTHWISE.keys())
def test_float_depthwise(harness, rng, case):
    n, h, w, c, kh, kw, pad, stride, dil, clamp = case
    x = rng.standard_normal(size=(n, h, w, c)).astype(np.float32)
    wt = rng.standard_normal(size=(kh, kw, c, 1)).astype(np.float32)
    bias = rng.standard_normal(size=(c,)).astype(np.float32)
    exact, mag = conv_reference(x, wt, bias, pad, stride, dil, True)
    oshape = exact.shape
    res, clamp_line = clamp_text("%c", oshape, clamp)
    text = f"""func.func @dw(%x: {t(x.shape)}) -> {t(oshape)} {{
  %w = arith.constant dense<{hexdense(wt)}> : {t(wt.shape)}
  %b = arith.constant dense<{hexdense(bias)}> : {t(bias.shape)}
  {ZP}
  %c = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {{acc_type = f32, pad = array<i64: {', '.join(map(str, pad))}>, stride = array<i64: {stride[0]}, {stride[1]}>, dilation = array<i64: {dil[0]}, {dil[1]}>}} : ({t(x.shape)}, {t(wt.shape)}, {t(bias.shape)}, tensor<1xf32>, tensor<1xf32>) -> {t(oshape)}
{clamp_line}  return {res} : {t(oshape)}
}}
"""
    if clamp is not None:
        exact = np.clip(exact, clamp[0], clamp[1])
    for target, out in run_all_targets(harness, text, "dw", [x]).items():
        check_close(out, exact, mag, target)


POOLS = {
    # n, h, w, c, kernel, stride, pad
    "2x2-c16": (1, 28, 28, 16, (2, 2), (2, 2), (0, 0, 0, 0)),
    "3x3-s2-c20": (2, 9, 11, 20, (3, 3), (2, 2), (0, 0, 0, 0)),
    "2x3-s1-c3": (1, 5, 7, 3, (2, 3), (1, 1), (0, 0, 0, 0)),
    "1x1-c33": (1, 2, 3, 33, (1, 1), (1, 1), (0, 0, 0, 0)),
    "padded-generic": (1, 6, 6, 16, (3, 3), (1, 1), (1, 1, 1, 1)),
}


@pytest.mark.parametrize("case", POOLS.values(), ids=POOLS.keys())
def test_float_max_pool(harness, rng, case):
    """A maximum is exact: every target must give numpy's result bit for
    bit (the padded pool runs the generic lowering)."""
    n, h, w, c, k, s, pad = case
    x = rng.standard_normal(size=(n, h, w, c)).astype(np.float32)
    pt, pb, pl, pr = pad
    xp = np.full((n, h + pt + pb, w + pl + pr, c), -np.inf, np.float32)
    xp[:, pt:pt + h, pl:pl + w, :] = x
    oh = (h + pt + pb - k[0]) // s[0] + 1
    ow = (w + pl + pr - k[1]) // s[1] + 1
    want = np.full((n, oh, ow, c), -np.inf, np.float32)
    for i in range(k[0]):
        for j in range(k[1]):
            want = np.maximum(want, xp[:, i:i + (oh - 1) * s[0] + 1:s[0],
                                       j:j + (ow - 1) * s[1] + 1:s[1], :])
    text = f"""func.func @pool(%x: {t(x.shape)}) -> {t(want.shape)} {{
  %y = tosa.max_pool2d %x {{kernel = array<i64: {k[0]}, {k[1]}>, stride = array<i64: {s[0]}, {s[1]}>, pad = array<i64: {', '.join(map(str, pad))}>}} : ({t(x.shape)}) -> {t(want.shape)}
  return %y : {t(want.shape)}
}}
"""
    for target, out in run_all_targets(harness, text, "pool", [x]).items():
        assert np.array_equal(out, want), target


def test_tolerance_catches_a_wrong_result(rng):
    """The bound is tight enough to see one product too many or too few."""
    a = rng.standard_normal(size=(1, 4, 300)).astype(np.float32)
    b = rng.standard_normal(size=(1, 300, 5)).astype(np.float32)
    exact = np.matmul(a.astype(np.float64), b.astype(np.float64))
    scale = np.matmul(np.abs(a.astype(np.float64)), np.abs(b.astype(np.float64)))
    check_close(exact.astype(np.float32), exact, scale, "rounded")
    wrong = np.matmul(a[:, :, :-1], b[:, :-1, :])
    with pytest.raises(AssertionError):
        check_close(wrong, exact, scale, "one product short")


# --- the kernels are the ones compiled --------------------------------------

def test_float_kernels_are_taken(quant_compile, workdir, rng):
    x, wt, bias = (np.ones((1, 8, 8, 16)), rng.standard_normal(size=(32, 3, 3, 16)),
                   np.zeros(32))
    dw = rng.standard_normal(size=(3, 3, 16, 1))
    text = f"""func.func @m(%x: {t((1, 8, 8, 16))}, %a: {t((1, 4, 64))}) -> ({t((1, 8, 8, 32))}, {t((1, 8, 8, 16))}, {t((1, 4, 32))}) {{
  %w = arith.constant dense<{hexdense(wt)}> : {t(wt.shape)}
  %d = arith.constant dense<{hexdense(dw)}> : {t(dw.shape)}
  %b = arith.constant dense<{hexdense(bias)}> : {t((32,))}
  %b16 = arith.constant dense<0.5> : {t((16,))}
  %m = arith.constant dense<0.25> : {t((1, 64, 32))}
  {ZP}
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {{acc_type = f32, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>}} : ({t((1, 8, 8, 16))}, {t(wt.shape)}, {t((32,))}, tensor<1xf32>, tensor<1xf32>) -> {t((1, 8, 8, 32))}
  %e = tosa.depthwise_conv2d %x, %d, %b16, %zp, %zp {{acc_type = f32, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>}} : ({t((1, 8, 8, 16))}, {t(dw.shape)}, {t((16,))}, tensor<1xf32>, tensor<1xf32>) -> {t((1, 8, 8, 16))}
  %g = tosa.matmul %a, %m, %zp, %zp : ({t((1, 4, 64))}, {t((1, 64, 32))}, tensor<1xf32>, tensor<1xf32>) -> {t((1, 4, 32))}
  return %c, %e, %g : {t((1, 8, 8, 32))}, {t((1, 8, 8, 16))}, {t((1, 4, 32))}
}}
"""
    src = workdir / "m.mlir"
    src.write_text(text)
    out = workdir / "m.s"
    run_quant_compile(quant_compile, src, "-o", out, "--emit=asm",
                      "--target=x86-64-v4")
    asm = out.read_text()
    # Three kernels, each an FMA on zmm registers.
    assert len(re.findall(r"\bvfmadd\d+ps\b[^\n]*zmm", asm)) >= 3 * 16
