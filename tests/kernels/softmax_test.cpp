// kernels softmax / log-softmax (fused OpenMP loop; oneDNN softmax_v2 for
// comparison) against the plain-loop oracle kernels::ref, with masks.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/rng.h"
#include "common/timer.h"
#include "kernels/backend.h"
#include "kernels/binary.h"
#include "kernels/cpu/softmax.h"
#include "kernels/ref/softmax.h"
#include "kernels/softmax.h"
#include "tensor/arena.h"

using namespace lt;
using namespace lt::kernels;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

Tensor rnd(const Shape& s, Rng& rng, float lo = -3.f, float hi = 3.f) {
  Tensor t = Tensor::empty(s);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.elements(); ++i) p[i] = rng.uniform(lo, hi);
  return t;
}

// Max |a-b| treating equal infinities as equal; NaN anywhere counts as infinite.
float maxDiff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  float m = 0;
  const float* x = a.data<float>();
  const float* y = b.data<float>();
  for (int64_t i = 0; i < a.elements(); ++i) {
    if (std::isnan(x[i]) || std::isnan(y[i])) return kInf;
    if (x[i] == y[i]) continue;
    m = std::max(m, std::fabs(x[i] - y[i]));
  }
  return m;
}

// Key padding mask [B,1,1,S]: -inf (or `neg`) past each row's length.
Tensor paddingMask(int64_t b, int64_t s, const std::vector<int64_t>& lens, float neg) {
  Tensor m = Tensor::zeros(Shape{b, 1, 1, s});
  for (int64_t i = 0; i < b; ++i)
    for (int64_t j = lens[size_t(i)]; j < s; ++j) m.data<float>()[i * s + j] = neg;
  return m;
}

Tensor causalMask(int64_t t) {
  Tensor m = Tensor::zeros(Shape{1, 1, t, t});
  for (int64_t i = 0; i < t; ++i)
    for (int64_t j = i + 1; j < t; ++j) m.data<float>()[i * t + j] = -kInf;
  return m;
}

void compareBoth(const Tensor& x, const Tensor& mask, Rng& rng) {
  for (bool log : {false, true}) {
    INFO("x " << x.shape().toString() << " mask "
              << (mask.defined() ? mask.shape().toString() : "none") << " log " << log);
    Tensor yf = softmaxForward(x, mask, log);
    Tensor yr = ref::softmaxForward(x, mask, log);
    CHECK(maxDiff(yf, yr) <= 2e-6f);
    Tensor dy = rnd(x.shape(), rng, -1.f, 1.f);
    Tensor dxf = softmaxBackward(yr, dy, log);
    Tensor dxr = ref::softmaxBackward(yr, dy, log);
    CHECK(maxDiff(dxf, dxr) <= 1e-5f);
  }
}

}  // namespace

TEST_CASE("softmax kernel: hand-worked values") {
  Tensor x = Tensor::fromVector(Shape{1, 3}, std::vector<float>{1.f, 2.f, 3.f});
  // e^1, e^2, e^3 / (e + e^2 + e^3)
  std::vector<float> want = {0.09003057f, 0.24472847f, 0.66524096f};
  Tensor y = softmaxForward(x, Tensor(), false);
  Tensor l = softmaxForward(x, Tensor(), true);
  for (int j = 0; j < 3; ++j) {
    CHECK(y.data<float>()[j] == doctest::Approx(want[size_t(j)]).epsilon(1e-6));
    CHECK(l.data<float>()[j] == doctest::Approx(std::log(want[size_t(j)])).epsilon(1e-6));
  }
  // Mask the last element: softmax of [1, 2] = [0.26894142, 0.73105858, 0].
  Tensor m = Tensor::fromVector(Shape{1, 3}, std::vector<float>{0.f, 0.f, -kInf});
  Tensor ym = softmaxForward(x, m, false);
  CHECK(ym.data<float>()[0] == doctest::Approx(0.26894142f).epsilon(1e-6));
  CHECK(ym.data<float>()[1] == doctest::Approx(0.73105858f).epsilon(1e-6));
  CHECK(ym.data<float>()[2] == 0.f);
}

TEST_CASE("softmax kernel: fast path matches reference on random shapes") {
  Rng rng(7);
  for (Shape s : {Shape{1, 1}, Shape{3, 7}, Shape{2, 3, 5}, Shape{2, 1, 17}, Shape{5, 1},
                  Shape{4, 33}, Shape{2, 3, 4, 129}, Shape{8, 4, 30, 30}, Shape{3, 1000}}) {
    compareBoth(rnd(s, rng), Tensor(), rng);
  }
}

