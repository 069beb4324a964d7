// TrainingState: every counter the loop needs to continue exactly where it
// stopped (Marian's training_state.h). Serialised into the training-state
// file next to the model file; see checkpoint.h.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lt::train {

struct ValidationRecord {
  int64_t update = 0;
  int64_t epoch = 0;
  double ce = 0;     // per-word cross-entropy (nats), no label smoothing
  double ppl = 0;
  double bleu = -1;  // -1 = not computed
  double seconds = 0;  // training time when recorded
};

struct TrainingState {
  int64_t updates = 0;         // completed optimizer updates
  int64_t epoch = 0;           // epochs started (batch generator)
  int64_t batches = 0;         // batches consumed
  int64_t tgtTokens = 0;       // target labels trained on
  int64_t sentences = 0;
  double trainSeconds = 0;     // summed over all runs
  double lr = 0;               // rate of the last update
  std::string batchGenerator;  // BatchGenerator::saveState()
  std::string rng;             // lt::Rng state of the loop (reserved for sampling)
  uint64_t seed = 0;           // seed of the run (dropout masks derive from seed and update)

  // Early stopping and checkpoint bookkeeping.
  std::string bestMetric;      // metric name the best value refers to
  double bestValue = 0;
  int64_t bestUpdate = -1;     // -1 = none yet
  int stalled = 0;             // validations since the last improvement
  std::vector<ValidationRecord> history;
  std::vector<std::string> keptCheckpoints;  // numbered checkpoint files, oldest first

  std::string serialize() const;
  // Throws IoError naming `what` when the bytes are malformed.
  static TrainingState deserialize(const std::string& bytes, const std::string& what);
};

// True when `value` is better than `best` for the metric (bleu: higher;
// ce-mean-words / perplexity: lower).
bool metricImproves(const std::string& metric, double value, double best);
// Value of `metric` in a record.
double metricValue(const std::string& metric, const ValidationRecord& r);

}  // namespace lt::train
