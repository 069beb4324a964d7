// fairseq score.py tokenized BLEU and the compound split, worked out by hand.
#include "eval/paper_bleu.h"

#include "common/error.h"

#include <cmath>
#include <doctest/doctest.h>

using namespace lt::eval;

TEST_CASE("compound split is perl's non-overlapping s{(\\S)-(\\S)}") {
  CHECK(splitCompounds("well-known") == "well ##AT##-##AT## known");
  // The match consumes "a-b", so the next hyphen has no \S before it left.
  CHECK(splitCompounds("a-b-c") == "a ##AT##-##AT## b-c");
  CHECK(splitCompounds("a--b") == "a ##AT##-##AT## -b");
  CHECK(splitCompounds("x - y -z w-") == "x - y -z w-");
  CHECK(splitCompounds("10-15 Jahre") == "1" "0 ##AT##-##AT## 1" "5 Jahre");
  CHECK(splitCompounds("\u00fc-\u00e4") == "\u00fc ##AT##-##AT## \u00e4");
}

TEST_CASE("paper BLEU: corpus statistics without smoothing") {
  PaperBleuOptions o;
  BleuScore same = paperBleu({"the cat sat on the mat"}, {"the cat sat on the mat"}, o);
  CHECK(same.score == doctest::Approx(100.0));
  // No smoothing: a missing 4-gram match gives 0.
  CHECK(paperBleu({"the cat sat on the mat"}, {"the cat is on the mat"}, o).score == 0.0);
  // Short hypothesis: all precisions 1, BP = exp(1 - 6/5).
  BleuScore shortHyp = paperBleu({"a b c d e"}, {"a b c d e f"}, o);
  CHECK(shortHyp.score == doctest::Approx(100.0 * std::exp(1.0 - 6.0 / 5.0)).epsilon(1e-12));
  CHECK(shortHyp.bp == doctest::Approx(std::exp(-0.2)));
  // Corpus-level: two lines, statistics summed before the geometric mean.
  BleuScore two = paperBleu({"a b c d", "w x y z"}, {"a b c d", "w x q z"}, o);
  CHECK(two.counts == std::vector<double>{7, 4, 2, 1});
  CHECK(two.totals == std::vector<double>{8, 6, 4, 2});
  CHECK(two.score == doctest::Approx(100.0 * std::pow(7.0 / 8 * 4.0 / 6 * 2.0 / 4 * 1.0 / 2, 0.25)).epsilon(1e-12));
}

TEST_CASE("paper BLEU: fairseq's end-of-sentence token on empty lines") {
  PaperBleuOptions o;
  // An empty line keeps its </s>: length 1, and it matches an empty reference.
  BleuScore s = paperBleu({"a b c d", ""}, {"a b c d", ""}, o);
  CHECK(s.sysLen == 5);
  CHECK(s.counts == std::vector<double>{5, 3, 2, 1});
  CHECK(s.score == doctest::Approx(100.0));
  BleuScore t = paperBleu({"a b c d", ""}, {"a b c d", "x"}, o);
  CHECK(t.counts == std::vector<double>{4, 3, 2, 1});
  CHECK(t.totals == std::vector<double>{5, 3, 2, 1});
  CHECK(t.score == doctest::Approx(100.0 * std::pow(0.8, 0.25)).epsilon(1e-12));
  // A literal <unk> in the reference never matches.
  CHECK(paperBleu({"<unk> b"}, {"<unk> b"}, o).counts[0] == 1);
}

TEST_CASE("paper BLEU: split compounds and lowercase on both sides") {
  PaperBleuOptions o;
  o.splitCompounds = true;
  // Every hyphen of "state-of-the-art" has a letter on both sides after the
  // previous match: a state ##AT##-##AT## of ##AT##-##AT## the ##AT##-##AT## art model.
  CHECK(splitCompounds("state-of-the-art") == "state ##AT##-##AT## of ##AT##-##AT## the ##AT##-##AT## art");
  BleuScore s = paperBleu({"a state-of-the-art model"}, {"a state-of-the-art model"}, o);
  CHECK(s.sysLen == 9);
  CHECK(s.score == doctest::Approx(100.0));
  o.lowercase = true;
  CHECK(paperBleu({"The Cat Sat Down"}, {"the cat sat down"}, o).score == doctest::Approx(100.0));
  CHECK(paperBleuSignature(o).find("split-compounds:yes") != std::string::npos);
  CHECK_THROWS_AS(paperBleu({"a"}, {"a", "b"}, o), lt::DataError);
}
