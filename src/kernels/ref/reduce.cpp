#include "kernels/ref/reduce.h"

#include <vector>

#include "kernels/ref/binary.h"

namespace lt::kernels::ref {

Tensor reduce(ReduceKind k, const Tensor& x, const Shape& out) {
  const Shape& s = x.shape();
  // Offsets into `out` for each element of x: out broadcast to x's shape.
  auto st = broadcastStrides(out, s);
  std::vector<double> acc(size_t(out.elements()), 0.0);
  const float* px = x.data<float>();
  for (int64_t i = 0; i < s.elements(); ++i) acc[size_t(broadcastOffset(i, s, st))] += px[i];
  Tensor y = Tensor::empty(out);
  double count = out.elements() ? double(s.elements()) / double(out.elements()) : 1.0;
  for (int64_t i = 0; i < out.elements(); ++i)
    y.data<float>()[i] = float(k == ReduceKind::Mean ? acc[size_t(i)] / count : acc[size_t(i)]);
  return y;
}

}  // namespace lt::kernels::ref
