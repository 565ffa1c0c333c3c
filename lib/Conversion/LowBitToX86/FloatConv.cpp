//===- FloatConv.cpp - fp32 tosa.conv2d / depthwise_conv2d kernels --------===//
//
// The convolutions of a float TOSA model (the fp32 baseline of a quantized
// one) with constant weights, before tosa-to-linalg:
//
// tosa.conv2d (NHWC, weights [F][KH][KW][C]) is an implicit GEMM: rows are
// the N*OH*OW output pixels, columns the F filters, k = (kh, kw, c). The
// weights are packed at compile time as [F/nr][K][nr]; a padded copy P of
// the input (zero borders; the input itself when there is no padding)
// gives the operand of pixel (n, oh, ow) at k directly,
// P[n, oh*sh + kh*dh, ow*sw + kw*dw, c], so no im2col block exists. Any
// stride and dilation take the same path. A tile of mr pixels (possibly
// across output rows) x nv vectors of filters runs one FMA loop over the
// channels per tap:
//
//   for blocks of 256 pixels:              independent
//     for each panel of nr filters:        K x nr weights (L2)
//       for each tile of mr pixels:
//         acc = bias
//         for each tap (kh, kw), for c in C:
//           acc[r][v] += broadcast(P[pixel r, tap, c]) * W[tap, c][v]
//         out = clamp(acc)                 a following ReLU / clamp fused
//
// tosa.depthwise_conv2d (weights [KH][KW][C][1]) puts the channels on the
// lanes: a tile of 8 output pixels x 2 vectors of channels, one weight
// vector and one FMA per pixel and tap. No padded copy: the tiles whose
// taps all fall inside the row run in a loop, the few at the left and
// right borders are emitted with their out-of-image taps left out at
// compile time, and rows of taps above or below the image are skipped by
// a branch.
//
//===----------------------------------------------------------------------===//

#include "FloatKernels.h"
#include "Patterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::x86;

namespace {

/// Output pixels per block of the convolution (the A region stays in L2).
constexpr int64_t kConvBlockRows = 256;
/// Taps unrolled at compile time (larger kernels loop over taps).
constexpr int64_t kMaxUnrolledTaps = 49;

/// The shapes and constants shared by both convolutions.
struct ConvGeometry {
  int64_t N, H, W, C, OH, OW, F, KH, KW;
  int64_t pt, pb, pl, pr, sh, sw, dh, dw;
};

/// Checks the f32 types, constant weights/bias and zero points of a TOSA
/// convolution; fills `g` (weights' KH/KW from `khDim`/`kwDim`).
template <typename OpT>
LogicalResult matchConv(OpT op, PatternRewriter &rewriter, ConvGeometry &g,
                        DenseFPElementsAttr &wAttr, SmallVector<float> &bias,
                        int khDim, int kwDim) {
  if (!areStaticF32Tensors({op.getInput(), op.getWeight(), op.getResult()}))
    return rewriter.notifyMatchFailure(op, "not a static f32 convolution");
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  auto outType = cast<RankedTensorType>(op.getType());
  wAttr = getFloatConstant(op.getWeight());
  DenseFPElementsAttr bAttr = getFloatConstant(op.getBias());
  if (!wAttr || !bAttr)
    return rewriter.notifyMatchFailure(op, "weights or bias not constant");
  if (!isZeroFloatConstant(op.getInputZp()) ||
      !isZeroFloatConstant(op.getWeightZp()))
    return rewriter.notifyMatchFailure(op, "non-zero zero point");
  auto in = inType.getShape(), out = outType.getShape(), w = wType.getShape();
  g.N = in[0];
  g.H = in[1];
  g.W = in[2];
  g.C = in[3];
  g.OH = out[1];
  g.OW = out[2];
  g.F = out[3];
  g.KH = w[khDim];
  g.KW = w[kwDim];
  ArrayRef<int64_t> pad = op.getPad(), stride = op.getStride(),
                    dil = op.getDilation();
  g.pt = pad[0];
  g.pb = pad[1];
  g.pl = pad[2];
  g.pr = pad[3];
  g.sh = stride[0];
  g.sw = stride[1];
  g.dh = dil[0];
  g.dw = dil[1];
  if (out[0] != g.N || g.OH != (g.H + g.pt + g.pb - (g.KH - 1) * g.dh - 1) / g.sh + 1 ||
      g.OW != (g.W + g.pl + g.pr - (g.KW - 1) * g.dw - 1) / g.sw + 1)
    return rewriter.notifyMatchFailure(op, "unexpected output shape");
  SmallVector<float> b(bAttr.getValues<float>());
  if (b.size() == 1)
    b.assign(g.F, b[0]);
  if (int64_t(b.size()) != g.F)
    return rewriter.notifyMatchFailure(op, "bias size");
  bias = std::move(b);
  return success();
}

/// Replaces `op` (and the clamp fused into the kernel) by `result`.
void replaceWithKernel(PatternRewriter &rewriter, Operation *op,
                       tosa::ClampOp clamp, Value result) {
  // The clamp is applied in the kernel; its users take the kernel's result
  // and the clamp, now of the clamped result (idempotent), is dead.
  if (clamp)
    rewriter.replaceAllUsesWith(clamp.getResult(), result);
  rewriter.replaceOp(op, result);
}

struct FloatConvToX86 : OpRewritePattern<tosa::Conv2DOp> {
  FloatConvToX86(MLIRContext *ctx, int64_t lanes)
      : OpRewritePattern(ctx), lanes(lanes) {}

