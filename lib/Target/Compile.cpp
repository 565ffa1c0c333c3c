//===- Compile.cpp - Ahead-of-time compilation of models ------------------===//

#include "lowbit/Target/Compile.h"

#include "lowbit/Dialect/LowBit/IR/QuantTypeUtils.h"
#include "lowbit/Pipelines/Pipelines.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace mlir;

namespace lowbit {

llvm::Expected<TargetSpec> resolveTarget(llvm::StringRef name) {
  if (name == "host") {
    TargetSpec spec{llvm::sys::getHostCPUName().str(), ""};
    llvm::SubtargetFeatures features;
    for (const auto &[feature, enabled] : llvm::sys::getHostCPUFeatures())
      features.AddFeature(feature, enabled);
    spec.features = features.getString();
    return spec;
  }
  if (name == "x86-64-v3" || name == "x86-64-v4")
    return TargetSpec{name.str(), ""};
  // AVX2 cores with AVX-VNNI but no AVX-512 (Alder Lake and later client
  // cores, Sierra Forest): the ymm byte dot.
  if (name == "x86-64-v3-vnni")
    return TargetSpec{"x86-64-v3", "+avxvnni"};
  if (name == "generic")
    return TargetSpec{"x86-64", ""};
  return llvm::createStringError(
      "unknown --target '" + name.str() +
      "' (expected host, x86-64-v3, x86-64-v3-vnni, x86-64-v4 or generic)");
}

LogicalResult addFloatBoundary(func::FuncOp func) {
  Block &entry = func.getBody().front();
  OpBuilder b(func.getContext());
  b.setInsertionPointToStart(&entry);
  SmallVector<Type> inputs;
  for (BlockArgument arg : entry.getArguments()) {
    auto tensor = dyn_cast<RankedTensorType>(arg.getType());
    auto q = tensor ? getQuantElementType(tensor) : nullptr;
    if (!q) {
      inputs.push_back(arg.getType());
      continue;
    }
    if (!q.getExpressedType().isF32())
      return func.emitError() << "argument " << arg.getArgNumber()
                              << ": a float boundary needs an f32 expressed "
                                 "type";
    auto floatType = RankedTensorType::get(tensor.getShape(), b.getF32Type());
    arg.setType(floatType);
    auto cast = quant::QuantizeCastOp::create(b, arg.getLoc(), tensor, arg);
    arg.replaceAllUsesExcept(cast.getResult(), cast);
    inputs.push_back(floatType);
  }
  SmallVector<Type> results;
  auto walkResult = func.walk([&](func::ReturnOp ret) -> WalkResult {
    b.setInsertionPoint(ret);
    results.clear();
    for (OpOperand &operand : ret->getOpOperands()) {
      auto tensor = dyn_cast<RankedTensorType>(operand.get().getType());
      auto q = tensor ? getQuantElementType(tensor) : nullptr;
      if (!q) {
        results.push_back(operand.get().getType());
        continue;
      }
      if (!q.getExpressedType().isF32())
        return ret.emitError("a float boundary needs f32 expressed types");
      auto floatType =
          RankedTensorType::get(tensor.getShape(), b.getF32Type());
      auto cast = quant::DequantizeCastOp::create(b, ret.getLoc(), floatType,
                                                  operand.get());
      operand.set(cast);
      results.push_back(floatType);
    }
    return WalkResult::advance();
  });
  if (walkResult.wasInterrupted())
    return failure();
  func.setFunctionType(FunctionType::get(func.getContext(), inputs, results));
  return success();
}

void exposeQuantizedBoundary(func::FuncOp func) {
  Block &entry = func.getBody().front();
  for (BlockArgument arg : entry.getArguments()) {
    if (!arg.hasOneUse())
      continue;
    auto qcast = dyn_cast<quant::QuantizeCastOp>(*arg.getUsers().begin());
    if (!qcast)
      continue;
    arg.setType(qcast.getType());
    qcast.getResult().replaceAllUsesWith(arg);
    qcast.erase();
  }
  func.walk([&](func::ReturnOp ret) {
    for (OpOperand &operand : ret->getOpOperands()) {
      auto dcast = operand.get().getDefiningOp<quant::DequantizeCastOp>();
      if (!dcast)
        continue;
      operand.set(dcast.getInput());
      if (dcast->use_empty())
        dcast.erase();
    }
  });
  func.setFunctionType(FunctionType::get(func.getContext(),
                                         entry.getArgumentTypes(),
                                         func.front().getTerminator()
                                             ->getOperandTypes()));
}

/// The storage type of a sub-byte quantized tensor type, or null.
static RankedTensorType subByteStorage(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  auto q = tensor ? getQuantElementType(tensor) : nullptr;
  if (!q || q.getStorageTypeIntegralWidth() >= 8)
    return nullptr;
  return RankedTensorType::get(tensor.getShape(), q.getStorageType());
}

void widenSubByteBoundary(func::FuncOp func) {
  Block &entry = func.getBody().front();
  OpBuilder b(func.getContext());
  b.setInsertionPointToStart(&entry);
  for (BlockArgument arg : entry.getArguments()) {
    RankedTensorType storage = subByteStorage(arg.getType());
    if (!storage)
      continue;
    Type quantType = arg.getType();
    auto bytes = RankedTensorType::get(storage.getShape(), b.getI8Type());
    arg.setType(bytes);
    Value narrow = arith::TruncIOp::create(b, arg.getLoc(), storage, arg);
    Value q = quant::StorageCastOp::create(b, arg.getLoc(), quantType, narrow);
    arg.replaceAllUsesExcept(q, narrow.getDefiningOp());
  }
  func.walk([&](func::ReturnOp ret) {
    b.setInsertionPoint(ret);
    for (OpOperand &operand : ret->getOpOperands()) {
      RankedTensorType storage = subByteStorage(operand.get().getType());
      if (!storage)
        continue;
      bool isSigned = getQuantElementType(operand.get().getType()).isSigned();
      auto bytes = RankedTensorType::get(storage.getShape(), b.getI8Type());
      Value narrow = quant::StorageCastOp::create(b, ret.getLoc(), storage,
                                                  operand.get());
      Value wide =
          isSigned ? arith::ExtSIOp::create(b, ret.getLoc(), bytes, narrow)
                         .getResult()
                   : arith::ExtUIOp::create(b, ret.getLoc(), bytes, narrow)
                         .getResult();
      operand.set(wide);
    }
  });
  func.setFunctionType(FunctionType::get(
      func.getContext(), entry.getArgumentTypes(),
      func.front().getTerminator()->getOperandTypes()));
}

LogicalResult verifyEntryName(func::FuncOp func) {
  StringRef name = func.getSymName();
  bool valid = !name.empty() && !std::isdigit(static_cast<unsigned char>(
                                    name.front()));
  for (char c : name)
    valid &= std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  if (!valid)
    return func.emitError() << "the entry function's name '" << name
                            << "' is not a C identifier: the library exports "
                               "it under that name; rename the function";
  return success();
}

/// Adds `const char *lowbit_model_info(void)` returning `json`.
static void addModelInfoFunction(llvm::Module &module, llvm::StringRef json) {
  llvm::LLVMContext &ctx = module.getContext();
  auto *data = llvm::ConstantDataArray::getString(ctx, json);
  auto *global = new llvm::GlobalVariable(
      module, data->getType(), /*isConstant=*/true,
      llvm::GlobalValue::PrivateLinkage, data, "lowbit.model_info");
  auto *ptrType = llvm::PointerType::getUnqual(ctx);
  auto *fn = llvm::Function::Create(llvm::FunctionType::get(ptrType, false),
                                    llvm::GlobalValue::ExternalLinkage,
                                    "lowbit_model_info", module);
  // Callers read the description before the CPU check; the baseline CPU
  // keeps this function runnable anywhere.
  fn->addFnAttr("target-cpu", "x86-64");
  fn->addFnAttr("target-features", "");
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", fn));
  b.CreateRet(global);
}

/// Drops LowBit's own argument attributes (ranges, names): LLVM translation
/// would warn about every one of them.
static void stripLowBitArgAttrs(ModuleOp module) {
  for (auto func : module.getOps<func::FuncOp>())
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
      DictionaryAttr attrs = func.getArgAttrDict(i);
      if (!attrs)
        continue;
      for (NamedAttribute attr : attrs.getValue())
        if (attr.getName().strref().starts_with("lowbit."))
          func.removeArgAttr(i, attr.getName());
    }
}

