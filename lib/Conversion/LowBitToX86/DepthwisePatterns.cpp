//===- DepthwisePatterns.cpp - Depthwise conv2d on the vector lanes -------===//
//
// A depthwise convolution (groups = C, one filter per channel) has no
// reduction over channels, so the channels go on the vector lanes (NHWC
// makes them contiguous) and every tap is one multiply-accumulate per lane:
//
//   A'  = padded copy of the input, transformed (a ^ 0x80 for i8, as for the
//         GEMMs), borders filled with A' of the input zero point
//   acc[n, oh, ow, c] = comp[c] + sum_{kh, kw} A'[n, ih, iw, c] * w'[kh, kw, c]
//   w'  = w - zp_w[c]   (centered weights; compensation comp[c] = bias[c] +
//                        da * sum_taps w'[c] is folded at compile time)
//
// Each tap zero-extends L bytes of A' into 32-bit lanes and issues one dot
// instruction whose other 3 (or 1) products per lane are zero: vpdpbusd when
// w' fits s8, else vpmaddwd on (A', 0) x (w', 0) int16 pairs, which is
// exact for any 8-bit zero points. A tile of 8 output pixels keeps 8
// independent accumulator chains; the fused epilogue of the GEMMs
// requantizes and stores them.
//
//===----------------------------------------------------------------------===//

#include "KernelUtils.h"
#include "Patterns.h"
#include "WeightPacking.h"

#include "lowbit/Dialect/LowBit/IR/LowBitOps.h"
#include "lowbit/Dialect/LowBit/IR/QuantTypeUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::x86;

namespace {

/// Output pixels per register tile.
constexpr int64_t kTile = 8;

struct DepthwiseToX86 : OpRewritePattern<Conv2DOp> {
  DepthwiseToX86(MLIRContext *ctx, DotIsa isa)
      : OpRewritePattern(ctx, /*benefit=*/2), isa(isa) {}

