// Beam search against a scripted scorer whose per-prefix distributions are
// fixed, so the expected beams and scores can be worked out by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <map>

#include "decode/beam_search.h"
#include "decode/greedy_search.h"

using namespace lt;
using namespace lt::decode;

namespace {

constexpr int PAD = 0, UNK = 1, BOS = 2, EOS = 3, A = 4, B = 5, V = 6;
using Dist = std::map<int, float>;  // token -> probability (others 0)

// Rows carry (sentence, prefix). The next token's log-probabilities are a pure function of
// them (fill()), so correct reordering is required to get the script right.
class PrefixScorer : public Scorer {
public:
  PrefixScorer(int sentences, int beam, int vocab) : V_(vocab) {
    for (int i = 0; i < sentences; ++i)
      for (int j = 0; j < beam; ++j) rows_.push_back({i, {}});
  }
  Tensor step(const Tensor& prev) override {
    REQUIRE(prev.elements() == int64_t(rows_.size()));
    Tensor out = Tensor::empty({int64_t(rows_.size()), V_});
    for (size_t r = 0; r < rows_.size(); ++r) {
      int p = prev.data<int32_t>()[r];
      if (p != BOS) rows_[r].second.push_back(p);
      fill(rows_[r].first, rows_[r].second, out.data<float>() + int64_t(r) * V_);
    }
    ++steps;
    return out;
  }
  void reorder(const Tensor& idx) override {
    std::vector<std::pair<int, std::vector<int>>> n;
    for (int64_t i = 0; i < idx.elements(); ++i) n.push_back(rows_.at(idx.data<int32_t>()[i]));
    rows_ = std::move(n);
  }
  int vocabSize() const override { return V_; }
  int steps = 0;

protected:
  // Writes the V log-probabilities of the token after `prefix` in `sentence`.
  virtual void fill(int sentence, const std::vector<int>& prefix, float* row) const = 0;

private:
  int V_;
  std::vector<std::pair<int, std::vector<int>>> rows_;
};

// A script gives the probability of each possible next token (others 0).
class ScriptedScorer : public PrefixScorer {
public:
  using Script = std::function<Dist(int sentence, const std::vector<int>& prefix)>;
  ScriptedScorer(int sentences, int beam, Script s)
      : PrefixScorer(sentences, beam, V), script_(std::move(s)) {}

private:
  void fill(int sentence, const std::vector<int>& prefix, float* row) const override {
    std::fill(row, row + V, -INFINITY);
    for (auto [tok, prob] : script_(sentence, prefix)) row[tok] = std::log(prob);
  }
  Script script_;
};

// The worked example (probabilities per prefix):
//   []    : a .6, b .3, eos .1 (eos barred at step 0 by min-length 1)
//   [a]   : eos .9, a .05, b .05        [b]   : eos .4, a .5, b .1
//   [b a] : eos .8, a .2                [a a] : eos .5, b .5
Dist example(int, const std::vector<int>& p) {
  if (p.empty()) return {{A, .6f}, {B, .3f}, {EOS, .1f}};
  if (p == std::vector<int>{A}) return {{EOS, .9f}, {A, .05f}, {B, .05f}};
  if (p == std::vector<int>{B}) return {{EOS, .4f}, {A, .5f}, {B, .1f}};
  if (p == std::vector<int>{B, A}) return {{EOS, .8f}, {A, .2f}};
  if (p == std::vector<int>{A, A}) return {{EOS, .5f}, {B, .5f}};
  return {{EOS, 1.f}};
}

}  // namespace

TEST_CASE("beam 2, lenpen 1: hand-worked beams and scores") {
  // Step 0: live [a] (.6), [b] (.3).
  // Step 1 candidates: [a]+eos .54, [b]+a .15, [b]+eos .12, [a]+a .03 (tie with [a]+b and
  //   [b]+b at .03: lower row, then lower token wins). Rank 0 is EOS -> finished "a" with
  //   log(.54)/2. [b]+eos is rank 2 >= k -> ignored. Live: [b a] .15, [a a] .03.
  // Step 2: [b a]+eos .12 is rank 0 -> finished "b a" with log(.12)/3. Two finished: done.
  ScriptedScorer sc(1, 2, example);
  SearchOptions o;
  o.beamSize = 2;
  o.nBest = 2;
  auto res = beamSearch(sc, {5}, o);
  REQUIRE(res.size() == 1);
  REQUIRE(res[0].size() == 2);
  CHECK(res[0][0].tokens == std::vector<int>{A});
  CHECK(res[0][0].score == doctest::Approx(std::log(0.54) / 2));
  CHECK(res[0][0].logProb == doctest::Approx(std::log(0.54)));
  CHECK(res[0][1].tokens == std::vector<int>{B, A});
  CHECK(res[0][1].score == doctest::Approx(std::log(0.12) / 3));
  CHECK(sc.steps == 3);
}

