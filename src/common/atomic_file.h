// Writing a file that must survive a crash, in bounded memory.
//
// AtomicFileWriter streams bytes into a temp file next to the target through a 1 MiB buffer;
// commit() flushes, fsyncs, renames the temp file over `path` and fsyncs the directory, so a
// reader sees the old file or the whole new one, never a torn one. The temp file's name is
// unique to the writer, `<path>.tmp.<pid>.<n>` (created with O_EXCL), so two processes or
// threads writing the same target never share a temp file: the last commit wins whole.
// A writer destroyed before commit() (an exception, a failed check) removes its temp file
// and leaves the target as it was; a kill leaves at most a stale temp file, which the next
// writer of the same target removes (temp files whose process no longer runs).
// Model files, training-state files, checkpoints and program outputs all go through it, so
// writing one never holds a copy of the file in memory. Failures are IoErrors naming the
// target file (and the temp file), e.g. "No space left on device" or "File too large".
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
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

// Replaces `path` by `bytes` atomically (an AtomicFileWriter in one call).
void writeFileAtomic(const std::string& path, std::string_view bytes);

// Appends `bytes` to `path` (created if missing) all or nothing: on a failed or short write
// (disk full, file-size limit) the file is cut back to its old length and IoError names it.
// For files that grow by records (results files), where a torn last line would mislead.
void appendFileWhole(const std::string& path, std::string_view bytes);

// The temp-file name an AtomicFileWriter of `path` in process `pid` uses for its n-th file.
std::string atomicTempPath(const std::string& path, long pid, uint64_t n);

// Removes the temp files of `path` left by writers that no longer run (killed, crashed);
// returns how many. Temp files of running processes are kept.
int removeStaleTempFiles(const std::string& path);

}  // namespace lt