  LogicalResult matchAndRewrite(Conv2DOp op,
                                PatternRewriter &rewriter) const override {
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto wType = cast<RankedTensorType>(op.getWeight().getType());
    auto outType = cast<RankedTensorType>(op.getType());
    if (!inType.hasStaticShape() || !wType.hasStaticShape() ||
        !outType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    int64_t C = inType.getShape()[3];
    if (static_cast<int64_t>(op.getGroups()) != C || C == 1 ||
        wType.getShape()[0] != C)
      return rewriter.notifyMatchFailure(op, "not depthwise (multiplier 1)");
    auto inQ = getQuantElementType(inType);
    auto wQ = getQuantElementType(wType);
    auto outQ = getQuantElementType(outType);
    unsigned outBits = outQ.getStorageTypeIntegralWidth();
    if (inQ.getStorageTypeIntegralWidth() != 8 ||
        wQ.getStorageTypeIntegralWidth() != 8 ||
        (outBits != 8 && outBits != 16 && outBits != 32))
      return rewriter.notifyMatchFailure(op, "not 8-bit operands");
    DenseIntElementsAttr wAttr = getConstantStorage(op.getWeight());
    if (!wAttr)
      return rewriter.notifyMatchFailure(op, "weights are not constant");
    SmallVector<int64_t> bias;
    if (op.getBias()) {
      DenseIntElementsAttr bAttr = getConstantStorage(op.getBias());
      if (!bAttr)
        return rewriter.notifyMatchFailure(op, "bias is not constant");
      bias = getInt64Values(bAttr, true);
    }

    int64_t N = inType.getShape()[0], H = inType.getShape()[1],
            W = inType.getShape()[2];
    int64_t KH = wType.getShape()[1], KW = wType.getShape()[2];
    int64_t OH = outType.getShape()[1], OW = outType.getShape()[2];
    int64_t taps = KH * KW;
    auto stride = op.getStride(), dilation = op.getDilation();
    auto pad = op.getPad();

    // Centered weights w'[tap][c]; the byte dot needs them in s8.
    SmallVector<int64_t> raw = getInt64Values(wAttr, wQ.isSigned());
    SmallVector<QuantScalar> wParams = getChannelParams(wQ, C);
    SmallVector<int64_t> centered(taps * C);
    bool fitsS8 = true;
    for (int64_t c = 0; c < C; ++c)
      for (int64_t t = 0; t < taps; ++t) {
        int64_t v = raw[c * taps + t] - wParams[c].zeroPoint;
        centered[t * C + c] = v;
        fitsS8 &= v >= -128 && v <= 127;
      }
    DotIsa dot = isa;
    if (isa.isByteDot() && !fitsS8) {
      dot = isa.wordForm();
      dot.declareIntrinsic(op->getParentOfType<ModuleOp>());
    }
    // A' is the byte transform of the GEMMs whatever the dot: one lane of
    // u8, zero-extended.
    DotIsa byteForm = DotIsa::get(X86Isa::Avx512Vnni);
    ActivationOperand act{inQ.isSigned(), getTensorParams(inQ).zeroPoint};
    int64_t da = act.offset(byteForm);
    int64_t L = dot.lanes, G = dot.kGroup;
    int64_t Cp = roundUp(C, L);

    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    OpBuilder &b = rewriter;
    auto idx = [&](OpBuilder &b, int64_t v) { return constIndex(b, loc, v); };

    // Weights as dot operands: lane c holds (w', 0, ...).
    SmallVector<int16_t> wData(taps * Cp * G, 0);
    for (int64_t t = 0; t < taps; ++t)
      for (int64_t c = 0; c < C; ++c)
        wData[(t * Cp + c) * G] = static_cast<int16_t>(centered[t * C + c]);
    auto wPackedType = RankedTensorType::get({taps * Cp * G}, dot.elemType(ctx));
    DenseElementsAttr wPackedAttr;
    if (dot.elemBits == 16) {
      wPackedAttr = DenseElementsAttr::get(wPackedType, ArrayRef<int16_t>(wData));
    } else {
      std::vector<int8_t> bytes(wData.begin(), wData.end());
      wPackedAttr = DenseElementsAttr::get(wPackedType, ArrayRef<int8_t>(bytes));
    }
    Value wPacked = arith::ConstantOp::create(b, loc, wPackedAttr);

    auto [lo, hi] = lowering::getOutputBounds(outQ, op.getClamp());
    lowering::Requantizer requant(
        contractionMultipliers(inQ, wQ, outQ, C, op.getRequant()),
        op.getRequant());
    ChannelEpilogue epilogue(std::move(requant),
                             getTensorParams(outQ).zeroPoint, lo, hi,
                             lowering::getStorageInfo(outQ).type);
    epilogue.channels = C;
    for (int64_t c = 0; c < C; ++c) {
      int64_t sum = 0;
      for (int64_t t = 0; t < taps; ++t)
        sum += centered[t * C + c];
      uint64_t v = static_cast<uint64_t>(bias.empty() ? 0 : bias[c]) +
                   static_cast<uint64_t>(da) * static_cast<uint64_t>(sum);
      epilogue.comp.push_back(static_cast<int32_t>(static_cast<uint32_t>(v)));
    }
    epilogue.materialize(b, loc, Cp);

    // The padded A' image.
    int64_t Hp = H + pad[0] + pad[1], Wp = W + pad[2] + pad[3];
    Value input = castToStorage(b, loc, op.getInput());
    Value padded = buildPaddedOperand(b, loc, input, act, byteForm,
                                      roundUp(C, 64), Hp, Wp, pad[0], pad[2]);

    auto storage = lowering::getStorageInfo(outQ).type;
    Value out = tensor::EmptyOp::create(b, loc, outType.getShape(), storage);
    VectorType accType = dot.accType(ctx);
    VectorType opType = dot.operandType(ctx);
    auto bytesType = VectorType::get({L}, b.getI8Type());
    auto wideType = VectorType::get({L}, b.getI32Type());
    int64_t lastMask = C % L ? C % L : -1;
    int64_t fullTiles = OW / kTile, rest = OW % kTile;

    // One tile of `pixels` output pixels from column ow0, channel block cv.
    auto tile = [&](OpBuilder &b, Value o, Value n, Value oh, Value cv,
                    Value ow0, int64_t pixels) {
      Value c0 = arith::MulIOp::create(b, loc, cv, idx(b, L));
      Value zero = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(accType, b.getI32IntegerAttr(0)));
      SmallVector<Value> acc(pixels, zero);
      for (int64_t kh = 0; kh < KH; ++kh) {
        Value ih = arith::AddIOp::create(
            b, loc, arith::MulIOp::create(b, loc, oh, idx(b, stride[0])),
            idx(b, kh * dilation[0]));
        for (int64_t kw = 0; kw < KW; ++kw) {
          Value wOff = arith::AddIOp::create(
              b, loc, idx(b, (kh * KW + kw) * Cp * G),
              arith::MulIOp::create(b, loc, c0, idx(b, G)));
          Value w = readVector(b, loc, opType, wPacked, {wOff});
          for (int64_t p = 0; p < pixels; ++p) {
            Value iw = arith::AddIOp::create(
                b, loc,
                arith::MulIOp::create(
                    b, loc,
                    arith::AddIOp::create(b, loc, ow0, idx(b, p)),
                    idx(b, stride[1])),
                idx(b, kw * dilation[1]));
            Value x = readVector(b, loc, bytesType, padded, {n, ih, iw, c0});
            Value wide = arith::ExtUIOp::create(b, loc, wideType, x);
            Value a = vector::BitCastOp::create(b, loc, opType, wide);
            acc[p] = dot.dot(b, loc, acc[p], a, w);
          }
        }
      }
      ChannelEpilogue::Slice slice =
          epilogue.load(b, loc, accType, Value(), c0);
      // The last channel block may cover channels past C.
      Value lastBlock = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq, cv, idx(b, Cp / L - 1));
      for (int64_t p = 0; p < pixels; ++p) {
        Value q = epilogue.apply(b, loc, acc[p], slice, Value());
        Value ow = arith::AddIOp::create(b, loc, ow0, idx(b, p));
        if (lastMask < 0) {
          o = writeVector(b, loc, q, o, {n, oh, ow, c0});
          continue;
        }
        auto ifOp = scf::IfOp::create(
            b, loc, lastBlock,
            [&](OpBuilder &b, Location loc) {
              scf::YieldOp::create(
                  b, loc, writeVector(b, loc, q, o, {n, oh, ow, c0}, lastMask));
            },
            [&](OpBuilder &b, Location loc) {
              scf::YieldOp::create(b, loc,
                                   writeVector(b, loc, q, o, {n, oh, ow, c0}));
            });
        o = ifOp.getResult(0);
      }
      return o;
    };

