#include "train/training_state.h"

#include "common/error.h"
#include "train/file_io.h"

namespace lt::train {

namespace {
constexpr uint32_t kStateVersion = 1;
}

std::string TrainingState::serialize() const {
  ByteWriter w;
  w.u32(kStateVersion);
  w.u64(uint64_t(updates));
  w.u64(uint64_t(epoch));
  w.u64(uint64_t(batches));
  w.u64(uint64_t(tgtTokens));
  w.u64(uint64_t(sentences));
  w.f64(trainSeconds);
  w.f64(lr);
  w.bytes(batchGenerator);
  w.bytes(rng);
  w.u64(seed);
  w.bytes(bestMetric);
  w.f64(bestValue);
  w.u64(uint64_t(bestUpdate));
  w.u32(uint32_t(stalled));
  w.u64(history.size());
  for (const auto& h : history) {
    w.u64(uint64_t(h.update));
    w.u64(uint64_t(h.epoch));
    w.f64(h.ce);
    w.f64(h.ppl);
    w.f64(h.bleu);
    w.f64(h.seconds);
  }
  w.u64(keptCheckpoints.size());
  for (const auto& k : keptCheckpoints) w.bytes(k);
  return w.data();
}

TrainingState TrainingState::deserialize(const std::string& bytes, const std::string& what) {
  ByteReader r(bytes, what);
  uint32_t v = r.u32();
  LT_CHECK(v == kStateVersion, IoError, "{}: training-state version {} (this build reads {})", what,
           v, kStateVersion);
  TrainingState s;
  s.updates = int64_t(r.u64());
  s.epoch = int64_t(r.u64());
  s.batches = int64_t(r.u64());
  s.tgtTokens = int64_t(r.u64());
  s.sentences = int64_t(r.u64());
  s.trainSeconds = r.f64();
  s.lr = r.f64();
  s.batchGenerator = r.bytes();
  s.rng = r.bytes();
  s.seed = r.u64();
  s.bestMetric = r.bytes();
  s.bestValue = r.f64();
  s.bestUpdate = int64_t(r.u64());
  s.stalled = int(r.u32());
  uint64_t nh = r.u64();
  LT_CHECK(nh <= r.remaining() / 48, IoError, "{}: corrupt validation history", what);
  s.history.resize(nh);
  for (auto& h : s.history) {
    h.update = int64_t(r.u64());
    h.epoch = int64_t(r.u64());
    h.ce = r.f64();
    h.ppl = r.f64();
    h.bleu = r.f64();
    h.seconds = r.f64();
  }
  uint64_t nk = r.u64();
  LT_CHECK(nk <= r.remaining() / 8, IoError, "{}: corrupt checkpoint list", what);
  for (uint64_t i = 0; i < nk; ++i) s.keptCheckpoints.push_back(r.bytes());
  LT_CHECK(r.remaining() == 0, IoError, "{}: {} unexpected trailing bytes", what, r.remaining());
  return s;
}

bool metricImproves(const std::string& metric, double value, double best) {
  if (metric == "bleu") return value > best;
  return value < best;
}

double metricValue(const std::string& metric, const ValidationRecord& r) {
  if (metric == "bleu") return r.bleu;
  if (metric == "perplexity") return r.ppl;
  return r.ce;
}

}  // namespace lt::train
