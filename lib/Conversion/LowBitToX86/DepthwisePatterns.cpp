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

#include <map>

using namespace mlir;
using namespace lowbit;
using namespace lowbit::x86;

namespace {

/// Output pixels per register tile.
constexpr int64_t kTile = 8;

//===----------------------------------------------------------------------===//
// Tap-packed kernel: four taps of one channel per i32 lane
//===----------------------------------------------------------------------===//

/// Channels per vector (i32 lanes) and taps per lane (bytes of a lane).
constexpr int64_t kLanes = 16, kTaps = 4;

struct TapPackedShape {
  int64_t N, H, W, C, KH, KW, OH, OW, strideH, strideW, dilationH;
  int64_t top, bottom, left, right;
};

/// The name of AVX-512's float to int32 conversion with a rounding mode.
constexpr llvm::StringLiteral kCvtName = "llvm.x86.avx512.mask.cvtps2dq.512";

/// Declares kCvtName in `module` (once).
static void declareConvertRoundEven(ModuleOp module) {
  if (module.lookupSymbol<func::FuncOp>(kCvtName))
    return;
  OpBuilder b(module.getContext());
  b.setInsertionPointToStart(module.getBody());
  auto f32 = VectorType::get({kLanes}, b.getF32Type());
  auto i32 = VectorType::get({kLanes}, b.getI32Type());
  auto decl = func::FuncOp::create(
      b, module.getLoc(), kCvtName,
      b.getFunctionType({f32, i32, b.getI16Type(), b.getI32Type()}, {i32}));
  decl.setPrivate();
}

/// The saturating packs of AVX-512 BW (signed dwords to words, words to
/// bytes, in 128-bit lanes).
constexpr llvm::StringLiteral kPackDW = "llvm.x86.avx512.packssdw.512";
constexpr llvm::StringLiteral kPackWB = "llvm.x86.avx512.packsswb.512";

static void declarePacks(ModuleOp module) {
  OpBuilder b(module.getContext());
  b.setInsertionPointToStart(module.getBody());
  auto vec = [&](int64_t n, Type t) { return VectorType::get({n}, t); };
  auto declare = [&](StringRef name, VectorType in, VectorType out) {
    if (module.lookupSymbol<func::FuncOp>(name))
      return;
    func::FuncOp::create(b, module.getLoc(), name,
                         b.getFunctionType({in, in}, {out}))
        .setPrivate();
  };
  declare(kPackDW, vec(16, b.getI32Type()), vec(32, b.getI16Type()));
  declare(kPackWB, vec(32, b.getI16Type()), vec(64, b.getI8Type()));
}

/// Four int32 vectors of channels 16s .. 16s + 15 (s = 0..3) as the 64
/// bytes of channels 0..63, each saturated to [-128, 127]: vpackssdw twice,
/// vpacksswb, which leave byte 16L + 4s + i = lane 4L + i of vector s, then
/// one vpermd (a 4 x 4 transpose of dwords) into channel order.
static Value packChannels(OpBuilder &b, Location loc, ArrayRef<Value> r) {
  auto i16x32 = VectorType::get({32}, b.getI16Type());
  auto i8x64 = VectorType::get({64}, b.getI8Type());
  auto i32x16 = VectorType::get({16}, b.getI32Type());
  auto call = [&](StringRef name, Type type, Value x, Value y) {
    return func::CallOp::create(b, loc, name, TypeRange{type},
                                ValueRange{x, y})
        .getResult(0);
  };
  Value lo = call(kPackDW, i16x32, r[0], r[1]);
  Value hi = call(kPackDW, i16x32, r[2], r[3]);
  Value bytes = call(kPackWB, i8x64, lo, hi);
  Value dwords = vector::BitCastOp::create(b, loc, i32x16, bytes);
  SmallVector<int64_t> order(16);
  for (int64_t s = 0; s < 4; ++s)
    for (int64_t l = 0; l < 4; ++l)
      order[4 * s + l] = 4 * l + s;
  dwords = vector::ShuffleOp::create(b, loc, dwords, dwords, order);
  return vector::BitCastOp::create(b, loc, i8x64, dwords);
}

/// `vcvtps2dq {rn-sae}`: float lanes rounded half to even into int32.
static Value convertRoundEven(OpBuilder &b, Location loc, Value v) {
  auto i32 = VectorType::get(cast<VectorType>(v.getType()).getShape(),
                             b.getI32Type());
  Value passThrough = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(i32, b.getI32IntegerAttr(0)));
  Value all = arith::ConstantIntOp::create(b, loc, b.getI16Type(), -1);
  // _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC: round half to even
  // whatever MXCSR says.
  Value rn = arith::ConstantIntOp::create(b, loc, b.getI32Type(), 8);
  return func::CallOp::create(b, loc, kCvtName, TypeRange{i32},
                              ValueRange{v, passThrough, all, rn})
      .getResult(0);
}

