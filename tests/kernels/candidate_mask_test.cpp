// kernels::cpu::candidateMask16 (the beam scan's block test) against the per-token rule it
// stands for: bit j set unless base + x[j] < bound, in fp32, with -inf, NaN, ties and
// sums that round, and the log-softmax shift subtracted first.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "common/rng.h"
#include "kernels/cpu/candidate_mask.h"

using namespace lt;

namespace {
uint32_t scalarMask(const float* x, float base, float shift, float bound) {
  uint32_t m = 0;
  for (int j = 0; j < 16; ++j) {
    const float s = base + (x[j] - shift);
    if (!(s < bound)) m |= 1u << j;
  }
  return m;
}
}  // namespace

TEST_CASE("candidate mask: equals the per-token test, bit for bit") {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Hand-worked: bound -1, base -0.5: x = -0.5 gives exactly -1 (kept, not below), x = -0.6
  // gives -1.1 (dropped), -inf dropped, NaN kept (the scan drops it by its own rule).
  std::vector<float> x(17, -3.f);
  x[1] = -0.5f;
  x[2] = -0.6f;
  x[3] = -inf;
  x[4] = nan;
  x[15] = 0.f;
  CHECK(kernels::cpu::candidateMask16(x.data() + 1, -0.5f, 0.f, -1.f) ==
        ((1u << 0) | (1u << 3) | (1u << 14)));
  // Random blocks at an unaligned offset; bounds taken from the block itself (ties) and
  // bases that make the sums round.
  Rng rng(3);
  std::vector<float> buf(16 * 64 + 1);
  for (auto& v : buf) v = rng.uniform(-20.f, 0.f);
  for (int i = 0; i < 64; ++i) {
    const float* b = buf.data() + 1 + 16 * i;
    const float base = rng.uniform(-50.f, 0.f), shift = i % 3 ? rng.uniform(-5.f, 25.f) : 0.f;
    for (float bound : {base + (b[i % 16] - shift), base + (b[(i + 5) % 16] - shift) + 1e-6f, -inf,
                        inf, base - 10.f}) {
      CAPTURE(i);
      CHECK(kernels::cpu::candidateMask16(b, base, shift, bound) == scalarMask(b, base, shift, bound));
    }
  }
  CHECK(kernels::cpu::candidateMask16(buf.data(), 0.f, 0.f, -inf) == 0xFFFFu);
  CHECK(kernels::cpu::candidateMask16(buf.data(), 0.f, 0.f, inf) == 0u);
  CHECK(kernels::cpu::candidateMask16(buf.data(), 0.f, inf, -1e30f) == 0u);  // shift +inf: -inf scores
}
