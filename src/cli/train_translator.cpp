#include "cli/train_translator.h"

#include <memory>

#include "decode/model_scorer.h"
#include "decode/translator.h"

namespace lt::cli {

train::TranslatorFactory beamTranslatorFactory() {
  return [](models::TranslationModel& model, const train::TrainOptions& opts) {
    decode::TranslateOptions to;
    to.search.beamSize = opts.beamSize;
    to.search.lenpen = float(opts.lengthPenalty);
    to.search.maxLenA = 1.2f;
    to.search.maxLenB = 10;
    to.search.maxLenCap = model.config.maxPositions - 1;
    to.batching.maxTokens = std::max<int64_t>(opts.maxTokens, 1024);
    to.batching.maxSentences = 64;
    to.batching.maxSrcLen = size_t(model.config.maxPositions - 2);
    return [&model, to](const std::vector<std::string>& lines) {
      models::EncoderDecoder& net = *model.net;
      const int maxPos = model.config.maxPositions;
      auto factory = [&net, to, maxPos](const data::Batch& batch, int beam) {
        int steps = decode::maxDecodeSteps(batch, to.search.maxLenA, to.search.maxLenB, maxPos);
        return std::unique_ptr<decode::Scorer>(
            std::make_unique<decode::ModelScorer>(net, batch, beam, steps));
      };
      decode::Translator tr(model.srcVocab, model.tgtVocab, factory, to);
      auto hyps = tr.translate(lines);
      std::vector<std::string> out;
      out.reserve(hyps.size());
      for (const auto& h : hyps) out.push_back(h.empty() ? std::string() : tr.detokenize(h[0]));
      return out;
    };
  };
}

}  // namespace lt::cli