    auto loop = [&](OpBuilder &b, int64_t count, Value init,
                    function_ref<Value(OpBuilder &, Value, Value)> body) {
      return buildCarriedLoop(b, loc, 0, count, init, body);
    };
    Value result = loop(b, N, out, [&](OpBuilder &b, Value n, Value o) {
      return loop(b, OH, o, [&](OpBuilder &b, Value oh, Value o) {
        return loop(b, Cp / L, o, [&](OpBuilder &b, Value cv, Value o) {
          if (fullTiles > 0)
            o = loop(b, fullTiles, o, [&](OpBuilder &b, Value t, Value o) {
              Value ow0 = arith::MulIOp::create(b, loc, t, idx(b, kTile));
              return tile(b, o, n, oh, cv, ow0, kTile);
            });
          if (rest > 0)
            o = tile(b, o, n, oh, cv, idx(b, fullTiles * kTile), rest);
          return o;
        });
      });
    });
    rewriter.replaceOp(op, castToQuantized(b, loc, result, op.getType()));
    return success();
  }

  DotIsa isa;
};

} // namespace

void lowbit::x86::populateDepthwisePatterns(const DotIsa &isa,
                                            RewritePatternSet &patterns) {
  patterns.add<DepthwiseToX86>(patterns.getContext(), isa);
}