/// The float requantization of ChannelEpilogue::apply in fewer
/// instructions, for output bounds [lo, hi] with lo - zp and hi - zp inside
/// +-2^20 (8- and 16-bit outputs). The reference computes
///   clamp(fptosi(roundeven(clamp(v, -2^20, 2^20))) + zp, lo, hi)
/// and because roundeven is monotone and maps integers to themselves,
/// clamp(roundeven(f), a, b) = roundeven(clamp(f, a, b)) for integers a <= b;
/// with [lo - zp, hi - zp] inside +-2^20 the inner clamp is then subsumed:
///   = roundeven(clamp(v, lo - zp, hi - zp)) + zp,
/// already in [lo, hi]. When moreover |v| < 2^30 is proven at compile time
/// (`bounded`: the weights bound the accumulator), the float clamp can move
/// after the conversion, which is then exact:
///   = clamp(roundeven(v), lo - zp, hi - zp) + zp,
/// and for [lo - zp, hi - zp] = [-128, 127] (u8 with zero point 128, i8
/// with 0) the integer clamp is the saturation of `vpmovsdb`. The zero
/// point is added in the storage width: the sum is in [lo, hi], so its
/// bits are the same modulo 2^bits. `acc` already holds the compensation.
static Value applyFloatShort(OpBuilder &b, Location loc, Value acc, Value mf,
                             int64_t lo, int64_t hi, int64_t zp,
                             IntegerType storage, bool bounded) {
  auto type = cast<VectorType>(acc.getType());
  auto f32 = VectorType::get(type.getShape(), b.getF32Type());
  auto splatF = [&](float v) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(f32, b.getF32FloatAttr(v)));
  };
  auto splatI = [&](VectorType t, int64_t v) {
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(
            t, b.getIntegerAttr(t.getElementType(),
                                APInt(t.getElementTypeBitWidth(), v,
                                      /*isSigned=*/true, /*implicitTrunc=*/true))));
  };
  Value v = arith::MulFOp::create(
      b, loc, arith::SIToFPOp::create(b, loc, f32, acc), mf);
  Value r;
  if (bounded) {
    r = convertRoundEven(b, loc, v);
    r = arith::MaxSIOp::create(b, loc, r, splatI(type, lo - zp));
    r = arith::MinSIOp::create(b, loc, r, splatI(type, hi - zp));
  } else {
    v = arith::MaxNumFOp::create(b, loc, v, splatF(static_cast<float>(lo - zp)));
    v = arith::MinNumFOp::create(b, loc, v, splatF(static_cast<float>(hi - zp)));
    r = convertRoundEven(b, loc, v);
  }
  if (storage.getWidth() == 32)
    return arith::AddIOp::create(b, loc, r, splatI(type, zp));
  auto narrow = VectorType::get(type.getShape(), storage);
  r = arith::TruncIOp::create(b, loc, narrow, r);
  return arith::AddIOp::create(b, loc, r, splatI(narrow, zp));
}

