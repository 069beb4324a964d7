// Unit tests of src/report: results file, variant names, ticks, SVG plot, measurement
// plumbing, cost rows and their formats. The end-to-end checks through lt-eval (paper rows,
// bad inputs, rendering) are in test_cost_command.py.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "data/vocab.h"
#include "kernels/backend.h"
#include "models/translation_model.h"
#include "report/cost_command.h"
#include "report/measure.h"
#include "report/plot.h"
#include "report/results.h"

using namespace lt;
using namespace lt::report;

namespace {

size_t countOf(const std::string& s, const std::string& needle) {
  size_t n = 0;
  for (size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
  return n;
}

std::string tmpPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("lt_report_test_" + name)).string();
}

models::ModelConfig parse(const std::string& yaml) { return models::parseModelConfig(yaml, "test.yml"); }

ResultRecord rec(const std::string& name, const std::string& variant, double macs, std::optional<double> bleu) {
  ResultRecord r;
  r.name = name;
  r.variant = variant;
  r.multAdds = macs;
  r.params = macs / 20;
  r.bleu = bleu;
  return r;
}

}  // namespace

TEST_CASE("results: JSON line round trip, compact JSON, nulls and errors") {
  ResultRecord r = rec("lite \"160\"", "lite", 54710400, 30.9);
  r.config = "configs/a.yml";
  r.seqLen = 30;
  r.metric = "bleu-paper";
  r.date = "2026-01-02T03:04:05Z";
  std::string line = toJsonLine(r);
  CHECK(line.find("\"mult_adds\": 54710400") != std::string::npos);  // integral counts stay integers
  CHECK(line.find("\"model\": null") != std::string::npos);
  ResultRecord back = parseResultLine(line, "x:1");
  CHECK(back.name == r.name);
  CHECK(back.variant == "lite");
  CHECK(*back.multAdds == 54710400.0);
  CHECK(*back.bleu == doctest::Approx(30.9));
  CHECK(*back.seqLen == 30);
  CHECK(back.model.empty());
  CHECK(back.date == r.date);

  ResultRecord c = parseResultLine(R"({"name":"x","bleu":27.8,"mult_adds":6.3e7,"extra":[1,2]})", "f:2");
  CHECK(*c.multAdds == 63000000.0);
  CHECK(!c.params);
  CHECK_THROWS_AS(parseResultLine("[1, 2]", "f:3"), DataError);
  CHECK_THROWS_AS(parseResultLine(R"({"bleu": 3})", "f:4"), DataError);            // no name
  CHECK_THROWS_AS(parseResultLine(R"({"name": "a", "bleu": "high"})", "f:5"), DataError);
  try {
    parseResultLine("{not json", "res.jsonl:7");
    FAIL("expected an error");
  } catch (const DataError& e) {
    CHECK(std::string(e.what()).find("res.jsonl:7") != std::string::npos);
  }

  std::string path = tmpPath("append.jsonl");
  std::remove(path.c_str());
  appendResults(path, {r});
  appendResults(path, {rec("b", "tf", 63e6, std::nullopt), rec("c", "tf", 139e6, 31.3)});
  auto all = readResults(path);
  REQUIRE(all.size() == 3);
  CHECK(all[1].name == "b");
  CHECK(!all[1].bleu);
  std::remove(path.c_str());
  CHECK_THROWS_AS(readResults(path), IoError);
}

TEST_CASE("variantName from blocks") {
  CHECK(variantName(parse("encoder-block: transformer\ndecoder-block: transformer\n")) == "transformer");
  CHECK(variantName(parse("model-dim: 160\nencoder-block: lite\ndecoder-block: lite\n")) == "lite");
  CHECK(variantName(parse("encoder-block: lite-dynamic\ndecoder-block: lite-dynamic\n")) == "lite-dynamic");
  CHECK(variantName(parse("encoder-block: lightconv\ndecoder-block: transformer\n")) == "lightconv/transformer");
  // Explicit branches give the same names as the presets (model files store explicit blocks).
  models::ModelConfig c = parse("model-dim: 160\nencoder-block: lite\ndecoder-block: lite\n");
  CHECK(variantName(parse(models::toYaml(models::resolveModelConfig(c)))) == "lite");
}

