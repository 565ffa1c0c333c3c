//===- KernelUtils.h - Operands and fused epilogues of x86 kernels -*- C++ -*-//
//
// What every x86 kernel shares: the transform of activations into the dot
// product's domain, the weights' transform and the compensation it implies,
// and the fused requantization epilogue on accumulator vectors.
//
// With a - zp_a = A' + da and w - zp_w[n] = B' + db[n] (A', B' the dot
// operands, da and db[n] constants):
//
//   acc[m, n] = bias[n] + sum_k (A' + da)(B' + db[n])
//             = dot(A', B')[m, n] + db[n] * rowsum(A')[m] + comp[n]
//   comp[n]   = bias[n] + da * colsum(B')[n] + K * da * db[n]
//
// comp is folded at compile time; the row sums exist only when some db[n]
// is non-zero (asymmetric or u8 weights on the byte dot).
// All of it is arithmetic modulo 2^32, so the result is the exact int32
// accumulator of docs/QuantizationSemantics.md, wrapped as the reference
// wraps it.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_CONVERSION_LOWBITTOX86_KERNELUTILS_H
#define LOWBIT_LIB_CONVERSION_LOWBITTOX86_KERNELUTILS_H

#include "DotIsa.h"

#include "../LowBitToLinalg/LoweringUtils.h"

#include "mlir/IR/Builders.h"

namespace lowbit::x86 {

using mlir::Location;
using mlir::OpBuilder;
using mlir::Value;

/// An index constant.
Value constIndex(OpBuilder &b, Location loc, int64_t v);

/// Index arithmetic at one location, as the emitters spell it:
/// `idx(b, 4)`, `add(b, x, y)`, `mul(b, x, 4)`.
struct IndexConst {
  Location loc;
  Value operator()(OpBuilder &b, int64_t v) const {
    return constIndex(b, loc, v);
  }
};
struct IndexAdd {
  Location loc;
  Value operator()(OpBuilder &b, Value x, Value y) const;
};
struct IndexMul {
  Location loc;
  Value operator()(OpBuilder &b, Value x, int64_t y) const;
};

/// An scf.for over [lb, ub) carrying one value (a tensor written in place):
/// `body(b, iv, carried)` returns the next value. Returns `init` when the
/// range is empty. `parallel` marks the loop's iterations independent (see
/// lowbit/Conversion/ParallelLoops.h): each writes its own part of the
/// carried tensor and reads nothing another iteration writes.
Value buildCarriedLoop(OpBuilder &b, Location loc, int64_t lb, int64_t ub,
                       Value init,
                       llvm::function_ref<Value(OpBuilder &, Value, Value)> body,
                       bool parallel = false);

/// `cond ? update() : current` as an scf.if: a tile's rows past the end of
/// the output are computed (the tile is padded) but not written.
Value buildGuardedUpdate(OpBuilder &b, Location loc, Value cond, Value current,
                         llvm::function_ref<Value(OpBuilder &, Location)> update);

/// The activation operand of a dot product: storage integers with a zero
/// point, turned into A' (u8 for the byte dot, centered i16 otherwise).
struct ActivationOperand {
  bool isSigned;
  int64_t zeroPoint;

  /// `da` with a - zp = A' + da (0 for the centered 16-bit form).
  int64_t offset(const DotIsa &isa) const;
  /// A storage value whose A' is 0: the padding of masked reads.
  int64_t neutralStorage(const DotIsa &isa) const;
  /// A' of the padding value zp (what padded conv positions hold).
  int64_t paddingOperand(const DotIsa &isa) const;
  /// A' of a vector of storage integers (`vector<n x i8>`): `a ^ 0x80` or
  /// `a` for the byte dot, `ext(a) - zp` as i16 otherwise.
  Value transform(OpBuilder &b, Location loc, Value storage,
                  const DotIsa &isa) const;
};

/// B' of one weight `w` (storage integer) with zero point `zp`, and `db`.
struct WeightValue {
  int64_t operand, offset;
};
WeightValue transformWeight(const DotIsa &isa, int64_t w, int64_t zp,
                            bool isSigned);

/// Requantization of accumulator vectors, fused behind a kernel: adds the
/// per-channel compensation, requantizes (per tensor or per channel, either
/// mode), adds the output zero point and clamps.
struct ChannelEpilogue {
  lowering::Requantizer requant;
  int64_t zpOut, lo, hi;
  mlir::IntegerType storage;
  /// Added to every accumulator: [groups][channels] (groups = batches of a
  /// batched matmul whose compensation differs per batch).
  llvm::SmallVector<int32_t> comp;
  /// db[n], multiplied by the row sum of A'; empty when every db[n] is 0.
  llvm::SmallVector<int32_t> rowScale;
  int64_t channels = 0, groups = 1;

