//===- harness.cpp - LowBit kernels next to oneDNN and OpenBLAS -----------===//
//
// Times, single-threaded and in one process, the models quant-compile made
// from bench/gen_models.py (dlopen'ed) next to oneDNN's int8 and fp32
// primitives and OpenBLAS sgemm on the same shapes and parameters, plus
// the vpdpbusd and FMA peaks of the core. Each LowBit int8 result is also
// checked element by element (a sample) against a direct evaluation of
// docs/QuantizationSemantics.md, so a fast wrong kernel cannot pass.
//
//   harness MODEL_DIR OUT.json
//
//===----------------------------------------------------------------------===//

#include <oneapi/dnnl/dnnl.hpp>

#include <cblas.h>
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

extern "C" void openblas_set_num_threads(int);

namespace {

using Clock = std::chrono::steady_clock;

struct Stats {
  double best = 0, median = 0, worst = 0; // seconds per run
};

/// Runs `f` until 0.3 s have passed (at least 5, at most 2000 runs) after
/// two warm-up runs; a slow `f` (over 0.5 s) runs three times after one.
Stats timeIt(const std::function<void()> &f) {
  auto w0 = Clock::now();
  f();
  bool slow = std::chrono::duration<double>(Clock::now() - w0).count() > 0.5;
  if (!slow)
    f();
  std::vector<double> t;
  auto start = Clock::now();
  while (t.size() < (slow ? 3u : 5u) || (!slow &&
         (t.size() < 2000 &&
          std::chrono::duration<double>(Clock::now() - start).count() < 0.3))) {
    auto t0 = Clock::now();
    f();
    t.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return {t.front(), t[t.size() / 2], t.back()};
}

struct Case {
  std::string name, kind;
  long M, K, N, H, W, C, F, KH, KW, pad, groups;
  double inScale, outScale;
  int inZp, outZp;
  std::vector<int8_t> weights; // lowbit layout: [N][K], OHWI, [C][KH][KW][1]
  std::vector<int32_t> bias;
  std::vector<double> wScales;
};

double caseOps(const Case &c) {
  if (c.kind == "dw")
    return 2.0 * c.H * c.W * c.C * c.KH * c.KW;
  return 2.0 * c.M * c.K * c.N;
}

std::vector<Case> readCases(const std::string &dir) {
  std::vector<Case> cases;
  std::ifstream in(dir + "/cases.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty())
      continue;
    std::istringstream s(line);
    Case c;
    s >> c.name >> c.kind >> c.M >> c.K >> c.N >> c.H >> c.W >> c.C >> c.F >>
        c.KH >> c.KW >> c.pad >> c.groups >> c.inScale >> c.inZp >>
        c.outScale >> c.outZp;
    long nw = c.kind == "gemm" ? c.N * c.K
              : c.kind == "conv" ? c.F * c.KH * c.KW * c.C
                                 : c.C * c.KH * c.KW;
    long nc = c.kind == "gemm" ? c.N : c.F;
    std::ifstream bin(dir + "/" + c.name + ".bin", std::ios::binary);
    c.weights.resize(nw);
    c.bias.resize(nc);
    c.wScales.resize(nc);
    bin.read(reinterpret_cast<char *>(c.weights.data()), nw);
    bin.read(reinterpret_cast<char *>(c.bias.data()), nc * 4);
    bin.read(reinterpret_cast<char *>(c.wScales.data()), nc * 8);
    if (!bin) {
      std::fprintf(stderr, "cannot read %s.bin\n", c.name.c_str());
      std::exit(1);
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

//===----------------------------------------------------------------------===//
// The reference: docs/QuantizationSemantics.md, one element at a time
//===----------------------------------------------------------------------===//

/// TFLite's QuantizeMultiplier.
void quantizeMultiplier(double m, int32_t &m0, int &shift) {
  if (m == 0) {
    m0 = 0, shift = 0;
    return;
  }
  int e;
  double f = std::frexp(m, &e);
  int64_t q = static_cast<int64_t>(std::round(f * (1LL << 31)));
  if (q == (1LL << 31))
    q /= 2, ++e;
  if (e < -31)
    q = 0, e = 0;
  if (e > 30)
    q = (1LL << 31) - 1, e = 30;
  m0 = static_cast<int32_t>(q), shift = e;
}

int32_t fixedPoint(int32_t acc, int32_t m0, int shift) {
  int left = std::max(shift, 0), right = std::max(-shift, 0);
  int32_t x = static_cast<int32_t>(static_cast<uint32_t>(acc) << left);
  int64_t p = static_cast<int64_t>(x) * m0;
  int64_t nudge = p >= 0 ? (1LL << 30) : 1 - (1LL << 30);
  int32_t h = static_cast<int32_t>((p + nudge) / (1LL << 31));
  int32_t mask = static_cast<int32_t>((1LL << right) - 1);
  int32_t rem = h & mask;
  int32_t thr = (mask >> 1) + (h < 0 ? 1 : 0);
  return (h >> right) + (rem > thr ? 1 : 0);
}

int32_t floatMode(int32_t acc, float mf) {
  float v = static_cast<float>(acc) * mf;
  v = std::min(std::max(v, -1048576.0f), 1048576.0f);
  return static_cast<int32_t>(std::nearbyint(v));
}

/// The int32 accumulator of output element `idx`.
int32_t accumulator(const Case &c, const std::vector<uint8_t> &x, long idx) {
  int64_t acc;
  if (c.kind == "gemm") {
    long m = idx / c.N, n = idx % c.N;
    acc = c.bias[n];
    for (long k = 0; k < c.K; ++k)
      acc += (int64_t(x[m * c.K + k]) - c.inZp) * c.weights[n * c.K + k];
  } else {
    long f = idx % c.F, p = idx / c.F, oh = p / c.W, ow = p % c.W;
    acc = c.bias[f];
    for (long kh = 0; kh < c.KH; ++kh)
      for (long kw = 0; kw < c.KW; ++kw) {
        long ih = oh + kh - c.pad, iw = ow + kw - c.pad;
        if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W)
          continue; // padding holds the zero point
        const uint8_t *px = &x[(ih * c.W + iw) * c.C];
        if (c.kind == "dw") {
          acc += (int64_t(px[f]) - c.inZp) * c.weights[(f * c.KH + kh) * c.KW + kw];
          continue;
        }
        const int8_t *w = &c.weights[((f * c.KH + kh) * c.KW + kw) * c.C];
        for (long ch = 0; ch < c.C; ++ch)
          acc += (int64_t(px[ch]) - c.inZp) * w[ch];
      }
  }
  return static_cast<int32_t>(static_cast<uint32_t>(acc));
}

/// Compares a sample of `out` with the reference; returns mismatches.
long check(const Case &c, const std::vector<uint8_t> &x,
           const std::vector<uint8_t> &out, bool fixed, long tolerance) {
  std::mt19937_64 rng(7);
  long bad = 0, total = out.size();
  for (int i = 0; i < 256; ++i) {
    long idx = rng() % total;
    long ch = idx % (c.kind == "gemm" ? c.N : c.F);
    double m = c.inScale * c.wScales[ch] / c.outScale;
    int32_t acc = accumulator(c, x, idx), r;
    if (fixed) {
      int32_t m0;
      int shift;
      quantizeMultiplier(m, m0, shift);
      r = fixedPoint(acc, m0, shift);
    } else {
      r = floatMode(acc, static_cast<float>(m));
    }
    long want = std::min<long>(std::max<long>(long(r) + c.outZp, 0), 255);
    if (std::labs(want - long(out[idx])) > tolerance)
      ++bad;
  }
  return bad;
}

//===----------------------------------------------------------------------===//
// oneDNN
//===----------------------------------------------------------------------===//

using namespace dnnl;

struct OneDnnRun {
  primitive prim;
  std::unordered_map<int, memory> args;
  stream strm;
  void operator()() {
    prim.execute(strm, args);
    strm.wait();
  }
};

/// The int8 (u8 x s8 -> u8, per-channel output scales, zero points) or
/// fp32 primitive of a case, reading `src` and writing `dst`.
OneDnnRun makeOneDnn(engine &eng, const Case &c, bool int8, void *src,
                     void *dst, std::vector<float> &fweights) {
  using dt = memory::data_type;
  using tag = memory::format_tag;
  dt srcT = int8 ? dt::u8 : dt::f32, weiT = int8 ? dt::s8 : dt::f32;
  dt biasT = int8 ? dt::s32 : dt::f32, dstT = srcT;
  primitive_attr attr;
  std::vector<float> scales;
  if (int8) {
    for (double s : c.wScales)
      scales.push_back(static_cast<float>(c.inScale * s / c.outScale));
    attr.set_output_scales(1 << 1, scales);
    attr.set_zero_points(DNNL_ARG_SRC, 0, {c.inZp});
    attr.set_zero_points(DNNL_ARG_DST, 0, {c.outZp});
  }
  stream strm(eng);
  OneDnnRun run{primitive(), {}, strm};
  void *userWeights = int8 ? static_cast<void *>(const_cast<int8_t *>(c.weights.data()))
                           : static_cast<void *>(fweights.data());
  memory::desc userWeightsMd, weightsMd, biasMd, srcMd, dstMd;
  memory::desc pdWeights;
  if (c.kind == "gemm") {
    srcMd = memory::desc({c.M, c.K}, srcT, tag::ab);
    dstMd = memory::desc({c.M, c.N}, dstT, tag::ab);
    biasMd = memory::desc({1, c.N}, biasT, tag::ab);
    userWeightsMd = memory::desc({c.K, c.N}, weiT, tag::ba);
    weightsMd = memory::desc({c.K, c.N}, weiT, tag::any);
    matmul::desc d(srcMd, weightsMd, biasMd, dstMd);
    auto pd = matmul::primitive_desc(d, attr, eng);
    run.prim = matmul(pd);
    pdWeights = pd.weights_desc();
  } else {
    bool dw = c.kind == "dw";
    srcMd = memory::desc({1, c.C, c.H, c.W}, srcT, tag::nhwc);
    dstMd = memory::desc({1, c.F, c.H, c.W}, dstT, tag::nhwc);
    biasMd = memory::desc({c.F}, biasT, tag::x);
    if (dw) {
      userWeightsMd = memory::desc({c.C, 1, 1, c.KH, c.KW}, weiT, tag::goihw);
      weightsMd = memory::desc({c.C, 1, 1, c.KH, c.KW}, weiT, tag::any);
    } else {
      userWeightsMd = memory::desc({c.F, c.C, c.KH, c.KW}, weiT, tag::ohwi);
      weightsMd = memory::desc({c.F, c.C, c.KH, c.KW}, weiT, tag::any);
    }
    convolution_forward::desc d(prop_kind::forward_inference,
                                algorithm::convolution_direct, srcMd,
                                weightsMd, biasMd, dstMd, {1, 1},
                                {c.pad, c.pad}, {c.pad, c.pad});
    auto pd = convolution_forward::primitive_desc(d, attr, eng);
    run.prim = convolution_forward(pd);
    pdWeights = pd.weights_desc();
  }
  // Weights and bias are prepared once, outside the timing.
  memory user(userWeightsMd, eng, userWeights);
  memory weights(pdWeights, eng);
  reorder(user, weights).execute(strm, user, weights);
  memory bias(biasMd, eng);
  if (int8) {
    std::memcpy(bias.get_data_handle(), c.bias.data(), c.bias.size() * 4);
  } else {
    float *b = static_cast<float *>(bias.get_data_handle());
    for (size_t i = 0; i < c.bias.size(); ++i)
      b[i] = 0.001f * c.bias[i];
  }
  strm.wait();
  run.args = {{DNNL_ARG_SRC, memory(srcMd, eng, src)},
              {DNNL_ARG_WEIGHTS, weights},
              {DNNL_ARG_BIAS, bias},
              {DNNL_ARG_DST, memory(dstMd, eng, dst)}};
  return run;
}

//===----------------------------------------------------------------------===//
// Peaks
//===----------------------------------------------------------------------===//

/// 24 independent accumulator chains: enough to cover the latency of a
/// dot or FMA at two per cycle.
#define CHAINS(op) \
  op " %%zmm30, %%zmm31, %%zmm0\n\t" \
  op " %%zmm30, %%zmm31, %%zmm1\n\t" \
  op " %%zmm30, %%zmm31, %%zmm2\n\t" \
  op " %%zmm30, %%zmm31, %%zmm3\n\t" \
  op " %%zmm30, %%zmm31, %%zmm4\n\t" \
  op " %%zmm30, %%zmm31, %%zmm5\n\t" \
  op " %%zmm30, %%zmm31, %%zmm6\n\t" \
  op " %%zmm30, %%zmm31, %%zmm7\n\t" \
  op " %%zmm30, %%zmm31, %%zmm8\n\t" \
  op " %%zmm30, %%zmm31, %%zmm9\n\t" \
  op " %%zmm30, %%zmm31, %%zmm10\n\t" \
  op " %%zmm30, %%zmm31, %%zmm11\n\t" \
  op " %%zmm30, %%zmm31, %%zmm12\n\t" \
  op " %%zmm30, %%zmm31, %%zmm13\n\t" \
  op " %%zmm30, %%zmm31, %%zmm14\n\t" \
  op " %%zmm30, %%zmm31, %%zmm15\n\t" \
  op " %%zmm30, %%zmm31, %%zmm16\n\t" \
  op " %%zmm30, %%zmm31, %%zmm17\n\t" \
  op " %%zmm30, %%zmm31, %%zmm18\n\t" \
  op " %%zmm30, %%zmm31, %%zmm19\n\t" \
  op " %%zmm30, %%zmm31, %%zmm20\n\t" \
  op " %%zmm30, %%zmm31, %%zmm21\n\t" \
  op " %%zmm30, %%zmm31, %%zmm22\n\t" \
  op " %%zmm30, %%zmm31, %%zmm23\n\t"

#define CLOBBERS                                                               \
  "rcx", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",        \
      "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",    \
      "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23",  \
      "xmm30", "xmm31", "cc"

/// Ops per second of 24 independent chains of `op` on zmm registers, each
/// instruction worth `opsPerInstr` (best of 5).
template <int Kind> double peak(double opsPerInstr) {
  if (!__builtin_cpu_supports("avx512f") ||
      (Kind == 0 && !__builtin_cpu_supports("avx512vnni")))
    return 0;
  const long iters = 2000000;
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    auto t0 = Clock::now();
    if (Kind == 0)
      asm volatile("vpxord %%zmm30, %%zmm30, %%zmm30\n\t"
                   "vpxord %%zmm31, %%zmm31, %%zmm31\n\t"
                   "mov %0, %%rcx\n\t"
                   "1:\n\t" CHAINS("vpdpbusd") "dec %%rcx\n\t"
                   "jnz 1b\n\t"
                   :
                   : "r"(iters)
                   : CLOBBERS);
    else
      asm volatile("vpxord %%zmm30, %%zmm30, %%zmm30\n\t"
                   "vpxord %%zmm31, %%zmm31, %%zmm31\n\t"
                   "mov %0, %%rcx\n\t"
                   "1:\n\t" CHAINS("vfmadd231ps") "dec %%rcx\n\t"
                   "jnz 1b\n\t"
                   :
                   : "r"(iters)
                   : CLOBBERS);
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    best = std::max(best, iters * 24 * opsPerInstr / s);
  }
  return best;
}

//===----------------------------------------------------------------------===//
// Output
//===----------------------------------------------------------------------===//

std::string gops(const Stats &s, double ops) {
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "{\"min\": %.1f, \"median\": %.1f, \"max\": %.1f}",
                ops / s.worst / 1e9, ops / s.median / 1e9, ops / s.best / 1e9);
  return buf;
}

std::string shape(const Case &c) {
  char buf[200];
  if (c.kind == "gemm")
    std::snprintf(buf, sizeof buf, "{\"M\": %ld, \"K\": %ld, \"N\": %ld}", c.M,
                  c.K, c.N);
  else
    std::snprintf(buf, sizeof buf,
                  "{\"N\": 1, \"H\": %ld, \"W\": %ld, \"C\": %ld, \"F\": %ld, "
                  "\"KH\": %ld, \"KW\": %ld, \"pad\": %ld, \"groups\": %ld}",
                  c.H, c.W, c.C, c.F, c.KH, c.KW, c.pad, c.groups);
  return buf;
}

void *loadEntry(const std::string &path, const std::string &entry) {
  void *lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    return nullptr;
  return dlsym(lib, entry.c_str());
}

/// A whole model compiled twice by LowBit (float io): its fp32 build and its
/// int8 build. run.sh writes one line per model into whole_models.txt:
/// name, fp32 library, int8 library, entry, input and output elements.
struct WholeModel {
  std::string name, fp32Path, int8Path, entry;
  long inElems = 0, outElems = 0;
};

std::vector<WholeModel> readWholeModels(const std::string &dir) {
  std::vector<WholeModel> models;
  std::ifstream in(dir + "/whole_models.txt");
  WholeModel m;
  while (in >> m.name >> m.fp32Path >> m.int8Path >> m.entry >> m.inElems >>
         m.outElems)
    models.push_back(m);
  return models;
}

/// Latency of one call (one image) of both builds; returns the JSON record,
/// or "" when a library cannot be loaded.
std::string timeWholeModel(const WholeModel &m, std::mt19937 &rng) {
  using Entry = void (*)(const float *, float *);
  auto fp32 = reinterpret_cast<Entry>(loadEntry(m.fp32Path, m.entry));
  auto int8 = reinterpret_cast<Entry>(loadEntry(m.int8Path, m.entry));
  if (!fp32 || !int8) {
    std::fprintf(stderr, "cannot load the builds of %s: %s\n", m.name.c_str(),
                 dlerror());
    return "";
  }
  std::vector<float> x(m.inElems), y(m.outElems);
  std::uniform_real_distribution<float> pixel(0.0f, 1.0f);
  for (float &v : x)
    v = pixel(rng);
  Stats sF = timeIt([&] { fp32(x.data(), y.data()); });
  Stats sQ = timeIt([&] { int8(x.data(), y.data()); });
  std::printf("%-20s %-5s fp32 %8.1f us   int8 %8.1f us   int8 %.2fx faster\n",
              m.name.c_str(), "model", 1e6 * sF.median, 1e6 * sQ.median,
              sF.median / sQ.median);
  auto us = [](const Stats &s) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "{\"min\": %.2f, \"median\": %.2f, \"max\": %.2f}",
                  1e6 * s.best, 1e6 * s.median, 1e6 * s.worst);
    return std::string(buf);
  };
  char tail[100];
  std::snprintf(tail, sizeof tail, ", \"int8_speedup\": %.3f}",
                sF.median / sQ.median);
  return "{\"name\": \"" + m.name + "\", \"dtype\": \"model\", " +
         "\"fp32_us\": " + us(sF) + ", \"int8_us\": " + us(sQ) + tail;
}

} // namespace