FailureOr<std::unique_ptr<llvm::Module>>
lowerToLLVMIR(ModuleOp module, llvm::LLVMContext &llvmContext,
              llvm::StringRef modelInfo, unsigned threads) {
  stripLowBitArgAttrs(module);
  PassManager pm(module.getContext());
  LowerToLLVMOptions options;
  options.threads = threads;
  buildLowerToLLVMPipeline(pm, options);
  if (failed(pm.run(module)))
    return failure();
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  registerOpenMPDialectTranslation(*module.getContext());
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "lowbit_model");
  if (!llvmModule)
    return module.emitError("translation to LLVM IR failed");
  addModelInfoFunction(*llvmModule, modelInfo);
  return llvmModule;
}

static llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetSpec &spec) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  // The CPU check uses inline assembly (cpuid, xgetbv).
  llvm::InitializeNativeTargetAsmParser();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return llvm::createStringError(error);
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, spec.cpu, spec.features, options, llvm::Reloc::PIC_,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!tm)
    return llvm::createStringError("cannot create a target machine for " +
                                   spec.cpu);
  return tm;
}

llvm::Error optimizeModule(llvm::Module &module, const TargetSpec &target) {
  auto tm = createTargetMachine(target);
  if (!tm)
    return tm.takeError();
  module.setDataLayout((*tm)->createDataLayout());
  module.setTargetTriple((*tm)->getTargetTriple());
  // Every function gets the CPU and features, so the vectorizers and the
  // backend agree on what they may use.
  for (llvm::Function &fn : module) {
    // Functions that chose their CPU keep it (the CPU check must run on
    // the baseline x86-64).
    if (fn.isDeclaration() || fn.hasFnAttribute("target-cpu"))
      continue;
    fn.addFnAttr("target-cpu", target.cpu);
    if (!target.features.empty())
      fn.addFnAttr("target-features", target.features);
  }
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(tm->get());
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm =
      pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  mpm.run(module, mam);
  return llvm::Error::success();
}

