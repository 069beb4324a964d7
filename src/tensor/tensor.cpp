#include "tensor/tensor.h"

#include <cstdlib>
#include <new>

#include "tensor/block_cache.h"

namespace lt {

std::shared_ptr<Storage> Storage::heap(size_t bytes) {
  auto s = std::shared_ptr<Storage>(new Storage());
  if (bytes >= LargeBlockCache::kMinBytes) {
    s->ptr_ = LargeBlockCache::acquire(bytes, &s->capacity_);
    s->size_ = bytes;
    return s;
  }
  size_t n = std::max<size_t>(64, (bytes + 63) / 64 * 64);
  s->ptr_ = static_cast<std::byte*>(std::aligned_alloc(64, n));
  if (!s->ptr_) throw std::bad_alloc();
  s->size_ = bytes;
  return s;
}

std::shared_ptr<Storage> Storage::fromArena(Arena& a, size_t bytes) {
  auto s = std::shared_ptr<Storage>(new Storage());
  s->ptr_ = static_cast<std::byte*>(a.allocate(std::max<size_t>(bytes, 1)));
  s->size_ = bytes;
  s->arena_ = &a;
  s->generation_ = a.generation();
  return s;
}

Storage::~Storage() {
  if (arena_) return;
  if (capacity_) LargeBlockCache::release(ptr_, capacity_);
  else std::free(ptr_);
}

std::byte* Storage::bytes() const {
  LT_CHECK(!arena_ || arena_->generation() == generation_, Error,
           "internal: tensor used after its activation arena was reset");
  return ptr_;
}

Tensor Tensor::empty(const Shape& shape, DType dtype) {
  Tensor t;
  size_t bytes = size_t(shape.elements()) * sizeOf(dtype);
  Arena* a = Arena::current();
  t.storage_ = a ? Storage::fromArena(*a, bytes) : Storage::heap(bytes);
  t.shape_ = shape;
  t.dtype_ = dtype;
  return t;
}

Tensor Tensor::zeros(const Shape& shape, DType dtype) {
  Tensor t = empty(shape, dtype);
  t.zero();
  return t;
}

Tensor Tensor::full(const Shape& shape, float value) {
  Tensor t = empty(shape, DType::F32);
  t.fill(value);
  return t;
}

Tensor Tensor::fromVector(const Shape& shape, const std::vector<float>& v) {
  LT_CHECK(int64_t(v.size()) == shape.elements(), ShapeError,
           "fromVector: {} values for shape {}", v.size(), shape.toString());
  Tensor t = empty(shape, DType::F32);
  if (!v.empty()) std::memcpy(t.rawData(), v.data(), v.size() * sizeof(float));
  return t;
}

Tensor Tensor::fromVector(const Shape& shape, const std::vector<int32_t>& v) {
  LT_CHECK(int64_t(v.size()) == shape.elements(), ShapeError,
           "fromVector: {} values for shape {}", v.size(), shape.toString());
  Tensor t = empty(shape, DType::I32);
  if (!v.empty()) std::memcpy(t.rawData(), v.data(), v.size() * sizeof(int32_t));
  return t;
}

void* Tensor::rawData() const {
  LT_CHECK(storage_ != nullptr, Error, "internal: access to an undefined tensor");
  return storage_->bytes() + offset_ * int64_t(sizeOf(dtype_));
}

Tensor Tensor::reshape(const Shape& s) const {
  LT_CHECK(s.elements() == elements(), ShapeError, "reshape: cannot view {} as {}",
           shape_.toString(), s.toString());
  Tensor t = *this;
  t.shape_ = s;
  return t;
}

Tensor Tensor::bitcast(DType t) const {
  LT_CHECK(sizeOf(t) == sizeOf(dtype_), ShapeError, "bitcast: cannot view {} {} as {} (element sizes {} and {})",
           name(dtype_), shape_.toString(), name(t), sizeOf(dtype_), sizeOf(t));
  Tensor r = *this;
  r.dtype_ = t;
  return r;
}

Tensor Tensor::slice(int64_t begin, int64_t end) const {
  LT_CHECK(rank() >= 1 && begin >= 0 && begin <= end && end <= shape_[0], ShapeError,
           "slice: rows [{}, {}) out of range for shape {}", begin, end, shape_.toString());
  Tensor t = *this;
  int64_t rowElems = shape_.inner(1);
  t.offset_ += begin * rowElems;
  t.shape_[0] = end - begin;
  return t;
}

Shape Tensor::dropFirst() const {
  auto d = shape_.dims();
  d.erase(d.begin());
  return Shape(d);
}

Tensor Tensor::clone() const {
  Tensor t = empty(shape_, dtype_);
  if (bytes()) std::memcpy(t.rawData(), rawData(), bytes());
  return t;
}

Tensor Tensor::cloneToHeap() const {
  HeapScope heap;
  return clone();
}

void Tensor::copyFrom(const Tensor& src) {
  LT_CHECK(src.shape_ == shape_ && src.dtype_ == dtype_, ShapeError,
           "copyFrom: destination {} {} vs source {} {}", name(dtype_), shape_.toString(),
           name(src.dtype_), src.shape_.toString());
  if (bytes()) std::memmove(rawData(), src.rawData(), bytes());
}

void Tensor::fill(float v) {
  float* p = data<float>();
  int64_t n = elements();
  for (int64_t i = 0; i < n; ++i) p[i] = v;
}

void Tensor::zero() {
  if (bytes()) std::memset(rawData(), 0, bytes());
}

std::vector<float> Tensor::toVector() const {
  const float* p = data<float>();
  return {p, p + elements()};
}

float Tensor::item() const {
  LT_CHECK(elements() == 1, ShapeError, "item: tensor {} has {} elements, expected 1",
           shape_.toString(), elements());
  return *data<float>();
}

std::string Tensor::toString(int maxElems) const {
  std::string s = std::string(name(dtype_)) + shape_.toString();
  if (!defined()) return s + " (undefined)";
  s += " {";
  int64_t n = std::min<int64_t>(elements(), maxElems);
  for (int64_t i = 0; i < n; ++i) {
    if (i) s += ", ";
    if (dtype_ == DType::F32) s += fmt::format("{:.6g}", data<float>()[i]);
    else if (dtype_ == DType::I32) s += std::to_string(data<int32_t>()[i]);
    else if (dtype_ == DType::I8) s += std::to_string(int(data<int8_t>()[i]));
    else if (dtype_ == DType::U8) s += std::to_string(int(data<uint8_t>()[i]));
    else s += "?";
  }
  if (elements() > n) s += ", …";
  return s + "}";
}

void checkSameShape(const char* op, const Tensor& a, const Tensor& b) {
  LT_CHECK(a.shape() == b.shape(), ShapeError, "{}: shapes {} and {} differ", op,
           a.shape().toString(), b.shape().toString());
}

}  // namespace lt
