#include "models/model_file.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <type_traits>
#include <vector>

#include "common/atomic_file.h"
#include "common/error.h"
#include "models/model_file_format.h"
#include "models/model_file_reader.h"
#include "ops/linear.h"

namespace lt::models {

namespace {

// The model file's byte layout, emitted into a Sink: a SizeSink first (the header holds the
// total size, the checksum hashes it), then a FileSink that streams to the temp file.
struct SizeSink {
  uint64_t bytes = 0;
  void raw(const void*, size_t n) { bytes += n; }
};

// Streams into an AtomicFileWriter and feeds the checksum 8-byte words as they pass,
// holding back at most 7 bytes.
class FileSink {
public:
  FileSink(AtomicFileWriter& f, uint64_t hashedBytes) : f_(f), sum_(hashedBytes) {}
  void raw(const void* p, size_t n) {
    f_.write(p, n);
    const auto* b = static_cast<const unsigned char*>(p);
    if (carried_ > 0) {
      const size_t k = std::min(n, sizeof carry_ - carried_);
      std::memcpy(carry_ + carried_, b, k);
      carried_ += k;
      b += k;
      n -= k;
      if (carried_ < sizeof carry_) return;
      sum_.words(carry_, sizeof carry_);
      carried_ = 0;
    }
    const size_t whole = n / 8 * 8;
    sum_.words(b, whole);
    std::memcpy(carry_, b + whole, n - whole);
    carried_ = n - whole;
  }
  uint64_t finish() { return sum_.finish(carry_, carried_); }

private:
  AtomicFileWriter& f_;
  ModelFileChecksum sum_;
  unsigned char carry_[8] = {};
  size_t carried_ = 0;
};

template <typename Sink, typename T> void pod(Sink& s, T v) { s.raw(&v, sizeof(T)); }
template <typename Sink> void str32(Sink& s, const std::string& v) {
  pod<Sink, uint32_t>(s, uint32_t(v.size()));
  s.raw(v.data(), v.size());
}
template <typename Sink> void str64(Sink& s, const std::string& v) {
  pod<Sink, uint64_t>(s, uint64_t(v.size()));
  s.raw(v.data(), v.size());
}

}  // namespace

const Tensor* ModelFileContents::find(const std::string& name) const {
  for (const auto& [n, t] : weights)
    if (n == name) return &t;
  return nullptr;
}

namespace {
template <typename Sink>
void writeRecord(Sink& s, const std::string& name, DType dtype, const Shape& shape, const void* data,
                 uint64_t bytes) {
  str32(s, name);
  pod<Sink, uint8_t>(s, uint8_t(dtype));
  pod<Sink, uint8_t>(s, uint8_t(shape.rank()));
  for (int a = 0; a < shape.rank(); ++a) pod<Sink, int64_t>(s, shape[a]);
  pod<Sink, uint64_t>(s, bytes);
  s.raw(data, bytes);
}

bool storedAsInt8(const Tensor& t, WeightStorage storage) {
  return storage == WeightStorage::Int8 && t.dtype() == DType::F32 && t.rank() == 2 &&
         t.elements() >= kInt8MinElements;
}

// Everything but the trailing checksum. A SizeSink pass never quantizes: the int8 records'
// sizes follow from the shapes.
template <typename Sink>
void emitModelFile(Sink& s, uint64_t totalBytes, const std::string& yaml, const ParamStore& params,
                   const std::map<std::string, std::string>& blobs, WeightStorage storage) {
  constexpr bool sizing = std::is_same_v<Sink, SizeSink>;
  s.raw(kModelFileMagic, sizeof(kModelFileMagic));
  pod<Sink, uint32_t>(s, kModelFileVersion);
  pod<Sink, uint64_t>(s, totalBytes);
  str64(s, yaml);
  pod<Sink, uint32_t>(s, uint32_t(blobs.size()));
  for (const auto& [name, bytes] : blobs) {
    str32(s, name);
    str64(s, bytes);
  }
  uint32_t count = 0;
  for (const auto& [name, var] : params.all()) count += storedAsInt8(var.value(), storage) ? 2 : 1;
  pod<Sink, uint32_t>(s, count);
  for (const auto& [name, var] : params.all()) {
    const Tensor& t = var.value();
    if (!storedAsInt8(t, storage)) {
      writeRecord(s, name, t.dtype(), t.shape(), t.rawData(), uint64_t(t.bytes()));
    } else if (sizing) {
      writeRecord(s, name, DType::I8, t.shape(), nullptr, uint64_t(t.elements()));
      writeRecord(s, name + kScaleSuffix, DType::F32, Shape{t.dim(0)}, nullptr,
                  uint64_t(t.dim(0)) * sizeof(float));
    } else {  // one matrix's int8 copy at a time
      ops::QuantizedRows q = ops::quantizeWeightRows(t);
      writeRecord(s, name, DType::I8, q.q.shape(), q.q.rawData(), uint64_t(q.q.bytes()));
      writeRecord(s, name + kScaleSuffix, DType::F32, q.scale.shape(), q.scale.rawData(),
                  uint64_t(q.scale.bytes()));
    }
  }
}
}  // namespace

void writeModelFile(const std::string& path, const ModelConfig& cfg, const ParamStore& params,
                    const std::map<std::string, std::string>& blobs, WeightStorage storage) {
  const std::string yaml = toYaml(cfg);
  SizeSink size;
  emitModelFile(size, 0, yaml, params, blobs, storage);
  const uint64_t total = size.bytes + sizeof(uint64_t);
  AtomicFileWriter file(path);
  FileSink out(file, size.bytes);
  emitModelFile(out, total, yaml, params, blobs, storage);
  LT_CHECK(file.written() == size.bytes, Error, "model file {}: wrote {} bytes, expected {}", path,
           file.written(), size.bytes);
  const uint64_t sum = out.finish();
  file.write(&sum, sizeof sum);
  file.commit();
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
void loadWeightsFrom(const Source& src, ParamStore& params, const std::string& path, bool deferInt8) {
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
    const int64_t nrows = dst.dim(0), cols = dst.dim(1);
    if (deferInt8) {  // the rows as they are; the value stays unwritten (ParamStore::setInt8Source)
      ParamStore::Int8Rows r{Tensor::empty(dst.shape(), DType::I8), Tensor::empty(Shape{nrows})};
      src.copy(name, 0, uint64_t(r.q.bytes()), r.q.rawData());
      src.copy(name + kScaleSuffix, 0, uint64_t(r.scale.bytes()), r.scale.rawData());
      params.setInt8Source(var, std::move(r));
      continue;
    }
    // int8 rows times their scales, a block of rows at a time.
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
  loadWeightsFrom(ContentsSource{file}, params, path, false);
}

void loadWeights(const ModelFileReader& file, ParamStore& params, bool deferInt8) {
  loadWeightsFrom(ReaderSource{file}, params, file.path(), deferInt8);
}

}  // namespace lt::models
