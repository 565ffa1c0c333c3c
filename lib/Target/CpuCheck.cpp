//===- CpuCheck.cpp - What a compiled model needs from the CPU ------------===//

#include "lowbit/Target/CpuCheck.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <array>
#include <map>
#include <memory>

namespace lowbit {

namespace {

enum Reg { EAX, EBX, ECX, EDX };

/// Where cpuid reports a feature, and the XCR0 state the OS must enable
/// for it (0x6: SSE+AVX state, 0xE6: also the AVX-512 opmask and ZMM).
struct CpuidBit {
  const char *name; // LLVM feature name
  unsigned leaf, subleaf;
  Reg reg;
  unsigned bit;
  unsigned xcr0;
};

constexpr unsigned kYmm = 0x6, kZmm = 0xE6;

/// The features beyond the x86-64 baseline that LLVM may use for the
/// targets quant-compile accepts (Intel SDM, vol. 2A, CPUID).
constexpr CpuidBit kCpuidBits[] = {
    {"sse3", 1, 0, ECX, 0, 0},
    {"pclmul", 1, 0, ECX, 1, 0},
    {"ssse3", 1, 0, ECX, 9, 0},
    {"fma", 1, 0, ECX, 12, kYmm},
    {"cx16", 1, 0, ECX, 13, 0},
    {"sse4.1", 1, 0, ECX, 19, 0},
    {"sse4.2", 1, 0, ECX, 20, 0},
    {"movbe", 1, 0, ECX, 22, 0},
    {"popcnt", 1, 0, ECX, 23, 0},
    {"aes", 1, 0, ECX, 25, 0},
    {"xsave", 1, 0, ECX, 26, 0},
    {"avx", 1, 0, ECX, 28, kYmm},
    {"f16c", 1, 0, ECX, 29, kYmm},
    {"bmi", 7, 0, EBX, 3, 0},
    {"avx2", 7, 0, EBX, 5, kYmm},
    {"bmi2", 7, 0, EBX, 8, 0},
    {"avx512f", 7, 0, EBX, 16, kZmm},
    {"avx512dq", 7, 0, EBX, 17, kZmm},
    {"adx", 7, 0, EBX, 19, 0},
    {"avx512ifma", 7, 0, EBX, 21, kZmm},
    {"avx512cd", 7, 0, EBX, 28, kZmm},
    {"sha", 7, 0, EBX, 29, 0},
    {"avx512bw", 7, 0, EBX, 30, kZmm},
    {"avx512vl", 7, 0, EBX, 31, kZmm},
    {"avx512vbmi", 7, 0, ECX, 1, kZmm},
    {"avx512vbmi2", 7, 0, ECX, 6, kZmm},
    {"gfni", 7, 0, ECX, 8, 0},
    {"vaes", 7, 0, ECX, 9, kYmm},
    {"vpclmulqdq", 7, 0, ECX, 10, kYmm},
    {"avx512vnni", 7, 0, ECX, 11, kZmm},
    {"avx512bitalg", 7, 0, ECX, 12, kZmm},
    {"avx512vpopcntdq", 7, 0, ECX, 14, kZmm},
    {"avx512vp2intersect", 7, 0, EDX, 8, kZmm},
    {"avx512fp16", 7, 0, EDX, 23, kZmm},
    {"avxvnni", 7, 1, EAX, 4, kYmm},
    {"avx512bf16", 7, 1, EAX, 5, kZmm},
    {"lzcnt", 0x80000001, 0, ECX, 5, 0},
};

std::unique_ptr<llvm::MCSubtargetInfo> createSubtarget(const TargetSpec &t) {
  llvm::InitializeNativeTarget();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  return std::unique_ptr<llvm::MCSubtargetInfo>(
      target->createMCSubtargetInfo(triple, t.cpu, t.features));
}

} // namespace

X86Isa selectKernelIsa(const TargetSpec &target) {
  auto sti = createSubtarget(target);
  if (!sti)
    return X86Isa::Generic;
  if (sti->checkFeatures("+avx512vnni,+avx512bw,+avx512f"))
    return X86Isa::Avx512Vnni;
  if (sti->checkFeatures("+avx512bw,+avx512f"))
    return X86Isa::Avx512;
  if (sti->checkFeatures("+avxvnni,+avx2"))
    return X86Isa::AvxVnni;
  if (sti->checkFeatures("+avx2"))
    return X86Isa::Avx2;
  return X86Isa::Generic;
}

void setKernelIsa(mlir::ModuleOp module, X86Isa isa) {
  module->setAttr(kX86IsaAttrName,
                  mlir::StringAttr::get(module.getContext(),
                                        stringifyX86Isa(isa)));
}

std::vector<std::string> requiredCpuFeatures(const TargetSpec &target) {
  std::vector<std::string> features;
  auto sti = createSubtarget(target);
  if (!sti)
    return features;
  for (const CpuidBit &f : kCpuidBits)
    if (sti->checkFeatures(std::string("+") + f.name))
      features.push_back(f.name);
  return features;
}

namespace {

/// Builds the checking functions into one module.
struct CheckBuilder {
  llvm::Module &module;
  llvm::LLVMContext &ctx;
  llvm::Type *i32, *i64, *ptr;

