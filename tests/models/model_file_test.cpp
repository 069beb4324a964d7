// Model file: round trip, atomic replace, and the IoErrors for damaged files.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "autodiff/param_store.h"
#include "common/error.h"
#include "common/rng.h"
#include "models/model_file.h"
#include "ops/linear.h"

using namespace lt;
using namespace lt::models;

namespace {

std::string tmpPath(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("lt_model_file_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

std::string readAll(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void writeAllBytes(const std::string& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(s.data(), std::streamsize(s.size()));
}

template <typename F> std::string ioError(F f) {
  try {
    f();
  } catch (const IoError& e) {
    return e.what();
  }
  return "";
}
bool has(const std::string& s, const std::string& sub) { return s.find(sub) != std::string::npos; }

void fillParams(ParamStore& ps, uint64_t seed) {
  Rng rng(seed);
  ps.add("encoder/embed/table", Shape{11, 8}, Init::normal(1.f), rng);
  ps.add("encoder/l0/mix/b0/q/weight", Shape{8, 8}, Init::xavier(), rng);
  ps.add("encoder/l0/mix/b0/q/bias", Shape{8}, Init::uniform(0.5f), rng);
  ps.add("decoder/out/weight", Shape{13, 8}, Init::normal(0.3f), rng);
}

ModelConfig smallConfig() {
  ModelConfig c = parseModelConfig(
      "model-dim: 8\nffn-dim: 16\ncross-heads: 2\nencoder-block: lite\nsrc-vocab-size: 11\n"
      "tgt-vocab-size: 13\nencoder-layers: 1\ndecoder-layers: 1\n",
      "small");
  return resolveModelConfig(c);
}

}  // namespace

TEST_CASE("model file: round trip is bit-exact (weights, config, blobs)") {
  ParamStore ps;
  fillParams(ps, 7);
  ModelConfig cfg = smallConfig();
  std::string vocab("\x00\x01\x02binary\xffvocab", 15);
  std::map<std::string, std::string> blobs = {{"vocab/src", vocab}, {"vocab/tgt", "tgt-bytes"}};
  std::string path = tmpPath("round.lt");
  writeModelFile(path, cfg, ps, blobs);
  ModelFileContents f = readModelFile(path);
  CHECK(f.config == cfg);
  CHECK(f.blobs == blobs);
  REQUIRE(f.weights.size() == ps.size());
  ParamStore other;
  fillParams(other, 99);  // same names and shapes, other values
  loadWeights(f, other, path);
  for (size_t i = 0; i < ps.size(); ++i) {
    const Tensor& a = ps.all()[i].second.value();
    const Tensor& b = other.all()[i].second.value();
    CHECK(ps.all()[i].first == f.weights[i].first);
    REQUIRE(a.shape() == b.shape());
    CHECK(std::memcmp(a.rawData(), b.rawData(), a.bytes()) == 0);
  }
  // No temp file left behind; overwriting replaces the file.
  writeModelFile(path, cfg, other, {});
  CHECK(readModelFile(path).blobs.empty());
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(std::filesystem::path(path).parent_path()))
    files += has(e.path().filename().string(), "round.lt");
  CHECK(files == 1);
}

TEST_CASE("model file: truncated, corrupt, wrong version, missing and mismatched weights") {
  ParamStore ps;
  fillParams(ps, 3);
  ModelConfig cfg = smallConfig();
  std::string path = tmpPath("damaged.lt");
  writeModelFile(path, cfg, ps, {{"vocab/src", "abc"}});
  const std::string good = readAll(path);

  std::string bad = tmpPath("bad.lt");
  writeAllBytes(bad, good.substr(0, good.size() - 100));
  std::string e = ioError([&] { readModelFile(bad); });
  CHECK(has(e, "truncated"));
  CHECK(has(e, bad));

  writeAllBytes(bad, good.substr(0, 10));
  CHECK(has(ioError([&] { readModelFile(bad); }), "truncated"));

  for (size_t pos : {good.size() / 2, good.size() - 3, size_t(40)}) {
    std::string flipped = good;
    flipped[pos] = char(flipped[pos] ^ 0x10);
    writeAllBytes(bad, flipped);
    e = ioError([&] { readModelFile(bad); });
    CHECK_MESSAGE(has(e, "corrupt"), "flip at " << pos << ": " << e);
  }

  std::string v2 = good;
  v2[8] = 2;
  writeAllBytes(bad, v2);
  e = ioError([&] { readModelFile(bad); });
  CHECK(has(e, "format version 2"));

  writeAllBytes(bad, "not a model at all");
  CHECK(has(ioError([&] { readModelFile(bad); }), "not an lt model file"));
  CHECK(has(ioError([&] { readModelFile(tmpPath("missing.lt")); }), "cannot open"));

  ModelFileContents f = readModelFile(path);
  ParamStore more;
  fillParams(more, 3);
  Rng rng(1);
  more.add("decoder/l0/ln1/gamma", Shape{8}, Init::ones(), rng);
  e = ioError([&] { loadWeights(f, more, path); });
  CHECK(has(e, "no weight 'decoder/l0/ln1/gamma'"));

  ParamStore shaped;
  shaped.add("encoder/embed/table", Shape{12, 8}, Init::zeros(), rng);
  shaped.add("encoder/l0/mix/b0/q/weight", Shape{8, 8}, Init::zeros(), rng);
  shaped.add("encoder/l0/mix/b0/q/bias", Shape{8}, Init::zeros(), rng);
  shaped.add("decoder/out/weight", Shape{13, 8}, Init::zeros(), rng);
  e = ioError([&] { loadWeights(f, shaped, path); });
  CHECK(has(e, "'encoder/embed/table'"));
  CHECK(has(e, "[11x8]"));
  CHECK(has(e, "[12x8]"));

  ParamStore fewer;
  fewer.add("encoder/embed/table", Shape{11, 8}, Init::zeros(), rng);
  CHECK(has(ioError([&] { loadWeights(f, fewer, path); }), "does not have"));
}

TEST_CASE("model file: int8 weight storage (matrices as int8 rows + scales, the rest as is)") {
  ParamStore ps;
  Rng rng(8);
  ps.add("encoder/embed/table", Shape{40, 32}, Init::normal(1.f), rng);      // 1280: int8
  ps.add("encoder/l0/ffn/fc1/weight", Shape{64, 32}, Init::xavier(), rng);   // 2048: int8
  ps.add("encoder/l0/ffn/fc1/bias", Shape{64}, Init::uniform(0.5f), rng);    // vector: f32
  ps.add("encoder/l0/mix/b1/weight", Shape{4, 7}, Init::uniform(1.f), rng);  // small: f32
  ModelConfig cfg = smallConfig();
  std::string p32 = tmpPath("w32.lt"), p8 = tmpPath("w8.lt");
  writeModelFile(p32, cfg, ps, {});
  writeModelFile(p8, cfg, ps, {}, WeightStorage::Int8);
  CHECK(std::filesystem::file_size(p8) < std::filesystem::file_size(p32) * 0.4);
  ModelFileContents f = readModelFile(p8);
  REQUIRE(f.find("encoder/embed/table") != nullptr);
  CHECK(f.find("encoder/embed/table")->dtype() == DType::I8);
  CHECK(f.find("encoder/embed/table@scale")->shape() == Shape{40});
  CHECK(f.find("encoder/l0/ffn/fc1/bias")->dtype() == DType::F32);
  CHECK(f.find("encoder/l0/mix/b1/weight")->dtype() == DType::F32);
  CHECK(f.find("encoder/l0/mix/b1/weight@scale") == nullptr);

  ParamStore back;
  Rng rng2(9);
  back.add("encoder/embed/table", Shape{40, 32}, Init::zeros(), rng2);
  back.add("encoder/l0/ffn/fc1/weight", Shape{64, 32}, Init::zeros(), rng2);
  back.add("encoder/l0/ffn/fc1/bias", Shape{64}, Init::zeros(), rng2);
  back.add("encoder/l0/mix/b1/weight", Shape{4, 7}, Init::zeros(), rng2);
  loadWeights(f, back, p8);
  for (size_t i = 0; i < ps.size(); ++i) {
    const std::string& name = ps.all()[i].first;
    const Tensor& a = ps.all()[i].second.value();
    const Tensor& b = back.all()[i].second.value();
    const Tensor* stored = f.find(name);
    if (stored->dtype() != DType::I8) {
      CHECK_MESSAGE(std::memcmp(a.rawData(), b.rawData(), a.bytes()) == 0, name);
      continue;
    }
    // Loaded = q · s exactly, within half a step of the original, and the row's largest
    // magnitude comes back as ±127 steps.
    const Tensor& s = *f.find(name + "@scale");
    const int64_t cols = a.dim(1);
    for (int64_t r = 0; r < a.dim(0); ++r) {
      float amax = 0;
      for (int64_t c = 0; c < cols; ++c) amax = std::max(amax, std::fabs(a.data<float>()[r * cols + c]));
      CHECK(s.data<float>()[r] == amax / 127.f);
      for (int64_t c = 0; c < cols; ++c) {
        const float q = float(stored->data<int8_t>()[r * cols + c]);
        CHECK(b.data<float>()[r * cols + c] == q * s.data<float>()[r]);
        CHECK(std::fabs(b.data<float>()[r * cols + c] - a.data<float>()[r * cols + c]) <=
              0.5f * s.data<float>()[r] * 1.0001f);
      }
    }
  }
  // An int8 matrix without its scales is named.
  ModelFileContents broken = f;
  broken.weights.erase(std::remove_if(broken.weights.begin(), broken.weights.end(),
                                      [](const auto& w) { return w.first == "encoder/l0/ffn/fc1/weight@scale"; }),
                       broken.weights.end());
  CHECK(has(ioError([&] { loadWeights(broken, back, p8); }),
            "int8 weight 'encoder/l0/ffn/fc1/weight' [64x32] needs 'encoder/l0/ffn/fc1/weight@scale' f32 [64]"));
  // A stray scale without its matrix is another architecture's weight.
  ModelFileContents stray = readModelFile(p32);
  stray.weights.emplace_back("decoder/x@scale", Tensor::zeros({3}));
  CHECK(has(ioError([&] { loadWeights(stray, back, p32); }), "has weight 'decoder/x@scale' that this model does not have"));
}

TEST_CASE("model file: the streaming reader loads what the in-memory path loads") {
  // A 1,100 x 1,024 matrix is 1.1 MB as int8 rows: the reader dequantizes it in two row
  // blocks (1 MiB each at most); the other weights are small or f32.
  ParamStore ps;
  Rng rng(12);
  ps.add("encoder/embed/table", Shape{1100, 1024}, Init::normal(1.f), rng);
  ps.add("encoder/l0/ffn/fc1/weight", Shape{64, 32}, Init::xavier(), rng);
  ps.add("encoder/l0/ffn/fc1/bias", Shape{64}, Init::uniform(0.5f), rng);
  ps.add("encoder/l0/mix/b1/weight", Shape{4, 7}, Init::uniform(1.f), rng);
  ModelConfig cfg = smallConfig();
  const std::map<std::string, std::string> blobs = {{"vocab/src", "s"}, {"vocab/tgt", "t"}};
  auto fresh = [&] {
    ParamStore out;
    Rng r(13);
    for (const auto& [name, var] : ps.all()) out.add(name, var.value().shape(), Init::normal(1.f), r);
    return out;
  };
  for (WeightStorage storage : {WeightStorage::F32, WeightStorage::Int8}) {
    const std::string path = tmpPath(storage == WeightStorage::F32 ? "stream32.lt" : "stream8.lt");
    writeModelFile(path, cfg, ps, blobs, storage);
    ModelFileReader reader(path);
    ModelFileContents contents = readModelFile(path);
    CHECK(reader.config() == cfg);
    CHECK(reader.configYaml() == contents.configYaml);
    CHECK(reader.blobs() == blobs);
    REQUIRE(reader.weights().size() == contents.weights.size());
    for (size_t i = 0; i < contents.weights.size(); ++i) {
      const ModelFileReader::Record& rec = reader.weights()[i];
      const Tensor& t = contents.weights[i].second;
      CHECK(rec.name == contents.weights[i].first);
      CHECK(rec.dtype == t.dtype());
      CHECK(rec.shape == t.shape());
      CHECK(rec.bytes == t.bytes());
      CHECK(reader.find(rec.name) == &rec);
    }
    CHECK(reader.find("no/such/weight") == nullptr);
    ParamStore viaContents = fresh(), viaReader = fresh();
    loadWeights(contents, viaContents, path);
    loadWeights(reader, viaReader);
    for (size_t i = 0; i < ps.size(); ++i) {
      const Tensor& a = viaContents.all()[i].second.value();
      const Tensor& b = viaReader.all()[i].second.value();
      CHECK_MESSAGE(std::memcmp(a.rawData(), b.rawData(), a.bytes()) == 0, ps.all()[i].first);
    }
    if (storage == WeightStorage::F32) {  // f32 weights come back bit for bit
      for (size_t i = 0; i < ps.size(); ++i)
        CHECK(std::memcmp(ps.all()[i].second.value().rawData(),
                          viaReader.all()[i].second.value().rawData(),
                          ps.all()[i].second.value().bytes()) == 0);
    }
    // The reader's checks are loadWeights' checks: a missing parameter is named.
    ParamStore more = fresh();
    Rng r(1);
    more.add("decoder/l0/ln1/gamma", Shape{8}, Init::ones(), r);
    CHECK(has(ioError([&] { loadWeights(reader, more); }), "no weight 'decoder/l0/ln1/gamma'"));
  }
  // A directory is not a model file.
  CHECK(has(ioError([&] { ModelFileReader r(std::filesystem::temp_directory_path().string()); }),
            "not a regular file"));
}

TEST_CASE("model file: the checksum fed in pieces equals the one-piece checksum") {
  std::string data;
  Rng rng(3);
  for (int i = 0; i < 1000; ++i) data.push_back(char(rng.uniform(0.f, 255.f)));
  for (size_t len : {size_t(0), size_t(5), size_t(8), size_t(999), size_t(1000)}) {
    for (size_t piece : {size_t(8), size_t(64), size_t(1024)}) {
      ModelFileChecksum c(len);
      size_t pos = 0;
      while (len - pos > piece) {
        c.words(data.data() + pos, piece);
        pos += piece;
      }
      CHECK(c.finish(data.data() + pos, len - pos) == modelFileChecksum(data.data(), len));
    }
  }
  CHECK(modelFileChecksum(data.data(), 16) != modelFileChecksum(data.data(), 15));
  // Golden values of the format (computed by the one-piece implementation that wrote every
  // existing model file, before the streaming reader): the sum must never change.
  const char* golden = "lt model file checksum golden value";
  CHECK(modelFileChecksum(golden, std::strlen(golden)) == 0x67b113b731bc9042ull);
  CHECK(modelFileChecksum(golden, 0) == 0x2caa85d7b148e118ull);
}

namespace {
// The layout of models/model_file.h, assembled in memory by hand.
struct Bytes {
  std::string s;
  void raw(const void* p, size_t n) { s.append(static_cast<const char*>(p), n); }
  template <typename T> void pod(T v) { raw(&v, sizeof v); }
  void str32(const std::string& v) { pod<uint32_t>(uint32_t(v.size())); raw(v.data(), v.size()); }
  void str64(const std::string& v) { pod<uint64_t>(uint64_t(v.size())); raw(v.data(), v.size()); }
  void record(const std::string& name, const Tensor& t) {
    str32(name);
    pod<uint8_t>(uint8_t(t.dtype()));
    pod<uint8_t>(uint8_t(t.rank()));
    for (int a = 0; a < t.rank(); ++a) pod<int64_t>(t.dim(a));
    pod<uint64_t>(uint64_t(t.bytes()));
    raw(t.rawData(), t.bytes());
  }
};
}  // namespace

TEST_CASE("model file: the streamed file is the documented layout, byte for byte") {
  ParamStore ps;
  fillParams(ps, 11);
  Rng r(5);
  ps.add("decoder/l0/ffn/w1/weight", Shape{48, 40}, Init::xavier(), r);  // >= 1024: int8-eligible
  ps.add("decoder/l0/ffn/w1/bias", Shape{48}, Init::uniform(0.1f), r);
  const ModelConfig cfg = smallConfig();
  const std::map<std::string, std::string> blobs = {{"a", "xyz"}, {"vocab/src", std::string(1001, 'v')}};
  for (WeightStorage storage : {WeightStorage::F32, WeightStorage::Int8}) {
    CAPTURE(int(storage));
    Bytes b;
    b.raw(kModelFileMagic, sizeof kModelFileMagic);
    b.pod<uint32_t>(kModelFileVersion);
    b.pod<uint64_t>(0);  // the total, below
    b.str64(toYaml(cfg));
    b.pod<uint32_t>(uint32_t(blobs.size()));
    for (const auto& [name, bytes] : blobs) {
      b.str32(name);
      b.str64(bytes);
    }
    std::vector<std::pair<std::string, Tensor>> records;
    for (const auto& [name, var] : ps.all()) {
      const Tensor& t = var.value();
      if (storage == WeightStorage::Int8 && t.rank() == 2 && t.elements() >= kInt8MinElements) {
        ops::QuantizedRows q = ops::quantizeWeightRows(t);
        records.emplace_back(name, q.q);
        records.emplace_back(name + "@scale", q.scale);
      } else {
        records.emplace_back(name, t);
      }
    }
    CHECK(records.size() == (storage == WeightStorage::Int8 ? 7u : 6u));  // one int8 matrix + its scales
    b.pod<uint32_t>(uint32_t(records.size()));
    for (const auto& [name, t] : records) b.record(name, t);
    const uint64_t total = b.s.size() + 8;
    std::memcpy(b.s.data() + 12, &total, 8);
    b.pod<uint64_t>(modelFileChecksum(b.s.data(), b.s.size()));

    const std::string path = tmpPath("layout.lt");
    writeModelFile(path, cfg, ps, blobs, storage);
    const std::string file = readAll(path);
    CHECK(file.size() == b.s.size());
    CHECK(file == b.s);
  }
}
