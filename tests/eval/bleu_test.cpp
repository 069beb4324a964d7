// sacreBLEU BLEU on cases worked out by hand.
#include "eval/bleu.h"

#include "common/error.h"

#include <cmath>
#include <doctest/doctest.h>

using namespace lt::eval;

namespace {

Bleu makeBleu(BleuOptions o, std::vector<std::vector<std::string>> refs) {
  Bleu b(o);
  b.setReferences(refs);
  return b;
}

// hyp "the cat sat on the mat" vs ref "the cat is on the mat":
//   1-grams: 6 in hyp, matches the x2, cat, on, mat = 5
//   2-grams: 5 (the cat, cat sat, sat on, on the, the mat), matches 3
//   3-grams: 4, matches "on the mat" = 1
//   4-grams: 3, matches 0; equal lengths so BP = 1.
const std::vector<std::string> kHyp = {"the cat sat on the mat"};
const std::vector<std::vector<std::string>> kRef = {{"the cat is on the mat"}};

}  // namespace

TEST_CASE("BLEU statistics and exp smoothing") {
  Bleu b = makeBleu({}, kRef);
  BleuScore s = b.corpusScore(kHyp);
  CHECK(s.counts == std::vector<double>{5, 3, 1, 0});
  CHECK(s.totals == std::vector<double>{6, 5, 4, 3});
  CHECK(s.sysLen == 6);
  CHECK(s.refLen == 6);
  CHECK(s.bp == 1.0);
  // exp: the first zero-match order gets 100 / (2 * total) = 100/6.
  CHECK(s.precisions[0] == doctest::Approx(500.0 / 6));
  CHECK(s.precisions[1] == doctest::Approx(60.0));
  CHECK(s.precisions[2] == doctest::Approx(25.0));
  CHECK(s.precisions[3] == doctest::Approx(100.0 / 6));
  CHECK(s.score == doctest::Approx(std::pow(500.0 / 6 * 60 * 25 * 100.0 / 6, 0.25)).epsilon(1e-12));
  CHECK(b.signature() == std::string("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:") + LT_VERSION);
}

TEST_CASE("BLEU: none, floor and add-k smoothing") {
  BleuOptions o;
  o.smooth = SmoothMethod::kNone;
  // No smoothing: log(0) is floored to -9999999999, so the score is 0.
  CHECK(makeBleu(o, kRef).corpusScore(kHyp).score == 0.0);
  CHECK(makeBleu(o, kRef).signature().find("|smooth:none|") != std::string::npos);

  o.smooth = SmoothMethod::kFloor;  // zero-match precision 100 * 0.1 / total
  BleuScore f = makeBleu(o, kRef).corpusScore(kHyp);
  CHECK(f.precisions[3] == doctest::Approx(10.0 / 3));
  CHECK(f.score == doctest::Approx(std::pow(500.0 / 6 * 60 * 25 * 10.0 / 3, 0.25)).epsilon(1e-12));
  CHECK(makeBleu(o, kRef).signature().find("|smooth:floor[0.10]|") != std::string::npos);
  o.smoothValue = 0.3;
  CHECK(makeBleu(o, kRef).corpusScore(kHyp).precisions[3] == doctest::Approx(10.0));
  CHECK(makeBleu(o, kRef).signature().find("|smooth:floor[0.30]|") != std::string::npos);

  // add-k adds k to matches and totals of orders 2..4, and reports the
  // incremented counts.
  o.smooth = SmoothMethod::kAddK;
  o.smoothValue.reset();
  BleuScore a = makeBleu(o, kRef).corpusScore(kHyp);
  CHECK(a.counts == std::vector<double>{5, 4, 2, 1});
  CHECK(a.totals == std::vector<double>{6, 6, 5, 4});
  CHECK(a.score == doctest::Approx(std::pow(500.0 / 6 * 400.0 / 6 * 40 * 25, 0.25)).epsilon(1e-12));
  CHECK(makeBleu(o, kRef).signature().find("|smooth:add-k[1.00]|") != std::string::npos);
  o.smoothValue = 0.5;
  BleuScore a2 = makeBleu(o, kRef).corpusScore(kHyp);
  CHECK(a2.counts == std::vector<double>{5, 3.5, 1.5, 0.5});
  CHECK(a2.totals == std::vector<double>{6, 5.5, 4.5, 3.5});
}

TEST_CASE("BLEU: zero matches return early with raw counts") {
  BleuOptions o;
  o.smooth = SmoothMethod::kAddK;
  BleuScore s = makeBleu(o, {{"c d"}}).corpusScore({"a b"});
  CHECK(s.score == 0.0);
  CHECK(s.counts == std::vector<double>{0, 0, 0, 0});  // no add-k increment
  CHECK(s.totals == std::vector<double>{2, 1, 0, 0});
  CHECK(s.precisions == std::vector<double>{0, 0, 0, 0});
}