  explicit CheckBuilder(llvm::Module &module)
      : module(module), ctx(module.getContext()),
        i32(llvm::Type::getInt32Ty(ctx)), i64(llvm::Type::getInt64Ty(ctx)),
        ptr(llvm::PointerType::getUnqual(ctx)) {}

  /// A function for the baseline CPU: it must run anywhere.
  llvm::Function *function(llvm::StringRef name, llvm::FunctionType *type,
                           llvm::GlobalValue::LinkageTypes linkage) {
    auto *fn = llvm::Function::Create(type, linkage, name, module);
    fn->addFnAttr("target-cpu", "x86-64");
    fn->addFnAttr("target-features", "");
    fn->addFnAttr(llvm::Attribute::NoUnwind);
    return fn;
  }

  llvm::Value *string(llvm::IRBuilder<> &b, llvm::StringRef text,
                      llvm::StringRef name) {
    auto *data = llvm::ConstantDataArray::getString(ctx, text);
    return new llvm::GlobalVariable(module, data->getType(), true,
                                    llvm::GlobalValue::PrivateLinkage, data,
                                    name);
  }

  /// {eax, ebx, ecx, edx} of cpuid(leaf, subleaf).
  std::array<llvm::Value *, 4> cpuid(llvm::IRBuilder<> &b, unsigned leaf,
                                     unsigned subleaf) {
    auto *result = llvm::StructType::get(ctx, {i32, i32, i32, i32});
    auto *asmType = llvm::FunctionType::get(result, {i32, i32}, false);
    auto *cpuidAsm = llvm::InlineAsm::get(
        asmType, "cpuid",
        "={ax},={bx},={cx},={dx},{ax},{cx},~{dirflag},~{fpsr},~{flags}",
        /*hasSideEffects=*/true);
    llvm::Value *r = b.CreateCall(cpuidAsm, {b.getInt32(leaf), b.getInt32(subleaf)});
    return {b.CreateExtractValue(r, 0), b.CreateExtractValue(r, 1),
            b.CreateExtractValue(r, 2), b.CreateExtractValue(r, 3)};
  }

