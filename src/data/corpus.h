// Corpus: encoded sentence pairs (subword ids, no BOS/EOS) and the max-length
// filter. Pair i keeps the index of the text line it came from (origin()).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lt::data {

class Vocab;

// What filterByLength() removed. Lengths count subword tokens without BOS/EOS.
struct LengthFilterStats {
  size_t kept = 0;
  size_t dropped = 0;     // total pairs removed
  size_t srcTooLong = 0;  // pairs whose source exceeded maxSrcLen (also counted if both)
  size_t tgtTooLong = 0;  // pairs whose target exceeded maxTgtLen
  size_t emptySide = 0;   // pairs where a side encoded to no tokens
  std::string toString() const;  // "dropped 12 of 29000 pairs (source too long 7, ...)"
};

class Corpus {
public:
  Corpus() = default;

  // Encodes line-aligned text, in parallel over `threads` (<= 0: the OpenMP
  // default). srcVocab and tgtVocab may be the same (joint) vocabulary.
  static Corpus encode(const std::vector<std::string>& src, const std::vector<std::string>& tgt,
                       const Vocab& srcVocab, const Vocab& tgtVocab, int threads = 0);

  void add(std::vector<int32_t> src, std::vector<int32_t> tgt, size_t origin);
  void add(std::vector<int32_t> src, std::vector<int32_t> tgt) { add(std::move(src), std::move(tgt), size()); }

  size_t size() const { return src_.size(); }
  bool empty() const { return src_.empty(); }
  const std::vector<int32_t>& src(size_t i) const { return src_[i]; }
  const std::vector<int32_t>& tgt(size_t i) const { return tgt_[i]; }
  size_t origin(size_t i) const { return origin_[i]; }  // line index in the text it was read from
  int64_t srcTokens() const;  // total subword tokens (no EOS)
  int64_t tgtTokens() const;

  // Drops pairs with a side longer than its limit (0 = no limit) or with an
  // empty side; keeps the order of the rest.
  LengthFilterStats filterByLength(size_t maxSrcLen, size_t maxTgtLen);

private:
  std::vector<std::vector<int32_t>> src_, tgt_;
  std::vector<size_t> origin_;
};

}  // namespace lt::data
