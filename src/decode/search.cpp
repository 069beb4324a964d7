#include "decode/search.h"

#include <algorithm>

#include "decode/greedy_search.h"
#include "decode/model_scorer.h"

namespace lt::decode {

std::vector<std::vector<Hypothesis>> search(Scorer& scorer, const std::vector<int>& srcLengths,
                                            const SearchOptions& opt) {
  return opt.greedy ? greedySearch(scorer, srcLengths, opt) : beamSearch(scorer, srcLengths, opt);
}

ScorerFactory modelScorerFactory(models::EncoderDecoder& net, const SearchOptions& opt) {
  const float a = opt.maxLenA;
  const int b = opt.maxLenB;
  return [&net, a, b](const data::Batch& batch, int beam) -> std::unique_ptr<Scorer> {
    const int steps = maxDecodeSteps(batch, a, b, net.config().maxPositions);
    return std::make_unique<ModelScorer>(net, batch, beam, steps);
  };
}

std::vector<std::vector<Hypothesis>> decodeBatch(models::EncoderDecoder& net, const data::Batch& batch,
                                                 const SearchOptions& opt, const ScorerWrap& wrap) {
  std::unique_ptr<Scorer> model = modelScorerFactory(net, opt)(batch, rowsPerSentence(opt));
  Scorer& scorer = wrap ? wrap(*model) : *model;
  std::vector<int> srcLens(batch.srcLengths.begin(), batch.srcLengths.end());
  for (int& l : srcLens) l = std::max(l - 1, 0);  // without EOS
  return search(scorer, srcLens, opt);
}

}  // namespace lt::decode