int run(int argc, char **argv);

int main(int argc, char **argv) {
  try {
    return run(argc, argv);
  } catch (const dnnl::error &e) {
    std::fprintf(stderr, "oneDNN error: %s (status %d)\n", e.what(),
                 static_cast<int>(e.status));
    return 1;
  }
}

int run(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: harness MODEL_DIR OUT.json\n");
    return 2;
  }
  std::string dir = argv[1];
  openblas_set_num_threads(1);
  engine eng(engine::kind::cpu, 0);
  std::vector<Case> cases = readCases(dir);
  double vnniPeak = peak<0>(64 * 2), fmaPeak = peak<1>(16 * 2);
  std::printf("peaks: vpdpbusd zmm %.0f GOP/s, vfmadd231ps zmm %.0f GFLOP/s\n\n",
              vnniPeak / 1e9, fmaPeak / 1e9);
  std::printf("%-20s %-5s %10s %10s %10s %10s %7s %6s  %s\n", "case", "type",
              "LowBit", "(fixed)", "oneDNN", "OpenBLAS", "ratio", "peak",
              "check");
  std::vector<std::string> records;
  std::mt19937 rng(1);
  for (const Case &c : cases) {
    double ops = caseOps(c);
    long inSize = c.kind == "gemm" ? c.M * c.K : c.H * c.W * c.C;
    long outSize = c.kind == "gemm" ? c.M * c.N : c.H * c.W * c.F;
    std::vector<uint8_t> x(inSize), y(outSize), yRef(outSize);
    for (auto &v : x)
      v = rng() & 255;

    // int8: LowBit (float and fixed_point requantization) and oneDNN.
    using Entry = void (*)(const void *, void *);
    auto lbFloat = reinterpret_cast<Entry>(
        loadEntry(dir + "/" + c.name + ".float.so", c.name));
    auto lbFixed = reinterpret_cast<Entry>(
        loadEntry(dir + "/" + c.name + ".fixed.so", c.name));
    if (!lbFloat || !lbFixed) {
      std::fprintf(stderr, "cannot load the LowBit models of %s: %s\n",
                   c.name.c_str(), dlerror());
      return 1;
    }
    Stats sFloat = timeIt([&] { lbFloat(x.data(), y.data()); });
    long badFloat = check(c, x, y, false, 0);
    Stats sFixed = timeIt([&] { lbFixed(x.data(), y.data()); });
    long badFixed = check(c, x, y, true, 0);
    // The same model compiled with --threads=2 (OpenMP), when run.sh built it.
    Stats sThreads{};
    long badThreads = 0;
    auto lbThreads = reinterpret_cast<Entry>(
        loadEntry(dir + "/" + c.name + ".float.t2.so", c.name));
    if (lbThreads) {
      sThreads = timeIt([&] { lbThreads(x.data(), y.data()); });
      badThreads = check(c, x, y, false, 0);
    }
    std::vector<float> none;
    OneDnnRun dnn = makeOneDnn(eng, c, true, x.data(), yRef.data(), none);
    Stats sDnn = timeIt([&] { dnn(); });
    // oneDNN adds the bias and rounds in its own order: within one step.
    long badDnn = check(c, x, yRef, false, 1);
    char line[400];
    std::snprintf(line, sizeof line,
                  "%-20s %-5s %10.1f %10.1f %10.1f %10s %7.2f %5.0f%%  %s\n",
                  c.name.c_str(), "int8", ops / sFloat.best / 1e9,
                  ops / sFixed.best / 1e9, ops / sDnn.best / 1e9, "-",
                  sDnn.median / sFloat.median, 100 * ops / sFloat.best / vnniPeak,
                  badFloat || badFixed || badThreads ? "LOWBIT MISMATCH"
                  : badDnn            ? "ok (oneDNN off by >1)"
                                      : "ok");
    std::fputs(line, stdout);
    if (lbThreads)
      std::printf("%-20s %-5s %10.1f  2 threads: %.2fx one thread\n", "",
                  "int8", ops / sThreads.best / 1e9,
                  sFloat.median / sThreads.median);
    std::fflush(stdout);
    char rec[1600];
    std::snprintf(
        rec, sizeof rec,
        "{\"name\": \"%s\", \"shape\": %s, \"dtype\": \"int8\", "
        "\"lowbit_gops\": %s, \"lowbit_fixed_point_gops\": %s, "
        "\"onednn_gops\": %s, \"ratio\": %.3f, \"ratio_fixed_point\": %.3f, "
        "\"fraction_of_peak\": %.3f, \"peak_gops\": %.1f, "
        "\"lowbit_checked\": %s, \"onednn_within_one\": %s, "
        "\"lowbit_2threads_gops\": %s, \"speedup_2threads\": %s}",
        c.name.c_str(), shape(c).c_str(), gops(sFloat, ops).c_str(),
        gops(sFixed, ops).c_str(), gops(sDnn, ops).c_str(),
        sDnn.median / sFloat.median, sDnn.median / sFixed.median,
        ops / sFloat.best / vnniPeak, vnniPeak / 1e9,
        badFloat || badFixed || badThreads ? "false" : "true",
        badDnn ? "false" : "true",
        lbThreads ? gops(sThreads, ops).c_str() : "null",
        lbThreads ? std::to_string(sFloat.median / sThreads.median).c_str()
                  : "null");
    records.push_back(rec);

    // fp32: LowBit's float TOSA path (GEMMs), oneDNN, OpenBLAS (GEMMs).
    std::vector<float> xf(inSize), yf(outSize), wf;
    for (long i = 0; i < inSize; ++i)
      xf[i] = (x[i] - 128) * 0.01f;
    for (int8_t w : c.weights)
      wf.push_back(0.01f * w);
    OneDnnRun dnnF = makeOneDnn(eng, c, false, xf.data(), yf.data(), wf);
    Stats sDnnF = timeIt([&] { dnnF(); });
    Stats sBlas{}, sLbF{};
    bool haveBlas = c.kind == "gemm", haveLbF = false;
    if (haveBlas) {
      // B as [K][N], the layout sgemm reads without a transpose.
      std::vector<float> b(c.K * c.N);
      for (long n = 0; n < c.N; ++n)
        for (long k = 0; k < c.K; ++k)
          b[k * c.N + n] = wf[n * c.K + k];
      sBlas = timeIt([&] {
        if (c.M == 1)
          cblas_sgemv(CblasRowMajor, CblasTrans, c.K, c.N, 1.0f, b.data(), c.N,
                      xf.data(), 1, 0.0f, yf.data(), 1);
        else
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, c.M, c.N, c.K,
                      1.0f, xf.data(), c.K, b.data(), c.N, 0.0f, yf.data(),
                      c.N);
      });
    }
    using FEntry = void (*)(const float *, float *);
    if (auto f = reinterpret_cast<FEntry>(
            loadEntry(dir + "/" + c.name + ".fp32.so", c.name))) {
      haveLbF = true;
      sLbF = timeIt([&] { f(xf.data(), yf.data()); });
    }
    std::snprintf(line, sizeof line, "%-20s %-5s %10s %10s %10.1f %10s %7s %5.0f%%\n",
                  c.name.c_str(), "fp32",
                  haveLbF ? std::to_string(int(ops / sLbF.best / 1e9)).c_str()
                          : "-",
                  "-", ops / sDnnF.best / 1e9,
                  haveBlas ? std::to_string(int(ops / sBlas.best / 1e9)).c_str()
                           : "-",
                  haveLbF ? std::to_string(sDnnF.median / sLbF.median)
                                .substr(0, 5)
                                .c_str()
                          : "-",
                  haveLbF ? 100 * ops / sLbF.best / fmaPeak : 0.0);
    std::fputs(line, stdout);
    std::fflush(stdout);
    std::string r = "{\"name\": \"" + c.name + "\", \"shape\": " + shape(c) +
                    ", \"dtype\": \"fp32\", \"lowbit_gops\": " +
                    (haveLbF ? gops(sLbF, ops) : std::string("null")) +
                    ", \"onednn_gops\": " + gops(sDnnF, ops) +
                    ", \"openblas_gops\": " +
                    (haveBlas ? gops(sBlas, ops) : std::string("null"));
    char tail[200];
    std::snprintf(tail, sizeof tail,
                  ", \"ratio\": %s, \"fraction_of_peak\": %s, \"peak_gops\": %.1f}",
                  haveLbF ? std::to_string(sDnnF.median / sLbF.median).c_str()
                          : "null",
                  haveLbF ? std::to_string(ops / sLbF.best / fmaPeak).c_str()
                          : "null",
                  fmaPeak / 1e9);
    records.push_back(r + tail);
  }

  for (const WholeModel &m : readWholeModels(dir)) {
    std::string record = timeWholeModel(m, rng);
    if (record.empty())
      return 1;
    records.push_back(record);
  }

  std::ofstream out(argv[2]);
  out << "{\"note\": \"GOP/s, a MAC = 2 ops, single-threaded; min/median/max "
         "over repeated runs; ratio = oneDNN median time / LowBit median time "
         "(> 1: LowBit faster); int8 LowBit = float requantization (oneDNN's "
         "arithmetic), fixed_point alongside\",\n \"peaks\": {\"vpdpbusd_gops\": "
      << vnniPeak / 1e9 << ", \"fma_gflops\": " << fmaPeak / 1e9
      << "},\n \"cases\": [\n  ";
  for (size_t i = 0; i < records.size(); ++i)
    out << (i ? ",\n  " : "") << records[i];
  out << "\n ]}\n";
  return 0;
}
