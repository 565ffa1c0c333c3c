//===- Patterns.h - lowbit-to-x86 pattern groups ----------------*- C++ -*-===//

#ifndef LOWBIT_LIB_CONVERSION_LOWBITTOX86_PATTERNS_H
#define LOWBIT_LIB_CONVERSION_LOWBITTOX86_PATTERNS_H

#include "DotIsa.h"

#include "mlir/IR/PatternMatch.h"

namespace lowbit::x86 {

/// fully_connected, matmul and conv2d (groups = 1) with constant weights as
/// packed, register-tiled GEMMs (1x1 convolutions directly, others through
/// an im2col A block).
void populateGemmPatterns(const DotIsa &isa, mlir::RewritePatternSet &patterns);

/// Stride-1 conv2d (groups = 1, not 1x1) as an implicit GEMM that reads a
/// padded copy of the input directly (no im2col block); it goes before the
/// im2col GEMM, which takes what it declines.
void populateImplicitConvPatterns(const DotIsa &isa,
                                  mlir::RewritePatternSet &patterns);

/// f32 `tosa.matmul` with a constant right-hand side as a cache-blocked
/// FMA GEMM (FloatGemm.cpp).
void populateFloatGemmPatterns(const DotIsa &isa,
                               mlir::RewritePatternSet &patterns);

/// f32 `tosa.conv2d` (implicit GEMM) and `tosa.depthwise_conv2d` (channels
/// on the lanes) with constant weights, a following clamp fused
/// (FloatConv.cpp).
void populateFloatConvPatterns(const DotIsa &isa,
                               mlir::RewritePatternSet &patterns);

/// f32 `tosa.max_pool2d` without padding, channels on the vector lanes
/// (FloatPool.cpp).
void populateFloatPoolPatterns(const DotIsa &isa,
                               mlir::RewritePatternSet &patterns);

/// Depthwise conv2d (groups = C, one filter per channel), channels on the
/// vector lanes.
void populateDepthwisePatterns(const DotIsa &isa,
                               mlir::RewritePatternSet &patterns);

/// A static reshape of a tensor (collapse to 1-D, expand to `shape`).
mlir::Value reshapeTensor(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value value, llvm::ArrayRef<int64_t> shape);

} // namespace lowbit::x86

#endif // LOWBIT_LIB_CONVERSION_LOWBITTOX86_PATTERNS_H
