//===- FloatGemm.cpp - fp32 tosa.matmul with a constant B on vectors ------===//
//
// The float baseline of a model goes through the same compiler; without a
// kernel its matmuls are the scalar loops of the generic lowering (about
// 1% of the FMA peak). This pattern gives `tosa.matmul` on f32 with a
// constant right-hand side a cache-blocked, register-tiled FMA GEMM:
//
//   B packed at compile time as [N/nr][Kp][nr] (Kp = K rounded up to the
//   k block, ~128), zero past K and N.
//   for ib in M step mc:                   independent blocks of rows
//     A block = per-iteration [mc/mr][kc][mr] scratch
//     for kb in Kp step kc:
//       pack A[ib rows, kb block] as [tile][k][row] (zero past K)
//       for each panel of nr columns:      B panel slice kc x nr (L1)
//         for each tile of mr rows:        A tile kc x mr (L2), contiguous
//           acc = kb == 0 ? 0 : out tile
//           acc += broadcast(A) * B        vfmadd231ps, mr x nv vectors
//           out tile = acc
//
// The A block (mc x kc, 128 KiB) stays in L2 across the panels, one panel's
// B slice (kc x nr, 32-48 KiB) in L1 across the tiles, and packing A makes
// each tile's broadcasts one contiguous stream (unpacked rows K apart
// share L1 sets when K is a power of two). One row (M = 1, a GEMV) is not
// blocked: every weight is read once, 8 vectors wide, from a contiguous
// panel.
//
// Every output element is one FMA chain over k in order (partial sums
// round-trip through the output exactly), so the results differ from the
// generic lowering's multiply-then-add only by the products' rounding.
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

/// Target size of a k block (AVX-512; twice that for the narrower AVX2
/// panels) and of an M block (rows of A).
constexpr int64_t kBlockK = 128, kBlockRows = 256;

struct FloatMatmulToX86 : OpRewritePattern<tosa::MatMulOp> {
  FloatMatmulToX86(MLIRContext *ctx, int64_t lanes)
      : OpRewritePattern(ctx), lanes(lanes) {}

