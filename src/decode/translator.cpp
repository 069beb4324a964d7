#include "decode/translator.h"

#include <algorithm>

#include "common/error.h"
#include "common/threads.h"
#include "common/timer.h"

namespace lt::decode {

Translator::Translator(const data::Vocab& srcVocab, const data::Vocab& tgtVocab, ScorerFactory factory,
                       TranslateOptions opts)
    : srcVocab_(srcVocab), tgtVocab_(tgtVocab), factory_(std::move(factory)), opts_(std::move(opts)) {}

std::vector<std::vector<Hypothesis>> Translator::translate(const std::vector<std::string>& lines,
                                                           const LineOrigin& origin) {
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
  data::DecodeBatchOptions bo = opts_.batching;
  const InputLimit& limit = opts_.inputLimit;
  if (limit.maxTokens) {
    bo.maxSrcLen = limit.maxTokens;
    bo.cropLong = limit.policy == LongInputPolicy::Truncate;
  }
  std::vector<data::OverLongLine> overLong;
  auto batches = data::makeDecodeBatches(nonEmpty, srcVocab_, bo, limit.maxTokens ? &overLong : nullptr);
  for (const auto& o : overLong) {
    const std::string at = fmt::format("{}:{}", origin.source, origin.firstLine + where[o.index]);
    LT_CHECK(limit.policy != LongInputPolicy::Error, DataError,
             "{}: {} subword tokens, more than --max-input-length {} (by default the model's "
             "max-positions - 1); --max-input-length-policy truncate or skip handles such lines",
             at, o.tokens, limit.maxTokens);
    longInputs_.note(limit.policy, at,
                     fmt::format("{} subword tokens, more than --max-input-length {}", o.tokens,
                                 limit.maxTokens));
    if (limit.policy == LongInputPolicy::Skip) out[where[o.index]] = {Hypothesis{}};
  }
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
