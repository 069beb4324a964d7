// lt-bench: performance measurements.
//
//   lt-bench ops [--threads 2] [--repeats 11] [--quick] (--help for all options)
//   lt-bench train --preset lite160|transformer160|transformer512-ffn1024 [--max-tokens 4096]
//                  [--threads 2] [--updates 15] [--warmup 3] [--batches F]
//   lt-bench decode --preset transformer512|lite160 [--beam-size 4] [--batch-size 64] [--threads 2]
//                   [--input F] [--max-sentences N]
//   lt-bench layouts [--threads 1] [--repeats 11]
// train/decode run the workloads of the PyTorch/CTranslate2 peers in scripts/bench/ and print
// one JSON line each (apps/bench/train_bench.h, apps/bench/decode_bench.h). `layouts` times
// the linear-weight layouts on decoding shapes (apps/bench/layout_bench.h).
//
// `ops` times our matmul op (forward, and backward = dA + dB accumulated into the
// gradient buffers) against a bare oneDNN primitive on the same shape and thread
// count (created once outside the loop and executed directly), interleaving them
// in every round so that noise on a shared machine hits both alike. Prints
// medians, the median of the per-round ratios, the machine's peak from a 2048³
// sgemm timed in the same rounds, and the per-call overhead of tiny matmuls.
// (oneDNN itself is reached through kernels/matmul.h: only src/kernels includes it.)
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "autodiff/var.h"
#include "bench/malloc_count.h"
#include "bench/options.h"
#include "cli/program.h"
#include "common/memory.h"
#include "common/error.h"
#include "common/rng.h"
#include "common/threads.h"
#include "common/timer.h"
#include "kernels/matmul.h"
#include "ops/matmul.h"
#include "tensor/arena.h"
#include "tensor/block_cache.h"
#include "tensor/tensor.h"

using namespace lt;