  LogicalResult matchAndRewrite(tosa::MatMulOp op,
                                PatternRewriter &rewriter) const override {
    if (!areStaticF32Tensors({op.getA(), op.getB(), op.getResult()}))
      return rewriter.notifyMatchFailure(op, "not a static f32 matmul");
    auto aType = cast<RankedTensorType>(op.getA().getType());
    auto bType = cast<RankedTensorType>(op.getB().getType());
    auto outType = cast<RankedTensorType>(op.getType());
    DenseFPElementsAttr bAttr = getFloatConstant(op.getB());
    if (!bAttr)
      return rewriter.notifyMatchFailure(op, "B is not constant");
    if (!isZeroFloatConstant(op.getAZp()) || !isZeroFloatConstant(op.getBZp()))
      return rewriter.notifyMatchFailure(op, "non-zero zero point");
    int64_t batch = aType.getShape()[0], M = aType.getShape()[1],
            K = aType.getShape()[2], N = bType.getShape()[2];
    if (bType.getShape()[0] != batch)
      return rewriter.notifyMatchFailure(op, "broadcast batch");

    // Register tile: mr rows x nv vectors. AVX-512 (32 registers): 24
    // accumulators, 6 x 4 or 4 x 6 zmm (measured 5-8% faster than 8 x 2 on
    // 1024^3 and 2048^3: fewer loads per FMA); AVX2 (16): 6 x 2 ymm. A
    // single row takes 8 vectors for independent chains.
    int64_t mr = chooseTileRows(M, 6);
    int64_t nv;
    if (lanes == 16)
      nv = mr >= 5 ? 4 : mr == 4 ? 6 : 8;
    else
      nv = mr >= 4 ? 2 : mr == 3 ? 3 : mr == 2 ? 4 : 8;
    nv = std::max<int64_t>(1, std::min(nv, ceilDiv(N, lanes)));
    int64_t tiles = ceilDiv(M, mr);
    // k blocks of about kBlockK (one block for a single tile: no reuse).
    int64_t kBlocks =
        tiles == 1 ? 1 : ceilDiv(K, lanes == 16 ? kBlockK : 2 * kBlockK);
    int64_t kc = ceilDiv(K, kBlocks);
    int64_t blockTiles =
        std::min(tiles, std::max<int64_t>(1, kBlockRows / mr));
    int64_t mBlocks = ceilDiv(tiles, blockTiles);
    PanelLayout layout{N, nv * lanes, lanes, kBlocks * kc};

    SmallVector<float> bValues(bAttr.getValues<float>());
    std::vector<float> packed;
    for (int64_t bt = 0; bt < batch; ++bt) {
      std::vector<float> one = packFloatPanels(
          layout, K, [&](int64_t k, int64_t n) {
            return bValues[(bt * K + k) * N + n];
          });
      packed.insert(packed.end(), one.begin(), one.end());
    }

    Location loc = op.getLoc();
    OpBuilder &bld = rewriter;
    IndexConst idx{loc};
    IndexAdd add{loc};
    IndexMul mul{loc};
    auto vecType = VectorType::get({lanes}, bld.getF32Type());
    Value packedB = floatTable(bld, loc, packed);
    Value a = op.getA();
    const int64_t Kp = layout.Kp, blockSize = blockTiles * kc * mr;

    // Rows [row0, row0 + mr * count) of batch bt, k block kb, into the A
    // block as [tile][k][row]; rows past M repeat row M - 1, k past K is 0.
    auto packA = [&](OpBuilder &b, Value blk, Value bt, Value row0,
                     Value count, Value kb) {
      Value k0 = mul(b, kb, kc);
      return x86::buildCarriedLoop(
          b, loc, idx(b, 0), count, blk, [&](OpBuilder &b, Value t, Value blk) {
            Value tileBase = mul(b, t, kc * mr);
            for (int64_t r = 0; r < mr; ++r) {
              Value row = arith::MinUIOp::create(
                  b, loc, add(b, add(b, row0, mul(b, t, mr)), idx(b, r)),
                  idx(b, M - 1));
              auto chunk = [&](OpBuilder &b, Value c, int64_t n, Value blk) {
                Value pad =
                    arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
                Value v = vector::TransferReadOp::create(
                    b, loc, vecType, a, ValueRange{bt, row, add(b, k0, c)},
                    pad, ArrayRef<bool>{false});
                Value at = add(b, tileBase, add(b, mul(b, c, mr), idx(b, r)));
                for (int64_t l = 0; l < n; ++l) {
                  Value e = vector::ExtractOp::create(b, loc, v,
                                                      ArrayRef<int64_t>{l});
                  blk = tensor::InsertOp::create(
                      b, loc, e, blk, ValueRange{add(b, at, idx(b, l * mr))});
                }
                return blk;
              };
              int64_t full = kc / lanes * lanes;
              if (full > 0)
                blk = scf::ForOp::create(
                          b, loc, idx(b, 0), idx(b, full), idx(b, lanes),
                          ValueRange{blk},
                          [&](OpBuilder &b, Location loc, Value c,
                              ValueRange it) {
                            scf::YieldOp::create(
                                b, loc, chunk(b, c, lanes, it[0]));
                          })
                          .getResult(0);
              if (kc > full)
                blk = chunk(b, idx(b, full), kc - full, blk);
            }
            return blk;
          });
    };

    // One mr x (nvP * lanes) tile at (row0, col0) over k block kb.
    auto tile = [&](OpBuilder &b, Value out, Value blk, Value bt, Value row0,
                    Value tileBase, Value panelBase, int64_t width, Value col0,
                    Value kb, int64_t lastMask) {
      int64_t nvP = width / lanes;
      SmallVector<Value> rows, clamped;
      for (int64_t r = 0; r < mr; ++r) {
        rows.push_back(add(b, row0, idx(b, r)));
        clamped.push_back(
            arith::MinUIOp::create(b, loc, rows.back(), idx(b, M - 1)));
      }
      auto cols = [&](OpBuilder &b, int64_t v) {
        return add(b, col0, idx(b, v * lanes));
      };
      // The first k block starts from zero, the others from the output.
      SmallVector<Value> init;
      if (kBlocks == 1) {
        init.assign(mr * nvP, splatF32(b, loc, vecType, 0.0f));
      } else {
        Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                            kb, idx(b, 0));
        auto ifOp = scf::IfOp::create(
            b, loc, first,
            [&](OpBuilder &b, Location loc) {
              scf::YieldOp::create(
                  b, loc,
                  SmallVector<Value>(mr * nvP, splatF32(b, loc, vecType, 0.0f)));
            },
            [&](OpBuilder &b, Location loc) {
              SmallVector<Value> vs;
              for (int64_t r = 0; r < mr; ++r)
                for (int64_t v = 0; v < nvP; ++v)
                  vs.push_back(readVector(b, loc, vecType, out,
                                          {bt, clamped[r], cols(b, v)},
                                          v == nvP - 1 ? lastMask : -1));
              scf::YieldOp::create(b, loc, vs);
            });
        init.assign(ifOp.getResults().begin(), ifOp.getResults().end());
      }
      Value kOff = mul(b, kb, kc);
      auto bIndex = [&](OpBuilder &b, Value k) {
        return add(b, panelBase, mul(b, add(b, kOff, k), width));
      };
      auto aScalar = [&](OpBuilder &b, Value k, int64_t r) -> Value {
        Value at = add(b, tileBase, add(b, mul(b, k, mr), idx(b, r)));
        return tensor::ExtractOp::create(b, loc, blk, ValueRange{at});
      };
      // One row: at least 8 chains of FMAs, in k modulo `split` if the
      // panel is narrow.
      SmallVector<Value> acc =
          M == 1 ? emitSplitFmaLoop(b, loc, vecType, packedB, nvP, kc,
                                    std::max<int64_t>(1, 8 / nvP), init,
                                    bIndex, aScalar)
                 : emitFmaLoop(b, loc, vecType, packedB, mr, nvP, idx(b, 0),
                               idx(b, kc), init, bIndex, aScalar);
      return storeTileRows(
          b, loc, out, mr, M, rows,
          [&](OpBuilder &b, Location loc, Value t, int64_t r) {
            for (int64_t v = 0; v < nvP; ++v)
              t = writeVector(b, loc, acc[r * nvP + v], t,
                              {bt, rows[r], cols(b, v)},
                              v == nvP - 1 ? lastMask : -1);
            return t;
          });
    };

