// Translator: order restoration under length-sorted batching, empty lines,
// determinism. A copy scorer "translates" each source sentence into itself, so
// the expected output of every line is the line itself (after SentencePiece
// round trip).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <mutex>

#include "autodiff/param_store.h"
#include "common/error.h"
#include "common/rng.h"
#include "common/threads.h"
#include "data/vocab.h"
#include "decode/model_scorer.h"
#include "decode/translator.h"
#include "models/encoder_decoder.h"
#include "models/model_config.h"
#include "models/translation_model.h"

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

std::vector<std::string> toyCorpus() {
  std::vector<std::string> train;
  const char* words[] = {"ein", "mann", "fährt", "fahrrad", "eine", "frau", "läuft", "im", "park", "hund"};
  for (int i = 0; i < 400; ++i) {
    std::string s;
    for (int j = 0; j < 3 + i % 7; ++j) s += std::string(j ? " " : "") + words[(i * 7 + j * 3) % 10];
    train.push_back(s);
  }
  return train;
}

data::Vocab toyVocab(const std::vector<std::string>& corpus) {
  data::VocabTrainOptions vo;
  vo.vocabSize = 40;
  vo.hardVocabLimit = false;
  return data::Vocab::train(corpus, vo);
}

// The int8 tests' model: 1 + 2 layers of width `dim` (FFN 1.5 dim, 2 heads), a Transformer
// encoder and the given decoder block; `extra` adds config lines.
models::ModelConfig int8TestConfig(const std::string& dec, int dim, const std::string& extra = "") {
  return models::parseModelConfig(
      "model-dim: " + std::to_string(dim) + "\nffn-dim: " + std::to_string(dim * 3 / 2) +
          "\nencoder-layers: 1\ndecoder-layers: 2\ncross-heads: 2\nmax-positions: 64\n" + extra +
          "encoder-block: {preset: transformer, heads: 2}\ndecoder-block: {preset: " + dec +
          ", heads: 2}\n",
      "test");
}

// Beam-3 translations of at most 12 tokens by `net`, `maxSentences` per batch.
std::vector<std::vector<Hypothesis>> translateBeam3(models::EncoderDecoder& net, const data::Vocab& vocab,
                                                    const std::vector<std::string>& input,
                                                    int maxSentences) {
  TranslateOptions opt;
  opt.search.beamSize = 3;
  opt.search.maxLenA = 0;
  opt.search.maxLenB = 12;
  opt.batching.maxSentences = maxSentences;
  return Translator(vocab, vocab, modelScorerFactory(net, opt.search), opt).translate(input);
}

// Same best hypothesis per line: tokens equal, scores to 1e-5.
void checkSameBest(const std::vector<std::vector<Hypothesis>>& a,
                   const std::vector<std::vector<Hypothesis>>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i][0].tokens == b[i][0].tokens);
    CHECK(a[i][0].logProb == doctest::Approx(b[i][0].logProb).epsilon(1e-5));
  }
}

}  // namespace

TEST_CASE("translator restores input order, keeps empty lines, is deterministic") {
  data::Vocab vocab = toyVocab(toyCorpus());

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

TEST_CASE("translator workers: same hypotheses as one worker; a failing batch is rethrown") {
  std::vector<std::string> corpus = toyCorpus();
  data::Vocab vocab = toyVocab(corpus);
  std::vector<std::string> input(corpus.begin(), corpus.begin() + 23);
  input[5] = "";

  // A real model (Lite decoder: attention + conv windows; random weights), so the worker
  // threads share its parameters and run the whole decoding path concurrently.
  models::ModelConfig c = models::parseModelConfig(
      "model-dim: 16\nffn-dim: 24\nencoder-layers: 1\ndecoder-layers: 2\ncross-heads: 2\n"
      "max-positions: 64\nencoder-block: {preset: transformer, heads: 2}\n"
      "decoder-block: {preset: lite, heads: 2, kernels: [3, 5]}\n",
      "test");
  c.srcVocab = c.tgtVocab = vocab.size();
  ParamStore ps;
  Rng rng(7);
  models::EncoderDecoder net(c, ps, rng);
  auto factory = [&](const data::Batch& b, int beam) -> std::unique_ptr<Scorer> {
    return std::make_unique<ModelScorer>(net, b, beam, maxDecodeSteps(b, 0.f, 12, c.maxPositions));
  };
  TranslateOptions opt;
  opt.search.beamSize = 3;
  opt.search.nBest = 2;
  opt.search.maxLenA = 0;
  opt.search.maxLenB = 12;
  opt.batching.maxSentences = 3;  // 8 batches

  const int before = numThreads();
  setThreads(1);
  Translator one(vocab, vocab, factory, opt);
  auto want = one.translate(input);
  for (int workers : {2, 3}) {
    CAPTURE(workers);
    setThreads(workers);  // one OpenMP thread per worker, as in the reference run
    opt.workers = workers;
    Translator many(vocab, vocab, factory, opt);
    auto got = many.translate(input);
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      REQUIRE(got[i].size() == want[i].size());
      for (size_t h = 0; h < want[i].size(); ++h) {
        CHECK(got[i][h].tokens == want[i][h].tokens);
        CHECK(got[i][h].logProb == want[i][h].logProb);
      }
    }
    CHECK(many.stats().targetTokens == one.stats().targetTokens);
  }
  CHECK(numThreads() == 3);  // the caller's thread count is left alone

  int calls = 0;
  std::mutex mu;
  opt.workers = 2;
  setThreads(2);
  Translator failing(vocab, vocab, [&](const data::Batch& b, int beam) -> std::unique_ptr<Scorer> {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (++calls == 4) LT_THROW(DataError, "batch four is broken");
    }
    return factory(b, beam);
  }, opt);
  CHECK_THROWS_WITH_AS(failing.translate(input), "batch four is broken", DataError);
  setThreads(before);
}