  ChannelEpilogue(lowering::Requantizer requant, int64_t zpOut, int64_t lo,
                  int64_t hi, mlir::IntegerType storage)
      : requant(std::move(requant)), zpOut(zpOut), lo(lo), hi(hi),
        storage(storage) {}

  bool needsRowSum() const { return !rowScale.empty(); }

  /// Emits the constant tables (padded to `paddedChannels`).
  void materialize(OpBuilder &b, Location loc, int64_t paddedChannels);

  /// The tables' entries for channels [channel, channel + lanes).
  struct Slice {
    Value comp, rowScale;
    llvm::SmallVector<Value> params;
  };
  Slice load(OpBuilder &b, Location loc, mlir::VectorType accType, Value group,
             Value channel) const;

  /// The output storage vector of an accumulator vector; `rowSum` (an i32
  /// scalar) is needed when needsRowSum().
  Value apply(OpBuilder &b, Location loc, Value acc, const Slice &slice,
              Value rowSum) const;

private:
  int64_t padded = 0;
  Value compTable, rowScaleTable;
  llvm::SmallVector<Value> paramTables;
};

using lowering::contractionMultipliers;

/// The dense integer constant behind a weight operand (`quant.scast` of an
/// `arith.constant`), or null.
mlir::DenseIntElementsAttr getConstantStorage(Value quantized);

/// Storage integers of a constant as int64, row-major.
llvm::SmallVector<int64_t> getInt64Values(mlir::DenseIntElementsAttr attr,
                                          bool isSigned);

/// `quant.scast` a quantized tensor to its storage tensor or back.
Value castToStorage(OpBuilder &b, Location loc, Value quantized);
Value castToQuantized(OpBuilder &b, Location loc, Value storage,
                      mlir::Type quantizedType);

/// A read of `vector<n x T>` at `indices` of a tensor; `mask` (the number of
/// leading lanes to read, or -1 for all) pads the rest with `padding`.
Value readVector(OpBuilder &b, Location loc, mlir::VectorType type,
                 Value source, mlir::ValueRange indices, int64_t mask = -1,
                 int64_t padding = 0);
/// A read that may run past the end of the source's last dimension; lanes
/// past it read `padding`.
Value readVectorChecked(OpBuilder &b, Location loc, mlir::VectorType type,
                        Value source, mlir::ValueRange indices,
                        int64_t padding);
/// A write of a vector into a tensor; `mask` as for readVector. Returns the
/// new tensor.
Value writeVector(OpBuilder &b, Location loc, Value vector, Value dest,
                  mlir::ValueRange indices, int64_t mask = -1);

/// Writes every pixel of the padded image `init` ([N][Hp][Wp][...]) whose
/// input (N x H x W pixels) sits at (top, left): `border(b, t, n, hp, wp)`
/// the pixels outside the input, `inside(b, t, n, h, w, hp, wp)` the pixel
/// (hp, wp) = (h + top, w + left) that holds input pixel (h, w). Each
/// returns `t` with its pixel written.
Value fillPaddedImage(
    OpBuilder &b, Location loc, Value init, int64_t N, int64_t H, int64_t W,
    int64_t Hp, int64_t Wp, int64_t top, int64_t left,
    llvm::function_ref<Value(OpBuilder &, Value, Value, Value, Value)> border,
    llvm::function_ref<Value(OpBuilder &, Value, Value, Value, Value, Value,
                             Value)>
        inside);

/// The NHWC storage tensor `input` as dot operands (`form`'s transform and
/// element type) in a new `[N][Hp][Wp][Cp]` tensor: at (top, left), with A'
/// of the input zero point on the borders (what padded positions hold).
/// Cp must be a multiple of the 64-byte chunk; channels past C are
/// undefined.
Value buildPaddedOperand(OpBuilder &b, Location loc, Value input,
                         const ActivationOperand &act, const DotIsa &form,
                         int64_t Cp, int64_t Hp, int64_t Wp, int64_t top,
                         int64_t left);

/// The NHWC storage tensor `input` as dot operands in a new `[N][Hp][R]`
/// tensor whose rows are the padded image rows flattened over (w, c): pixel
/// (h, w) of the input starts at element (h + top, (w + left) * C). Every
/// other element holds A' of the input zero point. A stride-1 window row
/// is then `KW * C` contiguous elements, whatever C is. R must be at least
/// (left + W) * C.
Value buildPaddedRows(OpBuilder &b, Location loc, Value input,
                      const ActivationOperand &act, const DotIsa &form,
                      int64_t Hp, int64_t R, int64_t top, int64_t left);

} // namespace lowbit::x86

#endif // LOWBIT_LIB_CONVERSION_LOWBITTOX86_KERNELUTILS_H
