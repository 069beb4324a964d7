#include "eval/bleu.h"

#include "common/error.h"
#include "eval/unicode_text.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace lt::eval {
namespace {

// sacreBLEU's my_log: log with log(0) floored to a huge negative number.
double floorLog(double x) { return x == 0.0 ? -9999999999.0 : std::log(x); }

// Counts of all n-grams (1 <= n <= maxOrder) of a line whose tokens are
// separated by single spaces, one sorted list per order; returns the number
// of tokens.
int64_t countNgrams(std::string_view line, int maxOrder, std::vector<NgramCounts>& out,
                    std::vector<NgramKey>& scratch) {
  std::vector<size_t> starts, ends;
  spacedTokenBounds(line, starts, ends);
  const size_t len = starts.size();
  out.assign(static_cast<size_t>(maxOrder), {});
  for (int n = 1; n <= maxOrder; ++n) {
    scratch.clear();
    for (size_t i = 0; i + n <= len; ++i)
      scratch.push_back(makeNgramKey(line.substr(starts[i], ends[i + n - 1] - starts[i])));
    countNgramKeys(scratch, out[n - 1]);
  }
  return static_cast<int64_t>(len);
}

}  // namespace

SegmentStats sumStats(const std::vector<SegmentStats>& stats) {
  if (stats.empty()) return {};
  SegmentStats total(stats[0].size(), 0);
  for (const auto& row : stats)
    for (size_t k = 0; k < total.size(); ++k) total[k] += row[k];
  return total;
}

SmoothMethod parseSmoothMethod(std::string_view name) {
  if (name == "exp") return SmoothMethod::kExp;
  if (name == "floor") return SmoothMethod::kFloor;
  if (name == "add-k") return SmoothMethod::kAddK;
  if (name == "none") return SmoothMethod::kNone;
  LT_THROW(ConfigError, "--smooth: unknown method '{}' (expected exp, floor, add-k or none)", name);
}

std::string smoothMethodName(SmoothMethod m) {
  switch (m) {
    case SmoothMethod::kExp: return "exp";
    case SmoothMethod::kFloor: return "floor";
    case SmoothMethod::kAddK: return "add-k";
    case SmoothMethod::kNone: return "none";
  }
  return "?";
}

std::optional<double> defaultSmoothValue(SmoothMethod m) {
  if (m == SmoothMethod::kFloor) return 0.1;
  if (m == SmoothMethod::kAddK) return 1.0;
  return std::nullopt;
}

BleuScore computeBleu(std::vector<double> correct, std::vector<double> total, int64_t sysLen,
                      int64_t refLen, const BleuOptions& opt) {
  const int maxOrder = opt.maxOrder;
  const double smoothValue = opt.smoothValue.value_or(defaultSmoothValue(opt.smooth).value_or(0.0));
  BleuScore s;
  s.sysLen = sysLen;
  s.refLen = refLen;
  s.bp = 1.0;
  if (sysLen < refLen)
    s.bp = sysLen > 0 ? std::exp(1.0 - static_cast<double>(refLen) / static_cast<double>(sysLen)) : 0.0;
  s.precisions.assign(maxOrder, 0.0);

  bool anyMatch = false;
  for (double c : correct) anyMatch = anyMatch || c != 0.0;
  if (!anyMatch) {
    s.score = 0.0;
    s.counts = std::move(correct);
    s.totals = std::move(total);
    return s;
  }

  double smoothMteval = 1.0;
  int effOrder = maxOrder;
  for (int n = 1; n <= maxOrder; ++n) {
    if (opt.smooth == SmoothMethod::kAddK && n > 1) {
      correct[n - 1] += smoothValue;
      total[n - 1] += smoothValue;
    }
    if (total[n - 1] == 0) break;
    if (opt.effectiveOrder) effOrder = n;
    if (correct[n - 1] == 0) {
      if (opt.smooth == SmoothMethod::kExp) {
        smoothMteval *= 2;
        s.precisions[n - 1] = 100.0 / (smoothMteval * total[n - 1]);
      } else if (opt.smooth == SmoothMethod::kFloor) {
        s.precisions[n - 1] = 100.0 * smoothValue / total[n - 1];
      }
    } else {
      s.precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1];
    }
  }
  double logSum = 0.0;
  for (int n = 0; n < effOrder; ++n) logSum += floorLog(s.precisions[n]);
  s.score = s.bp * std::exp(logSum / effOrder);
  s.counts = std::move(correct);
  s.totals = std::move(total);
  return s;
}