TEST_CASE("length penalty changes the ranking") {
  // lenpen 4: log(.54)/2^4 = -0.03851 < log(.12)/3^4 = -0.02618 -> "b a" ranks first.
  ScriptedScorer sc(1, 2, example);
  SearchOptions o;
  o.beamSize = 2;
  o.nBest = 2;
  o.lenpen = 4.f;
  auto res = beamSearch(sc, {5}, o);
  CHECK(res[0][0].tokens == std::vector<int>{B, A});
  CHECK(res[0][0].score == doctest::Approx(std::log(0.12) / 81));
  CHECK(res[0][1].score == doctest::Approx(std::log(0.54) / 16));
  // GNMT: lp(len) = ((5 + len) / 6)^alpha.
  ScriptedScorer sc2(1, 2, example);
  o.penalty = LengthPenalty::Gnmt;
  o.alpha = 0.6f;
  auto g = beamSearch(sc2, {5}, o);
  CHECK(g[0][0].tokens == std::vector<int>{A});
  CHECK(g[0][0].score == doctest::Approx(std::log(0.54) / std::pow(7.0 / 6.0, 0.6)));
  CHECK(g[0][1].score == doctest::Approx(std::log(0.12) / std::pow(8.0 / 6.0, 0.6)));
}

TEST_CASE("max length forces EOS") {
  // max length 1: step 0 keeps [a] .6, [b] .3; step 1 only EOS is allowed:
  // [a eos] .54 and [b eos] .12 are both within the first k -> both finished.
  ScriptedScorer sc(1, 2, example);
  SearchOptions o;
  o.beamSize = 2;
  o.nBest = 2;
  o.maxLenB = 1;
  auto res = beamSearch(sc, {5}, o);
  REQUIRE(res[0].size() == 2);
  CHECK(res[0][0].tokens == std::vector<int>{A});
  CHECK(res[0][1].tokens == std::vector<int>{B});
  CHECK(res[0][1].score == doctest::Approx(std::log(0.12) / 2));
  // max length from the source: a * srcLen + b = 0.5 * 3 + 0 -> 1 token.
  ScriptedScorer sc2(1, 2, example);
  o.maxLenA = 0.5f;
  o.maxLenB = 0;
  auto r2 = beamSearch(sc2, {3}, o);
  CHECK(r2[0][0].tokens.size() == 1);
}

TEST_CASE("ties break by lower row then lower token id") {
  auto tie = [](int, const std::vector<int>& p) -> Dist {
    if (p.empty()) return {{B, .5f}, {A, .5f}};
    return {{EOS, 1.f}};
  };
  ScriptedScorer sc(1, 1, tie);
  SearchOptions o;
  o.beamSize = 1;
  auto res = beamSearch(sc, {2}, o);
  CHECK(res[0][0].tokens == std::vector<int>{A});
}

TEST_CASE("batch: sentences finish at different steps; reorder keeps rows straight") {
  // Sentence 0 follows the worked example; sentence 1 prefers b, then b b, then eos.
  auto script = [](int s, const std::vector<int>& p) -> Dist {
    if (s == 0) return example(s, p);
    if (p.size() < 3) return {{B, .7f}, {A, .2f}, {EOS, .1f}};
    return {{EOS, 1.f}};
  };
  ScriptedScorer sc(2, 2, script);
  SearchOptions o;
  o.beamSize = 2;
  o.nBest = 1;
  auto res = beamSearch(sc, {4, 4}, o);
  CHECK(res[0][0].tokens == std::vector<int>{A});
  CHECK(res[1][0].tokens == std::vector<int>{B, B, B});
  CHECK(res[1][0].logProb == doctest::Approx(3 * std::log(0.7)));
}