  LogicalResult matchAndRewrite(tosa::Conv2DOp op,
                                PatternRewriter &rewriter) const override {
    ConvGeometry g;
    DenseFPElementsAttr wAttr;
    SmallVector<float> bias;
    if (failed(matchConv(op, rewriter, g, wAttr, bias, 1, 2)))
      return failure();
    tosa::ClampOp clamp = getFusableClamp(op.getResult());
    const int64_t M = g.N * g.OH * g.OW, K = g.KH * g.KW * g.C,
                  taps = g.KH * g.KW;

    int64_t mr = chooseTileRows(M, lanes == 16 ? 8 : 6);
    int64_t nv = mr >= 4 ? 2 : mr == 3 ? 3 : mr == 2 ? 4 : 8;
    nv = std::max<int64_t>(1, std::min(nv, ceilDiv(g.F, lanes)));
    int64_t tiles = ceilDiv(M, mr);
    int64_t blockTiles =
        std::min(tiles, std::max<int64_t>(1, kConvBlockRows / mr));
    int64_t mBlocks = ceilDiv(tiles, blockTiles);
    PanelLayout layout{g.F, nv * lanes, lanes, K};
    SmallVector<float> w(wAttr.getValues<float>());
    // B[k][f] = w[f][kh][kw][c] with k = (kh * KW + kw) * C + c.
    std::vector<float> packed =
        packFloatPanels(layout, K, [&](int64_t k, int64_t f) {
          return w[f * K + k];
        });

    Location loc = op.getLoc();
    OpBuilder &bld = rewriter;
    IndexConst idx{loc};
    IndexAdd add{loc};
    IndexMul mul{loc};
    auto vecType = VectorType::get({lanes}, bld.getF32Type());
    Value packedB = floatTable(bld, loc, packed);
    FloatEpilogue epilogue = FloatEpilogue::get(bld, loc, clamp, bias,
                                                roundUp(g.F, lanes));
    bool padded = g.pt || g.pb || g.pl || g.pr;
    Value P = op.getInput();
    if (padded)
      P = buildPaddedFloat(bld, loc, P, lanes,
                           g.C < lanes ? g.C : roundUp(g.C, lanes),
                           g.H + g.pt + g.pb, g.W + g.pl + g.pr, g.pt, g.pl);

    auto tile = [&](OpBuilder &b, Value out, Value row0, Value panelBase,
                    int64_t width, Value col0, int64_t lastMask) {
      int64_t nvP = width / lanes;
      SmallVector<Value> rows, n, ih, iw, oh, ow;
      for (int64_t r = 0; r < mr; ++r) {
        rows.push_back(add(b, row0, idx(b, r)));
        // Rows past M (the last tile) compute pixel M - 1, not stored.
        Value m = arith::MinUIOp::create(b, loc, rows.back(), idx(b, M - 1));
        Value img = arith::DivUIOp::create(b, loc, m, idx(b, g.OH * g.OW));
        Value rem = arith::RemUIOp::create(b, loc, m, idx(b, g.OH * g.OW));
        n.push_back(img);
        oh.push_back(arith::DivUIOp::create(b, loc, rem, idx(b, g.OW)));
        ow.push_back(arith::RemUIOp::create(b, loc, rem, idx(b, g.OW)));
        ih.push_back(mul(b, oh.back(), g.sh));
        iw.push_back(mul(b, ow.back(), g.sw));
      }
      auto cols = [&](OpBuilder &b, int64_t v) {
        return add(b, col0, idx(b, v * lanes));
      };
      SmallVector<Value> acc;
      for (int64_t r = 0; r < mr; ++r)
        for (int64_t v = 0; v < nvP; ++v)
          acc.push_back(epilogue.init(b, loc, vecType, cols(b, v)));
      // The channel loop of tap (kh, kw), whose k starts at tap * C.
      auto tapLoop = [&](OpBuilder &b, Value kh, Value kw, Value tap,
                         ValueRange acc) {
        Value kBase = mul(b, tap, g.C);
        SmallVector<Value> y, x;
        for (int64_t r = 0; r < mr; ++r) {
          y.push_back(add(b, ih[r], mul(b, kh, g.dh)));
          x.push_back(add(b, iw[r], mul(b, kw, g.dw)));
        }
        return emitFmaLoop(
            b, loc, vecType, packedB, mr, nvP, idx(b, 0), idx(b, g.C), acc,
            [&](OpBuilder &b, Value c) {
              return add(b, panelBase, mul(b, add(b, kBase, c), width));
            },
            [&](OpBuilder &b, Value c, int64_t r) -> Value {
              return tensor::ExtractOp::create(b, loc, P,
                                               ValueRange{n[r], y[r], x[r], c});
            });
      };
      if (taps <= kMaxUnrolledTaps) {
        for (int64_t kh = 0; kh < g.KH; ++kh)
          for (int64_t kw = 0; kw < g.KW; ++kw)
            acc = tapLoop(b, idx(b, kh), idx(b, kw), idx(b, kh * g.KW + kw),
                          acc);
      } else {
        auto loop = scf::ForOp::create(
            b, loc, idx(b, 0), idx(b, taps), idx(b, 1), acc,
            [&](OpBuilder &b, Location loc, Value t, ValueRange it) {
              Value kh = arith::DivUIOp::create(b, loc, t, idx(b, g.KW));
              Value kw = arith::RemUIOp::create(b, loc, t, idx(b, g.KW));
              scf::YieldOp::create(b, loc, tapLoop(b, kh, kw, t, it));
            });
        acc.assign(loop.getResults().begin(), loop.getResults().end());
      }
      return storeTileRows(
          b, loc, out, mr, M, rows,
          [&](OpBuilder &b, Location loc, Value t, int64_t r) {
            for (int64_t v = 0; v < nvP; ++v)
              t = writeVector(b, loc,
                              epilogue.finish(b, loc, acc[r * nvP + v]), t,
                              {n[r], oh[r], ow[r], cols(b, v)},
                              v == nvP - 1 ? lastMask : -1);
            return t;
          });
    };

    auto outType = cast<RankedTensorType>(op.getType());
    Value out = tensor::EmptyOp::create(bld, loc, outType.getShape(),
                                        bld.getF32Type());
    Value result = x86::buildCarriedLoop(
        bld, loc, 0, mBlocks, out, [&](OpBuilder &b, Value ib, Value o) {
          Value firstTile = mul(b, ib, blockTiles);
          Value count = arith::MinUIOp::create(
              b, loc, idx(b, blockTiles),
              arith::SubIOp::create(b, loc, idx(b, tiles), firstTile));
          auto sweep = [&](OpBuilder &b, Value o, Value base, int64_t width,
                           Value col0, int64_t lastMask) {
            return x86::buildCarriedLoop(
                b, loc, idx(b, 0), count, o,
                [&](OpBuilder &b, Value t, Value o) {
                  Value row0 = mul(b, add(b, firstTile, t), mr);
                  return tile(b, o, row0, base, width, col0, lastMask);
                });
          };
          int64_t full = layout.fullPanels();
          if (full > 0)
            o = x86::buildCarriedLoop(
                b, loc, 0, full, o, [&](OpBuilder &b, Value p, Value o) {
                  return sweep(b, o, mul(b, p, layout.panelStride()),
                               layout.nr, mul(b, p, layout.nr),
                               layout.tailCols() ? -1 : layout.lastMask());
                });
          if (layout.tailCols())
            o = sweep(b, o, idx(b, full * layout.panelStride()),
                      layout.tailWidth(), idx(b, full * layout.nr),
                      layout.lastMask());
          return o;
        },
        // Blocks of pixels are independent: each reads the padded input
        // built before the loop and writes its own rows of the output.
        /*parallel=*/true);
    replaceWithKernel(rewriter, op, clamp, result);
    return success();
  }