TEST_CASE("niceTicks: 1-2-5 steps covering the range") {
  CHECK(niceTicks(0, 10, 5) == std::vector<double>{0, 2, 4, 6, 8, 10});
  CHECK(niceTicks(52, 215, 6) == std::vector<double>{60, 80, 100, 120, 140, 160, 180, 200});
  auto t = niceTicks(27.3, 34.1, 5);
  CHECK(t.front() == doctest::Approx(28));
  CHECK(t.back() == doctest::Approx(34));
  CHECK(t[1] - t[0] == doctest::Approx(1));
  auto s = niceTicks(0.013, 0.021, 4);
  CHECK(s[1] - s[0] == doctest::Approx(0.002));
}

TEST_CASE("plot: one series per variant, markers per point, skipped records") {
  std::vector<ResultRecord> recs = {rec("a1", "A", 63e6, 27.8), rec("b1", "B", 54e6, 30.9),
                                    rec("a2", "A", 139e6, 31.3), rec("b2", "B", 119e6, 32.9),
                                    rec("c1", "", 80e6, 29.0), rec("nobleu", "A", 100e6, std::nullopt)};
  PlotOptions opt;
  opt.title = "T & <co>";
  PlotStats st;
  std::string svg = plotTradeoffSvg(recs, opt, &st);
  CHECK(st.series == 3);  // A, B, and c1 (named by its name: no variant)
  CHECK(st.points == 5);
  CHECK(st.skipped == 1);
  CHECK(countOf(svg, "class=\"series\"") == 3);
  CHECK(countOf(svg, "class=\"point\"") == 5);
  CHECK(countOf(svg, "class=\"line\"") == 2);  // single-point series have no line
  CHECK(countOf(svg, "class=\"legend-marker\"") == 3);
  CHECK(svg.find("T &amp; &lt;co&gt;") != std::string::npos);
  CHECK(svg.find("#Mult-Adds (M)") != std::string::npos);
  // Points within a series are joined in cost order: A's 63M point comes before its 139M one.
  CHECK(svg.find("data-x=\"63\"") < svg.find("data-x=\"139\""));
  opt.x = "params";
  CHECK(plotTradeoffSvg(recs, opt).find("#Params (M)") != std::string::npos);
  opt.x = "flops";
  CHECK_THROWS_AS(plotTradeoffSvg(recs, opt), ConfigError);
  CHECK_THROWS_AS(plotTradeoffSvg({rec("x", "A", 1e6, std::nullopt)}, PlotOptions()), ConfigError);
}

