#include "report/cost_command.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "autodiff/param_store.h"
#include "common/error.h"
#include "common/memory_limit.h"
#include "common/rng.h"
#include "eval/json_writer.h"
#include "models/encoder_decoder.h"
#include "models/model_file.h"
#include "models/model_memory.h"
#include "models/translation_model.h"

namespace lt::report {
namespace {

std::string stemOf(const std::string& path) { return std::filesystem::path(path).stem().string(); }

std::string millions(double v) { return fmt::format("{:.2f}M", v / 1e6); }

std::string sizeText(const CostRow& r) {
  return fmt::format("{:.1f} MB{}", double(r.sizeBytes) / 1e6, r.fromModel ? "" : " (fp32)");
}

void checkOptions(const CostCommandOptions& opt) {
  LT_CHECK(opt.format == "markdown" || opt.format == "csv" || opt.format == "json", ConfigError,
           "--format: expected markdown, csv or json, got '{}'", opt.format);
  LT_CHECK(!opt.configs.empty() || !opt.models.empty(), ConfigError,
           "cost: give at least one --model-config or --model");
  LT_CHECK(opt.seqLen >= 1, ConfigError, "--seq-len must be >= 1, got {}", opt.seqLen);
  LT_CHECK(opt.vocabSize >= 1, ConfigError, "--vocab-size must be >= 1, got {}", opt.vocabSize);
  LT_CHECK(opt.srcVocabSize >= 0, ConfigError, "--src-vocab-size must be >= 0, got {}", opt.srcVocabSize);
  LT_CHECK(opt.beam >= 1, ConfigError, "--beam must be >= 1, got {}", opt.beam);
  LT_CHECK(opt.measureSentences >= 1, ConfigError, "--measure-sentences must be >= 1, got {}",
           opt.measureSentences);
  LT_CHECK(opt.measureBatch >= 1, ConfigError, "--measure-batch must be >= 1, got {}", opt.measureBatch);
}

MeasureOptions measureOptions(const CostCommandOptions& opt) {
  MeasureOptions m;
  m.srcLen = m.tgtLen = opt.seqLen;
  m.beam = opt.beam;
  m.sentences = opt.measureSentences;
  m.batch = opt.measureBatch;
  m.seed = opt.seed;
  return m;
}

// Decodes as lt-translate does: the store is frozen first (packed linear weights).
void measureRow(CostRow& row, models::EncoderDecoder& net, ParamStore& params,
                const CostCommandOptions& opt) {
  params.freezeForInference(opt.precision, /*releaseReplaced=*/true);
  row.precision = opt.precision;
  row.measured = measureDecoding(net, measureOptions(opt), opt.threads);
  row.measureBatch = opt.measureBatch;
}

}  // namespace

double CostRow::decodeMacsPerToken() const { return cost.beamDecodeMacs(beam) / double(cost.tgtLen); }

CostRow costRowForConfig(const ConfigSource& source, const CostCommandOptions& opt) {
  const std::string& path = source.path;
  models::ModelConfig cfg = source.config;
  CostRow row;
  row.name = stemOf(path);
  row.path = path;
  row.beam = opt.beam;
  if (cfg.tgtVocab == 0) {
    cfg.tgtVocab = opt.vocabSize;
    row.vocabAssumed = true;
  }
  if (cfg.srcVocab == 0) {
    cfg.srcVocab = cfg.sharing == "all" ? cfg.tgtVocab : (opt.srcVocabSize > 0 ? opt.srcVocabSize : opt.vocabSize);
    row.vocabAssumed = true;
  }
  cfg = models::resolveModelConfig(cfg);
  if (cfg.budget.active()) {  // the width lt-train would choose
    cfg = models::fitBudget(cfg).config;
    row.budgetFitted = true;
  }
  // Counting builds the network with a vocabulary of 8 (the vocabulary terms are computed);
  // --measure builds it whole. Either must fit before it is allocated (models/model_memory.h).
  models::ModelConfig built = cfg;
  if (!opt.measure) built.srcVocab = built.tgtVocab = 8;
  models::checkModelMemory(built, 4, 0, parseMemoryLimit(opt.memoryLimit, "--memory-limit"),
                           fmt::format("{} (4 bytes per parameter)", opt.measure ? "--measure" : "counting its cost"),
                           memoryLimitSource(opt.memoryLimit, "--memory-limit"));
  row.config = cfg;
  row.variant = variantName(cfg);
  row.cost = models::countCost(cfg, opt.seqLen, opt.seqLen, /*decode=*/true);
  row.paramsStored = row.cost.paramsStored;
  row.sizeBytes = 4 * row.paramsStored;
  if (opt.measure) {
    ParamStore ps;
    Rng rng(opt.seed);
    models::EncoderDecoder net(cfg, ps, rng, /*initialize=*/true);
    measureRow(row, net, ps, opt);
  }
  return row;
}

CostRow costRowForModel(const std::string& path, const CostCommandOptions& opt) {
  std::unique_ptr<models::TranslationModel> model = models::TranslationModel::load(path);
  CostRow row;
  row.name = stemOf(path);
  row.path = path;
  row.fromModel = true;
  row.beam = opt.beam;
  row.config = model->config;
  row.variant = variantName(model->config);
  row.cost = models::countCost(model->config, opt.seqLen, opt.seqLen, /*decode=*/true);
  row.paramsStored = model->params.numElements();
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  LT_CHECK(!ec, IoError, "{}: cannot read the file size ({})", path, ec.message());
  row.sizeBytes = static_cast<int64_t>(size);
  if (opt.measure) measureRow(row, *model->net, model->params, opt);
  return row;
}

std::string costCaption(int seqLen) {
  return fmt::format(
      "Mult-Adds: paper convention (source and target length {0}, teacher-forced, no embeddings, "
      "no output projection). #Params: paper convention (no embedding tables; an untied output "
      "projection is counted). Out-proj: output projection MACs for {0} target tokens. Decode: "
      "real incremental beam search, MACs per target token (encoder, cross-attention K/V once, "
      "every hypothesis's step and output projection).",
      seqLen);
}

std::string formatMarkdown(const std::vector<CostRow>& rows, int seqLen) {
  const bool anyMeasured = std::any_of(rows.begin(), rows.end(), [](const CostRow& r) { return r.measured; });
  const int beam = rows.empty() ? 4 : rows.front().beam;
  std::string s = costCaption(seqLen) + "\n\n";
  s += fmt::format(
      "| model | variant | d | #Params | #Mult-Adds | out-proj MACs | decode MACs/token (beam {}) | "
      "params stored | size |",
      beam);
  const bool int8 = std::any_of(rows.begin(), rows.end(), [](const CostRow& r) {
    return r.measured && r.precision == InferencePrecision::Int8;
  });
  if (anyMeasured)
    s += fmt::format(" latency/sentence (batch 1, beam {}{}) | sentences/s |", beam, int8 ? ", int8" : "");
  s += "\n|---|---|--:|--:|--:|--:|--:|--:|--:|";
  if (anyMeasured) s += "--:|--:|";
  s += "\n";
  bool anyAssumed = false, anyBudget = false;
  int batch = 0, threads = 0;
  double load = -1;
  for (const auto& r : rows) {
    anyAssumed |= r.vocabAssumed;
    anyBudget |= r.budgetFitted;
    std::string name = r.name + (r.vocabAssumed ? "*" : "") + (r.budgetFitted ? "†" : "");
    s += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |", name, r.variant, r.config.modelDim,
                     millions(double(r.cost.paramsPaper)), millions(double(r.cost.multAdds)),
                     millions(double(r.cost.outputProjectionMacs)), millions(r.decodeMacsPerToken()),
                     millions(double(r.paramsStored)), sizeText(r));
    if (anyMeasured) {
      if (r.measured) {
        s += fmt::format(" {:.1f} ms | {:.1f} |", r.measured->latencyMedianMs, r.measured->sentencesPerSecond);
        batch = r.measureBatch;
        threads = r.measured->threads;
        load = std::max(load, r.measured->loadAverage);
      } else {
        s += " – | – |";
      }
    }
    s += "\n";
  }
  if (anyAssumed || anyBudget || anyMeasured) s += "\n";
  if (anyAssumed)
    s += "\\* the config sets no vocabulary sizes: --vocab-size is assumed (default 6632, the paper's "
         "IWSLT'14 English dictionary); it changes only the output projection and embedding tables.\n";
  if (anyBudget) s += "† width chosen by the config's budget, as lt-train would.\n";
  if (anyMeasured)
    s += fmt::format(
        "Latency: median per sentence at batch 1 (source {0} tokens, output forced to {0} steps), "
        "beam {1}; throughput at batch {2}; {3} threads, this machine{4}.\n",
        seqLen, beam, batch, threads,
        load >= 0 ? fmt::format(" (load average up to {:.1f} before timing: compare only runs on an "
                                "idle machine)", load)
                  : std::string());
  return s;
}

