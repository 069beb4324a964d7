#include "report/results.h"

#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "common/atomic_file.h"
#include "common/error.h"
#include "eval/json_writer.h"

namespace lt::report {
namespace {

void addString(eval::JsonObject& j, const char* key, const std::string& v) {
  if (v.empty())
    j.addNull(key);
  else
    j.add(key, v);
}

void addNumber(eval::JsonObject& j, const char* key, const std::optional<double>& v) {
  if (!v) {
    j.addNull(key);
  } else if (std::abs(*v) < 9e15 && *v == std::floor(*v)) {
    j.add(key, static_cast<int64_t>(*v));
  } else {
    j.add(key, *v);
  }
}

std::string getString(const YAML::Node& n, const char* key, const std::string& where) {
  YAML::Node v = n[key];
  if (!v || v.IsNull()) return "";
  LT_CHECK(v.IsScalar(), DataError, "{}: field '{}' must be a string", where, key);
  return v.Scalar();
}

std::optional<double> getNumber(const YAML::Node& n, const char* key, const std::string& where) {
  YAML::Node v = n[key];
  if (!v || v.IsNull()) return std::nullopt;
  double d = 0;
  LT_CHECK(v.IsScalar() && YAML::convert<double>::decode(v, d) && std::isfinite(d), DataError,
           "{}: field '{}' must be a number or null, got '{}'", where, key,
           v.IsScalar() ? v.Scalar() : std::string("a list or object"));
  return d;
}

// Names the kind of mixer of one block: transformer, lightconv, lite, ...
std::string blockVariant(const models::BlockConfig& b) {
  bool att = false, light = false, dyn = false;
  std::string joined;
  for (const auto& br : b.branches) {
    att |= br.type == "attention";
    light |= br.type == "lightconv";
    dyn |= br.type == "dynamicconv";
    joined += (joined.empty() ? "" : "+") + br.type;
  }
  const size_t n = b.branches.size();
  if (n == 1 && att) return "transformer";
  if (n == 1 && light) return "lightconv";
  if (n == 1 && dyn) return "dynamicconv";
  if (n == 2 && att && light) return "lite";
  if (n == 2 && att && dyn) return "lite-dynamic";
  return joined.empty() ? "unknown" : joined;
}

}  // namespace

std::string toJsonLine(const ResultRecord& r) {
  eval::JsonObject j;
  j.add("name", r.name);
  addString(j, "variant", r.variant);
  addString(j, "config", r.config);
  addString(j, "model", r.model);
  addNumber(j, "params", r.params);
  addNumber(j, "params_stored", r.paramsStored);
  addNumber(j, "mult_adds", r.multAdds);
  addNumber(j, "seq_len", r.seqLen ? std::optional<double>(*r.seqLen) : std::nullopt);
  addNumber(j, "bleu", r.bleu);
  addString(j, "metric", r.metric);
  addString(j, "signature", r.signature);
  addString(j, "test_set", r.testSet);
  addString(j, "date", r.date);
  addString(j, "source", r.source);
  return j.str();
}

ResultRecord parseResultLine(const std::string& line, const std::string& where) {
  YAML::Node n;
  try {
    n = YAML::Load(line);
  } catch (const YAML::Exception& e) {
    LT_THROW(DataError, "{}: not a JSON object ({})", where, e.msg);
  }
  LT_CHECK(n.IsMap(), DataError, "{}: not a JSON object", where);
  ResultRecord r;
  r.name = getString(n, "name", where);
  LT_CHECK(!r.name.empty(), DataError, "{}: field 'name' is missing or empty", where);
  r.variant = getString(n, "variant", where);
  r.config = getString(n, "config", where);
  r.model = getString(n, "model", where);
  r.params = getNumber(n, "params", where);
  r.paramsStored = getNumber(n, "params_stored", where);
  r.multAdds = getNumber(n, "mult_adds", where);
  if (auto s = getNumber(n, "seq_len", where)) r.seqLen = static_cast<int>(*s);
  r.bleu = getNumber(n, "bleu", where);
  r.metric = getString(n, "metric", where);
  r.signature = getString(n, "signature", where);
  r.testSet = getString(n, "test_set", where);
  r.date = getString(n, "date", where);
  r.source = getString(n, "source", where);
  return r;
}

std::vector<ResultRecord> readResults(const std::string& path) {
  std::ifstream in(path);
  LT_CHECK(in.good(), IoError, "{}: cannot open the results file", path);
  std::vector<ResultRecord> out;
  std::string line;
  for (size_t lineNo = 1; std::getline(in, line); ++lineNo) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    out.push_back(parseResultLine(line, fmt::format("{}:{}", path, lineNo)));
  }
  LT_CHECK(!in.bad(), IoError, "{}: read error", path);
  return out;
}

void appendResults(const std::string& path, const std::vector<ResultRecord>& records) {
  std::string lines;
  for (const auto& r : records) lines += toJsonLine(r) + '\n';
  appendFileWhole(path, lines);  // every row or none: never a torn last line
}

std::string utcNow() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string variantName(const models::ModelConfig& cfg) {
  std::string e = blockVariant(cfg.encoderBlock), d = blockVariant(cfg.decoderBlock);
  return e == d ? e : e + "/" + d;
}

}  // namespace lt::report