    Value out = tensor::EmptyOp::create(bld, loc, outType.getShape(),
                                        bld.getF32Type());
    Value result = x86::buildCarriedLoop(
        bld, loc, 0, batch, out, [&](OpBuilder &b, Value bt, Value o) {
          Value bBase = mul(b, bt, layout.size());
          return x86::buildCarriedLoop(
              b, loc, 0, mBlocks, o, [&](OpBuilder &b, Value ib, Value o) {
                Value firstTile = mul(b, ib, blockTiles);
                Value count = arith::MinUIOp::create(
                    b, loc, idx(b, blockTiles),
                    arith::SubIOp::create(b, loc, idx(b, tiles), firstTile));
                Value row0 = mul(b, firstTile, mr);
                // Scratch of this iteration only: blocks are independent.
                Value blk = tensor::EmptyOp::create(
                    b, loc, ArrayRef<int64_t>{blockSize}, b.getF32Type());
                auto kLoop = scf::ForOp::create(
                    b, loc, idx(b, 0), idx(b, Kp / kc), idx(b, 1),
                    ValueRange{o, blk},
                    [&](OpBuilder &b, Location loc, Value kb, ValueRange it) {
                      Value blk = packA(b, it[1], bt, row0, count, kb);
                      auto sweep = [&](OpBuilder &b, Value o, Value base,
                                       int64_t width, Value col0,
                                       int64_t lastMask) {
                        return x86::buildCarriedLoop(
                            b, loc, idx(b, 0), count, o,
                            [&](OpBuilder &b, Value t, Value o) {
                              return tile(b, o, blk, bt,
                                          add(b, row0, mul(b, t, mr)),
                                          mul(b, t, kc * mr), base, width,
                                          col0, kb, lastMask);
                            });
                      };
                      Value o = it[0];
                      int64_t full = layout.fullPanels();
                      if (full > 0)
                        o = x86::buildCarriedLoop(
                            b, loc, 0, full, o,
                            [&](OpBuilder &b, Value p, Value o) {
                              return sweep(
                                  b, o,
                                  add(b, bBase, mul(b, p, layout.panelStride())),
                                  layout.nr, mul(b, p, layout.nr),
                                  layout.tailCols() ? -1 : layout.lastMask());
                            },
                            // Panels write their own columns and share the
                            // A block packed above (the M blocks share one
                            // buffer once it is planned, so they are not
                            // the parallel loop).
                            /*parallel=*/true);
                      if (layout.tailCols())
                        o = sweep(b, o,
                                  add(b, bBase,
                                      idx(b, full * layout.panelStride())),
                                  layout.tailWidth(), idx(b, full * layout.nr),
                                  layout.lastMask());
                      scf::YieldOp::create(b, loc, ValueRange{o, blk});
                    });
                return kLoop.getResult(0);
              });
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  int64_t lanes;
};

} // namespace

void lowbit::x86::populateFloatGemmPatterns(const DotIsa &isa,
                                            RewritePatternSet &patterns) {
  patterns.add<FloatMatmulToX86>(patterns.getContext(), isa.lanes);
}
