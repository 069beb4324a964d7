// Files that must survive a crash, and the little binary format of the training-state file.
//
// writeFileAtomic replaces a file in one piece (common/atomic_file.h: temp file, fsync,
// rename, fsync of the directory). ByteSink / ByteSource read and write little-endian
// scalars and u64-length-prefixed blobs, either in memory (ByteWriter, ByteReader) or
// streamed (ByteCounter sizes a blob before it is written; FileByteSource reads a file
// through a fixed buffer), so the state file of a large model is written and read without
// a copy of it in memory.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/atomic_file.h"

namespace lt::train {

// Replaces `path` by `bytes` atomically (common/atomic_file.h; IoError naming the path on any
// failure, the target is left as it was).
using lt::writeFileAtomic;

// Whole file as bytes; IoError naming the path when missing or unreadable.
std::string readFileBytes(const std::string& path);

bool fileExists(const std::string& path);

// Removes a file if present (no error when absent).
void removeFile(const std::string& path);

// Where little-endian scalars and length-prefixed blobs go.
class ByteSink {
public:
  virtual ~ByteSink() = default;
  virtual void raw(const void* p, size_t n) = 0;
  void u32(uint32_t v) { raw(&v, sizeof v); }
  void u64(uint64_t v) { raw(&v, sizeof v); }
  void f64(double v) { raw(&v, sizeof v); }
  void bytes(std::string_view b);  // u64 length + bytes
};

// Appends to a string.
class ByteWriter : public ByteSink {
public:
  void raw(const void* p, size_t n) override;
  const std::string& data() const { return buf_; }
  std::string& data() { return buf_; }

private:
  std::string buf_;
};

// Counts what would be written (the length prefix of a streamed blob).
class ByteCounter : public ByteSink {
public:
  void raw(const void*, size_t n) override { n_ += n; }
  uint64_t size() const { return n_; }

private:
  uint64_t n_ = 0;
};

// Reads what a ByteSink wrote; every read checks the remaining length and throws IoError
// "<what>: truncated ..." when the data ends early.
class ByteSource {
public:
  explicit ByteSource(std::string what) : what_(std::move(what)) {}
  virtual ~ByteSource() = default;
  void raw(void* p, size_t n);
  uint32_t u32();
  uint64_t u64();
  double f64();
  std::string bytes();
  uint64_t position() const { return pos_; }
  uint64_t remaining() const { return size_ - pos_; }
  const std::string& what() const { return what_; }

protected:
  void setSize(uint64_t size) { size_ = size; }
  // Copies n bytes at `pos` (within the size) into p.
  virtual void fetch(uint64_t pos, void* p, size_t n) = 0;

private:
  void need(uint64_t n);
  uint64_t pos_ = 0, size_ = 0;
  std::string what_;
};

// Reads from memory.
class ByteReader : public ByteSource {
public:
  ByteReader(std::string_view data, std::string what);

protected:
  void fetch(uint64_t pos, void* p, size_t n) override;

private:
  std::string_view data_;
};

// Reads the first `limit` bytes of a file (all of it by default) through a 1 MiB buffer.
// IoError naming the file when it cannot be opened or read.
class FileByteSource : public ByteSource {
public:
  explicit FileByteSource(const std::string& path);
  ~FileByteSource() override;
  FileByteSource(const FileByteSource&) = delete;
  FileByteSource& operator=(const FileByteSource&) = delete;
  uint64_t fileSize() const { return fileSize_; }
  void limit(uint64_t bytes);                     // parse only the first `bytes`
  void readAt(uint64_t pos, void* p, size_t n);  // unbuffered, anywhere in the file

protected:
  void fetch(uint64_t pos, void* p, size_t n) override;

private:
  int fd_ = -1;
  uint64_t fileSize_ = 0;
  std::vector<char> buf_;
  uint64_t bufPos_ = 0;
  size_t bufLen_ = 0;
};

// FNV-1a 64 (checksums of state files), fed in pieces.
class Fnv1a64 {
public:
  void update(const void* p, size_t n);
  uint64_t value() const { return h_; }

private:
  uint64_t h_ = 1469598103934665603ull;
};
uint64_t fnv1a64(std::string_view b);

}  // namespace lt::train
