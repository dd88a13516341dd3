// The cleanup passes on whole models: the sample models keep their outputs through every cleanup
// pass, and big graphs are cleaned in time linear in their size.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "core/ir/text_format.h"
#include "core/onnx/onnx_import.h"
#include "passes/framework/pass_manager.h"

namespace kiln::passes {
namespace {

const char* const kCleanupPasses[] = {"fold-constants",   "fold-shape-chains",  "eliminate-no-ops",
                                      "eliminate-common-subexpressions", "dedup-initializers", "eliminate-dead-code"};

StepReport apply(Model& m, PassManager& pm, const std::string& id) {
  const PassDef* def = PassRegistry::global().find(id);
  EXPECT_NE(def, nullptr) << id;
  return pm.apply(m, *def, def->info.default_options());
}

class CleanupOnSamples : public ::testing::TestWithParam<const char*> {};

TEST_P(CleanupOnSamples, KeepsOutputs) {
  Model m = load_model(std::string(KILN_SAMPLES_DIR) + "/" + GetParam() + ".onnx");
  ManagerOptions mo;
  mo.verify_numerics = true;
  PassManager pm(mo);
  for (const char* id : kCleanupPasses) {
    const StepReport r = apply(m, pm, id);
    if (!r.changed) continue;
    EXPECT_TRUE(r.numeric.ran && r.numeric.passed) << GetParam() << ", " << id << ": " << r.numeric.detail;
  }
}

INSTANTIATE_TEST_SUITE_P(Samples, CleanupOnSamples, ::testing::Values("resnet_mini", "mobilenet_mini", "bert_block"));

// n repeats of a block holding work for every cleanup pass: a constant expression, a static
// shape, an Identity, a Dropout, a no-op Transpose and Reshape, a duplicate node and a duplicate
// weight.
std::string big_model(int n) {
  std::string s = "model ir_version=8\nopset \"\" 17\ngraph \"g\" (%x0: f32[2,3]) -> (%x" + std::to_string(n) +
                  ": f32[2,3]) {\n";
  for (int i = 0; i < n; ++i) {
    const std::string k = std::to_string(i), x = "%x" + k, next = "%x" + std::to_string(i + 1);
    s += "  init %w" + k + ": f32[3] = [1, 2, 3]\n";
    s += "  %c" + k + " = Add(%w" + k + ", %w" + k + ")\n";
    s += "  %i" + k + " = Identity(" + x + ")\n";
    s += "  %d" + k + " = Dropout(%i" + k + ")\n";
    s += "  %t" + k + " = Transpose(%d" + k + ") {perm=[0, 1]}\n";
    s += "  %a" + k + " = Mul(%t" + k + ", %c" + k + ")\n";
    s += "  %b" + k + " = Mul(%t" + k + ", %c" + k + ")\n";
    s += "  %s" + k + " = Shape(%b" + k + ")\n";
    s += "  %r" + k + " = Reshape(%b" + k + ", %s" + k + ")\n";
    s += "  " + next + " = Sub(%a" + k + ", %r" + k + ")\n";
  }
  return s + "}\n";
}

TEST(CleanupScale, BigGraphsFoldCompletely) {
  // 4,000 blocks are 36,000 nodes (a pass that scans the graph per node would take minutes;
  // timings are measured by tests/bench/bench_passes, not asserted here).
  constexpr int kBlocks = 4000;
  Model m = parse_model_text(big_model(kBlocks));
  PassManager pm;
  for (const char* id : kCleanupPasses) {
    const StepReport r = apply(m, pm, id);
    // eliminate-dead-code, last, finds what the others left already gone.
    EXPECT_TRUE(r.changed || std::string(id) == "eliminate-dead-code") << id;
  }
  // Left per block: the two Muls made one, and the Sub.
  EXPECT_EQ(m.graph->node_count(), 2u * kBlocks);
  EXPECT_EQ(m.graph->initializers().size(), 1u);
}

}  // namespace
}  // namespace kiln::passes
