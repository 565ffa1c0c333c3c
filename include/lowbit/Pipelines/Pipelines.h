//===- Pipelines.h - LowBit's named pass pipelines --------------*- C++ -*-===//

#ifndef LOWBIT_PIPELINES_PIPELINES_H
#define LOWBIT_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace lowbit {

/// Options of `lowbit-lower-to-llvm`.
struct LowerToLLVMOptions
    : public mlir::PassPipelineOptions<LowerToLLVMOptions> {
  Option<bool> barePointers{
      *this, "bare-pointers",
      llvm::cl::desc("Statically shaped memref arguments become plain "
                     "pointers (the C ABI of quant-compile)"),
      llvm::cl::init(true)};
  Option<std::string> isa{
      *this, "isa",
      llvm::cl::desc("Instruction set of the x86 kernels: avx512vnni, "
                     "avx512, avxvnni, avx2 or generic (default: the module's "
                     "lowbit.isa attribute, else generic)"),
      llvm::cl::init("")};
  Option<unsigned> threads{
      *this, "threads",
      llvm::cl::desc("Threads for the kernels' parallel loops: 1 keeps the "
                     "code serial and libc-only; N > 1 runs them as OpenMP "
                     "work-sharing loops on N threads (needs libomp)"),
      llvm::cl::init(1)};
};

/// lowbit IR (and quant casts) -> LLVM dialect: convert-lowbit-to-x86 (the
/// kernels of the chosen instruction set), convert-lowbit-to-linalg,
/// bufferization with results as out-parameters and planned deallocation,
/// loops, and the standard conversions to LLVM. Needs only libc at run time,
/// or libomp as well with threads > 1.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm,
                              const LowerToLLVMOptions &options);

/// Options of `lowbit-quantize`.
struct QuantizeOptions : public mlir::PassPipelineOptions<QuantizeOptions> {
  Option<std::string> stats{
      *this, "stats",
      llvm::cl::desc("STATS.json from quant-calibrate (default: static "
                     "range analysis only)")};
  Option<unsigned> bits{*this, "bits",
                        llvm::cl::desc("Activation bit width (8 or 16)"),
                        llvm::cl::init(8)};
  Option<std::string> weights{
      *this, "weights",
      llvm::cl::desc("Weight granularity: per-channel or per-tensor"),
      llvm::cl::init("per-channel")};
  Option<std::string> activations{
      *this, "activations",
      llvm::cl::desc("Activation scheme: asymmetric or symmetric"),
      llvm::cl::init("asymmetric")};
  Option<std::string> requant{
      *this, "requant",
      llvm::cl::desc("Requantization of the created ops: fixed_point or "
                     "float"),
      llvm::cl::init("fixed_point")};
  Option<bool> narrowRange{
      *this, "narrow-range",
      llvm::cl::desc("Narrow range for activations too"),
      llvm::cl::init(false)};
  Option<bool> powerOfTwo{
      *this, "power-of-two",
      llvm::cl::desc("Power-of-two scales (shift-only requantization)"),
      llvm::cl::init(false)};
};

/// float TOSA -> lowbit IR: lowbit-import-calibration (when `stats` is
/// given), lowbit-range-analysis for the values calibration did not cover,
/// lowbit-assign-params, lowbit-fuse, then cleanup.
void buildQuantizePipeline(mlir::OpPassManager &pm,
                           const QuantizeOptions &options);

/// Registers every upstream and LowBit pass once. The pipelines spell their
/// stages as text, which needs the registry, and the tools and C API that
/// embed this library may not have filled it.
void ensurePassesRegistered();

/// Registers the named pipelines with the global pass registry.
void registerPipelines();

} // namespace lowbit

#endif // LOWBIT_PIPELINES_PIPELINES_H