llvm::Error emitCode(llvm::Module &module, const TargetSpec &target,
                     CodeFileType type, llvm::StringRef path) {
  auto tm = createTargetMachine(target);
  if (!tm)
    return tm.takeError();
  return llvm::writeToOutput(path, [&](llvm::raw_ostream &os) -> llvm::Error {
    llvm::SmallString<0> buffer;
    llvm::raw_svector_ostream stream(buffer);
    llvm::legacy::PassManager pm;
    auto fileType = type == CodeFileType::Object
                        ? llvm::CodeGenFileType::ObjectFile
                        : llvm::CodeGenFileType::AssemblyFile;
    if ((*tm)->addPassesToEmitFile(pm, stream, nullptr, fileType))
      return llvm::createStringError("the target cannot emit this file type");
    pm.run(module);
    os << buffer;
    return llvm::Error::success();
  });
}

llvm::Error linkSharedLibrary(llvm::StringRef objectPath,
                              llvm::StringRef outputPath, bool openmp) {
  auto clang = llvm::sys::findProgramByName("clang-22");
  if (!clang)
    clang = llvm::sys::findProgramByName("clang", {"/usr/lib/llvm-22/bin"});
  if (!clang)
    return llvm::createStringError(
        "cannot find clang-22 to link the shared library");
  // Link next to the output and rename, so a failed link leaves nothing.
  llvm::SmallString<256> temp(outputPath);
  temp += ".tmp-link";
  std::string tempPath(temp.str());
  llvm::SmallVector<llvm::StringRef> args = {
      *clang, "-shared", "-fuse-ld=lld", "-nostartfiles", "-o",
      tempPath, objectPath};
  if (openmp)
    args.push_back("-lomp");
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*clang, args, std::nullopt, {}, 0, 0,
                                     &message);
  if (rc != 0) {
    llvm::sys::fs::remove(tempPath);
    return llvm::createStringError("linking failed: " +
                                   (message.empty() ? std::string("clang-22 "
                                                                  "returned "
                                                                  "non-zero")
                                                    : message));
  }
  if (std::error_code ec = llvm::sys::fs::rename(tempPath, outputPath)) {
    llvm::sys::fs::remove(tempPath);
    return llvm::createStringError(ec, "cannot write " + outputPath.str());
  }
  return llvm::Error::success();
}

