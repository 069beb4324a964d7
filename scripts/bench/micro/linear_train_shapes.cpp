// Kernel microbenchmark quoted in docs/performance.md ("Fused residual junction"); build with
// scripts/bench/micro/build.sh. A linear layer's three training GEMMs (y = x·wᵀ + b,
// dx (+)= dy·w, dw += dyᵀ·x) through kernels::matmul on the small models' shapes, for n
// projections of one input run separately (as q, k, v are) or as one n-times-wider GEMM.
// Prints the best of 7 rounds of 5 and GFLOP/s (6·M·K·N·n per pass).
//   BUILD/micro/linear_train_shapes [rows=4000]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "common/threads.h"
#include "kernels/matmul.h"
#include "tensor/tensor.h"

using namespace lt;

namespace {
double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

Tensor filled(const Shape& s) {
  Tensor t = Tensor::empty(s);
  float* x = t.data<float>();
  for (int64_t i = 0; i < t.elements(); ++i) x[i] = float((i * 7919) % 13) * 0.01f - 0.06f;
  return t;
}

void forwardBackward(const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& y,
                     const Tensor& dy, const Tensor& dx, const Tensor& dw, bool accumulateX) {
  kernels::MatmulOptions f;
  f.transB = true;
  kernels::matmul(x, w, y, f, b);
  kernels::MatmulOptions bx;
  bx.accumulate = accumulateX;
  kernels::matmul(dy, w, dx, bx);
  kernels::MatmulOptions bw;
  bw.transA = true;
  bw.accumulate = true;
  kernels::matmul(dy, x, dw, bw);
}
}  // namespace

int main(int argc, char** argv) {
  setThreads(2);
  const int M = argc > 1 ? std::atoi(argv[1]) : 4000;
  const int shapes[][3] = {{80, 80, 3}, {160, 160, 3}, {160, 160, 2}, {160, 160, 1},
                           {160, 320, 1}, {320, 160, 1}, {160, 10000, 1}};
  for (const auto& s : shapes) {
    const int K = s[0], N = s[1], n = s[2];
    Tensor x = filled(Shape{M, K}), dx = Tensor::zeros(Shape{M, K});
    std::vector<Tensor> w, b, y, dy, dw;
    for (int i = 0; i < n; ++i) {
      w.push_back(filled(Shape{N, K}));
      b.push_back(filled(Shape{N}));
      y.push_back(Tensor::empty(Shape{M, N}));
      dy.push_back(filled(Shape{M, N}));
      dw.push_back(Tensor::zeros(Shape{N, K}));
    }
    Tensor wf = filled(Shape{N * n, K}), bf = filled(Shape{N * n}), yf = Tensor::empty(Shape{M, N * n});
    Tensor dyf = filled(Shape{M, N * n}), dwf = Tensor::zeros(Shape{N * n, K});
    double best[2] = {1e9, 1e9};
    for (int rep = 0; rep < 7; ++rep)
      for (int v = 0; v < 2; ++v) {
        const double t = now();
        for (int it = 0; it < 5; ++it) {
          if (v == 0)
            for (int i = 0; i < n; ++i) forwardBackward(x, w[i], b[i], y[i], dy[i], dx, dw[i], i > 0);
          else
            forwardBackward(x, wf, bf, yf, dyf, dx, dwf, false);
        }
        best[v] = std::min(best[v], (now() - t) / 5);
      }
    const double flop = 6.0 * M * K * N * n;
    std::printf("M=%d K=%d N=%d x%d: separate %.2f ms (%.0f GFLOP/s), one GEMM %.2f ms (%.0f GFLOP/s), ratio %.2f\n",
                M, K, N, n, best[0] * 1e3, flop / best[0] / 1e9, best[1] * 1e3, flop / best[1] / 1e9,
                best[0] / best[1]);
  }
}