  int64_t lanes;
};

/// Output pixels and channel vectors of a depthwise tile.
constexpr int64_t kDwPixels = 8, kDwVectors = 2;

struct FloatDepthwiseToX86 : OpRewritePattern<tosa::DepthwiseConv2DOp> {
  FloatDepthwiseToX86(MLIRContext *ctx, int64_t lanes)
      : OpRewritePattern(ctx), lanes(lanes) {}

  LogicalResult matchAndRewrite(tosa::DepthwiseConv2DOp op,
                                PatternRewriter &rewriter) const override {
    ConvGeometry g;
    DenseFPElementsAttr wAttr;
    SmallVector<float> bias;
    if (failed(matchConv(op, rewriter, g, wAttr, bias, 0, 1)))
      return failure();
    auto wShape = cast<RankedTensorType>(op.getWeight().getType()).getShape();
    if (wShape[3] != 1 || g.F != g.C)
      return rewriter.notifyMatchFailure(op, "channel multiplier is not 1");
    if (g.KH * g.KW > kMaxUnrolledTaps)
      return rewriter.notifyMatchFailure(op, "kernel too large to unroll");
    tosa::ClampOp clamp = getFusableClamp(op.getResult());

    const int64_t C = g.C, Cv = ceilDiv(C, lanes), Cp = Cv * lanes;
    const int64_t nvb = std::min(Cv, kDwVectors);
    const int64_t mr = std::min(g.OW, kDwPixels);
    const int64_t lastMask = C % lanes ? C % lanes : -1;
    // Weights as [tap][Cp], zero past C.
    SmallVector<float> w(wAttr.getValues<float>());
    std::vector<float> packed(g.KH * g.KW * Cp, 0.0f);
    for (int64_t t = 0; t < g.KH * g.KW; ++t)
      for (int64_t c = 0; c < C; ++c)
        packed[t * Cp + c] = w[t * C + c];

    Location loc = op.getLoc();
    OpBuilder &bld = rewriter;
    IndexConst idx{loc};
    IndexAdd add{loc};
    IndexMul mul{loc};
    auto vecType = VectorType::get({lanes}, bld.getF32Type());
    Value wTable = floatTable(bld, loc, packed);
    FloatEpilogue epilogue = FloatEpilogue::get(bld, loc, clamp, bias, Cp);
    Value input = op.getInput();

    // Whether input column `iw` (static) lies inside the image.
    auto insideW = [&](int64_t iw) { return iw >= 0 && iw < g.W; };
    // Tile of `pixels` output pixels from ow0 over channel vectors
    // [c0, c0 + nvP * lanes); `owStatic` >= 0 when the column is known (a
    // border tile: taps outside the image are left out), else all taps are
    // inside.
    auto tile = [&](OpBuilder &b, Value out, Value n, Value oh, Value ow0,
                    int64_t owStatic, int64_t pixels, Value c0, int64_t nvP,
                    bool lastBlock) {
      auto mask = [&](int64_t v) {
        return lastBlock && v == nvP - 1 ? lastMask : -1;
      };
      auto chan = [&](OpBuilder &b, int64_t v) {
        return add(b, c0, idx(b, v * lanes));
      };
      SmallVector<Value> acc;
      for (int64_t r = 0; r < pixels; ++r)
        for (int64_t v = 0; v < nvP; ++v)
          acc.push_back(epilogue.init(b, loc, vecType, chan(b, v)));
      Value ihBase = arith::SubIOp::create(b, loc, mul(b, oh, g.sh),
                                           idx(b, g.pt));
      for (int64_t kh = 0; kh < g.KH; ++kh) {
        // Rows of taps above or below the image contribute nothing.
        bool alwaysInside =
            kh * g.dh - g.pt >= 0 && (g.OH - 1) * g.sh - g.pt + kh * g.dh < g.H;
        auto row = [&](OpBuilder &b, Location loc) {
          Value ih = add(b, ihBase, idx(b, kh * g.dh));
          SmallVector<Value> next(acc);
          for (int64_t kw = 0; kw < g.KW; ++kw) {
            SmallVector<Value> wv;
            for (int64_t v = 0; v < nvP; ++v)
              wv.push_back(readVector(
                  b, loc, vecType, wTable,
                  {add(b, idx(b, (kh * g.KW + kw) * Cp), chan(b, v))}));
            for (int64_t r = 0; r < pixels; ++r) {
              int64_t off = r * g.sw - g.pl + kw * g.dw;
              if (owStatic >= 0 && !insideW(owStatic * g.sw + off))
                continue;
              Value iw = owStatic >= 0
                             ? idx(b, owStatic * g.sw + off)
                             : add(b, mul(b, ow0, g.sw), idx(b, off));
              for (int64_t v = 0; v < nvP; ++v) {
                Value x = readVector(b, loc, vecType, input,
                                     {n, ih, iw, chan(b, v)}, mask(v));
                next[r * nvP + v] = vector::FMAOp::create(
                    b, loc, x, wv[v], next[r * nvP + v]);
              }
            }
          }
          return next;
        };
        if (alwaysInside) {
          acc = row(b, loc);
          continue;
        }
        Value ih = add(b, ihBase, idx(b, kh * g.dh));
        Value inside = arith::AndIOp::create(
            b, loc,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, ih,
                                  idx(b, 0)),
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, ih,
                                  idx(b, g.H)));
        auto ifOp = scf::IfOp::create(
            b, loc, inside,
            [&](OpBuilder &b, Location loc) {
              scf::YieldOp::create(b, loc, row(b, loc));
            },
            [&](OpBuilder &b, Location loc) {
              scf::YieldOp::create(b, loc, acc);
            });
        acc.assign(ifOp.getResults().begin(), ifOp.getResults().end());
      }
      for (int64_t r = 0; r < pixels; ++r) {
        Value ow = owStatic >= 0 ? idx(b, owStatic + r)
                                 : add(b, ow0, idx(b, r));
        for (int64_t v = 0; v < nvP; ++v)
          out = writeVector(b, loc, epilogue.finish(b, loc, acc[r * nvP + v]),
                            out, {n, oh, ow, chan(b, v)}, mask(v));
      }
      return out;
    };

