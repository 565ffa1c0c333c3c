/*===- LowBit.h - The LowBit C API ---------------------------------*- C -*-===*
 *
 * A small C API over libLowBit.so for bindings (the Python package loads it
 * with ctypes). Strings returned through out-parameters are owned by the
 * caller and released with lowbitFreeString.
 *
 *===----------------------------------------------------------------------===*/

#ifndef LOWBIT_CAPI_LOWBIT_H
#define LOWBIT_CAPI_LOWBIT_H

#ifdef __cplusplus
extern "C" {
#endif

/** Parses and verifies the MLIR file at `path` and describes the function
 * `entry` (or the only public function when `entry` is NULL or empty) as the
 * graph JSON of docs/ModelJSON.md. Returns 0 and sets `*json` on success;
 * returns non-zero and sets `*error` to the diagnostics (with locations). */
int lowbitDescribeModuleFile(const char *path, const char *entry, char **json,
                             char **error);

/** Compiles the MLIR file at `inputPath` into `outputPath`, as quant-compile
 * does. `optionsJson` (may be NULL) is a JSON object with any of the keys
 * "emit", "target", "header", "io", "entry" (strings), "quantize" (boolean),
 * "calibration", "weights", "activations", "requant", "report" (strings),
 * "report_inputs" (array of paths), "bits", "threads" (integers), with quant-compile's
 * meanings. Returns 0 on success; otherwise
 * sets `*error` to the diagnostics. */
int lowbitCompileFile(const char *inputPath, const char *outputPath,
                      const char *optionsJson, char **error);

/** Calibrates the float model at `modelPath` on the samples in
 * `inputPaths` (comma-separated .npy files, one per model input) and writes
 * STATS.json to `statsPath`, as quant-calibrate does. `optionsJson` (may be
 * NULL) may hold "method" ("minmax", "percentile", "entropy", "mse"),
 * "percentile" (number), "bits" (integer), "symmetric" (boolean), "entry",
 * "target" (strings) and "progress" (boolean: a progress bar on a terminal).
 * Returns 0 on success; otherwise sets `*error`. */
int lowbitCalibrateFile(const char *modelPath, const char *inputPaths,
                        const char *statsPath, const char *optionsJson,
                        char **error);

/** Releases a string returned by this API. */
void lowbitFreeString(char *string);

#ifdef __cplusplus
}
#endif

#endif /* LOWBIT_CAPI_LOWBIT_H */
