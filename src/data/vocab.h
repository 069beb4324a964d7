// Vocab: a SentencePiece model (unigram or BPE) with fixed special ids
// pad=0, unk=1, bos=2, eos=3. Trained in memory from training text (joint
// over both sides or per side), or loaded from an existing .model file, and
// serialisable to bytes so a model file can embed it. fingerprint() is a hash
// of the serialised model: two Vocabs encode identically iff it matches.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace lt::data {

constexpr int32_t kPadId = 0;
constexpr int32_t kUnkId = 1;
constexpr int32_t kBosId = 2;
constexpr int32_t kEosId = 3;

struct VocabTrainOptions {
  int vocabSize = 8000;
  std::string modelType = "unigram";  // "unigram" or "bpe"
  float characterCoverage = 1.0f;     // fraction of characters covered (0.9995 for large alphabets)
  // Sample at most this many sentences for training (0 = all). The sample is
  // drawn here with lt::Rng(seed), so it is the same for a given seed.
  size_t inputSentenceSize = 0;
  // With sampling: true = a uniform random sample, false = the first sentences.
  bool shuffleInputSentence = true;
  uint64_t seed = 1;
  // SentencePiece trainer threads. The trained model is the same for a given
  // (seed, numThreads) but differs between thread counts (EM sums are split).
  int numThreads = 1;
  size_t maxSentenceBytes = 4192;     // longer sentences are skipped by the trainer
  bool hardVocabLimit = true;         // false: vocabSize is an upper bound
};

class Vocab {
public:
  Vocab();
  ~Vocab();
  Vocab(Vocab&&) noexcept;
  Vocab& operator=(Vocab&&) noexcept;
  Vocab(const Vocab& o);
  Vocab& operator=(const Vocab& o);

  // Trains on the sentences of all `texts` (pass both sides for a joint vocab).
  // Throws DataError when SentencePiece cannot train (e.g. vocabSize too large
  // for the text), ConfigError for bad options.
  static Vocab train(const std::vector<std::span<const std::string>>& texts,
                     const VocabTrainOptions& opts);
  static Vocab train(std::span<const std::string> text, const VocabTrainOptions& opts) {
    return train(std::vector<std::span<const std::string>>{text}, opts);
  }
  // Loads a .model file (IoError when missing or corrupt, DataError when its
  // special ids are not pad=0 unk=1 bos=2 eos=3).
  static Vocab load(const std::string& path);
  // From the bytes of a serialised model (what serialize() returns).
  static Vocab fromBytes(std::string_view bytes, const std::string& what = "vocabulary");

  std::string serialize() const;             // serialised ModelProto (a .model file's bytes)
  void save(const std::string& path) const;  // writes serialize() to a file, atomically

  bool loaded() const { return sp_ != nullptr; }
  int32_t size() const;
  std::string piece(int32_t id) const;
  int32_t pieceToId(const std::string& piece) const;  // kUnkId when absent

  // Subword ids without BOS/EOS.
  std::vector<int32_t> encode(std::string_view text) const;
  std::vector<std::string> encodePieces(std::string_view text) const;
  // Detokenised text. pad, bos and eos ids are skipped; ids >= size() throw.
  std::string decode(std::span<const int32_t> ids) const;

  // 16 hex digits: FNV-1a 64 of the serialised model.
  const std::string& fingerprint() const { return fingerprint_; }

private:
  void init(std::string_view bytes, const std::string& what);
  std::unique_ptr<sentencepiece::SentencePieceProcessor> sp_;
  std::string bytes_;
  std::string fingerprint_;
};

// FNV-1a 64-bit hash as 16 lowercase hex digits.
std::string fnv1aHex(std::string_view bytes);

}  // namespace lt::data
