// lt-bench: performance measurements.
//
//   lt-bench ops [--threads 2] [--repeats 11] [--quick] (--help for all options)
//   lt-bench train --model lite160|transformer160|transformer512-ffn1024 [--max-tokens 4096]
//                  [--threads 2] [--updates 15] [--warmup 3] [--batches F]
//   lt-bench decode --model transformer512|lite160 [--beam 4] [--batch-size 64] [--threads 2]
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
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "autodiff/var.h"
#include "bench/decode_bench.h"
#include "bench/layout_bench.h"
#include "bench/malloc_count.h"
#include "bench/train_bench.h"
#include "common/memory.h"
#include "common/error.h"
#include "common/output_file.h"
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

struct OpsOptions {
  int threads = 2;
  int repeats = 11;
  int warmup = 1;
  int tinyIters = 5000;
  int tinyRounds = 31;
  double sampleSeconds = 0.05;
  bool quick = false;
  int64_t rows = 4096;  // M of every shape (4096 = a training batch; 256 = 64 sentences x beam 4)
};

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
  lt::installOutputSignalHandlers();
  CLI::App app{"lt-bench: performance measurements of lt's kernels and ops"};
  app.require_subcommand(1);
  int64_t blockCacheMb = int64_t(lt::LargeBlockCache::limit() >> 20);
  app.add_option("--large-block-cache-mb", blockCacheMb,
                 "freed tensor blocks >= 8 MiB kept for reuse, in MiB (0 = off; A/B of tensor/block_cache.h)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  OpsOptions ops;
  CLI::App* cmdOps =
      app.add_subcommand("ops", "matmul op vs bare oneDNN, peak sgemm, tiny-call overhead");
  cmdOps->add_option("--threads", ops.threads, "OpenMP/oneDNN threads")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmdOps->add_option("--repeats", ops.repeats, "timed rounds per shape (medians)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmdOps->add_option("--warmup", ops.warmup, "untimed warm-up rounds")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmdOps->add_option("--sample-seconds", ops.sampleSeconds, "target duration of one sample")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmdOps->add_option("--tiny-iters", ops.tinyIters, "calls per tiny-op sample")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmdOps->add_option("--tiny-rounds", ops.tinyRounds, "tiny-op samples per variant")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmdOps->add_flag("--quick", ops.quick, "only the two square shapes");
  cmdOps->add_option("--rows", ops.rows, "M of every matmul shape (256 = decoding 64 sentences x beam 4)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();

  bench::TrainBenchOptions tr;
  CLI::App* cmdTrain = app.add_subcommand(
      "train", "training throughput on the peer's synthetic batches (scripts/bench/torch_train_bench.py)");
  cmdTrain->add_option("--model", tr.model, "lite160 | transformer160 | transformer512-ffn1024 | transformer512")
      ->capture_default_str();
  cmdTrain->add_option("--max-tokens", tr.maxTokens, "sentences * max(S, T) per batch")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmdTrain->add_option("--threads", tr.threads, "OpenMP/oneDNN threads")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmdTrain->add_option("--updates", tr.updates, "measured updates")->check(CLI::PositiveNumber)->capture_default_str();
  cmdTrain->add_option("--warmup", tr.warmup, "updates before measuring")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmdTrain->add_option("--vocab", tr.vocab, "source and target vocabulary")->check(CLI::Range(8, 1 << 24))->capture_default_str();
  cmdTrain->add_option("--seed", tr.seed, "batching, token and weight seed")->capture_default_str();
  cmdTrain->add_flag("--profile", tr.profile, "op-level wall-time table on stderr (measured updates)");
  cmdTrain->add_option("--attention-dropout", tr.attentionDropout,
                       "dropout on the attention probabilities (the preset's is 0; the peer has none)")
      ->check(CLI::Range(0.0, 0.99))
      ->capture_default_str();
  cmdTrain->add_flag("--keep-logits", tr.keepLogits,
                     "A/B: the loss gradient in its own buffer instead of over the logits (lt-train consumes them)");
  cmdTrain->add_option("--batches", tr.batches,
                       "batch shapes from torch_train_bench.py --dump-batches (default: generate)");
  cmdTrain->add_option("--pool", tr.pool, "pairs resampled before batching when generating")->capture_default_str();

  bench::DecodeBenchOptions de;
  CLI::App* cmdDecode = app.add_subcommand(
      "decode", "beam decoding throughput with forced output lengths (scripts/bench/torch_decode_bench.py)");
  cmdDecode->add_option("--model", de.model, "transformer512 | lite160 | transformer160 | transformer512-ffn1024")
      ->capture_default_str();
  cmdDecode->add_option("--beam", de.beam, "beam size")->check(CLI::Range(1, 64))->capture_default_str();
  cmdDecode->add_option("--batch-size", de.batchSize, "sentences per batch")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmdDecode->add_option("--threads", de.threads, "OpenMP/oneDNN threads")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmdDecode->add_option("--input", de.input, "source text (plain or gzip)")->capture_default_str();
  cmdDecode->add_option("--ref", de.ref, "reference text whose lengths force the outputs")->capture_default_str();
  cmdDecode->add_option("--tgt-len", de.tgtLen, "'ref' (reference tokens + 1) or a fixed number of steps")
      ->capture_default_str();
  cmdDecode->add_option("--workers", de.workers, "batches decoded at once, threads/workers threads each")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmdDecode->add_flag("--plain-weights", de.plainWeights,
                      "linears read the stored w [out, in] instead of lt-translate's packed copy (A/B)");
  cmdDecode->add_flag("--int8", de.int8, "int8 linears (lt-translate --precision int8)");
  cmdDecode->add_flag("--profile", de.profile, "op-level wall-time table on stderr (timed loop)");
  cmdDecode->add_option("--max-sentences", de.maxSentences, "only the first N lines (0 = all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmdDecode->add_option("--vocab", de.vocab, "vocabulary size of the hashed ids")->check(CLI::Range(8, 1 << 24))->capture_default_str();
  cmdDecode->add_option("--seed", de.seed, "weight seed")->capture_default_str();
  bench::LayoutBenchOptions lay;
  CLI::App* cmdLayouts = app.add_subcommand(
      "layouts", "decoding-shape linears: stored w [out, in] vs wᵀ dense vs wᵀ packed (ops::packLinearWeight)");
  cmdLayouts->add_option("--threads", lay.threads, "OpenMP/oneDNN threads")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmdLayouts->add_option("--repeats", lay.repeats, "timed rounds per shape (medians)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "lt-bench: {}\n", e.what());
    return 2;  // configuration error
  }
  lt::LargeBlockCache::setLimit(size_t(blockCacheMb) << 20);
  try {
    if (cmdOps->parsed()) return runOps(ops);
    if (cmdTrain->parsed()) return bench::runTrainBench(tr);
    if (cmdDecode->parsed()) return bench::runDecodeBench(de);
    if (cmdLayouts->parsed()) return bench::runLayoutBench(lay);
  } catch (const std::exception& e) {
    fmt::print(stderr, "lt-bench: error: {}\n", e.what());
    return exitCodeFor(e);
  }
  return 0;
}
