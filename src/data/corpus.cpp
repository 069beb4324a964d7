#include "data/corpus.h"

#include <omp.h>

#include <exception>

#include "common/error.h"
#include "data/vocab.h"

namespace lt::data {

std::string LengthFilterStats::toString() const {
  return fmt::format("dropped {} of {} pairs (source too long {}, target too long {}, empty side {})",
                     dropped, kept + dropped, srcTooLong, tgtTooLong, emptySide);
}

Corpus Corpus::encode(const std::vector<std::string>& src, const std::vector<std::string>& tgt,
                      const Vocab& srcVocab, const Vocab& tgtVocab, int threads) {
  LT_CHECK(src.size() == tgt.size(), DataError,
           "cannot encode a corpus with {} source and {} target sentences", src.size(), tgt.size());
  const int64_t n = int64_t(src.size());
  Corpus c;
  c.src_.resize(size_t(n));
  c.tgt_.resize(size_t(n));
  c.origin_.resize(size_t(n));
  std::exception_ptr err;
  const int nt = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 512) num_threads(nt)
  for (int64_t i = 0; i < n; ++i) {
    try {
      c.src_[size_t(i)] = srcVocab.encode(src[size_t(i)]);
      c.tgt_[size_t(i)] = tgtVocab.encode(tgt[size_t(i)]);
      c.origin_[size_t(i)] = size_t(i);
    } catch (...) {
#pragma omp critical(lt_corpus_encode)
      if (!err) err = std::current_exception();
    }
  }
  if (err) std::rethrow_exception(err);
  return c;
}

void Corpus::add(std::vector<int32_t> src, std::vector<int32_t> tgt, size_t origin) {
  src_.push_back(std::move(src));
  tgt_.push_back(std::move(tgt));
  origin_.push_back(origin);
}

int64_t Corpus::srcTokens() const {
  int64_t t = 0;
  for (const auto& s : src_) t += int64_t(s.size());
  return t;
}

int64_t Corpus::tgtTokens() const {
  int64_t t = 0;
  for (const auto& s : tgt_) t += int64_t(s.size());
  return t;
}

LengthFilterStats Corpus::filterByLength(size_t maxSrcLen, size_t maxTgtLen) {
  LengthFilterStats st;
  size_t w = 0;
  for (size_t i = 0; i < src_.size(); ++i) {
    bool empty = src_[i].empty() || tgt_[i].empty();
    bool srcLong = maxSrcLen && src_[i].size() > maxSrcLen;
    bool tgtLong = maxTgtLen && tgt_[i].size() > maxTgtLen;
    if (empty || srcLong || tgtLong) {
      ++st.dropped;
      st.emptySide += empty;
      st.srcTooLong += srcLong;
      st.tgtTooLong += tgtLong;
      continue;
    }
    if (w != i) {
      src_[w] = std::move(src_[i]);
      tgt_[w] = std::move(tgt_[i]);
      origin_[w] = origin_[i];
    }
    ++w;
  }
  src_.resize(w);
  tgt_.resize(w);
  origin_.resize(w);
  st.kept = w;
  return st;
}

}  // namespace lt::data
