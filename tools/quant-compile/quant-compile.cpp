//===- quant-compile.cpp - Compile a LowBit model ahead of time -----------===//
//
//   quant-compile IN.mlir -o OUT.so [--emit=shared|object|llvm|asm|mlir]
//       [--target=host|x86-64-v3|x86-64-v4|generic] [--header=OUT.h]
//       [--io=float|quantized] [--entry=NAME]
//       [--quantize [--calibration=STATS.json] [--bits=8]
//        [--weights=per-channel|per-tensor] [--activations=asymmetric|symmetric]
//        [--requant=fixed_point|float] [--report=REPORT.json
//        [--report-inputs=CALIB.npy]]]
//
// Every output is written atomically: a failure leaves no partial file. The
// work is lowbit::compileModel (lib/Target/CompileDriver.cpp); this file only
// parses the command line and the input.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/ModelSession.h"
#include "lowbit/Target/CompileDriver.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

using namespace mlir;
namespace cl = llvm::cl;

static constexpr const char TOOL_NAME[] = "quant-compile";
using lowbit::EmitKind;

namespace {

cl::OptionCategory category("quant-compile options");
cl::opt<std::string> inputPath(cl::Positional, cl::desc("<input .mlir>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                cl::value_desc("path"), cl::Required,
                                cl::cat(category));
cl::opt<EmitKind> emit(
    "emit", cl::desc("What to write"), cl::init(EmitKind::Shared),
    cl::values(
        clEnumValN(EmitKind::Shared, "shared", "a shared library (default)"),
        clEnumValN(EmitKind::Object, "object", "an object file"),
        clEnumValN(EmitKind::LLVM, "llvm", "optimized LLVM IR (text)"),
        clEnumValN(EmitKind::Asm, "asm", "assembly"),
        clEnumValN(EmitKind::MLIR, "mlir",
                   "the verified (and, with --quantize, quantized) IR")),
    cl::cat(category));
cl::opt<std::string> targetName(
    "target",
    cl::desc("host, x86-64-v3, x86-64-v3-vnni (with AVX-VNNI), x86-64-v4 "
             "or generic"),
    cl::init("host"), cl::cat(category));
cl::opt<std::string> headerPath("header", cl::desc("Also write a C header"),
                                cl::value_desc("path"), cl::cat(category));
cl::opt<lowbit::BoundaryIO> io(
    "io", cl::desc("Element type of the entry point's buffers"),
    cl::init(lowbit::BoundaryIO::Float),
    cl::values(clEnumValN(lowbit::BoundaryIO::Float, "float",
                          "float32, quantized at the boundary (default)"),
               clEnumValN(lowbit::BoundaryIO::Quantized, "quantized",
                          "the storage integers of the quantized types")),
    cl::cat(category));
cl::opt<std::string> entryName("entry",
                               cl::desc("Entry function (default: the only "
                                        "public function)"),
                               cl::cat(category));

cl::OptionCategory quantizeCategory("quantization of float models");
cl::opt<bool> quantize("quantize",
                       cl::desc("Quantize a float TOSA model first "
                                "(the lowbit-quantize pipeline)"),
                       cl::cat(quantizeCategory));
cl::opt<std::string> calibration(
    "calibration", cl::desc("STATS.json written by quant-calibrate"),
    cl::value_desc("path"), cl::cat(quantizeCategory));
cl::opt<unsigned> bits("bits", cl::desc("Activation bits (8 or 16)"),
                       cl::init(8), cl::cat(quantizeCategory));
cl::opt<std::string> weights("weights",
                             cl::desc("per-channel (default) or per-tensor"),
                             cl::init("per-channel"),
                             cl::cat(quantizeCategory));
cl::opt<std::string> activations(
    "activations", cl::desc("asymmetric (default) or symmetric"),
    cl::init("asymmetric"), cl::cat(quantizeCategory));
cl::opt<std::string> requant("requant",
                             cl::desc("fixed_point (default) or float"),
                             cl::init("fixed_point"),
                             cl::cat(quantizeCategory));

cl::opt<std::string> reportPath(
    "report",
    cl::desc("Write REPORT.json: per-op SQNR and max error of the quantized "
             "model against the float one"),
    cl::value_desc("path"), cl::cat(quantizeCategory));
cl::list<std::string> reportInputs(
    "report-inputs",
    cl::desc("Samples for --report, one .npy per input (default: the "
             "calibration files recorded in STATS.json)"),
    cl::CommaSeparated, cl::value_desc("a.npy,b.npy"),
    cl::cat(quantizeCategory));


} // namespace

/// `--threads`, registered once main runs: libLLVM already registers a
/// hidden, undocumented `-threads` of its own that quant-compile never
/// reads, and two options of one name abort the command line parser.
static cl::opt<unsigned> &threadsOption() {
  if (auto *llvmOption = cl::getRegisteredOptions().lookup("threads"))
    llvmOption->removeArgument();
  static cl::opt<unsigned> threads(
      "threads",
      cl::desc("Run the kernels' parallel loops on N threads (OpenMP; the "
               "library then needs libomp.so.5). Default 1: serial, libc "
               "only"),
      cl::init(1), cl::value_desc("N"), cl::cat(category));
  return threads;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::opt<unsigned> &threads = threadsOption();
  cl::HideUnrelatedOptions({&category, &quantizeCategory});
  cl::ParseCommandLineOptions(argc, argv,
                              "LowBit ahead-of-time model compiler\n");

  lowbit::ModelSession session(&llvm::errs());
  auto module = session.parseFile(inputPath);
  if (!module)
    return lowbit::reportDriverResult(module.takeError(), TOOL_NAME);

  lowbit::CompileOptions options;
  options.outputPath = outputPath;
  options.emit = emit;
  options.target = targetName;
  options.headerPath = headerPath;
  options.io = io;
  options.entry = entryName;
  options.threads = threads;
  options.quantize = quantize;
  options.calibration = calibration;
  options.bits = bits;
  options.weights = weights;
  options.activations = activations;
  options.requant = requant;
  options.reportPath = reportPath;
  options.reportInputs.assign(reportInputs.begin(), reportInputs.end());
  return lowbit::reportDriverResult(lowbit::compileModel(**module, options),
                                    TOOL_NAME);
}
