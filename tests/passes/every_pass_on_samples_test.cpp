// Every registered pass, alone and in both built-in recipes, on every generated sample model:
// the structure stays valid, each changed model's outputs equal the original's on seeded random
// inputs (rtol 1e-4, atol 1e-5), and a second run of the same recipe changes nothing more than
// its first run's last round did (recipes reach their fixed point).
#include <gtest/gtest.h>

#include <filesystem>

#include "core/onnx/onnx_import.h"
#include "passes/framework/pass_manager.h"

namespace kiln::passes {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> samples() {
  std::vector<fs::path> out;
  for (const char* name : {"resnet_mini.onnx", "bert_block.onnx", "mobilenet_mini.onnx"}) {
    fs::path p = fs::path(KILN_SAMPLES_DIR) / name;
    if (fs::exists(p)) out.push_back(p);
  }
  return out;
}

// Options turning on everything a pass can do (Kiln ops where it offers them).
Json full_options(const PassInfo& info) {
  Json j = Json::object();
  for (const OptionSpec& o : info.options)
    if (o.name == "allow_kiln_ops") j["allow_kiln_ops"] = true;
  return j;
}

TEST(EveryPass, AloneOnEverySampleKeepsOutputs) {
  const std::vector<fs::path> models = samples();
  if (models.empty()) GTEST_SKIP() << "samples not generated in " << KILN_SAMPLES_DIR;
  for (const PassDef& def : PassRegistry::global().all()) {
    for (const fs::path& path : models) {
      SCOPED_TRACE(def.info.id + " on " + path.filename().string());
      Model m = load_model(path.string());
      ManagerOptions mo;
      mo.verify_numerics = true;
      PassManager pm(mo);
      StepReport r = pm.apply(m, def, def.info.parse_options(full_options(def.info)));
      EXPECT_TRUE(m.graph->verify().empty());
      if (r.changed) {
        EXPECT_TRUE(r.numeric.ran) << r.numeric.detail;
        EXPECT_TRUE(r.numeric.passed) << r.numeric.detail;
      }
    }
  }
}

TEST(EveryPass, BuiltinRecipesKeepOutputsAndReachAFixedPoint) {
  const std::vector<fs::path> models = samples();
  if (models.empty()) GTEST_SKIP() << "samples not generated in " << KILN_SAMPLES_DIR;
  for (const char* target : {"portable", "kiln"}) {
    const Recipe recipe = Recipe::builtin(target);
    for (const fs::path& path : models) {
      SCOPED_TRACE(std::string(target) + " on " + path.filename().string());
      Model m = load_model(path.string());
      ManagerOptions mo;
      mo.verify_numerics = true;
      PassManager pm(mo);
      OptimizeReport r = pm.run(m, recipe);
      EXPECT_LT(r.nodes_after, r.nodes_before);
      for (const StepReport& s : r.steps) {
        if (!s.changed) continue;
        EXPECT_TRUE(s.numeric.passed) << s.pass << ": " << s.numeric.detail;
      }
      PassManager again;
      OptimizeReport second = again.run(m, recipe);
      EXPECT_EQ(second.nodes_after, r.nodes_after) << "a second run still changes the node count";
    }
  }
}

}  // namespace
}  // namespace kiln::passes
