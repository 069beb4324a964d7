// kernels/dropout.h: the vectorised Philox mask equals philoxUniform element by
// element, its rate is p, it is identical at 1 and 2 threads, and backward
// regenerates the forward's mask.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "common/rng.h"
#include "common/threads.h"
#include "kernels/dropout.h"
#include "kernels/ref/dropout.h"

using namespace lt;

namespace {
Tensor uniformTensor(const Shape& s, Rng& rng, float lo, float hi) {
  Tensor t = Tensor::empty(s);
  for (int64_t i = 0; i < t.elements(); ++i) t.data<float>()[i] = rng.uniform(lo, hi);
  return t;
}
bool sameBits(const Tensor& a, const Tensor& b) {
  return a.elements() == b.elements() && std::memcmp(a.rawData(), b.rawData(), a.bytes()) == 0;
}
}  // namespace

TEST_CASE("kernels/dropout: mask is philoxUniform(seed, stream, i) < p, scaled by 1/(1-p)") {
  Rng rng(1);
  const uint64_t seed = 0x1234'5678'9abcULL, stream = (uint64_t(7) << 32) | 3;
  for (int64_t n : {1, 3, 63, 64, 65, 1000, 50001}) {
    for (float p : {0.1f, 0.5f, 0.9f}) {
      // Inputs in [1, 2] so that a kept element is never 0.
      Tensor x = uniformTensor({n}, rng, 1.f, 2.f);
      Tensor yf = Tensor::empty({n}), yr = Tensor::empty({n});
      kernels::dropoutForward(x, p, seed, stream, yf);
      kernels::ref::dropoutForward(x, p, seed, stream, yr);
      CHECK(sameBits(yf, yr));
      int wrong = 0;
      float scale = 1.f / (1.f - p);
      for (int64_t i = 0; i < n; ++i) {
        bool drop = philoxUniform(seed, stream, uint64_t(i)) < p;
        float want = drop ? 0.f : x.data<float>()[i] * scale;
        wrong += yf.data<float>()[i] != want;
      }
      CHECK_MESSAGE(wrong == 0, "n=" << n << " p=" << p);
    }
  }
}

TEST_CASE("kernels/dropout: the chunk path's block counter carries into its high word") {
  // Blocks 2^32 - 3 .. 2^32 + 12: the low counter word wraps inside the chunk.
  const uint64_t seed = 0xfeed'beef'0123ULL, stream = 5;
  for (uint64_t first : {uint64_t(0), uint64_t(0xFFFFFFFDull), uint64_t(0x1'FFFF'FFF8ull)}) {
    float u[64];
    kernels::detail::dropoutChunkUniforms(first, seed, stream, u);
    int wrong = 0;
    for (int e = 0; e < 64; ++e) wrong += u[e] != philoxUniform(seed, stream, 4 * first + uint64_t(e));
    CHECK_MESSAGE(wrong == 0, "first block " << first);
  }
}

TEST_CASE("kernels/dropout: drop rate is p; different streams give different masks") {
  const int64_t n = 200000;
  Tensor x = Tensor::full({n}, 1.f);
  for (float p : {0.1f, 0.3f, 0.5f}) {
    Tensor y = Tensor::empty({n});
    kernels::dropoutForward(x, p, 42, 0, y);
    int64_t dropped = 0;
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) {
      dropped += y.data<float>()[i] == 0.f;
      sum += y.data<float>()[i];
    }
    double rate = double(dropped) / double(n);
    double sd = std::sqrt(p * (1 - p) / double(n));  // binomial standard deviation
    CHECK(std::fabs(rate - p) < 5 * sd);
    CHECK(sum / double(n) == doctest::Approx(1.0).epsilon(0.01));  // inverted scaling keeps E[y] = x
  }
  Tensor a = Tensor::empty({n}), b = Tensor::empty({n});
  kernels::dropoutForward(x, 0.5f, 42, 0, a);
  kernels::dropoutForward(x, 0.5f, 42, 1, b);
  int64_t differ = 0;
  for (int64_t i = 0; i < n; ++i) differ += a.data<float>()[i] != b.data<float>()[i];
  CHECK(differ > n / 3);  // independent masks differ in about half the places
}

TEST_CASE("kernels/dropout: same mask at 1 and 2 threads, backward reuses it") {
  Rng rng(2);
  const int64_t n = 100003;
  Tensor x = uniformTensor({n}, rng, 1.f, 2.f);
  Tensor y1 = Tensor::empty({n}), y2 = Tensor::empty({n});
  int saved = numThreads();
  setThreads(1);
  kernels::dropoutForward(x, 0.3f, 9, 4, y1);
  setThreads(2);
  kernels::dropoutForward(x, 0.3f, 9, 4, y2);
  setThreads(saved);
  CHECK(sameBits(y1, y2));

  Tensor dy = uniformTensor({n}, rng, 1.f, 2.f);
  Tensor dx = Tensor::empty({n});
  kernels::dropoutBackward(dy, 0.3f, 9, 4, dx, false);
  int bad = 0;
  float scale = 1.f / 0.7f;
  for (int64_t i = 0; i < n; ++i) {
    bool kept = y1.data<float>()[i] != 0.f;
    float want = kept ? dy.data<float>()[i] * scale : 0.f;
    bad += dx.data<float>()[i] != want;
  }
  CHECK(bad == 0);
  // Accumulating form adds onto what is there. Not compared bit for bit: the compiler
  // may fuse y + x * scale into one FMA in one build and not in the other.
  Tensor acc = Tensor::full({n}, 0.5f), accRef = Tensor::full({n}, 0.5f);
  kernels::dropoutBackward(dy, 0.3f, 9, 4, acc, true);
  kernels::ref::dropoutBackward(dy, 0.3f, 9, 4, accRef, true);
  int far = 0;
  for (int64_t i = 0; i < n; ++i) {
    float a = acc.data<float>()[i], r = accRef.data<float>()[i];
    far += std::fabs(a - r) > 1e-6f * std::fabs(r) || std::fabs(a - (0.5f + dx.data<float>()[i])) > 1e-6f * std::fabs(a);
  }
  CHECK(far == 0);
}
