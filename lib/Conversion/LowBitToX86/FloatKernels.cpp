//===- FloatKernels.cpp - Shared pieces of the fp32 x86 kernels -----------===//

#include "FloatKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

#include <limits>

using namespace mlir;

namespace lowbit::x86 {

DenseFPElementsAttr getFloatConstant(Value v) {
  DenseFPElementsAttr attr;
  if (matchPattern(v, m_Constant(&attr)))
    return attr;
  return nullptr;
}

bool isZeroFloatConstant(Value v) {
  DenseFPElementsAttr z = getFloatConstant(v);
  return z && llvm::all_of(z.getValues<APFloat>(),
                           [](const APFloat &x) { return x.isZero(); });
}

tosa::ClampOp getFusableClamp(Value v) {
  if (!v.hasOneUse())
    return nullptr;
  auto clamp = dyn_cast<tosa::ClampOp>(*v.getUsers().begin());
  if (!clamp || clamp.getInput() != v || clamp.getType() != v.getType())
    return nullptr;
  if (!isa<FloatAttr>(clamp.getMinValAttr()) ||
      !isa<FloatAttr>(clamp.getMaxValAttr()))
    return nullptr;
  return clamp;
}

FloatEpilogue FloatEpilogue::get(OpBuilder &b, Location loc,
                                 tosa::ClampOp clamp, ArrayRef<float> bias,
                                 int64_t paddedN) {
  FloatEpilogue e;
  if (!bias.empty() && llvm::any_of(bias, [](float x) { return x != 0.0f; })) {
    SmallVector<float> padded(bias);
    padded.resize(paddedN, 0.0f);
    e.biasTable = floatTable(b, loc, padded);
  }
  if (clamp) {
    double lo = cast<FloatAttr>(clamp.getMinValAttr()).getValueAsDouble();
    double hi = cast<FloatAttr>(clamp.getMaxValAttr()).getValueAsDouble();
    const double big = std::numeric_limits<float>::max();
    if (lo > -big)
      e.lo = static_cast<float>(lo);
    if (hi < big)
      e.hi = static_cast<float>(hi);
    e.propagateNan = clamp.getNanMode() == tosa::NanPropagationMode::PROPAGATE;
  }
  return e;
}

bool areStaticF32Tensors(ValueRange values) {
  return llvm::all_of(values, [](Value v) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    return type && type.hasStaticShape() && type.getElementType().isF32();
  });
}

Value storeTileRows(
    OpBuilder &b, Location loc, Value out, int64_t mr, int64_t M,
    ArrayRef<Value> rows,
    function_ref<Value(OpBuilder &, Location, Value, int64_t)> writeRow) {
  for (int64_t r = 0; r < mr; ++r) {
    if (M % mr == 0 || r == 0) {
      out = writeRow(b, loc, out, r);
      continue;
    }
    Value valid = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                        rows[r], constIndex(b, loc, M));
    out = buildGuardedUpdate(b, loc, valid, out,
                             [&](OpBuilder &b, Location loc) {
                               return writeRow(b, loc, out, r);
                             });
  }
  return out;
}

Value FloatEpilogue::init(OpBuilder &b, Location loc, VectorType type,
                          Value col) const {
  if (!biasTable)
    return splatF32(b, loc, type, 0.0f);
  return readVector(b, loc, type, biasTable, col);
}

Value FloatEpilogue::finish(OpBuilder &b, Location loc, Value acc) const {
  auto type = cast<VectorType>(acc.getType());
  if (lo) {
    Value c = splatF32(b, loc, type, *lo);
    acc = propagateNan ? arith::MaximumFOp::create(b, loc, acc, c).getResult()
                       : arith::MaxNumFOp::create(b, loc, acc, c).getResult();
  }
  if (hi) {
    Value c = splatF32(b, loc, type, *hi);
    acc = propagateNan ? arith::MinimumFOp::create(b, loc, acc, c).getResult()
                       : arith::MinNumFOp::create(b, loc, acc, c).getResult();
  }
  return acc;
}

Value splatF32(OpBuilder &b, Location loc, VectorType type, float v) {
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, b.getF32FloatAttr(v)));
}