TEST_CASE("softmax kernel: masks (padding, causal, broadcast last dim, finite)") {
  Rng rng(11);
  int64_t B = 5, H = 3, T = 9, S = 13;
  Tensor x = rnd(Shape{B, H, T, S}, rng);
  compareBoth(x, paddingMask(B, S, {13, 1, 7, 12, 4}, -kInf), rng);
  compareBoth(x, paddingMask(B, S, {13, 1, 7, 12, 4}, -1e9f), rng);
  Tensor xc = rnd(Shape{B, H, T, T}, rng);
  compareBoth(xc, causalMask(T), rng);
  // Mask broadcast along the softmax axis itself: a constant shift per row.
  Tensor shift = rnd(Shape{B, 1, T, 1}, rng);
  compareBoth(xc, shift, rng);
  // Full-shape mask, and a mask on a parallel-sized input.
  compareBoth(xc, rnd(xc.shape(), rng), rng);
  Tensor xb = rnd(Shape{16, 4, 30, 30}, rng);
  std::vector<int64_t> lens;
  for (int i = 0; i < 16; ++i) lens.push_back(1 + int64_t(rng.below(30)));
  compareBoth(xb, paddingMask(16, 30, lens, -kInf), rng);
}

TEST_CASE("softmax kernel: portable row loop matches reference too") {
  Rng rng(13);
  cpu::setPortableSoftmax(true);
  compareBoth(rnd(Shape{3, 2, 37}, rng), Tensor(), rng);
  Tensor x = rnd(Shape{5, 3, 9, 13}, rng);
  compareBoth(x, paddingMask(5, 13, {13, 1, 7, 0, 4}, -kInf), rng);
  compareBoth(x, rnd(Shape{5, 1, 9, 1}, rng), rng);
  cpu::setPortableSoftmax(false);
}

TEST_CASE("softmax kernel: fully masked rows give zeros (softmax) and -inf (log), no NaN") {
  Rng rng(3);
  Tensor x = rnd(Shape{3, 2, 6}, rng);
  Tensor m = Tensor::zeros(Shape{3, 1, 6});
  for (int j = 0; j < 6; ++j) m.data<float>()[1 * 6 + j] = -kInf;  // batch 1 fully masked
  m.data<float>()[2 * 6 + 4] = -kInf;                                 // batch 2 partly
  Tensor y = softmaxForward(x, m, false);
  Tensor l = softmaxForward(x, m, true);
  Tensor dy = rnd(x.shape(), rng);
  Tensor dxs = softmaxBackward(y, dy, false);
  Tensor dxl = softmaxBackward(l, dy, true);
  for (int64_t r = 0; r < 6; ++r) {
    bool full = r / 2 == 1;
    double rowSum = 0;
    for (int64_t j = 0; j < 6; ++j) {
      int64_t i = r * 6 + j;
      CHECK_FALSE(std::isnan(y.data<float>()[i]));
      CHECK_FALSE(std::isnan(dxs.data<float>()[i]));
      CHECK_FALSE(std::isnan(dxl.data<float>()[i]));
      rowSum += y.data<float>()[i];
      if (full) {
        CHECK(y.data<float>()[i] == 0.f);
        CHECK(l.data<float>()[i] == -kInf);
        CHECK(dxs.data<float>()[i] == 0.f);
        CHECK(dxl.data<float>()[i] == 0.f);
      }
    }
    CHECK(rowSum == doctest::Approx(full ? 0.0 : 1.0).epsilon(1e-6));
  }
  CHECK(y.data<float>()[2 * 12 + 4] == 0.f);  // masked element of a partly masked row
  CHECK(maxDiff(y, ref::softmaxForward(x, m, false)) <= 2e-6f);
  CHECK(maxDiff(l, ref::softmaxForward(x, m, true)) <= 2e-6f);
}

TEST_CASE("softmax kernel: oneDNN softmax_v2 agrees (unmasked)") {
  Rng rng(5);
  for (Shape s : {Shape{3, 7}, Shape{4, 2, 30, 30}, Shape{2, 1000}}) {
    Tensor x = rnd(s, rng);
    for (bool log : {false, true}) {
      Tensor yr = ref::softmaxForward(x, Tensor(), log);
      CHECK(maxDiff(softmaxDnnlForward(x, log), yr) <= (log ? 1e-5f : 2e-6f));
      Tensor dy = rnd(s, rng);
      CHECK(maxDiff(softmaxDnnlBackward(yr, dy, log), ref::softmaxBackward(yr, dy, log)) <= 1e-5f);
    }
  }
}

TEST_CASE("softmax kernel: reference mode and bad mask shape") {
  Rng rng(9);
  Tensor x = rnd(Shape{2, 3, 4}, rng);
  setReferenceKernels(true);
  Tensor y = softmaxForward(x, Tensor(), false);
  setReferenceKernels(false);
  CHECK(maxDiff(y, ref::softmaxForward(x, Tensor(), false)) == 0.f);
  try {
    softmaxForward(x, Tensor::zeros(Shape{2, 1, 5}), false);
    FAIL("no ShapeError");
  } catch (const ShapeError& e) {
    std::string msg = e.what();
    CHECK(msg.find("softmax") != std::string::npos);
    CHECK(msg.find("[2x3x4]") != std::string::npos);
    CHECK(msg.find("[2x1x5]") != std::string::npos);
  }
  CHECK_THROWS_AS(softmaxForward(x, Tensor::zeros(Shape{3, 4}), true), ShapeError);
}

