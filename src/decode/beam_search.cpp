#include "decode/beam_search.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "common/error.h"
#include "common/profiler.h"
#include "kernels/cpu/candidate_mask.h"

namespace lt::decode {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

struct Live {
  std::vector<int> tokens;
  float logProb = 0;
};

struct Candidate {
  float score;
  int row;  // row within the sentence's k rows
  int token;
};

bool better(const Candidate& a, const Candidate& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.row != b.row) return a.row < b.row;
  return a.token < b.token;
}

struct Sentence {
  int index;  // position in the caller's batch
  int maxLen;
  std::vector<Live> live;  // exactly k entries while active (dummies have -inf)
  std::vector<Hypothesis> finished;
};

// The token rules and the score walk of one sentence at one step.
struct StepView {
  const Sentence& st;
  const float* lp;     // the sentence's k rows of scores, [k, V]
  const float* shift;  // their log-softmax shifts [k] (log-prob = score - shift), or null
  int rows, V, step;
  bool forceEos;
  const SearchOptions& opt;

  bool allowed(int v) const {
    if (v == opt.pad || v == opt.bos) return false;
    return forceEos ? v == opt.eos : !(v == opt.eos && step < opt.minLen);
  }
  float shiftOf(int r) const { return shift ? shift[r] : 0.f; }  // x - 0.f == x exactly
  template <class Visit>
  void eachScore(Visit&& visit) const {
    for (int r = 0; r < rows; ++r) {
      const float base = st.live[r].logProb, sh = shiftOf(r);
      if (base == kNegInf) continue;
      const float* row = lp + int64_t(r) * V;
      for (int v = 0; v < V; ++v) {
        const float sc = base + (row[v] - sh);
        if (sc > kNegInf) visit(sc, r, v);  // skips -inf and NaN
      }
    }
  }
  // The `cap` best allowed candidates, best first, kept in a bounded heap whose front is the
  // worst kept one. Once the heap is full, scores are tested 16 at a time against its front
  // (kernels/cpu/candidate_mask.h: the same base + x < front test as offer's, vectorised)
  // and the token rules run only for the tokens that pass.
  void best(size_t cap, std::vector<Candidate>& cands) const {
    cands.clear();
    auto offer = [&](float sc, int r, int v) {
      if (!(sc > kNegInf)) return;  // skips -inf and NaN
      const bool full = cands.size() == cap;
      if (full && sc < cands.front().score) return;
      if (!allowed(v)) return;
      const Candidate c{sc, r, v};
      if (!full) {
        cands.push_back(c);
        std::push_heap(cands.begin(), cands.end(), better);
      } else if (better(c, cands.front())) {
        std::pop_heap(cands.begin(), cands.end(), better);
        cands.back() = c;
        std::push_heap(cands.begin(), cands.end(), better);
      }
    };
    constexpr int kBlock = 16;
    for (int r = 0; r < rows; ++r) {
      const float base = st.live[r].logProb, sh = shiftOf(r);
      if (base == kNegInf) continue;
      const float* row = lp + int64_t(r) * V;
      int v0 = 0;
      for (; v0 + kBlock <= V; v0 += kBlock) {
        if (cands.size() == cap) {
          // The front only rises while the block's tokens are offered, so a token whose bit
          // is clear would fail offer's own test too.
          for (uint32_t m = kernels::cpu::candidateMask16(row + v0, base, sh, cands.front().score);
               m; m &= m - 1) {
            const int v = v0 + std::countr_zero(m);
            offer(base + (row[v] - sh), r, v);
          }
        } else {
          for (int j = 0; j < kBlock; ++j) offer(base + (row[v0 + j] - sh), r, v0 + j);
        }
      }
      for (int v = v0; v < V; ++v) offer(base + (row[v] - sh), r, v);
    }
    std::sort_heap(cands.begin(), cands.end(), better);
  }
};

}  // namespace

float normalizedScore(float logProb, int length, const SearchOptions& opt) {
  if (opt.penalty == LengthPenalty::Gnmt)
    return logProb / std::pow((5.f + float(length)) / 6.f, opt.alpha);
  return logProb / std::pow(float(length), opt.lenpen);
}

int maxOutputLength(int srcLen, const SearchOptions& opt) {
  double m = double(opt.maxLenA) * srcLen + opt.maxLenB;
  return std::max(int(std::min<double>(std::floor(m), opt.maxLenCap)), 0);
}

