#include "data/vocab.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <numeric>
#include <sstream>
#include <unordered_map>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/rng.h"

// Exported by libsentencepiece but not declared in its installed headers:
// the trainer's log threshold (0 info, 1 warning, 2 error).
namespace sentencepiece::logging {
int GetMinLogLevel();
void SetMinLogLevel(int v);
}  // namespace sentencepiece::logging

namespace lt::data {

namespace {

// Feeds a list of sentences to the SentencePiece trainer.
class VectorIterator : public sentencepiece::SentenceIterator {
public:
  explicit VectorIterator(std::vector<const std::string*> items) : items_(std::move(items)) {}
  bool done() const override { return i_ >= items_.size(); }
  void Next() override { ++i_; }
  const std::string& value() const override { return *items_[i_]; }
  sentencepiece::util::Status status() const override { return {}; }

private:
  std::vector<const std::string*> items_;
  size_t i_ = 0;
};

// The trainer's random generator and log level are process-global.
std::mutex& trainMutex() {
  static std::mutex m;
  return m;
}

}  // namespace

std::string fnv1aHex(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return fmt::format("{:016x}", h);
}

Vocab::Vocab() = default;
Vocab::~Vocab() = default;
Vocab::Vocab(Vocab&&) noexcept = default;
Vocab& Vocab::operator=(Vocab&&) noexcept = default;
Vocab::Vocab(const Vocab& o) {
  if (o.loaded()) init(o.bytes_, "vocabulary");
}
Vocab& Vocab::operator=(const Vocab& o) {
  if (this != &o) {
    Vocab tmp(o);
    *this = std::move(tmp);
  }
  return *this;
}

void Vocab::init(std::string_view bytes, const std::string& what) {
  auto sp = std::make_unique<sentencepiece::SentencePieceProcessor>();
  auto st = sp->LoadFromSerializedProto(bytes);
  LT_CHECK(st.ok(), IoError, "{}: not a valid SentencePiece model: {}", what, st.ToString());
  LT_CHECK(sp->pad_id() == kPadId && sp->unk_id() == kUnkId && sp->bos_id() == kBosId &&
               sp->eos_id() == kEosId,
           DataError,
           "{}: SentencePiece model has special ids pad={} unk={} bos={} eos={}; lt needs pad=0 "
           "unk=1 bos=2 eos=3 (train with --pad_id=0 --unk_id=1 --bos_id=2 --eos_id=3)",
           what, sp->pad_id(), sp->unk_id(), sp->bos_id(), sp->eos_id());
  sp_ = std::move(sp);
  bytes_.assign(bytes.data(), bytes.size());
  fingerprint_ = fnv1aHex(bytes_);
}

Vocab Vocab::train(const std::vector<std::span<const std::string>>& texts,
                   const VocabTrainOptions& opts) {
  LT_CHECK(opts.modelType == "unigram" || opts.modelType == "bpe", ConfigError,
           "vocabulary model type '{}' is not supported (allowed: unigram, bpe)", opts.modelType);
  LT_CHECK(opts.vocabSize > 4, ConfigError, "vocabulary size {} is too small (must be > 4)",
           opts.vocabSize);
  LT_CHECK(opts.characterCoverage > 0.f && opts.characterCoverage <= 1.f, ConfigError,
           "character coverage {} must be in (0, 1]", opts.characterCoverage);

  std::vector<const std::string*> items;
  for (auto t : texts)
    for (const auto& s : t)
      if (!s.empty()) items.push_back(&s);
  LT_CHECK(!items.empty(), DataError, "cannot train a vocabulary on empty text");

  // Sampling is done here (not by SentencePiece) so it depends only on the seed.
  if (opts.inputSentenceSize > 0 && items.size() > opts.inputSentenceSize) {
    if (opts.shuffleInputSentence) {
      std::vector<size_t> order(items.size());
      std::iota(order.begin(), order.end(), size_t(0));
      Rng rng(opts.seed);
      for (size_t i = 0; i < opts.inputSentenceSize; ++i)  // partial Fisher-Yates
        std::swap(order[i], order[i + rng.below(order.size() - i)]);
      order.resize(opts.inputSentenceSize);
      // Keep corpus order inside the sample.
      std::sort(order.begin(), order.end());
      std::vector<const std::string*> sample;
      sample.reserve(order.size());
      for (size_t k : order) sample.push_back(items[k]);
      items = std::move(sample);
    } else {
      items.resize(opts.inputSentenceSize);
    }
  }

  std::unordered_map<std::string, std::string> kw = {
      {"model_type", opts.modelType},
      {"vocab_size", std::to_string(opts.vocabSize)},
      {"character_coverage", fmt::format("{}", opts.characterCoverage)},
      {"pad_id", std::to_string(kPadId)},
      {"unk_id", std::to_string(kUnkId)},
      {"bos_id", std::to_string(kBosId)},
      {"eos_id", std::to_string(kEosId)},
      {"input_sentence_size", "0"},
      {"shuffle_input_sentence", "false"},
      {"num_threads", std::to_string(std::max(1, opts.numThreads))},
      {"max_sentence_length", std::to_string(opts.maxSentenceBytes)},
      {"hard_vocab_limit", opts.hardVocabLimit ? "true" : "false"},
  };

  std::string model;
  sentencepiece::util::Status st;
  {
    std::lock_guard<std::mutex> lock(trainMutex());
    int oldLevel = sentencepiece::logging::GetMinLogLevel();
    sentencepiece::logging::SetMinLogLevel(2);
    sentencepiece::SetRandomGeneratorSeed(unsigned(opts.seed));
    VectorIterator it(std::move(items));
    st = sentencepiece::SentencePieceTrainer::Train(kw, &it, &model);
    sentencepiece::logging::SetMinLogLevel(oldLevel);
  }
  LT_CHECK(st.ok(), DataError, "SentencePiece training failed ({} vocabulary, size {}): {}",
           opts.modelType, opts.vocabSize, st.ToString());
  Vocab v;
  v.init(model, "trained vocabulary");
  return v;
}

Vocab Vocab::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  LT_CHECK(in.good(), IoError, "{}: cannot open vocabulary model for reading", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  LT_CHECK(!in.bad(), IoError, "{}: read error", path);
  std::string bytes = ss.str();
  LT_CHECK(!bytes.empty(), IoError, "{}: empty file, not a SentencePiece model", path);
  Vocab v;
  v.init(bytes, path);
  return v;
}

Vocab Vocab::fromBytes(std::string_view bytes, const std::string& what) {
  LT_CHECK(!bytes.empty(), IoError, "{}: empty SentencePiece model", what);
  Vocab v;
  v.init(bytes, what);
  return v;
}

std::string Vocab::serialize() const {
  LT_CHECK(loaded(), Error, "internal: serialize() on an empty Vocab");
  return bytes_;
}

void Vocab::save(const std::string& path) const { writeFileAtomic(path, bytes_); }

int32_t Vocab::size() const {
  LT_CHECK(loaded(), Error, "internal: size() on an empty Vocab");
  return sp_->GetPieceSize();
}

std::string Vocab::piece(int32_t id) const {
  LT_CHECK(id >= 0 && id < size(), DataError, "token id {} is outside the vocabulary of size {}",
           id, size());
  return sp_->IdToPiece(id);
}

int32_t Vocab::pieceToId(const std::string& p) const { return sp_->PieceToId(p); }

std::vector<int32_t> Vocab::encode(std::string_view text) const {
  LT_CHECK(loaded(), Error, "internal: encode() on an empty Vocab");
  std::vector<int> ids;
  auto st = sp_->Encode(text, &ids);
  LT_CHECK(st.ok(), DataError, "cannot encode text: {}", st.ToString());
  return std::vector<int32_t>(ids.begin(), ids.end());
}

std::vector<std::string> Vocab::encodePieces(std::string_view text) const {
  std::vector<std::string> pieces;
  auto st = sp_->Encode(text, &pieces);
  LT_CHECK(st.ok(), DataError, "cannot encode text: {}", st.ToString());
  return pieces;
}

std::string Vocab::decode(std::span<const int32_t> ids) const {
  LT_CHECK(loaded(), Error, "internal: decode() on an empty Vocab");
  const int32_t n = size();
  std::vector<int> keep;
  keep.reserve(ids.size());
  for (int32_t id : ids) {
    LT_CHECK(id >= 0 && id < n, DataError, "token id {} is outside the vocabulary of size {}", id,
             n);
    if (id == kPadId || id == kBosId || id == kEosId) continue;
    keep.push_back(id);
  }
  std::string out;
  auto st = sp_->Decode(keep, &out);
  LT_CHECK(st.ok(), DataError, "cannot decode ids: {}", st.ToString());
  return out;
}

}  // namespace lt::data