TEST_CASE("log-softmax shifts: x - shift is the log-softmax bit for bit, on every row path") {
  Rng rng(21);
  const float inf = std::numeric_limits<float>::infinity();
  for (bool portable : {false, true}) {
    cpu::setPortableSoftmax(portable);
    for (int64_t n : {1, 5, 37, 64, 65, 1000, 10000}) {
      CAPTURE(portable);
      CAPTURE(n);
      Tensor x = rnd(Shape{3, n}, rng, -20.f, 20.f);
      float* p = x.data<float>();
      for (int64_t j = 0; j < n; ++j) p[n + j] = -inf;  // row 1: all -inf
      if (n > 3) p[2 * n + 3] = -inf;                   // row 2: one impossible token
      Tensor shift = logSoftmaxShifts(x);
      Tensor y = softmaxForward(x, Tensor(), true);
      REQUIRE(shift.shape() == Shape{3});
      CHECK(shift.data<float>()[1] == inf);
      bool same = true;
      for (int64_t r = 0; r < 3; ++r)
        for (int64_t j = 0; j < n; ++j) {
          const float a = p[r * n + j] - shift.data<float>()[r], b = y.data<float>()[r * n + j];
          same = same && (a == b || (std::isnan(a) && std::isnan(b)));
        }
      CHECK(same);
      // Against the double-precision reference: log Σ exp(x - shift) = 0 per live row.
      Tensor want = ref::logSoftmaxShifts(x);
      for (int64_t r : {0, 2}) CHECK(shift.data<float>()[r] == doctest::Approx(want.data<float>()[r]).epsilon(1e-6));
    }
  }
  cpu::setPortableSoftmax(false);
  setReferenceKernels(true);
  Tensor x = rnd(Shape{2, 7}, rng);
  CHECK(maxDiff(logSoftmaxShifts(x), ref::logSoftmaxShifts(x)) == 0.f);
  setReferenceKernels(false);
  CHECK_THROWS_AS(logSoftmaxShifts(Tensor()), ShapeError);
}

// Timings (run with --no-skip): fused loop vs oneDNN vs reference.
TEST_CASE("softmax kernel: timings" * doctest::skip()) {
  Rng rng(1);
  // Outputs come from an arena reset per call, as in training (fresh heap
  // pages would add page-fault time to every call).
  Arena arena;
  auto time = [&](auto&& f, int reps) {
    double best = 1e30;
    for (int i = 0; i < reps + 1; ++i) {
      ArenaScope scope(arena);
      Timer t;
      f();
      if (i) best = std::min(best, t.seconds() * 1e3);
      arena.reset();
    }
    return best;
  };
  for (Shape s : {Shape{64, 4, 30, 30}, Shape{64, 8, 50, 50}, Shape{1024, 10000}}) {
    Tensor x = rnd(s, rng);
    std::vector<int64_t> lens;
    for (int64_t i = 0; i < s[0]; ++i) lens.push_back(1 + int64_t(rng.below(uint64_t(s[-1]))));
    Tensor mask = s.rank() == 4 ? paddingMask(s[0], s[-1], lens, -kInf) : Tensor();
    Tensor dy = rnd(s, rng);
    Tensor y = softmaxForward(x, mask, false);
    int reps = s.elements() > 4000000 ? 5 : 30;
    MESSAGE(s.toString() << std::string(mask.defined() ? " masked" : "") << " best ms: fused fwd "
            << time([&] { softmaxForward(x, mask, false); }, reps) << " (unmasked "
            << time([&] { softmaxForward(x, Tensor(), false); }, reps) << ") bwd "
            << time([&] { softmaxBackward(y, dy, false); }, reps) << " | oneDNN (no mask) fwd "
            << time([&] { softmaxDnnlForward(x, false); }, reps) << " bwd "
            << time([&] { softmaxDnnlBackward(y, dy, false); }, reps) << " | oneDNN add+softmax "
            << time([&] { softmaxDnnlForward(mask.defined() ? binaryForward(BinaryKind::Add, x, mask) : x, false); }, reps)
            << " | log fused "
            << time([&] { softmaxForward(x, mask, true); }, reps) << " oneDNN "
            << time([&] { softmaxDnnlForward(x, true); }, reps) << " | ref fwd "
            << time([&] { ref::softmaxForward(x, mask, false); }, 2) << " bwd "
            << time([&] { ref::softmaxBackward(y, dy, false); }, 2));
  }
}