std::string formatBleuText(const BleuScore& s, const std::string& signature) {
  std::string prec;
  for (size_t i = 0; i < s.precisions.size(); ++i) {
    if (i) prec.push_back('/');
    prec += fmt::format("{:.1f}", s.precisions[i]);
  }
  return fmt::format("BLEU|{} = {:.2f} {} (BP = {:.3f} ratio = {:.3f} hyp_len = {} ref_len = {})", signature,
                     s.score, prec, s.bp, s.ratio(), s.sysLen, s.refLen);
}

Bleu::Bleu(BleuOptions opt) : opt_(std::move(opt)) {
  LT_CHECK(opt_.maxOrder >= 1, ConfigError, "BLEU: max n-gram order must be >= 1, got {}", opt_.maxOrder);
}

std::string Bleu::preprocess(std::string_view line) const {
  if (opt_.lowercase) {
    std::string low = pyLower(line);
    return tokenize(opt_.tokenizer, pyRstrip(low));
  }
  return tokenize(opt_.tokenizer, pyRstrip(line));
}

std::string Bleu::tokenizedLine(std::string_view line) const {
  std::string tok = preprocess(line);
  // 13a, intl and zh already return single-spaced tokens.
  if (opt_.tokenizer == TokenizerKind::kChar || opt_.tokenizer == TokenizerKind::kNone) return pyNormalizeSpaces(tok);
  return tok;
}

void Bleu::setReferences(const std::vector<std::vector<std::string>>& refs) {
  LT_CHECK(!refs.empty(), ConfigError, "BLEU: at least one reference is required");
  numRefs_ = refs.size();
  const size_t n = refs[0].size();
  refText_.clear();
  refCache_.assign(n, RefInfo{});
  std::vector<NgramCounts> one;
  std::vector<NgramKey> scratch;
  for (size_t i = 0; i < n; ++i) {
    RefInfo& info = refCache_[i];
    for (size_t r = 0; r < refs.size(); ++r) {
      refText_.push_back(tokenizedLine(refs[r][i]));
      info.lens.push_back(countNgrams(refText_.back(), opt_.maxOrder, one, scratch));
      if (r == 0) {
        info.ngrams = std::move(one);
        one.clear();
      } else {
        for (int k = 0; k < opt_.maxOrder; ++k) mergeMaxCounts(info.ngrams[k], one[k]);
      }
    }
  }
}

SegmentStats Bleu::lineStats(const std::string& hyp, const RefInfo& ref) const {
  std::vector<NgramCounts> hypNgrams;
  std::vector<NgramKey> scratch;
  const int64_t hypLen = countNgrams(hyp, opt_.maxOrder, hypNgrams, scratch);
  // Closest reference length, ties broken towards the shorter reference.
  int64_t closestDiff = -1, closestLen = -1;
  for (int64_t len : ref.lens) {
    int64_t diff = std::llabs(hypLen - len);
    if (closestDiff == -1 || diff < closestDiff) {
      closestDiff = diff;
      closestLen = len;
    } else if (diff == closestDiff && len < closestLen) {
      closestLen = len;
    }
  }
  const int N = opt_.maxOrder;
  SegmentStats st(2 + 2 * N, 0);
  st[0] = hypLen;
  st[1] = closestLen;
  for (int n = 0; n < N; ++n) {
    for (const auto& kv : hypNgrams[n]) st[2 + N + n] += kv.second;
    st[2 + n] = clippedMatches(hypNgrams[n], ref.ngrams[n]);
  }
  return st;
}