/// C identifier made of `name` (other characters become '_').
static std::string cIdentifier(llvm::StringRef name) {
  std::string id;
  for (char c : name)
    id += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0])))
    id = "_" + id;
  return id;
}

static std::string cType(llvm::StringRef dtype) {
  if (dtype == "float32")
    return "float";
  if (dtype == "float64")
    return "double";
  return dtype.str() + "_t";
}

std::string generateHeader(func::FuncOp func, BoundaryIO io) {
  std::string name = func.getSymName().str();
  std::string upper = llvm::StringRef(cIdentifier(name)).upper();
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "/* Generated by quant-compile from the LowBit model '" << name
     << "'.\n * Buffers are contiguous, row-major, and owned by the caller. "
        "Temporaries\n * live in the library's own static buffers (no "
        "allocation per call), so\n * calls into one library must not "
        "overlap: serialize them. */\n"
     << "#ifndef LOWBIT_MODEL_" << upper << "_H\n#define LOWBIT_MODEL_"
     << upper << "_H\n\n#include <stdint.h>\n\n#ifdef __cplusplus\n"
     << "extern \"C\" {\n#endif\n\n";
  FunctionType type = func.getFunctionType();
  SmallVector<std::string> params;
  auto describe = [&](Type t, const std::string &argName, const char *kind,
                      unsigned index, bool isConst) {
    auto tensor = cast<RankedTensorType>(t);
    std::string dtype = boundaryDType(tensor.getElementType(), io);
    std::string macro = upper + "_" + kind + std::to_string(index);
    os << "/* " << kind << " " << index << " '" << argName << "': " << dtype;
    for (int64_t d : tensor.getShape())
      os << "[" << d << "]";
    if (auto q = getQuantElementType(tensor); q && getQuantizedAxis(q) < 0) {
      QuantScalar p = getTensorParams(q);
      os << ", quantized with scale " << p.scale << " and zero point "
         << p.zeroPoint;
    }
    os << " */\n#define " << macro << "_RANK " << tensor.getRank() << "\n#define "
       << macro << "_SIZE " << tensor.getNumElements() << "\n";
    params.push_back((isConst ? "const " : "") + cType(dtype) + " *" +
                     cIdentifier(argName));
  };
  for (auto [i, t] : llvm::enumerate(type.getInputs()))
    describe(t, argumentName(func, i), "INPUT", i, true);
  for (auto [i, t] : llvm::enumerate(type.getResults()))
    describe(t, "output" + std::to_string(i), "OUTPUT", i, false);
  os << "\n/* Runs the model: inputs first, then outputs. */\nvoid "
     << cIdentifier(name) << "(";
  llvm::interleaveComma(params, os);
  if (params.empty())
    os << "void";
  os << ");\n\n/* JSON: entry, inputs and outputs with shapes, dtypes and "
        "quantization. */\nconst char *lowbit_model_info(void);\n\n"
     << "/* 1 when this CPU has every feature the --target allowed (the "
        "entry\n * refuses to run otherwise); the missing ones as bits of "
        "the\n * \"features\" list in lowbit_target()'s JSON (target, cpu, "
        "isa,\n * features). */\nint lowbit_cpu_supported(void);\n"
        "uint64_t lowbit_cpu_missing(void);\nconst char *lowbit_target(void);"
        "\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* LOWBIT_MODEL_" << upper
     << "_H */\n";
  return text;
}

} // namespace lowbit
