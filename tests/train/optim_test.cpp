// Adam against hand-worked and double-precision reference values; the LR
// schedules against fairseq's formulas at chosen updates.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "autodiff/param_store.h"
#include "common/error.h"
#include "train/adam.h"
#include "train/lr_schedule.h"

using namespace lt;
using namespace lt::train;

namespace {

// One parameter p = [1, -2] whose gradient we set by hand.
struct OneParam {
  ParamStore ps;
  Var p;
  OneParam() { p = ps.addTensor("w", Tensor::fromVector(Shape{2}, std::vector<float>{1.f, -2.f})); }
  void setGrad(float a, float b) {
    p.zeroGrad();
    accumulateGrad(*p.node(), Tensor::fromVector(Shape{2}, std::vector<float>{a, b}));
  }
  float at(int i) const { return p.value().data<float>()[i]; }
};

}  // namespace

TEST_CASE("adam: fairseq update with decoupled weight decay, two steps") {
  OneParam w;
  AdamOptions o;
  o.beta1 = 0.9;
  o.beta2 = 0.98;
  o.eps = 1e-8;
  o.weightDecay = 0.1;
  Adam adam(o);
  // Step 1, gradient (0.5, -1) scaled by 0.5 -> g = (0.25, -0.5).
  // m = 0.1 g, v = 0.02 g^2, step = 0.01 * sqrt(0.02) / 0.1, m / sqrt(v) = sign(g)/sqrt(2) * ... :
  // the bias-corrected first step moves each weight by lr = 0.01 (minus the eps effect),
  // after the decay p -= 0.1 * 0.01 * p:  1 -> 0.999 - 0.01 = 0.989; -2 -> -1.998 + 0.01 = -1.988.
  w.setGrad(0.5f, -1.f);
  adam.step(w.ps, 0.01, 0.5);
  CHECK(w.at(0) == doctest::Approx(0.989).epsilon(1e-6));
  CHECK(w.at(1) == doctest::Approx(-1.988).epsilon(1e-6));
  // Step 2, gradient (0.1, 0.3) * 0.5: reference from a double-precision transcription of
  // fairseq/optim/adam.py.
  w.setGrad(0.1f, 0.3f);
  adam.step(w.ps, 0.01, 0.5);
  CHECK(w.at(0) == doctest::Approx(0.9799447566570075).epsilon(1e-6));
  CHECK(w.at(1) == doctest::Approx(-1.9817162583606962).epsilon(1e-6));
  CHECK(adam.steps() == 2);
}

TEST_CASE("adam: L2 weight decay adds wd * p to the gradient") {
  OneParam w;
  AdamOptions o;
  o.weightDecay = 0.1;
  o.decayMode = WeightDecayMode::L2;
  Adam adam(o);
  w.setGrad(0.5f, -1.f);
  adam.step(w.ps, 0.01, 0.5);
  // g = (0.25 + 0.1, -0.5 - 0.2): first step moves by lr: 0.99, -1.99.
  CHECK(w.at(0) == doctest::Approx(0.99).epsilon(1e-6));
  CHECK(w.at(1) == doctest::Approx(-1.99).epsilon(1e-6));
  w.setGrad(0.1f, 0.3f);
  adam.step(w.ps, 0.01, 0.5);
  CHECK(w.at(0) == doctest::Approx(0.9808889352501715).epsilon(1e-6));
  CHECK(w.at(1) == doctest::Approx(-1.9827614003918905).epsilon(1e-6));
}

TEST_CASE("adam: parameters without gradient are untouched; state round-trips exactly") {
  ParamStore ps;
  Var a = ps.addTensor("a", Tensor::fromVector(Shape{3}, std::vector<float>{1, 2, 3}));
  Var b = ps.addTensor("b", Tensor::fromVector(Shape{2}, std::vector<float>{4, 5}));
  accumulateGrad(*a.node(), Tensor::fromVector(Shape{3}, std::vector<float>{0.1f, -0.2f, 0.3f}));
  Adam adam1(AdamOptions{});
  adam1.step(ps, 1e-3);
  CHECK(b.value().toVector() == std::vector<float>{4, 5});
  std::string saved = adam1.saveState(ps);

  // Continue with adam1 and with a restored copy on a cloned parameter set: identical bits.
  ParamStore ps2;
  Var a2 = ps2.addTensor("a", a.value().clone());
  ps2.addTensor("b", b.value().clone());
  Adam adam2(AdamOptions{});
  adam2.loadState(saved, ps2);
  CHECK(adam2.steps() == 1);
  accumulateGrad(*a2.node(), Tensor::fromVector(Shape{3}, std::vector<float>{0.1f, -0.2f, 0.3f}));
  adam1.step(ps, 1e-3);
  adam2.step(ps2, 1e-3);
  CHECK(a.value().toVector() == a2.value().toVector());

  // A state for a different model is rejected with the parameter named.
  ParamStore other;
  other.addTensor("a", Tensor::zeros(Shape{4}));
  Adam adam3(AdamOptions{});
  CHECK_THROWS_WITH_AS(adam3.loadState(saved, other),
                       doctest::Contains("'a' has 3 elements, the parameter has 4"), IoError);
}

