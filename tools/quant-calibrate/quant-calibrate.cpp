//===- quant-calibrate.cpp - Calibrate a float model with LowBit ----------===//
//
//   quant-calibrate IN.mlir --inputs CALIB.npy[,MORE.npy...] -o STATS.json
//       [--method=minmax|percentile|entropy|mse] [--percentile=99.99]
//       [--bits=8] [--symmetric] [--entry=NAME] [--target=host|...]
//
// Instruments the float model (lowbit-instrument), compiles it with LowBit's
// own CPU backend in-process, runs it on every sample twice (extremes, then
// histograms), chooses each value's clipping range and writes STATS.json
// atomically. docs/Calibration.md describes the methods.
//
// Every error is one line naming the problem, exits with status 1 and
// leaves no output file.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Calibration/CalibrateDriver.h"
#include "lowbit/Target/ModelSession.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
namespace cl = llvm::cl;

static constexpr const char TOOL_NAME[] = "quant-calibrate";
namespace lq = lowbit::quant;

namespace {

cl::OptionCategory category("quant-calibrate options");
cl::opt<std::string> inputPath(cl::Positional, cl::desc("<float model .mlir>"),
                               cl::Required, cl::cat(category));
cl::list<std::string>
    npyPaths("inputs",
             cl::desc("Calibration samples, one .npy file per model input "
                      "([S, *input_shape] or input_shape)"),
             cl::value_desc("a.npy,b.npy"), cl::CommaSeparated, cl::OneOrMore,
             cl::cat(category));
cl::opt<std::string> outputPath("o", cl::desc("Output STATS.json"),
                                cl::value_desc("path"), cl::Required,
                                cl::cat(category));
cl::opt<std::string>
    methodName("method",
               cl::desc("Clipping method: minmax, percentile, entropy or mse"),
               cl::init("minmax"), cl::cat(category));
cl::opt<double> percentile("percentile",
                           cl::desc("Percent of the mass `percentile` keeps"),
                           cl::init(99.99), cl::cat(category));
cl::opt<unsigned> bits("bits", cl::desc("Bit width the ranges are chosen for"),
                       cl::init(8), cl::cat(category));
cl::opt<bool> symmetric("symmetric",
                        cl::desc("mse: model a symmetric quantizer (default: "
                                 "asymmetric)"),
                        cl::init(false), cl::cat(category));
cl::opt<std::string> entryName("entry",
                               cl::desc("Entry function (default: the only "
                                        "public function)"),
                               cl::cat(category));
cl::opt<std::string>
    targetName("target",
               cl::desc("CPU to run on: host, x86-64-v3, x86-64-v3-vnni, "
                        "x86-64-v4 or generic"),
               cl::init("host"), cl::cat(category));

int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "quant-calibrate") << message << "\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "LowBit calibration: run the float model on "
                              "samples and record per-value statistics\n");

  // Options first: a typo should not wait for a compilation.
  lq::ClipOptions options;
  std::optional<lq::ClipMethod> method = lq::parseClipMethod(methodName);
  if (!method)
    return fail("unknown --method '" + methodName +
                "' (expected minmax, percentile, entropy or mse)");
  options.method = *method;
  if (!(percentile > 0.0 && percentile <= 100.0))
    return fail("--percentile must be in (0, 100], got " +
                std::to_string(percentile.getValue()));
  options.percentile = percentile;
  if (bits < 2 || bits > 16)
    return fail("--bits must be 2 to 16, got " + llvm::Twine(bits.getValue()));
  options.bits = bits;
  options.symmetry =
      symmetric ? lq::Symmetry::Symmetric : lq::Symmetry::Asymmetric;

  lowbit::ModelSession session(&llvm::errs());
  auto module = session.parseFile(inputPath);
  if (!module)
    return lowbit::reportDriverResult(module.takeError(), TOOL_NAME);
  lowbit::CalibrateOptions calibrateOptions;
  calibrateOptions.inputPaths = npyPaths;
  calibrateOptions.outputPath = outputPath;
  calibrateOptions.entry = entryName;
  calibrateOptions.target = targetName;
  calibrateOptions.clip = options;
  return lowbit::reportDriverResult(
      lowbit::calibrateModel(**module, calibrateOptions), TOOL_NAME);
}
