// Batch: padded id tensors for one training or decoding step.
//   src    [B, S] i32  x + EOS (no BOS), right-padded with kPadId
//   tgtIn  [B, T] i32  BOS + y              (decoder input, teacher forcing)
//   tgtOut [B, T] i32  y + EOS              (labels; kPadId where padded)
// S = max source length + 1, T = max target length + 1 over the batch.
// Tensors are allocated on the heap (never in an active Arena).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace lt::data {

class Corpus;
class Vocab;

struct Batch {
  Tensor src;                        // [B, S] i32
  Tensor tgtIn;                      // [B, T] i32 (undefined for source-only batches)
  Tensor tgtOut;                     // [B, T] i32 (undefined for source-only batches)
  std::vector<int32_t> srcLengths;   // [B] non-pad source positions (tokens + EOS)
  std::vector<int32_t> tgtLengths;   // [B] non-pad target positions (tokens + 1)
  int64_t srcTokens = 0;             // sum of srcLengths
  int64_t tgtTokens = 0;             // sum of tgtLengths = number of labels
  // Row r came from ids[r]: a Corpus index (training) or an input line index
  // (decoding), so outputs can be put back in input order.
  std::vector<size_t> ids;

  size_t sentences() const { return ids.size(); }
  bool hasTarget() const { return tgtIn.defined(); }
  int64_t srcWidth() const { return src.defined() ? src.dim(1) : 0; }  // S
  int64_t tgtWidth() const { return tgtIn.defined() ? tgtIn.dim(1) : 0; }  // T
};

// Batch of corpus pairs `indices` (in that row order).
Batch makeBatch(const Corpus& corpus, std::span<const size_t> indices);

// Source-only batch of sentences (subword ids, no EOS); ids = `ids`.
Batch makeSourceBatch(const std::vector<const std::vector<int32_t>*>& src, std::vector<size_t> ids);

struct DecodeBatchOptions {
  int64_t maxTokens = 0;     // B * S <= maxTokens (0 = no token limit)
  size_t maxSentences = 32;  // rows per batch (0 = no limit; needs maxTokens then)
  size_t maxSrcLen = 0;      // longest source in tokens, EOS excluded (0 = no limit)
  bool cropLong = true;      // crop longer sources to maxSrcLen; false: leave them out (below)
  int threads = 0;           // encoding threads (<= 0: OpenMP default)
};

// A line whose source is longer than DecodeBatchOptions::maxSrcLen.
struct OverLongLine {
  size_t index = 0;   // 0-based position in `lines`
  size_t tokens = 0;  // its subword tokens, EOS excluded
};

// Encodes raw input lines and groups them into batches of similar length
// (longest first). Empty lines give a source of just EOS. Each Batch's ids are
// the 0-based line numbers, so results can be restored to input order. Lines longer than
// maxSrcLen are listed in `overLong` (if given) in input order; with cropLong they are
// cropped, without it they are in no batch (and with no `overLong`, a DataError names the
// first one).
std::vector<Batch> makeDecodeBatches(const std::vector<std::string>& lines, const Vocab& vocab,
                                     const DecodeBatchOptions& opts,
                                     std::vector<OverLongLine>* overLong = nullptr);

}  // namespace lt::data