TEST_CASE("gradient norm and scaling") {
  OneParam w;
  w.setGrad(3.f, -4.f);
  CHECK(gradSquaredNorm(w.ps) == doctest::Approx(25.0));
  scaleGradients(w.ps, 0.5f);
  CHECK(gradSquaredNorm(w.ps) == doctest::Approx(6.25));
}

TEST_CASE("lr schedule: inverse-sqrt (fairseq inverse_sqrt)") {
  LrScheduleOptions o;
  o.kind = "inverse-sqrt";
  o.peak = 5e-4;
  o.warmupUpdates = 4000;
  o.warmupInitLr = 1e-7;
  auto s = makeLrSchedule(o);
  CHECK(s->lr(0) == doctest::Approx(1e-7));
  CHECK(s->lr(2000) == doctest::Approx(1e-7 + 2000 * (5e-4 - 1e-7) / 4000));
  CHECK(s->lr(3999) < 5e-4);
  CHECK(s->lr(4000) == doctest::Approx(5e-4));
  CHECK(s->lr(16000) == doctest::Approx(2.5e-4));  // 5e-4 * sqrt(4000/16000)
  CHECK(s->lr(64000) == doctest::Approx(1.25e-4));
  o.warmupUpdates = 0;
  auto s0 = makeLrSchedule(o);
  CHECK(s0->lr(0) == doctest::Approx(5e-4));
  CHECK(s0->lr(100) == doctest::Approx(5e-5));
}

TEST_CASE("lr schedule: cosine with warm-up (LT WMT: 1e-3 -> 1e-7 over 40k after 10k warm-up)") {
  LrScheduleOptions o;
  o.kind = "cosine";
  o.peak = 1e-3;
  o.minLr = 1e-7;
  o.warmupUpdates = 10000;
  o.warmupInitLr = 1e-7;
  o.periodUpdates = 40000;
  auto s = makeLrSchedule(o);
  CHECK(s->lr(0) == doctest::Approx(1e-7));
  CHECK(s->lr(5000) == doctest::Approx(1e-7 + 5000 * (1e-3 - 1e-7) / 10000));
  CHECK(s->lr(10000) == doctest::Approx(1e-3));
  CHECK(s->lr(20000) == doctest::Approx(1e-7 + 0.5 * (1e-3 - 1e-7) * (1 + std::cos(std::numbers::pi / 4))));
  CHECK(s->lr(30000) == doctest::Approx(1e-7 + 0.5 * (1e-3 - 1e-7)));
  CHECK(s->lr(49999) == doctest::Approx(1e-7).epsilon(1e-3));
  CHECK(s->lr(50000) == doctest::Approx(1e-3));  // fairseq restarts the cycle (t-mult 1)
  o.periodUpdates = 0;
  CHECK_THROWS_WITH_AS(makeLrSchedule(o), doctest::Contains("lr-period-updates"), ConfigError);
  o.kind = "linear";
  o.periodUpdates = 5;
  CHECK_THROWS_WITH_AS(makeLrSchedule(o), doctest::Contains("inverse-sqrt, cosine"), ConfigError);
}

TEST_CASE("adam: a store frozen for inference is refused, its values untouched") {
  OneParam w;
  int hooks = 0;
  w.ps.onFreeze([&](InferencePrecision) { ++hooks; });
  w.ps.freezeForInference();
  w.ps.freezeForInference();
  CHECK(hooks == 1);
  w.setGrad(0.5f, -1.f);
  Adam adam(AdamOptions{});
  CHECK_THROWS_AS(adam.step(w.ps, 0.01), Error);
  CHECK(w.at(0) == 1.f);
  CHECK(w.at(1) == -2.f);
  CHECK(adam.steps() == 0);
}
