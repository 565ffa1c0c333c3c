//===- ParallelLoops.h - Loops the kernels declare parallel -----*- C++ -*-===//
//
// The x86 kernels know which of their loops have independent iterations
// (each writes its own rows or columns of the result and reads only what
// was built before the loop). They say so with a unit attribute on the
// `scf.for`; after bufferization `lowbit-parallel-loops` turns the marked
// loops into `scf.parallel`, which the OpenMP path then runs on threads.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_PARALLELLOOPS_H
#define LOWBIT_CONVERSION_PARALLELLOOPS_H

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/StringRef.h"

namespace lowbit {

/// The unit attribute marking an `scf.for` whose iterations are independent.
inline constexpr llvm::StringLiteral kParallelLoopAttr = "lowbit.parallel";

inline void markParallel(mlir::scf::ForOp loop) {
  loop->setAttr(kParallelLoopAttr,
                mlir::UnitAttr::get(loop->getContext()));
}

inline bool isMarkedParallel(mlir::scf::ForOp loop) {
  return loop->hasAttr(kParallelLoopAttr);
}

} // namespace lowbit

#endif // LOWBIT_CONVERSION_PARALLELLOOPS_H