namespace {

using bench::OpsOptions;
using bench::calibrate;
using bench::interleave;
using bench::median;
using bench::ratios;

Tensor randomTensor(const Shape& s, uint64_t seed) {
  Tensor t = Tensor::empty(s);
  float* p = t.data<float>();
  Rng rng(seed);
  // Cheap fill: a few random values repeated with a stride pattern is enough to
  // avoid denormals and zeros; timing does not depend on the values.
  std::vector<float> pool(4093);
  for (float& x : pool) x = rng.uniform(-1.f, 1.f);
  for (int64_t i = 0; i < t.elements(); ++i) p[i] = pool[size_t(i % 4093)];
  return t;
}

std::string loadAverage() {
  std::FILE* f = std::fopen("/proc/loadavg", "r");
  if (!f) return "?";
  char buf[128] = {};
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  std::string s(buf, n);
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// The machine's peak: a 2048³ sgemm (dnnl_sgemm), timed as one more variant in
// every shape's interleaved rounds, so each shape's %peak compares samples
// taken under the same machine load.
struct Peak {
  static constexpr int64_t kN = 2048;
  Tensor a = randomTensor({kN, kN}, 1), b = randomTensor({kN, kN}, 2), c = Tensor::empty({kN, kN});
  void run() { kernels::bareSgemm(kN, kN, kN, a.data<float>(), b.data<float>(), c.data<float>()); }
  static double gflops(double secs) { return 2.0 * double(kN) * kN * kN / secs / 1e9; }
};

struct ShapeResult {
  int64_t M, K, N;
  double oursFwd, bareFwd, fwdRatio, fwdBest, oursBwd, bareBwd, bwdRatio, bwdBest;
  double peak;  // median 2048³ sgemm GFLOP/s over the same rounds
  std::string impl;
};

// One [M x K]·[K x N] shape: forward and backward, ours vs bare, interleaved.
ShapeResult benchShape(int64_t M, int64_t K, int64_t N, Peak& peak, const OpsOptions& o) {
  Tensor a = randomTensor({M, K}, 3), b = randomTensor({K, N}, 4), dC = randomTensor({M, N}, 5);
  // Ours: the op under an activation arena (as training runs it), and the op's
  // backward function on parameter leaves (gradients accumulate in place).
  Var A = Var::param(a), B = Var::param(b);
  Arena arena(size_t(64) << 20);
  Var y = ops::matmul(A, B);  // records the node whose backward we time
  y.node()->grad = dC;
  auto oursFwd = [&] {
    ArenaScope scope(arena);
    NoGradScope ng;
    { Var out = ops::matmul(A, B); }
    arena.reset();
  };
  auto oursBwd = [&] { y.node()->backward(*y.node()); };
  // Bare: the same descriptors, primitives created here, executed directly.
  Tensor cBare = Tensor::empty({M, N}), dA = Tensor::zeros({M, K}), dB = Tensor::zeros({K, N});
  kernels::BareMatmul bareF(a, b, cBare);
  kernels::MatmulOptions oA, oB;
  oA.transB = true;
  oA.accumulate = true;
  oB.transA = true;
  oB.accumulate = true;
  kernels::BareMatmul bareA(dC, b, dA, oA), bareB(a, dC, dB, oB);
  auto bareFwd = [&] { bareF.run(); };
  auto bareBwd = [&] {
    bareA.run();
    bareB.run();
  };

  std::vector<std::function<void()>> fns = {oursFwd, bareFwd, oursBwd, bareBwd,
                                            [&] { peak.run(); }};
  auto t = interleave(fns, calibrate(fns, o.sampleSeconds), o.repeats, o.warmup);
  const auto &tOF = t[0], &tBF = t[1], &tOB = t[2], &tBB = t[3];
  std::vector<double> rF = ratios(tBF, tOF), rB = ratios(tBB, tOB);  // ours speed / bare speed
  clearTape();
  const double fl = 2.0 * double(M) * double(N) * double(K);
  auto best = [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); };
  return {M, K, N, fl / median(tOF) / 1e9, fl / median(tBF) / 1e9, median(rF),
          best(tBF) / best(tOF), 2 * fl / median(tOB) / 1e9, 2 * fl / median(tBB) / 1e9,
          median(rB), best(tBB) / best(tOB), Peak::gflops(median(t[4])), bareF.implName()};
}

struct TinyResult {
  double opUs, opArenaUs, kernelUs, bareUs;
};

// Per-call cost of [1x8]·[8x8]: our op (heap and arena), our kernel, bare execute.
TinyResult benchTiny(const OpsOptions& o) {
  Tensor a = randomTensor({1, 8}, 6), b = randomTensor({8, 8}, 7), c = Tensor::empty({1, 8});
  Var A(a), B(b);
  kernels::BareMatmul bare(a, b, c);
  Arena arena(size_t(1) << 20);
  const int n = o.tinyIters;
  auto opHeap = [&] {
    NoGradScope ng;
    for (int i = 0; i < n; ++i) Var y = ops::matmul(A, B);
  };
  auto opArena = [&] {
    NoGradScope ng;
    ArenaScope scope(arena);
    for (int i = 0; i < n; ++i) {
      { Var y = ops::matmul(A, B); }
      if (i % 1024 == 1023) arena.reset();
    }
    arena.reset();
  };
  auto kernel = [&] {
    for (int i = 0; i < n; ++i) kernels::matmul(a, b, c);
  };
  auto bareRun = [&] {
    for (int i = 0; i < n; ++i) bare.run();
  };
  std::vector<std::function<void()>> fns = {opHeap, opArena, kernel, bareRun};
  auto t = interleave(fns, {1, 1, 1, 1}, o.tinyRounds, o.warmup);
  const auto &t1 = t[0], &t2 = t[1], &t3 = t[2], &t4 = t[3];
  const double us = 1e6 / n;
  return {median(t1) * us, median(t2) * us, median(t3) * us, median(t4) * us};
}

int runOps(const OpsOptions& o) {
  setThreads(o.threads);
  fmt::print("lt-bench ops: threads {}, repeats {} (+{} warm-up) of samples >= {} s, medians; "
             "ratio = median over repeats of (ours speed / bare speed), interleaved\n",
             numThreads(), o.repeats, o.warmup, o.sampleSeconds);
  fmt::print("load average at start: {}\n", loadAverage());
  Peak peak;
  std::vector<std::array<int64_t, 3>> shapes;
  for (int64_t k : {512, 160})
    for (int64_t n : {k, int64_t(2048), int64_t(10000)}) shapes.push_back({o.rows, k, n});
  if (o.quick) shapes = {{o.rows, 512, 512}, {o.rows, 160, 160}};
  fmt::print("{:<22} {:>8} {:>8} {:>6} {:>6}   {:>8} {:>8} {:>6} {:>6}   {:>6} {:>6}  {}\n",
             "shape [MxK]·[KxN]", "fwd ours", "fwd bare", "ratio", "best", "bwd ours", "bwd bare",
             "ratio", "best", "peak", "%peak", "oneDNN impl");
  for (auto [M, K, N] : shapes) {
    ShapeResult r = benchShape(M, K, N, peak, o);
    fmt::print("{:<22} {:>8.1f} {:>8.1f} {:>6.3f} {:>6.3f}   {:>8.1f} {:>8.1f} {:>6.3f} {:>6.3f}   "
               "{:>6.1f} {:>5.0f}%  {}\n",
               fmt::format("[{}x{}]·[{}x{}]", M, K, K, N), r.oursFwd, r.bareFwd, r.fwdRatio,
               r.fwdBest, r.oursBwd, r.bareBwd, r.bwdRatio, r.bwdBest, r.peak,
               100.0 * r.oursFwd / r.peak, r.impl);
    std::fflush(stdout);
  }
  fmt::print(
      "(GFLOP/s medians; forward 2MNK flops, backward dA + dB = 4MNK flops; ratio = median\n"
      " of per-round ours/bare speed; best = fastest ours / fastest bare sample; peak =\n"
      " 2048^3 dnnl_sgemm timed in the same rounds, %peak = fwd ours / peak)\n");
  fmt::print("load average after shapes: {}\n\n", loadAverage());
  TinyResult t = benchTiny(o);
  fmt::print("tiny [1x8]·[8x8], us per call (median of {} samples of {} calls, interleaved):\n",
             o.tinyRounds, o.tinyIters);
  fmt::print("  bare oneDNN execute        {:7.3f}\n", t.bareUs);
  fmt::print("  kernels::matmul            {:7.3f}  overhead {:+.3f}\n", t.kernelUs,
             t.kernelUs - t.bareUs);
  fmt::print("  ops::matmul (arena)        {:7.3f}  overhead {:+.3f}\n", t.opArenaUs,
             t.opArenaUs - t.bareUs);
  fmt::print("  ops::matmul (heap)         {:7.3f}  overhead {:+.3f}\n", t.opUs, t.opUs - t.bareUs);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  lt::tuneHeapForTensors();
  cli::Program program("lt-bench", "Performance measurements of lt's kernels, ops, training and decoding.");
  int64_t blockCacheMb = int64_t(lt::LargeBlockCache::limit() >> 20);
  OpsOptions ops;
  bench::TrainBenchOptions tr;
  bench::DecodeBenchOptions de;
  bench::LayoutBenchOptions lay;
  auto add = [&](const char* name, const char* summary, auto bind, auto& options, auto run) {
    cli::Command& c = program.command(name, summary);
    bind(c.table, options);
    bench::bindBlockCache(c.table, blockCacheMb);
    c.run = [&options, run, &blockCacheMb] {
      lt::LargeBlockCache::setLimit(size_t(blockCacheMb) << 20);
      return run(options);
    };
  };
  add("ops", "matmul op vs bare oneDNN, peak sgemm, tiny-call overhead", bench::bindOps, ops, runOps);
  add("train", "training throughput on the peer's synthetic batches (scripts/bench/torch_train_bench.py)",
      bench::bindTrainBench, tr, bench::runTrainBench);
  add("decode", "beam decoding throughput with forced output lengths (scripts/bench/torch_decode_bench.py)",
      bench::bindDecodeBench, de, bench::runDecodeBench);
  add("layouts", "decoding-shape linears: stored w [out, in] vs wᵀ dense vs wᵀ packed (ops::packLinearWeight)",
      bench::bindLayouts, lay, bench::runLayoutBench);
  return program.main(argc, argv);
}
