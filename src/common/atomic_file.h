// Writing a file that must survive a crash, in bounded memory.
//
// AtomicFileWriter streams bytes into `<path>.tmp` through a 1 MiB buffer; commit() flushes,
// fsyncs, renames the temp file over `path` and fsyncs the directory, so a reader sees the
// old file or the whole new one, never a torn one. A writer destroyed before commit() (an
// exception, a failed check) removes its temp file and leaves the target as it was; a kill
// leaves at most a stale temp file, which the next writer of the same path replaces.
// Model files, training-state files and checkpoints all go through it, so writing one never
// holds a copy of the file in memory. Failures are IoErrors naming the file.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lt {

class AtomicFileWriter {
public:
  explicit AtomicFileWriter(std::string path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(const void* data, size_t bytes);
  uint64_t written() const { return written_; }  // bytes so far
  void commit();                                  // once, after the last write
  const std::string& path() const { return path_; }
  const std::string& tempPath() const { return tmp_; }

private:
  void flush();
  void drop() noexcept;  // closes and removes the temp file

  std::string path_, tmp_;
  int fd_ = -1;
  std::vector<char> buf_;
  size_t used_ = 0;
  uint64_t written_ = 0;
  bool committed_ = false;
};

}  // namespace lt
