//===- ParallelLoops.cpp - Marked scf.for loops become scf.parallel -------===//
//
// See LowBitParallelLoopsPass in Passes.td. The kernels, not this pass,
// decide what is parallel: they know which buffers each iteration writes.
// The pass only checks what bufferization left (no carried values, index
// bounds) and changes the loop's kind.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Conversion/ParallelLoops.h"
#include "lowbit/Conversion/Passes.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITPARALLELLOOPSPASS
#include "lowbit/Conversion/Passes.h.inc"
} // namespace lowbit

using namespace mlir;

namespace {

/// Whether `loop` can become an scf.parallel as it is.
bool isConvertible(scf::ForOp loop) {
  return lowbit::isMarkedParallel(loop) && loop.getNumResults() == 0 &&
         loop.getInductionVar().getType().isIndex() &&
         !loop->getParentOfType<scf::ParallelOp>();
}

void convertToParallel(scf::ForOp loop) {
  OpBuilder b(loop);
  auto parallel = scf::ParallelOp::create(
      b, loop.getLoc(), ValueRange{loop.getLowerBound()},
      ValueRange{loop.getUpperBound()}, ValueRange{loop.getStep()});
  Block *from = loop.getBody();
  Block *to = parallel.getBody();
  from->getTerminator()->erase(); // an scf.yield without operands
  to->getOperations().splice(to->getTerminator()->getIterator(),
                             from->getOperations());
  loop.getInductionVar().replaceAllUsesWith(parallel.getInductionVars()[0]);
  loop.erase();
}

struct LowBitParallelLoopsPass
    : lowbit::impl::LowBitParallelLoopsPassBase<LowBitParallelLoopsPass> {
  void runOnOperation() override {
    // Pre-order: an outer loop becomes parallel before its nested marked
    // loops are visited, which then see the scf.parallel and stay serial.
    getOperation()->walk<WalkOrder::PreOrder>([](scf::ForOp loop) {
      if (isConvertible(loop)) {
        convertToParallel(loop);
        return WalkResult::skip();
      }
      return WalkResult::advance();
    });
    // The attribute has done its work; serial loops keep no trace of it.
    getOperation()->walk([](scf::ForOp loop) {
      loop->removeAttr(lowbit::kParallelLoopAttr);
    });
  }
};

} // namespace
