#include "models/model_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "ops/linear.h"

namespace lt::models {

namespace {

constexpr char kMagic[8] = {'L', 'T', 'M', 'O', 'D', 'E', 'L', '\0'};

class Writer {
public:
  void raw(const void* p, size_t n) { buf_.append(static_cast<const char*>(p), n); }
  template <typename T> void pod(T v) { raw(&v, sizeof(T)); }
  void str32(const std::string& s) { pod<uint32_t>(uint32_t(s.size())); raw(s.data(), s.size()); }
  void str64(const std::string& s) { pod<uint64_t>(uint64_t(s.size())); raw(s.data(), s.size()); }
  std::string& buf() { return buf_; }

private:
  std::string buf_;
};

class Reader {
public:
  Reader(const std::string& data, size_t end, const std::string& path)
      : d_(data), end_(end), path_(path) {}
  void need(size_t n, const char* what) {
    LT_CHECK(n <= end_ - pos_, IoError,
             "model file {} is corrupt: {} runs past the end of the data (offset {})", path_, what,
             pos_);
  }
  template <typename T> T pod(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, d_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string bytes(size_t n, const char* what) {
    need(n, what);
    std::string s = d_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  const char* ptr() const { return d_.data() + pos_; }
  void skip(size_t n, const char* what) {
    need(n, what);
    pos_ += n;
  }
  size_t pos() const { return pos_; }

private:
  const std::string& d_;
  size_t end_;
  std::string path_;
  size_t pos_ = 0;
};

void writeAll(int fd, const std::string& data, const std::string& path) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = ::write(fd, data.data() + off, data.size() - off);
    if (w < 0 && errno == EINTR) continue;
    LT_CHECK(w > 0, IoError, "cannot write model file {}: {}", path, std::strerror(errno));
    off += size_t(w);
  }
}

}  // namespace

uint64_t modelFileChecksum(const void* data, size_t bytes) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t h = 0x9E3779B97F4A7C15ull ^ bytes;
  size_t i = 0;
  auto mix = [](uint64_t x) {
    x ^= x >> 31;
    x *= 0x7FB5D329728EA185ull;
    x ^= x >> 27;
    x *= 0x81DADEF4BC2DD44Dull;
    x ^= x >> 33;
    return x;
  };
  for (; i + 8 <= bytes; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ mix(w + i)) * 0x100000001B3ull;
  }
  uint64_t tail = 0;
  for (size_t k = 0; i + k < bytes; ++k) tail |= uint64_t(p[i + k]) << (8 * k);
  h = (h ^ mix(tail + bytes)) * 0x100000001B3ull;
  return mix(h);
}

const Tensor* ModelFileContents::find(const std::string& name) const {
  for (const auto& [n, t] : weights)
    if (n == name) return &t;
  return nullptr;
}

namespace {
constexpr const char* kScaleSuffix = "@scale";

void writeWeight(Writer& w, const std::string& name, const Tensor& t) {
  w.str32(name);
  w.pod<uint8_t>(uint8_t(t.dtype()));
  w.pod<uint8_t>(uint8_t(t.rank()));
  for (int a = 0; a < t.rank(); ++a) w.pod<int64_t>(t.dim(a));
  w.pod<uint64_t>(uint64_t(t.bytes()));
  w.raw(t.rawData(), t.bytes());
}

bool storedAsInt8(const Tensor& t, WeightStorage storage) {
  return storage == WeightStorage::Int8 && t.dtype() == DType::F32 && t.rank() == 2 &&
         t.elements() >= kInt8MinElements;
}
}  // namespace

