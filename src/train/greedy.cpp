#include "train/greedy.h"

#include <algorithm>

#include "autodiff/var.h"

namespace lt::train {

std::vector<std::vector<int32_t>> greedyDecode(models::EncoderDecoder& net, const data::Batch& batch,
                                               const GreedyOptions& opts) {
  NoGradScope ng;
  const int B = int(batch.sentences());
  std::vector<std::vector<int32_t>> out(static_cast<size_t>(B));
  if (B == 0) return out;
  const int maxPos = net.config().maxPositions;
  std::vector<int> limit(static_cast<size_t>(B));
  int maxSteps = 1;
  for (int b = 0; b < B; ++b) {
    int srcLen = batch.srcLengths[size_t(b)] - 1;  // without EOS
    int l = int(opts.maxLenA * float(srcLen)) + opts.maxLenB;
    l = std::clamp(l, 1, maxPos - 1);
    limit[size_t(b)] = l;
    maxSteps = std::max(maxSteps, l + 1);
  }
  models::EncoderOutput enc = net.encode(batch.src);
  models::DecoderState st = net.startState(enc, maxSteps, 1);
  std::vector<int32_t> rowSentence(static_cast<size_t>(B));  // live row -> sentence
  for (int b = 0; b < B; ++b) rowSentence[size_t(b)] = b;
  std::vector<int32_t> prev(size_t(B), data::kBosId);
  for (int t = 0; !rowSentence.empty(); ++t) {
    const int N = int(rowSentence.size());
    Tensor logits = net.step(st, Tensor::fromVector(Shape{N}, prev));  // [N, V]
    const int64_t V = logits.dim(1);
    const float* lp = logits.data<float>();
    std::vector<int32_t> keep, keepPrev, keepSent;
    for (int r = 0; r < N; ++r) {
      const float* row = lp + int64_t(r) * V;
      int32_t best = -1;
      float bestV = 0;
      for (int64_t v = 0; v < V; ++v) {
        if (v == data::kPadId || v == data::kBosId) continue;
        if (best < 0 || row[v] > bestV) {
          best = int32_t(v);
          bestV = row[v];
        }
      }
      const int s = rowSentence[size_t(r)];
      bool done = best == data::kEosId;
      if (!done) {
        out[size_t(s)].push_back(best);
        done = int(out[size_t(s)].size()) >= limit[size_t(s)];
      }
      if (!done) {
        keep.push_back(r);
        keepPrev.push_back(best);
        keepSent.push_back(s);
      }
    }
    if (keep.empty()) break;
    if (int(keep.size()) != N) net.reorder(st, Tensor::fromVector(Shape{int64_t(keep.size())}, keep));
    rowSentence = std::move(keepSent);
    prev = std::move(keepPrev);
  }
  return out;
}

std::vector<std::string> greedyTranslate(models::EncoderDecoder& net, const data::Vocab& srcVocab,
                                         const data::Vocab& tgtVocab,
                                         const std::vector<std::string>& lines,
                                         const GreedyOptions& opts) {
  data::DecodeBatchOptions bo;
  bo.maxTokens = opts.maxTokens;
  bo.maxSentences = opts.maxSentences;
  bo.maxSrcLen = size_t(std::max(1, net.config().maxPositions - 2));
  std::vector<std::string> out(lines.size());
  for (const data::Batch& b : data::makeDecodeBatches(lines, srcVocab, bo)) {
    auto hyps = greedyDecode(net, b, opts);
    for (size_t r = 0; r < hyps.size(); ++r) out[b.ids[r]] = tgtVocab.decode(hyps[r]);
  }
  return out;
}

}  // namespace lt::train