std::vector<SegmentStats> Bleu::segmentStats(const std::vector<std::string>& hyps) const {
  LT_CHECK(hyps.size() == refCache_.size(), DataError, "BLEU: {} hypothesis lines but {} reference lines",
           hyps.size(), refCache_.size());
  std::vector<SegmentStats> out;
  out.reserve(hyps.size());
  for (size_t i = 0; i < hyps.size(); ++i) out.push_back(lineStats(tokenizedLine(hyps[i]), refCache_[i]));
  return out;
}

BleuScore Bleu::scoreFromStats(const SegmentStats& t) const {
  const int N = opt_.maxOrder;
  std::vector<double> correct(N), total(N);
  for (int n = 0; n < N; ++n) {
    correct[n] = static_cast<double>(t[2 + n]);
    total[n] = static_cast<double>(t[2 + N + n]);
  }
  return computeBleu(std::move(correct), std::move(total), t[0], t[1], opt_);
}

BleuScore Bleu::corpusScore(const std::vector<std::string>& hyps) const {
  return scoreFromStats(sumStats(segmentStats(hyps)));
}

BleuScore Bleu::sentenceScore(const std::string& hyp, size_t i) const {
  LT_CHECK(i < refCache_.size(), DataError, "BLEU: line {} has no reference", i + 1);
  return scoreFromStats(lineStats(tokenizedLine(hyp), refCache_[i]));
}

// compute_bleu applied to a numpy float32 row: the n-gram counts stay float32
// and every precision is a float32 operation; lengths go through int().
ResampledScore Bleu::resampledScore(const std::vector<float>& t) const {
  const int N = opt_.maxOrder;
  const double smoothValue = opt_.smoothValue.value_or(defaultSmoothValue(opt_.smooth).value_or(0.0));
  const auto sysLen = static_cast<int64_t>(t[0]);
  const auto refLen = static_cast<int64_t>(t[1]);
  double bp = 1.0;
  if (sysLen < refLen)
    bp = sysLen > 0 ? std::exp(1.0 - static_cast<double>(refLen) / static_cast<double>(sysLen)) : 0.0;
  std::vector<float> correct(t.begin() + 2, t.begin() + 2 + N);
  std::vector<float> total(t.begin() + 2 + N, t.begin() + 2 + 2 * N);
  bool anyMatch = false;
  for (float c : correct) anyMatch = anyMatch || c != 0.0f;
  if (!anyMatch) return {0.0, false};
  std::vector<double> prec(N, 0.0);  // Python floats 0.0 or numpy float32 values
  double smoothMteval = 1.0;
  int effOrder = N;
  for (int n = 1; n <= N; ++n) {
    if (opt_.smooth == SmoothMethod::kAddK && n > 1) {
      correct[n - 1] += static_cast<float>(smoothValue);
      total[n - 1] += static_cast<float>(smoothValue);
    }
    if (total[n - 1] == 0.0f) break;
    if (opt_.effectiveOrder) effOrder = n;
    if (correct[n - 1] == 0.0f) {
      if (opt_.smooth == SmoothMethod::kExp) {
        smoothMteval *= 2;
        float denom = static_cast<float>(smoothMteval) * total[n - 1];
        prec[n - 1] = 100.0f / denom;
      } else if (opt_.smooth == SmoothMethod::kFloor) {
        prec[n - 1] = static_cast<float>(100.0 * smoothValue) / total[n - 1];
      }
    } else {
      float num = 100.0f * correct[n - 1];
      prec[n - 1] = num / total[n - 1];
    }
  }
  double logSum = 0.0;
  for (int n = 0; n < effOrder; ++n) logSum += floorLog(prec[n]);
  return {bp * std::exp(logSum / effOrder), false};
}

std::string Bleu::signature() const {
  std::string smooth = smoothMethodName(opt_.smooth);
  if (auto def = defaultSmoothValue(opt_.smooth)) smooth += fmt::format("[{:.2f}]", opt_.smoothValue.value_or(*def));
  return fmt::format("nrefs:{}|case:{}|eff:{}|tok:{}|smooth:{}|version:{}", numRefs_,
                     opt_.lowercase ? "lc" : "mixed", opt_.effectiveOrder ? "yes" : "no",
                     tokenizerName(opt_.tokenizer), smooth, LT_VERSION);
}

}  // namespace lt::eval
