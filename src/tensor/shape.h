// Shape: up to kMaxRank dimensions, row-major. Negative axes count from the end.
#pragma once
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace lt {

class Shape {
public:
  static constexpr int kMaxRank = 6;

  Shape() = default;
  Shape(std::initializer_list<int64_t> dims);
  explicit Shape(const std::vector<int64_t>& dims);

  int rank() const { return rank_; }
  int64_t operator[](int axis) const { return dims_[normAxis(axis)]; }
  int64_t& operator[](int axis) { return dims_[normAxis(axis)]; }
  int64_t elements() const;
  // Product of dims before `axis` / from `axis` on.
  int64_t outer(int axis) const;
  int64_t inner(int axis) const;
  // Normalises a possibly negative axis; throws ShapeError when out of range.
  int normAxis(int axis) const;
  std::vector<int64_t> dims() const { return {dims_.begin(), dims_.begin() + rank_}; }
  Shape with(int axis, int64_t size) const;  // copy with one dim replaced
  std::string toString() const;               // e.g. "[2x3x4]"

  bool operator==(const Shape& o) const;
  bool operator!=(const Shape& o) const { return !(*this == o); }

private:
  std::array<int64_t, kMaxRank> dims_{};
  int rank_ = 0;
};

}  // namespace lt
