// Streaming reader of an lt model file (layout: models/model_file.h) in bounded memory.
//
// The constructor checks the header and the file size, verifies the checksum in one pass
// through a fixed 1 MiB buffer, reads the config and the blobs, and indexes the weight records
// (name, dtype, shape, where the bytes are); read() then copies one record's bytes from the
// file straight into the caller's memory. Loading a model through it (TranslationModel::load,
// loadWeights(const ModelFileReader&, ...)) holds its parameters once: no in-memory copy of the
// file and no second copy of the weights. Every problem is an IoError naming the file.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "models/model_config.h"
#include "tensor/tensor.h"

namespace lt::models {

class ModelFileReader {
public:
  struct Record {
    std::string name;
    DType dtype = DType::F32;
    Shape shape;
    uint64_t offset = 0;  // of the first data byte in the file
    uint64_t bytes = 0;
  };

  explicit ModelFileReader(const std::string& path);
  ~ModelFileReader();
  ModelFileReader(const ModelFileReader&) = delete;
  ModelFileReader& operator=(const ModelFileReader&) = delete;

  const std::string& path() const { return path_; }
  const std::string& configYaml() const { return configYaml_; }
  const ModelConfig& config() const { return config_; }
  const std::map<std::string, std::string>& blobs() const { return blobs_; }
  const std::vector<Record>& weights() const { return records_; }  // in file order
  const Record* find(const std::string& name) const;               // nullptr when absent

  // Copies bytes [offset, offset + n) of r's data into dst.
  void read(const Record& r, uint64_t offset, uint64_t n, void* dst) const;
  void read(const Record& r, void* dst) const { read(r, 0, r.bytes, dst); }

private:
  class Cursor;  // sequential parsing through readAt
  void readAt(uint64_t pos, uint64_t n, void* dst, const char* what) const;

  std::string path_;
  int fd_ = -1;
  std::string configYaml_;
  ModelConfig config_;
  std::map<std::string, std::string> blobs_;
  std::vector<Record> records_;
  std::map<std::string, size_t> index_;
};

}  // namespace lt::models