  /// `i64 lowbit_cpu_missing(void)`: bit i set when features[i] is missing
  /// (computed once, then cached).
  llvm::Function *buildMissing(llvm::ArrayRef<const CpuidBit *> features) {
    auto *cache = new llvm::GlobalVariable(
        module, i64, false, llvm::GlobalValue::InternalLinkage,
        llvm::ConstantInt::getSigned(i64, -1), "lowbit.cpu_missing");
    auto *fn = function("lowbit_cpu_missing",
                        llvm::FunctionType::get(i64, false),
                        llvm::GlobalValue::ExternalLinkage);
    auto *entry = llvm::BasicBlock::Create(ctx, "entry", fn);
    auto *compute = llvm::BasicBlock::Create(ctx, "compute", fn);
    auto *withXsave = llvm::BasicBlock::Create(ctx, "xgetbv", fn);
    auto *decide = llvm::BasicBlock::Create(ctx, "decide", fn);
    auto *cached = llvm::BasicBlock::Create(ctx, "cached", fn);

    llvm::IRBuilder<> b(entry);
    auto *known = b.CreateAlignedLoad(i64, cache, llvm::MaybeAlign(8));
    known->setAtomic(llvm::AtomicOrdering::Monotonic);
    b.CreateCondBr(b.CreateICmpEQ(known, b.getInt64(-1)), compute, cached);

    b.SetInsertPoint(cached);
    b.CreateRet(known);

    // Leaves past the maximum return unrelated data: use zeros instead.
    b.SetInsertPoint(compute);
    llvm::Value *maxLeaf = cpuid(b, 0, 0)[EAX];
    llvm::Value *maxExt = cpuid(b, 0x80000000, 0)[EAX];
    auto leafRegs = [&](unsigned leaf, unsigned subleaf) {
      std::array<llvm::Value *, 4> regs = cpuid(b, leaf, subleaf);
      llvm::Value *present =
          leaf >= 0x80000000
              ? b.CreateICmpUGE(maxExt, b.getInt32(leaf))
              : b.CreateICmpUGE(maxLeaf, b.getInt32(leaf));
      for (auto &r : regs)
        r = b.CreateSelect(present, r, b.getInt32(0));
      return regs;
    };
    std::map<std::pair<unsigned, unsigned>, std::array<llvm::Value *, 4>> leaves;
    leaves[{1, 0}] = leafRegs(1, 0);
    for (const CpuidBit *f : features)
      if (!leaves.count({f->leaf, f->subleaf}))
        leaves[{f->leaf, f->subleaf}] = leafRegs(f->leaf, f->subleaf);
    // xgetbv faults unless the OS enabled XSAVE (CPUID.1:ECX.OSXSAVE[27]).
    llvm::Value *osxsave = b.CreateICmpNE(
        b.CreateAnd(leaves[{1, 0}][ECX], b.getInt32(1u << 27)), b.getInt32(0));
    b.CreateCondBr(osxsave, withXsave, decide);

    b.SetInsertPoint(withXsave);
    auto *xgetbvType = llvm::FunctionType::get(
        llvm::StructType::get(ctx, {i32, i32}), {i32}, false);
    auto *xgetbvAsm = llvm::InlineAsm::get(xgetbvType, "xgetbv",
                                           "={ax},={dx},{cx}", true);
    llvm::Value *xcr0Low =
        b.CreateExtractValue(b.CreateCall(xgetbvAsm, {b.getInt32(0)}), 0);
    b.CreateBr(decide);

    b.SetInsertPoint(decide);
    llvm::PHINode *xcr0 = b.CreatePHI(i32, 2);
    xcr0->addIncoming(b.getInt32(0), compute);
    xcr0->addIncoming(xcr0Low, withXsave);
    llvm::Value *missing = b.getInt64(0);
    for (auto [i, f] : llvm::enumerate(features)) {
      llvm::Value *reg = leaves[{f->leaf, f->subleaf}][f->reg];
      llvm::Value *has = b.CreateICmpNE(
          b.CreateAnd(reg, b.getInt32(1u << f->bit)), b.getInt32(0));
      if (f->xcr0)
        has = b.CreateAnd(has, b.CreateICmpEQ(b.CreateAnd(xcr0, f->xcr0),
                                              b.getInt32(f->xcr0)));
      missing = b.CreateOr(
          missing, b.CreateShl(b.CreateZExt(b.CreateNot(has), i64), i));
    }
    auto *store = b.CreateAlignedStore(missing, cache, llvm::MaybeAlign(8));
    store->setAtomic(llvm::AtomicOrdering::Monotonic);
    b.CreateRet(missing);
    return fn;
  }

  /// Writes what is missing to stderr and aborts (libc write and abort).
  llvm::Function *buildRefuse(llvm::ArrayRef<const CpuidBit *> features,
                              llvm::Function *missingFn,
                              llvm::StringRef targetName) {
    auto *fn = function("lowbit.cpu_refuse",
                        llvm::FunctionType::get(b0Void(), false),
                        llvm::GlobalValue::InternalLinkage);
    fn->addFnAttr(llvm::Attribute::NoReturn);
    fn->addFnAttr(llvm::Attribute::Cold);
    fn->addFnAttr(llvm::Attribute::NoInline);
    llvm::FunctionCallee write = module.getOrInsertFunction(
        "write", llvm::FunctionType::get(i64, {i32, ptr, i64}, false));
    llvm::FunctionCallee abortFn = module.getOrInsertFunction(
        "abort", llvm::FunctionType::get(b0Void(), false));
    auto *entry = llvm::BasicBlock::Create(ctx, "entry", fn);
    llvm::IRBuilder<> b(entry);
    auto emit = [&](llvm::StringRef text) {
      b.CreateCall(write, {b.getInt32(2), string(b, text, "lowbit.msg"),
                           b.getInt64(text.size())});
    };
    llvm::Value *missing = b.CreateCall(missingFn);
    emit(("lowbit: this model was compiled with --target=" + targetName +
          ", but the CPU lacks:")
             .str());
    for (auto [i, f] : llvm::enumerate(features)) {
      auto *yes = llvm::BasicBlock::Create(ctx, "missing", fn);
      auto *next = llvm::BasicBlock::Create(ctx, "next", fn);
      llvm::Value *bit = b.CreateAnd(missing, b.getInt64(uint64_t(1) << i));
      b.CreateCondBr(b.CreateICmpNE(bit, b.getInt64(0)), yes, next);
      b.SetInsertPoint(yes);
      emit((" " + llvm::Twine(f->name)).str());
      b.CreateBr(next);
      b.SetInsertPoint(next);
    }
    emit(". Recompile it for this machine (--target=host) or with "
         "--target=generic.\n");
    b.CreateCall(abortFn);
    b.CreateUnreachable();
    return fn;
  }

