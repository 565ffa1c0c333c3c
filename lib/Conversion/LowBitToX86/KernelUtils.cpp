//===- KernelUtils.cpp - Operands and fused epilogues of x86 kernels ------===//

#include "KernelUtils.h"

#include "lowbit/Conversion/ParallelLoops.h"

#include "lowbit/Dialect/LowBit/IR/QuantTypeUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace lowbit::lowering;

namespace lowbit::x86 {

Value constIndex(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value IndexAdd::operator()(OpBuilder &b, Value x, Value y) const {
  return arith::AddIOp::create(b, loc, x, y);
}

Value IndexMul::operator()(OpBuilder &b, Value x, int64_t y) const {
  return arith::MulIOp::create(b, loc, x, constIndex(b, loc, y));
}

//===----------------------------------------------------------------------===//
// Operands
//===----------------------------------------------------------------------===//

int64_t ActivationOperand::offset(const DotIsa &isa) const {
  if (!isa.isByteDot())
    return 0;
  // A' = a + 128 (a ^ 0x80 read as u8) for signed storage, a otherwise.
  return (isSigned ? -128 : 0) - zeroPoint;
}

int64_t ActivationOperand::neutralStorage(const DotIsa &isa) const {
  if (!isa.isByteDot())
    return zeroPoint;
  return isSigned ? -128 : 0;
}

int64_t ActivationOperand::paddingOperand(const DotIsa &isa) const {
  if (!isa.isByteDot())
    return 0;
  // The byte of zp after the transform, as the signed i8 it is stored in.
  int64_t u = isSigned ? zeroPoint + 128 : zeroPoint;
  return u >= 128 ? u - 256 : u;
}

Value ActivationOperand::transform(OpBuilder &b, Location loc, Value storage,
                                   const DotIsa &isa) const {
  auto type = cast<VectorType>(storage.getType());
  if (isa.isByteDot()) {
    if (!isSigned)
      return storage;
    return arith::XOrIOp::create(b, loc, storage,
                                 constIntLike(b, loc, type, -128));
  }
  auto wide = VectorType::get(type.getShape(), b.getI16Type());
  Value ext = isSigned ? arith::ExtSIOp::create(b, loc, wide, storage).getResult()
                       : arith::ExtUIOp::create(b, loc, wide, storage).getResult();
  return arith::SubIOp::create(b, loc, ext,
                               constIntLike(b, loc, wide, zeroPoint));
}

WeightValue transformWeight(const DotIsa &isa, int64_t w, int64_t zp,
                            bool isSigned) {
  if (!isa.isByteDot())
    return {w - zp, 0};
  // s8 operand: u8 storage is shifted down by 128, and the shift returns in
  // db together with the zero point.
  if (isSigned)
    return {w, -zp};
  return {w - 128, 128 - zp};
}

//===----------------------------------------------------------------------===//
// Epilogue
//===----------------------------------------------------------------------===//

/// A constant i32/f32 table of `n` entries (the values padded with `fill`).
template <typename T>
static Value table(OpBuilder &b, Location loc, ArrayRef<T> values, int64_t n,
                   Type element, T fill) {
  SmallVector<T> data(values);
  data.resize(n, fill);
  auto type = RankedTensorType::get({n}, element);
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(type, ArrayRef<T>(data)));
}

void ChannelEpilogue::materialize(OpBuilder &b, Location loc,
                                  int64_t paddedChannels) {
  padded = paddedChannels;
  SmallVector<int32_t> compPadded;
  for (int64_t g = 0; g < groups; ++g) {
    for (int64_t c = 0; c < paddedChannels; ++c)
      compPadded.push_back(c < channels ? comp[g * channels + c] : 0);
  }
  compTable = table<int32_t>(b, loc, compPadded, groups * paddedChannels,
                             b.getI32Type(), 0);
  if (needsRowSum())
    rowScaleTable = table<int32_t>(b, loc, rowScale, paddedChannels,
                                   b.getI32Type(), 0);
  if (requant.size() > 1) {
    if (requant.mode == RequantMode::FixedPoint) {
      paramTables.push_back(table<int32_t>(b, loc, requant.m0, paddedChannels,
                                           b.getI32Type(), 0));
      paramTables.push_back(table<int32_t>(b, loc, requant.shift,
                                           paddedChannels, b.getI32Type(), 0));
    } else {
      paramTables.push_back(table<float>(b, loc, requant.mf, paddedChannels,
                                         b.getF32Type(), 0.0f));
    }
  }
}

ChannelEpilogue::Slice ChannelEpilogue::load(OpBuilder &b, Location loc,
                                             VectorType accType, Value group,
                                             Value channel) const {
  Slice s;
  Value row = channel;
  if (groups > 1)
    row = arith::AddIOp::create(
        b, loc, channel,
        arith::MulIOp::create(b, loc, group, constIndex(b, loc, padded)));
  s.comp = readVector(b, loc, accType, compTable, row);
  if (rowScaleTable)
    s.rowScale = readVector(b, loc, accType, rowScaleTable, channel);
  for (Value t : paramTables) {
    Type element = cast<RankedTensorType>(t.getType()).getElementType();
    s.params.push_back(readVector(
        b, loc, VectorType::get(accType.getShape(), element), t, channel));
  }
  return s;
}

/// floor((x * m0 + 2^30) / 2^31) lane by lane (gemmlowp's rounding
/// doubling high multiply; see buildFixedPointMultiply) on an even number
/// of i32 lanes, computed on the 64-bit halves of the register: the even
/// lanes are the low words, the odd lanes the high words, and each product
/// of sign-extended words is one vpmuldq. The even results land in the low
/// words by an arithmetic shift right by 31, the odd ones in the high words
/// by a shift left by 1 (bits 31..62 move to 32..63); a blend joins them.
/// Exactly the scalar formula, in 8 instructions rather than 12 for 16
/// lanes of sign extension, 64-bit multiplies and truncation.
static Value buildVectorHighMul(OpBuilder &b, Location loc, Value x, Value m0) {
  auto type = cast<VectorType>(x.getType());
  auto wide = VectorType::get({type.getNumElements() / 2}, b.getI64Type());
  Value x64 = vector::BitCastOp::create(b, loc, wide, x);
  Value m64 = vector::BitCastOp::create(b, loc, wide, m0);
  Value c32 = constIntLike(b, loc, wide, 32);
  auto lowWord = [&](Value v) {
    return arith::ShRSIOp::create(b, loc, arith::ShLIOp::create(b, loc, v, c32),
                                  c32)
        .getResult();
  };
  auto highWord = [&](Value v) {
    return arith::ShRSIOp::create(b, loc, v, c32).getResult();
  };
  Value nudge = constIntLike(b, loc, wide, 1LL << 30);
  Value even = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, lowWord(x64), lowWord(m64)), nudge);
  Value odd = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, highWord(x64), highWord(m64)), nudge);
  even = arith::ShRSIOp::create(b, loc, even, constIntLike(b, loc, wide, 31));
  odd = arith::ShLIOp::create(b, loc, odd, constIntLike(b, loc, wide, 1));
  Value joined = arith::OrIOp::create(
      b, loc,
      arith::AndIOp::create(b, loc, even, constIntLike(b, loc, wide, 0xFFFFFFFFLL)),
      arith::AndIOp::create(b, loc, odd,
                            constIntLike(b, loc, wide, ~0xFFFFFFFFLL)));
  return vector::BitCastOp::create(b, loc, type, joined);
}

