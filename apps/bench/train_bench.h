// lt-bench train: training throughput of the peer presets on synthetic batches, the same
// workload as scripts/bench/torch_train_bench.py (see scripts/bench/bench_common.py):
//   * batch shapes: the peer's `--dump-batches` file (--batches F: identical (S, T) per
//     sentence, in the same order), or generated here with the same recipe (IWSLT'14 bpe10k
//     test length pairs resampled into a pool of 160,239, shuffled, stable-sorted by (T, S),
//     cut so that sentences * max(S, T) <= max-tokens, batch order shuffled; our RNG, so the
//     batches differ from the peer's in detail but not in distribution);
//   * ids uniform in [4, vocab), src = x + EOS, tgtIn = BOS + y, tgtOut = y + EOS;
//   * one update = zero grads, teacher-forced forward (dropout on), label-smoothed CE
//     (eps 0.1, summed), backward, Adam (lr 5e-4, betas 0.9/0.98, eps 1e-8; gradients
//     scaled by 1/target tokens inside the step, no clipping: the peer does not clip);
//   * target tokens = sum of T over the sentences; tokens/s = median over the measured
//     updates of tokens / wall time of the update.
// FLOPs: 6 x forward multiply-adds (forward 2 x MACs, backward 2 x forward), counted
// analytically on the padded shapes: every linear incl. the output projection, attention
// scores and weighted sums over the full padded S x S, T x T (causal not halved), T x S, and
// the depthwise conv (C x k per position). This is what torch's FlopCounterMode counts for
// the peer (its gflop_per_update_est is 3 x counted forward FLOPs).
#pragma once
#include <fmt/format.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "autodiff/param_store.h"
#include "autodiff/var.h"
#include "common.h"
#include "common/error.h"
#include "common/memory.h"
#include "common/profiler.h"
#include "common/rng.h"
#include "common/threads.h"
#include "common/timer.h"
#include "data/batch.h"
#include "data/text_reader.h"
#include "data/vocab.h"
#include "models/encoder_decoder.h"
#include "ops/cross_entropy.h"
#include "ops/shape_ops.h"
#include "train/adam.h"

namespace lt::bench {

struct TrainBenchOptions {
  std::string model = "lite160";
  int maxTokens = 4096;
  int threads = 2;
  int updates = 15;
  int warmup = 3;
  int vocab = 10000;
  int pool = 160239;
  uint64_t seed = 1;
  std::string batches;  // peer's --dump-batches file
  bool profile = false;  // op-level wall-time table on stderr (measured updates only)
  float attentionDropout = 0.f;  // override the preset's 0 (the shipped Multi30k presets use 0.1)
  bool keepLogits = false;  // A/B: the loss's gradient in a buffer of its own (ops::Logits::Keep)
  std::string srcLengths = "/work/shared/data/iwslt14-de-en/bpe10k/test.de.gz";
  std::string tgtLengths = "/work/shared/data/iwslt14-de-en/bpe10k/test.en.gz";
};

using Shape2 = std::vector<std::pair<int, int>>;  // (S, T) per sentence

inline std::vector<Shape2> readBatchShapes(const std::string& path) {
  std::ifstream f(path);
  LT_CHECK(f.good(), IoError, "--batches: cannot read '{}'", path);
  std::vector<Shape2> out;
  std::string line;
  int lineNo = 0;
  while (std::getline(f, line)) {
    ++lineNo;
    if (line.empty()) continue;
    auto s = jsonIntArray(line, "src_lengths"), t = jsonIntArray(line, "tgt_lengths");
    LT_CHECK(!s.empty() && s.size() == t.size(), DataError,
             "{}:{}: expected src_lengths and tgt_lengths arrays of equal size", path, lineNo);
    Shape2 b;
    for (size_t i = 0; i < s.size(); ++i) b.push_back({int(s[i]), int(t[i])});
    out.push_back(std::move(b));
  }
  LT_CHECK(!out.empty(), DataError, "{}: no batches", path);
  return out;
}

inline size_t countTokens(const std::string& line) {
  size_t n = 0;
  bool in = false;
  for (char c : line) {
    bool ws = c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
    if (!ws && !in) ++n;
    in = !ws;
  }
  return n;
}

// The peer's make_train_batches recipe with our own (seeded) RNG.
inline std::vector<Shape2> makeBatchShapes(const TrainBenchOptions& o) {
  auto src = data::readLines(o.srcLengths), tgt = data::readLines(o.tgtLengths);
  LT_CHECK(src.size() == tgt.size(), DataError, "{}: {} lines but {}: {} lines", o.srcLengths,
           src.size(), o.tgtLengths, tgt.size());
  std::vector<std::pair<int, int>> pairs;
  for (size_t i = 0; i < src.size(); ++i)
    pairs.push_back({int(countTokens(src[i])), int(countTokens(tgt[i]))});
  std::mt19937_64 rng(o.seed);
  if (o.pool > 0) {
    std::vector<std::pair<int, int>> p;
    std::uniform_int_distribution<size_t> pick(0, pairs.size() - 1);
    for (int i = 0; i < o.pool; ++i) p.push_back(pairs[pick(rng)]);
    pairs = std::move(p);
  }
  Shape2 items;
  for (auto [s, t] : pairs)
    if (std::max(s + 1, t + 1) <= o.maxTokens) items.push_back({s + 1, t + 1});
  std::shuffle(items.begin(), items.end(), rng);
  std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second < b.second : a.first < b.first;
  });
  std::vector<Shape2> batches;
  Shape2 cur;
  int width = 0;
  for (auto st : items) {
    int w = std::max({width, st.first, st.second});
    if (!cur.empty() && int(cur.size() + 1) * w > o.maxTokens) {
      batches.push_back(cur);
      cur.clear();
      w = std::max(st.first, st.second);
    }
    cur.push_back(st);
    width = w;
  }
  if (!cur.empty()) batches.push_back(cur);
  std::shuffle(batches.begin(), batches.end(), rng);
  return batches;
}

