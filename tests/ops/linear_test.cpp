// ops::linear: hand-worked values, reference forward, gradient checks of x, w, b
// (with and without bias, 1-D, 2-D and 3-D x) and shape errors.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "support/error_message.h"
#include "common/error.h"
#include "common/rng.h"
#include "kernels/ref/matmul.h"
#include "kernels/ref/quantize.h"
#include "ops/eltwise.h"
#include "ops/linear.h"
#include "support/gradcheck.h"

using namespace lt;
using lt::test::gradCheck;
using lt::test::maxAbsDiff;
using lt::test::randomTensor;

TEST_CASE("ops::linear hand-worked values and bias gradient") {
  Var x(Tensor::fromVector({2, 2}, std::vector<float>{1, 2, 3, 4}), true);
  Var w(Tensor::fromVector({3, 2}, std::vector<float>{1, 0, 0, 1, 1, -1}), true);
  Var b(Tensor::fromVector({3}, std::vector<float>{0.5f, 0, -1}), true);
  Var y = ops::linear(x, w, b);
  CHECK(y.value().toVector() == std::vector<float>{1.5f, 2, -2, 3.5f, 4, -2});
  backward(y, Tensor::fromVector({2, 3}, std::vector<float>{1, 2, 3, 4, 5, 6}));
  CHECK(b.grad().toVector() == std::vector<float>{5, 7, 9});
  // dx = dy · w
  CHECK(x.grad().toVector() == std::vector<float>{4, -1, 10, -1});
  // dw = dyᵀ · x
  CHECK(w.grad().toVector() == std::vector<float>{13, 18, 17, 24, 21, 30});
}

TEST_CASE("ops::linear forward equals the reference kernel on a 3-D input") {
  Rng rng(31);
  Tensor x = randomTensor({2, 5, 7}, rng), w = randomTensor({4, 7}, rng);
  Tensor b = randomTensor({4}, rng);
  Var y = ops::linear(Var(x), Var(w), Var(b));
  CHECK(y.shape() == Shape{2, 5, 4});
  Tensor r = Tensor::empty({10, 4});
  kernels::MatmulOptions o;
  o.transB = true;
  kernels::ref::matmul(x.reshape({10, 7}), w, r, o, b);
  CHECK(maxAbsDiff(y.value().reshape({10, 4}), r) < 1e-5f);
}

TEST_CASE("ops::linear gradients with and without bias") {
  Rng rng(32);
  const std::vector<Shape> xs = {Shape{5}, Shape{3, 5}, Shape{2, 3, 5}, Shape{1, 1, 5},
                                 Shape{2, 2, 3, 5}};
  for (const Shape& xsh : xs) {
    Tensor x = randomTensor(xsh, rng), w = randomTensor({4, 5}, rng), b = randomTensor({4}, rng);
    gradCheck("linear+bias x " + xsh.toString(),
              [](const std::vector<Var>& v) { return ops::linear(v[0], v[1], v[2]); }, {x, w, b});
    gradCheck("linear x " + xsh.toString(),
              [](const std::vector<Var>& v) { return ops::linear(v[0], v[1]); }, {x, w});
  }
  // out = 1, in = 1
  gradCheck("linear 1x1", [](const std::vector<Var>& v) { return ops::linear(v[0], v[1], v[2]); },
            {randomTensor({3, 1}, rng), randomTensor({1, 1}, rng), randomTensor({1}, rng)});
}

TEST_CASE("ops::linear with fused relu: hand-worked values and gradients") {
  Var x(Tensor::fromVector({2, 2}, std::vector<float>{1, 2, 3, 4}), true);
  Var w(Tensor::fromVector({3, 2}, std::vector<float>{1, 0, 0, 1, 1, -1}), true);
  Var b(Tensor::fromVector({3}, std::vector<float>{0.5f, 0, -1}), true);
  Var y = ops::linear(x, w, b, ops::Activation::Relu);
  CHECK(std::string(y.op()) == "linear_relu");
  // pre-activations {1.5, 2, -2, 3.5, 4, -2}
  CHECK(y.value().toVector() == std::vector<float>{1.5f, 2, 0, 3.5f, 4, 0});
  backward(y, Tensor::fromVector({2, 3}, std::vector<float>{1, 2, 3, 4, 5, 6}));
  // masked dy = {1, 2, 0, 4, 5, 0}
  CHECK(b.grad().toVector() == std::vector<float>{5, 7, 0});
  CHECK(x.grad().toVector() == std::vector<float>{1, 2, 4, 5});
  CHECK(w.grad().toVector() == std::vector<float>{13, 18, 17, 24, 0, 0});
}

