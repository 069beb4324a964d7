// Finite-difference gradient checking for ops (ggml test_case style).
//
// gradCheck(f, inputs, opts): runs y = f(inputs), back-propagates a fixed random
// cotangent R (so the check sees a non-trivial combination of all outputs), and
// compares every (or a sampled subset of) input gradient element with the
// central difference [L(x+eps) - L(x-eps)] / 2eps of L = sum(y * R), computed
// in double from fp32 forward passes. Reports the op, input and element that
// fails.
#pragma once
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "autodiff/var.h"
#include "common/rng.h"

namespace lt::test {

struct GradCheckOptions {
  float eps = 1e-2f;
  double atol = 2e-3;
  double rtol = 2e-2;
  int maxElemsPerInput = 64;  // sampled elements per input (all when smaller)
  uint64_t seed = 1234;
  std::vector<bool> check;    // per input: check its gradient (default: all float inputs)
  bool report = true;         // false: only count mismatches (to test the checker itself)
};

inline Tensor randomTensor(const Shape& s, Rng& rng, float lo = -1.f, float hi = 1.f) {
  Tensor t = Tensor::empty(s);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.elements(); ++i) p[i] = rng.uniform(lo, hi);
  return t;
}

using OpFn = std::function<Var(const std::vector<Var>&)>;

inline double dotDouble(const Tensor& a, const Tensor& b) {
  const float* x = a.data<float>();
  const float* y = b.data<float>();
  double s = 0;
  for (int64_t i = 0; i < a.elements(); ++i) s += double(x[i]) * double(y[i]);
  return s;
}

// Returns the number of mismatching elements (also reported through doctest).
inline int gradCheck(const std::string& what, const OpFn& f, std::vector<Tensor> inputs,
                     GradCheckOptions opt = {}) {
  Rng rng(opt.seed);
  size_t n = inputs.size();
  if (opt.check.empty()) {
    opt.check.assign(n, true);
    for (size_t i = 0; i < n; ++i) opt.check[i] = inputs[i].dtype() == DType::F32;
  }
  std::vector<Var> vars;
  for (size_t i = 0; i < n; ++i) vars.emplace_back(inputs[i], bool(opt.check[i]));
  Var y = f(vars);
  Tensor R = randomTensor(y.shape(), rng);
  backward(y, R);

  int failures = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!opt.check[i]) continue;
    Tensor x = inputs[i];
    const Tensor& g = vars[i].grad();
    int64_t ne = x.elements();
    std::vector<int64_t> idx;
    if (ne <= opt.maxElemsPerInput) {
      for (int64_t e = 0; e < ne; ++e) idx.push_back(e);
    } else {
      for (int e = 0; e < opt.maxElemsPerInput; ++e) idx.push_back(int64_t(rng.below(uint64_t(ne))));
    }
    for (int64_t e : idx) {
      float* px = x.data<float>() + e;
      float orig = *px;
      double lp, lm;
      {
        NoGradScope ng;
        *px = orig + opt.eps;
        std::vector<Var> vp;
        for (size_t k = 0; k < n; ++k) vp.emplace_back(inputs[k], false);
        lp = dotDouble(f(vp).value(), R);
        *px = orig - opt.eps;
        std::vector<Var> vm;
        for (size_t k = 0; k < n; ++k) vm.emplace_back(inputs[k], false);
        lm = dotDouble(f(vm).value(), R);
        *px = orig;
      }
      double numeric = (lp - lm) / (2.0 * opt.eps);
      double analytic = g.defined() ? double(g.data<float>()[e]) : 0.0;
      double tol = opt.atol + opt.rtol * std::max(std::fabs(numeric), std::fabs(analytic));
      if (!(std::fabs(numeric - analytic) <= tol)) {
        ++failures;
        if (opt.report && failures <= 5)
          FAIL_CHECK(what << ": input " << i << " element " << e << " analytic " << analytic
                          << " numeric " << numeric << " (tol " << tol << ")");
      }
    }
  }
  if (opt.report) CHECK_MESSAGE(failures == 0, what << ": " << failures << " gradient mismatches");
  return failures;
}

// Max |a-b| over all elements (shapes must match).
inline float maxAbsDiff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  float m = 0;
  const float* x = a.data<float>();
  const float* y = b.data<float>();
  for (int64_t i = 0; i < a.elements(); ++i) m = std::max(m, std::fabs(x[i] - y[i]));
  return m;
}

}  // namespace lt::test
