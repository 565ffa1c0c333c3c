//===- ImplicitConv.cpp - Stride-1 convolutions as an implicit GEMM -------===//
//
// A stride-1 convolution reads, for output pixel (n, oh, ow) and reduction
// index k = (kh, kw, c), the input at (n, oh + kh - top, ow + kw - left, c).
// On a padded copy P of A' (borders holding A' of the zero point), that is
// P[n, oh + kh, ow + kw, c]: for the mr pixels of a tile in one output row
// the address of k is the tile row's base plus an offset that depends on k
// only. So the register tile reads its broadcasts straight from P, looping
// over (kh, kw, channel groups) — no im2col block is packed, which for few
// output channels would cost as much as the epilogue:
//
//   P = padded A' image (once per call)
//   for n, oh:                       KH rows of P, in L1
//     for each B' panel:             packed at compile time ([K/4][nr][4])
//       for each tile of mr pixels of the output row:
//         for kh, kw, cg:  acc += dot(broadcast P[n, oh+kh, ow0+r+kw, 4cg..],
//                                     B'[(kh, kw, cg)])
//         fused epilogue, store the pixels inside the row
//
// When C is a multiple of the dot's group, a group is channels of one
// pixel. Otherwise (C = 1 or 3 in first layers) P is built with its rows
// flattened over (w, c): a stride-1 window row is then KW * C contiguous
// elements, padded to whole groups (the extra elements, the next pixel's,
// meet weights equal to their zero point), and the groups run along it:
// for C = 1 and a 3-wide kernel, 3 taps and one zero per vpdpbusd lane.
// The byte dot needs no row sums (weights whose zero points vanish after
// the transform); otherwise, and for strides or dilation, the im2col GEMM
// takes the op.
//
//===----------------------------------------------------------------------===//

#include "Contraction.h"
#include "GemmEmitter.h"
#include "Patterns.h"

#include "lowbit/Dialect/LowBit/IR/QuantTypeUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::x86;

namespace {

struct Conv2DToImplicitGemm : OpRewritePattern<Conv2DOp> {
  Conv2DToImplicitGemm(MLIRContext *ctx, DotIsa isa)
      : OpRewritePattern(ctx, /*benefit=*/2), isa(isa) {}