TEST_CASE("ops::linear with fused relu equals relu(linear(...)) in values and gradients") {
  Rng rng(33);
  for (const Shape& xsh : {Shape{7, 9}, Shape{2, 3, 9}}) {
    Tensor x = randomTensor(xsh, rng), w = randomTensor({6, 9}, rng), b = randomTensor({6}, rng);
    Tensor r = randomTensor(xsh.with(-1, 6), rng);
    auto run = [&](bool fused) {
      Var vx(x.clone(), true), vw(w.clone(), true), vb(b.clone(), true);
      Var y = fused ? ops::linear(vx, vw, vb, ops::Activation::Relu)
                    : ops::relu(ops::linear(vx, vw, vb));
      Tensor out = y.value().clone();
      backward(y, r);
      return std::vector<Tensor>{out, vx.grad(), vw.grad(), vb.grad()};
    };
    auto fused = run(true), plain = run(false);
    for (size_t i = 0; i < fused.size(); ++i)
      CHECK_MESSAGE(maxAbsDiff(fused[i], plain[i]) < 1e-6f, "tensor " << i << " x " << xsh.toString());
    // Some units are dead and some alive, so the mask is exercised.
    int zeros = 0;
    for (float v : fused[0].toVector()) zeros += v == 0.f;
    CHECK(zeros > 0);
    CHECK(zeros < fused[0].elements());
  }
}

TEST_CASE("ops::linear bad shapes raise ShapeError naming the op and both shapes") {
  auto message = [](auto&& fn) { return test::errorMessage<ShapeError>(fn, "ShapeError"); };
  Var x(Tensor::zeros({2, 5})), w(Tensor::zeros({4, 3}));
  CHECK(message([&] { ops::linear(x, w); }) ==
        "linear: x [2x5] and w [4x3]: input features 5 and 3 differ");
  Var w2(Tensor::zeros({4, 5})), b(Tensor::zeros({5}));
  CHECK(message([&] { ops::linear(x, w2, b); }) ==
        "linear: x [2x5] and w [4x5]: bias [5] should be [4]");
  Var w3(Tensor::zeros({5}));
  CHECK(message([&] { ops::linear(x, w3); }) ==
        "linear: x [2x5] and w [5]: w must be [out, in] and x [..., in]");
}

TEST_CASE("ops::packLinearWeight: wᵀ with a row stride padded past multiples of 64 floats") {
  CHECK(ops::packedRowStride(1) == 1);
  CHECK(ops::packedRowStride(160) == 160);
  CHECK(ops::packedRowStride(64) == 80);
  CHECK(ops::packedRowStride(512) == 528);
  CHECK(ops::packedRowStride(2048) == 2064);
  Tensor w = Tensor::fromVector({3, 2}, std::vector<float>{1, 2, 3, 4, 5, 6});
  ops::PackedLinearWeight p = ops::packLinearWeight(w);
  CHECK(p.out == 3);
  CHECK(p.data.shape() == Shape{2, 3});
  CHECK(p.data.toVector() == std::vector<float>{1, 3, 5, 2, 4, 6});
  Rng rng(35);
  Tensor w64 = randomTensor({64, 3}, rng);
  ops::PackedLinearWeight q = ops::packLinearWeight(w64);
  REQUIRE(q.data.shape() == Shape{3, 80});
  for (int64_t i = 0; i < 3; ++i) {
    for (int64_t o = 0; o < 80; ++o) {
      float want = o < 64 ? w64.data<float>()[o * 3 + i] : 0.f;
      CHECK(q.data.data<float>()[i * 80 + o] == want);
    }
  }
}

