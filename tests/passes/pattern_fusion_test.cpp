// The pattern fusions (fuse-hardswish, fuse-hardsigmoid, fuse-silu, fuse-gelu, fuse-layer-norm,
// fuse-rms-norm, fuse-skip-layer-norm) on the bundled samples, as exporters wrote them: the
// expected fused ops appear, the written-out ops go, and every step is checked numerically
// against the original model.
#include <gtest/gtest.h>

#include <map>

#include "tests/passes/sample_passes.h"

namespace kiln::passes {
namespace {

int64_t stat(const StepReport& step, const std::string& name) {
  for (const auto& [k, v] : step.stats)
    if (k == name) return v;
  return -1;
}

Json options(bool allow_kiln_ops) {
  Json j = Json::object();
  j["allow_kiln_ops"] = allow_kiln_ops;
  return j;
}

using testing::count_op;
using testing::optimize_sample;
using testing::SampleRun;

const std::map<std::string, std::vector<int64_t>> kImage{{"input", {2, 3, 64, 64}}};
const std::map<std::string, std::vector<int64_t>> kBert{{"hidden_states", {2, 5, 256}},
                                                        {"attention_mask", {2, 1, 1, 5}}};

TEST(PatternFusionSamples, ResNetHardSwishesBecomeHardSwish) {
  // Opset 17: the standard op, no Kiln ops needed.
  SampleRun r = optimize_sample("resnet_mini", {{"fuse-hardswish", options(false)}, {"fuse-hardsigmoid", Json::object()}}, kImage);
  const StepReport& step = r.steps.at("fuse-hardswish");
  EXPECT_EQ(stat(step, "fused"), 4);
  EXPECT_EQ(stat(step, "kiln_ops"), 0);
  EXPECT_EQ(count_op(r.model, "HardSwish"), 4);
  for (const char* op : {"Clip", "Div"}) EXPECT_EQ(count_op(r.model, op), 0) << op;
  // Add x+3, Clip, Mul, Div per activation become one node; the Constants go with them.
  EXPECT_EQ(step.nodes_before - step.nodes_after, 4 * 3 + 4 * 4);
  // Nothing left for HardSigmoid once the HardSwishes are whole.
  EXPECT_FALSE(r.steps.at("fuse-hardsigmoid").changed);
}

TEST(PatternFusionSamples, MobileNetRelu6IsNoHardActivation) {
  SampleRun r = optimize_sample("mobilenet_mini",
                   {{"fuse-hardswish", options(true)}, {"fuse-hardsigmoid", Json::object()}, {"fuse-silu", options(true)}},
                   kImage);
  for (const auto& [id, step] : r.steps) EXPECT_FALSE(step.changed) << id;
  EXPECT_GT(count_op(r.model, "Clip"), 0);
}

TEST(PatternFusionSamples, BertOpset14RefusesStandardOpsItLacks) {
  SampleRun r = optimize_sample("bert_block", {{"fuse-layer-norm", options(false)}, {"fuse-gelu", options(false)}}, kBert);
  const StepReport& ln = r.steps.at("fuse-layer-norm");
  const StepReport& gelu = r.steps.at("fuse-gelu");
  EXPECT_FALSE(ln.changed);
  EXPECT_FALSE(gelu.changed);
  EXPECT_EQ(stat(ln, "refused_opset"), 2);
  EXPECT_EQ(stat(gelu, "refused_opset"), 1);
}

TEST(PatternFusionSamples, BertBlockReducesLikeOnnxRuntimeExtended) {
  SampleRun r = optimize_sample("bert_block",
                   {{"fuse-layer-norm", options(true)},
                    {"fuse-gelu", options(true)},
                    {"fuse-skip-layer-norm", options(true)}},
                   kBert);
  const StepReport& ln = r.steps.at("fuse-layer-norm");
  EXPECT_EQ(stat(ln, "fused"), 2);
  EXPECT_EQ(stat(ln, "kiln_ops"), 2);
  // Per LayerNorm: ReduceMean x2, Sub, Pow, Add x2, Sqrt, Div, Mul and two Constants -> 1.
  EXPECT_EQ(ln.nodes_before - ln.nodes_after, 2 * 10);
  for (const char* op : {"ReduceMean", "Sub", "Pow", "Sqrt"}) EXPECT_EQ(count_op(r.model, op), 0) << op;

  const StepReport& gelu = r.steps.at("fuse-gelu");
  EXPECT_EQ(stat(gelu, "fused"), 1);
  EXPECT_EQ(count_op(r.model, "Erf"), 0);
  EXPECT_EQ(count_op(r.model, "Gelu", "ai.kiln"), 1);

  // Both residual Adds and the output projections' bias Adds move into SkipLayerNormalization.
  const StepReport& skip = r.steps.at("fuse-skip-layer-norm");
  EXPECT_EQ(stat(skip, "fused"), 2);
  EXPECT_EQ(count_op(r.model, "SkipLayerNormalization", "ai.kiln"), 2);
  EXPECT_EQ(count_op(r.model, "LayerNormalization", "ai.kiln"), 0);
  EXPECT_EQ(skip.nodes_before - skip.nodes_after, 4);
  // Left: the Q, K, V and intermediate bias Adds and the attention mask.
  EXPECT_EQ(count_op(r.model, "Add"), 5);
  EXPECT_TRUE(r.model.opset("ai.kiln") >= 1);
}

TEST(PatternFusionSamples, PassesDeclareTheirTargets) {
  const std::map<std::string, bool> kiln_capable{{"fuse-hardswish", true},  {"fuse-hardsigmoid", false},
                                                 {"fuse-silu", true},       {"fuse-gelu", true},
                                                 {"fuse-layer-norm", true}, {"fuse-rms-norm", true},
                                                 {"fuse-skip-layer-norm", true}};
  for (const auto& [id, kiln] : kiln_capable) {
    const PassDef* def = PassRegistry::global().find(id);
    ASSERT_NE(def, nullptr) << id;
    EXPECT_EQ(def->info.category, PassCategory::Fusion) << id;
    EXPECT_EQ(def->info.may_emit_kiln_ops, kiln) << id;
    // The option exists exactly where there is a Kiln op to allow, and is off by default.
    const Options defaults = def->info.default_options();
    ASSERT_EQ(defaults.values().count("allow_kiln_ops"), kiln ? 1u : 0u) << id;
    if (kiln) {
      EXPECT_FALSE(defaults.get_bool("allow_kiln_ops")) << id;
    }
  }
}

}  // namespace
}  // namespace kiln::passes
