//===- FloatPool.cpp - fp32 tosa.max_pool2d on the vector lanes -----------===//
//
// The generic lowering of an f32 max pool is a scalar loop nest (2.4 us
// for the 28x28x16 pool of the demo CNN, more than its second
// convolution's kernel takes per 10 outputs). Without padding, each output
// pixel is the lane-wise maximum of its window's channel vectors: NHWC
// makes the channels of a pixel contiguous, so every tap is one vector
// load and one vmaxps per 16 channels.
//
//   for n, oh:                           independent
//     for ow, for each channel vector:
//       out[n, oh, ow, c:c+16] = max over (kh, kw) of
//                                x[n, oh*sh + kh, ow*sw + kw, c:c+16]
//
// NaN: `maximumf` (propagating, tosa's default nan_mode) or `maxnumf`
// (IGNORE), as the generic lowering. Padded pools are left to it.
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

/// Taps of a window unrolled at compile time; larger windows are left to
/// the generic lowering.
constexpr int64_t kMaxTaps = 64;

struct FloatMaxPoolToX86 : OpRewritePattern<tosa::MaxPool2dOp> {
  FloatMaxPoolToX86(MLIRContext *ctx, int64_t lanes)
      : OpRewritePattern(ctx), lanes(lanes) {}

  LogicalResult matchAndRewrite(tosa::MaxPool2dOp op,
                                PatternRewriter &rewriter) const override {
    if (!areStaticF32Tensors({op.getInput(), op.getResult()}))
      return rewriter.notifyMatchFailure(op, "not a static f32 pool");
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto outType = cast<RankedTensorType>(op.getType());
    if (llvm::any_of(op.getPad(), [](int64_t p) { return p != 0; }))
      return rewriter.notifyMatchFailure(op, "padded pool");
    ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride();
    int64_t KH = kernel[0], KW = kernel[1], sh = stride[0], sw = stride[1];
    if (KH * KW > kMaxTaps)
      return rewriter.notifyMatchFailure(op, "window too large to unroll");
    auto in = inType.getShape(), out = outType.getShape();
    int64_t N = in[0], H = in[1], W = in[2], C = in[3], OH = out[1],
            OW = out[2];
    if (out[0] != N || out[3] != C || OH != (H - KH) / sh + 1 ||
        OW != (W - KW) / sw + 1)
      return rewriter.notifyMatchFailure(op, "unexpected output shape");
    bool propagate = op.getNanMode() == tosa::NanPropagationMode::PROPAGATE;

    Location loc = op.getLoc();
    OpBuilder &bld = rewriter;
    IndexConst idx{loc};
    IndexAdd add{loc};
    IndexMul mul{loc};
    auto vecType = VectorType::get({lanes}, bld.getF32Type());
    Value input = op.getInput();
    const int64_t vectors = ceilDiv(C, lanes);
    const int64_t lastMask = C % lanes ? C % lanes : -1;

    // One channel vector of one output pixel.
    auto pixel = [&](OpBuilder &b, Value o, Value n, Value oh, Value ow,
                     Value c, int64_t mask) {
      Value h0 = mul(b, oh, sh), w0 = mul(b, ow, sw);
      Value m;
      for (int64_t kh = 0; kh < KH; ++kh)
        for (int64_t kw = 0; kw < KW; ++kw) {
          Value x = readVector(b, loc, vecType, input,
                               {n, add(b, h0, idx(b, kh)),
                                add(b, w0, idx(b, kw)), c},
                               mask);
          m = !m ? x
              : propagate
                  ? arith::MaximumFOp::create(b, loc, m, x).getResult()
                  : arith::MaxNumFOp::create(b, loc, m, x).getResult();
        }
      return writeVector(b, loc, m, o, {n, oh, ow, c}, mask);
    };

    Value init = tensor::EmptyOp::create(bld, loc, out, bld.getF32Type());
    Value result = x86::buildCarriedLoop(
        bld, loc, 0, N * OH, init, [&](OpBuilder &b, Value q, Value o) {
          Value n = arith::DivUIOp::create(b, loc, q, idx(b, OH));
          Value oh = arith::RemUIOp::create(b, loc, q, idx(b, OH));
          return x86::buildCarriedLoop(
              b, loc, 0, OW, o, [&](OpBuilder &b, Value ow, Value o) {
                int64_t full = lastMask < 0 ? vectors : vectors - 1;
                if (full > 0)
                  o = x86::buildCarriedLoop(
                      b, loc, 0, full, o, [&](OpBuilder &b, Value v, Value o) {
                        return pixel(b, o, n, oh, ow, mul(b, v, lanes), -1);
                      });
                if (lastMask >= 0)
                  o = pixel(b, o, n, oh, ow, idx(b, full * lanes), lastMask);
                return o;
              });
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  int64_t lanes;
};

} // namespace

void lowbit::x86::populateFloatPoolPatterns(const DotIsa &isa,
                                            RewritePatternSet &patterns) {
  patterns.add<FloatMaxPoolToX86>(patterns.getContext(), isa.lanes);
}
