#include "data/batch.h"

#include <omp.h>

#include <algorithm>
#include <exception>
#include <numeric>

#include "common/error.h"
#include "data/corpus.h"
#include "data/vocab.h"
#include "tensor/arena.h"

namespace lt::data {

namespace {

// [rows, width] i32 tensor filled from rows of ids, with optional prefix and
// suffix token, right-padded with kPadId.
Tensor padRows(const std::vector<const std::vector<int32_t>*>& rows, int64_t width, int32_t prefix,
               int32_t suffix) {
  const int64_t b = int64_t(rows.size());
  std::vector<int32_t> v(size_t(b * width), kPadId);
  for (int64_t r = 0; r < b; ++r) {
    int32_t* out = v.data() + r * width;
    int64_t k = 0;
    if (prefix >= 0) out[k++] = prefix;
    for (int32_t id : *rows[size_t(r)]) out[k++] = id;
    if (suffix >= 0) out[k++] = suffix;
  }
  HeapScope heap;
  return Tensor::fromVector(Shape{b, width}, v);
}

}  // namespace

Batch makeBatch(const Corpus& corpus, std::span<const size_t> indices) {
  LT_CHECK(!indices.empty(), Error, "internal: makeBatch with no sentences");
  Batch b;
  std::vector<const std::vector<int32_t>*> src, tgt;
  int64_t maxS = 0, maxT = 0;
  for (size_t i : indices) {
    LT_CHECK(i < corpus.size(), Error, "internal: pair {} outside corpus of {}", i, corpus.size());
    src.push_back(&corpus.src(i));
    tgt.push_back(&corpus.tgt(i));
    int32_t ls = int32_t(corpus.src(i).size()) + 1, lt = int32_t(corpus.tgt(i).size()) + 1;
    b.srcLengths.push_back(ls);
    b.tgtLengths.push_back(lt);
    b.srcTokens += ls;
    b.tgtTokens += lt;
    maxS = std::max<int64_t>(maxS, ls);
    maxT = std::max<int64_t>(maxT, lt);
    b.ids.push_back(i);
  }
  b.src = padRows(src, maxS, -1, kEosId);
  b.tgtIn = padRows(tgt, maxT, kBosId, -1);
  b.tgtOut = padRows(tgt, maxT, -1, kEosId);
  return b;
}

Batch makeSourceBatch(const std::vector<const std::vector<int32_t>*>& src, std::vector<size_t> ids) {
  LT_CHECK(!src.empty() && src.size() == ids.size(), Error,
           "internal: makeSourceBatch with {} sentences and {} ids", src.size(), ids.size());
  Batch b;
  int64_t maxS = 0;
  for (const auto* s : src) {
    int32_t ls = int32_t(s->size()) + 1;
    b.srcLengths.push_back(ls);
    b.srcTokens += ls;
    maxS = std::max<int64_t>(maxS, ls);
  }
  b.src = padRows(src, maxS, -1, kEosId);
  b.ids = std::move(ids);
  return b;
}

std::vector<Batch> makeDecodeBatches(const std::vector<std::string>& lines, const Vocab& vocab,
                                     const DecodeBatchOptions& opts, std::vector<OverLongLine>* overLong) {
  LT_CHECK(opts.maxTokens > 0 || opts.maxSentences > 0, ConfigError,
           "decoding batches need a token limit or a sentence limit");
  const int64_t n = int64_t(lines.size());
  std::vector<std::vector<int32_t>> enc(lines.size());
  std::exception_ptr err;
  const int nt = opts.threads > 0 ? opts.threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 64) num_threads(nt)
  for (int64_t i = 0; i < n; ++i) {
    try {
      auto& e = enc[size_t(i)];
      e = vocab.encode(lines[size_t(i)]);
    } catch (...) {
#pragma omp critical(lt_decode_encode)
      if (!err) err = std::current_exception();
    }
  }
  if (err) std::rethrow_exception(err);

  std::vector<size_t> order;
  order.reserve(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!opts.maxSrcLen || enc[i].size() <= opts.maxSrcLen) {
      order.push_back(i);
      continue;
    }
    LT_CHECK(overLong || opts.cropLong, DataError,
             "input line {}: {} subword tokens, more than the limit of {}", i + 1, enc[i].size(),
             opts.maxSrcLen);
    if (overLong) overLong->push_back({i, enc[i].size()});
    if (opts.cropLong) {
      enc[i].resize(opts.maxSrcLen);
      order.push_back(i);
    }
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return enc[a].size() > enc[b].size(); });

  std::vector<Batch> out;
  std::vector<const std::vector<int32_t>*> rows;
  std::vector<size_t> ids;
  int64_t width = 0;
  auto flush = [&] {
    if (rows.empty()) return;
    out.push_back(makeSourceBatch(rows, std::move(ids)));
    rows.clear();
    ids.clear();
    width = 0;
  };
  for (size_t i : order) {
    int64_t w = std::max<int64_t>(width, int64_t(enc[i].size()) + 1);
    bool full = (opts.maxSentences && rows.size() + 1 > opts.maxSentences) ||
                (opts.maxTokens && int64_t(rows.size() + 1) * w > opts.maxTokens);
    if (full && !rows.empty()) {
      flush();
      w = int64_t(enc[i].size()) + 1;
    }
    rows.push_back(&enc[i]);
    ids.push_back(i);
    width = w;
  }
  flush();
  return out;
}

}  // namespace lt::data
