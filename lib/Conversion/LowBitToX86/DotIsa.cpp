//===- DotIsa.cpp - One dot-product step of a register tile ---------------===//

#include "DotIsa.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

namespace lowbit {

StringRef stringifyX86Isa(X86Isa isa) {
  switch (isa) {
  case X86Isa::Generic:
    return "generic";
  case X86Isa::Avx2:
    return "avx2";
  case X86Isa::AvxVnni:
    return "avxvnni";
  case X86Isa::Avx512:
    return "avx512";
  case X86Isa::Avx512Vnni:
    return "avx512vnni";
  }
  llvm_unreachable("unknown X86Isa");
}

std::optional<X86Isa> parseX86Isa(StringRef name) {
  for (X86Isa isa : {X86Isa::Generic, X86Isa::Avx2, X86Isa::AvxVnni,
                     X86Isa::Avx512, X86Isa::Avx512Vnni})
    if (name == stringifyX86Isa(isa))
      return isa;
  return std::nullopt;
}

} // namespace lowbit

namespace lowbit::x86 {

DotIsa DotIsa::get(X86Isa isa) {
  switch (isa) {
  case X86Isa::Avx512Vnni:
    return {isa, 16, 4, 8, 32};
  case X86Isa::Avx512:
    return {isa, 16, 2, 16, 32};
  case X86Isa::Avx2:
    return {isa, 8, 2, 16, 16};
  case X86Isa::AvxVnni:
    return {isa, 8, 4, 8, 16};
  case X86Isa::Generic:
    break;
  }
  llvm_unreachable("the generic ISA has no dot instruction");
}

DotIsa DotIsa::wordForm() const {
  switch (isa) {
  case X86Isa::Avx512Vnni:
    return get(X86Isa::Avx512);
  case X86Isa::AvxVnni:
    return get(X86Isa::Avx2);
  default:
    return *this;
  }
}

VectorType DotIsa::accType(MLIRContext *ctx) const {
  return VectorType::get({lanes}, IntegerType::get(ctx, 32));
}

VectorType DotIsa::operandType(MLIRContext *ctx) const {
  return VectorType::get({operandWidth()}, elemType(ctx));
}

/// The LLVM intrinsic of the instruction set's dot step.
static StringRef intrinsicName(X86Isa isa) {
  switch (isa) {
  case X86Isa::Avx512Vnni:
    return "llvm.x86.avx512.vpdpbusd.512";
  case X86Isa::Avx512:
    return "llvm.x86.avx512.pmaddw.d.512";
  case X86Isa::Avx2:
    return "llvm.x86.avx2.pmadd.wd";
  case X86Isa::AvxVnni:
    // The same intrinsic as AVX512VL's; without AVX-512 LLVM selects the
    // VEX encoding ({vex} vpdpbusd ymm).
    return "llvm.x86.avx512.vpdpbusd.256";
  case X86Isa::Generic:
    break;
  }
  llvm_unreachable("the generic ISA has no dot instruction");
}

/// In LLVM IR an intrinsic is a function whose name starts with "llvm.", so
/// a `func.call` of a private declaration with that name translates to
/// exactly the intrinsic call that `llvm.call_intrinsic` would give. Unlike
/// `llvm.call_intrinsic`, which declares no memory effects, a call is
/// understood by buffer deallocation, so the kernels can be written on
/// tensors and bufferized with the rest of the model.
func::FuncOp DotIsa::declareIntrinsic(ModuleOp module) const {
  MLIRContext *ctx = module.getContext();
  StringRef name = intrinsicName(isa);
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder b(ctx);
  b.setInsertionPointToStart(module.getBody());
  SmallVector<Type> args;
  if (isByteDot())
    args.push_back(accType(ctx));
  args.append({operandType(ctx), operandType(ctx)});
  auto decl = func::FuncOp::create(b, module.getLoc(), name,
                                   b.getFunctionType(args, accType(ctx)));
  decl.setPrivate();
  return decl;
}

Value DotIsa::dot(OpBuilder &b, Location loc, Value acc, Value lhs,
                  Value rhs) const {
  Type result = accType(b.getContext());
  StringRef name = intrinsicName(isa);
  // vpdpbusd accumulates itself (the first multiplicand is unsigned, the
  // second signed); vpmaddwd returns the pair sums to add.
  if (isByteDot())
    return func::CallOp::create(b, loc, name, TypeRange{result},
                                ValueRange{acc, lhs, rhs})
        .getResult(0);
  Value pairs = func::CallOp::create(b, loc, name, TypeRange{result},
                                     ValueRange{lhs, rhs})
                    .getResult(0);
  return arith::AddIOp::create(b, loc, acc, pairs);
}

Value DotIsa::broadcastGroup(OpBuilder &b, Location loc, Value group) const {
  // A 32-bit splat (vpbroadcastd, or an embedded {1toN} memory broadcast)
  // rather than a byte shuffle: bitcast the group to one i32 first.
  MLIRContext *ctx = b.getContext();
  auto word = VectorType::get({1}, IntegerType::get(ctx, 32));
  Value w = vector::BitCastOp::create(b, loc, word, group);
  Value scalar = vector::ExtractOp::create(b, loc, w, ArrayRef<int64_t>{0});
  Value splat = vector::BroadcastOp::create(b, loc, accType(ctx), scalar);
  return vector::BitCastOp::create(b, loc, operandType(ctx), splat);
}

} // namespace lowbit::x86