TEST_CASE("beam 1 equals greedy decoding") {
  // Pseudo-random distributions that depend on (sentence, prefix).
  auto script = [](int s, const std::vector<int>& p) -> Dist {
    uint64_t h = 1469598103934665603ull ^ uint64_t(s);
    for (int t : p) h = (h ^ uint64_t(t)) * 1099511628211ull;
    Dist d;
    float total = 0;
    for (int t : {EOS, A, B, UNK}) {
      h = h * 6364136223846793005ull + 1442695040888963407ull;
      float w = float((h >> 33) % 1000 + 1);
      if (t == EOS && p.size() < 2) w *= 0.1f;
      d[t] = w;
      total += w;
    }
    for (auto& [t, w] : d) w /= total;
    return d;
  };
  const int n = 20;
  ScriptedScorer sc(n, 1, script);
  SearchOptions o;
  o.beamSize = 1;
  o.maxLenB = 12;
  auto res = beamSearch(sc, std::vector<int>(n, 5), o);
  for (int s = 0; s < n; ++s) {
    std::vector<int> greedy;
    double lp = 0;
    for (int step = 0;; ++step) {
      Dist d = script(s, greedy);
      int best = -1;
      float bp = -1;
      for (auto [t, pr] : d) {
        if (t == EOS && step < 1) continue;
        if (step >= 12 && t != EOS) continue;
        if (pr > bp) bp = pr, best = t;
      }
      lp += std::log(bp);
      if (best == EOS) break;
      greedy.push_back(best);
    }
    CHECK(res[s][0].tokens == greedy);
    CHECK(res[s][0].logProb == doctest::Approx(lp).epsilon(1e-5));
  }
  // greedySearch takes the same tokens; a sentence cut at the limit (12 tokens) stops without
  // an EOS step, so its logProb has no EOS term.
  ScriptedScorer gs(n, 1, script);
  o.greedy = true;
  auto gres = greedySearch(gs, std::vector<int>(n, 5), o);
  REQUIRE(int(gres.size()) == n);
  for (int s = 0; s < n; ++s) {
    REQUIRE(gres[s].size() == 1);
    CHECK(gres[s][0].tokens == res[s][0].tokens);
    if (res[s][0].tokens.size() < 12) {
      CHECK(gres[s][0].logProb == doctest::Approx(res[s][0].logProb).epsilon(1e-5));
      CHECK(gres[s][0].score == doctest::Approx(res[s][0].score).epsilon(1e-5));
    }
  }
}

TEST_CASE("greedy search: arg-max per row, min length, limit without an EOS step, ties to the lower id") {
  // Sentence 0: [] -> eos .5, a .3, b .2; [a] -> a .5, b .5 (tie: a); [a a] -> eos .6, b .4.
  // Sentence 1: b .7 then always b .9 (cut at the limit).
  auto script = [](int s, const std::vector<int>& p) -> Dist {
    if (s == 1) return p.empty() ? Dist{{B, .7f}, {EOS, .3f}} : Dist{{B, .9f}, {EOS, .1f}};
    if (p.empty()) return {{EOS, .5f}, {A, .3f}, {B, .2f}};
    if (p.size() == 1) return {{A, .5f}, {B, .5f}};
    return {{EOS, .6f}, {B, .4f}};
  };
  SearchOptions o;
  o.greedy = true;
  o.maxLenA = 0;
  o.maxLenB = 4;
  ScriptedScorer sc(2, 1, script);
  auto res = greedySearch(sc, {3, 3}, o);  // minLen 1: EOS barred at step 0
  CHECK(res[0][0].tokens == std::vector<int>{A, A});
  CHECK(res[0][0].logProb == doctest::Approx(std::log(.3) + std::log(.5) + std::log(.6)));
  CHECK(res[0][0].score == doctest::Approx(res[0][0].logProb / 3));
  CHECK(res[1][0].tokens == std::vector<int>{B, B, B, B});
  CHECK(res[1][0].logProb == doctest::Approx(std::log(.7) + 3 * std::log(.9)));
  CHECK(sc.steps == 4);  // the fourth token ends sentence 1: no fifth (EOS) step
  o.minLen = 0;          // EOS allowed at once (lt-train's validation)
  ScriptedScorer sc0(2, 1, script);
  auto res0 = greedySearch(sc0, {3, 3}, o);
  CHECK(res0[0][0].tokens.empty());
  CHECK(res0[0][0].logProb == doctest::Approx(std::log(.5)));
  CHECK(res0[1][0].tokens == res[1][0].tokens);
}

TEST_CASE("n-best returns hypotheses best first; bad options are config errors") {
  ScriptedScorer sc(1, 3, example);
  SearchOptions o;
  o.beamSize = 3;
  o.nBest = 3;
  auto res = beamSearch(sc, {5}, o);
  REQUIRE(res[0].size() == 3);
  for (int i = 0; i + 1 < 3; ++i) CHECK(res[0][i].score >= res[0][i + 1].score);
  ScriptedScorer sc2(1, 2, example);
  o.beamSize = 2;
  o.nBest = 3;
  CHECK_THROWS_AS(beamSearch(sc2, {5}, o), ConfigError);
}

