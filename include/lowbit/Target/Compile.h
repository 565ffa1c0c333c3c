//===- Compile.h - Ahead-of-time compilation of models ----------*- C++ -*-===//
//
// The steps of quant-compile as a library: give the entry function its float
// (or storage-integer) boundary, lower to LLVM IR with the model description
// embedded, optimize and emit assembly or an object for a chosen CPU, link a
// shared library, and write the C header.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TARGET_COMPILE_H
#define LOWBIT_TARGET_COMPILE_H

#include "lowbit/Target/ModelDescription.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace lowbit {

/// The CPU a model is compiled for.
struct TargetSpec {
  std::string cpu;      // LLVM CPU name, e.g. "znver5", "x86-64-v3"
  std::string features; // LLVM feature string ("" = the CPU's defaults)
};

/// `host`, `x86-64-v3`, `x86-64-v3-vnni` (x86-64-v3 + AVX-VNNI), `x86-64-v4`
/// or `generic`; an error names the choices.
llvm::Expected<TargetSpec> resolveTarget(llvm::StringRef name);

/// Rewrites `func` so that quantized arguments and results cross the C
/// boundary as float32 (quant.qcast at entry, quant.dcast before return).
mlir::LogicalResult addFloatBoundary(mlir::func::FuncOp func);

/// Rewrites `func` so that quantized values cross the C boundary as their
/// storage integers: a float argument read only through one `quant.qcast`
/// takes the quantized type instead, a result made by `quant.dcast` returns
/// the quantized value. Arguments already quantized stay as they are.
void exposeQuantizedBoundary(mlir::func::FuncOp func);

/// With a quantized boundary, sub-byte storage (i4, u4, ...) crosses the C
/// ABI as whole bytes: arguments arrive as i8 and are truncated, results are
/// sign- or zero-extended to i8, as the header's int8_t/uint8_t promise.
void widenSubByteBoundary(mlir::func::FuncOp func);

/// Fails with a diagnostic unless the entry's name is a C identifier: the
/// library exports it and the header declares it under that name.
mlir::LogicalResult verifyEntryName(mlir::func::FuncOp func);

/// Lowers `module` (lowbit IR, entry function `entry`) to an LLVM module and
/// adds `const char *lowbit_model_info(void)` returning `modelInfo`. With
/// `threads` > 1 the kernels' parallel loops become OpenMP runtime calls.
mlir::FailureOr<std::unique_ptr<llvm::Module>>
lowerToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &llvmContext,
              llvm::StringRef modelInfo, unsigned threads = 1);

/// Optimizes at -O3 for `target` and writes assembly or an object file.
enum class CodeFileType { Assembly, Object };
llvm::Error optimizeModule(llvm::Module &module, const TargetSpec &target);
llvm::Error emitCode(llvm::Module &module, const TargetSpec &target,
                     CodeFileType type, llvm::StringRef path);

/// Links an object into a shared library with clang-22 and lld, atomically;
/// `openmp` adds the OpenMP runtime (libomp) the threaded code calls.
llvm::Error linkSharedLibrary(llvm::StringRef objectPath,
                              llvm::StringRef outputPath, bool openmp = false);

/// A self-contained C header declaring the entry point and the model info.
std::string generateHeader(mlir::func::FuncOp func, BoundaryIO io);

} // namespace lowbit

#endif // LOWBIT_TARGET_COMPILE_H
