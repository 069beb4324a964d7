// Parameter initialisers (fairseq conventions where the papers rely on them).
#pragma once
#include "common/rng.h"
#include "tensor/tensor.h"

namespace lt {

struct Init {
  enum class Kind { Zeros, Ones, Constant, Uniform, Normal, XavierUniform, None } kind = Kind::Zeros;
  float a = 0.f;  // Constant: value; Uniform: bound; Normal: stddev; XavierUniform: gain
  // XavierUniform fans; 0 = take from the shape ([fanOut, fanIn] for a 2-D weight).
  int64_t fanIn = 0, fanOut = 0;

  static Init zeros() { return {Kind::Zeros}; }
  // Leaves the memory as allocated: for values a loader overwrites, so untouched pages cost no RSS.
  static Init none() { return {Kind::None}; }
  static Init ones() { return {Kind::Ones}; }
  static Init constant(float v) { return {Kind::Constant, v}; }
  static Init uniform(float bound) { return {Kind::Uniform, bound}; }
  static Init normal(float stddev) { return {Kind::Normal, stddev}; }
  static Init xavier(float gain = 1.f, int64_t fanIn = 0, int64_t fanOut = 0) {
    return {Kind::XavierUniform, gain, fanIn, fanOut};
  }
};

void initialize(Tensor& t, const Init& init, Rng& rng);

}  // namespace lt