Value ChannelEpilogue::apply(OpBuilder &b, Location loc, Value acc,
                             const Slice &slice, Value rowSum) const {
  Type type = acc.getType();
  Value x = arith::AddIOp::create(b, loc, acc, slice.comp);
  if (slice.rowScale) {
    Value sums = vector::BroadcastOp::create(b, loc, type, rowSum);
    x = arith::AddIOp::create(b, loc, x,
                              arith::MulIOp::create(b, loc, sums, slice.rowScale));
  }
  Value r;
  if (requant.mode == RequantMode::FixedPoint) {
    // buildFixedPointMultiply with the high multiply above.
    Value m0 = slice.params.empty() ? constIntLike(b, loc, type, requant.m0[0])
                                    : slice.params[0];
    Value shift = slice.params.empty()
                      ? constIntLike(b, loc, type, requant.shift[0])
                      : slice.params[1];
    Value zero = constIntLike(b, loc, type, 0);
    Value left = arith::MaxSIOp::create(b, loc, shift, zero);
    Value right = arith::MaxSIOp::create(
        b, loc, arith::SubIOp::create(b, loc, zero, shift), zero);
    x = arith::ShLIOp::create(b, loc, x, left);
    r = buildRoundingDivideByPOT(b, loc, buildVectorHighMul(b, loc, x, m0),
                                 right);
  } else {
    // buildFloatMultiply, rounding with roundeven (one vroundps on the
    // kernels' targets) instead of the libm-free magic-number addition.
    Value mf = slice.params.empty()
                   ? constF32Like(b, loc, type, requant.mf[0])
                   : slice.params[0];
    Type f32 = withElementType(type, b.getF32Type());
    Value v = arith::MulFOp::create(
        b, loc, arith::SIToFPOp::create(b, loc, f32, x), mf);
    const float limit = 1048576.0f; // 2^20, as buildRoundHalfToEven
    v = arith::MaxNumFOp::create(b, loc, v, constF32Like(b, loc, type, -limit));
    v = arith::MinNumFOp::create(b, loc, v, constF32Like(b, loc, type, limit));
    r = arith::FPToSIOp::create(b, loc, type,
                                math::RoundEvenOp::create(b, loc, v));
  }
  r = arith::AddIOp::create(b, loc, r, constIntLike(b, loc, type, zpOut));
  return buildSaturate(b, loc, r, lo, hi, storage);
}


