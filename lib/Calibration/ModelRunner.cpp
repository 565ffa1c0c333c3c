//===- ModelRunner.cpp - Run a float model built by LowBit's backend ------===//

#include "lowbit/Calibration/ModelRunner.h"

#include "llvm/ADT/BitVector.h"

#include "lowbit/Target/CpuCheck.h"
#include "lowbit/Target/ModelDescription.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

#include <dlfcn.h>

using namespace mlir;
namespace json = llvm::json;

namespace lowbit {
namespace calibrate {

namespace {

constexpr const char *kCallName = "lowbit_calibration_call";

/// Adds `void lowbit_calibration_call(void **args)`, which calls the entry
/// point with args[0], args[1], ...
llvm::Error addArrayCallWrapper(llvm::Module &module, llvm::StringRef entry) {
  llvm::Function *callee = module.getFunction(entry);
  if (!callee)
    return llvm::createStringError("the lowered module has no function '" +
                                   entry.str() + "'");
  llvm::LLVMContext &ctx = module.getContext();
  auto *ptr = llvm::PointerType::getUnqual(ctx);
  for (llvm::Type *param : callee->getFunctionType()->params())
    if (param != ptr)
      return llvm::createStringError(
          "the entry point takes a non-pointer argument: only statically "
          "shaped tensors can be calibrated");
  auto *fn = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false),
      llvm::GlobalValue::ExternalLinkage, kCallName, module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", fn));
  llvm::SmallVector<llvm::Value *> args;
  for (unsigned i = 0; i < callee->arg_size(); ++i)
    args.push_back(
        b.CreateLoad(ptr, b.CreateConstInBoundsGEP1_64(ptr, fn->getArg(0), i)));
  b.CreateCall(callee, args);
  b.CreateRetVoid();
  return llvm::Error::success();
}

/// Removes the files of a temporary build directory, then the directory.
struct TempDir {
  llvm::SmallString<128> path;
  std::vector<std::string> files;
  ~TempDir() {
    for (const std::string &f : files)
      llvm::sys::fs::remove(f);
    if (!path.empty())
      llvm::sys::fs::remove(path);
  }
  std::string file(llvm::StringRef name) {
    llvm::SmallString<128> p(path);
    llvm::sys::path::append(p, name);
    files.push_back(std::string(p));
    return files.back();
  }
};

llvm::Expected<std::vector<TensorSpec>> readSpecs(const json::Object &info,
                                                  llvm::StringRef key) {
  const json::Array *list = info.getArray(key);
  if (!list)
    return llvm::createStringError("lowbit_model_info() lacks '" + key.str() +
                                   "'");
  std::vector<TensorSpec> specs;
  for (const json::Value &v : *list) {
    const json::Object *o = v.getAsObject();
    const json::Array *shape = o ? o->getArray("shape") : nullptr;
    std::optional<llvm::StringRef> dtype =
        o ? o->getString("dtype") : std::nullopt;
    std::optional<llvm::StringRef> name =
        o ? o->getString("name") : std::nullopt;
    if (!shape || !dtype || !name)
      return llvm::createStringError("malformed entry in lowbit_model_info()");
    if (*dtype != "float32")
      return llvm::createStringError(key.str() + " '" + name->str() + "' is " +
                                     dtype->str() +
                                     ": quant-calibrate runs float32 models");
    TensorSpec spec{name->str(), {}, 1};
    for (const json::Value &d : *shape) {
      std::optional<int64_t> dim = d.getAsInteger();
      if (!dim || *dim < 0)
        return llvm::createStringError(
            "malformed shape in lowbit_model_info()");
      spec.shape.push_back(*dim);
      spec.numElements *= static_cast<size_t>(*dim);
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

} // namespace

llvm::Expected<std::unique_ptr<ModelRunner>>
ModelRunner::build(ModuleOp module, func::FuncOp func,
                   const TargetSpec &target) {
  std::string entry = func.getSymName().str();
  std::string info = describeModelInterface(func, BoundaryIO::Float);

  // The kernels of the target, as quant-compile chooses them: calibration
  // and error reports then run (and round) exactly as the compiled float
  // library does, and at its speed.
  setKernelIsa(module, selectKernelIsa(target));
  llvm::LLVMContext llvmContext;
  auto llvmModule = lowerToLLVMIR(module, llvmContext, info);
  if (failed(llvmModule))
    return llvm::createStringError("the model does not compile (see the "
                                   "diagnostics above)");
  if (auto err = addArrayCallWrapper(**llvmModule, entry))
    return std::move(err);
  if (auto err = optimizeModule(**llvmModule, target))
    return std::move(err);

  TempDir dir;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("quant-calibrate", dir.path))
    return llvm::createStringError(ec, "cannot create a temporary directory");
  std::string object = dir.file("model.o");
  std::string library = dir.file("model.so");
  if (auto err = emitCode(**llvmModule, target, CodeFileType::Object, object))
    return std::move(err);
  if (auto err = linkSharedLibrary(object, library))
    return std::move(err);

  std::unique_ptr<ModelRunner> runner(new ModelRunner());
  // The library stays mapped after its file is removed (by TempDir).
  if (auto err = runner->loadLibrary(library))
    return std::move(err);
  return runner;
}

llvm::Error ModelRunner::loadLibrary(const std::string &path) {
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_)
    return llvm::createStringError(std::string("cannot load the compiled "
                                               "model: ") +
                                   dlerror());
  auto infoFn =
      reinterpret_cast<const char *(*)()>(dlsym(handle_, "lowbit_model_info"));
  call_ = reinterpret_cast<void (*)(void **)>(dlsym(handle_, kCallName));
  if (!infoFn || !call_)
    return llvm::createStringError("the compiled model lacks its entry points");
  llvm::Expected<json::Value> info = json::parse(infoFn());
  if (!info)
    return info.takeError();
  const json::Object *object = info->getAsObject();
  if (!object)
    return llvm::createStringError("lowbit_model_info() is not an object");
  auto inputs = readSpecs(*object, "inputs");
  if (!inputs)
    return inputs.takeError();
  auto outputs = readSpecs(*object, "outputs");
  if (!outputs)
    return outputs.takeError();
  inputs_ = std::move(*inputs);
  outputs_ = std::move(*outputs);
  return llvm::Error::success();
}

ModelRunner::~ModelRunner() {
  if (handle_)
    dlclose(handle_);
}

void keepOnlyLastResults(func::FuncOp func, unsigned count) {
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  unsigned original = ret.getNumOperands() - count;
  ret->eraseOperands(0, original);
  llvm::BitVector erase(func.getNumResults());
  erase.set(0, original);
  (void)func.eraseResults(erase);
}

} // namespace calibrate
} // namespace lowbit