TEST_CASE("translator int8: a sentence translates the same alone or batched") {
  // lt-translate --precision int8: each row of every linear's input gets its own scale, so
  // batching (other sentences, padding, beam rows) must not change a sentence's output.
  std::vector<std::string> corpus = toyCorpus();
  data::Vocab vocab = toyVocab(corpus);
  std::vector<std::string> input(corpus.begin() + 40, corpus.begin() + 60);
  for (std::string dec : {"transformer", "lite"}) {
    CAPTURE(dec);
    models::ModelConfig c = int8TestConfig(dec, 32);
    c.srcVocab = c.tgtVocab = vocab.size();
    ParamStore ps;
    Rng rng(11);
    models::EncoderDecoder net(c, ps, rng);
    ps.freezeForInference(InferencePrecision::Int8);
    checkSameBest(translateBeam3(net, vocab, input, 1), translateBeam3(net, vocab, input, 8));
  }
}

TEST_CASE("int8 model file: its rows packed as stored decode as the dequantized load does") {
  // lt-translate --precision int8 on an int8 model file loads with deferInt8: the linears pack
  // the file's int8 rows directly (the f32 matrices are never written). Against the plain
  // load (dequantize, then quantize again at freeze): same translations, same scores up to the
  // last bits of the row scales; at fp32 the deferred rows are dequantized by the loader's rule.
  std::vector<std::string> corpus = toyCorpus();
  data::Vocab vocab = toyVocab(corpus);
  std::vector<std::string> input(corpus.begin() + 60, corpus.begin() + 75);
  const auto dir = std::filesystem::temp_directory_path() / ("lt_int8_defer_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "m8.lt").string();
  for (std::string dec : {"transformer", "lite"}) {
    CAPTURE(dec);
    const models::ModelConfig c = int8TestConfig(dec, 64, "share-embeddings: all\n");
    Rng rng(13);
    models::TranslationModel::create(c, vocab, vocab, rng)->save(path, {}, models::WeightStorage::Int8);

    auto eager = models::TranslationModel::load(path);
    eager->params.freezeForInference(InferencePrecision::Int8, true);
    auto deferred = models::TranslationModel::load(path, /*deferInt8=*/true);
    // The shared embedding table (read by the embeddings, and packed by the tied output layer)
    // and every linear of at least 1,024 weights are int8 in the file.
    REQUIRE(vocab.size() * 64 >= models::kInt8MinElements);
    CHECK(deferred->params.int8Sources() >= 8);
    deferred->params.freezeForInference(InferencePrecision::Int8, true);
    CHECK(deferred->params.int8Sources() == 0);
    CHECK(deferred->params.releasedBytes() == eager->params.releasedBytes());

    checkSameBest(translateBeam3(*eager->net, vocab, input, 4),
                  translateBeam3(*deferred->net, vocab, input, 4));

    // At fp32 every deferred matrix is dequantized before its hook reads it: the values are
    // the plain load's, bit for bit.
    auto plain = models::TranslationModel::load(path);
    auto late = models::TranslationModel::load(path, /*deferInt8=*/true);
    late->params.freezeForInference(InferencePrecision::F32, false);
    CHECK(late->params.int8Sources() == 0);
    REQUIRE(plain->params.size() == late->params.size());
    for (size_t k = 0; k < plain->params.size(); ++k) {
      const Tensor& x = plain->params.all()[k].second.value();
      const Tensor& y = late->params.all()[k].second.value();
      CAPTURE(plain->params.all()[k].first);
      CHECK(std::memcmp(x.rawData(), y.rawData(), x.bytes()) == 0);
    }
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("translator: over-long lines are an error naming file:line, truncated, or skipped") {
  data::Vocab vocab = toyVocab(toyCorpus());
  const std::string longLine = "eine frau läuft im park mit einem hund und einem mann";
  const size_t longTokens = vocab.encode(longLine).size();
  const size_t limit = 4;
  REQUIRE(longTokens > limit);
  const std::vector<std::string> input = {"hund", longLine, "", "ein hund läuft", longLine};
  REQUIRE(vocab.encode("ein hund läuft").size() <= limit);
  const int V = vocab.size();
  auto make = [&](LongInputPolicy p) {
    TranslateOptions opt;
    opt.search.beamSize = 2;
    opt.batching.maxSentences = 2;
    opt.inputLimit = {limit, p};
    return Translator(vocab, vocab,
                      [&](const data::Batch& b, int beam) { return std::make_unique<CopyScorer>(b, beam, V); }, opt);
  };
  const LineOrigin origin{"in.de", 101};  // this chunk starts at line 101 of in.de
  {
    Translator tr = make(LongInputPolicy::Error);
    CHECK_THROWS_WITH_AS(tr.translate(input, origin),
                         doctest::Contains(fmt::format("in.de:102: {} subword tokens, more than --max-input-length 4",
                                                       longTokens)
                                               .c_str()),
                         DataError);
  }
  {
    Translator tr = make(LongInputPolicy::Skip);
    auto out = tr.translate(input, origin);
    REQUIRE(out.size() == input.size());  // line-aligned
    CHECK(tr.detokenize(out[0][0]) == "hund");
    CHECK(out[1][0].tokens.empty());
    CHECK(out[2][0].tokens.empty());
    CHECK(tr.detokenize(out[3][0]) == vocab.decode(vocab.encode("ein hund läuft")));
    CHECK(out[4][0].tokens.empty());
    CHECK(tr.longInputs().skipped == 2);
    CHECK(tr.longInputs().truncated == 0);
  }
  {
    Translator tr = make(LongInputPolicy::Truncate);
    auto out = tr.translate(input, origin);
    auto firstTokens = vocab.encode(longLine);
    firstTokens.resize(limit);
    CHECK(out[1][0].tokens == std::vector<int>(firstTokens.begin(), firstTokens.end()));
    CHECK(out[4][0].tokens == out[1][0].tokens);
    CHECK(tr.longInputs().truncated == 2);
    CHECK(tr.longInputs().summary({limit, LongInputPolicy::Truncate}) ==
          "2 input lines truncated, 0 skipped (--max-input-length 4, policy truncate)");
  }
}

TEST_CASE("input lines: a line over the byte limit is skipped (empty) or cut; chunks know their origin") {
  const std::string dir = std::filesystem::temp_directory_path() / ("lt_input_lines_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/in.txt";
  const std::string huge(size_t(3) << 20, 'x');  // 3 MiB, over the 1 MiB reader limit
  { std::ofstream(path) << "a\nb\n" << huge << "\nc\n"; }
  for (LongInputPolicy p : {LongInputPolicy::Skip, LongInputPolicy::Truncate}) {
    LongInputReport report;
    InputLines in(path, {10, p}, report);
    std::vector<std::string> lines;
    REQUIRE(in.nextChunk(2, lines));
    CHECK(lines == std::vector<std::string>{"a", "b"});
    CHECK(in.origin().firstLine == 1);
    REQUIRE(in.nextChunk(2, lines));
    CHECK(in.origin().source == path);
    CHECK(in.origin().firstLine == 3);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == (p == LongInputPolicy::Skip ? std::string() : std::string(size_t(1) << 20, 'x')));
    CHECK(lines[1] == "c");
    CHECK_FALSE(in.nextChunk(2, lines));
    CHECK((p == LongInputPolicy::Skip ? report.skipped : report.truncated) == 1);
  }
  LongInputReport report;
  InputLines strict(path, {10, LongInputPolicy::Error}, report);
  std::vector<std::string> lines;
  CHECK_THROWS_WITH_AS(strict.nextChunk(10, lines), doctest::Contains((path + ":3: line longer than").c_str()), DataError);
  std::filesystem::remove_all(dir);
}
