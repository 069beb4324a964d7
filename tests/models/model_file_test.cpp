// Model file: round trip, atomic replace, and the IoErrors for damaged files.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "autodiff/param_store.h"
#include "common/error.h"
#include "models/model_file.h"

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