/// The depthwise convolution with the taps of a kernel row packed into the
/// bytes of each i32 lane, so that one vpdpbusd does 4 multiply-accumulates
/// per lane instead of 1 (see docs/X86Kernels.md, "Depthwise"):
///
///   Q[i][cb][iw][16]   a slab of padded A' rows, channels in blocks of 16:
///                      the 16 channels of 4 adjacent columns are 64
///                      contiguous bytes (one load)
///   T = vpermb(Q[i][cb][iw .. iw + 3][:])   lane c = the 4 bytes
///                      A'[row i][iw + j][c], j = 0..3
///   acc[oh][ow][c] += vpdpbusd(T at iw = ow * sw + 4g, Wt[kh][g][c][4])
///
/// for kernel row kh (slab row (oh - oh0) * sh + kh * dh) and tap group g
/// (taps 4g .. 4g + 3; taps past KW have weight 0). Each block of output
/// rows builds its own slab (the input rows it reads; 4 x 4 transposes of
/// 128-bit lanes), so iterations of the row-block loop are independent.
/// A register tile of R output rows builds each T once per slab row and
/// feeds it to every output row of the tile that reads it. Where the float
/// epilogue allows it, a tile holds the 4 blocks of 64 channels of a pixel
/// and narrows them together with saturating packs into one 64-byte store.
static Value emitTapPacked(OpBuilder &b, Location loc, const DotIsa &dot,
                           const TapPackedShape &s, ArrayRef<int64_t> centered,
                           const ActivationOperand &act, Value input,
                           const ChannelEpilogue &epilogue, int64_t lo,
                           int64_t hi, RankedTensorType outType) {
  MLIRContext *ctx = b.getContext();
  auto idx = [&](OpBuilder &b, int64_t v) { return constIndex(b, loc, v); };
  auto loop = [&](OpBuilder &b, int64_t lb, int64_t ub, Value init,
                  function_ref<Value(OpBuilder &, Value, Value)> body) {
    return buildCarriedLoop(b, loc, lb, ub, init, body);
  };
  DotIsa byteForm = DotIsa::get(X86Isa::Avx512Vnni);
  const int64_t C = s.C, KW = s.KW, KH = s.KH;
  const int64_t CB = ceilDiv(C, kLanes), CBq = roundUp(CB, 4);
  const int64_t NG = ceilDiv(KW, kTaps);
  const int64_t Wp = s.W + s.left + s.right;
  // Columns of Q: every padded column, and 4 whole columns from the last
  // group's start (the taps past KW read anything: their weights are 0).
  const int64_t Wq = std::max(Wp, (s.OW - 1) * s.strideW + kTaps * NG);
  const int64_t rowBytes = Wq * kLanes;

  // Weights: Wt[kh][g][cb][c][j] = w'[kh][4g + j][16cb + c].
  std::vector<int8_t> wt(KH * NG * CB * 64, 0);
  for (int64_t kh = 0; kh < KH; ++kh)
    for (int64_t kw = 0; kw < KW; ++kw)
      for (int64_t c = 0; c < C; ++c) {
        int64_t g = kw / kTaps, j = kw % kTaps;
        wt[((kh * NG + g) * CB + c / kLanes) * 64 + (c % kLanes) * kTaps + j] =
            static_cast<int8_t>(centered[(kh * KW + kw) * C + c]);
      }
  Value wPacked = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(
          RankedTensorType::get({static_cast<int64_t>(wt.size())},
                                b.getI8Type()),
          ArrayRef<int8_t>(wt)));

  // Q is built per block of output rows, for the input rows they read,
  // into a tensor of that iteration (a few rows: it stays in L1/L2 while
  // the block reads it).
  auto chunkType = VectorType::get({64}, b.getI8Type());
  Value fill = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(chunkType,
                             b.getI8IntegerAttr(act.paddingOperand(byteForm))));
  // Writes 64 channels (4 blocks) of column w of slab row i per chunk.
  auto pixel = [&](OpBuilder &b, Value t, Value i, Value w,
                   function_ref<Value(OpBuilder &, Value)> value) {
    Value col = arith::MulIOp::create(b, loc, w, idx(b, kLanes));
    return loop(b, 0, CBq / 4, t, [&](OpBuilder &b, Value k, Value t) {
      Value v = value(b, k);
      Value cb0 = arith::MulIOp::create(b, loc, k, idx(b, 4));
      for (int64_t part = 0; part < 4; ++part) {
        Value piece = vector::ExtractStridedSliceOp::create(
            b, loc, v, ArrayRef<int64_t>{part * kLanes},
            ArrayRef<int64_t>{kLanes}, ArrayRef<int64_t>{1});
        Value cb = arith::AddIOp::create(b, loc, cb0, idx(b, part));
        t = writeVector(b, loc, piece, t, {i, cb, col});
      }
      return t;
    });
  };
  auto fillValue = [&](OpBuilder &, Value) { return fill; };
  auto fillCols = [&](OpBuilder &b, Value i, int64_t from, int64_t to,
                      Value t) {
    return loop(b, from, to, t, [&](OpBuilder &b, Value w, Value t) {
      return pixel(b, t, i, w, fillValue);
    });
  };
  // Slab row i from input row h of image n.
  auto inputRow = [&](OpBuilder &b, Value t, Value n, Value i, Value h) {
    t = fillCols(b, i, 0, s.left, t);
    t = fillCols(b, i, s.left + s.W, Wq, t);
    // 64 channels of pixel w: channels past C read as the neutral value.
    auto chunk = [&](OpBuilder &b, Value w, Value k) -> Value {
      Value c0 = arith::MulIOp::create(b, loc, k, idx(b, 64));
      Value x = readVectorChecked(b, loc, chunkType, input, {n, h, w, c0},
                                  act.neutralStorage(byteForm));
      return act.transform(b, loc, x, byteForm);
    };
    // Four pixels at a time: the 4 x 4 blocks of 16 channels transposed
    // (two rounds of 128-bit lane shuffles), so every store is 64 bytes.
    t = loop(b, 0, s.W / 4, t, [&](OpBuilder &b, Value w4, Value t) {
      Value w0 = arith::MulIOp::create(b, loc, w4, idx(b, 4));
      Value col = arith::MulIOp::create(
          b, loc, arith::AddIOp::create(b, loc, w0, idx(b, s.left)),
          idx(b, kLanes));
      return loop(b, 0, CBq / 4, t, [&](OpBuilder &b, Value k, Value t) {
        Value x[4];
        for (int64_t j = 0; j < 4; ++j)
          x[j] = chunk(b, arith::AddIOp::create(b, loc, w0, idx(b, j)), k);
        // 128-bit lanes (l0, l1) of a then (l2, l3) of c.
        auto lanes = [&](Value a, Value c, int64_t l0, int64_t l1, int64_t l2,
                         int64_t l3) {
          SmallVector<int64_t> mask;
          for (int64_t l : {l0, l1, l2 + 4, l3 + 4})
            for (int64_t e = 0; e < kLanes; ++e)
              mask.push_back(l * kLanes + e);
          return vector::ShuffleOp::create(b, loc, a, c, mask).getResult();
        };
        Value y0 = lanes(x[0], x[1], 0, 1, 0, 1);
        Value y1 = lanes(x[0], x[1], 2, 3, 2, 3);
        Value y2 = lanes(x[2], x[3], 0, 1, 0, 1);
        Value y3 = lanes(x[2], x[3], 2, 3, 2, 3);
        Value blocks[4] = {lanes(y0, y2, 0, 2, 0, 2), lanes(y0, y2, 1, 3, 1, 3),
                           lanes(y1, y3, 0, 2, 0, 2), lanes(y1, y3, 1, 3, 1, 3)};
        Value cb0 = arith::MulIOp::create(b, loc, k, idx(b, 4));
        for (int64_t part = 0; part < 4; ++part)
          t = writeVector(
              b, loc, blocks[part], t,
              {i, arith::AddIOp::create(b, loc, cb0, idx(b, part)), col});
        return t;
      });
    });
    return loop(b, s.W / 4 * 4, s.W, t, [&](OpBuilder &b, Value w, Value t) {
      Value wp = arith::AddIOp::create(b, loc, w, idx(b, s.left));
      return pixel(b, t, i, wp,
                   [&](OpBuilder &b, Value k) { return chunk(b, w, k); });
    });
  };
  // A new slab of `rows` rows: padded input rows hp0 .. hp0 + rows - 1.
  auto buildSlab = [&](OpBuilder &b, Value n, Value hp0, int64_t rows) {
    Value t = tensor::EmptyOp::create(
        b, loc, ArrayRef<int64_t>{rows, CBq, rowBytes}, b.getI8Type());
    return loop(b, 0, rows, t, [&](OpBuilder &b, Value i, Value t) {
      Value hp = arith::AddIOp::create(b, loc, hp0, i);
      Value h = arith::SubIOp::create(b, loc, hp, idx(b, s.top));
      if (s.top == 0 && s.bottom == 0)
        return inputRow(b, t, n, i, h);
      Value inside = arith::AndIOp::create(
          b, loc,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, hp,
                                idx(b, s.top)),
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, hp,
                                idx(b, s.top + s.H)));
      return scf::IfOp::create(
                 b, loc, inside,
                 [&](OpBuilder &b, Location loc) {
                   scf::YieldOp::create(b, loc, inputRow(b, t, n, i, h));
                 },
                 [&](OpBuilder &b, Location loc) {
                   scf::YieldOp::create(b, loc, fillCols(b, i, 0, Wq, t));
                 })
          .getResult(0);
    });
  };

  // Byte 4c + j of T is byte 16j + c of the 64-byte load (column j, channel
  // c): vpermb where VBMI exists.
  SmallVector<int64_t> transpose(64);
  for (int64_t c = 0; c < kLanes; ++c)
    for (int64_t j = 0; j < kTaps; ++j)
      transpose[c * kTaps + j] = j * kLanes + c;

  // Register tile: R output rows x P pixels, ~20 accumulators.
  int64_t R = std::min<int64_t>(s.OH, 4);
  int64_t P = std::min<int64_t>(s.OW, std::max<int64_t>(1, 20 / R));
  // The input rows one output row reads, and output rows per slab: up to
  // 4 register tiles while the slab stays within ~160 KiB (L2; 16 rows
  // rebuild 1/8 of their input rows, measured faster than 4 or 8 rows).
  const int64_t span = (KH - 1) * s.dilationH + 1;
  int64_t tilesPerSlab = 4;
  while (tilesPerSlab > 1 &&
         ((tilesPerSlab * R - 1) * s.strideH + span) * CBq * rowBytes >
             160 * 1024)
    --tilesPerSlab;
  int64_t RB = std::min<int64_t>(s.OH, tilesPerSlab * R);
  // Blocks of equal height (OH = 56: 4 x 14, not 3 x 16 + 8), so that the
  // parallel row-block loop covers every row and splits evenly.
  RB = ceilDiv(s.OH, ceilDiv(s.OH, RB));

  VectorType accType = dot.accType(ctx);
  auto storage = lowering::getStorageInfo(getQuantElementType(outType)).type;
  int64_t zpOut = epilogue.zpOut;
  const lowering::Requantizer &requant = epilogue.requant;
  bool fastFloat = requant.mode == RequantMode::Float &&
                   lo - zpOut >= -(1 << 20) && hi - zpOut <= (1 << 20);
  // |acc| <= |comp| + 255 * sum |w'| per channel (A' is a byte), and
  // |float(acc) * mf| < 2^30 lets the conversion run unclamped.
  bool bounded = fastFloat;
  for (int64_t c = 0; c < C && bounded; ++c) {
    double bound = std::abs(static_cast<double>(epilogue.comp[c]));
    for (int64_t t = 0; t < KH * KW; ++t)
      bound += 255.0 * std::abs(static_cast<double>(centered[t * C + c]));
    double m = std::abs(static_cast<double>(
        requant.mf[requant.mf.size() > 1 ? c : 0]));
    bounded = bound < 2147483648.0 && bound * m * (1 + 1e-6) < 1073741824.0;
  }

  // Output rows oh0 .. oh0 + rows - 1, whose first input row is row `i0`
  // of the slab q; pixels ow0 .. ow0 + pixels - 1; channel block cb.
  auto tile = [&](OpBuilder &b, Value o, Value q, Value i0, Value n, Value oh0,
                  Value cb, Value ow0, int64_t rows, int64_t pixels,
                  int64_t mask) {
    Value c0 = arith::MulIOp::create(b, loc, cb, idx(b, kLanes));
    ChannelEpilogue::Slice slice = epilogue.load(b, loc, accType, Value(), c0);
    // The compensation starts every accumulator.
    SmallVector<Value> acc(rows * pixels, slice.comp);
    // Output row r of the tile reads slab row i0 + r * sh + kh * dh.
    std::map<int64_t, SmallVector<std::pair<int64_t, int64_t>>> users;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t kh = 0; kh < KH; ++kh)
        users[r * s.strideH + kh * s.dilationH].push_back({r, kh});
    for (int64_t g = 0; g < NG; ++g) {
      SmallVector<Value> w(KH);
      for (int64_t kh = 0; kh < KH; ++kh) {
        Value off = arith::AddIOp::create(
            b, loc, idx(b, (kh * NG + g) * CB * 64),
            arith::MulIOp::create(b, loc, cb, idx(b, 64)));
        w[kh] = readVector(b, loc, chunkType, wPacked, {off});
      }
      for (auto &[offset, list] : users) {
        Value ih = arith::AddIOp::create(b, loc, i0, idx(b, offset));
        for (int64_t p = 0; p < pixels; ++p) {
          Value iw = arith::AddIOp::create(
              b, loc,
              arith::MulIOp::create(
                  b, loc, arith::AddIOp::create(b, loc, ow0, idx(b, p)),
                  idx(b, s.strideW)),
              idx(b, kTaps * g));
          Value col = arith::MulIOp::create(b, loc, iw, idx(b, kLanes));
          Value x = readVector(b, loc, chunkType, q, {ih, cb, col});
          Value t = vector::ShuffleOp::create(b, loc, x, x, transpose);
          for (auto [r, kh] : list)
            acc[r * pixels + p] = dot.dot(b, loc, acc[r * pixels + p], t, w[kh]);
        }
      }
    }
    slice.comp = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(accType, b.getI32IntegerAttr(0)));
    Value mf;
    if (fastFloat)
      mf = slice.params.empty()
               ? arith::ConstantOp::create(
                     b, loc,
                     DenseElementsAttr::get(
                         VectorType::get({kLanes}, b.getF32Type()),
                         b.getF32FloatAttr(requant.mf[0])))
                     .getResult()
               : slice.params[0];
    for (int64_t r = 0; r < rows; ++r) {
      Value oh = arith::AddIOp::create(b, loc, oh0, idx(b, r));
      for (int64_t p = 0; p < pixels; ++p) {
        Value v = acc[r * pixels + p];
        Value res = fastFloat ? applyFloatShort(b, loc, v, mf, lo, hi, zpOut,
                                                storage, bounded)
                              : epilogue.apply(b, loc, v, slice, Value());
        Value ow = arith::AddIOp::create(b, loc, ow0, idx(b, p));
        o = writeVector(b, loc, res, o, {n, oh, ow, c0}, mask);
      }
    }
    return o;
  };

  // All pixels of `rows` output rows from oh0, channel block cb (`mask`
  // lanes of it, or all for -1).
  auto pixels = [&](OpBuilder &b, Value o, Value q, Value i0, Value n,
                    Value oh0, Value cb, int64_t rows, int64_t mask) {
    o = loop(b, 0, s.OW / P, o, [&](OpBuilder &b, Value t, Value o) {
      Value ow0 = arith::MulIOp::create(b, loc, t, idx(b, P));
      return tile(b, o, q, i0, n, oh0, cb, ow0, rows, P, mask);
    });
    if (s.OW % P)
      o = tile(b, o, q, i0, n, oh0, cb, idx(b, s.OW / P * P), rows, s.OW % P,
               mask);
    return o;
  };
  // 64 channels at a time (4 blocks) when the float epilogue is proven
  // unclamped and the output bounds minus zp lie in [-128, 127]: the four
  // blocks of a pixel are narrowed together by saturating packs and stored
  // as one 64-byte vector.
  bool packed = bounded && storage.getWidth() == 8 && lo - zpOut >= -128 &&
                hi - zpOut <= 127 && C >= 64;
  // One pixel: 4 blocks x R rows = 16 accumulators, each T feeding up to
  // KH of them (measured best among 1-2 pixels and 3-7 rows).
  const int64_t P4 = 1;
  auto chunkTile = [&](OpBuilder &b, Value o, Value q, Value i0, Value n,
                       Value oh0, Value k, Value ow0, int64_t rows,
                       int64_t pixels) {
    Value cb0 = arith::MulIOp::create(b, loc, k, idx(b, 4));
    SmallVector<Value> cbs, mfs;
    SmallVector<Value> acc;
    for (int64_t sb = 0; sb < 4; ++sb) {
      cbs.push_back(arith::AddIOp::create(b, loc, cb0, idx(b, sb)));
      Value c0 = arith::MulIOp::create(b, loc, cbs.back(), idx(b, kLanes));
      ChannelEpilogue::Slice slice =
          epilogue.load(b, loc, accType, Value(), c0);
      mfs.push_back(slice.params.empty()
                        ? arith::ConstantOp::create(
                              b, loc,
                              DenseElementsAttr::get(
                                  VectorType::get({kLanes}, b.getF32Type()),
                                  b.getF32FloatAttr(requant.mf[0])))
                              .getResult()
                        : slice.params[0]);
      acc.append(rows * pixels, slice.comp);
    }
    auto at = [&](int64_t sb, int64_t r, int64_t p) -> Value & {
      return acc[(sb * rows + r) * pixels + p];
    };
    std::map<int64_t, SmallVector<std::pair<int64_t, int64_t>>> users;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t kh = 0; kh < KH; ++kh)
        users[r * s.strideH + kh * s.dilationH].push_back({r, kh});
    for (int64_t g = 0; g < NG; ++g) {
      for (auto &[offset, list] : users) {
        Value ih = arith::AddIOp::create(b, loc, i0, idx(b, offset));
        for (int64_t sb = 0; sb < 4; ++sb) {
          SmallVector<Value> w(KH);
          for (auto [r, kh] : list)
            if (!w[kh])
              w[kh] = readVector(
                  b, loc, chunkType, wPacked,
                  {arith::AddIOp::create(
                      b, loc, idx(b, (kh * NG + g) * CB * 64),
                      arith::MulIOp::create(b, loc, cbs[sb], idx(b, 64)))});
          for (int64_t p = 0; p < pixels; ++p) {
            Value iw = arith::AddIOp::create(
                b, loc,
                arith::MulIOp::create(
                    b, loc, arith::AddIOp::create(b, loc, ow0, idx(b, p)),
                    idx(b, s.strideW)),
                idx(b, kTaps * g));
            Value col = arith::MulIOp::create(b, loc, iw, idx(b, kLanes));
            Value x = readVector(b, loc, chunkType, q, {ih, cbs[sb], col});
            Value t = vector::ShuffleOp::create(b, loc, x, x, transpose);
            for (auto [r, kh] : list)
              at(sb, r, p) = dot.dot(b, loc, at(sb, r, p), t, w[kh]);
          }
        }
      }
    }
    auto f32 = VectorType::get({kLanes}, b.getF32Type());
    auto bytes = VectorType::get({64}, b.getI8Type());
    auto splat8 = [&](int64_t v) {
      return arith::ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(bytes, b.getIntegerAttr(b.getI8Type(), v)));
    };
    Value c0 = arith::MulIOp::create(b, loc, k, idx(b, 64));
    for (int64_t r = 0; r < rows; ++r) {
      Value oh = arith::AddIOp::create(b, loc, oh0, idx(b, r));
      for (int64_t p = 0; p < pixels; ++p) {
        SmallVector<Value> ints;
        for (int64_t sb = 0; sb < 4; ++sb) {
          Value v = arith::MulFOp::create(
              b, loc, arith::SIToFPOp::create(b, loc, f32, at(sb, r, p)),
              mfs[sb]);
          ints.push_back(convertRoundEven(b, loc, v));
        }
        Value res = packChannels(b, loc, ints);
        if (lo - zpOut > -128)
          res = arith::MaxSIOp::create(b, loc, res, splat8(lo - zpOut));
        if (hi - zpOut < 127)
          res = arith::MinSIOp::create(b, loc, res, splat8(hi - zpOut));
        res = arith::AddIOp::create(b, loc, res,
                                    splat8(static_cast<int8_t>(zpOut)));
        Value ow = arith::AddIOp::create(b, loc, ow0, idx(b, p));
        o = writeVector(b, loc, res, o, {n, oh, ow, c0});
      }
    }
    return o;
  };
  // `rows` (<= R) output rows of register tiles, all channels. The last
  // channel block, when partial, is stored lane by lane.
  int64_t fullBlocks = C / kLanes;
  int64_t chunks = packed ? C / 64 : 0;
  auto tileRows = [&](OpBuilder &b, Value o, Value q, Value i0, Value n,
                      Value oh0, int64_t rows) {
    o = loop(b, 0, chunks, o, [&](OpBuilder &b, Value k, Value o) {
      o = loop(b, 0, s.OW / P4, o, [&](OpBuilder &b, Value t, Value o) {
        Value ow0 = arith::MulIOp::create(b, loc, t, idx(b, P4));
        return chunkTile(b, o, q, i0, n, oh0, k, ow0, rows, P4);
      });
      if (s.OW % P4)
        o = chunkTile(b, o, q, i0, n, oh0, k, idx(b, s.OW / P4 * P4), rows,
                      s.OW % P4);
      return o;
    });
    o = loop(b, chunks * 4, fullBlocks, o, [&](OpBuilder &b, Value cb, Value o) {
      return pixels(b, o, q, i0, n, oh0, cb, rows, -1);
    });
    if (C % kLanes)
      o = pixels(b, o, q, i0, n, oh0, idx(b, fullBlocks), rows, C % kLanes);
    return o;
  };
  // A block of `rows` output rows from oh0: its slab, then its tiles.
  auto rowBlock = [&](OpBuilder &b, Value o, Value n, Value oh0,
                      int64_t rows) {
    Value hp0 = arith::MulIOp::create(b, loc, oh0, idx(b, s.strideH));
    Value q = buildSlab(b, n, hp0, (rows - 1) * s.strideH + span);
    o = loop(b, 0, rows / R, o, [&](OpBuilder &b, Value rt, Value o) {
      Value r0 = arith::MulIOp::create(b, loc, rt, idx(b, R));
      Value i0 = arith::MulIOp::create(b, loc, r0, idx(b, s.strideH));
      return tileRows(b, o, q, i0, n, arith::AddIOp::create(b, loc, oh0, r0),
                      R);
    });
    if (rows % R) {
      int64_t r0 = rows / R * R;
      o = tileRows(b, o, q, idx(b, r0 * s.strideH), n,
                   arith::AddIOp::create(b, loc, oh0, idx(b, r0)), rows % R);
    }
    return o;
  };
  Value out = tensor::EmptyOp::create(b, loc, outType.getShape(), storage);
  // Iterations of the batch and row-block loops are independent: each
  // block builds its own slab. The row blocks are the parallel loop: with
  // threads each iteration keeps its own slab buffer (lowbit-parallel-loops
  // runs before buffer-loop-hoisting), serially the slab is planned once.
  return loop(b, 0, s.N, out, [&](OpBuilder &b, Value n, Value o) {
    o = buildCarriedLoop(
        b, loc, 0, s.OH / RB, o,
        [&](OpBuilder &b, Value rb, Value o) {
          Value oh0 = arith::MulIOp::create(b, loc, rb, idx(b, RB));
          return rowBlock(b, o, n, oh0, RB);
        },
        /*parallel=*/true);
    if (s.OH % RB)
      o = rowBlock(b, o, n, idx(b, s.OH / RB * RB), s.OH % RB);
    return o;
  });
}

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

    // Four taps of a kernel row per lane when the byte dot takes the
    // centered weights and a row's taps are adjacent columns (a zmm kernel:
    // AVX-512 VNNI only, not the ymm AVX-VNNI).
    Value input = castToStorage(b, loc, op.getInput());
    if (dot.isa == X86Isa::Avx512Vnni && dilation[1] == 1) {
      TapPackedShape shape{N,  H,         W,         C,         KH,
                           KW, OH,        OW,        stride[0], stride[1],
                           dilation[0], pad[0], pad[1], pad[2], pad[3]};
      declareConvertRoundEven(op->getParentOfType<ModuleOp>());
      declarePacks(op->getParentOfType<ModuleOp>());
      Value result = emitTapPacked(b, loc, dot, shape, centered, act, input,
                                   epilogue, lo, hi, outType);
      rewriter.replaceOp(op, castToQuantized(b, loc, result, op.getType()));
      return success();
    }

    // The padded A' image.
    int64_t Hp = H + pad[0] + pad[1], Wp = W + pad[2] + pad[3];
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
                    function_ref<Value(OpBuilder &, Value, Value)> body,
                    bool parallel = false) {
      return buildCarriedLoop(b, loc, 0, count, init, body, parallel);
    };
    Value result = loop(b, N, out, [&](OpBuilder &b, Value n, Value o) {
      // Output rows read the padded image built above and write their own
      // row: the parallel loop.
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
      }, /*parallel=*/true);
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
