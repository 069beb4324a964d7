// Element types. fp32 is what every kernel supports; i8 (weights) and u8 (activations) are
// the operands of the int8 inference GEMM (ops::linearPacked), i32 its accumulator; bf16 is
// declared for storage only.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lt {

enum class DType : uint8_t { F32 = 0, BF16 = 1, I8 = 2, I32 = 3, U8 = 4 };

constexpr size_t sizeOf(DType t) {
  switch (t) {
    case DType::F32: return 4;
    case DType::BF16: return 2;
    case DType::I8: return 1;
    case DType::I32: return 4;
    case DType::U8: return 1;
  }
  return 0;
}

constexpr std::string_view name(DType t) {
  switch (t) {
    case DType::F32: return "f32";
    case DType::BF16: return "bf16";
    case DType::I8: return "i8";
    case DType::I32: return "i32";
    case DType::U8: return "u8";
  }
  return "?";
}

// Arithmetic of a frozen model's linear layers (ParamStore::freezeForInference): fp32, or
// int8 weights with per-row int8 activations (ops::linearPacked).
enum class InferencePrecision : uint8_t { F32 = 0, Int8 = 1 };

constexpr std::string_view name(InferencePrecision p) {
  return p == InferencePrecision::Int8 ? "int8" : "fp32";
}

// The precision named "fp32" or "int8" (the --precision flags), or nothing for another name.
constexpr std::optional<InferencePrecision> precisionFromName(std::string_view s) {
  for (InferencePrecision p : {InferencePrecision::F32, InferencePrecision::Int8})
    if (name(p) == s) return p;
  return std::nullopt;
}

template <typename T> struct DTypeOf;
template <> struct DTypeOf<float> { static constexpr DType value = DType::F32; };
template <> struct DTypeOf<int8_t> { static constexpr DType value = DType::I8; };
template <> struct DTypeOf<uint8_t> { static constexpr DType value = DType::U8; };
template <> struct DTypeOf<int32_t> { static constexpr DType value = DType::I32; };
template <> struct DTypeOf<uint16_t> { static constexpr DType value = DType::BF16; };

}  // namespace lt
