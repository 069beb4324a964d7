#include "train/resume_check.h"

#include <yaml-cpp/yaml.h>

#include "common/error.h"
#include "models/cost.h"

namespace lt::train {

namespace {
std::string flow(const YAML::Node& n) {
  if (!n) return "(not set)";
  YAML::Emitter e;
  e.SetMapFormat(YAML::Flow);
  e.SetSeqFormat(YAML::Flow);
  e << n;
  return e.c_str();
}
}  // namespace

std::vector<KeyDifference> resumeConfigDifferences(const models::ModelConfig& requested,
                                                   const std::vector<GivenKey>& given,
                                                   const models::ModelConfig& checkpoint) {
  std::vector<KeyDifference> out;
  if (given.empty()) return out;
  const models::ModelConfig ck = models::resolveModelConfig(checkpoint);
  models::ModelConfig req = models::resolveModelConfig(requested);
  if (req.budget.active() && req.budget.multAdds == ck.budget.multAdds &&
      req.budget.params == ck.budget.params)
    req = models::resolveModelConfig(models::withModelDim(req, ck.modelDim));
  // The vocabulary sizes come from the vocabularies, not from this run's keys.
  req.srcVocab = ck.srcVocab;
  req.tgtVocab = ck.tgtVocab;
  const YAML::Node a = YAML::Load(models::toYaml(req)), b = YAML::Load(models::toYaml(ck));
  for (const auto& g : given) {
    if (g.key == "src-vocab-size" || g.key == "tgt-vocab-size") continue;
    const std::string x = flow(a[g.key]), y = flow(b[g.key]);
    if (x != y) out.push_back({g.key, g.where, x, y});
  }
  return out;
}

void checkResumeConfig(const models::ModelConfig& requested, const std::vector<GivenKey>& given,
                       const models::ModelConfig& checkpoint, const std::string& modelPath) {
  const auto diffs = resumeConfigDifferences(requested, given, checkpoint);
  if (diffs.empty()) return;
  std::string list;
  for (const auto& d : diffs)
    list += fmt::format("{}{} {} ({}) but {} in the checkpoint", list.empty() ? "" : "; ", d.key,
                        d.given, d.where, d.checkpoint);
  LT_THROW(ConfigError,
           "--model {} exists with a different architecture: {}. Model keys cannot change when "
           "resuming (training keys can: optimizer, schedule, stopping, validation, checkpoints, "
           "logging); drop these keys to continue the existing model, "
           "or use a new --model (or --resume false to start over in place)",
           modelPath, list);
}

}  // namespace lt::train
