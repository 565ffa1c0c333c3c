//===- CompileDriver.h - quant-compile as a library call --------*- C++ -*-===//
//
// The whole of quant-compile behind one function, shared by the tool and the
// C API (and through it the Python package): optional quantization of a
// float model, the boundary, lowering, code generation and the outputs.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TARGET_COMPILEDRIVER_H
#define LOWBIT_TARGET_COMPILEDRIVER_H

#include "lowbit/Target/ModelDescription.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <string>

namespace lowbit {

enum class EmitKind { Shared, Object, LLVM, Asm, MLIR };

struct CompileOptions {
  std::string outputPath;
  EmitKind emit = EmitKind::Shared;
  std::string target = "host";
  std::string headerPath;
  BoundaryIO io = BoundaryIO::Float;
  std::string entry;
  /// Threads of the kernels' parallel loops (OpenMP when > 1: the library
  /// then also needs libomp.so.5).
  unsigned threads = 1;
  /// Quantize a float model first (lowbit-quantize) with these settings.
  bool quantize = false;
  std::string calibration;
  unsigned bits = 8;
  std::string weights = "per-channel";
  std::string activations = "asymmetric";
  std::string requant = "fixed_point";
  /// With quantize: REPORT.json of the per-op error on these samples (by
  /// default the calibration files STATS.json records).
  std::string reportPath;
  std::vector<std::string> reportInputs;
};

/// Compiles `module` as `options` say. Problems located in the IR are
/// reported through the context's diagnostic handler and return an error
/// with an empty message; others (files, linker) return their message.
/// Nothing is written on failure.
llvm::Error compileModel(mlir::ModuleOp module, const CompileOptions &options);

/// Parses `name` ("shared", "object", "llvm", "asm", "mlir").
std::optional<EmitKind> parseEmitKind(llvm::StringRef name);

} // namespace lowbit

#endif // LOWBIT_TARGET_COMPILEDRIVER_H
