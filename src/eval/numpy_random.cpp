#include "eval/numpy_random.h"

#include "common/error.h"

namespace lt::eval {
namespace {

constexpr uint32_t kInitA = 0x43b0d7e5u;
constexpr uint32_t kMultA = 0x931e8875u;
constexpr uint32_t kInitB = 0x8b51f9ddu;
constexpr uint32_t kMultB = 0x58f38dedu;
constexpr uint32_t kMixMultL = 0xca01f9ddu;
constexpr uint32_t kMixMultR = 0x4973f715u;
constexpr int kXShift = 16;
constexpr int kPoolSize = 4;

uint32_t hashMix(uint32_t value, uint32_t& hashConst) {
  value ^= hashConst;
  hashConst *= kMultA;
  value *= hashConst;
  value ^= value >> kXShift;
  return value;
}

uint32_t mix(uint32_t x, uint32_t y) {
  uint32_t r = kMixMultL * x - kMixMultR * y;
  r ^= r >> kXShift;
  return r;
}

const unsigned __int128 kPcgMult =
    (static_cast<unsigned __int128>(0x2360ED051FC65DA4ull) << 64) | 0x4385DF649FCCF645ull;

template <typename T>
T pairwise(const T* a, size_t n) {
  if (n < 8) {
    T res = 0;
    for (size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    T r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    T res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise(a, n2) + pairwise(a + n2, n - n2);
}

}  // namespace

std::vector<uint64_t> seedSequenceState64(uint64_t entropy, int nWords) {
  std::vector<uint32_t> ent;
  if (entropy == 0) ent.push_back(0);
  while (entropy > 0) {
    ent.push_back(static_cast<uint32_t>(entropy & 0xFFFFFFFFu));
    entropy >>= 32;
  }
  uint32_t pool[kPoolSize];
  uint32_t hc = kInitA;
  for (int i = 0; i < kPoolSize; ++i) pool[i] = hashMix(i < static_cast<int>(ent.size()) ? ent[i] : 0u, hc);
  for (int s = 0; s < kPoolSize; ++s)
    for (int d = 0; d < kPoolSize; ++d)
      if (s != d) pool[d] = mix(pool[d], hashMix(pool[s], hc));
  for (size_t s = kPoolSize; s < ent.size(); ++s)
    for (int d = 0; d < kPoolSize; ++d) pool[d] = mix(pool[d], hashMix(ent[s], hc));

  std::vector<uint32_t> words(static_cast<size_t>(nWords) * 2);
  uint32_t hb = kInitB;
  for (size_t i = 0; i < words.size(); ++i) {
    uint32_t v = pool[i % kPoolSize];
    v ^= hb;
    hb *= kMultB;
    v *= hb;
    v ^= v >> kXShift;
    words[i] = v;
  }
  std::vector<uint64_t> out(static_cast<size_t>(nWords));
  for (int i = 0; i < nWords; ++i)
    out[i] = static_cast<uint64_t>(words[2 * i]) | (static_cast<uint64_t>(words[2 * i + 1]) << 32);
  return out;
}

Pcg64::Pcg64(uint64_t seed) {
  std::vector<uint64_t> v = seedSequenceState64(seed, 4);
  const unsigned __int128 initState = (static_cast<unsigned __int128>(v[0]) << 64) | v[1];
  const unsigned __int128 initSeq = (static_cast<unsigned __int128>(v[2]) << 64) | v[3];
  state_ = 0;
  inc_ = (initSeq << 1) | 1;
  state_ = state_ * kPcgMult + inc_;
  state_ += initState;
  state_ = state_ * kPcgMult + inc_;
}

uint64_t Pcg64::next64() {
  state_ = state_ * kPcgMult + inc_;
  const uint64_t hi = static_cast<uint64_t>(state_ >> 64);
  const uint64_t lo = static_cast<uint64_t>(state_);
  const uint64_t x = hi ^ lo;
  const unsigned rot = static_cast<unsigned>(state_ >> 122);
  return (x >> rot) | (x << ((64 - rot) & 63));
}

uint32_t Pcg64::next32() {
  if (hasUint32_) {
    hasUint32_ = false;
    return uinteger_;
  }
  const uint64_t n = next64();
  hasUint32_ = true;
  uinteger_ = static_cast<uint32_t>(n >> 32);
  return static_cast<uint32_t>(n & 0xFFFFFFFFu);
}

uint64_t Pcg64::below(uint64_t n) {
  LT_CHECK(n >= 1 && n <= 0x100000000ull, ConfigError, "bootstrap: cannot draw below {}", n);
  const uint64_t rng = n - 1;
  if (rng == 0) return 0;
  if (rng == 0xFFFFFFFFull) return next32();
  const uint32_t excl = static_cast<uint32_t>(rng + 1);
  uint64_t m = static_cast<uint64_t>(next32()) * excl;
  uint32_t leftover = static_cast<uint32_t>(m & 0xFFFFFFFFu);
  if (leftover < excl) {
    const uint32_t threshold = static_cast<uint32_t>((0xFFFFFFFFu - static_cast<uint32_t>(rng)) % excl);
    while (leftover < threshold) {
      m = static_cast<uint64_t>(next32()) * excl;
      leftover = static_cast<uint32_t>(m & 0xFFFFFFFFu);
    }
  }
  return m >> 32;
}

std::vector<uint32_t> bootstrapIndices(uint64_t seed, size_t rows, size_t n) {
  Pcg64 rng(seed);
  std::vector<uint32_t> idx(rows * n);
  for (auto& v : idx) v = static_cast<uint32_t>(rng.below(n));
  return idx;
}

double numpyPairwiseSum(const double* a, size_t n) { return 0.0 + pairwise(a, n); }
float numpyPairwiseSum(const float* a, size_t n) { return 0.0f + pairwise(a, n); }

}  // namespace lt::eval
