#include "tensor/shape.h"

#include "common/error.h"

namespace lt {

Shape::Shape(std::initializer_list<int64_t> dims) : Shape(std::vector<int64_t>(dims)) {}

Shape::Shape(const std::vector<int64_t>& dims) {
  LT_CHECK(int(dims.size()) <= kMaxRank, ShapeError, "shape rank {} exceeds the maximum {}",
           dims.size(), kMaxRank);
  rank_ = int(dims.size());
  for (int i = 0; i < rank_; ++i) {
    LT_CHECK(dims[i] >= 0, ShapeError, "negative dimension {} in shape", dims[i]);
    dims_[i] = dims[i];
  }
}

int64_t Shape::elements() const {
  int64_t n = 1;
  for (int i = 0; i < rank_; ++i) n *= dims_[i];
  return n;
}

int64_t Shape::outer(int axis) const {
  int64_t n = 1;
  for (int i = 0; i < axis; ++i) n *= dims_[i];
  return n;
}

int64_t Shape::inner(int axis) const {
  int64_t n = 1;
  for (int i = axis; i < rank_; ++i) n *= dims_[i];
  return n;
}

int Shape::normAxis(int axis) const {
  int a = axis < 0 ? axis + rank_ : axis;
  LT_CHECK(a >= 0 && a < rank_, ShapeError, "axis {} out of range for shape {}", axis, toString());
  return a;
}

Shape Shape::with(int axis, int64_t size) const {
  Shape s = *this;
  s[axis] = size;
  return s;
}

std::string Shape::toString() const {
  std::string s = "[";
  for (int i = 0; i < rank_; ++i) {
    if (i) s += 'x';
    s += std::to_string(dims_[i]);
  }
  return s + "]";
}

bool Shape::operator==(const Shape& o) const {
  if (rank_ != o.rank_) return false;
  for (int i = 0; i < rank_; ++i)
    if (dims_[i] != o.dims_[i]) return false;
  return true;
}

}  // namespace lt
