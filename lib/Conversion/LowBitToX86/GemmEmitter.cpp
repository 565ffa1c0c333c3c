//===- GemmEmitter.cpp - Blocked, register-tiled integer GEMM -------------===//

#include "GemmEmitter.h"

#include "lowbit/Conversion/ParallelLoops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace lowbit::x86 {

/// Bytes of an A block meant to stay in L2 (1 MiB on the targets measured)
/// next to the B' panel being swept.
static constexpr int64_t kBlockBytes = 192 * 1024;

GemmPlan GemmPlan::choose(const DotIsa &isa, const GemmShape &shape,
                          int64_t slack) {
  GemmPlan p;
  // 32 registers fit an 8 x 2 tile of accumulators plus the B' vectors and
  // the broadcast; 16 registers a 6 x 2 tile.
  int64_t maxMr = isa.numRegs >= 32 ? 8 : 6;
  if (shape.M <= maxMr) {
    p.mr = shape.M;
  } else {
    // The tallest tile that pads at most 3% of the rows (a taller tile
    // shares each B' load among more rows), else the one padding fewest.
    p.mr = 0;
    for (int64_t r = maxMr; r >= maxMr / 2 + 1 && !p.mr; --r)
      if (roundUp(shape.M, r) * 100 <= shape.M * 103)
        p.mr = r;
    if (!p.mr) {
      p.mr = maxMr;
      for (int64_t r = maxMr; r >= maxMr / 2 + 1; --r)
        if (roundUp(shape.M, r) < roundUp(shape.M, p.mr))
          p.mr = r;
    }
  }
  // Short tiles (a GEMV) get wider rows so that enough independent
  // accumulators hide the dot latency.
  p.nv = p.mr >= 4 ? 2 : p.mr == 3 ? 3 : p.mr == 2 ? 4 : 8;
  p.nv = std::max<int64_t>(1, std::min(p.nv, ceilDiv(shape.N, isa.lanes)));
  p.chunk = 64 * 8 / isa.elemBits;
  p.kAlloc = roundUp(shape.K + slack, p.chunk);
  int64_t rowBytes = p.kAlloc * isa.elemBits / 8;
  int64_t rows = std::max<int64_t>(1, kBlockBytes / rowBytes / p.mr) * p.mr;
  p.mc = std::min(rows, roundUp(shape.M, p.mr));
  return p;
}

Value ContiguousRows::operator()(OpBuilder &b, Location loc, Value block,
                                 Value batch, Value row0,
                                 Value numRows) const {
  MLIRContext *ctx = b.getContext();
  auto readType = VectorType::get({chunk}, b.getI8Type());
  int64_t full = K / chunk * chunk;
  int64_t tail = K - full;
  Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1);
  (void)ctx;
  auto rowLoop = scf::ForOp::create(
      b, loc, c0, numRows, c1, ValueRange{block},
      [&](OpBuilder &b, Location loc, Value r, ValueRange it) {
        Value m = arith::AddIOp::create(b, loc, row0, r);
        Value t = it[0];
        if (full > 0) {
          auto kLoop = scf::ForOp::create(
              b, loc, constIndex(b, loc, 0), constIndex(b, loc, full),
              constIndex(b, loc, chunk), ValueRange{t},
              [&](OpBuilder &b, Location loc, Value k, ValueRange it2) {
                Value v = readVector(b, loc, readType, source, {batch, m, k});
                Value w = writeVector(b, loc, act.transform(b, loc, v, isa),
                                      it2[0], {r, k});
                scf::YieldOp::create(b, loc, w);
              });
          t = kLoop.getResult(0);
        }
        if (tail > 0) {
          Value k = constIndex(b, loc, full);
          Value v = readVector(b, loc, readType, source, {batch, m, k}, tail,
                               act.neutralStorage(isa));
          t = writeVector(b, loc, act.transform(b, loc, v, isa), t, {r, k});
        }
        scf::YieldOp::create(b, loc, t);
      });
  return rowLoop.getResult(0);
}

