// Files that must survive a crash: atomic replacement (write a temp file next
// to the target, fsync it, rename it over the target, fsync the directory), so
// a reader sees either the old or the new file, never a torn one. Plus a small
// length-checked binary reader/writer for the training-state file.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace lt::train {

// Replaces `path` by `bytes` atomically. The temp file is `path + ".tmp"`.
// Throws IoError naming the path on any failure (the target is left as it was).
void writeFileAtomic(const std::string& path, std::string_view bytes);

// Whole file as bytes; IoError naming the path when missing or unreadable.
std::string readFileBytes(const std::string& path);

bool fileExists(const std::string& path);

// Removes a file if present (no error when absent).
void removeFile(const std::string& path);

// Appends little-endian scalars and length-prefixed blobs.
class ByteWriter {
public:
  void u32(uint32_t v);
  void u64(uint64_t v);
  void f64(double v);
  void bytes(std::string_view b);  // u64 length + bytes
  void raw(const void* p, size_t n);
  const std::string& data() const { return buf_; }
  std::string& data() { return buf_; }

private:
  std::string buf_;
};

// Reads what ByteWriter wrote; every read checks the remaining length and
// throws IoError "<what>: truncated ..." when the data ends early.
class ByteReader {
public:
  ByteReader(std::string_view data, std::string what) : data_(data), what_(std::move(what)) {}
  uint32_t u32();
  uint64_t u64();
  double f64();
  std::string bytes();
  void raw(void* p, size_t n);
  size_t remaining() const { return data_.size() - pos_; }
  const std::string& what() const { return what_; }

private:
  void need(size_t n);
  std::string_view data_;
  size_t pos_ = 0;
  std::string what_;
};

// FNV-1a 64 of `b` (checksums of state files).
uint64_t fnv1a64(std::string_view b);

}  // namespace lt::train
