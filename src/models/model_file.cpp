#include "models/model_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>

#include "common/error.h"
#include "models/model_file_format.h"
#include "models/model_file_reader.h"
#include "ops/linear.h"

namespace lt::models {

namespace {

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

const Tensor* ModelFileContents::find(const std::string& name) const {
  for (const auto& [n, t] : weights)
    if (n == name) return &t;
  return nullptr;
}

namespace {
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
  w.raw(kModelFileMagic, sizeof(kModelFileMagic));
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
  std::memcpy(w.buf().data() + sizeof(kModelFileMagic) + sizeof(uint32_t), &total, sizeof(total));
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
  ModelFileReader r(path);
  ModelFileContents out;
  out.configYaml = r.configYaml();
  out.config = r.config();
  out.blobs = r.blobs();
  HeapScope heap;
  for (const ModelFileReader::Record& rec : r.weights()) {
    Tensor t = Tensor::empty(rec.shape, rec.dtype);
    r.read(rec, t.rawData());
    out.weights.emplace_back(rec.name, t);
  }
  return out;
}

namespace {

struct WeightMeta {
  DType dtype;
  Shape shape;
};

// loadWeights over either source: ModelFileContents (weights in memory) or ModelFileReader
// (weights read from the file as they are needed).
struct ContentsSource {
  const ModelFileContents& f;
  std::optional<WeightMeta> meta(const std::string& name) const {
    const Tensor* t = f.find(name);
    if (!t) return std::nullopt;
    return WeightMeta{t->dtype(), t->shape()};
  }
  template <typename Fn> void eachName(Fn fn) const {
    for (const auto& [n, t] : f.weights) fn(n);
  }
  void copy(const std::string& name, uint64_t offset, uint64_t n, void* dst) const {
    std::memcpy(dst, static_cast<const char*>(f.find(name)->rawData()) + offset, n);
  }
};

struct ReaderSource {
  const ModelFileReader& r;
  std::optional<WeightMeta> meta(const std::string& name) const {
    const ModelFileReader::Record* rec = r.find(name);
    if (!rec) return std::nullopt;
    return WeightMeta{rec->dtype, rec->shape};
  }
  template <typename Fn> void eachName(Fn fn) const {
    for (const ModelFileReader::Record& rec : r.weights()) fn(rec.name);
  }
  void copy(const std::string& name, uint64_t offset, uint64_t n, void* dst) const {
    r.read(*r.find(name), offset, n, dst);
  }
};

template <typename Source>
void loadWeightsFrom(const Source& src, ParamStore& params, const std::string& path) {
  // An f32 matrix may be stored as int8 rows; its scales then sit beside it.
  auto checkScale = [&](const std::string& name, const WeightMeta& t) {
    const std::optional<WeightMeta> s = src.meta(name + kScaleSuffix);
    LT_CHECK(s && s->dtype == DType::F32 && t.shape.rank() == 2 && s->shape.rank() == 1 &&
                 s->shape[0] == t.shape[0],
             IoError, "model file {}: int8 weight '{}' {} needs '{}{}' f32 [{}]", path, name,
             t.shape.toString(), name, kScaleSuffix, t.shape.rank() >= 1 ? t.shape[0] : 0);
  };
  for (const auto& [name, var] : params.all()) {
    const std::optional<WeightMeta> t = src.meta(name);
    LT_CHECK(t.has_value(), IoError, "model file {} has no weight '{}' (expected {})", path, name,
             var.value().shape().toString());
    const bool int8 = t->dtype == DType::I8 && var.value().dtype() == DType::F32;
    LT_CHECK(t->shape == var.value().shape() && (int8 || t->dtype == var.value().dtype()), IoError,
             "model file {}: weight '{}' is {} {}, the model expects {} {}", path, name,
             lt::name(t->dtype), t->shape.toString(), lt::name(var.value().dtype()),
             var.value().shape().toString());
    if (int8) checkScale(name, *t);
  }
  src.eachName([&](const std::string& name) {
    const size_t n = name.size(), k = std::strlen(kScaleSuffix);
    const bool scale = n > k && name.compare(n - k, k, kScaleSuffix) == 0 &&
                       src.meta(name.substr(0, n - k)).has_value();
    LT_CHECK(params.has(name) || scale, IoError,
             "model file {} has weight '{}' that this model does not have (another "
             "architecture?)", path, name);
  });
  std::vector<int8_t> rows;
  std::vector<float> scales;
  for (const auto& [name, var] : params.all()) {
    Var v = var;
    Tensor& dst = v.mutableValue();
    if (src.meta(name)->dtype == dst.dtype()) {
      src.copy(name, 0, dst.bytes(), dst.rawData());
      continue;
    }
    // int8 rows times their scales, a block of rows at a time.
    const int64_t nrows = dst.dim(0), cols = dst.dim(1);
    scales.resize(size_t(nrows));
    src.copy(name + kScaleSuffix, 0, scales.size() * sizeof(float), scales.data());
    const int64_t block = std::max<int64_t>(1, (int64_t(1) << 20) / std::max<int64_t>(cols, 1));
    float* out = dst.data<float>();
    for (int64_t r0 = 0; r0 < nrows; r0 += block) {
      const int64_t r1 = std::min(nrows, r0 + block);
      rows.resize(size_t((r1 - r0) * cols));
      src.copy(name, uint64_t(r0 * cols), rows.size(), rows.data());
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t c = 0; c < cols; ++c)
          out[r * cols + c] = float(rows[size_t((r - r0) * cols + c)]) * scales[size_t(r)];
    }
  }
}

}  // namespace

void loadWeights(const ModelFileContents& file, ParamStore& params, const std::string& path) {
  loadWeightsFrom(ContentsSource{file}, params, path);
}

void loadWeights(const ModelFileReader& file, ParamStore& params) {
  loadWeightsFrom(ReaderSource{file}, params, file.path());
}

}  // namespace lt::models
