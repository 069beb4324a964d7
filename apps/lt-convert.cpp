// lt-convert: rewrites a trained lt model file, e.g. with int8 weights.
//   lt-convert --model M.lt --output M.int8.lt --weights int8
// int8 stores every matrix (linear weights, embedding tables) as int8 rows with one f32 scale
// per row, about 4x smaller on disk (models/model_file.h); every program reads it like any
// model file, with the weights multiplied back (q · scale). Under `lt-translate --precision
// int8` its linears pack to the same int8 weights as the source model's; the embedding
// lookups carry the int8 rounding (docs/results.md: BLEU unchanged on Multi30k).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>

#include "common/error.h"
#include "common/log.h"
#include "common/output_file.h"
#include "common/path_identity.h"
#include "models/translation_model.h"

int main(int argc, char** argv) {
  using namespace lt;
  installOutputSignalHandlers();
  CLI::App app{"lt-convert: rewrite an lt model file (int8 or fp32 weight storage)"};
  std::string modelPath, outputPath, weights = "int8";
  app.add_option("--model,-m", modelPath, "model file written by lt-train")->required();
  app.add_option("--output,-o", outputPath, "where to write the converted model")->required();
  app.add_option("--weights", weights, "int8 (matrices as int8 rows + scales) or fp32")
      ->check(CLI::IsMember({"int8", "fp32"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    checkOutputIsNotAnInput({"--output", outputPath}, {{"--model", modelPath}});
    auto model = models::TranslationModel::load(modelPath);
    model->save(outputPath, {},
                weights == "int8" ? models::WeightStorage::Int8 : models::WeightStorage::F32);
    const auto before = std::filesystem::file_size(modelPath), after = std::filesystem::file_size(outputPath);
    std::fprintf(stderr, "lt-convert: wrote %s (%s weights): %.2f MB, was %.2f MB\n", outputPath.c_str(),
                 weights.c_str(), double(after) / 1e6, double(before) / 1e6);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lt-convert: error: %s\n", e.what());
    return exitCodeFor(e);
  }
}
