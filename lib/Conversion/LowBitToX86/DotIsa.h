//===- DotIsa.h - One dot-product step of a register tile -------*- C++ -*-===//
//
// A register-tiled kernel accumulates `acc[lane] += sum_{j < kGroup}
// a[j] * b[lane][j]` with one instruction per accumulator vector. The
// instruction sets differ in lanes, group size and operand width:
//
//   avx512vnni  vpdpbusd zmm   16 lanes, 4 products of u8 x s8
//   avx512      vpmaddwd zmm   16 lanes, 2 products of i16 x i16 (+ vpaddd)
//   avxvnni     vpdpbusd ymm    8 lanes, 4 products of u8 x s8
//   avx2        vpmaddwd ymm    8 lanes, 2 products of i16 x i16 (+ vpaddd)
//
// The 8-bit form needs u8 activations and s8 weights, so operands are
// shifted (a ^ 0x80, w - 128) and the shift is compensated exactly; the
// 16-bit form takes operands centered on their zero points, which fit int16
// (|q - zp| <= 255) with pair sums far inside int32, so it needs no
// compensation and never saturates.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_CONVERSION_LOWBITTOX86_DOTISA_H
#define LOWBIT_LIB_CONVERSION_LOWBITTOX86_DOTISA_H

#include "lowbit/Conversion/LowBitToX86/X86Isa.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"

namespace lowbit::x86 {

/// The shape of one dot-product instruction on an instruction set.
struct DotIsa {
  X86Isa isa;
  int64_t lanes;    ///< i32 accumulator lanes per vector register
  int64_t kGroup;   ///< products summed into a lane by one instruction
  int64_t elemBits; ///< operand width: 8 (u8 x s8) or 16 (i16 x i16)
  int64_t numRegs;  ///< vector registers of the ISA

  /// The instruction set's dot step; `isa` must not be Generic.
  static DotIsa get(X86Isa isa);

  bool isByteDot() const { return elemBits == 8; }
  /// The int16 (vpmaddwd) dot of the same vector width, for operands a byte
  /// dot cannot take (weights outside s8 after centering); itself for a
  /// 16-bit ISA. Every byte-dot ISA has it (VNNI cores have AVX-512 BW or
  /// AVX2).
  DotIsa wordForm() const;
  /// Elements of one packed operand vector (lanes x kGroup).
  int64_t operandWidth() const { return lanes * kGroup; }
  mlir::IntegerType elemType(mlir::MLIRContext *ctx) const {
    return mlir::IntegerType::get(ctx, elemBits);
  }
  mlir::VectorType accType(mlir::MLIRContext *ctx) const;
  mlir::VectorType operandType(mlir::MLIRContext *ctx) const;

  /// Declares the dot intrinsic in `module` (once); dot() calls it.
  mlir::func::FuncOp declareIntrinsic(mlir::ModuleOp module) const;

  /// `acc + dot(a, b)` lane by lane; `a` and `b` are operand vectors (for
  /// the byte form `a` holds the u8 side, `b` the s8 side).
  mlir::Value dot(mlir::OpBuilder &b, mlir::Location loc, mlir::Value acc,
                  mlir::Value lhs, mlir::Value rhs) const;

  /// Broadcasts one group of kGroup operand elements (`vector<kGroup x iN>`,
  /// 32 bits) to every lane, as a 32-bit splat.
  mlir::Value broadcastGroup(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Value group) const;
};

} // namespace lowbit::x86

#endif // LOWBIT_LIB_CONVERSION_LOWBITTOX86_DOTISA_H