void writeModelFile(const std::string& path, const ModelConfig& cfg, const ParamStore& params,
                    const std::map<std::string, std::string>& blobs, WeightStorage storage) {
  Writer w;
  w.raw(kMagic, sizeof(kMagic));
  w.pod<uint32_t>(kModelFileVersion);
  w.pod<uint64_t>(0);  // total size, patched below
  w.str64(toYaml(cfg));
  w.pod<uint32_t>(uint32_t(blobs.size()));
  for (const auto& [name, bytes] : blobs) {
    w.str32(name);
    w.str64(bytes);
  }
  uint32_t count = 0;
  for (const auto& [name, var] : params.all()) count += storedAsInt8(var.value(), storage) ? 2 : 1;
  w.pod<uint32_t>(count);
  for (const auto& [name, var] : params.all()) {
    const Tensor& t = var.value();
    if (storedAsInt8(t, storage)) {
      ops::QuantizedRows q = ops::quantizeWeightRows(t);
      writeWeight(w, name, q.q);
      writeWeight(w, name + kScaleSuffix, q.scale);
    } else {
      writeWeight(w, name, t);
    }
  }
  uint64_t total = w.buf().size() + sizeof(uint64_t);
  std::memcpy(w.buf().data() + sizeof(kMagic) + sizeof(uint32_t), &total, sizeof(total));
  uint64_t sum = modelFileChecksum(w.buf().data(), w.buf().size());
  w.pod<uint64_t>(sum);

  namespace fs = std::filesystem;
  fs::path target(path);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string tmp = (dir / (target.filename().string() + ".tmp." + std::to_string(::getpid()))).string();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  LT_CHECK(fd >= 0, IoError, "cannot create model file {}: {}", tmp, std::strerror(errno));
  try {
    writeAll(fd, w.buf(), tmp);
    LT_CHECK(::fsync(fd) == 0, IoError, "cannot sync model file {}: {}", tmp, std::strerror(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    LT_THROW(IoError, "cannot move model file into place at {}: {}", path, std::strerror(e));
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

ModelFileContents readModelFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  LT_CHECK(in.good(), IoError, "cannot open model file {}: {}", path, std::strerror(errno));
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t kHeader = sizeof(kMagic) + sizeof(uint32_t) + sizeof(uint64_t);
  LT_CHECK(data.size() >= sizeof(kMagic) && std::memcmp(data.data(), kMagic, sizeof(kMagic)) == 0,
           IoError, "{} is not an lt model file (bad magic)", path);
  LT_CHECK(data.size() >= kHeader, IoError, "model file {} is truncated: {} bytes, header incomplete",
           path, data.size());
  uint32_t version;
  uint64_t total;
  std::memcpy(&version, data.data() + sizeof(kMagic), sizeof(version));
  std::memcpy(&total, data.data() + sizeof(kMagic) + sizeof(version), sizeof(total));
  LT_CHECK(version == kModelFileVersion, IoError,
           "model file {} has format version {}; this build reads version {}", path, version,
           kModelFileVersion);
  LT_CHECK(data.size() >= total, IoError, "model file {} is truncated: {} of {} bytes present",
           path, data.size(), total);
  LT_CHECK(data.size() == total, IoError,
           "model file {} is corrupt: {} bytes, but its header says {}", path, data.size(), total);
  uint64_t stored;
  std::memcpy(&stored, data.data() + total - sizeof(uint64_t), sizeof(stored));
  uint64_t actual = modelFileChecksum(data.data(), total - sizeof(uint64_t));
  LT_CHECK(stored == actual, IoError,
           "model file {} is corrupt: checksum mismatch (stored {:016x}, computed {:016x})", path,
           stored, actual);

  Reader r(data, total - sizeof(uint64_t), path);
  r.skip(kHeader, "header");
  ModelFileContents out;
  out.configYaml = r.bytes(r.pod<uint64_t>("config size"), "config");
  out.config = parseModelConfig(out.configYaml, path + " (embedded config)");
  uint32_t nb = r.pod<uint32_t>("blob count");
  for (uint32_t i = 0; i < nb; ++i) {
    std::string name = r.bytes(r.pod<uint32_t>("blob name size"), "blob name");
    out.blobs[name] = r.bytes(r.pod<uint64_t>("blob size"), "blob");
  }
  uint32_t nw = r.pod<uint32_t>("weight count");
  HeapScope heap;
  for (uint32_t i = 0; i < nw; ++i) {
    std::string name = r.bytes(r.pod<uint32_t>("weight name size"), "weight name");
    auto dt = r.pod<uint8_t>("weight dtype");
    auto rank = r.pod<uint8_t>("weight rank");
    LT_CHECK(dt <= uint8_t(DType::U8) && rank >= 1 && rank <= Shape::kMaxRank, IoError,
             "model file {} is corrupt: weight '{}' has dtype {} rank {}", path, name, dt, rank);
    std::vector<int64_t> dims;
    for (int a = 0; a < rank; ++a) dims.push_back(r.pod<int64_t>("weight dims"));
    Tensor t = Tensor::empty(Shape(dims), DType(dt));
    uint64_t nbytes = r.pod<uint64_t>("weight size");
    LT_CHECK(nbytes == t.bytes(), IoError,
             "model file {} is corrupt: weight '{}' {} has {} bytes, expected {}", path, name,
             t.shape().toString(), nbytes, t.bytes());
    r.need(nbytes, "weight data");
    std::memcpy(t.rawData(), r.ptr(), nbytes);
    r.skip(nbytes, "weight data");
    out.weights.emplace_back(name, t);
  }
  LT_CHECK(r.pos() == total - sizeof(uint64_t), IoError,
           "model file {} is corrupt: {} unexpected bytes after the weights", path,
           total - sizeof(uint64_t) - r.pos());
  return out;
}

void loadWeights(const ModelFileContents& file, ParamStore& params, const std::string& path) {
  // An f32 matrix may be stored as int8 rows; its scales then sit beside it.
  auto scaleOf = [&](const std::string& name, const Tensor& t) -> const Tensor* {
    if (t.dtype() != DType::I8) return nullptr;
    const Tensor* s = file.find(name + kScaleSuffix);
    LT_CHECK(s != nullptr && s->dtype() == DType::F32 && t.rank() == 2 && s->rank() == 1 &&
                 s->dim(0) == t.dim(0),
             IoError, "model file {}: int8 weight '{}' {} needs '{}{}' f32 [{}]", path, name,
             t.shape().toString(), name, kScaleSuffix, t.rank() >= 1 ? t.dim(0) : 0);
    return s;
  };
  for (const auto& [name, var] : params.all()) {
    const Tensor* t = file.find(name);
    LT_CHECK(t != nullptr, IoError, "model file {} has no weight '{}' (expected {})", path, name,
             var.value().shape().toString());
    const bool int8 = t->dtype() == DType::I8 && var.value().dtype() == DType::F32;
    LT_CHECK(t->shape() == var.value().shape() && (int8 || t->dtype() == var.value().dtype()), IoError,
             "model file {}: weight '{}' is {} {}, the model expects {} {}", path, name,
             lt::name(t->dtype()), t->shape().toString(), lt::name(var.value().dtype()),
             var.value().shape().toString());
    if (int8) scaleOf(name, *t);
  }
  for (const auto& [name, t] : file.weights) {
    const size_t n = name.size(), k = std::strlen(kScaleSuffix);
    const bool scale = n > k && name.compare(n - k, k, kScaleSuffix) == 0 &&
                       file.find(name.substr(0, n - k)) != nullptr;
    LT_CHECK(params.has(name) || scale, IoError,
             "model file {} has weight '{}' that this model does not have (another "
             "architecture?)", path, name);
  }
  for (const auto& [name, var] : params.all()) {
    Var v = var;
    const Tensor& t = *file.find(name);
    const Tensor* s = scaleOf(name, t);
    if (!s) {
      v.mutableValue().copyFrom(t);
      continue;
    }
    const int64_t rows = t.dim(0), cols = t.dim(1);
    const int8_t* q = t.data<int8_t>();
    const float* sc = s->data<float>();
    float* dst = v.mutableValue().data<float>();
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) dst[r * cols + c] = float(q[r * cols + c]) * sc[r];
  }
}

}  // namespace lt::models