namespace {

// Log-probabilities over a large vocabulary, a pure function of (sentence, prefix): the
// scan's block masks (blocks of 16 tokens and a tail) meet thousands of tokens.
class HashScorer : public PrefixScorer {
public:
  HashScorer(int sentences, int beam, int vocab) : PrefixScorer(sentences, beam, vocab) {}
  static std::vector<float> dist(int s, const std::vector<int>& p, int V) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ uint64_t(s);
    for (int t : p) h = (h ^ uint64_t(t)) * 1099511628211ull;
    std::vector<float> lp(size_t(V), -INFINITY);
    double total = 0;
    for (int v = 0; v < V; ++v) {
      h = h * 6364136223846793005ull + 1442695040888963407ull;
      if (v % 7 == 5) continue;  // impossible tokens (-inf), some in every block
      // Peaked: a few tokens carry most of the mass, most blocks hold no contender.
      double u = double((h >> 11) & ((1ull << 53) - 1)) / double(1ull << 53);
      double w = std::exp(12.0 * u * u * u);
      lp[size_t(v)] = float(w);
      total += w;
    }
    for (auto& x : lp)
      if (x > -INFINITY) x = float(std::log(double(x) / total));
    return lp;
  }
private:
  void fill(int sentence, const std::vector<int>& prefix, float* row) const override {
    std::vector<float> d = dist(sentence, prefix, vocabSize());
    std::copy(d.begin(), d.end(), row);
  }
};

// Beam search for one sentence by the rules of beam_search.h, written plainly: every
// step ranks ALL allowed candidates (score desc, then row, then token) by a full sort.
std::vector<Hypothesis> fullSortBeam(int s, int V, const SearchOptions& o, int maxLen) {
  struct L {
    std::vector<int> toks;
    float lp;
  };
  struct C {
    float sc;
    int r, v;
  };
  std::vector<L> live{{{}, 0.f}};
  std::vector<Hypothesis> fin;
  const int k = o.beamSize;
  for (int step = 0;; ++step) {
    const bool force = step >= maxLen;
    std::vector<C> cs;
    for (int r = 0; r < int(live.size()); ++r) {
      std::vector<float> d = HashScorer::dist(s, live[size_t(r)].toks, V);
      for (int v = 0; v < V; ++v) {
        const float sc = live[size_t(r)].lp + d[size_t(v)];
        if (!(sc > -INFINITY) || v == o.pad || v == o.bos) continue;
        if (force ? v != o.eos : (v == o.eos && step < o.minLen)) continue;
        cs.push_back({sc, r, v});
      }
    }
    std::sort(cs.begin(), cs.end(), [](const C& a, const C& b) {
      if (a.sc != b.sc) return a.sc > b.sc;
      return a.r != b.r ? a.r < b.r : a.v < b.v;
    });
    std::vector<L> next;
    for (size_t j = 0; j < cs.size(); ++j) {
      const C& c = cs[j];
      if (c.v == o.eos) {
        if (j < size_t(2 * k) && j < size_t(k) && int(fin.size()) < k)
          fin.push_back({live[size_t(c.r)].toks, normalizedScore(c.sc, step + 1, o), c.sc});
      } else if (int(next.size()) < k) {
        L l{live[size_t(c.r)].toks, c.sc};
        l.toks.push_back(c.v);
        next.push_back(l);
      }
      if (int(next.size()) == k && j + 1 >= size_t(2 * k)) break;
    }
    if (int(fin.size()) >= k || force || next.empty()) break;
    live = std::move(next);
  }
  std::stable_sort(fin.begin(), fin.end(),
                   [](const Hypothesis& a, const Hypothesis& b) { return a.score > b.score; });
  if (int(fin.size()) > o.nBest) fin.resize(size_t(o.nBest));
  return fin;
}

}  // namespace

TEST_CASE("large vocabulary: the blocked candidate scan equals a full-sort beam search") {
  for (int V : {1000, 1007, 37}) {
    CAPTURE(V);
    const int n = 3, maxLen = 6;
    SearchOptions o;
    o.beamSize = 4;
    o.nBest = 4;
    o.maxLenB = maxLen;
    HashScorer sc(n, o.beamSize, V);
    auto res = beamSearch(sc, std::vector<int>(n, 5), o);
    for (int s = 0; s < n; ++s) {
      CAPTURE(s);
      auto want = fullSortBeam(s, V, o, maxLen);
      REQUIRE(res[size_t(s)].size() == want.size());
      for (size_t i = 0; i < want.size(); ++i) {
        CHECK(res[size_t(s)][i].tokens == want[i].tokens);
        CHECK(res[size_t(s)][i].logProb == want[i].logProb);
      }
    }
  }
}
