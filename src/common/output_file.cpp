#include "common/output_file.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <streambuf>

#include "common/atomic_file.h"
#include "common/error.h"

namespace lt {

namespace {
void exitOnBrokenPipe(int) { ::_exit(kExitBrokenPipe); }
}  // namespace

void installOutputSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = exitOnBrokenPipe;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGPIPE, &sa, nullptr);
  ::signal(SIGXFSZ, SIG_IGN);
}

void installTrainingSignalHandlers() {
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGXFSZ, SIG_IGN);
}

void flushStandardOutput() {
  std::cout.flush();
  LT_CHECK(std::cout.good(), IoError, "cannot write to standard output (closed, or its device is full)");
}

// Hands every byte to an AtomicFileWriter (which buffers); keeps the first error for commit(),
// since an ostream would turn it into a bare badbit.
class OutputFile::WriterBuf : public std::streambuf {
public:
  explicit WriterBuf(AtomicFileWriter& w) : w_(w) {}
  std::exception_ptr error;

protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (error) return 0;
    try {
      w_.write(s, size_t(n));
      return n;
    } catch (...) {
      error = std::current_exception();
      return 0;
    }
  }
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    const char ch = traits_type::to_char_type(c);
    return xsputn(&ch, 1) == 1 ? c : traits_type::eof();
  }

private:
  AtomicFileWriter& w_;
};

OutputFile::OutputFile(const std::string& path, std::string flag) : path_(path), flag_(std::move(flag)) {
  if (path == "-") {
    out_ = &std::cout;
    return;
  }
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    LT_CHECK(!S_ISDIR(st.st_mode), IoError, "{} {}: is a directory", flag_, path);
    auto f = std::make_unique<std::ofstream>(path, std::ios::binary);
    LT_CHECK(f->good(), IoError, "{} {}: cannot open for writing: {}", flag_, path, std::strerror(errno));
    own_ = std::move(f);
    out_ = own_.get();
    return;
  }
  std::string target = path;
  std::error_code ec;
  if (std::filesystem::is_symlink(path, ec) && std::filesystem::exists(path, ec))
    target = std::filesystem::canonical(path, ec).string();  // replace the file, keep the link
  writer_ = std::make_unique<AtomicFileWriter>(target);
  buf_ = std::make_unique<WriterBuf>(*writer_);
  own_ = std::make_unique<std::ostream>(buf_.get());
  out_ = own_.get();
}

OutputFile::~OutputFile() = default;  // an uncommitted atomic file is dropped by its writer

void OutputFile::flush() {
  out_->flush();
  if (buf_ && buf_->error) std::rethrow_exception(buf_->error);
  LT_CHECK(out_->good(), IoError, "{} {}: write failed", flag_,
           path_ == "-" ? "- (standard output)" : path_);
}

void OutputFile::commit() {
  flush();
  if (writer_) writer_->commit();
}

}  // namespace lt