inline data::Batch syntheticBatch(const Shape2& shape, int vocab, Rng& rng) {
  const int64_t B = int64_t(shape.size());
  int S = 0, T = 0;
  for (auto [s, t] : shape) S = std::max(S, s), T = std::max(T, t);
  data::Batch b;
  b.src = Tensor::zeros(Shape{B, S}, DType::I32);
  b.tgtIn = Tensor::zeros(Shape{B, T}, DType::I32);
  b.tgtOut = Tensor::zeros(Shape{B, T}, DType::I32);
  int32_t *src = b.src.data<int32_t>(), *tin = b.tgtIn.data<int32_t>(), *tout = b.tgtOut.data<int32_t>();
  auto id = [&] { return int32_t(4 + int(rng.uniform(0.f, 1.f) * float(vocab - 4)) % (vocab - 4)); };
  for (int64_t r = 0; r < B; ++r) {
    auto [s, t] = shape[size_t(r)];
    for (int i = 0; i < s - 1; ++i) src[r * S + i] = id();
    src[r * S + s - 1] = data::kEosId;
    tin[r * T] = data::kBosId;
    for (int i = 0; i < t - 1; ++i) {
      int32_t y = id();
      tin[r * T + 1 + i] = y;
      tout[r * T + i] = y;
    }
    tout[r * T + t - 1] = data::kEosId;
    b.srcLengths.push_back(s);
    b.tgtLengths.push_back(t);
    b.srcTokens += s;
    b.tgtTokens += t;
    b.ids.push_back(size_t(r));
  }
  return b;
}

// Forward multiply-adds of one teacher-forced batch [B, S] -> [B, T] (see the header).
inline double forwardMacs(const models::ModelConfig& c, double B, double S, double T) {
  const double d = c.modelDim, f = c.ffnDim, V = c.tgtVocab;
  auto mixer = [&](const models::BlockConfig& blk, int layer, double n) {  // n = time steps
    double m = 0;
    for (const auto& br : blk.branches) {
      const double w = br.dim;
      if (br.type == "attention") {
        m += 4 * w * w * B * n + 2 * B * n * n * w;
      } else {  // lightconv: linear1, linear2, depthwise conv
        m += 2 * w * w * B * n + w * br.kernelFor(layer) * B * n;
      }
    }
    return m;
  };
  double m = 0;
  for (int l = 0; l < c.encoderLayers; ++l) m += mixer(c.encoderBlock, l, S) + 2 * d * f * B * S;
  for (int l = 0; l < c.decoderLayers; ++l)
    m += mixer(c.decoderBlock, l, T) + 2 * d * d * B * T + 2 * d * d * B * S + 2 * B * T * S * d +
         2 * d * f * B * T;
  return m + d * V * B * T;
}

