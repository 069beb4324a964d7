#include <doctest/doctest.h>

#include <sentencepiece_trainer.h>

#include <algorithm>
#include <set>

#include "common/error.h"
#include "data/vocab.h"
#include "test_util.h"

using namespace lt;
using namespace lt::data;
using lt::data::testing::generatedSentences;
using lt::data::testing::TempDir;

namespace {
VocabTrainOptions smallOpts(int size = 100, const std::string& type = "unigram") {
  VocabTrainOptions o;
  o.vocabSize = size;
  o.modelType = type;
  o.seed = 11;
  return o;
}
}  // namespace

TEST_CASE("FNV-1a matches published test vectors") {
  CHECK(fnv1aHex("") == "cbf29ce484222325");
  CHECK(fnv1aHex("a") == "af63dc4c8601ec8c");
  CHECK(fnv1aHex("foobar") == "85944171f73967e8");
}

TEST_CASE("unigram and BPE vocabularies: fixed special ids, round trip, serialization") {
  auto text = generatedSentences(1500, 3);
  for (std::string type : {"unigram", "bpe"}) {
    CAPTURE(type);
    Vocab v = Vocab::train(text, smallOpts(100, type));
    REQUIRE(v.loaded());
    CHECK(v.size() == 100);
    CHECK(v.piece(kPadId) == "<pad>");
    CHECK(v.piece(kUnkId) == "<unk>");
    CHECK(v.piece(kBosId) == "<s>");
    CHECK(v.piece(kEosId) == "</s>");

    // Every sentence round-trips, ids are in range and never special.
    size_t tokens = 0, chars = 0;
    for (size_t i = 0; i < 200; ++i) {
      auto ids = v.encode(text[i]);
      REQUIRE(!ids.empty());
      for (int32_t id : ids) {
        CHECK(id > kEosId);
        CHECK(id < v.size());
      }
      CHECK(v.decode(ids) == text[i]);
      tokens += ids.size();
      chars += text[i].size();
    }
    // Subwords are longer than characters on this repetitive text.
    CHECK(double(chars) / double(tokens) > 2.0);

    // The pieces concatenate back to the text (with U+2581 for spaces).
    auto pieces = v.encodePieces(text[0]);
    auto ids = v.encode(text[0]);
    REQUIRE(pieces.size() == ids.size());
    for (size_t k = 0; k < ids.size(); ++k) CHECK(v.piece(ids[k]) == pieces[k]);
    CHECK(v.pieceToId(pieces[0]) == ids[0]);
    CHECK(v.pieceToId("no-such-piece-xyz") == kUnkId);

    // Decoding skips pad/bos/eos.
    std::vector<int32_t> framed = {kBosId};
    framed.insert(framed.end(), ids.begin(), ids.end());
    framed.push_back(kEosId);
    framed.push_back(kPadId);
    CHECK(v.decode(framed) == text[0]);
    std::vector<int32_t> outOfRange = {5, 100};
    CHECK_THROWS_AS(v.decode(outOfRange), DataError);

    // Unknown characters map to <unk>.
    auto unk = v.encode("ka \xE4\xB8\xAD");  // a CJK character never seen
    CHECK(std::find(unk.begin(), unk.end(), kUnkId) != unk.end());

    // Bytes round trip: same fingerprint, same encodings.
    std::string bytes = v.serialize();
    Vocab w = Vocab::fromBytes(bytes);
    CHECK(w.fingerprint() == v.fingerprint());
    CHECK(w.fingerprint() == fnv1aHex(bytes));
    CHECK(w.fingerprint().size() == 16);
    CHECK(w.encode(text[5]) == v.encode(text[5]));

    // File round trip and copies.
    TempDir dir;
    v.save(dir.file("spm.model"));
    Vocab f = Vocab::load(dir.file("spm.model"));
    CHECK(f.fingerprint() == v.fingerprint());
    Vocab copy = f;
    CHECK(copy.encode(text[7]) == v.encode(text[7]));
  }
}

