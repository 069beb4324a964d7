// Real-data checks on Multi30k from the shared corpora (skipped when absent),
// with timings printed for the report.
#include <doctest/doctest.h>

#include <filesystem>

#include "common/timer.h"
#include "data/batch_generator.h"
#include "data/corpus.h"
#include "data/text_reader.h"
#include "data/vocab.h"
#include "test_util.h"

using namespace lt;
using namespace lt::data;

namespace {
std::string m30k(const std::string& name) {
  return lt::data::testing::sharedDataDir() + "/multi30k/" + name;
}

void runMulti30k(int vocabSize, size_t sample, bool print) {
  Timer t;
  ParallelText pt = readParallel(m30k("train.de.gz"), m30k("train.en.gz"));
  double tRead = t.seconds();
  REQUIRE(pt.src.size() == 29000);
  CHECK(pt.droppedEmpty == 0);
  CHECK(pt.src[0].rfind("Zwei junge weiße Männer", 0) == 0);
  CHECK(pt.tgt[0].rfind("Two young, White males", 0) == 0);

  t.reset();
  VocabTrainOptions vo;
  vo.vocabSize = vocabSize;
  vo.inputSentenceSize = sample;
  vo.seed = 1;
  Vocab v = Vocab::train({std::span<const std::string>(pt.src), std::span<const std::string>(pt.tgt)},
                         vo);
  double tVocab = t.seconds();
  CHECK(v.size() == vocabSize);

  t.reset();
  Corpus c = Corpus::encode(pt.src, pt.tgt, v, v);
  double tEncode = t.seconds();
  REQUIRE(c.size() == 29000);
  // Round trip of a few sentences through the joint vocabulary.
  for (size_t i : {size_t(0), size_t(12345), size_t(28999)}) {
    CHECK(v.decode(c.src(i)) == pt.src[i]);
    CHECK(v.decode(c.tgt(i)) == pt.tgt[i]);
  }
  LengthFilterStats st = c.filterByLength(100, 100);
  CHECK(st.kept + st.dropped == 29000);

  t.reset();
  BatchOptions bo;
  bo.maxTokens = 4096;
  BatchGenerator g(c, bo);
  size_t batches = 0, sentences = 0;
  int64_t tgtTokens = 0;
  do {
    Batch b = g.next();
    ++batches;
    sentences += b.sentences();
    tgtTokens += b.tgtTokens;
    CHECK(int64_t(b.sentences()) * std::max(b.srcWidth(), b.tgtWidth()) <= 4096);
  } while (!g.endOfEpoch());
  double tBatch = t.seconds();
  CHECK(sentences == c.size());
  CHECK(tgtTokens == c.tgtTokens() + int64_t(c.size()));
  if (print)
    MESSAGE(fmt::format("Multi30k: read {:.2f}s, SentencePiece unigram {} (sample {}) {:.2f}s, "
                        "encode 29k pairs {:.2f}s, one epoch of batches ({} batches, {} src + {} "
                        "tgt tokens) {:.2f}s; {}",
                        tRead, vocabSize, sample, tVocab, tEncode, batches, c.srcTokens(),
                        c.tgtTokens(), tBatch, st.toString()));
}
}  // namespace

TEST_CASE("Multi30k: read, joint vocabulary, encode, batch one epoch") {
  if (!std::filesystem::exists(m30k("train.de.gz"))) {
    MESSAGE("shared Multi30k data not found: skipped");
    return;
  }
  runMulti30k(2000, 8000, false);
}

TEST_CASE("Multi30k timings with an 8k joint vocabulary on all sentences" * doctest::skip()) {
  runMulti30k(8000, 0, true);
}
