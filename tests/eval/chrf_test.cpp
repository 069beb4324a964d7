// sacreBLEU chrF / chrF++ on cases worked out by hand.
#include "eval/chrf.h"

#include <doctest/doctest.h>

using namespace lt::eval;

namespace {
Chrf makeChrf(ChrfOptions o, std::vector<std::vector<std::string>> refs) {
  Chrf c(o);
  c.setReferences(refs);
  return c;
}
}  // namespace

TEST_CASE("chrF: identical and partly matching lines") {
  ChrfOptions o;
  o.charOrder = 2;
  CHECK(makeChrf(o, {{"ab"}}).corpusScore({"ab"}) == doctest::Approx(100.0));
  // "ab" vs "ac": chars 1/2 precision and recall; bigrams 0 of 1.
  // Effective order 2: avg P = avg R = 0.25, F2 = 5 * 0.25 * 0.25 / (4 * 0.25 + 0.25) = 0.25.
  CHECK(makeChrf(o, {{"ac"}}).corpusScore({"ab"}) == doctest::Approx(25.0).epsilon(1e-12));
  // eps smoothing averages per-order F: (0.5 + 1e-16) / 2.
  o.epsSmoothing = true;
  Chrf eps = makeChrf(o, {{"ac"}});
  CHECK(eps.corpusScore({"ab"}) == doctest::Approx(25.0).epsilon(1e-12));
  CHECK(eps.signature() == std::string("nrefs:1|case:mixed|eff:no|nc:2|nw:0|space:no|version:") + LT_VERSION);
}

TEST_CASE("chrF: whitespace is removed unless asked for") {
  ChrfOptions o;
  CHECK(makeChrf(o, {{"ab"}}).corpusScore({"a b"}) == doctest::Approx(100.0));
  o.whitespace = true;
  CHECK(makeChrf(o, {{"ab"}}).corpusScore({"a b"}) < 100.0);
}

TEST_CASE("chrF: beta weights recall") {
  // hyp "ab", ref "abcd", char order 1: P = 1, R = 0.5.
  ChrfOptions o;
  o.charOrder = 1;
  o.beta = 1;
  CHECK(makeChrf(o, {{"abcd"}}).corpusScore({"ab"}) == doctest::Approx(100.0 * 2 * 0.5 / 1.5));
  o.beta = 3;  // F3 = 10 * P * R / (9 P + R)
  CHECK(makeChrf(o, {{"abcd"}}).corpusScore({"ab"}) == doctest::Approx(100.0 * 10 * 0.5 / 9.5));
  CHECK(makeChrf(o, {{"abcd"}}).name() == "chrF3");
}

TEST_CASE("chrF++ word splitting and names") {
  auto w = Chrf::splitWords("Hello, world! (hi) ' \"x");
  std::vector<std::string> expect = {"Hello", ",", "world", "!", "(hi", ")", "'", "\"", "x"};
  CHECK(w == expect);
  ChrfOptions o;
  o.wordOrder = 2;
  Chrf c = makeChrf(o, {{"a cat"}});
  CHECK(c.name() == "chrF2++");
  CHECK(c.signature().find("|nc:6|nw:2|") != std::string::npos);
  CHECK(c.corpusScore({"a cat"}) == doctest::Approx(100.0));
}

TEST_CASE("chrF: empty lines, lowercase, multiple references") {
  ChrfOptions o;
  CHECK(makeChrf(o, {{"abc"}}).corpusScore({""}) == 0.0);
  // An empty reference makes the hypothesis counts 0 too (sacreBLEU quirk).
  Chrf emptyRef = makeChrf(o, {{""}});
  auto st = emptyRef.segmentStats({"abc"});
  CHECK(st[0][0] == 0);
  CHECK(emptyRef.corpusScore({"abc"}) == 0.0);
  CHECK(makeChrf(o, {{"abc"}}).corpusScore({"ABC"}) == 0.0);
  o.lowercase = true;
  CHECK(makeChrf(o, {{"abc"}}).corpusScore({"ABC"}) == doctest::Approx(100.0));
  // Each line takes the reference with the best sentence F.
  o.lowercase = false;
  Chrf multi = makeChrf(o, {{"xyz", "abc"}, {"abc", "qqq"}});
  CHECK(multi.corpusScore({"abc", "abc"}) == doctest::Approx(100.0));
  CHECK(multi.signature().find("nrefs:2|") == 0);
}
