#include "cli/train_config.h"

#include <yaml-cpp/yaml.h>

#include "cli/shared_keys.h"
#include "common/error.h"

namespace lt::cli {

namespace {

// Help text of each model key (the keys themselves come from models::modelConfigKeys()).
std::string modelKeyHelp(const std::string& k) {
  static const std::vector<std::pair<std::string, std::string>> kHelp = {
      {"encoder-layers", "encoder layers"},
      {"decoder-layers", "decoder layers"},
      {"model-dim", "model width d"},
      {"ffn-dim", "FFN hidden width"},
      {"encoder-block", "token-mixing block: preset (transformer, lightconv, dynamicconv, lite, "
                        "lite-dynamic) or {branches: [{type, dim, heads, kernels, glu}, ...]}"},
      {"decoder-block", "as encoder-block; conv branches become causal"},
      {"cross-heads", "decoder cross-attention heads"},
      {"pre-norm", "pre-LayerNorm (false = post-LN as in the papers)"},
      {"scale-embedding", "multiply token embeddings by sqrt(d)"},
      {"share-embeddings", "embedding tying: none | decoder-output | all"},
      {"dropout", "dropout on embeddings and sublayer outputs"},
      {"attention-dropout", "dropout on attention probabilities"},
      {"activation-dropout", "dropout after the FFN activation"},
      {"weight-dropout", "DropConnect on conv kernels"},
      {"max-positions", "longest sequence the positional table covers"},
      {"src-vocab-size", "source vocabulary size (filled from the vocabulary)"},
      {"tgt-vocab-size", "target vocabulary size (filled from the vocabulary)"},
      {"ffn-init", "FFN initialisation: xavier | ratio-xavier"},
      {"budget", "size budget {mult-adds: 90M, params: 3M}: pick the widest model that fits"},
      {"cross-attention", "decoder cross-attention: softmax | linear | t2r | performer, or a map "
                          "{type, features, eps, redraw, seed}"},
  };
  for (const auto& [key, h] : kHelp)
    if (key == k) return h;
  return "model option";
}

}  // namespace

void bindTrainConfig(OptionTable& t, TrainConfig& cfg) {
  auto& o = cfg.train;
  std::string g = "General";
  addShared(t, g, "model", &o.model).help = "model file to write; the training state goes to <model>.state";
  addShared(t, g, "seed", &o.seed).help = "random seed (initialisation, shuffling, dropout)";
  addShared(t, g, "threads", &o.threads);
  addShared(t, g, "memory-limit", &o.memoryLimit).help =
      "refuse a new model whose estimated training memory (16 bytes per parameter, a lower "
      "bound) exceeds this: auto (this machine's memory) or a size such as 16G, 512MiB";
  t.add(g, "resume", &o.resume, "continue from <model>.state when it exists");
  t.add(g, "average-last", &o.averageLast,
        "average the last N numbered checkpoints <stem>.u<update><ext> of --model into <stem>.avg<N><ext> and exit")
      .range(0);
  t.add(g, "init-from", &o.initFrom,
        "start from this trained model file: its vocabularies and weights, the config's "
        "architecture (e.g. softmax attention swapped to t2r, fresh feature maps); refused when "
        "the architectures differ otherwise");
  t.add(g, "finetune", &o.finetune,
        "parameters trained when starting --init-from: all, or attention-only (decoder Q/K/V "
        "and feature maps)",
        {"all", "attention-only"});

  g = "Data";
  t.add(g, "train-src", &o.trainSrc, "training source text (plain or .gz)");
  t.add(g, "train-tgt", &o.trainTgt, "training target text, line-aligned with train-src");
  t.add(g, "valid-src", &o.validSrc, "validation source text");
  t.add(g, "valid-tgt", &o.validTgt, "validation target text (reference)");
  t.add(g, "vocab", &o.vocab,
        "SentencePiece .model files: none (train one), one (joint) or two (source, target)");
  addShared(t, g, "vocab-size", &o.vocabSize).help = "size of a vocabulary trained here";
  t.add(g, "vocab-type", &o.vocabType, "SentencePiece model type", {"unigram", "bpe"});
  t.add(g, "joint-vocab", &o.jointVocab, "train one vocabulary over both sides");
  t.add(g, "vocab-sentences", &o.vocabSentences, "lines sampled for vocabulary training (0 = all)").range(0);
  t.add(g, "max-length", &o.maxLength, "drop training pairs with a side longer than this (subwords)").range(1);
  addShared(t, g, "max-tokens", &o.maxTokens).range(1).help =
      "batch size: sentences * max(src, tgt length) <= this";
  t.add(g, "update-freq", &o.updateFreq, "batches accumulated into one update").range(1);
  t.add(g, "sort-chunk", &o.sortChunk, "pairs length-sorted together before batching (0 = all)").range(0);

  g = "Stopping";
  t.add(g, "max-updates", &o.maxUpdates, "stop after N updates (0 = no limit)").range(0);
  t.add(g, "max-epochs", &o.maxEpochs, "stop after N epochs (0 = no limit)").range(0);
  t.add(g, "time-limit", &o.timeLimitSeconds, "stop the training loop after this wall time (3600, 45m, 2h; 0 = none)")
      .range(0)
      .duration = true;
  t.add(g, "early-stopping", &o.earlyStopping,
        "stop after N validations without improvement of early-stopping-metric (0 = never)")
      .range(0);

  g = "Optimizer";
  t.add(g, "lr", &o.lr, "peak learning rate (> 0)");
  t.add(g, "lr-schedule", &o.lrSchedule, "learning-rate schedule after linear warm-up",
        {"inverse-sqrt", "cosine", "constant"});
  t.add(g, "warmup-updates", &o.warmupUpdates, "linear warm-up length").range(0);
  t.add(g, "warmup-init-lr", &o.warmupInitLr, "learning rate at update 0").range(0);
  t.add(g, "min-lr", &o.minLr, "cosine: the floor the rate decays to").range(0);
  t.add(g, "lr-period-updates", &o.lrPeriodUpdates,
        "cosine: period in updates (0 = max-updates - warmup-updates)")
      .range(0);
  t.add(g, "adam-betas", &o.adamBetas, "Adam beta1 beta2, each in [0, 1)");
  t.add(g, "adam-eps", &o.adamEps, "Adam epsilon (> 0)");
  t.add(g, "weight-decay", &o.weightDecay, "weight decay").range(0);
  t.add(g, "weight-decay-mode", &o.weightDecayMode,
        "decoupled = fairseq's Adam (p -= wd*lr*p); l2 = wd*p added to the gradient",
        {"decoupled", "l2"});
  t.add(g, "label-smoothing", &o.labelSmoothing, "label smoothing epsilon, in [0, 1)").range(0);
  t.add(g, "clip-norm", &o.clipNorm, "clip the gradient L2 norm to this (0 = off)").range(0);

  g = "Validation and checkpoints";
  t.add(g, "valid-freq", &o.validFreq, "validate and checkpoint every N updates (0 = epoch ends)").range(0);
  t.add(g, "save-freq", &o.saveFreq, "also checkpoint every N updates (0 = only at validation)").range(0);
  t.add(g, "valid-metrics", &o.validMetrics, "metrics computed at validation",
        {"ce-mean-words", "perplexity", "bleu"});
  t.add(g, "early-stopping-metric", &o.earlyStoppingMetric,
        "metric for the best checkpoint and early stopping", {"ce-mean-words", "perplexity", "bleu"});
  t.add(g, "valid-max-sentences", &o.validMaxSentences,
        "decode at most N validation sentences for BLEU (0 = all)")
      .range(0);
  t.add(g, "valid-decode", &o.validDecode, "decoding for validation BLEU", {"greedy", "beam"});
  addShared(t, g, "beam-size", &o.beamSize).help = "beam size when valid-decode is beam";
  addShared(t, g, "length-penalty", &o.lengthPenalty);
  t.add(g, "keep-last", &o.keepLast, "numbered checkpoints <model>.u<N> kept (0 = none)").range(0);
  t.add(g, "keep-best", &o.keepBest, "keep <model>.best for the early-stopping metric");

  g = "Logging";
  t.add(g, "log-file", &o.logFile, "also write the log to this file");
  t.add(g, "log-freq", &o.logFreq, "log a line every N updates").range(0);
  t.add(g, "log-level", &o.logLevel, "log level", {"trace", "debug", "info", "warn", "error"});
  addShared(t, g, "profile", &o.profile).help =
      "time every op of the training updates (forward by tape order, backward per node) and "
      "log the table at every validation and at the end";
  t.add(g, "progress", &o.progress, "progress display: bar on a terminal, else lines",
        {"auto", "bar", "lines"});

  g = "Model";
  for (const std::string& key : models::modelConfigKeys()) {
    CustomBinding b;
    b.set = [&cfg, key](const YAML::Node& v, const std::string& where) {
      models::setModelConfigKey(cfg.model, key, v, where);
    };
    b.get = [&cfg, key]() {
      YAML::Node all = YAML::Load(models::toYaml(cfg.model));
      // Keys toYaml() leaves out stay out of the dump (an undefined node).
      if (!all[key]) return YAML::Node(YAML::NodeType::Undefined);
      return YAML::Node(all[key]);
    };
    b.typeName = (key == "encoder-block" || key == "decoder-block" || key == "cross-attention")
                     ? "name|map"
                 : key == "budget" ? "map"
                                   : "value";
    t.add(g, key, b, modelKeyHelp(key));
  }
}

TrainCommandLine::TrainCommandLine() { bindTrainConfig(table_, cfg_); }

std::vector<train::GivenKey> givenModelKeys(const OptionTable& table) {
  std::vector<train::GivenKey> out;
  for (const std::string& key : models::modelConfigKeys())
    if (const Option* opt = table.find(key); opt && opt->set) out.push_back({key, opt->origin.where});
  return out;
}

void TrainCommandLine::parse(int argc, const char* const* argv) {
  table_.parseCommandLine(argc, argv);
}

models::ModelConfig loadModelConfig(const std::string& path) {
  TrainConfig cfg;  // lt-train's keys: its training keys are read and dropped
  OptionTable table;
  bindTrainConfig(table, cfg);
  table.applyYamlFile(path);
  return cfg.model;
}

void validateTrainOptions(const train::TrainOptions& o) {
  if (o.averageLast > 0) return;  // averaging needs only --model
  LT_CHECK(!o.trainSrc.empty() && !o.trainTgt.empty(), ConfigError,
           "--train-src and --train-tgt are required");
  LT_CHECK(o.validSrc.empty() == o.validTgt.empty(), ConfigError,
           "--valid-src and --valid-tgt must be given together");
  LT_CHECK(o.vocab.size() <= 2, ConfigError, "--vocab takes one (joint) or two (source, target) files, got {}",
           o.vocab.size());
  LT_CHECK(o.lr > 0, ConfigError, "--lr must be > 0, got {}", o.lr);
  LT_CHECK(o.adamBetas.size() == 2, ConfigError, "--adam-betas takes two numbers (beta1 beta2), got {}",
           o.adamBetas.size());
  for (double b : o.adamBetas)
    LT_CHECK(b >= 0 && b < 1, ConfigError, "--adam-betas: each beta must be in [0, 1), got {}", b);
  LT_CHECK(o.adamEps > 0, ConfigError, "--adam-eps must be > 0, got {}", o.adamEps);
  LT_CHECK(o.labelSmoothing < 1, ConfigError, "--label-smoothing must be in [0, 1), got {}", o.labelSmoothing);
  LT_CHECK(o.lrSchedule != "cosine" || o.lrPeriodUpdates > 0 || o.maxUpdates > o.warmupUpdates,
           ConfigError,
           "--lr-schedule cosine needs --lr-period-updates or --max-updates > --warmup-updates");
  LT_CHECK(!o.model.empty(), ConfigError, "--model must name a file");
}

void validateTrainConfig(const TrainConfig& cfg) {
  validateTrainOptions(cfg.train);
  if (cfg.train.averageLast > 0) return;
  models::validate(cfg.model);
}

void TrainCommandLine::validate() const { validateTrainConfig(cfg_); }

}  // namespace lt::cli
