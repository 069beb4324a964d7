// BLEU (Papineni et al., 2002) exactly as sacreBLEU 2.6.0 computes it:
// tokenizers, lowercasing, smoothing (exp | floor | add-k | none), effective
// order, several references (n-gram counts clipped by the maximum over the
// references, the reference length closest to the hypothesis, ties to the
// shorter one) and sentence-level scores.
#pragma once
#include "eval/metric.h"
#include "eval/ngram_counts.h"
#include "eval/tokenizers.h"

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lt::eval {

enum class SmoothMethod { kNone, kFloor, kAddK, kExp };

SmoothMethod parseSmoothMethod(std::string_view name);
std::string smoothMethodName(SmoothMethod m);
// sacreBLEU's default value for a method (floor 0.1, add-k 1), nullopt when
// the method takes none.
std::optional<double> defaultSmoothValue(SmoothMethod m);

struct BleuOptions {
  TokenizerKind tokenizer = TokenizerKind::k13a;
  bool lowercase = false;
  SmoothMethod smooth = SmoothMethod::kExp;
  std::optional<double> smoothValue;  // nullopt: the method's default
  bool effectiveOrder = false;
  int maxOrder = 4;
};

struct BleuScore {
  double score = 0.0;               // 0..100, unrounded
  std::vector<double> counts;       // matched n-grams per order (add-k adds k for n > 1)
  std::vector<double> totals;       // hypothesis n-grams per order (likewise)
  std::vector<double> precisions;   // percent per order
  double bp = 1.0;                  // brevity penalty
  int64_t sysLen = 0;
  int64_t refLen = 0;
  double ratio() const { return refLen ? static_cast<double>(sysLen) / static_cast<double>(refLen) : 0.0; }
};

// sacreBLEU's BLEU.compute_bleu on aggregated statistics.
BleuScore computeBleu(std::vector<double> correct, std::vector<double> total, int64_t sysLen,
                      int64_t refLen, const BleuOptions& opt);

// The text line sacreBLEU prints: "BLEU|<sig> = 34.12 65.2/40.1/27.1/19.0 (BP = ...)".
std::string formatBleuText(const BleuScore& s, const std::string& signature);

class Bleu : public CorpusMetric {
public:
  explicit Bleu(BleuOptions opt);
  // Cached reference n-grams point into text owned by this object.
  Bleu(const Bleu&) = delete;
  Bleu& operator=(const Bleu&) = delete;
  Bleu(Bleu&&) = default;
  Bleu& operator=(Bleu&&) = default;

  // refs[r][i] is line i of reference set r; every set has the same length.
  void setReferences(const std::vector<std::vector<std::string>>& refs);
  size_t numLines() const { return refCache_.size(); }

  // Lowercasing (if set) and tokenization of one line, as sacreBLEU does it.
  std::string preprocess(std::string_view line) const;

  BleuScore corpusScore(const std::vector<std::string>& hyps) const;
  // Score of hypothesis line `i` alone (sacreBLEU sentence_score).
  BleuScore sentenceScore(const std::string& hyp, size_t i) const;
  BleuScore scoreFromStats(const SegmentStats& totals) const;

  std::string name() const override { return "BLEU"; }
  std::vector<SegmentStats> segmentStats(const std::vector<std::string>& hyps) const override;
  double scoreFromTotals(const SegmentStats& totals) const override { return scoreFromStats(totals).score; }
  ResampledScore resampledScore(const std::vector<float>& totals) const override;
  std::string signature() const override;

  const BleuOptions& options() const { return opt_; }

private:
  // An n-gram is a view of its tokens inside a single-spaced line.
  struct RefInfo {
    std::vector<NgramCounts> ngrams;  // [order-1]; maximum count over the references
    std::vector<int64_t> lens;
  };
  // Tokens joined by single spaces (the form n-gram views point into).
  std::string tokenizedLine(std::string_view line) const;
  SegmentStats lineStats(const std::string& tokenized, const RefInfo& ref) const;

  BleuOptions opt_;
  size_t numRefs_ = 0;
  std::deque<std::string> refText_;  // stable storage for reference n-gram views
  std::vector<RefInfo> refCache_;
};

}  // namespace lt::eval
