#include <doctest/doctest.h>

#include "autodiff/param_store.h"
#include "autodiff/var.h"
#include "common/profiler.h"
#include "common/timer.h"
#include "support/gradcheck.h"

using namespace lt;

namespace {
// Test-local ops built directly on makeResult, so the tape is tested on its own.
Var square(const Var& x) {
  Tensor y = Tensor::empty(x.shape());
  const float* a = x.value().data<float>();
  float* b = y.data<float>();
  for (int64_t i = 0; i < y.elements(); ++i) b[i] = a[i] * a[i];
  return makeResult(y, "square", {x}, [](Node& self) {
    Node& in = *self.inputs[0];
    if (!in.requiresGrad) return;
    Tensor g = Tensor::empty(in.value.shape());
    for (int64_t i = 0; i < g.elements(); ++i)
      g.data<float>()[i] = 2.f * in.value.data<float>()[i] * self.grad.data<float>()[i];
    accumulateGrad(in, g);
  });
}
Var mulv(const Var& x, const Var& y) {
  checkSameShape("mul", x.value(), y.value());
  Tensor z = Tensor::empty(x.shape());
  for (int64_t i = 0; i < z.elements(); ++i)
    z.data<float>()[i] = x.value().data<float>()[i] * y.value().data<float>()[i];
  return makeResult(z, "mul", {x, y}, [](Node& self) {
    for (int k = 0; k < 2; ++k) {
      Node& in = *self.inputs[k];
      Node& other = *self.inputs[1 - k];
      if (!in.requiresGrad) continue;
      Tensor g = Tensor::empty(in.value.shape());
      for (int64_t i = 0; i < g.elements(); ++i)
        g.data<float>()[i] = other.value.data<float>()[i] * self.grad.data<float>()[i];
      accumulateGrad(in, g);
    }
  });
}
Var sumAll(const Var& x) {
  float s = 0;
  for (int64_t i = 0; i < x.value().elements(); ++i) s += x.value().data<float>()[i];
  return makeResult(Tensor::full({1}, s), "sum", {x}, [](Node& self) {
    Node& in = *self.inputs[0];
    if (!in.requiresGrad) return;
    accumulateGrad(in, Tensor::full(in.value.shape(), self.grad.item()));
  });
}
}  // namespace

TEST_CASE("tape: diamond graph accumulates gradients from both paths") {
  // L = sum(x*x * x) = sum(x^3) -> dL/dx = 3x^2 (x is used twice).
  Var x(Tensor::fromVector({3}, std::vector<float>{1.f, -2.f, 0.5f}), true);
  Var L = sumAll(mulv(square(x), x));
  CHECK(L.value().item() == doctest::Approx(1 - 8 + 0.125));
  backward(L);
  auto g = x.grad().toVector();
  CHECK(g[0] == doctest::Approx(3.f));
  CHECK(g[1] == doctest::Approx(12.f));
  CHECK(g[2] == doctest::Approx(0.75f));
  CHECK(tapeSize() == 0);
}

TEST_CASE("tape: gradients accumulate across backward calls until zeroed") {
  Var x = Var::param(Tensor::fromVector({2}, std::vector<float>{1.f, 2.f}));
  backward(sumAll(square(x)));
  backward(sumAll(square(x)));
  CHECK(x.grad().toVector() == std::vector<float>{4.f, 8.f});
  x.zeroGrad();
  CHECK(x.grad().toVector() == std::vector<float>{0.f, 0.f});
}

TEST_CASE("NoGradScope records nothing") {
  Var x(Tensor::fromVector({2}, std::vector<float>{1.f, 2.f}), true);
  {
    NoGradScope ng;
    Var y = square(x);
    CHECK_FALSE(y.requiresGrad());
    CHECK(tapeSize() == 0);
  }
  Var y = square(x);
  CHECK(y.requiresGrad());
  CHECK(tapeSize() == 1);
  clearTape();
}

TEST_CASE("backward of a non-scalar without seed names the shape") {
  Var x(Tensor::fromVector({2}, std::vector<float>{1.f, 2.f}), true);
  Var y = square(x);
  CHECK_THROWS_WITH_AS(backward(y), "backward: output [2] is not a scalar; pass a seed gradient",
                       ShapeError);
  clearTape();
}