namespace {

/// The pieces of one emitGemm call, so the loop bodies stay readable.
struct Gemm {
  OpBuilder &b;
  Location loc;
  const DotIsa &isa;
  const GemmShape &shape;
  const GemmPlan &plan;
  const PackedWeights &weights;
  ChannelEpilogue &epilogue;
  Value packedB;
  OutIndexer outIndex;

  Value idx(int64_t v) { return constIndex(b, loc, v); }

  /// The mr x nvP accumulators of the tile at block row `row0` over the
  /// panel starting at element `panelBase`.
  SmallVector<Value> microkernel(OpBuilder &b, Value block, Value row0,
                                 Value panelBase, int64_t nvP) {
    MLIRContext *ctx = b.getContext();
    VectorType accType = isa.accType(ctx);
    VectorType opType = isa.operandType(ctx);
    auto groupType = VectorType::get({isa.kGroup}, isa.elemType(ctx));
    int64_t stepElems = nvP * isa.lanes * isa.kGroup;
    Value zero = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(accType, b.getI32IntegerAttr(0)));
    SmallVector<Value> init(plan.mr * nvP, zero);
    auto kLoop = scf::ForOp::create(
        b, loc, constIndex(b, loc, 0), constIndex(b, loc, weights.kGroups),
        constIndex(b, loc, 1), init,
        [&](OpBuilder &b, Location loc, Value kg, ValueRange acc) {
          Value base = arith::AddIOp::create(
              b, loc, panelBase,
              arith::MulIOp::create(b, loc, kg, constIndex(b, loc, stepElems)));
          SmallVector<Value> bv;
          for (int64_t v = 0; v < nvP; ++v) {
            Value off = arith::AddIOp::create(
                b, loc, base, constIndex(b, loc, v * isa.operandWidth()));
            bv.push_back(readVector(b, loc, opType, packedB, {off}));
          }
          Value k = arith::MulIOp::create(b, loc, kg,
                                          constIndex(b, loc, isa.kGroup));
          SmallVector<Value> next(acc.begin(), acc.end());
          for (int64_t r = 0; r < plan.mr; ++r) {
            Value row = arith::AddIOp::create(b, loc, row0, constIndex(b, loc, r));
            Value group = readVector(b, loc, groupType, block, {row, k});
            Value a = isa.broadcastGroup(b, loc, group);
            for (int64_t v = 0; v < nvP; ++v)
              next[r * nvP + v] = isa.dot(b, loc, next[r * nvP + v], a, bv[v]);
          }
          scf::YieldOp::create(b, loc, next);
        });
    return SmallVector<Value>(kLoop.getResults());
  }