TEST_CASE("ops::linearPacked equals ops::linear (bias or not, relu or not, padded stride)") {
  Rng rng(36);
  NoGradScope noGrad;
  for (int64_t out : {int64_t(1), int64_t(7), int64_t(64), int64_t(512)}) {
    for (const Shape& xsh : {Shape{9}, Shape{4, 9}, Shape{2, 3, 9}}) {
      Tensor x = randomTensor(xsh, rng), w = randomTensor({out, 9}, rng), b = randomTensor({out}, rng);
      ops::PackedLinearWeight p = ops::packLinearWeight(w);
      for (bool withBias : {false, true}) {
        for (auto act : {ops::Activation::None, ops::Activation::Relu}) {
          Var bias = withBias ? Var(b) : Var();
          Var want = ops::linear(Var(x), Var(w), bias, act);
          Var got = ops::linearPacked(Var(x), p, bias, act);
          INFO("out " << out << " x " << xsh.toString() << " bias " << withBias << " relu "
                      << (act == ops::Activation::Relu));
          REQUIRE(got.shape() == want.shape());
          CHECK(maxAbsDiff(got.value(), want.value()) < 1e-5f);
          CHECK(std::string(got.op()) == std::string(want.op()));
        }
      }
    }
  }
}

TEST_CASE("ops::linearPacked refuses to run with gradients enabled and checks shapes") {
  Tensor w = Tensor::zeros({4, 5});
  ops::PackedLinearWeight p = ops::packLinearWeight(w);
  Var x(Tensor::zeros({2, 5}), true);
  CHECK_THROWS_WITH_AS(ops::linearPacked(x, p),
                       "linearPacked: packed weights are for inference; gradients are enabled "
                       "(use NoGradScope)",
                       Error);
  NoGradScope noGrad;
  CHECK_THROWS_WITH_AS(ops::linearPacked(Var(Tensor::zeros({2, 3})), p),
                       "linearPacked: x [2x3] and packed w [5, 4]: input features 3 and 5 differ",
                       ShapeError);
  CHECK_THROWS_WITH_AS(ops::linearPacked(Var(Tensor::zeros({2, 5})), p, Var(Tensor::zeros({5}))),
                       "linearPacked: x [2x5]: bias [5] should be [4]", ShapeError);
  CHECK_THROWS_AS(ops::packLinearWeight(Tensor::zeros({4})), ShapeError);
}

TEST_CASE("ops::packLinearWeight int8: per-output scales, wᵀ in i8, shift offsets (hand-worked)") {
  // Row 0: a = 1, w·127 = 127, -63.5 (ties to even: -64); row 1 zero; row 2: a = 0.5, 0.125·254 = 31.75.
  Tensor w = Tensor::fromVector({3, 2}, std::vector<float>{1.f, -0.5f, 0.f, 0.f, 0.5f, 0.125f});
  ops::PackedLinearWeight p = ops::packLinearWeight(w, InferencePrecision::Int8);
  REQUIRE(p.int8());
  CHECK(p.out == 3);
  REQUIRE(p.data.shape() == Shape{2, 3});
  const int8_t* q = p.data.data<int8_t>();
  CHECK(std::vector<int>{q[0], q[1], q[2], q[3], q[4], q[5]} == std::vector<int>{127, 0, 127, -64, 0, 32});
  CHECK(p.scale.toVector() == std::vector<float>{1.f / 127.f, 0.f, 0.5f / 127.f});
  CHECK(p.offset.data<int32_t>()[0] == 128 * 63);
  CHECK(p.offset.data<int32_t>()[1] == 0);
  CHECK(p.offset.data<int32_t>()[2] == 128 * 159);
  Tensor bad = Tensor::fromVector({1, 2}, std::vector<float>{1.f, std::nanf("")});
  CHECK_THROWS_AS(ops::packLinearWeight(bad, InferencePrecision::Int8), Error);
}

namespace {
// The int8 linear recomputed from its definition with the reference kernels.
Tensor int8Oracle(const Tensor& x, const ops::PackedLinearWeight& p, const Tensor& b, bool relu) {
  const int64_t in = x.dim(-1), rows = x.elements() / in;
  Tensor q = Tensor::empty({rows, in}, DType::U8), s = Tensor::empty({rows});
  kernels::ref::quantizeRowsU8(x.reshape({rows, in}), q, s);
  Tensor acc = Tensor::empty({rows, p.out}, DType::I32), y = Tensor::empty({rows, p.out});
  kernels::ref::matmulU8S8(q, p.data, acc);
  kernels::ref::dequantizeRows(acc, s, p.scale, p.offset, b, relu, y);
  return y;
}
}  // namespace

