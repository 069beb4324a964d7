// lt-bench decode: beam-search decoding throughput with random weights on the workload of
// scripts/bench/torch_decode_bench.py and ct2_decode_bench.py (bench_common.py):
//   * source: lines of --input (IWSLT'14 raw/test.de.gz), whitespace tokens hashed to ids
//     4 + crc32(token) % (vocab - 4), + EOS;
//   * forced output length L per sentence = whitespace tokens of the matching --ref line + 1
//     (the EOS step), or --tgt-len N for all: ForcedLengthScorer masks EOS before step L and
//     allows only EOS at step L, so every hypothesis runs exactly L decoder steps;
//   * batches: sentences stable-sorted by (L, source length) descending, cut into batches of
//     at most --batch-size sentences sharing one L, longest first;
//   * target tokens = sum of L; the clock covers all batches (encoder, state set-up, beam
//     search), not model building or input reading.
// Allocation check: lt-bench interposes malloc (bench/malloc_count.h) and counts, per
// decoder step of the model (ModelScorer::step: the incremental decoder + log-softmax), the
// heap calls and the bytes, and how much memory the allocator holds from the system before and after
// the steady-state steps.
#pragma once
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common.h"
#include "malloc_count.h"
#include "common/error.h"
#include "common/memory.h"
#include "common/profiler.h"
#include "common/rng.h"
#include "common/threads.h"
#include "common/timer.h"
#include "data/batch.h"
#include "data/text_reader.h"
#include "data/vocab.h"
#include "decode/search.h"
#include "kernels/backend.h"
#include "models/encoder_decoder.h"

