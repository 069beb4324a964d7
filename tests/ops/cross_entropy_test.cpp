// ops::labelSmoothedCrossEntropy: hand-worked example, fused == composed
// (log-softmax + gather + smoothing, built here from plain loops) for values and
// gradients, finite-difference gradient check, reference mode, error messages.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "kernels/backend.h"
#include "ops/cross_entropy.h"
#include "ops/linear.h"
#include "ops/shape_ops.h"
#include "support/gradcheck.h"

using namespace lt;

namespace {
template <class E, class F> std::string errorText(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "<no exception>";
}

// --- The composed reference: three elementary ops on the tape. ---
// log-softmax over rows of x [N, V] (double inside); backward gx = g - softmax * sum(g).
Var logSoftmaxRows(const Var& x) {
  int64_t n = x.dim(0), v = x.dim(1);
  Tensor y = Tensor::empty(x.shape());
  for (int64_t i = 0; i < n; ++i) {
    const float* r = x.value().data<float>() + i * v;
    double m = r[0], z = 0;
    for (int64_t j = 1; j < v; ++j) m = std::max(m, double(r[j]));
    for (int64_t j = 0; j < v; ++j) z += std::exp(r[j] - m);
    for (int64_t j = 0; j < v; ++j) y.data<float>()[i * v + j] = float(r[j] - m - std::log(z));
  }
  return makeResult(y, "test_log_softmax", {x}, [n, v](Node& self) {
    Node& in = *self.inputs[0];
    Tensor g = Tensor::empty(in.value.shape());
    for (int64_t i = 0; i < n; ++i) {
      double s = 0;
      for (int64_t j = 0; j < v; ++j) s += self.grad.data<float>()[i * v + j];
      for (int64_t j = 0; j < v; ++j)
        g.data<float>()[i * v + j] = float(self.grad.data<float>()[i * v + j] -
                                           std::exp(double(self.value.data<float>()[i * v + j])) * s);
    }
    accumulateGrad(in, g);
  });
}
// Gather of logp at the targets: [N, V] -> [N] (0 on pad rows); backward scatters.
Var gatherTargets(const Var& logp, const Tensor& t, int pad) {
  int64_t n = logp.dim(0), v = logp.dim(1);
  Tensor y = Tensor::zeros({n});
  for (int64_t i = 0; i < n; ++i)
    if (t.data<int32_t>()[i] != pad) y.data<float>()[i] = logp.value().data<float>()[i * v + t.data<int32_t>()[i]];
  return makeResult(y, "test_gather", {logp}, [t, pad, n, v](Node& self) {
    Node& in = *self.inputs[0];
    Tensor g = Tensor::zeros(in.value.shape());
    for (int64_t i = 0; i < n; ++i)
      if (t.data<int32_t>()[i] != pad) g.data<float>()[i * v + t.data<int32_t>()[i]] = self.grad.data<float>()[i];
    accumulateGrad(in, g);
  });
}
// Smoothing and sum: loss = sum over non-pad rows of
//   -(1 - eps - eps_i) * picked_i - eps_i * sum_j logp_ij,  eps_i = eps / (V - 1).
Var smoothAndSum(const Var& picked, const Var& logp, const Tensor& t, int pad, float eps) {
  int64_t n = logp.dim(0), v = logp.dim(1);
  double ei = eps / double(v - 1);
  double loss = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (t.data<int32_t>()[i] == pad) continue;
    double s = 0;
    for (int64_t j = 0; j < v; ++j) s += logp.value().data<float>()[i * v + j];
    loss += -(1.0 - eps - ei) * picked.value().data<float>()[i] - ei * s;
  }
  return makeResult(Tensor::full({1}, float(loss)), "test_smooth", {picked, logp},
                    [t, pad, n, v, ei, eps](Node& self) {
                      float g = self.grad.item();
                      Tensor gp = Tensor::zeros({n}), gl = Tensor::zeros({n, v});
                      for (int64_t i = 0; i < n; ++i) {
                        if (t.data<int32_t>()[i] == pad) continue;
                        gp.data<float>()[i] = float(-(1.0 - eps - ei) * g);
                        for (int64_t j = 0; j < v; ++j) gl.data<float>()[i * v + j] = float(-ei * g);
                      }
                      accumulateGrad(*self.inputs[0], gp);
                      accumulateGrad(*self.inputs[1], gl);
                    });
}
Var composedLoss(const Var& logits, const Tensor& t, int pad, float eps) {
  Var logp = logSoftmaxRows(logits);
  return smoothAndSum(gatherTargets(logp, t, pad), logp, t, pad, eps);
}
}  // namespace