Value floatTable(OpBuilder &b, Location loc, ArrayRef<float> values) {
  auto type =
      RankedTensorType::get({int64_t(values.size())}, b.getF32Type());
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, values));
}

SmallVector<Value>
emitFmaLoop(OpBuilder &b, Location loc, VectorType vecType, Value packedB,
            int64_t mr, int64_t nv, Value kLo, Value kHi, ValueRange init,
            function_ref<Value(OpBuilder &, Value)> bIndex,
            function_ref<Value(OpBuilder &, Value, int64_t)> aScalar) {
  int64_t lanes = vecType.getNumElements();
  auto loop = scf::ForOp::create(
      b, loc, kLo, kHi, constIndex(b, loc, 1), init,
      [&](OpBuilder &b, Location loc, Value k, ValueRange acc) {
        Value base = bIndex(b, k);
        SmallVector<Value> bv;
        for (int64_t v = 0; v < nv; ++v)
          bv.push_back(readVector(
              b, loc, vecType, packedB,
              {v ? arith::AddIOp::create(b, loc, base,
                                         constIndex(b, loc, v * lanes))
                       .getResult()
                 : base}));
        SmallVector<Value> next(acc.begin(), acc.end());
        for (int64_t r = 0; r < mr; ++r) {
          Value av =
              vector::BroadcastOp::create(b, loc, vecType, aScalar(b, k, r));
          for (int64_t v = 0; v < nv; ++v)
            next[r * nv + v] =
                vector::FMAOp::create(b, loc, av, bv[v], next[r * nv + v]);
        }
        scf::YieldOp::create(b, loc, next);
      });
  return SmallVector<Value>(loop.getResults());
}

SmallVector<Value>
emitSplitFmaLoop(OpBuilder &b, Location loc, VectorType vecType,
                 Value packedB, int64_t nv, int64_t K, int64_t split,
                 ValueRange init, function_ref<Value(OpBuilder &, Value)> bIndex,
                 function_ref<Value(OpBuilder &, Value, int64_t)> aScalar) {
  int64_t main = K / split * split;
  if (split <= 1 || main == 0)
    return emitFmaLoop(b, loc, vecType, packedB, 1, nv,
                       constIndex(b, loc, 0), constIndex(b, loc, K), init,
                       bIndex, aScalar);
  int64_t lanes = vecType.getNumElements();
  SmallVector<Value> sets(init.begin(), init.end());
  for (int64_t j = 1; j < split; ++j)
    for (int64_t v = 0; v < nv; ++v)
      sets.push_back(splatF32(b, loc, vecType, 0.0f));
  auto loop = scf::ForOp::create(
      b, loc, constIndex(b, loc, 0), constIndex(b, loc, main),
      constIndex(b, loc, split), sets,
      [&](OpBuilder &b, Location loc, Value k0, ValueRange acc) {
        SmallVector<Value> next(acc.begin(), acc.end());
        for (int64_t j = 0; j < split; ++j) {
          Value k = arith::AddIOp::create(b, loc, k0, constIndex(b, loc, j));
          Value base = bIndex(b, k);
          Value av =
              vector::BroadcastOp::create(b, loc, vecType, aScalar(b, k, 0));
          for (int64_t v = 0; v < nv; ++v) {
            Value at = v ? arith::AddIOp::create(b, loc, base,
                                                 constIndex(b, loc, v * lanes))
                               .getResult()
                         : base;
            Value bv = readVector(b, loc, vecType, packedB, {at});
            next[j * nv + v] =
                vector::FMAOp::create(b, loc, av, bv, next[j * nv + v]);
          }
        }
        scf::YieldOp::create(b, loc, next);
      });
  sets.assign(loop.getResults().begin(), loop.getResults().end());
  // The remaining k into the first set, then a tree sum of the sets.
  SmallVector<Value> first(sets.begin(), sets.begin() + nv);
  if (main < K)
    first = emitFmaLoop(b, loc, vecType, packedB, 1, nv,
                        constIndex(b, loc, main), constIndex(b, loc, K), first,
                        bIndex, aScalar);
  std::copy(first.begin(), first.end(), sets.begin());
  for (int64_t width = split; width > 1; width = (width + 1) / 2)
    for (int64_t j = 0; j < width / 2; ++j)
      for (int64_t v = 0; v < nv; ++v)
        sets[j * nv + v] = arith::AddFOp::create(
            b, loc, sets[j * nv + v], sets[(j + (width + 1) / 2) * nv + v]);
  sets.resize(nv);
  return sets;
}

