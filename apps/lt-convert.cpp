// lt-convert: rewrites a trained lt model file, e.g. with int8 weights.
//   lt-convert --model M.lt --output M.int8.lt --weights int8
// int8 stores every matrix (linear weights, embedding tables) as int8 rows with one f32 scale
// per row, about 4x smaller on disk (models/model_file.h); every program reads it like any
// model file, with the weights multiplied back (q · scale). Under `lt-translate --precision
// int8` its linears pack to the same int8 weights as the source model's; the embedding
// lookups carry the int8 rounding (docs/results.md: BLEU unchanged on Multi30k).
#include <cstdio>
#include <filesystem>

#include "cli/program.h"
#include "cli/shared_keys.h"
#include "common/error.h"
#include "common/path_identity.h"
#include "models/translation_model.h"

namespace {

using namespace lt;

struct ConvertOptions {
  std::string model, output, weights = "int8";
};

int convert(const ConvertOptions& o) {
  checkOutputIsNotAnInput({"--output", o.output}, {{"--model", o.model}});
  auto model = models::TranslationModel::load(o.model);
  model->save(o.output, {}, o.weights == "int8" ? models::WeightStorage::Int8 : models::WeightStorage::F32);
  const auto before = std::filesystem::file_size(o.model), after = std::filesystem::file_size(o.output);
  std::fprintf(stderr, "lt-convert: wrote %s (%s weights): %.2f MB, was %.2f MB\n", o.output.c_str(),
               o.weights.c_str(), double(after) / 1e6, double(before) / 1e6);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cli::Program program("lt-convert", "Rewrites an lt model file (int8 or fp32 weight storage).");
  ConvertOptions o;
  cli::Command& cmd = program.command();
  const std::string g = "Conversion";
  cli::addShared(cmd.table, g, "model", &o.model).require();
  cli::addShared(cmd.table, g, "output", &o.output).require().help = "where to write the converted model";
  cmd.table.add(g, "weights", &o.weights, "int8 (matrices as int8 rows + scales) or fp32", {"int8", "fp32"});
  cmd.run = [&] { return convert(o); };
  return program.main(argc, argv);
}
