// Sorted n-gram lists: ordering, counting, clipping and merging.
#include "eval/ngram_counts.h"

#include <doctest/doctest.h>
#include <string>

using namespace lt::eval;

TEST_CASE("n-gram keys order like the bytes of their text") {
  using namespace std::string_view_literals;
  const std::string_view texts[] = {""sv, "a"sv, "a\0"sv, "a\0b"sv, "ab"sv, "abcdefgh"sv, "abcdefghi"sv,
                                    "abcdefgi"sv, "\xc3\xa9"sv, "zz"sv};
  for (auto x : texts)
    for (auto y : texts) {
      CHECK((makeNgramKey(x) < makeNgramKey(y)) == (x < y));
      CHECK((makeNgramKey(x) == makeNgramKey(y)) == (x == y));
    }
}

TEST_CASE("counting, clipping and max-merging") {
  std::vector<NgramKey> hyp = {makeNgramKey("the"), makeNgramKey("cat"), makeNgramKey("the"),
                               makeNgramKey("the long token")};
  NgramCounts h;
  CHECK(countNgramKeys(hyp, h) == 4);
  REQUIRE(h.size() == 3);
  CHECK(h[0].first.text == "cat");
  CHECK(h[2].first.text == "the long token");
  CHECK(h[1].second == 2);

  std::vector<NgramKey> r1 = {makeNgramKey("the"), makeNgramKey("dog")};
  std::vector<NgramKey> r2 = {makeNgramKey("the"), makeNgramKey("the"), makeNgramKey("the long token")};
  NgramCounts a, b;
  countNgramKeys(r1, a);
  countNgramKeys(r2, b);
  CHECK(clippedMatches(h, a) == 1);  // "the" clipped to 1
  CHECK(clippedMatches(h, b) == 3);  // "the" x2 and the long token
  mergeMaxCounts(a, b);
  REQUIRE(a.size() == 3);
  CHECK(clippedMatches(h, a) == 3);

  std::vector<size_t> s, e;
  spacedTokenBounds("ab c  d", s, e);  // an empty token between the two spaces
  CHECK(s == std::vector<size_t>{0, 3, 5, 6});
  CHECK(e == std::vector<size_t>{2, 4, 5, 7});
}