  /// Requantizes and stores a tile whose first row is `gRow` (of the batch)
  /// and first column `col0`; the last vector writes `lastMask` lanes.
  Value storeTile(OpBuilder &b, Value out, ArrayRef<Value> acc, Value batch,
                  Value gRow, Value row0, Value col0, int64_t nvP,
                  int64_t lastMask, Value rowSums) {
    VectorType accType = isa.accType(b.getContext());
    SmallVector<ChannelEpilogue::Slice> slices;
    SmallVector<Value> cols;
    for (int64_t v = 0; v < nvP; ++v) {
      cols.push_back(arith::AddIOp::create(b, loc, col0,
                                           constIndex(b, loc, v * isa.lanes)));
      slices.push_back(epilogue.load(b, loc, accType, batch, cols.back()));
    }
    for (int64_t r = 0; r < plan.mr; ++r) {
      Value row = arith::AddIOp::create(b, loc, gRow, constIndex(b, loc, r));
      Value rowSum;
      if (rowSums)
        rowSum = tensor::ExtractOp::create(
            b, loc, rowSums,
            ValueRange{arith::AddIOp::create(b, loc, row0,
                                             constIndex(b, loc, r))});
      auto write = [&](OpBuilder &b, Location loc, Value t) {
        SmallVector<Value> at = outIndex(b, loc, batch, row);
        at.push_back(Value());
        for (int64_t v = 0; v < nvP; ++v) {
          Value q = epilogue.apply(b, loc, acc[r * nvP + v], slices[v], rowSum);
          at.back() = cols[v];
          t = writeVector(b, loc, q, t, at, v == nvP - 1 ? lastMask : -1);
        }
        return t;
      };
      if (shape.M % plan.mr == 0) {
        out = write(b, loc, out);
        continue;
      }
      // Rows past M exist only in the padded last tile: compute, skip.
      Value valid = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                          row, constIndex(b, loc, shape.M));
      out = buildGuardedUpdate(b, loc, valid, out,
                               [&](OpBuilder &b, Location loc) {
                                 return write(b, loc, out);
                               });
    }
    return out;
  }

  /// Row sums of A' over the first K elements of each packed row.
  Value rowSums(OpBuilder &b, Value block, Value numRows, Value init) {
    MLIRContext *ctx = b.getContext();
    VectorType accType = isa.accType(ctx);
    VectorType opType = isa.operandType(ctx);
    int64_t width = isa.operandWidth();
    int64_t K = shape.K, full = K / width * width, tail = K - full;
    Value zero = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(accType, b.getI32IntegerAttr(0)));
    Value ones = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(opType, b.getIntegerAttr(isa.elemType(ctx), 1)));
    auto rows = scf::ForOp::create(
        b, loc, idx(0), numRows, idx(1), ValueRange{init},
        [&](OpBuilder &b, Location loc, Value r, ValueRange it) {
          Value acc = zero;
          if (full > 0) {
            auto kLoop = scf::ForOp::create(
                b, loc, constIndex(b, loc, 0), constIndex(b, loc, full),
                constIndex(b, loc, width), ValueRange{acc},
                [&](OpBuilder &b, Location loc, Value k, ValueRange a) {
                  Value v = readVector(b, loc, opType, block, {r, k});
                  scf::YieldOp::create(b, loc, isa.dot(b, loc, a[0], v, ones));
                });
            acc = kLoop.getResult(0);
          }
          if (tail > 0) {
            Value v = readVector(b, loc, opType, block,
                                 {r, constIndex(b, loc, full)}, tail, 0);
            acc = isa.dot(b, loc, acc, v, ones);
          }
          Value sum = vector::ReductionOp::create(
              b, loc, vector::CombiningKind::ADD, acc);
          Value t = tensor::InsertOp::create(b, loc, sum, it[0], ValueRange{r});
          scf::YieldOp::create(b, loc, t);
        });
    return rows.getResult(0);
  }
};

} // namespace

