//===- ConvertLowBitToX86.cpp - The convert-lowbit-to-x86 pass ------------===//
//
// Chooses the instruction set (the `isa` option, else the module's
// `lowbit.isa` attribute, else generic) and rewrites the ops the kernel
// library covers; everything else stays for convert-lowbit-to-linalg.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "lowbit/Conversion/LowBitToX86/X86Isa.h"
#include "lowbit/Conversion/Passes.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace lowbit {
#define GEN_PASS_DEF_CONVERTLOWBITTOX86PASS
#include "lowbit/Conversion/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

struct ConvertLowBitToX86Pass
    : lowbit::impl::ConvertLowBitToX86PassBase<ConvertLowBitToX86Pass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::string name = isa;
    if (name.empty())
      if (auto attr = module->getAttrOfType<StringAttr>(kX86IsaAttrName))
        name = attr.getValue().str();
    if (name.empty())
      return;
    std::optional<X86Isa> parsed = parseX86Isa(name);
    if (!parsed) {
      module.emitError() << "unknown instruction set '" << name
                         << "' (expected generic, avx2, avxvnni, avx512 or avx512vnni)";
      return signalPassFailure();
    }
    if (*parsed == X86Isa::Generic)
      return;
    x86::DotIsa dot = x86::DotIsa::get(*parsed);
    dot.declareIntrinsic(module);
    RewritePatternSet patterns(&getContext());
    x86::populateGemmPatterns(dot, patterns);
    x86::populateImplicitConvPatterns(dot, patterns);
    x86::populateFloatGemmPatterns(dot, patterns);
    x86::populateFloatConvPatterns(dot, patterns);
    x86::populateFloatPoolPatterns(dot, patterns);
    x86::populateDepthwisePatterns(dot, patterns);
    walkAndApplyPatterns(module, std::move(patterns));
    // Declarations of intrinsics no kernel ended up calling.
    for (auto decl :
         llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
      if (decl.isDeclaration() && decl.getSymName().starts_with("llvm.x86.") &&
          decl.symbolKnownUseEmpty(module))
        decl.erase();
  }
};

} // namespace
