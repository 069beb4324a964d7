// A re-implementation of the parts of NumPy's random machinery sacreBLEU's
// paired bootstrap uses, so resampled indices match `np.random.default_rng(seed)
// .choice(n, size=(k, n), replace=True)` draw for draw:
//   SeedSequence (O'Neill's seed_seq-style hash of the entropy into a pool),
//   PCG64 (128-bit LCG with XSL-RR output, 32-bit draws taken from the halves
//   of one 64-bit draw), and Lemire's bounded integers on 32-bit draws.
// Also NumPy's pairwise summation, which np.mean uses.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lt::eval {

// SeedSequence(entropy).generate_state(nWords, uint64) for a non-negative
// integer entropy.
std::vector<uint64_t> seedSequenceState64(uint64_t entropy, int nWords);

class Pcg64 {
public:
  // As np.random.PCG64(seed) / default_rng(seed).
  explicit Pcg64(uint64_t seed);
  uint64_t next64();
  uint32_t next32();
  // Uniform integer in [0, n) for 1 <= n <= 2^32 (Generator.integers on int64
  // with a 32-bit range, as Generator.choice uses).
  uint64_t below(uint64_t n);

private:
  unsigned __int128 state_ = 0;
  unsigned __int128 inc_ = 0;
  bool hasUint32_ = false;
  uint32_t uinteger_ = 0;
};

// default_rng(seed).choice(n, size=(rows, n), replace=True), row-major.
std::vector<uint32_t> bootstrapIndices(uint64_t seed, size_t rows, size_t n);

// np.add.reduce on a contiguous float64 / float32 array (pairwise summation
// with 8-way unrolled blocks of at most 128 elements).
double numpyPairwiseSum(const double* a, size_t n);
float numpyPairwiseSum(const float* a, size_t n);

}  // namespace lt::eval