std::vector<float>
packFloatPanels(const PanelLayout &layout, int64_t K,
                function_ref<float(int64_t, int64_t)> value) {
  std::vector<float> packed(layout.size(), 0.0f);
  for (int64_t p = 0; p < layout.panels(); ++p) {
    int64_t width = p < layout.fullPanels() ? layout.nr : layout.tailWidth();
    float *panel = packed.data() + p * layout.panelStride();
    for (int64_t k = 0; k < K; ++k)
      for (int64_t c = 0; c < width && p * layout.nr + c < layout.N; ++c)
        panel[k * width + c] = value(k, p * layout.nr + c);
  }
  return packed;
}

Value buildCarriedLoop(OpBuilder &b, Location loc, Value lb, Value ub,
                       Value init,
                       function_ref<Value(OpBuilder &, Value, Value)> body) {
  return scf::ForOp::create(
             b, loc, lb, ub, constIndex(b, loc, 1), ValueRange{init},
             [&](OpBuilder &b, Location loc, Value i, ValueRange it) {
               scf::YieldOp::create(b, loc, body(b, i, it[0]));
             })
      .getResult(0);
}

Value buildPaddedFloat(OpBuilder &b, Location loc, Value input, int64_t lanes,
                       int64_t Cp, int64_t Hp, int64_t Wp, int64_t top,
                       int64_t left) {
  auto shape = cast<RankedTensorType>(input.getType()).getShape();
  int64_t N = shape[0], H = shape[1], W = shape[2];
  auto idx = [&](OpBuilder &b, int64_t v) { return constIndex(b, loc, v); };
  auto vecType = VectorType::get({lanes}, b.getF32Type());
  Value zero = splatF32(b, loc, vecType, 0.0f);
  Value t = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{N, Hp, Wp, Cp},
                                    b.getF32Type());
  // Writes `value(c0)` over the Cp channels of pixel (n, h, w); fewer
  // channels than a vector (a first layer's C = 1 or 3) are copied one by
  // one.
  auto pixel = [&](OpBuilder &b, Value t, Value n, Value h, Value w,
                   function_ref<Value(OpBuilder &, Value)> value) {
    if (Cp < lanes) {
      Value v = value(b, idx(b, 0));
      for (int64_t c = 0; c < Cp; ++c)
        t = tensor::InsertOp::create(
            b, loc,
            vector::ExtractOp::create(b, loc, v, ArrayRef<int64_t>{c}), t,
            ValueRange{n, h, w, idx(b, c)});
      return t;
    }
    for (int64_t c0 = 0; c0 < Cp; c0 += lanes) {
      Value c = idx(b, c0);
      t = writeVector(b, loc, value(b, c), t, {n, h, w, c});
    }
    return t;
  };
  return fillPaddedImage(
      b, loc, t, N, H, W, Hp, Wp, top, left,
      [&](OpBuilder &b, Value t, Value n, Value hp, Value wp) {
        return pixel(b, t, n, hp, wp, [&](OpBuilder &, Value) { return zero; });
      },
      [&](OpBuilder &b, Value t, Value n, Value h, Value w, Value hp,
          Value wp) {
        return pixel(b, t, n, hp, wp, [&](OpBuilder &b, Value c0) -> Value {
          // Channels past C read as zero.
          Value pad = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
          return vector::TransferReadOp::create(b, loc, vecType, input,
                                                ValueRange{n, h, w, c0}, pad,
                                                ArrayRef<bool>{false});
        });
      });
}

int64_t chooseTileRows(int64_t M, int64_t maxRows) {
  int64_t best = std::min(M, maxRows), bestWaste = -1;
  for (int64_t mr = std::min(M, maxRows); mr >= std::max<int64_t>(1, maxRows / 2);
       --mr) {
    int64_t waste = roundUp(M, mr) - M;
    if (bestWaste < 0 || waste < bestWaste) {
      best = mr;
      bestWaste = waste;
    }
  }
  return best;
}

} // namespace lowbit::x86
