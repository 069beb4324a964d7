// Constants and the checksum of the lt model file format (layout: models/model_file.h), shared
// by the writer (model_file.cpp) and the streaming reader (model_file_reader.cpp).
#pragma once
#include <cstddef>
#include <cstdint>

namespace lt::models {

constexpr uint32_t kModelFileVersion = 1;
constexpr char kModelFileMagic[8] = {'L', 'T', 'M', 'O', 'D', 'E', 'L', '\0'};
// magic | u32 version | u64 total file size
constexpr size_t kModelFileHeaderBytes = sizeof(kModelFileMagic) + sizeof(uint32_t) + sizeof(uint64_t);
// An int8-stored matrix "<name>" has its f32 row scales under "<name>@scale".
constexpr const char* kScaleSuffix = "@scale";

// The format's checksum, fed in pieces: every piece but the last a multiple of 8 bytes
// (the hash walks 8-byte words and mixes in each word's byte offset).
class ModelFileChecksum {
public:
  explicit ModelFileChecksum(uint64_t hashedBytes);  // the length of everything fed
  void words(const void* data, size_t bytes);   // bytes % 8 == 0
  uint64_t finish(const void* tail, size_t bytes);  // the last piece (any length), then the sum

private:
  uint64_t h_, length_, offset_ = 0;
};

// The checksum of `bytes` bytes in one piece.
uint64_t modelFileChecksum(const void* data, size_t bytes);

}  // namespace lt::models
