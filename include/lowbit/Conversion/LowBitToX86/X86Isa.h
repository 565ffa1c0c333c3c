//===- X86Isa.h - Instruction sets of the x86 kernels -----------*- C++ -*-===//
//
// The instruction sets convert-lowbit-to-x86 writes kernels for, and how a
// driver names the one it targets: the `lowbit.isa` module attribute or the
// pass's `isa` option.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_LOWBITTOX86_X86ISA_H
#define LOWBIT_CONVERSION_LOWBITTOX86_X86ISA_H

#include "llvm/ADT/StringRef.h"

#include <optional>

namespace lowbit {

/// The integer dot-product instructions a kernel is written with.
enum class X86Isa {
  /// No x86 kernels: the target-neutral linalg lowering handles every op.
  Generic,
  /// AVX2 (x86-64-v3): vpmaddwd on ymm over operands centered to int16.
  Avx2,
  /// AVX-VNNI (AVX2 cores with the VEX-encoded VNNI, e.g. Alder Lake): the
  /// byte dot vpdpbusd on ymm, u8 x s8 with precomputed compensation.
  AvxVnni,
  /// AVX-512 BW (x86-64-v4): vpmaddwd on zmm over operands centered to int16.
  Avx512,
  /// AVX-512 VNNI: vpdpbusd on zmm, u8 x s8 with precomputed compensation.
  Avx512Vnni,
};

/// Module attribute (a string) naming the instruction set of the module's
/// target; quant-compile sets it from --target before lowering.
inline constexpr llvm::StringLiteral kX86IsaAttrName = "lowbit.isa";

/// "generic", "avx2", "avxvnni", "avx512" or "avx512vnni".
llvm::StringRef stringifyX86Isa(X86Isa isa);
std::optional<X86Isa> parseX86Isa(llvm::StringRef name);

} // namespace lowbit

#endif // LOWBIT_CONVERSION_LOWBITTOX86_X86ISA_H