TEST_CASE("measureDecoding: batch-1 samples, throughput batch, forced lengths") {
  models::ModelConfig cfg = parse(
      "encoder-layers: 1\ndecoder-layers: 1\nmodel-dim: 16\nffn-dim: 32\ncross-heads: 2\n"
      "encoder-block: {preset: transformer, heads: 2}\ndecoder-block: {preset: transformer, heads: 2}\n"
      "src-vocab-size: 20\ntgt-vocab-size: 20\n");
  ParamStore ps;
  Rng rng(3);
  models::EncoderDecoder net(cfg, ps, rng);
  // Forced length: every hypothesis has steps - 1 tokens whatever the random weights say.
  auto macsOf = [&](int rows) {
    kernels::MacCounter c;
    kernels::MacCounterScope scope(c);
    auto hyps = decodeForcedLength(net, randomSourceBatch(rows, 9, 20, 11), 3, 7);
    REQUIRE(int(hyps.size()) == rows);
    for (const auto& h : hyps) CHECK(h.at(0).tokens.size() == 6);
    return c.macs;
  };
  const int64_t one = macsOf(1), five = macsOf(5);
  CHECK(one > 0);
  MeasureOptions mo;
  mo.srcLen = 9;
  mo.tgtLen = 7;
  mo.beam = 3;
  mo.sentences = 4;
  mo.warmup = 1;
  mo.batch = 5;
  mo.batchRepeats = 2;
  kernels::MacCounter all;
  Measurement m;
  {
    kernels::MacCounterScope scope(all);
    m = measureDecoding(net, mo, 1);
  }
  // 1 warm-up + 4 samples at batch 1, 2 repeats of the batch of 5 (the cost of a step does not
  // depend on the token ids).
  CHECK(all.macs == 5 * one + 2 * five);
  CHECK(m.latencyMedianMs > 0);
  CHECK(m.latencyMinMs <= m.latencyMedianMs);
  CHECK(m.sentencesPerSecond > 0);
  CHECK(m.sentencesPerSecond == doctest::Approx(5 / m.batchSeconds));
  CHECK(m.threads == 1);

  data::Batch b = randomSourceBatch(3, 6, 20, 7);
  CHECK(b.src.dim(0) == 3);
  CHECK(b.src.dim(1) == 6);  // 5 tokens + EOS
  const int32_t* p = b.src.data<int32_t>();
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 5; ++j) CHECK((p[i * 6 + j] >= 4 && p[i * 6 + j] < 20));
  }
  mo.sentences = 0;
  CHECK_THROWS_AS(measureDecoding(net, mo, 1), ConfigError);
}

TEST_CASE("cost rows: analytic Transformer counts and the three formats") {
  // Hand-worked: d=32, f=64, 1+1 layers, N=T=5, Vt=Vs=50, untied output projection.
  std::string path = tmpPath("tf.yml");  // named in the row; src/cli reads such files
  ConfigSource source{path, parse("encoder-layers: 1\ndecoder-layers: 1\nmodel-dim: 32\nffn-dim: 64\n"
                                  "cross-heads: 4\nencoder-block: {preset: transformer, heads: 4}\n"
                                  "decoder-block: {preset: transformer, heads: 4}\nshare-embeddings: none\n")};
  CostCommandOptions opt;
  opt.configs = {source};
  opt.seqLen = 5;
  opt.vocabSize = 50;
  opt.beam = 2;
  CostRow row = costRowForConfig(source, opt);
  const int64_t d = 32, f = 64, N = 5, T = 5, V = 50;
  const int64_t enc = 4 * N * d * d + 2 * N * N * d + 2 * N * d * f;
  const int64_t dec = 4 * T * d * d + 2 * T * T * d + 2 * T * d * d + 2 * N * d * d + 2 * T * N * d + 2 * T * d * f;
  const int64_t encP = (4 * d * d + 4 * d) + (2 * d * f + f + d) + 4 * d;
  const int64_t decP = 2 * (4 * d * d + 4 * d) + (2 * d * f + f + d) + 6 * d;
  CHECK(row.cost.multAdds == enc + dec);
  CHECK(row.cost.paramsPaper == encP + decP + V * d);
  CHECK(row.paramsStored == encP + decP + 3 * V * d);
  CHECK(row.sizeBytes == 4 * row.paramsStored);
  CHECK(row.cost.outputProjectionMacs == T * d * V);
  CHECK(row.vocabAssumed);
  CHECK(row.name == "lt_report_test_tf");
  CHECK(row.variant == "transformer");

  std::string md = formatMarkdown({row}, 5);
  CHECK(md.rfind("Mult-Adds: paper convention (source and target length 5, teacher-forced, no embeddings, "
                 "no output projection)", 0) == 0);
  CHECK(md.find(fmt::format("| {:.2f}M |", (enc + dec) / 1e6)) != std::string::npos);
  CHECK(md.find("decode MACs/token (beam 2)") != std::string::npos);
  std::string csv = formatCsv({row});
  CHECK(countOf(csv, "\n") == 2);
  CHECK(csv.find(fmt::format(",{},{},{},", encP + decP + V * d, enc + dec, T * d * V)) != std::string::npos);
  std::string js = formatJson({row}, 5);
  CHECK(js.find(fmt::format("\"mult_adds\": {}", enc + dec)) != std::string::npos);
  CHECK(js.find("\"measure\": null") != std::string::npos);

  ResultRecord r = toResultRecord(row);
  CHECK(r.config == path);
  CHECK(*r.multAdds == double(enc + dec));
  CHECK(!r.bleu);

  std::ostringstream out;
  opt.format = "yaml";
  CHECK_THROWS_AS(runCostCommand(opt, out), ConfigError);
  opt.format = "csv";
  opt.configs.clear();
  CHECK_THROWS_AS(runCostCommand(opt, out), ConfigError);  // no rows asked for
}

