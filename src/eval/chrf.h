// chrF (Popovic 2015) and chrF++ (Popovic 2017) exactly as sacreBLEU 2.6.0
// computes them: character n-grams of the line with whitespace removed
// (unless `whitespace`), word n-grams after sacreBLEU's punctuation
// separation, beta-weighted F-score averaged over orders, either with
// effective-order averaging (default) or eps smoothing. With several
// references each line uses the reference with the best sentence F-score.
#pragma once
#include "eval/metric.h"
#include "eval/ngram_counts.h"

#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lt::eval {

struct ChrfOptions {
  int charOrder = 6;
  int wordOrder = 0;  // 2 gives chrF++
  int beta = 2;
  bool lowercase = false;
  bool whitespace = false;    // keep whitespace inside character n-grams
  bool epsSmoothing = false;  // chrF++.py / Moses / NLTK style smoothing
};

class Chrf : public CorpusMetric {
public:
  explicit Chrf(ChrfOptions opt);
  // Cached reference n-grams point into text owned by this object.
  Chrf(const Chrf&) = delete;
  Chrf& operator=(const Chrf&) = delete;
  Chrf(Chrf&&) = default;
  Chrf& operator=(Chrf&&) = default;

  void setReferences(const std::vector<std::vector<std::string>>& refs);
  size_t numLines() const { return refCache_.size(); }

  double corpusScore(const std::vector<std::string>& hyps) const;
  double sentenceScore(const std::string& hyp, size_t i) const;
  // F-score from [hyp, ref, match] triples per order (chars first, then words).
  double fScore(const SegmentStats& stats) const;

  std::string name() const override;
  std::vector<SegmentStats> segmentStats(const std::vector<std::string>& hyps) const override;
  double scoreFromTotals(const SegmentStats& totals) const override { return fScore(totals); }
  ResampledScore resampledScore(const std::vector<float>& totals) const override;
  std::string signature() const override;

  const ChrfOptions& options() const { return opt_; }

  // sacreBLEU's chrF++ word splitting: whitespace tokens, with one ASCII
  // punctuation mark split off the end (or else the start) of longer words.
  static std::vector<std::string> splitWords(std::string_view line);

private:
  struct LineNgrams {
    std::vector<NgramCounts> orders;  // char orders 1..charOrder, then word orders
    std::vector<int64_t> totals;      // sum of counts per order
  };
  // The character string (whitespace removed unless `whitespace`) and the
  // single-spaced word string the n-gram views point into.
  struct LineText {
    std::string chars, words;
  };
  LineText lineText(const std::string& raw) const;
  LineNgrams extract(const LineText& text) const;
  SegmentStats lineStats(const std::string& hyp, const std::vector<LineNgrams>& refs) const;

  ChrfOptions opt_;
  size_t numRefs_ = 0;
  std::deque<LineText> refText_;                    // stable storage for the views
  std::vector<std::vector<LineNgrams>> refCache_;  // [line][ref]
};

}  // namespace lt::eval
