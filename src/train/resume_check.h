// What may change when lt-train continues an existing model (--model exists, --resume true).
//
// The architecture comes from the checkpoint: model keys that this run does not set are
// taken from it. A model key that this run sets (in a --config file or as a flag) must equal
// the checkpoint's value; otherwise the run is refused with a ConfigError naming each
// differing key, where it was set, and both values, instead of silently training the old
// model. Model keys (models::modelConfigKeys(): layers, widths, blocks, heads, norms,
// sharing, dropouts, positions, init, cross-attention, budget) may not change.
// src-vocab-size / tgt-vocab-size are filled from the vocabularies, which are checked by
// fingerprint instead (--vocab). Training keys may change: optimizer and schedule (lr,
// lr-schedule, warmup-*, min-lr, lr-period-updates, adam-*, weight-decay*, label-smoothing,
// clip-norm, update-freq), stopping (max-updates, max-epochs, time-limit, early-stopping),
// validation, checkpoints, logging, threads. The training data and its batching (train-src/
// tgt, max-length, max-tokens, sort-chunk) must stay: the batch generator's saved position is
// refused with its own error otherwise (data/batch_generator.h). With a budget, the widths the
// budget search chose are compared as that search scales them (models::withModelDim).
#pragma once
#include <string>
#include <vector>

#include "models/model_config.h"

namespace lt::train {

// A model key set for this run, and where ("configs/a.yml:3", "--model-dim").
struct GivenKey {
  std::string key, where;
};

// One model key whose value differs: "model-dim 32 (--model-dim), checkpoint 64".
struct KeyDifference {
  std::string key, where, given, checkpoint;  // values as flow YAML
};

// Differences between the keys given for this run and the checkpoint's config.
std::vector<KeyDifference> resumeConfigDifferences(const models::ModelConfig& requested,
                                                   const std::vector<GivenKey>& given,
                                                   const models::ModelConfig& checkpoint);

// Throws ConfigError naming `modelPath` and every difference (see above).
void checkResumeConfig(const models::ModelConfig& requested, const std::vector<GivenKey>& given,
                       const models::ModelConfig& checkpoint, const std::string& modelPath);

}  // namespace lt::train
