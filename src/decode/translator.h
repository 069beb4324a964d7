// Translator: raw lines in, detokenised hypotheses out, in input order.
// Non-empty lines are encoded and grouped into length-sorted batches
// (data::makeDecodeBatches); each batch gets a fresh Scorer from the factory
// (the model's encoder runs there) and goes through search() (beam or greedy); results are
// put back at their line numbers. Empty lines give empty outputs without
// running the model. With workers > 1 the factory and the scorers it makes are used
// from several threads at once (one scorer per batch, never shared).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "data/batch.h"
#include "data/vocab.h"
#include "decode/input_limit.h"
#include "decode/search.h"
#include "models/translation_model.h"

namespace lt::decode {

struct TranslateOptions {
  SearchOptions search;
  data::DecodeBatchOptions batching;
  // Batches decoded at the same time, each by its own thread with threads/workers OpenMP
  // threads inside (Marian's CPU workers, CTranslate2's inter_threads). Decoding runs many
  // small ops per step; on few cores whole batches in parallel waste less time joining
  // threads than one batch split across them. Results do not depend on it.
  int workers = 1;
  // Sources longer than inputLimit.maxTokens (0 = no limit) are an error naming the line,
  // truncated, or skipped (an empty output), as decode/input_limit.h describes.
  InputLimit inputLimit;
};

struct TranslateStats {
  size_t sentences = 0;
  int64_t targetTokens = 0;  // generated tokens of the best hypotheses, EOS included
  double seconds = 0;
};

class Translator {
public:
  Translator(const data::Vocab& srcVocab, const data::Vocab& tgtVocab, ScorerFactory factory,
             TranslateOptions opts);

  // Up to nBest hypotheses per line (an empty line gives one empty hypothesis). `origin`
  // names the lines in messages (over-long lines: "<source>:<line>").
  std::vector<std::vector<Hypothesis>> translate(const std::vector<std::string>& lines,
                                                 const LineOrigin& origin = {});
  std::string detokenize(const Hypothesis& h) const;
  const TranslateStats& stats() const { return stats_; }
  const LongInputReport& longInputs() const { return longInputs_; }
  LongInputReport& longInputs() { return longInputs_; }

private:
  const data::Vocab& srcVocab_;
  const data::Vocab& tgtVocab_;
  ScorerFactory factory_;
  TranslateOptions opts_;
  TranslateStats stats_;
  LongInputReport longInputs_;
};

// The Translator of a trained model, as every program builds it: ModelScorers over model.net
// (modelScorerFactory) and outputs capped by the model's positions (search.maxLenCap =
// max-positions - 1). `model` must outlive the Translator.
Translator makeTranslator(models::TranslationModel& model, TranslateOptions opts);

}  // namespace lt::decode