TEST_CASE("BLEU: very short hypotheses and effective order") {
  // "the cat" vs "the cat sat": 1-grams 2/2, 2-grams 1/1, no 3-grams.
  // BP = exp(1 - 3/2).
  BleuOptions o;
  BleuScore plain = makeBleu(o, {{"the cat sat"}}).corpusScore({"the cat"});
  CHECK(plain.score == 0.0);  // orders 3 and 4 have precision 0
  o.effectiveOrder = true;
  Bleu b = makeBleu(o, {{"the cat sat"}});
  BleuScore eff = b.corpusScore({"the cat"});
  CHECK(eff.score == doctest::Approx(100.0 * std::exp(-0.5)).epsilon(1e-12));
  CHECK(b.signature().find("|eff:yes|") != std::string::npos);
  // Empty hypothesis: length 0, BP 0, score 0.
  BleuScore empty = makeBleu(o, {{"x y"}}).corpusScore({""});
  CHECK(empty.sysLen == 0);
  CHECK(empty.bp == 0.0);
  CHECK(empty.score == 0.0);
  // Empty hypothesis and reference.
  CHECK(makeBleu(o, {{""}}).corpusScore({""}).score == 0.0);
}

TEST_CASE("BLEU: multiple references") {
  BleuOptions o;
  o.effectiveOrder = true;
  // n-gram counts are clipped by the maximum count over references: "the" x3
  // in the hypothesis, at most 2 in a reference -> 2 matches.
  BleuScore s = makeBleu(o, {{"the x"}, {"the the y"}}).corpusScore({"the the the"});
  CHECK(s.counts[0] == 2);
  CHECK(s.counts[1] == 1);  // "the the" occurs once in the second reference
  // Closest reference length; ties go to the shorter one.
  CHECK(makeBleu(o, {{"a b c"}, {"a b c d e"}}).corpusScore({"a b c d"}).refLen == 3);
  CHECK(makeBleu(o, {{"a b"}, {"a b c d e f"}}).corpusScore({"a b c d"}).refLen == 2);
  CHECK(makeBleu(o, {{"a b c d e"}, {"a b c"}, {"x y z w"}}).corpusScore({"a b c d"}).refLen == 4);
  CHECK(makeBleu(o, {{"a"}, {"b"}, {"c"}}).signature().find("nrefs:3|") == 0);
}

TEST_CASE("BLEU: lowercase and tokenization") {
  BleuOptions o;
  o.effectiveOrder = true;
  CHECK(makeBleu(o, {{"the cat ."}}).corpusScore({"The CAT."}).counts[0] == 1);
  o.lowercase = true;
  Bleu lc = makeBleu(o, {{"the cat ."}});
  CHECK(lc.corpusScore({"The CAT."}).score == doctest::Approx(100.0));
  CHECK(lc.signature().find("|case:lc|") != std::string::npos);
  CHECK(lc.preprocess("ΣΑΣ, İ  ") == "σας , i\u0307");
  o.lowercase = false;
  o.tokenizer = TokenizerKind::kChar;
  Bleu ch = makeBleu(o, {{"abc"}});
  CHECK(ch.signature().find("|tok:char|") != std::string::npos);
  CHECK(ch.corpusScore({"abd"}).counts == std::vector<double>{2, 1, 0, 0});
}

TEST_CASE("BLEU: sentence scores and corpus statistics") {
  BleuOptions o;
  o.effectiveOrder = true;
  Bleu b = makeBleu(o, {{"a b c d", "x y"}});
  CHECK(b.sentenceScore("a b c d", 0).score == doctest::Approx(100.0));
  CHECK(b.sentenceScore("x", 1).score == doctest::Approx(100.0 * std::exp(1.0 - 2.0)));
  // Corpus statistics are sums, not averages of sentence scores.
  auto st = b.segmentStats({"a b c d", "x"});
  auto sum = sumStats(st);
  CHECK(sum[0] == 5);
  CHECK(sum[1] == 6);
  CHECK_THROWS_AS(b.segmentStats({"only one"}), lt::DataError);
}

TEST_CASE("BLEU text line") {
  Bleu b = makeBleu({}, kRef);
  std::string line = formatBleuText(b.corpusScore(kHyp), b.signature());
  CHECK(line.find(" = 37.99 83.3/60.0/25.0/16.7 (BP = 1.000 ratio = 1.000 hyp_len = 6 ref_len = 6)") !=
        std::string::npos);
}
