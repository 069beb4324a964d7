// Translator: order restoration under length-sorted batching, empty lines,
// determinism. A copy scorer "translates" each source sentence into itself, so
// the expected output of every line is the line itself (after SentencePiece
// round trip).
#include <doctest/doctest.h>

#include <cmath>

#include "data/vocab.h"
#include "decode/translator.h"

using namespace lt;
using namespace lt::decode;

namespace {

class CopyScorer : public Scorer {
public:
  CopyScorer(const data::Batch& b, int beam, int V) : V_(V) {
    for (size_t s = 0; s < b.sentences(); ++s) {
      std::vector<int> src;
      for (int64_t t = 0; t < b.srcLengths[s] - 1; ++t) src.push_back(b.src.data<int32_t>()[s * b.srcWidth() + t]);
      for (int k = 0; k < beam; ++k) rows_.push_back({src, 0});
    }
  }
  Tensor step(const Tensor& prev) override {
    Tensor out = Tensor::full({int64_t(rows_.size()), V_}, std::log(0.01f / V_));
    for (size_t r = 0; r < rows_.size(); ++r) {
      auto& [src, t] = rows_[r];
      int want = t < int(src.size()) ? src[t] : data::kEosId;
      // EOS is far less likely than any other wrong token unless wanted, so it
      // never enters the top-k early (fairseq finalises EOS within the top k).
      out.data<float>()[r * V_ + data::kEosId] = std::log(1e-9f);
      out.data<float>()[r * V_ + want] = std::log(0.99f);
      ++t;
    }
    return out;
  }
  void reorder(const Tensor& idx) override {
    std::vector<std::pair<std::vector<int>, int>> n;
    for (int64_t i = 0; i < idx.elements(); ++i) n.push_back(rows_.at(idx.data<int32_t>()[i]));
    rows_ = std::move(n);
  }
  int vocabSize() const override { return V_; }

private:
  int V_;
  std::vector<std::pair<std::vector<int>, int>> rows_;
};

}  // namespace

TEST_CASE("translator restores input order, keeps empty lines, is deterministic") {
  std::vector<std::string> train;
  const char* words[] = {"ein", "mann", "fährt", "fahrrad", "eine", "frau", "läuft", "im", "park", "hund"};
  for (int i = 0; i < 400; ++i) {
    std::string s;
    for (int j = 0; j < 3 + i % 7; ++j) s += std::string(j ? " " : "") + words[(i * 7 + j * 3) % 10];
    train.push_back(s);
  }
  data::VocabTrainOptions vo;
  vo.vocabSize = 40;
  vo.hardVocabLimit = false;
  data::Vocab vocab = data::Vocab::train(train, vo);

  std::vector<std::string> input = {"ein mann fährt fahrrad im park", "", "hund",
                                    "eine frau läuft im park mit einem hund und einem mann", "  ",
                                    "frau", "ein hund läuft"};
  TranslateOptions opt;
  opt.search.beamSize = 3;
  opt.batching.maxSentences = 2;  // several batches, sorted by length
  int V = vocab.size();
  Translator tr(vocab, vocab,
                [&](const data::Batch& b, int beam) { return std::make_unique<CopyScorer>(b, beam, V); }, opt);
  auto out = tr.translate(input);
  REQUIRE(out.size() == input.size());
  for (size_t i = 0; i < input.size(); ++i) {
    REQUIRE(out[i].size() >= 1);
    std::string expect = vocab.decode(vocab.encode(input[i]));
    if (input[i].find_first_not_of(' ') == std::string::npos) expect = "";
    CHECK(tr.detokenize(out[i][0]) == expect);
  }
  auto again = tr.translate(input);
  for (size_t i = 0; i < input.size(); ++i) CHECK(again[i][0].tokens == out[i][0].tokens);
  CHECK(tr.stats().sentences == 2 * input.size());
}
