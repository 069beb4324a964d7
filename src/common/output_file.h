// Where a program writes its result (lt-translate -o, lt-eval plot --output, lt-decode-growth
// --csv/--svg), and how it reacts when that place goes away.
//
// OutputFile: "-" is standard output. An existing file that is not a regular file (/dev/null,
// a FIFO, a terminal) is written in place. Anything else is written atomically
// (common/atomic_file.h): into a temp file next to the target (a symlink is followed to its
// target), renamed over it by commit(). A run that fails or is killed before commit() leaves
// an existing file exactly as it was, so an error never leaves a truncated or half-written
// output that looks like a result. Write errors (disk full, file-size limit) are IoErrors
// naming the file and the flag, thrown at the latest by commit().
//
// installOutputSignalHandlers(): a reader that goes away (`lt-translate ... | head -1`)
// ends the program at once and quietly with exit status 141 = 128 + SIGPIPE, the status a
// shell reports for any filter stopped that way (so `set -o pipefail` scripts see the same
// thing as with `cat`); a closed or unwritable standard output (`>&-`) is a one-line error
// instead. It also ignores SIGXFSZ, so a file-size limit (`ulimit -f`) gives a write error
// naming the file instead of a core dump.
#pragma once
#include <memory>
#include <ostream>
#include <string>

namespace lt {

constexpr int kExitBrokenPipe = 128 + 13;

// For programs whose output is their point (lt-translate, lt-eval, lt-convert, benches).
void installOutputSignalHandlers();
// For lt-train: a lost log reader never stops a training (SIGPIPE ignored; the log file, if
// any, keeps everything); SIGXFSZ as above.
void installTrainingSignalHandlers();

// Flushes std::cout; IoError "cannot write to standard output" when it failed (closed, full).
void flushStandardOutput();

class AtomicFileWriter;

class OutputFile {
public:
  // `flag` names the option in messages ("--output").
  OutputFile(const std::string& path, std::string flag);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  std::ostream& stream() { return *out_; }
  // Flushes; IoError naming the file when anything written so far failed (fails early instead
  // of at commit() after all the work).
  void flush();
  // Flushes and, for an atomic file, renames it into place. IoError naming the file.
  void commit();
  bool atomic() const { return writer_ != nullptr; }
  const std::string& path() const { return path_; }

private:
  class WriterBuf;
  std::string path_, flag_;
  std::unique_ptr<AtomicFileWriter> writer_;
  std::unique_ptr<WriterBuf> buf_;
  std::unique_ptr<std::ostream> own_;
  std::ostream* out_ = nullptr;
};

}  // namespace lt
