// Tensor: a contiguous row-major view (shape, dtype, element offset) into shared
// storage. Copies are cheap and share storage; views (reshape, row slices) share
// storage too. Layout changes (transposes) are kernels, never strides, so every
// kernel can assume dense row-major input.
//
// Storage comes from the current Arena (see arena.h) when an ArenaScope is
// active, else from the heap.
#pragma once
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "tensor/arena.h"
#include "tensor/dtype.h"
#include "tensor/shape.h"

namespace lt {

class Storage {
public:
  static std::shared_ptr<Storage> heap(size_t bytes);
  static std::shared_ptr<Storage> fromArena(Arena& a, size_t bytes);
  ~Storage();
  std::byte* bytes() const;
  size_t size() const { return size_; }
  bool inArena() const { return arena_ != nullptr; }

private:
  Storage() = default;
  std::byte* ptr_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;     // non-zero: a LargeBlockCache block of this many bytes
  Arena* arena_ = nullptr;  // non-null: owned by the arena, valid for generation_ only
  uint64_t generation_ = 0;
};

class Tensor {
public:
  Tensor() = default;

  // Uninitialised tensor (arena if an ArenaScope is active, else heap).
  static Tensor empty(const Shape& shape, DType dtype = DType::F32);
  static Tensor zeros(const Shape& shape, DType dtype = DType::F32);
  static Tensor full(const Shape& shape, float value);
  static Tensor fromVector(const Shape& shape, const std::vector<float>& values);
  static Tensor fromVector(const Shape& shape, const std::vector<int32_t>& values);

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  DType dtype() const { return dtype_; }
  int rank() const { return shape_.rank(); }
  int64_t dim(int axis) const { return shape_[axis]; }
  int64_t elements() const { return shape_.elements(); }
  size_t bytes() const { return size_t(elements()) * sizeOf(dtype_); }

  template <typename T> T* data() const {
    LT_CHECK(DTypeOf<T>::value == dtype_, Error, "tensor {} holds {}, accessed as {}",
             shape_.toString(), name(dtype_), name(DTypeOf<T>::value));
    return reinterpret_cast<T*>(rawData());
  }
  void* rawData() const;

  // Views sharing storage.
  Tensor reshape(const Shape& s) const;           // same element count
  // The same bytes read as another dtype of the same element size (an in-place int32 ->
  // f32 epilogue writes its result over its input); throws ShapeError otherwise.
  Tensor bitcast(DType t) const;
  Tensor slice(int64_t begin, int64_t end) const;  // rows [begin, end) of axis 0
  Tensor row(int64_t i) const { return slice(i, i + 1).reshape(shape_.rank() > 1 ? dropFirst() : Shape{1}); }

  Tensor clone() const;                  // deep copy (current allocator)
  Tensor cloneToHeap() const;            // deep copy that outlives any arena
  void copyFrom(const Tensor& src);      // same shape and dtype; element copy
  void fill(float v);
  void zero();
  std::vector<float> toVector() const;   // f32 only
  float item() const;                    // single f32 element
  bool sharesStorage(const Tensor& o) const { return storage_ == o.storage_; }

  std::string toString(int maxElems = 8) const;  // "f32[2x3] {…}" for messages and debugging

private:
  Shape dropFirst() const;
  std::shared_ptr<Storage> storage_;
  Shape shape_;
  DType dtype_ = DType::F32;
  int64_t offset_ = 0;  // in elements
};

// Throws ShapeError naming the op and both shapes when a != b.
void checkSameShape(const char* op, const Tensor& a, const Tensor& b);

}  // namespace lt
