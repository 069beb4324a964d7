#include "decode/translator.h"

#include <algorithm>

#include "common/threads.h"
#include "common/timer.h"

namespace lt::decode {

Translator::Translator(const data::Vocab& srcVocab, const data::Vocab& tgtVocab, ScorerFactory factory,
                       TranslateOptions opts)
    : srcVocab_(srcVocab), tgtVocab_(tgtVocab), factory_(std::move(factory)), opts_(std::move(opts)) {}

std::vector<std::vector<Hypothesis>> Translator::translate(const std::vector<std::string>& lines) {
  Timer timer;
  std::vector<std::vector<Hypothesis>> out(lines.size());
  std::vector<std::string> nonEmpty;
  std::vector<size_t> where;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find_first_not_of(" \t\r") == std::string::npos) {
      out[i] = {Hypothesis{}};
      continue;
    }
    nonEmpty.push_back(lines[i]);
    where.push_back(i);
  }
  auto batches = data::makeDecodeBatches(nonEmpty, srcVocab_, opts_.batching);
  std::vector<std::vector<std::vector<Hypothesis>>> results(batches.size());
  auto decodeBatch = [&](size_t k) {
    const auto& batch = batches[k];
    auto scorer = factory_(batch, rowsPerSentence(opts_.search));
    std::vector<int> srcLens(batch.srcLengths.begin(), batch.srcLengths.end());
    for (int& l : srcLens) l = std::max(l - 1, 0);  // without EOS, as fairseq counts
    results[k] = search(*scorer, srcLens, opts_.search);
  };
  const int workers = int(std::min<size_t>(size_t(std::max(opts_.workers, 1)), batches.size()));
  if (workers <= 1) {
    for (size_t k = 0; k < batches.size(); ++k) decodeBatch(k);
  } else {  // batches go to whichever worker is free, longest first (they are length-sorted)
    runOnWorkers(batches.size(), workers, decodeBatch);
  }
  for (size_t k = 0; k < batches.size(); ++k) {
    for (size_t r = 0; r < results[k].size(); ++r) {
      size_t line = where[batches[k].ids[r]];
      if (!results[k][r].empty()) stats_.targetTokens += int64_t(results[k][r][0].tokens.size()) + 1;
      out[line] = std::move(results[k][r]);
    }
  }
  stats_.sentences += lines.size();
  stats_.seconds += timer.seconds();
  return out;
}

std::string Translator::detokenize(const Hypothesis& h) const {
  static_assert(std::is_same_v<int, int32_t>);
  return tgtVocab_.decode(std::span<const int32_t>(h.tokens));
}

Translator makeTranslator(models::TranslationModel& model, TranslateOptions opts) {
  opts.search.maxLenCap = model.config.maxPositions - 1;
  ScorerFactory factory = modelScorerFactory(*model.net, opts.search);
  return Translator(model.srcVocab, model.tgtVocab, std::move(factory), std::move(opts));
}

}  // namespace lt::decode
