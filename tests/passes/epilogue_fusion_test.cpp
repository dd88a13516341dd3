// The epilogue fusions (fuse-conv-activation, fuse-gemm-activation, fuse-attention) on the
// bundled samples, after the passes that expose their patterns (BatchNormalization folded into
// Conv, GELU and HardSwish recognised): node counts fall by what each fusion absorbs, and every
// step is checked numerically against the original model.
#include <gtest/gtest.h>

#include <map>

#include "tests/passes/sample_passes.h"

namespace kiln::passes {
namespace {

using testing::count_op;
using testing::optimize_sample;
using testing::SampleRun;

Json kiln_ops() {
  Json j = Json::object();
  j["allow_kiln_ops"] = true;
  return j;
}

TEST(EpilogueFusionSamples, ResNetConvBlocksBecomeFusedConvs) {
  SampleRun r = optimize_sample("resnet_mini",
                      {{"fuse-conv-batchnorm", Json::object()},
                       {"fuse-hardswish", kiln_ops()},
                       {"fuse-conv-activation", Json::object()}},
                      {{"input", {2, 3, 64, 64}}});
  const StepReport& step = r.steps.at("fuse-conv-activation");
  ASSERT_TRUE(step.changed);
  // Every activation and residual Add after a Conv went into it; only the downsampling Conv,
  // whose output is the residual of another, stays a Conv.
  EXPECT_EQ(count_op(r.model, "Conv"), 1);
  EXPECT_EQ(count_op(r.model, "FusedConv", "ai.kiln"), 9);
  EXPECT_EQ(count_op(r.model, "Relu"), 0);
  EXPECT_EQ(count_op(r.model, "HardSwish"), 0);
  EXPECT_EQ(count_op(r.model, "Add"), 0);
  EXPECT_LT(step.nodes_after, step.nodes_before);
}

TEST(EpilogueFusionSamples, MobileNetRelu6AndResidualsFuse) {
  SampleRun r = optimize_sample("mobilenet_mini",
                      {{"fuse-conv-batchnorm", Json::object()}, {"fuse-conv-activation", Json::object()}},
                      {{"input", {2, 3, 64, 64}}});
  const StepReport& step = r.steps.at("fuse-conv-activation");
  ASSERT_TRUE(step.changed);
  EXPECT_EQ(count_op(r.model, "Clip"), 0);
  EXPECT_EQ(count_op(r.model, "Add"), 0);
  // The linear projections without a residual have no epilogue to absorb.
  EXPECT_EQ(count_op(r.model, "Conv"), 2);
  EXPECT_EQ(count_op(r.model, "FusedConv", "ai.kiln"), 8);
  EXPECT_LT(step.nodes_after, step.nodes_before);
}

TEST(EpilogueFusionSamples, BertAttentionCoreCollapsesToOneNode) {
  const std::map<std::string, std::vector<int64_t>> shapes{{"hidden_states", {2, 5, 256}},
                                                           {"attention_mask", {2, 1, 1, 5}}};
  SampleRun r = optimize_sample("bert_block", {{"fuse-attention", Json::object()}}, shapes);
  const StepReport& step = r.steps.at("fuse-attention");
  ASSERT_TRUE(step.changed);
  EXPECT_EQ(count_op(r.model, "Attention", "ai.kiln"), 1);
  // The scores, the head split and merge with the shape chains that fed their Reshapes.
  for (const char* op : {"Softmax", "Transpose", "Reshape", "Shape", "Gather", "Concat"})
    EXPECT_EQ(count_op(r.model, op), 0) << op;
  EXPECT_EQ(count_op(r.model, "MatMul"), 6);  // the six projections remain
  EXPECT_EQ(step.nodes_before - step.nodes_after, 64);
}

TEST(EpilogueFusionSamples, BertProjectionsAbsorbBiasGeluAndResiduals) {
  const std::map<std::string, std::vector<int64_t>> shapes{{"hidden_states", {2, 5, 256}},
                                                           {"attention_mask", {2, 1, 1, 5}}};
  SampleRun r = optimize_sample("bert_block",
                      {{"fuse-gelu", kiln_ops()}, {"fuse-attention", Json::object()}, {"fuse-gemm-activation", Json::object()}},
                      shapes);
  const StepReport& step = r.steps.at("fuse-gemm-activation");
  ASSERT_TRUE(step.changed);
  // Q, K, V, the attention output (bias + residual), the intermediate (bias + Gelu) and the
  // output (bias + residual): six FusedMatMul, no MatMul, no Gelu.
  EXPECT_EQ(count_op(r.model, "FusedMatMul", "ai.kiln"), 6);
  EXPECT_EQ(count_op(r.model, "MatMul"), 0);
  EXPECT_EQ(count_op(r.model, "Gelu", "ai.kiln"), 0);
  EXPECT_EQ(step.nodes_before - step.nodes_after, 9);  // 6 bias Adds, 2 residual Adds, 1 Gelu
  const auto stat = [&](const std::string& name) {
    for (const auto& [k, v] : step.stats)
      if (k == name) return v;
    return int64_t{-1};
  };
  EXPECT_EQ(stat("biases"), 6);
  EXPECT_EQ(stat("residuals"), 2);
  EXPECT_EQ(stat("activations"), 1);
}

TEST(EpilogueFusionSamples, PassesAreKilnTargetOnly) {
  for (const char* id : {"fuse-conv-activation", "fuse-gemm-activation", "fuse-attention"}) {
    const PassDef* def = PassRegistry::global().find(id);
    ASSERT_NE(def, nullptr) << id;
    EXPECT_TRUE(def->info.may_emit_kiln_ops) << id;
    EXPECT_EQ(def->info.category, PassCategory::Fusion) << id;
  }
}

}  // namespace
}  // namespace kiln::passes
