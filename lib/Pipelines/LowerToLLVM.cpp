//===- LowerToLLVM.cpp - The lowbit-lower-to-llvm pipeline ----------------===//

#include "lowbit/Conversion/LowBitToX86/X86Isa.h"
#include "lowbit/Conversion/Passes.h"
#include "lowbit/Pipelines/Pipelines.h"

#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Pass/PassRegistry.h"


#include <string>

using namespace mlir;

void lowbit::buildLowerToLLVMPipeline(OpPassManager &pm,
                                      const LowerToLLVMOptions &options) {
  // The x86 kernels take the contractions they cover first; the generic
  // lowering takes everything else (and is the only one for `generic`).
  lowbit::ConvertLowBitToX86PassOptions x86Options;
  x86Options.isa = options.isa;
  pm.addPass(lowbit::createConvertLowBitToX86Pass(x86Options));
  pm.addPass(lowbit::createConvertLowBitToLinalgPass());
  // The upstream stages are spelled as textual pipelines: their option
  // structs change between MLIR releases, their flags do not.
  ensurePassesRegistered();
  auto add = [&](const std::string &text) {
    if (failed(parsePassPipeline(text, pm)))
      llvm::report_fatal_error(
          llvm::Twine("lowbit-lower-to-llvm: bad stage: ") + text);
  };
  // Float (or mixed) TOSA graphs share the backend: the float baseline of a
  // model and the engine that runs its calibration.
  // No TOSA validation: its default level rejects shapes LowBit handles
  // (4-D pads, which TOSA's own decompositions create), and the backend
  // does not depend on the level's limits.
  tosa::addTosaToLinalgPasses(pm, TosaToLinalgOptions(),
                              TosaToLinalgNamedOptions(),
                              /*validationOptions=*/std::nullopt);
  add("func.func(tosa-to-arith,tosa-to-tensor)");
  // Elementwise arith on tensors (e.g. the sub-byte boundary conversions).
  add("func.func(convert-elementwise-to-linalg)");
  add("canonicalize,cse,func.func(linalg-fuse-elementwise-ops),canonicalize");
  add("one-shot-bufferize{bufferize-function-boundaries "
      "function-boundary-type-conversion=identity-layout-map}");
  pm.addNestedPass<func::FuncOp>(
      lowbit::createLowBitDistinctReturnBuffersPass());
  // Loops that wrote a result buffer in place still yield it; folding those
  // iter_args exposes the allocation itself, which the next pass then turns
  // into the caller's out-parameter instead of copying into it.
  add("cse,canonicalize");
  add("buffer-results-to-out-params{hoist-static-allocs modify-public-functions}");
  // The loops the kernels marked independent become scf.parallel (run on
  // OpenMP threads below) before hoisting, which leaves their allocations
  // in place: each iteration, so each thread, keeps its own buffers.
  bool threaded = options.threads > 1;
  if (threaded)
    pm.addNestedPass<func::FuncOp>(lowbit::createLowBitParallelLoopsPass());
  // Static temporaries of a loop body (a kernel's per-iteration scratch)
  // move out of their loops, so that they too are planned, not malloc'ed
  // on every iteration.
  add("func.func(buffer-loop-hoisting)");
  // Temporaries become planned buffers (process-wide globals), not mallocs.
  pm.addPass(lowbit::createLowBitStaticScratchPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addNestedPass<func::FuncOp>(lowbit::createLowBitMemRefCopyToLinalgPass());
  add("func.func(convert-linalg-to-loops),cse,canonicalize");
  // The kernels' 1-D transfers become (masked) loads and stores.
  add("func.func(convert-vector-to-scf{full-unroll=true}),canonicalize");
  if (threaded)
    add("convert-scf-to-openmp{num-threads=" +
        std::to_string(options.threads) + "},canonicalize");
  add("convert-scf-to-cf,expand-strided-metadata,lower-affine");
  // Transcendentals become polynomials and roundeven plain arithmetic, so
  // the library needs no libm (exp, tanh, erf, ... and roundevenf on CPUs
  // without SSE4.1).
  lowbit::LowBitExpandMathPassOptions mathOptions;
  std::optional<lowbit::X86Isa> isa = lowbit::parseX86Isa(options.isa);
  mathOptions.native = isa && *isa != lowbit::X86Isa::Generic;
  pm.addNestedPass<func::FuncOp>(lowbit::createLowBitExpandMathPass(mathOptions));
  add("convert-vector-to-llvm");
  add("finalize-memref-to-llvm,convert-arith-to-llvm,convert-math-to-llvm");
  add("convert-cf-to-llvm");
  add(std::string("convert-func-to-llvm{use-bare-ptr-memref-call-conv=") +
      (options.barePointers ? "1" : "0") + "}");
  if (threaded)
    add("convert-openmp-to-llvm");
  add("convert-ub-to-llvm,reconcile-unrealized-casts,canonicalize,cse");
  // The scratch globals stay process-wide: as thread-locals in a dlopen'ed
  // library they corrupted results when many models were loaded in one
  // process (seen with glibc 2.36). A compiled model is therefore not
  // reentrant: calls to one library must be serialized.
}