  llvm::Type *b0Void() { return llvm::Type::getVoidTy(ctx); }
};

} // namespace

llvm::Error addCpuCheck(llvm::Module &module, llvm::StringRef entry,
                        const TargetSpec &target, llvm::StringRef targetName,
                        X86Isa isa) {
  std::vector<std::string> names = requiredCpuFeatures(target);
  std::vector<const CpuidBit *> features;
  for (const std::string &name : names)
    for (const CpuidBit &f : kCpuidBits)
      if (name == f.name)
        features.push_back(&f);

  CheckBuilder cb(module);
  llvm::Function *missingFn = cb.buildMissing(features);

  auto *supported = cb.function("lowbit_cpu_supported",
                                llvm::FunctionType::get(cb.i32, false),
                                llvm::GlobalValue::ExternalLinkage);
  {
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(cb.ctx, "entry", supported));
    llvm::Value *none = b.CreateICmpEQ(b.CreateCall(missingFn), b.getInt64(0));
    b.CreateRet(b.CreateZExt(none, cb.i32));
  }

  llvm::json::Array featureList;
  for (const std::string &name : names)
    featureList.push_back(name);
  llvm::json::Object info{{"target", targetName.str()},
                          {"cpu", target.cpu},
                          {"isa", stringifyX86Isa(isa).str()},
                          {"features", std::move(featureList)}};
  std::string json;
  llvm::raw_string_ostream os(json);
  os << llvm::json::Value(std::move(info));
  auto *targetFn = cb.function("lowbit_target",
                               llvm::FunctionType::get(cb.ptr, false),
                               llvm::GlobalValue::ExternalLinkage);
  {
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(cb.ctx, "entry", targetFn));
    b.CreateRet(cb.string(b, json, "lowbit.target"));
  }

  if (features.empty())
    return llvm::Error::success();

  // The model itself moves to an internal function; the exported name
  // checks first. The model cannot be inlined into the baseline wrapper
  // (its features are not a subset), so nothing of it runs before the check.
  llvm::Function *model = module.getFunction(entry);
  if (!model || model->isDeclaration())
    return llvm::createStringError("no entry function '" + entry.str() +
                                   "' to guard");
  std::string name = model->getName().str();
  model->setName(name + ".lowbit_model");
  model->setLinkage(llvm::GlobalValue::InternalLinkage);
  model->addFnAttr(llvm::Attribute::NoInline);
  llvm::Function *refuse = cb.buildRefuse(features, missingFn, targetName);
  auto *wrapper = cb.function(name, model->getFunctionType(),
                              llvm::GlobalValue::ExternalLinkage);
  auto *entryBlock = llvm::BasicBlock::Create(cb.ctx, "entry", wrapper);
  auto *run = llvm::BasicBlock::Create(cb.ctx, "run", wrapper);
  auto *stop = llvm::BasicBlock::Create(cb.ctx, "refuse", wrapper);
  llvm::IRBuilder<> b(entryBlock);
  llvm::Value *ok = b.CreateICmpEQ(b.CreateCall(missingFn), b.getInt64(0));
  b.CreateCondBr(ok, run, stop);
  b.SetInsertPoint(stop);
  b.CreateCall(refuse);
  b.CreateUnreachable();
  b.SetInsertPoint(run);
  llvm::SmallVector<llvm::Value *> args;
  for (llvm::Argument &arg : wrapper->args())
    args.push_back(&arg);
  llvm::CallInst *call = b.CreateCall(model, args);
  if (wrapper->getReturnType()->isVoidTy())
    b.CreateRetVoid();
  else
    b.CreateRet(call);
  return llvm::Error::success();
}

} // namespace lowbit
