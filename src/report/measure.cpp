#include "report/measure.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <vector>

#include "common/error.h"
#include "common/rng.h"
#include "common/threads.h"
#include "common/timer.h"
#include "decode/search.h"

namespace lt::report {

data::Batch randomSourceBatch(int n, int len, int vocab, uint64_t seed) {
  LT_CHECK(n >= 1 && len >= 2, ConfigError, "measure: need >= 1 sentence of length >= 2, got {} of {}",
           n, len);
  LT_CHECK(vocab > 4, ConfigError, "measure: source vocabulary of {} has no ordinary tokens", vocab);
  std::vector<std::vector<int32_t>> rows(static_cast<size_t>(n));
  std::vector<const std::vector<int32_t>*> ptrs;
  std::vector<size_t> ids;
  for (int i = 0; i < n; ++i) {
    auto& r = rows[size_t(i)];
    for (int j = 0; j + 1 < len; ++j) {
      float u = philoxUniform(seed, uint64_t(i), uint64_t(j));
      int id = 4 + std::min(vocab - 5, int(u * float(vocab - 4)));
      r.push_back(id);
    }
    ptrs.push_back(&r);
    ids.push_back(size_t(i));
  }
  return data::makeSourceBatch(ptrs, std::move(ids));
}

std::vector<std::vector<decode::Hypothesis>> decodeForcedLength(models::EncoderDecoder& net,
                                                                 const data::Batch& src, int beam,
                                                                 int steps) {
  decode::SearchOptions so;
  so.beamSize = beam;
  so.maxLenA = 0;
  so.maxLenB = steps - 1;
  so.minLen = steps - 1;
  so.maxLenCap = net.config().maxPositions - 1;
  return decode::decodeBatch(net, src, so);
}

Measurement measureDecoding(models::EncoderDecoder& net, const MeasureOptions& opt, int threads) {
  LT_CHECK(opt.beam >= 1, ConfigError, "--beam must be >= 1, got {}", opt.beam);
  LT_CHECK(opt.sentences >= 1, ConfigError, "--measure-sentences must be >= 1, got {}", opt.sentences);
  LT_CHECK(opt.batch >= 1, ConfigError, "--measure-batch must be >= 1, got {}", opt.batch);
  LT_CHECK(opt.tgtLen >= 2 && opt.srcLen >= 2, ConfigError, "--seq-len must be >= 2 to measure");
  LT_CHECK(opt.tgtLen <= net.config().maxPositions && opt.srcLen <= net.config().maxPositions,
           ConfigError, "--seq-len {} exceeds the model's max-positions {}",
           std::max(opt.srcLen, opt.tgtLen), net.config().maxPositions);
  struct ThreadGuard {
    int prev = numThreads();
    ~ThreadGuard() { setThreads(prev); }
  } guard;
  if (threads > 0) setThreads(threads);
  Measurement m;
  m.threads = numThreads();
  if (std::ifstream la("/proc/loadavg"); la >> m.loadAverage) {
  } else {
    m.loadAverage = -1;
  }
  const int vocab = net.config().srcVocab;

  // Latency at batch 1: distinct sentences, median.
  std::vector<double> ms;
  for (int i = 0; i < opt.warmup + opt.sentences; ++i) {
    data::Batch b = randomSourceBatch(1, opt.srcLen, vocab, opt.seed + uint64_t(i));
    Timer t;
    decodeForcedLength(net, b, opt.beam, opt.tgtLen);
    double e = t.seconds() * 1e3;
    if (i >= opt.warmup) ms.push_back(e);
  }
  std::sort(ms.begin(), ms.end());
  const size_t n = ms.size();
  m.latencyMedianMs = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
  m.latencyMinMs = ms.front();

  // Throughput at a large batch.
  data::Batch big = randomSourceBatch(opt.batch, opt.srcLen, vocab, opt.seed + 1000003);
  double best = 1e300;
  for (int r = 0; r < std::max(1, opt.batchRepeats); ++r) {
    Timer t;
    decodeForcedLength(net, big, opt.beam, opt.tgtLen);
    best = std::min(best, t.seconds());
  }
  m.batchSeconds = best;
  m.sentencesPerSecond = best > 0 ? double(opt.batch) / best : 0;
  return m;
}

}  // namespace lt::report
