//===- CompileDriver.cpp - quant-compile as a library call ----------------===//

#include "lowbit/Target/CompileDriver.h"

#include "lowbit/Analysis/ValueKeys.h"
#include "lowbit/Calibration/ErrorReport.h"
#include "lowbit/Pipelines/Pipelines.h"
#include "lowbit/Target/Compile.h"
#include "lowbit/Target/CpuCheck.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;

namespace lowbit {

/// An error whose diagnostics were already reported with locations.
static llvm::Error reported() { return llvm::createStringError(""); }

static llvm::Error writeText(llvm::StringRef path, llvm::StringRef text) {
  return llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
    os << text;
    return llvm::Error::success();
  });
}

std::optional<EmitKind> parseEmitKind(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<EmitKind>>(name)
      .Case("shared", EmitKind::Shared)
      .Case("object", EmitKind::Object)
      .Case("llvm", EmitKind::LLVM)
      .Case("asm", EmitKind::Asm)
      .Case("mlir", EmitKind::MLIR)
      .Default(std::nullopt);
}

static LogicalResult quantizeModule(ModuleOp module,
                                    const CompileOptions &options) {
  QuantizeOptions pipeline;
  pipeline.stats = options.calibration;
  pipeline.bits = options.bits;
  pipeline.weights = options.weights;
  pipeline.activations = options.activations;
  pipeline.requant = options.requant;
  PassManager pm(module.getContext());
  buildQuantizePipeline(pm, pipeline);
  return pm.run(module);
}

/// Lowers, optimizes and writes the code outputs.
static llvm::Error emitCodeOutputs(ModuleOp module, func::FuncOp entry,
                                   const CompileOptions &options,
                                   const TargetSpec &target,
                                   llvm::StringRef info) {
  // The kernels follow the target; the library checks at run time that the
  // CPU can execute what the target allowed.
  X86Isa isa = selectKernelIsa(target);
  setKernelIsa(module, isa);
  std::string entrySymbol = entry.getSymName().str(); // lowering erases it
  llvm::LLVMContext llvmContext;
  auto llvmModule = lowerToLLVMIR(module, llvmContext, info, options.threads);
  if (failed(llvmModule))
    return reported();
  if (auto err = addCpuCheck(**llvmModule, entrySymbol, target,
                             options.target, isa))
    return err;
  if (auto err = optimizeModule(**llvmModule, target))
    return err;
  switch (options.emit) {
  case EmitKind::LLVM: {
    std::string text;
    llvm::raw_string_ostream os(text);
    (*llvmModule)->print(os, nullptr);
    return writeText(options.outputPath, text);
  }
  case EmitKind::Asm:
  case EmitKind::Object:
    return emitCode(**llvmModule, target,
                    options.emit == EmitKind::Asm ? CodeFileType::Assembly
                                                  : CodeFileType::Object,
                    options.outputPath);
  case EmitKind::Shared: {
    llvm::SmallString<128> object;
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("quant-compile", "o", object))
      return llvm::createStringError("cannot create a temporary file: " +
                                     ec.message());
    llvm::FileRemover removeObject(object);
    if (auto err = emitCode(**llvmModule, target, CodeFileType::Object,
                            object))
      return err;
    return linkSharedLibrary(object, options.outputPath, options.threads > 1);
  }
  case EmitKind::MLIR:
    break;
  }
  return llvm::Error::success();
}

/// The calibration files STATS.json records, for a report's default inputs.
static std::vector<std::string> recordedInputs(const std::string &statsPath) {
  std::vector<std::string> paths;
  auto buffer = llvm::MemoryBuffer::getFile(statsPath);
  if (!buffer)
    return paths;
  auto doc = llvm::json::parse((*buffer)->getBuffer());
  if (!doc) {
    llvm::consumeError(doc.takeError());
    return paths;
  }
  if (const llvm::json::Object *object = doc->getAsObject())
    if (const llvm::json::Array *inputs = object->getArray("inputs"))
      for (const llvm::json::Value &v : *inputs)
        if (auto s = v.getAsString())
          paths.push_back(s->str());
  return paths;
}

/// Writes the error report of a quantized model (see ErrorReport.h).
static llvm::Error writeReport(ModuleOp floatModule, ModuleOp quantModule,
                               const CompileOptions &options) {
  ErrorReportOptions report;
  report.outputPath = options.reportPath;
  report.inputPaths = options.reportInputs.empty()
                          ? recordedInputs(options.calibration)
                          : options.reportInputs;
  if (report.inputPaths.empty())
    return llvm::createStringError(
        "--report needs samples: --report-inputs, or a --calibration file "
        "that records its inputs");
  report.statsPath = options.calibration;
  report.entry = options.entry;
  report.target = options.target;
  return writeErrorReport(floatModule, quantModule, report);
}

llvm::Error compileModel(ModuleOp module, const CompileOptions &options) {
  auto target = resolveTarget(options.target);
  if (!target)
    return target.takeError();
  if (options.threads == 0)
    return llvm::createStringError("--threads must be at least 1");
  if (!options.calibration.empty() && !options.quantize)
    return llvm::createStringError("--calibration needs --quantize");
  if (!options.reportPath.empty() && !options.quantize)
    return llvm::createStringError("--report needs --quantize");
  // The report matches quantized values to float ones by value key: stamp
  // the keys into locations before anything rewrites the function.
  OwningOpRef<ModuleOp> floatModule, quantModule;
  if (!options.reportPath.empty()) {
    auto entry = findEntryFunction(module, options.entry);
    if (failed(entry))
      return reported();
    stampValueKeys(*entry);
    floatModule = module.clone();
  }
  if (options.quantize && failed(quantizeModule(module, options)))
    return reported();
  if (floatModule)
    quantModule = module.clone();
  auto entry = findEntryFunction(module, options.entry);
  if (failed(entry))
    return reported();
  // A model quantized from float quantizes at its entry: with a quantized
  // boundary those casts become the boundary itself (and the emitted MLIR
  // shows that boundary, so the reference runs the same function).
  if (options.quantize && options.io == BoundaryIO::Quantized)
    exposeQuantizedBoundary(*entry);

  if (options.emit == EmitKind::MLIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    // With locations: value keys (NameLocs) name the values of reports and
    // statistics, and diagnostics on the output point back to the source.
    module.print(os, OpPrintingFlags().enableDebugInfo());
    return writeText(options.outputPath, text);
  }

  if (failed(verifyEntryName(*entry)))
    return reported();
  // The interface is described before the boundary casts rewrite the
  // signature: it records the quantization of each boundary tensor.
  std::string info = describeModelInterface(*entry, options.io);
  std::string header = generateHeader(*entry, options.io);
  if (options.io == BoundaryIO::Float && failed(addFloatBoundary(*entry)))
    return reported();
  if (options.io == BoundaryIO::Quantized)
    widenSubByteBoundary(*entry);
  if (auto err = emitCodeOutputs(module, *entry, options, *target, info))
    return err;
  // The header, the library and the report form one output: if one cannot
  // be written, the others go too.
  if (!options.headerPath.empty())
    if (auto err = writeText(options.headerPath, header)) {
      llvm::sys::fs::remove(options.outputPath);
      return err;
    }
  if (floatModule)
    if (auto err = writeReport(*floatModule, *quantModule, options)) {
      llvm::sys::fs::remove(options.outputPath);
      if (!options.headerPath.empty())
        llvm::sys::fs::remove(options.headerPath);
      return err;
    }
  return llvm::Error::success();
}

} // namespace lowbit