TEST_CASE("gradCheck harness passes a correct op and catches a wrong one") {
  Rng rng(3);
  test::OpFn good = [](const std::vector<Var>& v) { return mulv(square(v[0]), v[1]); };
  CHECK(test::gradCheck("square*mul", good,
                        {test::randomTensor({5}, rng), test::randomTensor({5}, rng)}) == 0);
  // A deliberately wrong backward (factor 3 instead of 2) must be detected.
  test::OpFn bad = [](const std::vector<Var>& v) {
    const Var& x = v[0];
    Tensor y = x.value().clone();
    for (int64_t i = 0; i < y.elements(); ++i) y.data<float>()[i] *= y.data<float>()[i];
    return makeResult(y, "badsquare", {x}, [](Node& self) {
      Node& in = *self.inputs[0];
      Tensor g = in.value.clone();
      for (int64_t i = 0; i < g.elements(); ++i) g.data<float>()[i] *= 3.f * self.grad.data<float>()[i];
      accumulateGrad(in, g);
    });
  };
  test::GradCheckOptions quiet;
  quiet.report = false;
  Rng r2(4);
  CHECK(test::gradCheck("badsquare", bad, {test::randomTensor({4}, r2, 0.5f, 1.f)}, quiet) == 4);
}

TEST_CASE("ParamStore names, duplicates, init and grad norm") {
  ParamStore ps;
  Rng rng(1);
  Scope s("decoder");
  Var w = ps.add((s / "l0" / "wq").str(), {4, 6}, Init::xavier(), rng);
  CHECK(ps.has("decoder/l0/wq"));
  CHECK_THROWS_AS(ps.add("decoder/l0/wq", {1}, Init::zeros(), rng), ConfigError);
  CHECK_THROWS_WITH_AS(ps.get("nope"), "no parameter named 'nope'", IoError);
  float bound = std::sqrt(6.f / 10.f);
  for (float v : w.value().toVector()) CHECK(std::fabs(v) <= bound);
  CHECK(ps.numElements() == 24);
  backward(sumAll(square(w)));
  double expect = 0;
  for (float v : w.value().toVector()) expect += 4.0 * v * v;
  CHECK(ps.gradSquaredNorm() == doctest::Approx(expect));
  ps.zeroGrad();
  CHECK(ps.gradSquaredNorm() == 0.0);
}

TEST_CASE("parameter gradients survive an arena reset; activations do not") {
  Arena arena(1 << 16);
  Var w = Var::param(Tensor::fromVector({2}, std::vector<float>{1.f, 3.f}));
  {
    ArenaScope scope(arena);
    backward(sumAll(square(w)));
  }
  arena.reset();
  CHECK(w.grad().toVector() == std::vector<float>{2.f, 6.f});
}

// ---- op-level profiler (common/profiler.h through makeResult / backward) ----

namespace {
void spin(double seconds) {
  Timer t;
  while (t.seconds() < seconds) {
  }
}
const profiler::Row* findRow(const std::vector<profiler::Row>& rows, const std::string& name) {
  for (const auto& r : rows)
    if (r.name == name) return &r;
  return nullptr;
}
}  // namespace

TEST_CASE("profiler: forward time goes to the op recorded next, backward time to its node") {
  profiler::reset();
  profiler::enable(true);
  Var x = Var::param(Tensor::full({4}, 1.f));
  profiler::mark();
  spin(0.03);  // work of "slowA" before it records its result
  Var a = makeResult(x.value().clone(), "slowA", {x}, [](Node& self) {
    spin(0.02);
    accumulateGrad(*self.inputs[0], self.grad);
  });
  Var b = makeResult(a.value().clone(), "quickB", {a}, [](Node& self) {
    accumulateGrad(*self.inputs[0], self.grad);
  });
  {
    profiler::Section s("optimizer");
    spin(0.01);
  }
  backward(b, Tensor::full({4}, 1.f));
  profiler::enable(false);
  // Recording is off now: nothing below is counted.
  Var c = makeResult(x.value().clone(), "slowA", {x}, [](Node&) {});
  clearTape();

  const auto rows = profiler::rows();
  const profiler::Row* ra = findRow(rows, "slowA");
  const profiler::Row* rb = findRow(rows, "quickB");
  const profiler::Row* rs = findRow(rows, "optimizer");
  REQUIRE(ra != nullptr);
  REQUIRE(rb != nullptr);
  REQUIRE(rs != nullptr);
  CHECK(ra->forwardCalls == 1);
  CHECK(ra->backwardCalls == 1);
  CHECK(rb->forwardCalls == 1);
  CHECK(ra->forwardS >= 0.03);
  CHECK(ra->backwardS >= 0.02);
  CHECK(rs->sectionS >= 0.01);
  CHECK(rs->sectionCalls == 1);
  // quickB's forward began right after slowA recorded: it must not carry slowA's spin.
  CHECK(rb->forwardS < 0.03);
  CHECK(rows.front().name == "slowA");  // sorted by total time
  const std::string t = profiler::table();
  CHECK(t.find("slowA") != std::string::npos);
  CHECK(t.find("total") != std::string::npos);
  CHECK(x.grad().data<float>()[0] == doctest::Approx(1.f));
  profiler::reset();
}
