#include "models/model_file_format.h"

#include <cstring>

#include "common/error.h"

namespace lt::models {

namespace {
uint64_t mix(uint64_t x) {
  x ^= x >> 31;
  x *= 0x7FB5D329728EA185ull;
  x ^= x >> 27;
  x *= 0x81DADEF4BC2DD44Dull;
  x ^= x >> 33;
  return x;
}
constexpr uint64_t kPrime = 0x100000001B3ull;
}  // namespace

ModelFileChecksum::ModelFileChecksum(uint64_t hashedBytes)
    : h_(0x9E3779B97F4A7C15ull ^ hashedBytes), length_(hashedBytes) {}

void ModelFileChecksum::words(const void* data, size_t bytes) {
  LT_CHECK(bytes % 8 == 0, Error, "ModelFileChecksum::words: {} bytes is not a multiple of 8", bytes);
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < bytes; i += 8, offset_ += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h_ = (h_ ^ mix(w + offset_)) * kPrime;
  }
}

uint64_t ModelFileChecksum::finish(const void* tail, size_t bytes) {
  const size_t whole = bytes / 8 * 8;
  words(tail, whole);
  const auto* p = static_cast<const unsigned char*>(tail) + whole;
  uint64_t last = 0;
  for (size_t k = 0; k < bytes - whole; ++k) last |= uint64_t(p[k]) << (8 * k);
  h_ = (h_ ^ mix(last + length_)) * kPrime;
  return mix(h_);
}

uint64_t modelFileChecksum(const void* data, size_t bytes) {
  ModelFileChecksum c(bytes);
  return c.finish(data, bytes);
}

}  // namespace lt::models
