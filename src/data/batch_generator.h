// BatchGenerator: token-budget batches over a Corpus, epoch after epoch.
//
// Per epoch: shuffle the pair order with the generator's Rng, cut it into
// chunks of `sortChunk` pairs, stable-sort each chunk by (target length,
// source length), cut batches greedily so that
//     sentences * max(S, T) <= maxTokens      (fairseq --max-tokens)
// with S = source tokens + EOS and T = target tokens + 1, then shuffle the
// order of the batches. Everything random comes from one lt::Rng seeded by
// `seed`; saveState()/loadState() capture (epoch, position in the epoch, Rng
// state at the start of the epoch), so a restored generator returns exactly
// the batches an uninterrupted one would.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/rng.h"
#include "data/batch.h"

namespace lt::data {

class Corpus;

struct BatchOptions {
  int64_t maxTokens = 4096;  // per batch: sentences * max(S, T) <= maxTokens
  size_t maxSentences = 0;   // per batch (0 = no limit)
  size_t sortChunk = 0;      // pairs sorted by length together (0 = the whole epoch)
  bool shuffle = true;       // false: corpus order, batches in length order
  uint64_t seed = 1;
};

class BatchGenerator {
public:
  // `corpus` must outlive the generator and stay unchanged. Throws
  // ConfigError when a pair alone exceeds maxTokens or the corpus is empty.
  BatchGenerator(const Corpus& corpus, const BatchOptions& opts);

  // The next batch; starts the next epoch first when the current one is done.
  Batch next();
  // Corpus indices of the next batch, without building it (advances like next()).
  std::vector<size_t> nextIndices();

  size_t epoch() const { return epoch_; }            // epochs started (1 = first)
  size_t position() const { return pos_; }           // batches returned in this epoch
  size_t batchesInEpoch() const { return starts_.empty() ? 0 : starts_.size() - 1; }
  bool endOfEpoch() const { return epoch_ > 0 && pos_ == batchesInEpoch(); }

  // Text form of the position; loadState() throws IoError on a malformed state
  // or one saved for a different corpus size or options.
  std::string saveState() const;
  void loadState(const std::string& state);

private:
  void planEpoch();  // consumes rng_
  const Corpus& corpus_;
  BatchOptions opts_;
  Rng rng_;
  std::string rngAtEpochStart_;
  size_t epoch_ = 0, pos_ = 0;
  std::vector<size_t> order_;   // corpus indices, batch after batch
  std::vector<size_t> starts_;  // batch b = order_[starts_[b], starts_[b+1])
};

}  // namespace lt::data
