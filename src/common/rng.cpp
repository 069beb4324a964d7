#include "common/rng.h"

#include <cmath>
#include <sstream>

#include "common/error.h"

namespace lt {

namespace {
constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;

inline void mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
  uint64_t p = uint64_t(a) * uint64_t(b);
  hi = uint32_t(p >> 32);
  lo = uint32_t(p);
}
}  // namespace

std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> c, std::array<uint32_t, 2> k) {
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(kM0, c[0], hi0, lo0);
    mulhilo(kM1, c[2], hi1, lo1);
    c = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
    k[0] += kW0;
    k[1] += kW1;
  }
  return c;
}

float philoxUniform(uint64_t seed, uint64_t stream, uint64_t index) {
  // One Philox call yields 4 words; element index uses word index%4 of block index/4.
  uint64_t block = index >> 2;
  auto r = philox4x32({uint32_t(block), uint32_t(block >> 32), uint32_t(stream), uint32_t(stream >> 32)},
                      {uint32_t(seed), uint32_t(seed >> 32)});
  // 24 random bits -> float in [0,1) exactly representable.
  return float(r[index & 3] >> 8) * (1.0f / 16777216.0f);
}

float Rng::uniform(float lo, float hi) {
  float u = float(eng_() >> 40) * (1.0f / 16777216.0f);
  return lo + (hi - lo) * u;
}

float Rng::normal(float mean, float stddev) {
  // Box-Muller on our own uniforms: std::normal_distribution is not specified
  // across library versions, and checkpoints must replay identically.
  double u1 = (double(eng_() >> 11) + 1.0) * (1.0 / 9007199254740993.0);
  double u2 = double(eng_() >> 11) * (1.0 / 9007199254740992.0);
  double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  return mean + stddev * float(z);
}

uint64_t Rng::below(uint64_t n) {
  LT_CHECK(n > 0, Error, "Rng::below: n must be positive");
  // Rejection sampling for an unbiased result.
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = eng_(); while (x >= limit);
  return x % n;
}

std::string Rng::saveState() const {
  std::ostringstream os;
  os << eng_;
  return os.str();
}

void Rng::loadState(const std::string& s) {
  std::istringstream is(s);
  is >> eng_;
  LT_CHECK(!is.fail(), IoError, "cannot restore random generator state (corrupt checkpoint?)");
}

}  // namespace lt
