#include "models/model_file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.h"
#include "common/pread.h"
#include "models/model_file_format.h"

namespace lt::models {

// Sequential parsing of [pos, end) of the file.
class ModelFileReader::Cursor {
public:
  Cursor(const ModelFileReader& r, uint64_t pos, uint64_t end) : r_(r), pos_(pos), end_(end) {}
  void need(uint64_t n, const char* what) const {
    LT_CHECK(n <= end_ - pos_, IoError,
             "model file {} is corrupt: {} runs past the end of the data (offset {})", r_.path_,
             what, pos_);
  }
  template <typename T> T pod(const char* what) {
    need(sizeof(T), what);
    T v;
    r_.readAt(pos_, sizeof(T), &v, what);
    pos_ += sizeof(T);
    return v;
  }
  std::string bytes(uint64_t n, const char* what) {
    need(n, what);
    std::string s(n, '\0');
    r_.readAt(pos_, n, s.data(), what);
    pos_ += n;
    return s;
  }
  void skip(uint64_t n, const char* what) {
    need(n, what);
    pos_ += n;
  }
  uint64_t pos() const { return pos_; }
  uint64_t left() const { return end_ - pos_; }

private:
  const ModelFileReader& r_;
  uint64_t pos_, end_;
};

ModelFileReader::ModelFileReader(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  LT_CHECK(fd_ >= 0, IoError, "cannot open model file {}: {}", path, std::strerror(errno));
  try {
    struct stat st {};
    LT_CHECK(::fstat(fd_, &st) == 0, IoError, "cannot open model file {}: {}", path,
             std::strerror(errno));
    LT_CHECK(S_ISREG(st.st_mode), IoError, "cannot open model file {}: not a regular file", path);
    const uint64_t size = uint64_t(st.st_size);

    char magic[sizeof(kModelFileMagic)] = {};
    if (size >= sizeof(magic)) readAt(0, sizeof(magic), magic, "magic");
    LT_CHECK(size >= sizeof(magic) && std::memcmp(magic, kModelFileMagic, sizeof(magic)) == 0,
             IoError, "{} is not an lt model file (bad magic)", path);
    LT_CHECK(size >= kModelFileHeaderBytes, IoError,
             "model file {} is truncated: {} bytes, header incomplete", path, size);
    uint32_t version;
    uint64_t total;
    readAt(sizeof(magic), sizeof(version), &version, "version");
    readAt(sizeof(magic) + sizeof(version), sizeof(total), &total, "size");
    LT_CHECK(version == kModelFileVersion, IoError,
             "model file {} has format version {}; this build reads version {}", path, version,
             kModelFileVersion);
    LT_CHECK(size >= total, IoError, "model file {} is truncated: {} of {} bytes present", path,
             size, total);
    LT_CHECK(size == total && total >= kModelFileHeaderBytes + sizeof(uint64_t), IoError,
             "model file {} is corrupt: {} bytes, but its header says {}", path, size, total);

    // Checksum of everything before the stored sum, in 1 MiB pieces.
    const uint64_t hashed = total - sizeof(uint64_t);
    ModelFileChecksum sum(hashed);
    std::vector<char> buf(size_t(1) << 20);
    uint64_t pos = 0;
    while (hashed - pos > buf.size()) {
      readAt(pos, buf.size(), buf.data(), "data");
      sum.words(buf.data(), buf.size());
      pos += buf.size();
    }
    readAt(pos, hashed - pos, buf.data(), "data");
    const uint64_t actual = sum.finish(buf.data(), size_t(hashed - pos));
    uint64_t stored;
    readAt(hashed, sizeof(stored), &stored, "checksum");
    LT_CHECK(stored == actual, IoError,
             "model file {} is corrupt: checksum mismatch (stored {:016x}, computed {:016x})", path,
             stored, actual);

    Cursor c(*this, kModelFileHeaderBytes, hashed);
    configYaml_ = c.bytes(c.pod<uint64_t>("config size"), "config");
    config_ = parseModelConfig(configYaml_, path + " (embedded config)");
    const uint32_t nb = c.pod<uint32_t>("blob count");
    for (uint32_t i = 0; i < nb; ++i) {
      std::string name = c.bytes(c.pod<uint32_t>("blob name size"), "blob name");
      blobs_[name] = c.bytes(c.pod<uint64_t>("blob size"), "blob");
    }
    const uint32_t nw = c.pod<uint32_t>("weight count");
    for (uint32_t i = 0; i < nw; ++i) {
      Record r;
      r.name = c.bytes(c.pod<uint32_t>("weight name size"), "weight name");
      const auto dt = c.pod<uint8_t>("weight dtype");
      const auto rank = c.pod<uint8_t>("weight rank");
      LT_CHECK(dt <= uint8_t(DType::U8) && rank >= 1 && rank <= Shape::kMaxRank, IoError,
               "model file {} is corrupt: weight '{}' has dtype {} rank {}", path, r.name, dt, rank);
      r.dtype = DType(dt);
      std::vector<int64_t> dims;
      uint64_t expected = sizeOf(r.dtype);
      bool fits = true;
      for (int a = 0; a < rank; ++a) {
        const int64_t d = c.pod<int64_t>("weight dims");
        LT_CHECK(d >= 0, IoError, "model file {} is corrupt: weight '{}' has dimension {}", path,
                 r.name, d);
        fits = fits && !__builtin_mul_overflow(expected, uint64_t(d), &expected);
        dims.push_back(d);
      }
      r.shape = Shape(dims);
      r.bytes = c.pod<uint64_t>("weight size");
      LT_CHECK(fits && r.bytes == expected, IoError,
               "model file {} is corrupt: weight '{}' {} has {} bytes, expected {}", path, r.name,
               r.shape.toString(), r.bytes, expected);
      r.offset = c.pos();
      c.skip(r.bytes, "weight data");
      index_.emplace(r.name, records_.size());
      records_.push_back(std::move(r));
    }
    LT_CHECK(c.left() == 0, IoError,
             "model file {} is corrupt: {} unexpected bytes after the weights", path, c.left());
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

ModelFileReader::~ModelFileReader() {
  if (fd_ >= 0) ::close(fd_);
}

const ModelFileReader::Record* ModelFileReader::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &records_[it->second];
}

void ModelFileReader::read(const Record& r, uint64_t offset, uint64_t n, void* dst) const {
  LT_CHECK(offset <= r.bytes && n <= r.bytes - offset, Error,
           "model file {}: read of bytes [{}, {}) of weight '{}' ({} bytes)", path_, offset,
           offset + n, r.name, r.bytes);
  readAt(r.offset + offset, n, dst, "weight data");
}

void ModelFileReader::readAt(uint64_t pos, uint64_t n, void* dst, const char* what) const {
  const int64_t got = preadFully(fd_, pos, dst, size_t(n));
  LT_CHECK(got >= 0, IoError, "cannot read model file {} ({}): {}", path_, what,
           std::strerror(errno));
  LT_CHECK(uint64_t(got) == n, IoError, "model file {} is truncated: it ended while reading the {}",
           path_, what);
}

}  // namespace lt::models