    // Tiles whose taps are all inside the row: [tA, tB).
    int64_t owTiles = ceilDiv(g.OW, mr);
    auto interior = [&](int64_t t) {
      int64_t ow0 = t * mr, pixels = std::min(mr, g.OW - ow0);
      return pixels == mr && insideW(ow0 * g.sw - g.pl) &&
             insideW((ow0 + mr - 1) * g.sw - g.pl + (g.KW - 1) * g.dw);
    };
    int64_t tA = 0;
    while (tA < owTiles && !interior(tA))
      ++tA;
    int64_t tB = tA;
    while (tB < owTiles && interior(tB))
      ++tB;

    // All channels of the tile at ow0: the channel blocks run inside the
    // tile position, so each input pixel's channels are used together.
    int64_t fullBlocks = Cv / nvb, tailVectors = Cv % nvb;
    // The block holding a partial last vector is emitted on its own.
    bool peel = lastMask >= 0 && tailVectors == 0;
    int64_t loopBlocks = fullBlocks - (peel ? 1 : 0);
    auto allChannels = [&](OpBuilder &b, Value o, Value n, Value oh, Value ow0,
                           int64_t owStatic, int64_t pixels) {
      if (loopBlocks > 0)
        o = x86::buildCarriedLoop(
            b, loc, 0, loopBlocks, o, [&](OpBuilder &b, Value cb, Value o) {
              return tile(b, o, n, oh, ow0, owStatic, pixels,
                          mul(b, cb, nvb * lanes), nvb, false);
            });
      if (peel)
        o = tile(b, o, n, oh, ow0, owStatic, pixels,
                 idx(b, loopBlocks * nvb * lanes), nvb, true);
      if (tailVectors > 0)
        o = tile(b, o, n, oh, ow0, owStatic, pixels,
                 idx(b, fullBlocks * nvb * lanes), tailVectors, true);
      return o;
    };