//===----------------------------------------------------------------------===//
// IR helpers
//===----------------------------------------------------------------------===//

DenseIntElementsAttr getConstantStorage(Value quantized) {
  auto cast = quantized.getDefiningOp<quant::StorageCastOp>();
  if (!cast)
    return nullptr;
  auto constant = cast.getInput().getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return nullptr;
  return dyn_cast<DenseIntElementsAttr>(constant.getValue());
}

SmallVector<int64_t> getInt64Values(DenseIntElementsAttr attr, bool isSigned) {
  SmallVector<int64_t> values;
  values.reserve(attr.getNumElements());
  for (const APInt &v : attr.getValues<APInt>())
    values.push_back(isSigned ? v.getSExtValue()
                              : static_cast<int64_t>(v.getZExtValue()));
  return values;
}

Value castToStorage(OpBuilder &b, Location loc, Value quantized) {
  auto type = cast<RankedTensorType>(quantized.getType());
  auto q = getQuantElementType(type);
  auto storageType = RankedTensorType::get(type.getShape(), q.getStorageType());
  return quant::StorageCastOp::create(b, loc, storageType, quantized);
}

Value castToQuantized(OpBuilder &b, Location loc, Value storage,
                      Type quantizedType) {
  return quant::StorageCastOp::create(b, loc, quantizedType, storage);
}

/// The minor identity map and in-bounds flags of a 1-D transfer on `source`.
static std::pair<AffineMapAttr, ArrayAttr>
transferAttrs(OpBuilder &b, Value source, VectorType type, bool inBounds) {
  auto shaped = cast<ShapedType>(source.getType());
  AffineMap map = vector::getTransferMinorIdentityMap(shaped, type);
  return {AffineMapAttr::get(map), b.getBoolArrayAttr({inBounds})};
}

Value readVector(OpBuilder &b, Location loc, VectorType type, Value source,
                 ValueRange indices, int64_t mask, int64_t padding) {
  Value pad;
  Type element = type.getElementType();
  if (isa<FloatType>(element))
    pad = arith::ConstantOp::create(b, loc, b.getFloatAttr(element, padding));
  else
    pad = arith::ConstantIntOp::create(b, loc, element, padding);
  if (mask < 0)
    return vector::TransferReadOp::create(b, loc, type, source, indices, pad,
                                          ArrayRef<bool>{true});
  auto [map, inBounds] = transferAttrs(b, source, type, false);
  Value m = vector::ConstantMaskOp::create(
      b, loc, VectorType::get(type.getShape(), b.getI1Type()),
      ArrayRef<int64_t>{mask});
  return vector::TransferReadOp::create(b, loc, type, source, indices, map,
                                        pad, m, inBounds);
}

Value readVectorChecked(OpBuilder &b, Location loc, VectorType type,
                        Value source, ValueRange indices, int64_t padding) {
  Value pad = arith::ConstantIntOp::create(b, loc, type.getElementType(),
                                           padding);
  return vector::TransferReadOp::create(b, loc, type, source, indices, pad,
                                        ArrayRef<bool>{false});
}

Value writeVector(OpBuilder &b, Location loc, Value vector, Value dest,
                  ValueRange indices, int64_t mask) {
  auto type = cast<VectorType>(vector.getType());
  if (mask < 0)
    return vector::TransferWriteOp::create(b, loc, vector, dest, indices,
                                           ArrayRef<bool>{true})
        .getResult();
  // Partial vectors are stored lane by lane. A masked store would do, but
  // LLVM 22's x86 backend turns a one-lane masked store of a truncated
  // vector into a 4-byte vmovd, writing past the lane; the lanes are few
  // (the tail of a row of channels), so scalar stores cost nothing.
  SmallVector<Value> at(indices.begin(), indices.end());
  Value last = at.back();
  for (int64_t lane = 0; lane < std::min(mask, type.getNumElements()); ++lane) {
    Value element =
        vector::ExtractOp::create(b, loc, vector, ArrayRef<int64_t>{lane});
    at.back() = arith::AddIOp::create(b, loc, last, constIndex(b, loc, lane));
    dest = tensor::InsertOp::create(b, loc, element, dest, at);
  }
  return dest;
}

