#include <doctest/doctest.h>

#include <set>

#include "common/error.h"
#include "common/rng.h"

using namespace lt;

TEST_CASE("philox4x32-10 matches the Random123 known-answer vectors") {
  // Known-answer tests published with Random123 (kat_vectors, philox4x32_10).
  auto r0 = philox4x32({0, 0, 0, 0}, {0, 0});
  CHECK(r0[0] == 0x6627e8d5u);
  CHECK(r0[1] == 0xe169c58du);
  CHECK(r0[2] == 0xbc57ac4cu);
  CHECK(r0[3] == 0x9b00dbd8u);
  auto r1 = philox4x32({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu});
  CHECK(r1[0] == 0x408f276du);
  CHECK(r1[1] == 0x41c83b0eu);
  CHECK(r1[2] == 0xa20bc7c6u);
  CHECK(r1[3] == 0x6d5451fdu);
}

TEST_CASE("philoxUniform is in [0,1), deterministic and roughly uniform") {
  double sum = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    float u = philoxUniform(42, 7, i);
    REQUIRE(u >= 0.f);
    REQUIRE(u < 1.f);
    sum += u;
  }
  CHECK(sum / n == doctest::Approx(0.5).epsilon(0.01));
  CHECK(philoxUniform(42, 7, 123) == philoxUniform(42, 7, 123));
  CHECK(philoxUniform(42, 7, 123) != philoxUniform(43, 7, 123));
  CHECK(philoxUniform(42, 7, 123) != philoxUniform(42, 8, 123));
}

TEST_CASE("Rng state round-trips exactly") {
  Rng a(5);
  a.next();
  std::string st = a.saveState();
  float x = a.normal();
  Rng b(99);
  b.loadState(st);
  CHECK(b.normal() == x);
  std::set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(a.below(10));
  CHECK(seen.size() == 10);
}

TEST_CASE("LT_CHECK throws the named error class with a formatted message") {
  try {
    LT_CHECK(1 + 1 == 3, ConfigError, "key '{}' expected {}", "beam-size", "an integer");
    FAIL("no throw");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == "key 'beam-size' expected an integer");
    CHECK(exitCodeFor(e) == 2);
  }
  CHECK(exitCodeFor(DataError("x")) == 1);
  CHECK(exitCodeFor(std::runtime_error("x")) == 70);
}