namespace lt::bench {

struct DecodeBenchOptions {
  std::string model = "transformer512";
  int beam = 4;
  int batchSize = 64;
  int threads = 2;
  int maxSentences = 0;  // 0 = all
  int vocab = 10000;
  std::string tgtLen = "ref";
  uint64_t seed = 1;
  bool profile = false;
  int workers = 1;  // batches decoded at once (lt-translate --workers)
  bool plainWeights = false;  // skip freezeForInference: linears read w [out, in] (A/B)
  InferencePrecision precision = InferencePrecision::F32;  // lt-translate --precision
  std::string input = "/work/shared/data/iwslt14-de-en/raw/test.de.gz";
  std::string ref = "/work/shared/data/iwslt14-de-en/raw/test.en.gz";
};

// Wraps a Scorer so that EOS cannot be chosen before step L and is the only choice at step
// L (1-based): with beam search, every hypothesis then ends after exactly L steps. Also
// counts heap allocations made by the inner scorer's steps.
class ForcedLengthScorer : public decode::Scorer {
public:
  ForcedLengthScorer(decode::Scorer& inner, int length, int eos)
      : inner_(inner), length_(length), eos_(eos) {}
  Tensor step(const Tensor& prevWords) override {
    Tensor shift;
    Tensor lp = stepScores(prevWords, shift);
    if (shift.defined())
      for (int64_t r = 0; r < lp.dim(0); ++r)
        for (int64_t v = 0; v < lp.dim(1); ++v) lp.data<float>()[r * lp.dim(1) + v] -= shift.data<float>()[r];
    return lp;
  }
  // The inner scorer's logits and shifts with the forced tokens' scores set to -inf (as the
  // peer masks its log-probabilities: -inf either way).
  Tensor stepScores(const Tensor& prevWords, Tensor& shift) override {
    AllocCounts a0 = allocCounts();
    Tensor lp = inner_.stepScores(prevWords, shift);
    AllocCounts d = allocCounts() - a0;
    ++t_;
    if (t_ > 2) {  // steady state: after the first steps filled the arena
      steady_.calls += d.calls;
      steady_.bytes += d.bytes;
      steady_.big += d.big;
      ++steadySteps_;
    }
    const int64_t N = lp.dim(0), V = lp.dim(1);
    float* p = lp.data<float>();
    constexpr float kNegInf = -std::numeric_limits<float>::infinity();
    if (t_ < length_) {
      for (int64_t r = 0; r < N; ++r) p[r * V + eos_] = kNegInf;
    } else {
      for (int64_t r = 0; r < N; ++r)
        for (int64_t v = 0; v < V; ++v)
          if (v != eos_) p[r * V + v] = kNegInf;
    }
    return lp;
  }
  void reorder(const Tensor& indices) override { inner_.reorder(indices); }
  int vocabSize() const override { return inner_.vocabSize(); }
  int steps() const { return t_; }
  const AllocCounts& steadyAllocs() const { return steady_; }
  int steadySteps() const { return steadySteps_; }

private:
  decode::Scorer& inner_;
  int length_, eos_;
  int t_ = 0;
  AllocCounts steady_;
  int steadySteps_ = 0;
};

inline uint32_t crc32(const std::string& s) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char ch : s) c = table[(c ^ ch) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

// Python's str.split(): runs of Unicode whitespace separate tokens.
inline std::vector<std::string> splitWhitespace(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  size_t i = 0;
  while (i < line.size()) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    uint32_t cp = c;
    size_t len = 1;
    if (c >= 0xF0 && i + 3 < line.size()) {
      cp = ((c & 0x07u) << 18) | ((line[i + 1] & 0x3Fu) << 12) | ((line[i + 2] & 0x3Fu) << 6) | (line[i + 3] & 0x3Fu);
      len = 4;
    } else if (c >= 0xE0 && i + 2 < line.size()) {
      cp = ((c & 0x0Fu) << 12) | ((line[i + 1] & 0x3Fu) << 6) | (line[i + 2] & 0x3Fu);
      len = 3;
    } else if (c >= 0xC0 && i + 1 < line.size()) {
      cp = ((c & 0x1Fu) << 6) | (line[i + 1] & 0x3Fu);
      len = 2;
    }
    bool ws = (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 ||
              cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
              cp == 0x202F || cp == 0x205F || cp == 0x3000;
    if (ws) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.append(line, i, len);
    }
    i += len;
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

struct DecodeBatchPlan {
  std::vector<size_t> lines;
  int steps = 0;
};

inline int runDecodeBench(const DecodeBenchOptions& o) {
  setThreads(o.threads);
  std::vector<std::string> lines = data::readLines(o.input);
  if (o.maxSentences > 0 && size_t(o.maxSentences) < lines.size()) lines.resize(size_t(o.maxSentences));
  std::vector<std::vector<int32_t>> src;  // ids without EOS
  for (const auto& l : lines) {
    std::vector<int32_t> ids;
    for (const auto& tok : splitWhitespace(l)) ids.push_back(int32_t(4 + crc32(tok) % uint32_t(o.vocab - 4)));
    src.push_back(std::move(ids));
  }
  std::vector<int> steps;
  if (o.tgtLen == "ref") {
    std::vector<std::string> ref = data::readLines(o.ref);
    LT_CHECK(ref.size() >= lines.size(), DataError, "{}: {} lines, source has {}", o.ref, ref.size(),
             lines.size());
    for (size_t i = 0; i < lines.size(); ++i) steps.push_back(int(splitWhitespace(ref[i]).size()) + 1);
  } else {
    steps.assign(lines.size(), std::stoi(o.tgtLen));
  }
  std::vector<size_t> order(src.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (steps[a] != steps[b]) return steps[a] > steps[b];
    return src[a].size() > src[b].size();
  });
  std::vector<DecodeBatchPlan> plan;
  for (size_t i : order) {
    if (plan.empty() || int(plan.back().lines.size()) == o.batchSize || plan.back().steps != steps[i])
      plan.push_back({{}, steps[i]});
    plan.back().lines.push_back(i);
  }
  int maxSteps = 0;
  size_t maxSrc = 0;
  int64_t tgtTokens = 0, srcTokens = 0;
  for (size_t i = 0; i < src.size(); ++i) {
    maxSteps = std::max(maxSteps, steps[i]);
    maxSrc = std::max(maxSrc, src[i].size() + 1);
    tgtTokens += steps[i];
    srcTokens += int64_t(src[i].size() + 1);
  }
  std::vector<data::Batch> batches;
  for (const auto& p : plan) {
    std::vector<const std::vector<int32_t>*> ptrs;
    for (size_t i : p.lines) ptrs.push_back(&src[i]);
    batches.push_back(data::makeSourceBatch(ptrs, p.lines));
  }
  models::ModelConfig cfg = presetConfig(o.model, o.vocab, o.vocab,
                                         std::max({1024, maxSteps + 1, int(maxSrc) + 1}));
  ParamStore params;
  Rng initRng(o.seed);
  models::EncoderDecoder net(cfg, params, initRng);
  if (!o.plainWeights)  // as lt-translate
    params.freezeForInference(o.precision, /*releaseReplaced=*/true);
  decode::SearchOptions so;
  so.beamSize = o.beam;
  so.maxLenA = 0;
  so.minLen = 0;  // EOS masking is ForcedLengthScorer's job (L may be 1)
  so.maxLenCap = cfg.maxPositions;

  auto decodeBatch = [&](const data::Batch& b, int L, AllocCounts* setup) {
    const AllocCounts a0 = allocCounts();
    decode::SearchOptions s = so;
    s.maxLenB = L - 1;  // the model scorer's caches hold L steps; the forced EOS ends at L
    std::optional<ForcedLengthScorer> fs;
    auto hyps = decode::decodeBatch(net, b, s, [&](decode::Scorer& inner) -> decode::Scorer& {
      if (setup) *setup = allocCounts() - a0;
      return fs.emplace(inner, L, data::kEosId);
    });
    for (const auto& h : hyps)
      LT_CHECK(!h.empty() && int(h[0].tokens.size()) + 1 == L, Error,
               "forced length: a hypothesis has {} tokens, expected {}", h.empty() ? -1 : int(h[0].tokens.size()) + 1, L);
    LT_CHECK(fs->steps() == L, Error, "forced length: {} steps, expected {}", fs->steps(), L);
    return std::pair<AllocCounts, int>{fs->steadyAllocs(), fs->steadySteps()};
  };

  auto warmUp = [&] {  // the first batch cut to 2 sentences and 3 steps (as the peer)
    std::vector<const std::vector<int32_t>*> ptrs;
    for (size_t j = 0; j < std::min<size_t>(2, plan[0].lines.size()); ++j) ptrs.push_back(&src[plan[0].lines[j]]);
    std::vector<size_t> wid;
    for (size_t j = 0; j < ptrs.size(); ++j) wid.push_back(j);
    data::Batch w = data::makeSourceBatch(ptrs, wid);
    decodeBatch(w, 3, nullptr);
  };
  if (o.workers == 1) warmUp();
  LT_CHECK(o.workers >= 1 && o.workers <= numThreads(), ConfigError,
           "--workers {} must be between 1 and --threads {}", o.workers, numThreads());
  LT_CHECK(!(o.profile && o.workers > 1), ConfigError, "--profile needs --workers 1");
  const bool counting = o.workers == 1;  // heap counters are process-wide: one worker only
  enableAllocCounting(counting);
  AllocCounts steady{}, setupAll{};
  int64_t steadySteps = 0;
  const AllocCounts total0 = allocCounts();
  size_t sysAfterFirst = 0;
  kernels::MacCounter macs;  // everything the timed loop computes (encoder, decoder, output)
  if (o.profile) {
    profiler::reset();
    profiler::enable(true);
  }
  Timer t;
  double wall = 0;
  if (o.workers == 1) {
    kernels::MacCounterScope countScope(macs);
    for (size_t k = 0; k < batches.size(); ++k) {
      AllocCounts setup;
      auto [a, n] = decodeBatch(batches[k], plan[k].steps, &setup);
      steady.calls += a.calls;
      steady.bytes += a.bytes;
      steady.big += a.big;
      steadySteps += n;
      setupAll.calls += setup.calls;
      setupAll.bytes += setup.bytes;
      if (k == 0) sysAfterFirst = allocatorHeldBytes();
    }
    wall = t.seconds();
  } else {
    // As lt-translate --workers: each worker thread takes the next batch (longest first)
    // with threads/workers OpenMP threads. Each warms up its own primitives first; the clock
    // starts when all are ready.
    std::atomic<int64_t> macsAll{0};
    runOnWorkers(
        batches.size(), o.workers,
        [&](size_t k) {
          kernels::MacCounter mine;
          {
            kernels::MacCounterScope countScope(mine);
            decodeBatch(batches[k], plan[k].steps, nullptr);
          }
          macsAll += mine.macs;
        },
        warmUp, [&] { t = Timer(); });
    wall = t.seconds();
    macs.macs = macsAll;
  }
  if (o.profile) {
    profiler::enable(false);
    fmt::print(stderr, "lt-bench decode: op-level profile of the timed loop\n{}\n", profiler::table());
  }
  const AllocCounts total = allocCounts() - total0;
  enableAllocCounting(false);
  const size_t sysEnd = allocatorHeldBytes();
  const int64_t totalSteps = [&] {
    int64_t s = 0;
    for (const auto& p : plan) s += p.steps;
    return s;
  }();
  const std::string allocs =
      counting
          ? fmt::format(
                "\"model_step_allocs\": {{\"steps\": {}, \"heap_calls_per_step\": {:.1f}, "
                "\"heap_bytes_per_step\": {:.0f}, \"big_allocs\": {}}}, "
                "\"state_setup_allocs_per_batch\": {{\"heap_calls\": {:.1f}, \"heap_mb\": {:.2f}}}, "
                "\"all_heap_calls_per_decoder_step\": {:.1f}, "
                "\"system_heap_mb_after_first_batch\": {:.1f}, ",
                steadySteps, steadySteps ? double(steady.calls) / double(steadySteps) : 0.0,
                steadySteps ? double(steady.bytes) / double(steadySteps) : 0.0, steady.big,
                double(setupAll.calls) / double(batches.size()),
                double(setupAll.bytes) / double(batches.size()) / 1048576.0,
                double(total.calls) / double(totalSteps), double(sysAfterFirst) / 1048576.0)
          : std::string("\"model_step_allocs\": null, \"state_setup_allocs_per_batch\": null, ");
  fmt::print(
      "{{\"bench\": \"decode\", \"system\": \"lt\", \"model\": \"{}\", \"peer_model\": \"{}\", "
      "\"weights\": \"{}\", \"threads\": {}, \"workers\": {}, \"beam\": {}, \"batch_size\": {}, \"batches\": {}, "
      "\"sentences\": {}, \"tgt_tokens\": {}, \"src_tokens\": {}, \"seconds\": {:.2f}, "
      "\"sentences_per_s\": {:.2f}, \"tokens_per_s\": {:.1f}, \"gflop_per_s\": {:.1f}, "
      "\"peak_rss_mb\": {:.1f}, {}\"system_heap_mb_end\": {:.1f}, \"allocator\": \"{}\", \"date\": \"{}\", "
      "\"load_avg_1m\": {:.2f}}}\n",
      o.model, peerName(o.model), o.plainWeights ? "plain" : (o.precision == InferencePrecision::Int8 ? "int8" : "packed"), numThreads(), o.workers, o.beam, o.batchSize, batches.size(),
      src.size(), tgtTokens, srcTokens, wall, double(src.size()) / wall,
      double(tgtTokens) / wall, 2e-9 * double(macs.macs) / wall, procStatusMb("VmHWM"), allocs,
      double(sysEnd) / 1048576.0, allocatorName(), utcNow(), loadAverage1m());
  std::fflush(stdout);
  return 0;
}

}  // namespace lt::bench
