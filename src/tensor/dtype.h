// Element types. fp32 is what every kernel supports today; bf16 and int8 are
// declared so storage, checkpoints and quantised weights can use them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lt {

enum class DType : uint8_t { F32 = 0, BF16 = 1, I8 = 2, I32 = 3 };

constexpr size_t sizeOf(DType t) {
  switch (t) {
    case DType::F32: return 4;
    case DType::BF16: return 2;
    case DType::I8: return 1;
    case DType::I32: return 4;
  }
  return 0;
}

constexpr std::string_view name(DType t) {
  switch (t) {
    case DType::F32: return "f32";
    case DType::BF16: return "bf16";
    case DType::I8: return "i8";
    case DType::I32: return "i32";
  }
  return "?";
}

template <typename T> struct DTypeOf;
template <> struct DTypeOf<float> { static constexpr DType value = DType::F32; };
template <> struct DTypeOf<int8_t> { static constexpr DType value = DType::I8; };
template <> struct DTypeOf<int32_t> { static constexpr DType value = DType::I32; };
template <> struct DTypeOf<uint16_t> { static constexpr DType value = DType::BF16; };

}  // namespace lt