/// A vector of `chunk` operands all A' of the input zero point: what padded
/// positions of an image hold.
static Value paddingChunk(OpBuilder &b, Location loc,
                          const ActivationOperand &act, const DotIsa &form,
                          int64_t chunk) {
  Type element = form.elemType(b.getContext());
  return arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(
          VectorType::get({chunk}, element),
          b.getIntegerAttr(element, act.paddingOperand(form))));
}

Value fillPaddedImage(
    OpBuilder &b, Location loc, Value init, int64_t N, int64_t H, int64_t W,
    int64_t Hp, int64_t Wp, int64_t top, int64_t left,
    function_ref<Value(OpBuilder &, Value, Value, Value, Value)> border,
    function_ref<Value(OpBuilder &, Value, Value, Value, Value, Value, Value)>
        inside) {
  auto loop = [&](OpBuilder &b, int64_t lb, int64_t ub, Value init,
                  function_ref<Value(OpBuilder &, Value, Value)> body) {
    return buildCarriedLoop(b, loc, lb, ub, init, body);
  };
  auto borderRow = [&](OpBuilder &b, Value n, Value hp, Value t) {
    return loop(b, 0, Wp, t, [&](OpBuilder &b, Value wp, Value t) {
      return border(b, t, n, hp, wp);
    });
  };
  return loop(b, 0, N, init, [&](OpBuilder &b, Value n, Value t) {
    t = loop(b, 0, top, t, [&](OpBuilder &b, Value hp, Value t) {
      return borderRow(b, n, hp, t);
    });
    t = loop(b, top + H, Hp, t, [&](OpBuilder &b, Value hp, Value t) {
      return borderRow(b, n, hp, t);
    });
    return loop(b, 0, H, t, [&](OpBuilder &b, Value h, Value t) {
      Value hp = arith::AddIOp::create(b, loc, h, constIndex(b, loc, top));
      t = loop(b, 0, left, t, [&](OpBuilder &b, Value wp, Value t) {
        return border(b, t, n, hp, wp);
      });
      t = loop(b, left + W, Wp, t, [&](OpBuilder &b, Value wp, Value t) {
        return border(b, t, n, hp, wp);
      });
      return loop(b, 0, W, t, [&](OpBuilder &b, Value w, Value t) {
        Value wp = arith::AddIOp::create(b, loc, w, constIndex(b, loc, left));
        return inside(b, t, n, h, w, hp, wp);
      });
    });
  });
}

Value buildPaddedOperand(OpBuilder &b, Location loc, Value input,
                         const ActivationOperand &act, const DotIsa &form,
                         int64_t Cp, int64_t Hp, int64_t Wp, int64_t top,
                         int64_t left) {
  auto shape = cast<RankedTensorType>(input.getType()).getShape();
  int64_t N = shape[0], H = shape[1], W = shape[2];
  auto idx = [&](OpBuilder &b, int64_t v) { return constIndex(b, loc, v); };
  // 64 bytes of operands per vector.
  const int64_t chunk = 64 * 8 / form.elemBits;
  Type element = form.elemType(b.getContext());
  auto chunkType = VectorType::get({chunk}, b.getI8Type());
  Value fill = paddingChunk(b, loc, act, form, chunk);
  Value t = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{N, Hp, Wp, Cp},
                                    element);
  // Writes `value(c0)` over the Cp channels of pixel (n, h, w).
  auto pixel = [&](OpBuilder &b, Value t, Value n, Value h, Value w,
                   function_ref<Value(OpBuilder &, Value)> value) {
    return scf::ForOp::create(
               b, loc, idx(b, 0), idx(b, Cp), idx(b, chunk), ValueRange{t},
               [&](OpBuilder &b, Location loc, Value c0, ValueRange it) {
                 scf::YieldOp::create(
                     b, loc,
                     writeVector(b, loc, value(b, c0), it[0], {n, h, w, c0}));
               })
        .getResult(0);
  };
  return fillPaddedImage(
      b, loc, t, N, H, W, Hp, Wp, top, left,
      [&](OpBuilder &b, Value t, Value n, Value hp, Value wp) {
        return pixel(b, t, n, hp, wp, [&](OpBuilder &, Value) { return fill; });
      },
      [&](OpBuilder &b, Value t, Value n, Value h, Value w, Value hp,
          Value wp) {
        return pixel(b, t, n, hp, wp, [&](OpBuilder &b, Value c0) -> Value {
          // Channels past C read as the neutral value.
          Value x = readVectorChecked(b, loc, chunkType, input, {n, h, w, c0},
                                      act.neutralStorage(form));
          return act.transform(b, loc, x, form);
        });
      });
}