TEST_CASE("cost row of a model file: stored count, file size, real beam search measured") {
  std::vector<std::string> text;
  const char* words[] = {"ein", "mann", "fährt", "fahrrad", "eine", "frau", "läuft", "im", "park", "hund"};
  for (int i = 0; i < 300; ++i) {
    std::string s;
    for (int j = 0; j < 3 + i % 7; ++j) s += std::string(j ? " " : "") + words[(i * 7 + j * 3) % 10];
    text.push_back(s);
  }
  data::VocabTrainOptions vo;
  vo.vocabSize = 40;
  vo.hardVocabLimit = false;
  data::Vocab vocab = data::Vocab::train(text, vo);
  models::ModelConfig cfg = parse(
      "encoder-layers: 1\ndecoder-layers: 1\nmodel-dim: 16\nffn-dim: 32\ncross-heads: 2\n"
      "encoder-block: {preset: lite, heads: 2}\ndecoder-block: {preset: lite, heads: 2}\n"
      "share-embeddings: decoder-output\n");
  Rng rng(5);
  auto model = models::TranslationModel::create(cfg, vocab, vocab, rng);
  std::string path = tmpPath("m.lt");
  model->save(path);

  CostCommandOptions opt;
  opt.seqLen = 6;
  opt.beam = 2;
  opt.measure = true;
  opt.measureSentences = 2;
  opt.measureBatch = 3;
  opt.threads = 1;
  CostRow row = costRowForModel(path, opt);
  CHECK(row.fromModel);
  CHECK(row.variant == "lite");
  CHECK(row.paramsStored == model->params.numElements());
  CHECK(row.sizeBytes == int64_t(std::filesystem::file_size(path)));
  CHECK(row.sizeBytes > 4 * row.paramsStored);  // weights + config + vocabularies
  // Tied output projection: the paper count is everything but the two embedding tables.
  CHECK(row.cost.paramsOutput == 0);
  CHECK(row.cost.paramsPaper == row.paramsStored - 2 * int64_t(vocab.size()) * 16);
  REQUIRE(row.measured);
  CHECK(row.measured->sentencesPerSecond > 0);
  CHECK(row.measured->threads == 1);
  std::string js = formatJson({row}, 6);
  CHECK(js.find("\"kind\": \"model\"") != std::string::npos);
  CHECK(js.find("\"size_is_fp32_estimate\": false") != std::string::npos);
  CHECK(js.find("\"precision\": \"fp32\"") != std::string::npos);
  opt.precision = InferencePrecision::Int8;  // lt-eval cost --measure --precision int8
  CostRow q = costRowForModel(path, opt);
  CHECK(q.precision == InferencePrecision::Int8);
  CHECK(formatJson({q}, 6).find("\"precision\": \"int8\"") != std::string::npos);
  CHECK(formatMarkdown({q}, 6).find("(batch 1, beam 2, int8)") != std::string::npos);
  CHECK(formatMarkdown({row}, 6).find("(batch 1, beam 2)") != std::string::npos);
  std::remove(path.c_str());
  CHECK_THROWS_AS(costRowForModel(path, opt), IoError);
}