TEST_CASE("ops::linearPacked int8: the definition, the fp32 error bound, batch invariance") {
  Rng rng(37);
  NoGradScope noGrad;
  for (int64_t out : {int64_t(1), int64_t(33), int64_t(512)}) {
    for (int64_t in : {int64_t(9), int64_t(160)}) {
      Tensor x = randomTensor({5, 3, in}, rng), w = randomTensor({out, in}, rng), b = randomTensor({out}, rng);
      for (int64_t i = 0; i < in; ++i) x.data<float>()[i] *= 100.f;  // one row far larger
      ops::PackedLinearWeight p = ops::packLinearWeight(w, InferencePrecision::Int8);
      for (auto act : {ops::Activation::None, ops::Activation::Relu}) {
        const bool relu = act == ops::Activation::Relu;
        INFO("out " << out << " in " << in << " relu " << relu);
        Var got = ops::linearPacked(Var(x), p, Var(b), act);
        REQUIRE(got.shape() == Shape{5, 3, out});
        CHECK(std::string(got.op()) == (relu ? "linear_relu" : "linear"));
        Tensor want = int8Oracle(x, p, b, relu);
        CHECK(std::memcmp(got.value().rawData(), want.rawData(), want.bytes()) == 0);
        // |Σ x w − Σ x̂ ŵ| <= Σ_k (|x_k| |Δw_k| + |ŵ_k| |Δx_k|) <= K·(a_x·s_w + a_w·s_x)/2 per element.
        Var exact = ops::linear(Var(x), Var(w), Var(b), act);
        const int64_t rows = 15;
        for (int64_t r = 0; r < rows; ++r) {
          float ax = 0;
          for (int64_t k = 0; k < in; ++k) ax = std::max(ax, std::fabs(x.data<float>()[r * in + k]));
          for (int64_t o = 0; o < out; ++o) {
            float aw = 0;
            for (int64_t k = 0; k < in; ++k) aw = std::max(aw, std::fabs(w.data<float>()[o * in + k]));
            const double bound = double(in) * ax * aw / 127.0 * 1.01 + 1e-5;
            CHECK(std::fabs(got.value().data<float>()[r * out + o] - exact.value().data<float>()[r * out + o]) <= bound);
          }
        }
        // Each row's result does not depend on the other rows of the batch.
        for (int64_t r : {int64_t(0), int64_t(7), int64_t(14)}) {
          Tensor one = x.reshape({rows, in}).slice(r, r + 1).clone();
          Var alone = ops::linearPacked(Var(one), p, Var(b), act);
          CHECK(std::memcmp(alone.value().rawData(), got.value().reshape({rows, out}).slice(r, r + 1).rawData(),
                            size_t(out) * sizeof(float)) == 0);
        }
      }
    }
  }
}

TEST_CASE("ops::quantizeWeightRows: re-quantizing q·s gives q back (int8 model files decode alike)") {
  Rng rng(38);
  Tensor w = randomTensor({33, 70}, rng);
  for (int64_t c = 0; c < 70; ++c) w.data<float>()[5 * 70 + c] = 0.f;  // an all-zero row
  ops::QuantizedRows a = ops::quantizeWeightRows(w);
  Tensor back = Tensor::empty({33, 70});
  for (int64_t r = 0; r < 33; ++r)
    for (int64_t c = 0; c < 70; ++c)
      back.data<float>()[r * 70 + c] = float(a.q.data<int8_t>()[r * 70 + c]) * a.scale.data<float>()[r];
  ops::QuantizedRows b = ops::quantizeWeightRows(back);
  CHECK(std::memcmp(a.q.rawData(), b.q.rawData(), a.q.bytes()) == 0);
  for (int64_t r = 0; r < 33; ++r) CHECK(b.scale.data<float>()[r] == doctest::Approx(a.scale.data<float>()[r]).epsilon(1e-6));
  CHECK(a.scale.data<float>()[5] == 0.f);
}