Value buildPaddedRows(OpBuilder &b, Location loc, Value input,
                      const ActivationOperand &act, const DotIsa &form,
                      int64_t Hp, int64_t R, int64_t top, int64_t left) {
  auto shape = cast<RankedTensorType>(input.getType()).getShape();
  int64_t N = shape[0], H = shape[1], W = shape[2], C = shape[3];
  auto idx = [&](OpBuilder &b, int64_t v) { return constIndex(b, loc, v); };
  const int64_t chunk = 64 * 8 / form.elemBits;
  Type element = form.elemType(b.getContext());
  auto chunkType = VectorType::get({chunk}, b.getI8Type());
  Value fill = paddingChunk(b, loc, act, form, chunk);
  // The input rows as [N][H][W * C].
  Value rows = tensor::CollapseShapeOp::create(
      b, loc, input, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  Value t = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{N, Hp, R},
                                    element);
  // Chunks [0, count) of a row (the last one masked), from `value`.
  auto chunks = [&](OpBuilder &b, Value t, Value n, Value h, int64_t start,
                    int64_t count,
                    function_ref<Value(OpBuilder &, Value, int64_t)> value) {
    int64_t full = count / chunk, rest = count % chunk;
    t = buildCarriedLoop(b, loc, 0, full, t, [&](OpBuilder &b, Value i, Value t) {
      Value c0 = arith::MulIOp::create(b, loc, i, idx(b, chunk));
      Value at = arith::AddIOp::create(b, loc, c0, idx(b, start));
      return writeVector(b, loc, value(b, c0, -1), t, {n, h, at});
    });
    if (rest > 0)
      t = writeVector(b, loc, value(b, idx(b, full * chunk), rest), t,
                      {n, h, idx(b, start + full * chunk)}, rest);
    return t;
  };
  auto fillValue = [&](OpBuilder &, Value, int64_t) { return fill; };
  return buildCarriedLoop(b, loc, 0, N, t, [&](OpBuilder &b, Value n, Value t) {
    t = buildCarriedLoop(b, loc, 0, Hp, t, [&](OpBuilder &b, Value h, Value t) {
      return chunks(b, t, n, h, 0, R, fillValue);
    });
    return buildCarriedLoop(b, loc, 0, H, t, [&](OpBuilder &b, Value h, Value t) {
      Value hp = arith::AddIOp::create(b, loc, h, idx(b, top));
      return chunks(b, t, n, hp, left * C, W * C,
                    [&](OpBuilder &b, Value c0, int64_t mask) -> Value {
                      Value x = readVector(b, loc, chunkType, rows,
                                           {n, h, c0}, mask,
                                           act.neutralStorage(form));
                      return act.transform(b, loc, x, form);
                    });
    });
  });
}


Value buildCarriedLoop(OpBuilder &b, Location loc, int64_t lb, int64_t ub,
                       Value init,
                       function_ref<Value(OpBuilder &, Value, Value)> body,
                       bool parallel) {
  if (lb >= ub)
    return init;
  auto loop = scf::ForOp::create(
      b, loc, constIndex(b, loc, lb), constIndex(b, loc, ub),
      constIndex(b, loc, 1), ValueRange{init},
      [&](OpBuilder &b, Location loc, Value i, ValueRange it) {
        scf::YieldOp::create(b, loc, body(b, i, it[0]));
      });
  if (parallel)
    markParallel(loop);
  return loop.getResult(0);
}

Value buildGuardedUpdate(OpBuilder &b, Location loc, Value cond, Value current,
                         function_ref<Value(OpBuilder &, Location)> update) {
  return scf::IfOp::create(
             b, loc, cond,
             [&](OpBuilder &b, Location loc) {
               scf::YieldOp::create(b, loc, update(b, loc));
             },
             [&](OpBuilder &b, Location loc) {
               scf::YieldOp::create(b, loc, current);
             })
      .getResult(0);
}

} // namespace lowbit::x86