std::vector<std::vector<Hypothesis>> beamSearch(Scorer& scorer, const std::vector<int>& srcLengths,
                                                const SearchOptions& opt) {
  const int k = opt.beamSize;
  LT_CHECK(k >= 1, ConfigError, "--beam-size must be at least 1, got {}", k);
  LT_CHECK(opt.nBest >= 1 && opt.nBest <= k, ConfigError,
           "--n-best must be between 1 and the beam size {}, got {}", k, opt.nBest);
  const int V = scorer.vocabSize();

  std::vector<Sentence> active;
  for (size_t s = 0; s < srcLengths.size(); ++s) {
    Sentence st;
    st.index = int(s);
    st.maxLen = maxOutputLength(srcLengths[s], opt);
    st.live.assign(k, Live{});
    active.push_back(std::move(st));
  }
  std::vector<std::vector<Hypothesis>> results(srcLengths.size());

  std::vector<int32_t> prev(active.size() * k, opt.bos);
  std::vector<std::vector<Candidate>> candsOf;
  for (int step = 0; !active.empty(); ++step) {
    Tensor prevT = Tensor::fromVector(Shape{int64_t(prev.size())}, prev);
    Tensor shiftT;
    Tensor logp = scorer.stepScores(prevT, shiftT);
    LT_CHECK(logp.rank() == 2 && logp.dim(0) == int64_t(prev.size()) && logp.dim(1) == V, ShapeError,
             "beam search: scorer returned {} for {} rows and vocabulary {}", logp.shape().toString(),
             prev.size(), V);
    LT_CHECK(!shiftT.defined() || shiftT.shape() == Shape{int64_t(prev.size())}, ShapeError,
             "beam search: scorer returned shifts {} for {} rows", shiftT.shape().toString(),
             prev.size());
    const float* lp = logp.data<float>();
    const float* shifts = shiftT.defined() ? shiftT.data<float>() : nullptr;
    const size_t cap = size_t(2 * k);
    auto viewOf = [&](size_t i) {
      const Sentence& st = active[i];
      return StepView{st, lp + int64_t(i) * k * V, shifts ? shifts + int64_t(i) * k : nullptr,
                      step == 0 ? 1 : k, V, step, step >= st.maxLen, opt};
    };
    // The 2k best candidates of every sentence: independent scans of k x V scores, in
    // parallel over sentences (the rest of the step is bookkeeping, serial, in order).
    const int64_t n = int64_t(active.size());
    candsOf.resize(active.size());
    {
      profiler::Section ps("beam_scan");
#pragma omp parallel for schedule(static) if (n > 1 && int64_t(k) * V * n >= 65536)
      for (int64_t i = 0; i < n; ++i) viewOf(size_t(i)).best(cap, candsOf[size_t(i)]);
    }
    std::vector<Sentence> next;
    std::vector<int32_t> keepRows, nextPrev;
    {  // the serial bookkeeping
      profiler::Section ps2("beam_select");
      for (size_t i = 0; i < active.size(); ++i) {
        Sentence& st = active[i];
        const StepView view = viewOf(i);
        const bool forceEos = view.forceEos;
        std::vector<Candidate>& cands = candsOf[i];
        size_t top = cands.size();

        std::vector<Live> nextLive;
        std::vector<int> nextRows;
        auto consider = [&](size_t j) {
          const Candidate& c = cands[j];
          if (c.token == opt.eos) {
            if (j < size_t(k) && int(st.finished.size()) < k) {
              Hypothesis h;
              h.tokens = st.live[c.row].tokens;
              h.logProb = c.score;
              h.score = normalizedScore(c.score, step + 1, opt);
              st.finished.push_back(std::move(h));
            }
          } else if (int(nextLive.size()) < k) {
            Live l{st.live[c.row].tokens, c.score};
            l.tokens.push_back(c.token);
            nextLive.push_back(std::move(l));
            nextRows.push_back(c.row);
          }
        };
        for (size_t j = 0; j < top; ++j) consider(j);
        if (int(nextLive.size()) < k && top == cap) {
          // Small vocabularies: walk further down the full ranking for continuations (a heap
          // that did not fill already holds every candidate).
          cands.clear();
          view.eachScore([&](float sc, int r, int v) {
            if (view.allowed(v)) cands.push_back({sc, r, v});
          });
          std::sort(cands.begin(), cands.end(), better);
          for (size_t j = top; j < cands.size() && int(nextLive.size()) < k; ++j)
            if (cands[j].token != opt.eos) consider(j);
        }

        bool done = int(st.finished.size()) >= k || forceEos || nextLive.empty();
        if (done) {
          auto& fin = st.finished;
          std::stable_sort(fin.begin(), fin.end(), [](const Hypothesis& a, const Hypothesis& b) {
            return a.score > b.score;
          });
          if (int(fin.size()) > opt.nBest) fin.resize(opt.nBest);
          results[st.index] = std::move(fin);
          continue;
        }
        while (int(nextLive.size()) < k) {  // pad with dead rows that never win
          nextLive.push_back(Live{{}, kNegInf});
          nextRows.push_back(nextRows.front());
        }
        for (int r = 0; r < k; ++r) {
          keepRows.push_back(int32_t(i * k + nextRows[r]));
          nextPrev.push_back(nextLive[r].tokens.empty() ? opt.eos : nextLive[r].tokens.back());
        }
        st.live = std::move(nextLive);
        next.push_back(std::move(st));
      }
    }
    active = std::move(next);
    if (active.empty()) break;
    profiler::Section ps3("reorder");
    scorer.reorder(Tensor::fromVector(Shape{int64_t(keepRows.size())}, keepRows));
    prev = std::move(nextPrev);
  }
  return results;
}

}  // namespace lt::decode
