// Random numbers. Two kinds, both explicit objects (never global state):
//  * philox4x32: a counter-based generator (Salmon et al., SC'11). Element i of
//    a dropout mask is a pure function of (seed, stream, i), so masks are the
//    same at any thread count and a resumed run redraws identical masks.
//  * Rng: a seeded sequential generator for parameter initialisation and
//    shuffling, whose state can be saved and restored for exact resume.
#pragma once
#include <array>
#include <cstdint>
#include <random>
#include <string>

namespace lt {

// Philox-4x32-10: maps (counter, key) to four independent 32-bit words.
std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> counter, std::array<uint32_t, 2> key);

// Uniform float in [0, 1) for element `index` of the stream (seed, stream).
float philoxUniform(uint64_t seed, uint64_t stream, uint64_t index);

class Rng {
public:
  explicit Rng(uint64_t seed = 1) : eng_(seed) {}
  float uniform(float lo = 0.f, float hi = 1.f);
  float normal(float mean = 0.f, float stddev = 1.f);
  uint64_t next() { return eng_(); }
  // Uniform integer in [0, n).
  uint64_t below(uint64_t n);
  std::string saveState() const;
  void loadState(const std::string& s);
  std::mt19937_64& engine() { return eng_; }

private:
  std::mt19937_64 eng_;
};

}  // namespace lt