Value emitGemm(OpBuilder &b, Location loc, const DotIsa &isa,
               const GemmShape &shape, const GemmPlan &plan,
               const PackedWeights &weights, ChannelEpilogue &epilogue,
               RowPacker packRows, RankedTensorType outType,
               OutIndexer outIndex) {
  MLIRContext *ctx = b.getContext();
  Value packedB =
      arith::ConstantOp::create(b, loc, weights.toAttr(ctx, isa));
  epilogue.materialize(b, loc, roundUp(shape.N, isa.lanes));
  Gemm g{b, loc, isa, shape, plan, weights, epilogue, packedB, outIndex};

  int64_t mPadded = roundUp(shape.M, plan.mr);
  int64_t nr = plan.nr(isa);
  bool needRowSum = epilogue.needsRowSum();
  // The last vector of the narrow panel may cover columns past N.
  int64_t tailCols = shape.N - weights.fullPanels * nr;
  int64_t tailMask = tailCols % isa.lanes ? tailCols % isa.lanes : -1;

  SmallVector<Value> init = {
      tensor::EmptyOp::create(b, loc, outType.getShape(),
                              outType.getElementType()),
      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{plan.mc, plan.kAlloc},
                              isa.elemType(ctx))};
  if (needRowSum)
    init.push_back(tensor::EmptyOp::create(
        b, loc, ArrayRef<int64_t>{plan.mc}, b.getI32Type()));

  auto batchLoop = scf::ForOp::create(
      b, loc, g.idx(0), g.idx(shape.batch), g.idx(1), init,
      [&](OpBuilder &b, Location loc, Value batch, ValueRange batchIt) {
        Value bBase = arith::MulIOp::create(
            b, loc, batch, constIndex(b, loc, weights.batchStride()));
        auto blockLoop = scf::ForOp::create(
            b, loc, constIndex(b, loc, 0), constIndex(b, loc, mPadded),
            constIndex(b, loc, plan.mc), batchIt,
            [&](OpBuilder &b, Location loc, Value ic, ValueRange it) {
              Value mc = constIndex(b, loc, plan.mc);
              Value realRows = arith::MinSIOp::create(
                  b, loc, mc,
                  arith::SubIOp::create(b, loc, constIndex(b, loc, shape.M),
                                        ic));
              Value paddedRows = arith::MinSIOp::create(
                  b, loc, mc,
                  arith::SubIOp::create(b, loc, constIndex(b, loc, mPadded),
                                        ic));
              Value tiles = arith::DivUIOp::create(
                  b, loc, paddedRows, constIndex(b, loc, plan.mr));
              Value block = packRows(b, loc, it[1], batch, ic, realRows);
              Value sums = needRowSum ? g.rowSums(b, block, realRows, it[2])
                                      : Value();

              // All tiles of the block against `panels` panels of B' from
              // panel `panel0`, as one loop over (panel, tile) pairs: each
              // pair writes its own mr x nr tile of the output and reads
              // the block packed above, so the iterations are independent
              // (the loop is marked parallel for the OpenMP path).
              auto sweep = [&](OpBuilder &b, Value out, int64_t panel0,
                               int64_t panels, int64_t nvP, int64_t lastMask) {
                Value count = arith::MulIOp::create(
                    b, loc, tiles, constIndex(b, loc, panels));
                auto pairLoop = scf::ForOp::create(
                    b, loc, constIndex(b, loc, 0), count, constIndex(b, loc, 1),
                    ValueRange{out},
                    [&](OpBuilder &b, Location loc, Value j, ValueRange o) {
                      Value p = arith::AddIOp::create(
                          b, loc, constIndex(b, loc, panel0),
                          arith::DivUIOp::create(b, loc, j, tiles));
                      Value t = arith::RemUIOp::create(b, loc, j, tiles);
                      Value panelBase = arith::AddIOp::create(
                          b, loc, bBase,
                          arith::MulIOp::create(
                              b, loc, p,
                              constIndex(b, loc, weights.panelStride())));
                      Value col0 = arith::MulIOp::create(
                          b, loc, p, constIndex(b, loc, nr));
                      Value row0 = arith::MulIOp::create(
                          b, loc, t, constIndex(b, loc, plan.mr));
                      SmallVector<Value> acc =
                          g.microkernel(b, block, row0, panelBase, nvP);
                      Value gRow = arith::AddIOp::create(b, loc, ic, row0);
                      scf::YieldOp::create(
                          b, loc,
                          g.storeTile(b, o[0], acc, batch, gRow, row0, col0,
                                      nvP, lastMask, sums));
                    });
                markParallel(pairLoop);
                return pairLoop.getResult(0);
              };

              Value out = it[0];
              if (weights.fullPanels > 0)
                out = sweep(b, out, 0, weights.fullPanels, plan.nv,
                            weights.tailWidth ? -1 : tailMask);
              if (weights.tailWidth > 0)
                out = sweep(b, out, weights.fullPanels, 1,
                            weights.tailWidth / isa.lanes, tailMask);
              SmallVector<Value> results = {out, block};
              if (needRowSum)
                results.push_back(sums);
              scf::YieldOp::create(b, loc, results);
            });
        scf::YieldOp::create(b, loc, blockLoop.getResults());
      });
  return batchLoop.getResult(0);
}

} // namespace lowbit::x86