    auto outType = cast<RankedTensorType>(op.getType());
    Value out = tensor::EmptyOp::create(bld, loc, outType.getShape(),
                                        bld.getF32Type());
    Value result = x86::buildCarriedLoop(
        bld, loc, 0, g.N * g.OH, out, [&](OpBuilder &b, Value q, Value o) {
          Value n = arith::DivUIOp::create(b, loc, q, idx(b, g.OH));
          Value oh = arith::RemUIOp::create(b, loc, q, idx(b, g.OH));
          for (int64_t t = 0; t < owTiles; ++t) {
            if (t == tA && tB > tA) {
              o = x86::buildCarriedLoop(
                  b, loc, tA, tB, o, [&](OpBuilder &b, Value t, Value o) {
                    return allChannels(b, o, n, oh, mul(b, t, mr), -1, mr);
                  });
              t = tB - 1;
              continue;
            }
            int64_t ow0 = t * mr;
            o = allChannels(b, o, n, oh, idx(b, ow0), ow0,
                            std::min(mr, g.OW - ow0));
          }
          return o;
        });
    replaceWithKernel(rewriter, op, clamp, result);
    return success();
  }

  int64_t lanes;
};

} // namespace

void lowbit::x86::populateFloatConvPatterns(const DotIsa &isa,
                                            RewritePatternSet &patterns) {
  patterns.add<FloatConvToX86, FloatDepthwiseToX86>(patterns.getContext(),
                                                     isa.lanes);
}