TEST_CASE("ops/cross_entropy: hand-worked 2 tokens, V = 3, plus a pad row") {
  // epsilon 0.2 -> eps_i = 0.2 / 2 = 0.1, weight on nll 1 - 0.2 - 0.1 = 0.7.
  // Row 0: x = [1, 2, 3], t = 2: lse = 3 + log(1 + e^-1 + e^-2) = 3.4076059644;
  //   nll = 0.4076059644, -sum logp = 3 * 3.4076059644 - 6 = 4.2228178933,
  //   loss = 0.7 * 0.4076059644 + 0.1 * 4.2228178933 = 0.7076059644.
  //   softmax = [0.0900305732, 0.2447284711, 0.6652409558], q = [0.1, 0.1, 0.8]
  //   -> grad [-0.0099694268, 0.1447284711, -0.1347590442].
  // Row 1: x = [0, 0, 0], t = 0: lse = log 3 = 1.0986122887 = nll, -sum logp = 3 log 3,
  //   loss = 0.7 log 3 + 0.3 log 3 = log 3; grad [1/3 - 0.8, 1/3 - 0.1, 1/3 - 0.1].
  // Row 2: target 1 == padId: no loss, zero gradient.
  Var x(Tensor::fromVector({3, 3}, std::vector<float>{1, 2, 3, 0, 0, 0, 5, -5, 5}), true);
  Tensor t = Tensor::fromVector({3}, std::vector<int32_t>{2, 0, 1});
  auto r = ops::labelSmoothedCrossEntropy(x, t, 0.2f, /*padId=*/1);
  CHECK(r.tokens == 2);
  CHECK(r.loss.value().item() == doctest::Approx(0.7076059644 + 1.0986122887).epsilon(1e-6));
  CHECK(r.nll == doctest::Approx(0.4076059644 + 1.0986122887).epsilon(1e-6));
  backward(r.loss);
  std::vector<double> want = {-0.0099694268, 0.1447284711, -0.1347590442,
                              -0.4666666667, 0.2333333333, 0.2333333333, 0, 0, 0};
  auto g = x.grad().toVector();
  for (size_t i = 0; i < want.size(); ++i) CHECK(g[i] == doctest::Approx(want[i]).epsilon(1e-5));
}

TEST_CASE("ops/cross_entropy: fused equals composed log-softmax + gather + smoothing") {
  Rng rng(77);
  struct Case { int64_t n, v; int pad; float eps; };
  for (Case c : {Case{1, 2, -1, 0.1f}, Case{4, 3, 0, 0.f}, Case{9, 13, 2, 0.1f}, Case{23, 101, 0, 0.3f}}) {
    INFO("N=" << c.n << " V=" << c.v);
    Tensor xv = test::randomTensor({c.n, c.v}, rng, -4.f, 4.f);
    std::vector<int32_t> tv(static_cast<size_t>(c.n));
    for (size_t i = 0; i < tv.size(); ++i)
      tv[i] = (i % 3 == 1) ? c.pad : int32_t(rng.below(uint64_t(c.v)));
    if (c.pad < 0 || tv[0] == c.pad) tv[0] = int32_t(c.v - 1);
    Tensor t = Tensor::fromVector({c.n}, tv);
    Tensor seed = Tensor::full({1}, 2.5f);  // gradOut != 1 checks the scaling

    Var xf(xv.clone(), true), xc(xv.clone(), true);
    auto fused = ops::labelSmoothedCrossEntropy(xf, t, c.eps, c.pad);
    backward(fused.loss, seed);
    Var composed = composedLoss(xc, t, c.pad, c.eps);
    backward(composed, seed);
    CHECK(fused.loss.value().item() == doctest::Approx(composed.value().item()).epsilon(1e-5));
    CHECK(test::maxAbsDiff(xf.grad(), xc.grad()) < 2e-6);
  }
}

TEST_CASE("ops/cross_entropy: finite-difference gradient check") {
  // eps 1e-2 (central difference, fp32 forward), atol 2e-3, rtol 2e-2.
  Rng rng(5);
  test::GradCheckOptions opt;
  opt.eps = 1e-2f;
  opt.atol = 2e-3;
  opt.rtol = 2e-2;
  struct Case { int64_t n, v; };
  for (Case c : {Case{1, 2}, Case{1, 7}, Case{6, 5}, Case{5, 33}}) {
    std::vector<int32_t> tv;
    for (int64_t i = 0; i < c.n; ++i) tv.push_back(i % 4 == 2 ? 0 : int32_t(1 + rng.below(uint64_t(c.v - 1))));
    Tensor t = Tensor::fromVector({c.n}, tv);
    test::gradCheck("cross_entropy", [&](const std::vector<Var>& in) {
      return ops::labelSmoothedCrossEntropy(in[0], t, 0.1f, 0).loss;
    }, {test::randomTensor({c.n, c.v}, rng, -2.f, 2.f)}, opt);
  }
}