std::string formatCsv(const std::vector<CostRow>& rows) {
  std::string s =
      "name,variant,path,d,ffn_dim,params,mult_adds,output_projection_macs,beam,decode_macs_per_token,"
      "params_stored,size_bytes,latency_ms,sentences_per_second\n";
  auto field = [](const std::string& v) {
    if (v.find_first_of(",\"\n") == std::string::npos) return v;
    std::string q = "\"";
    for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  for (const auto& r : rows) {
    s += fmt::format("{},{},{},{},{},{},{},{},{},{:.0f},{},{},{},{}\n", field(r.name), field(r.variant),
                     field(r.path), r.config.modelDim, r.config.ffnDim, r.cost.paramsPaper, r.cost.multAdds,
                     r.cost.outputProjectionMacs, r.beam, r.decodeMacsPerToken(), r.paramsStored, r.sizeBytes,
                     r.measured ? fmt::format("{:.3f}", r.measured->latencyMedianMs) : "",
                     r.measured ? fmt::format("{:.3f}", r.measured->sentencesPerSecond) : "");
  }
  return s;
}

std::string formatJson(const std::vector<CostRow>& rows, int seqLen) {
  std::string arr = "[";
  for (size_t i = 0; i < rows.size(); ++i) {
    const CostRow& r = rows[i];
    const auto& c = r.cost;
    eval::JsonObject j;
    j.add("name", r.name)
        .add("variant", r.variant)
        .add("path", r.path)
        .add("kind", r.fromModel ? "model" : "config")
        .add("d", r.config.modelDim)
        .add("ffn_dim", r.config.ffnDim)
        .add("encoder_layers", r.config.encoderLayers)
        .add("decoder_layers", r.config.decoderLayers)
        .add("sharing", r.config.sharing)
        .add("src_vocab", r.config.srcVocab)
        .add("tgt_vocab", r.config.tgtVocab)
        .add("vocab_assumed", r.vocabAssumed)
        .add("budget_fitted", r.budgetFitted)
        .add("params", c.paramsPaper)
        .add("params_stored", r.paramsStored)
        .add("params_embedding", c.paramsEmbedding)
        .add("params_output", c.paramsOutput)
        .add("mult_adds", c.multAdds)
        .add("encoder_macs", c.encoderMacs)
        .add("decoder_macs", c.decoderMacs)
        .add("output_projection_macs", c.outputProjectionMacs)
        .add("decode_cross_kv_macs", c.decodeCrossKvMacs)
        .add("decode_step_macs", c.decodeStepMacs)
        .add("decode_output_macs", c.decodeOutputMacs)
        .add("beam", r.beam)
        .add("decode_macs_per_token", r.decodeMacsPerToken())
        .add("size_bytes", r.sizeBytes)
        .add("size_is_fp32_estimate", !r.fromModel);
    if (r.measured) {
      eval::JsonObject m;
      m.add("threads", r.measured->threads)
          .add("beam", r.beam)
          .add("precision", std::string(name(r.precision)))
          .add("latency_ms", r.measured->latencyMedianMs)
          .add("latency_min_ms", r.measured->latencyMinMs)
          .add("batch", r.measureBatch)
          .add("batch_seconds", r.measured->batchSeconds)
          .add("sentences_per_second", r.measured->sentencesPerSecond)
          .add("load_average", r.measured->loadAverage);
      j.addRaw("measure", m.str());
    } else {
      j.addNull("measure");
    }
    arr += (i ? ", " : "") + j.str();
  }
  arr += "]";
  eval::JsonObject top;
  top.add("caption", costCaption(seqLen)).add("seq_len", seqLen).addRaw("rows", arr);
  return top.str() + "\n";
}

ResultRecord toResultRecord(const CostRow& row) {
  ResultRecord r;
  r.name = row.name;
  r.variant = row.variant;
  (row.fromModel ? r.model : r.config) = row.path;
  r.params = double(row.cost.paramsPaper);
  r.paramsStored = double(row.paramsStored);
  r.multAdds = double(row.cost.multAdds);
  r.seqLen = row.cost.srcLen;
  r.date = utcNow();
  r.source = "lt-eval cost";
  return r;
}

ResultRecord bleuResultRecord(const BleuResultOptions& opt, double bleu, const std::string& metric,
                              const std::string& signature, const std::string& refPath) {
  LT_CHECK(!opt.name.empty(), ConfigError, "--append-results needs --name (the row's name in the results file)");
  LT_CHECK(opt.model.empty() || opt.config.path.empty(), ConfigError,
           "--append-results: give --model or --model-config, not both");
  ResultRecord r;
  r.name = opt.name;
  r.bleu = bleu;
  r.metric = metric;
  r.signature = signature;
  r.testSet = opt.testSet.empty() ? refPath : opt.testSet;
  r.date = utcNow();
  r.source = "lt-eval bleu";
  std::optional<models::ModelConfig> cfg;
  if (!opt.model.empty()) {
    cfg = models::ModelFileReader(opt.model).config();  // the header and config, not the weights
    r.model = opt.model;
  } else if (!opt.config.path.empty()) {
    models::ModelConfig c = opt.config.config;
    if (c.tgtVocab == 0) c.tgtVocab = kDefaultVocabSize;
    if (c.srcVocab == 0) c.srcVocab = c.tgtVocab;
    c = models::resolveModelConfig(c);
    if (c.budget.active()) c = models::fitBudget(c).config;
    cfg = c;
    r.config = opt.config.path;
  }
  if (cfg) {
    models::CostReport cost = models::countCost(*cfg, opt.seqLen, opt.seqLen, /*decode=*/false);
    r.params = double(cost.paramsPaper);
    r.paramsStored = double(cost.paramsStored);
    r.multAdds = double(cost.multAdds);
    r.seqLen = opt.seqLen;
    r.variant = variantName(*cfg);
  }
  if (!opt.variant.empty()) r.variant = opt.variant;
  return r;
}

void runCostCommand(const CostCommandOptions& opt, std::ostream& out) {
  checkOptions(opt);
  std::vector<CostRow> rows;
  for (const auto& c : opt.configs) rows.push_back(costRowForConfig(c, opt));
  for (const auto& p : opt.models) rows.push_back(costRowForModel(p, opt));
  // Same file stem twice (e.g. IWSLT and WMT transformer-d128): name them by folder too.
  std::map<std::string, int> seen;
  for (const auto& r : rows) ++seen[r.name];
  for (auto& r : rows)
    if (seen[r.name] > 1) {
      auto parent = std::filesystem::path(r.path).parent_path().filename().string();
      if (!parent.empty()) r.name = parent + "/" + r.name;
    }
  if (opt.format == "markdown")
    out << formatMarkdown(rows, opt.seqLen);
  else if (opt.format == "csv")
    out << formatCsv(rows);
  else
    out << formatJson(rows, opt.seqLen);
  if (!opt.appendResults.empty()) {
    std::vector<ResultRecord> recs;
    for (const auto& r : rows) recs.push_back(toResultRecord(r));
    appendResults(opt.appendResults, recs);
  }
}

}  // namespace lt::report
