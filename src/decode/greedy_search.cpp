#include "decode/greedy_search.h"

#include "common/error.h"

namespace lt::decode {

std::vector<std::vector<Hypothesis>> greedySearch(Scorer& scorer, const std::vector<int>& srcLengths,
                                                  const SearchOptions& opt) {
  const size_t B = srcLengths.size();
  std::vector<std::vector<Hypothesis>> out(B, std::vector<Hypothesis>(1));
  std::vector<int> limit(B);
  for (size_t s = 0; s < B; ++s) limit[s] = maxOutputLength(srcLengths[s], opt);
  std::vector<int32_t> rowSentence(B);  // live row -> sentence
  for (size_t s = 0; s < B; ++s) rowSentence[s] = int32_t(s);
  std::vector<int32_t> prev(B, opt.bos);
  const int V = scorer.vocabSize();
  for (int step = 0; !rowSentence.empty(); ++step) {
    const int64_t N = int64_t(rowSentence.size());
    Tensor shift;
    Tensor scores = scorer.stepScores(Tensor::fromVector(Shape{N}, prev), shift);
    LT_CHECK(scores.rank() == 2 && scores.dim(0) == N && scores.dim(1) == V, ShapeError,
             "greedy search: scorer returned {} for {} rows and vocabulary {}", scores.shape().toString(),
             N, V);
    const float* sp = scores.data<float>();
    const float* sh = shift.defined() ? shift.data<float>() : nullptr;
    std::vector<int32_t> keep, keepPrev, keepSentence;
    for (int64_t r = 0; r < N; ++r) {
      const int32_t s = rowSentence[size_t(r)];
      Hypothesis& h = out[size_t(s)][0];
      const bool forceEos = int(h.tokens.size()) >= limit[size_t(s)];
      const float* row = sp + r * V;
      int best = -1;
      for (int v = 0; v < V; ++v) {
        if (v == opt.pad || v == opt.bos) continue;
        if (forceEos ? v != opt.eos : (v == opt.eos && step < opt.minLen)) continue;
        if (best < 0 || row[v] > row[best]) best = v;
      }
      LT_CHECK(best >= 0, Error, "greedy search: no token is allowed at step {}", step);
      h.logProb += row[best] - (sh ? sh[r] : 0.f);
      bool done = best == opt.eos;
      if (!done) {
        h.tokens.push_back(best);
        done = int(h.tokens.size()) >= limit[size_t(s)];
      }
      if (done) {
        h.score = normalizedScore(h.logProb, int(h.tokens.size()) + 1, opt);
      } else {
        keep.push_back(int32_t(r));
        keepPrev.push_back(best);
        keepSentence.push_back(s);
      }
    }
    if (keep.empty()) break;
    if (int64_t(keep.size()) != N) scorer.reorder(Tensor::fromVector(Shape{int64_t(keep.size())}, keep));
    rowSentence = std::move(keepSentence);
    prev = std::move(keepPrev);
  }
  return out;
}

}  // namespace lt::decode
