//===- ExpandMath.cpp - Math ops without libm -----------------------------===//

#include "lowbit/Conversion/LowBitToX86/X86Isa.h"
#include "lowbit/Conversion/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITEXPANDMATHPASS
#include "lowbit/Conversion/Passes.h.inc"
} // namespace lowbit

using namespace mlir;

namespace {

struct LowBitExpandMathPass
    : lowbit::impl::LowBitExpandMathPassBase<LowBitExpandMathPass> {
  using LowBitExpandMathPassBase::LowBitExpandMathPassBase;
  void runOnOperation() override {
    if (native || moduleIsaHasSse41()) {
      // Before the expansion patterns see it: the instruction exists.
      getOperation()->walk([](math::RoundEvenOp op) {
        OpBuilder b(op);
        op.replaceAllUsesWith(
            LLVM::RoundEvenOp::create(b, op.getLoc(), op.getOperand())
                .getResult());
        op.erase();
      });
    }
    RewritePatternSet patterns(&getContext());
    // Hyperbolic functions, powers, roundeven, ... in terms of simpler ops;
    // then polynomials for what is left (exp, log, erf, tanh, sin, ...).
    math::populateExpansionPatterns(patterns);
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef) { return true; });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }

  /// Every x86 kernel instruction set (AVX2 and up) implies SSE4.1.
  bool moduleIsaHasSse41() {
    auto module = getOperation()->getParentOfType<ModuleOp>();
    auto name =
        module ? module->getAttrOfType<StringAttr>(lowbit::kX86IsaAttrName)
               : StringAttr();
    if (!name)
      return false;
    std::optional<lowbit::X86Isa> isa = lowbit::parseX86Isa(name.getValue());
    return isa && *isa != lowbit::X86Isa::Generic;
  }
};

} // namespace
