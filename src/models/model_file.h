// Model file: one self-contained file per trained model.
//
// Layout (little-endian):
//   "LTMODEL\0" magic (8 bytes) | u32 format version | u64 total file size
//   u64 n + n bytes   effective ModelConfig as YAML text (toYaml)
//   u32 count, then per blob:   u32 n + name, u64 n + bytes   (opaque: vocabularies, metadata)
//   u32 count, then per weight: u32 n + name, u8 dtype, u8 rank, i64 dims[rank], u64 n + bytes
//   u64 checksum of everything before it (64-bit multiply-xorshift hash over 8-byte words)
// Written atomically and streamed (common/atomic_file.h): a temp file in the same directory,
// fsync, rename over the target (then fsync of the directory), so a kill mid-write leaves the
// previous file intact; a dry run of the same writer gives the total size first, and the
// weights go from the parameters to the file without a copy of the file in memory.
// Reading names the problem in an IoError: missing, truncated, corrupt (checksum), wrong
// magic or version, missing weight, shape mismatch (naming the parameter).
//
// Int8 weight storage (WeightStorage::Int8, `lt-convert --weights int8`): every f32 matrix
// parameter of at least kInt8MinElements elements (linear weights, embedding tables) is
// written as i8 [rows, cols] under its own name plus "<name>@scale" f32 [rows], by the rule of
// ops::quantizeWeightRows; loading multiplies them back into the f32 parameter. About 4x
// smaller. `lt-translate --precision int8` loads the rows as they are instead (deferInt8 of
// loadWeights), and packs them without writing the f32 matrices.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "autodiff/param_store.h"
#include "models/model_config.h"
#include "models/model_file_format.h"
#include "models/model_file_reader.h"

namespace lt::models {

enum class WeightStorage : uint8_t { F32, Int8 };
constexpr int64_t kInt8MinElements = 1024;

struct ModelFileContents {
  ModelConfig config;                                   // parsed from configYaml
  std::string configYaml;
  std::map<std::string, std::string> blobs;             // name -> opaque bytes
  std::vector<std::pair<std::string, Tensor>> weights;  // in file order (heap tensors)
  const Tensor* find(const std::string& name) const;    // nullptr when absent
};

// Writes cfg, blobs and every parameter of `params` (by name) to `path` atomically.
void writeModelFile(const std::string& path, const ModelConfig& cfg, const ParamStore& params,
                    const std::map<std::string, std::string>& blobs = {},
                    WeightStorage storage = WeightStorage::F32);

// Reads and verifies a model file into memory (IoError on any problem; ConfigError if the
// embedded config does not parse). To load a model, ModelFileReader and its loadWeights hold
// the weights once instead of twice.
ModelFileContents readModelFile(const std::string& path);

// Copies the file's weights into the (already constructed) parameters: every parameter must
// be present with the same shape and dtype (or as int8 rows with their "@scale", see above);
// `path` is used in messages. Extra weights in the
// file are an error too (the file belongs to another architecture).
void loadWeights(const ModelFileContents& file, ParamStore& params, const std::string& path);
// The same checks, reading each weight from the file straight into its parameter (int8 rows
// dequantized a block at a time). deferInt8: int8 rows become the parameter's int8 source
// instead (ParamStore::setInt8Source; for int8 decoding, which packs them as they are and
// never writes the f32 value); the caller must freeze the store before reading the values.
void loadWeights(const ModelFileReader& file, ParamStore& params, bool deferInt8 = false);

}  // namespace lt::models
