//===- FloatKernels.h - Shared pieces of the fp32 x86 kernels ---*- C++ -*-===//
//
// The float baseline of a model (float TOSA) goes through the same backend
// as its int8 build. Its contractions get register-tiled FMA kernels
// (FloatGemm.cpp: tosa.matmul; FloatConv.cpp: tosa.conv2d and
// tosa.depthwise_conv2d) built from the pieces here: the k loop of an
// mr x nv tile of fused multiply-adds (vfmadd231ps with a broadcast A
// element), the bias + clamp epilogue, and constant packing helpers.
//
// Numerics: every output element is one FMA chain over k in order (for
// the convolutions starting from the bias, as tosa-to-linalg initializes
// the accumulator), then the clamp. Against the generic lowering (a
// multiply and an add per product) only the rounding of the products
// differs: results agree within float reassociation tolerance, not bit
// for bit.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_CONVERSION_LOWBITTOX86_FLOATKERNELS_H
#define LOWBIT_LIB_CONVERSION_LOWBITTOX86_FLOATKERNELS_H

#include "KernelUtils.h"
#include "WeightPacking.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <optional>
#include <vector>

namespace lowbit::x86 {

/// The dense f32 constant behind `v` (arith.constant or tosa.const), or
/// null.
mlir::DenseFPElementsAttr getFloatConstant(Value v);

/// Whether `v` is a constant whose elements are all +-0 (the zero points
/// of float TOSA contractions).
bool isZeroFloatConstant(Value v);

/// Whether every value is a statically shaped f32 tensor (what the fp32
/// kernels take).
bool areStaticF32Tensors(mlir::ValueRange values);

/// Stores the mr rows of a register tile: `writeRow(b, loc, t, r)` writes
/// row r into `t` and returns it. Row r is the matrix row `rows[r]`; when
/// M is not a multiple of mr the rows past M (never row 0) are skipped.
Value storeTileRows(
    OpBuilder &b, Location loc, Value out, int64_t mr, int64_t M,
    llvm::ArrayRef<Value> rows,
    llvm::function_ref<Value(OpBuilder &, Location, Value, int64_t)> writeRow);

/// The f32 `tosa.clamp` that is the only user of `v` (a ReLU or ReLU6 to
/// fuse into the kernel's epilogue), or null.
mlir::tosa::ClampOp getFusableClamp(Value v);

/// The epilogue of a float kernel: the accumulators start from the bias
/// (per output channel; a table padded to whole vectors) and end clamped.
struct FloatEpilogue {
  Value biasTable;                ///< tensor<Np x f32>, or null (zero)
  std::optional<float> lo, hi;    ///< the fused clamp
  bool propagateNan = true;       ///< tosa.clamp's nan_mode

  /// Builds the epilogue of `clamp` (may be null) and `bias` (N values,
  /// padded to `paddedN`; empty for none).
  static FloatEpilogue get(OpBuilder &b, Location loc,
                           mlir::tosa::ClampOp clamp,
                           llvm::ArrayRef<float> bias, int64_t paddedN);
  /// The initial accumulator of output channels [col, col + lanes).
  Value init(OpBuilder &b, Location loc, mlir::VectorType type,
             Value col) const;
  /// The clamp of a finished accumulator.
  Value finish(OpBuilder &b, Location loc, Value acc) const;
};

/// A splat f32 vector constant.
Value splatF32(OpBuilder &b, Location loc, mlir::VectorType type, float v);

/// A 1-D f32 tensor constant.
Value floatTable(OpBuilder &b, Location loc, llvm::ArrayRef<float> values);

/// One scf.for over k in [kLo, kHi) of the register tile
///   acc[r * nv + v] = fma(broadcast(aScalar(k, r)), B(k, v), acc[r * nv + v])
/// where B(k, v) is the vector at `bIndex(k) + v * lanes` of the 1-D packed
/// constant `packedB`. Returns the final accumulators.
llvm::SmallVector<Value>
emitFmaLoop(OpBuilder &b, Location loc, mlir::VectorType vecType,
            Value packedB, int64_t mr, int64_t nv, Value kLo, Value kHi,
            mlir::ValueRange init,
            llvm::function_ref<Value(OpBuilder &, Value k)> bIndex,
            llvm::function_ref<Value(OpBuilder &, Value k, int64_t r)> aScalar);

/// As emitFmaLoop for one row (a GEMV) over k in [0, K), with `split`
/// independent sets of accumulators (k modulo split) summed at the end, so
/// that narrow rows (few vectors) still have enough chains in flight.
llvm::SmallVector<Value>
emitSplitFmaLoop(OpBuilder &b, Location loc, mlir::VectorType vecType,
                 Value packedB, int64_t nv, int64_t K, int64_t split,
                 mlir::ValueRange init,
                 llvm::function_ref<Value(OpBuilder &, Value k)> bIndex,
                 llvm::function_ref<Value(OpBuilder &, Value k, int64_t r)> aScalar);

/// Column panels of a packed right-hand side: full panels of `nr` columns,
/// then one narrower panel (a multiple of the lanes) for the rest of N.
struct PanelLayout {
  int64_t N, nr, lanes, Kp;
  int64_t fullPanels() const { return N / nr; }
  int64_t tailCols() const { return N - fullPanels() * nr; }
  int64_t tailWidth() const { return roundUp(tailCols(), lanes); }
  int64_t panels() const { return fullPanels() + (tailCols() ? 1 : 0); }
  int64_t panelStride() const { return nr * Kp; }
  int64_t size() const { return roundUp(N, lanes) * Kp; }
  /// Lanes of the last vector of the last panel (-1: all).
  int64_t lastMask() const { return N % lanes ? N % lanes : -1; }
};

/// B as [panel][Kp][width] (width = nr, or the tail panel's width), zero
/// past K and N; `value(k, n)` reads B[k][n].
std::vector<float>
packFloatPanels(const PanelLayout &layout, int64_t K,
                llvm::function_ref<float(int64_t k, int64_t n)> value);

/// An scf.for over [lb, ub) (index values) carrying one tensor.
Value buildCarriedLoop(OpBuilder &b, Location loc, Value lb, Value ub,
                       Value init,
                       llvm::function_ref<Value(OpBuilder &, Value, Value)> body);

/// The NHWC f32 tensor `input` in a new zero-filled `[N][Hp][Wp][Cp]`
/// tensor at (top, left); Cp is C if C < lanes, else a multiple of
/// `lanes` (channels past C are zero).
Value buildPaddedFloat(OpBuilder &b, Location loc, Value input, int64_t lanes,
                       int64_t Cp, int64_t Hp, int64_t Wp, int64_t top,
                       int64_t left);

/// The tile height in [1, maxRows] that pads the fewest rows of M (ties to
/// the taller tile).
int64_t chooseTileRows(int64_t M, int64_t maxRows);

} // namespace lowbit::x86

#endif // LOWBIT_LIB_CONVERSION_LOWBITTOX86_FLOATKERNELS_H
