//===- CompileCAPI.cpp - C API: compile a model file ----------------------===//

#include "lowbit/CAPI/LowBit.h"

#include "CAPIUtils.h"

#include "lowbit/Target/CompileDriver.h"

#include "llvm/Support/JSON.h"

using namespace mlir;
using lowbit::capi::copyString;

/// Reads the options JSON into `options`; an error names the bad key.
static llvm::Error parseOptions(const char *text,
                                lowbit::CompileOptions &options) {
  if (!text || !*text)
    return llvm::Error::success();
  auto parsed = llvm::json::parse(text);
  if (!parsed)
    return parsed.takeError();
  const llvm::json::Object *object = parsed->getAsObject();
  if (!object)
    return llvm::createStringError("compile options must be a JSON object");
  for (const auto &[key, value] : *object) {
    auto asString = [&, &key = key, &value = value]()
        -> llvm::Expected<std::string> {
      if (auto s = value.getAsString())
        return s->str();
      return llvm::createStringError("option '" + key.str() +
                                     "' must be a string");
    };
    llvm::StringRef name = key;
    if (name == "emit" || name == "target" || name == "header" ||
        name == "io" || name == "entry" || name == "calibration" ||
        name == "weights" || name == "activations" || name == "requant") {
      auto s = asString();
      if (!s)
        return s.takeError();
      if (name == "emit") {
        auto kind = lowbit::parseEmitKind(*s);
        if (!kind)
          return llvm::createStringError("unknown emit kind '" + *s + "'");
        options.emit = *kind;
      } else if (name == "io") {
        if (*s != "float" && *s != "quantized")
          return llvm::createStringError("io must be float or quantized");
        options.io = *s == "float" ? lowbit::BoundaryIO::Float
                                   : lowbit::BoundaryIO::Quantized;
      } else if (name == "target") {
        options.target = *s;
      } else if (name == "header") {
        options.headerPath = *s;
      } else if (name == "entry") {
        options.entry = *s;
      } else if (name == "calibration") {
        options.calibration = *s;
      } else if (name == "weights") {
        options.weights = *s;
      } else if (name == "activations") {
        options.activations = *s;
      } else {
        options.requant = *s;
      }
    } else if (name == "report") {
      auto s = value.getAsString();
      if (!s)
        return llvm::createStringError("option 'report' must be a string");
      options.reportPath = s->str();
    } else if (name == "report_inputs") {
      const llvm::json::Array *paths = value.getAsArray();
      if (!paths)
        return llvm::createStringError(
            "option 'report_inputs' must be an array of paths");
      for (const llvm::json::Value &p : *paths) {
        auto s = p.getAsString();
        if (!s)
          return llvm::createStringError(
              "option 'report_inputs' must be an array of paths");
        options.reportInputs.push_back(s->str());
      }
    } else if (name == "quantize") {
      auto b = value.getAsBoolean();
      if (!b)
        return llvm::createStringError("option 'quantize' must be a boolean");
      options.quantize = *b;
    } else if (name == "bits") {
      auto n = value.getAsInteger();
      if (!n)
        return llvm::createStringError("option 'bits' must be an integer");
      options.bits = static_cast<unsigned>(*n);
    } else if (name == "threads") {
      auto n = value.getAsInteger();
      if (!n || *n < 1 || *n > 1024)
        return llvm::createStringError(
            "option 'threads' must be an integer from 1 to 1024");
      options.threads = static_cast<unsigned>(*n);
    } else {
      return llvm::createStringError("unknown compile option '" + name.str() +
                                     "'");
    }
  }
  return llvm::Error::success();
}

int lowbitCompileFile(const char *inputPath, const char *outputPath,
                      const char *optionsJson, char **error) {
  *error = nullptr;
  lowbit::CompileOptions options;
  options.outputPath = outputPath;
  if (llvm::Error err = parseOptions(optionsJson, options)) {
    *error = copyString(llvm::toString(std::move(err)));
    return 1;
  }
  return lowbit::capi::runOnModelFile(inputPath, error, [&](ModuleOp module) {
    return lowbit::compileModel(module, options);
  });
}