  LogicalResult matchAndRewrite(Conv2DOp op,
                                PatternRewriter &rewriter) const override {
    auto inShape = cast<RankedTensorType>(op.getInput().getType()).getShape();
    auto wShape = cast<RankedTensorType>(op.getWeight().getType()).getShape();
    auto outShape = cast<RankedTensorType>(op.getType()).getShape();
    int64_t C = inShape[3], F = wShape[0], KH = wShape[1], KW = wShape[2];
    int64_t OH = outShape[1], OW = outShape[2];
    auto stride = op.getStride(), dilation = op.getDilation();
    auto pad = op.getPad();
    if (op.getGroups() != 1 || stride[0] != 1 || stride[1] != 1 ||
        dilation[0] != 1 || dilation[1] != 1)
      return rewriter.notifyMatchFailure(op, "not a plain stride-1 conv");
    // Channels in whole dot groups: groups are channels of one pixel, read
    // from an image padded per pixel. Otherwise (C = 1, 3, ... of first
    // layers) the image rows are flattened over (w, c) and the groups run
    // along a window row, which is KW * C contiguous elements.
    bool rowFlat = C % isa.kGroup != 0;
    if (KH == 1 && KW == 1 &&
        llvm::all_of(pad, [](int64_t p) { return p == 0; }))
      return rewriter.notifyMatchFailure(op, "1x1: a plain GEMM is better");
    Contraction c;
    if (failed(gatherContraction(rewriter, op, op.getInput(), op.getWeight(),
                                 op.getBias(), F, c)))
      return failure();

    int64_t G = isa.kGroup;
    // A window row in the flat form, padded to whole groups: the padding
    // reads the next pixels' elements against weights equal to their zero
    // point (B' = 0).
    int64_t rowK = roundUp(KW * C, G);
    int64_t K = rowFlat ? KH * rowK : KH * KW * C;
    // Tiles run along an output row: plan the register tile for M = OW.
    GemmPlan plan = GemmPlan::choose(isa, {1, OW, F, K});
    int64_t mr = plan.mr, nr = plan.nr(isa), L = isa.lanes;
    PackedWeights packed = packWeights(
        isa, 1, K, F, nr,
        [&](int64_t, int64_t k, int64_t f) -> int64_t {
          int64_t dense = k;
          if (rowFlat) {
            int64_t kh = k / rowK, j = k % rowK;
            if (j >= KW * C)
              return c.weightZps[f];
            dense = kh * KW * C + j;
          }
          return c.weights[f * KH * KW * C + dense];
        },
        c.weightZps, c.weight.isSigned());
    ChannelEpilogue epilogue =
        makeEpilogue(c, F, op.getRequant(), op.getClamp());
    ActivationOperand act{c.in.isSigned(), getTensorParams(c.in).zeroPoint};
    addCompensation(epilogue, packed, c.bias, act.offset(isa));
    if (epilogue.needsRowSum())
      return rewriter.notifyMatchFailure(op, "needs row sums of A'");

    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    OpBuilder &b = rewriter;
    auto idx = [&](OpBuilder &b, int64_t v) { return constIndex(b, loc, v); };

    // The padded operand is wide enough for the last, partial tile of a
    // row to read whole windows (its extra pixels are computed, not stored).
    int64_t tiles = ceilDiv(OW, mr);
    int64_t Hp = OH + KH - 1, Wp = tiles * mr + KW - 1;
    int64_t chunk = 64 * 8 / isa.elemBits;
    Value input = castToStorage(b, loc, op.getInput());
    // The flat rows also hold the group padding read past the last window.
    Value padded =
        rowFlat ? buildPaddedRows(b, loc, input, act, isa, Hp,
                                  roundUp(Wp * C + rowK - KW * C, chunk),
                                  pad[0], pad[2])
                : buildPaddedOperand(b, loc, input, act, isa,
                                     roundUp(C, chunk), Hp, Wp, pad[0], pad[2]);
    Value packedB = arith::ConstantOp::create(b, loc, packed.toAttr(ctx, isa));
    epilogue.materialize(b, loc, roundUp(F, L));

    VectorType accType = isa.accType(ctx);
    VectorType opType = isa.operandType(ctx);
    auto groupType = VectorType::get({G}, isa.elemType(ctx));
    // The reduction as (outer step, group): taps (kh, kw) and the channel
    // groups of a pixel, or kernel rows and the groups along a window row.
    int64_t outerSteps = rowFlat ? KH : KH * KW;
    int64_t groupsPerStep = rowFlat ? rowK / G : C / G;
    int64_t tailCols = F - packed.fullPanels * nr;
    int64_t tailMask = tailCols % L ? tailCols % L : -1;

    // The accumulators of the tile at (n, oh, ow0) over a panel.
    auto microkernel = [&](OpBuilder &b, Value n, Value oh, Value ow0,
                           Value panelBase, int64_t nvP) {
      int64_t stepElems = nvP * L * G;
      Value zero = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(accType, b.getI32IntegerAttr(0)));
      SmallVector<Value> init(mr * nvP, zero);
      auto tapLoop = scf::ForOp::create(
          b, loc, idx(b, 0), idx(b, outerSteps), idx(b, 1), init,
          [&](OpBuilder &b, Location loc, Value tap, ValueRange acc0) {
            Value kh = rowFlat ? tap
                               : arith::DivUIOp::create(b, loc, tap, idx(b, KW))
                                     .getResult();
            Value kw = rowFlat ? idx(b, 0)
                               : arith::RemUIOp::create(b, loc, tap, idx(b, KW))
                                     .getResult();
            Value ih = arith::AddIOp::create(b, loc, oh, kh);
            Value iw0 = arith::AddIOp::create(b, loc, ow0, kw);
            Value tapBase = arith::AddIOp::create(
                b, loc, panelBase,
                arith::MulIOp::create(b, loc, tap,
                                      idx(b, groupsPerStep * stepElems)));
            auto cLoop = scf::ForOp::create(
                b, loc, idx(b, 0), idx(b, groupsPerStep), idx(b, 1), acc0,
                [&](OpBuilder &b, Location loc, Value cg, ValueRange acc) {
                  Value base = arith::AddIOp::create(
                      b, loc, tapBase,
                      arith::MulIOp::create(b, loc, cg, idx(b, stepElems)));
                  SmallVector<Value> bv;
                  for (int64_t v = 0; v < nvP; ++v)
                    bv.push_back(readVector(
                        b, loc, opType, packedB,
                        {arith::AddIOp::create(
                            b, loc, base, idx(b, v * isa.operandWidth()))}));
                  Value ch = arith::MulIOp::create(b, loc, cg, idx(b, G));
                  SmallVector<Value> next(acc.begin(), acc.end());
                  for (int64_t r = 0; r < mr; ++r) {
                    Value iw = arith::AddIOp::create(b, loc, iw0, idx(b, r));
                    // Flat: element iw * C + ch of the row.
                    Value group =
                        rowFlat
                            ? readVector(b, loc, groupType, padded,
                                         {n, ih,
                                          arith::AddIOp::create(
                                              b, loc,
                                              arith::MulIOp::create(
                                                  b, loc, iw, idx(b, C)),
                                              ch)})
                            : readVector(b, loc, groupType, padded,
                                         {n, ih, iw, ch});
                    Value a = isa.broadcastGroup(b, loc, group);
                    for (int64_t v = 0; v < nvP; ++v)
                      next[r * nvP + v] =
                          isa.dot(b, loc, next[r * nvP + v], a, bv[v]);
                  }
                  scf::YieldOp::create(b, loc, next);
                });
            scf::YieldOp::create(b, loc, cLoop.getResults());
          });
      return SmallVector<Value>(tapLoop.getResults());
    };