inline int runTrainBench(const TrainBenchOptions& o) {
  setThreads(o.threads);
  models::ModelConfig cfg = presetConfig(o.model, o.vocab, o.vocab);
  cfg.attentionDropout = o.attentionDropout;
  ParamStore params;
  Rng initRng(o.seed);
  models::EncoderDecoder net(cfg, params, initRng);
  train::AdamOptions ao;
  ao.beta1 = 0.9;
  ao.beta2 = 0.98;
  ao.eps = 1e-8;
  train::Adam adam(ao);
  std::vector<Shape2> shapes = o.batches.empty() ? makeBatchShapes(o) : readBatchShapes(o.batches);
  const int n = o.warmup + o.updates;
  Rng dataRng(o.seed + 17);
  std::vector<data::Batch> batches;
  for (int i = 0; i < n; ++i) batches.push_back(syntheticBatch(shapes[size_t(i) % shapes.size()], o.vocab, dataRng));

  std::vector<double> times, rates, losses;
  double tok = 0, macs = 0, sents = 0;
  for (int i = 0; i < n; ++i) {
    const data::Batch& b = batches[size_t(i)];
    if (o.profile && i == o.warmup) {
      profiler::enable(true);
      profiler::reset();
    }
    Timer t;
    {
      profiler::Section zs("zero_grad");
      params.zeroGrad();
    }
    models::ForwardOptions fo;
    fo.train = true;
    fo.dropoutSeed = o.seed * 1000003ull + uint64_t(i);
    Var logits = net.forward(b.src, b.tgtIn, fo);  // [B, T, V]
    const int64_t rows = b.tgtOut.elements();
    Var flat = ops::reshape(logits, Shape{rows, logits.dim(2)});
    ops::CrossEntropyResult r =
        ops::labelSmoothedCrossEntropy(flat, b.tgtOut.reshape(Shape{rows}), 0.1f, data::kPadId,
                                       o.keepLogits ? ops::Logits::Keep : ops::Logits::Consume);
    const double loss = r.loss.value().item();
    backward(r.loss);
    {
      profiler::Section as("adam");
      adam.step(params, 5e-4, 1.0 / double(std::max<int64_t>(r.tokens, 1)));
    }
    const double dt = t.seconds();
    losses.push_back(loss / double(b.tgtTokens));
    if (i >= o.warmup) {
      times.push_back(dt);
      rates.push_back(double(b.tgtTokens) / dt);
      tok += double(b.tgtTokens);
      sents += double(b.sentences());
      macs += forwardMacs(cfg, double(b.sentences()), double(b.srcWidth()), double(b.tgtWidth()));
    }
  }
  double sumT = 0;
  for (double x : times) sumT += x;
  if (o.profile) {
    fmt::print(stderr, "op-level profile, {} measured updates, {:.1f} ms wall:\n{}", o.updates,
               1e3 * sumT, profiler::table());
    profiler::enable(false);
  }
  fmt::print(
      "{{\"bench\": \"train\", \"system\": \"lt\", \"model\": \"{}\", \"peer_model\": \"{}\", "
      "\"attention_dropout\": {}, \"threads\": {}, \"max_tokens\": {}, \"updates\": {}, \"warmup\": {}, "
      "\"batches\": \"{}\", \"tgt_tokens_per_update\": {:.1f}, \"sentences_per_update\": {:.1f}, "
      "\"tokens_per_s\": {:.1f}, \"tokens_per_s_aggregate\": {:.1f}, \"ms_per_update\": {:.1f}, "
      "\"loss_per_token_first_last\": [{:.3f}, {:.3f}], \"params\": {}, "
      "\"gflop_per_update_est\": {:.1f}, \"gflop_per_s_est\": {:.1f}, "
      "\"flops\": \"6 x forward MACs incl. output projection, padded shapes\", "
      "\"peak_rss_mb\": {:.1f}, \"allocator\": \"{}\", \"matmul_primitives\": {}, \"matmul_misses\": {}, "
      "\"date\": \"{}\", \"load_avg_1m\": {:.2f}}}\n",
      o.model, peerName(o.model), o.attentionDropout, numThreads(), o.maxTokens, o.updates, o.warmup,
      o.batches.empty() ? "generated" : o.batches, tok / o.updates, sents / o.updates,
      median(rates), tok / sumT, 1e3 * median(times), losses.front(), losses.back(),
      params.numElements(), 6 * macs / o.updates / 1e9, 6 * macs / sumT / 1e9,
      procStatusMb("VmHWM"), allocatorName(), kernels::matmulCacheStats().size, kernels::matmulCacheStats().misses,
      utcNow(), loadAverage1m());
  std::fflush(stdout);
  return 0;
}

}  // namespace lt::bench
