#include "eval/chrf.h"

#include "common/error.h"
#include "eval/unicode_text.h"

#include <algorithm>
#include <fmt/format.h>

namespace lt::eval {
namespace {

bool isAsciiPunct(char c) {
  static constexpr std::string_view kPuncts = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
  return kPuncts.find(c) != std::string_view::npos;
}

}  // namespace

Chrf::Chrf(ChrfOptions opt) : opt_(opt) {
  LT_CHECK(opt_.charOrder >= 0 && opt_.wordOrder >= 0 && opt_.charOrder + opt_.wordOrder > 0, ConfigError,
           "chrF: --char-order ({}) and --word-order ({}) must be >= 0 and not both 0", opt_.charOrder,
           opt_.wordOrder);
}

std::string Chrf::name() const {
  return fmt::format("chrF{}{}", opt_.beta, std::string(static_cast<size_t>(opt_.wordOrder), '+'));
}

std::vector<std::string> Chrf::splitWords(std::string_view line) {
  std::vector<std::string> out;
  for (std::string_view w : pySplit(line)) {
    if (codePointCount(w) == 1) {
      out.emplace_back(w);
    } else if (isAsciiPunct(w.back())) {
      out.emplace_back(w.substr(0, w.size() - 1));
      out.emplace_back(w.substr(w.size() - 1));
    } else if (isAsciiPunct(w.front())) {
      out.emplace_back(w.substr(0, 1));
      out.emplace_back(w.substr(1));
    } else {
      out.emplace_back(w);
    }
  }
  return out;
}

Chrf::LineText Chrf::lineText(const std::string& raw) const {
  const std::string line = opt_.lowercase ? pyLower(raw) : raw;
  LineText t;
  if (opt_.whitespace) {
    t.chars = line;
  } else {
    for (std::string_view tok : pySplit(line)) t.chars.append(tok);
  }
  if (opt_.wordOrder > 0) {
    for (const std::string& w : splitWords(line)) {
      if (!t.words.empty()) t.words.push_back(' ');
      t.words.append(w);
    }
  }
  return t;
}

Chrf::LineNgrams Chrf::extract(const LineText& text) const {
  LineNgrams out;
  out.orders.resize(static_cast<size_t>(opt_.charOrder + opt_.wordOrder));
  out.totals.assign(out.orders.size(), 0);
  std::vector<NgramKey> scratch;
  // Byte offset of every code point boundary.
  const std::string_view chars = text.chars;
  std::vector<size_t> cut;
  cut.reserve(chars.size() + 1);
  for (size_t i = 0; i < chars.size();) {
    cut.push_back(i);
    nextCodePoint(chars, i);
  }
  cut.push_back(chars.size());
  const size_t len = cut.size() - 1;
  for (int n = 1; n <= opt_.charOrder; ++n) {
    scratch.clear();
    for (size_t i = 0; i + n <= len; ++i) scratch.push_back(makeNgramKey(chars.substr(cut[i], cut[i + n] - cut[i])));
    out.totals[n - 1] = countNgramKeys(scratch, out.orders[n - 1]);
  }
  if (opt_.wordOrder > 0) {
    const std::string_view words = text.words;
    std::vector<size_t> starts, ends;
    spacedTokenBounds(words, starts, ends);
    for (int n = 1; n <= opt_.wordOrder; ++n) {
      scratch.clear();
      for (size_t i = 0; i + n <= starts.size(); ++i)
        scratch.push_back(makeNgramKey(words.substr(starts[i], ends[i + n - 1] - starts[i])));
      const size_t o = static_cast<size_t>(opt_.charOrder + n - 1);
      out.totals[o] = countNgramKeys(scratch, out.orders[o]);
    }
  }
  return out;
}

void Chrf::setReferences(const std::vector<std::vector<std::string>>& refs) {
  LT_CHECK(!refs.empty(), ConfigError, "chrF: at least one reference is required");
  numRefs_ = refs.size();
  const size_t n = refs[0].size();
  refText_.clear();
  refCache_.assign(n, {});
  for (size_t i = 0; i < n; ++i)
    for (size_t r = 0; r < refs.size(); ++r) {
      refText_.push_back(lineText(refs[r][i]));
      refCache_[i].push_back(extract(refText_.back()));
    }
}

double Chrf::fScore(const SegmentStats& st) const {
  const double eps = 1e-16;
  const int order = opt_.charOrder + opt_.wordOrder;
  const int factor = opt_.beta * opt_.beta;
  double score = 0.0, avgPrec = 0.0, avgRec = 0.0;
  int effective = 0;
  for (int i = 0; i < order; ++i) {
    const int64_t nHyp = st[3 * i], nRef = st[3 * i + 1], nMatch = st[3 * i + 2];
    const double prec = nHyp > 0 ? static_cast<double>(nMatch) / static_cast<double>(nHyp) : eps;
    const double rec = nRef > 0 ? static_cast<double>(nMatch) / static_cast<double>(nRef) : eps;
    const double denom = factor * prec + rec;
    score += denom > 0 ? (1 + factor) * prec * rec / denom : eps;
    if (nHyp > 0 && nRef > 0) {
      avgPrec += prec;
      avgRec += rec;
      ++effective;
    }
  }
  if (opt_.epsSmoothing) return 100 * score / order;
  if (effective == 0) {
    avgPrec = avgRec = 0.0;
  } else {
    avgPrec /= effective;
    avgRec /= effective;
  }
  if (avgPrec + avgRec != 0.0) {
    double s = (1 + factor) * avgPrec * avgRec;
    s /= (factor * avgPrec) + avgRec;
    return 100 * s;
  }
  return 0.0;
}

// The same computation when the statistics are numpy float32 values: every
// operation touching them is float32; Python floats meeting a float32 are
// cast to float32 first (NumPy 2 "weak scalar" promotion).
ResampledScore Chrf::resampledScore(const std::vector<float>& st) const {
  // A Python number that is either a float (or int) or a numpy.float32.
  struct Val {
    double v = 0.0;
    bool f32 = false;
  };
  auto op = [](Val a, Val b, char o) -> Val {
    if (a.f32 || b.f32) {
      const float x = static_cast<float>(a.v), y = static_cast<float>(b.v);
      const float r = o == '+' ? x + y : o == '*' ? x * y : x / y;
      return {r, true};
    }
    return {o == '+' ? a.v + b.v : o == '*' ? a.v * b.v : a.v / b.v, false};
  };
  const Val eps{1e-16, false};
  const int order = opt_.charOrder + opt_.wordOrder;
  const Val factor{static_cast<double>(opt_.beta * opt_.beta), false};
  const Val onePlus{1.0 + factor.v, false};
  Val score, avgPrec, avgRec;
  int effective = 0;
  for (int i = 0; i < order; ++i) {
    const float nHyp = st[3 * i], nRef = st[3 * i + 1], nMatch = st[3 * i + 2];
    const Val prec = nHyp > 0 ? Val{nMatch / nHyp, true} : eps;
    const Val rec = nRef > 0 ? Val{nMatch / nRef, true} : eps;
    const Val denom = op(op(factor, prec, '*'), rec, '+');
    const Val term = denom.v > 0 ? op(op(op(onePlus, prec, '*'), rec, '*'), denom, '/') : eps;
    score = op(score, term, '+');
    if (nHyp > 0 && nRef > 0) {
      avgPrec = op(avgPrec, prec, '+');
      avgRec = op(avgRec, rec, '+');
      ++effective;
    }
  }
  const Val hundred{100.0, false};
  if (opt_.epsSmoothing) {
    Val r = op(op(hundred, score, '*'), Val{static_cast<double>(order), false}, '/');
    return {r.v, r.f32};
  }
  if (effective == 0) {
    avgPrec = avgRec = Val{};
  } else {
    avgPrec = op(avgPrec, Val{static_cast<double>(effective), false}, '/');
    avgRec = op(avgRec, Val{static_cast<double>(effective), false}, '/');
  }
  if (op(avgPrec, avgRec, '+').v != 0.0) {
    Val s = op(op(onePlus, avgPrec, '*'), avgRec, '*');
    s = op(s, op(op(factor, avgPrec, '*'), avgRec, '+'), '/');
    Val r = op(hundred, s, '*');
    return {r.v, r.f32};
  }
  return {0.0, false};
}

SegmentStats Chrf::lineStats(const std::string& hyp, const std::vector<LineNgrams>& refs) const {
  const LineText text = lineText(hyp);
  const LineNgrams h = extract(text);
  SegmentStats best;
  double bestF = -1.0;
  SegmentStats st;
  for (const LineNgrams& ref : refs) {
    st.clear();
    for (size_t o = 0; o < h.orders.size(); ++o) {
      const NgramCounts& rc = ref.orders[o];
      const int64_t match = clippedMatches(h.orders[o], rc);
      // No hypothesis n-grams are counted when the reference has none (as sacreBLEU).
      st.push_back(rc.empty() ? 0 : h.totals[o]);
      st.push_back(ref.totals[o]);
      st.push_back(match);
    }
    double f = fScore(st);
    if (f > bestF) {
      bestF = f;
      best = st;
    }
  }
  return best;
}

std::vector<SegmentStats> Chrf::segmentStats(const std::vector<std::string>& hyps) const {
  LT_CHECK(hyps.size() == refCache_.size(), DataError, "chrF: {} hypothesis lines but {} reference lines",
           hyps.size(), refCache_.size());
  std::vector<SegmentStats> out;
  out.reserve(hyps.size());
  for (size_t i = 0; i < hyps.size(); ++i) out.push_back(lineStats(hyps[i], refCache_[i]));
  return out;
}

double Chrf::corpusScore(const std::vector<std::string>& hyps) const {
  return fScore(sumStats(segmentStats(hyps)));
}

double Chrf::sentenceScore(const std::string& hyp, size_t i) const {
  LT_CHECK(i < refCache_.size(), DataError, "chrF: line {} has no reference", i + 1);
  return fScore(lineStats(hyp, refCache_[i]));
}

std::string Chrf::signature() const {
  return fmt::format("nrefs:{}|case:{}|eff:{}|nc:{}|nw:{}|space:{}|version:{}", numRefs_,
                     opt_.lowercase ? "lc" : "mixed", opt_.epsSmoothing ? "no" : "yes", opt_.charOrder,
                     opt_.wordOrder, opt_.whitespace ? "yes" : "no", LT_VERSION);
}

}  // namespace lt::eval