    // Requantizes and stores the pixels of a tile that lie in the row.
    auto store = [&](OpBuilder &b, Value out, ArrayRef<Value> acc, Value n,
                     Value oh, Value ow0, Value col0, int64_t nvP,
                     int64_t lastMask) {
      SmallVector<ChannelEpilogue::Slice> slices;
      SmallVector<Value> cols;
      for (int64_t v = 0; v < nvP; ++v) {
        cols.push_back(arith::AddIOp::create(b, loc, col0, idx(b, v * L)));
        slices.push_back(epilogue.load(b, loc, accType, Value(), cols.back()));
      }
      for (int64_t r = 0; r < mr; ++r) {
        Value ow = arith::AddIOp::create(b, loc, ow0, idx(b, r));
        auto write = [&](OpBuilder &b, Location loc, Value t) {
          for (int64_t v = 0; v < nvP; ++v) {
            Value q = epilogue.apply(b, loc, acc[r * nvP + v], slices[v],
                                     Value());
            t = writeVector(b, loc, q, t, {n, oh, ow, cols[v]},
                            v == nvP - 1 ? lastMask : -1);
          }
          return t;
        };
        if (OW % mr == 0) {
          out = write(b, loc, out);
          continue;
        }
        Value inRow = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                            ow, idx(b, OW));
        out = buildGuardedUpdate(b, loc, inRow, out,
                                 [&](OpBuilder &b, Location loc) {
                                   return write(b, loc, out);
                                 });
      }
      return out;
    };

    auto loop = [&](OpBuilder &b, int64_t count, Value init,
                    function_ref<Value(OpBuilder &, Value, Value)> body,
                    bool parallel = false) {
      return buildCarriedLoop(b, loc, 0, count, init, body, parallel);
    };
    auto sweep = [&](OpBuilder &b, Value o, Value n, Value oh, Value base,
                     Value col0, int64_t nvP, int64_t lastMask) {
      return loop(b, tiles, o, [&](OpBuilder &b, Value t, Value o) {
        Value ow0 = arith::MulIOp::create(b, loc, t, idx(b, mr));
        SmallVector<Value> acc = microkernel(b, n, oh, ow0, base, nvP);
        return store(b, o, acc, n, oh, ow0, col0, nvP, lastMask);
      });
    };

    auto storage = lowering::getStorageInfo(c.out).type;
    Value out = tensor::EmptyOp::create(b, loc, outShape, storage);
    Value result = loop(b, outShape[0], out, [&](OpBuilder &b, Value n, Value o) {
      // Output rows are independent: each reads P (built above) and writes
      // its own row of the output.
      return loop(b, OH, o, [&](OpBuilder &b, Value oh, Value o) {
        if (packed.fullPanels > 0)
          o = loop(b, packed.fullPanels, o, [&](OpBuilder &b, Value p, Value o) {
            Value base =
                arith::MulIOp::create(b, loc, p, idx(b, packed.panelStride()));
            Value col0 = arith::MulIOp::create(b, loc, p, idx(b, nr));
            return sweep(b, o, n, oh, base, col0, plan.nv,
                         packed.tailWidth ? -1 : tailMask);
          });
        if (packed.tailWidth > 0)
          o = sweep(b, o, n, oh,
                    idx(b, packed.fullPanels * packed.panelStride()),
                    idx(b, packed.fullPanels * nr), packed.tailWidth / L,
                    tailMask);
        return o;
      }, /*parallel=*/true);
    });
    rewriter.replaceOp(op, castToQuantized(b, loc, result, op.getType()));
    return success();
  }

  DotIsa isa;
};

} // namespace

void lowbit::x86::populateImplicitConvPatterns(const DotIsa &isa,
                                               RewritePatternSet &patterns) {
  patterns.add<Conv2DToImplicitGemm>(patterns.getContext(), isa);
}