TEST_CASE("training is deterministic for a seed; sampling depends on the seed") {
  auto text = generatedSentences(3000, 5);
  VocabTrainOptions o = smallOpts(100);
  Vocab a = Vocab::train(text, o);
  Vocab b = Vocab::train(text, o);
  CHECK(a.fingerprint() == b.fingerprint());

  o.inputSentenceSize = 300;
  o.shuffleInputSentence = true;
  Vocab s1 = Vocab::train(text, o);
  Vocab s2 = Vocab::train(text, o);
  CHECK(s1.fingerprint() == s2.fingerprint());
  o.seed = 12;
  Vocab s3 = Vocab::train(text, o);
  CHECK(s3.fingerprint() != s1.fingerprint());  // a different sample
  o.shuffleInputSentence = false;               // first 300 sentences
  Vocab head = Vocab::train(text, o);
  std::vector<std::string> first(text.begin(), text.begin() + 300);
  o.inputSentenceSize = 0;
  Vocab headDirect = Vocab::train(first, o);
  CHECK(head.fingerprint() == headDirect.fingerprint());
  CHECK(head.fingerprint() != a.fingerprint());
}

TEST_CASE("joint vocabulary covers both sides; separate ones differ") {
  auto de = generatedSentences(1000, 8);
  auto en = generatedSentences(1000, 9, 12, /*alphabetShift=*/7);
  VocabTrainOptions o = smallOpts(120);
  Vocab joint = Vocab::train({std::span<const std::string>(de), std::span<const std::string>(en)}, o);
  Vocab deOnly = Vocab::train(de, o);
  CHECK(joint.fingerprint() != deOnly.fingerprint());
  // The German-only model has never seen the shifted alphabet's characters
  // in most words, so it needs far more pieces (or unknowns) for the English side.
  size_t jointTok = 0, deTok = 0;
  for (size_t i = 0; i < 100; ++i) {
    CHECK(joint.decode(joint.encode(en[i])) == en[i]);
    jointTok += joint.encode(en[i]).size();
    deTok += deOnly.encode(en[i]).size();
  }
  CHECK(deTok > jointTok);
}

TEST_CASE("vocabulary errors") {
  auto text = generatedSentences(200, 1, 6);
  VocabTrainOptions o = smallOpts(50000);  // far more pieces than the text has
  CHECK_THROWS_AS(Vocab::train(text, o), DataError);
  o.hardVocabLimit = false;
  Vocab soft = Vocab::train(text, o);
  CHECK(soft.size() < 50000);
  CHECK(soft.size() > 4);

  VocabTrainOptions bad = smallOpts();
  bad.modelType = "wordpiece";
  CHECK_THROWS_AS(Vocab::train(text, bad), ConfigError);
  std::vector<std::string> none;
  CHECK_THROWS_AS(Vocab::train(none, smallOpts()), DataError);

  TempDir dir;
  CHECK_THROWS_AS(Vocab::load(dir.file("missing.model")), IoError);
  lt::data::testing::writeFile(dir.file("junk.model"), "this is not a protobuf \x01\x02\x03");
  CHECK_THROWS_AS(Vocab::load(dir.file("junk.model")), IoError);
  try {
    Vocab::load(dir.file("junk.model"));
  } catch (const IoError& e) {
    CHECK(std::string(e.what()).find("junk.model") != std::string::npos);
  }
}

namespace {
class LinesIterator : public sentencepiece::SentenceIterator {
public:
  explicit LinesIterator(const std::vector<std::string>& l) : lines_(l) {}
  bool done() const override { return i_ >= lines_.size(); }
  void Next() override { ++i_; }
  const std::string& value() const override { return lines_[i_]; }
  sentencepiece::util::Status status() const override { return {}; }

private:
  const std::vector<std::string>& lines_;
  size_t i_ = 0;
};
}  // namespace

TEST_CASE("a SentencePiece model with other special ids is rejected, naming the ids") {
  // SentencePiece's defaults: unk=0 bos=1 eos=2, no pad.
  auto text = generatedSentences(500, 2);
  LinesIterator it(text);
  std::string bytes;
  auto st = sentencepiece::SentencePieceTrainer::Train(
      std::unordered_map<std::string, std::string>{{"vocab_size", "60"}}, &it, &bytes);
  REQUIRE(st.ok());
  TempDir dir;
  lt::data::testing::writeFile(dir.file("default-ids.model"), bytes);
  CHECK_THROWS_AS(Vocab::load(dir.file("default-ids.model")), DataError);
  try {
    Vocab::load(dir.file("default-ids.model"));
  } catch (const DataError& e) {
    std::string m = e.what();
    CHECK(m.find("default-ids.model") != std::string::npos);
    CHECK(m.find("pad=-1 unk=0 bos=1 eos=2") != std::string::npos);
  }
}