TEST_CASE("ops/cross_entropy: reference kernels give the same loss and gradient") {
  Rng rng(9);
  Tensor xv = test::randomTensor({31, 257}, rng, -6.f, 6.f);
  std::vector<int32_t> tv;
  for (int i = 0; i < 31; ++i) tv.push_back(i % 5 == 0 ? 3 : int32_t(rng.below(257)));
  Tensor t = Tensor::fromVector({31}, tv);
  Var a(xv.clone(), true), b(xv.clone(), true);
  auto fa = ops::labelSmoothedCrossEntropy(a, t, 0.1f, 3);
  backward(fa.loss);
  kernels::setReferenceKernels(true);
  auto fb = ops::labelSmoothedCrossEntropy(b, t, 0.1f, 3);
  backward(fb.loss);
  kernels::setReferenceKernels(false);
  CHECK(fa.tokens == fb.tokens);
  CHECK(fa.loss.value().item() == doctest::Approx(fb.loss.value().item()).epsilon(1e-6));
  CHECK(fa.nll == doctest::Approx(fb.nll).epsilon(1e-6));
  CHECK(test::maxAbsDiff(a.grad(), b.grad()) < 1e-6);
}

TEST_CASE("ops/cross_entropy: errors name the op and the shapes") {
  Var x(Tensor::zeros({4, 10}));
  std::string m = errorText<ShapeError>([&] {
    ops::labelSmoothedCrossEntropy(x, Tensor::fromVector({3}, std::vector<int32_t>{1, 2, 3}), 0.1f, 0);
  });
  CHECK(m.find("cross_entropy") != std::string::npos);
  CHECK(m.find("[4x10]") != std::string::npos);
  CHECK(m.find("[3]") != std::string::npos);
  m = errorText<ShapeError>([&] { ops::labelSmoothedCrossEntropy(x, Tensor::zeros({4}), 0.1f, 0); });
  CHECK(m.find("i32") != std::string::npos);
  m = errorText<DataError>([&] {
    ops::labelSmoothedCrossEntropy(x, Tensor::fromVector({4}, std::vector<int32_t>{1, 0, 12, 3}), 0.1f, 0);
  });
  CHECK(m.find("target 12") != std::string::npos);
  CHECK(m.find("size 10") != std::string::npos);
  CHECK_THROWS_AS(ops::labelSmoothedCrossEntropy(x, Tensor::fromVector({4}, std::vector<int32_t>{1, 0, 2, 3}), 1.f, 0),
                  ConfigError);
  // A pad target outside the vocabulary is fine (e.g. padId -1 never matches a real id).
  auto r = ops::labelSmoothedCrossEntropy(x, Tensor::fromVector({4}, std::vector<int32_t>{-1, 0, -1, 3}), 0.1f, -1);
  CHECK(r.tokens == 2);
  CHECK(r.nll == doctest::Approx(2 * std::log(10.0)));
}

TEST_CASE("ops/cross_entropy: Logits::Consume writes the same gradient over the logits") {
  // The training path: x -> linear -> reshape -> loss. Consume must give bit-identical
  // gradients for x and W with both kernel backends, and its logits gradient must live in
  // the logits' own storage.
  for (bool ref : {false, true}) {
    CAPTURE(ref);
    kernels::setReferenceKernels(ref);
    Rng rng(21);
    const Tensor xv = test::randomTensor({2, 9, 16}, rng, -1.f, 1.f);
    const Tensor wv = test::randomTensor({300, 16}, rng, -0.5f, 0.5f);
    std::vector<int32_t> tv;
    for (int i = 0; i < 18; ++i) tv.push_back(i % 7 == 3 ? 0 : int32_t(1 + rng.below(299)));
    const Tensor t = Tensor::fromVector({18}, tv);
    std::vector<Tensor> gx, gw;
    Tensor logitsKept, logitsGrad;
    for (ops::Logits use : {ops::Logits::Keep, ops::Logits::Consume}) {
      Var x(xv.clone(), true), w(wv.clone(), true);
      Var logits = ops::linear(x, w, Var());
      Var flat = ops::reshape(logits, Shape{18, 300});
      auto r = ops::labelSmoothedCrossEntropy(flat, t, 0.1f, 0, use);
      const Tensor before = flat.value().clone();
      backward(r.loss);
      gx.push_back(x.grad().clone());
      gw.push_back(w.grad().clone());
      if (use == ops::Logits::Keep) {
        CHECK(test::maxAbsDiff(flat.value(), before) == 0.0);  // the logits survive
        logitsKept = flat.grad().clone();
      } else {
        CHECK(flat.grad().sharesStorage(flat.value()));  // no second [N, V] buffer
        CHECK(test::maxAbsDiff(flat.grad(), logitsKept) == 0.0);
      }
    }
    CHECK(test::maxAbsDiff(gx[0], gx[1]) == 0.0);
    CHECK(test::maxAbsDiff(gw[0], gw[1]) == 0.0);
  }
  kernels::setReferenceKernels(false);
}
