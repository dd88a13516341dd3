#include "core/profile/accuracy.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/builder/sample_models.h"
#include "core/onnx/onnx_export.h"
#include "core/onnx/onnx_import.h"
#include "core/profile/inputs.h"
#include "core/profile/provenance.h"
#include "core/util/error.h"
#include "passes/framework/pass_manager.h"

namespace kiln::profile {
namespace {

RtTensor f32(std::vector<int64_t> shape, std::vector<float> v) {
  RtTensor t = RtTensor::allocate(DataType::Float32, shape);
  std::copy(v.begin(), v.end(), t.data<float>());
  return t;
}

TEST(ProfileAccuracy, HandComputedErrorMetrics) {
  // b = a + [0.1, 0, 0]: noise energy 0.01, signal 1 + 4 + 9 = 14.
  TensorError e = compare_tensors("y", f32({3}, {1, 2, 3}), f32({3}, {1.1f, 2, 3}));
  EXPECT_FALSE(e.identical);
  EXPECT_NEAR(e.max_abs, 0.1, 1e-6);
  EXPECT_NEAR(e.mean_abs, 0.1 / 3, 1e-6);
  EXPECT_NEAR(e.max_rel, 0.1, 1e-6);
  EXPECT_NEAR(e.snr_db, 10 * std::log10(14 / 0.01), 1e-3);  // 31.46 dB
  EXPECT_NEAR(e.rel_l2, std::sqrt(0.01 / 14), 1e-6);
  const double dot = 1.1 + 4 + 9, nb = std::sqrt(1.21 + 4 + 9);
  EXPECT_NEAR(e.cosine, dot / (std::sqrt(14.0) * nb), 1e-6);
  EXPECT_FALSE(e.classifier);
}

TEST(ProfileAccuracy, CosineOfOrthogonalScaledAndIdenticalTensors) {
  EXPECT_NEAR(compare_tensors("y", f32({2}, {1, 0}), f32({2}, {0, 1})).cosine, 0.0, 1e-12);
  EXPECT_NEAR(compare_tensors("y", f32({3}, {1, 2, 3}), f32({3}, {2, 4, 6})).cosine, 1.0, 1e-12);
  TensorError same = compare_tensors("y", f32({2}, {5, -1}), f32({2}, {5, -1}));
  EXPECT_TRUE(same.identical);
  EXPECT_TRUE(std::isinf(same.snr_db) && same.snr_db > 0);
  EXPECT_TRUE(same.to_json().find("snr_db")->is_null());  // JSON has no infinity
  EXPECT_DOUBLE_EQ(same.max_abs, 0.0);
}

TEST(ProfileAccuracy, TopKAgreementOnClassifierRows) {
  // Row 0: A's top-1 is class 1, B's is class 2 (A's class 1 is B's second). Row 1: both class 0.
  RtTensor a = f32({2, 3}, {0.1f, 0.5f, 0.4f, 0.9f, 0.05f, 0.05f});
  RtTensor b = f32({2, 3}, {0.1f, 0.4f, 0.5f, 0.8f, 0.1f, 0.1f});
  TensorError e = compare_tensors("logits", a, b);
  ASSERT_TRUE(e.classifier);
  EXPECT_EQ(e.rows, 2);
  EXPECT_EQ(e.top_k, 3);  // min(5, C)
  EXPECT_DOUBLE_EQ(e.top1_agreement, 0.5);
  EXPECT_DOUBLE_EQ(e.topk_agreement, 1.0);
  auto top = top_k_rows(b, 2);
  EXPECT_EQ(top[0], (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(top[1], (std::vector<int64_t>{0, 1}));  // tie between 1 and 2: the lower index first
}

TEST(ProfileAccuracy, LabelAccuracyCountsTop1AndTop5) {
  // 6 classes; row 0 ranks 5 > 4 > 3 > 2 > 1 > 0, row 1 ranks 0 first.
  RtTensor s = f32({2, 6}, {0, 1, 2, 3, 4, 5, 9, 1, 1, 1, 1, 1});
  LabelAccuracy hit = label_accuracy("logits", {s}, {5, 0});
  EXPECT_DOUBLE_EQ(hit.top1, 1.0);
  LabelAccuracy mixed = label_accuracy("logits", {s}, {1, 3});  // row 0: class 1 is 5th; row 1: class 3 is in top 5
  EXPECT_DOUBLE_EQ(mixed.top1, 0.0);
  EXPECT_DOUBLE_EQ(mixed.top5, 1.0);
  LabelAccuracy miss = label_accuracy("logits", {s}, {0, 0});  // row 0: class 0 is last (6th)
  EXPECT_DOUBLE_EQ(miss.top1, 0.5);
  EXPECT_DOUBLE_EQ(miss.top5, 0.5);
  EXPECT_THROW(label_accuracy("logits", {s}, {1}), Error);
}

TEST(ProfileAccuracy, AccumulatesOverSamplesAndRefusesShapeMismatch) {
  ErrorAccumulator acc("y");
  acc.add(f32({2}, {1, 1}), f32({2}, {1, 1}));
  acc.add(f32({2}, {1, 1}), f32({2}, {1, 3}));
  TensorError e = acc.result();
  EXPECT_EQ(e.samples, 2);
  EXPECT_EQ(e.elements, 4);
  EXPECT_DOUBLE_EQ(e.max_abs, 2.0);
  EXPECT_DOUBLE_EQ(e.mean_abs, 0.5);
  try {
    acc.add(f32({2}, {1, 1}), f32({1, 2}, {1, 1}));
    FAIL() << "a shape mismatch must throw";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("'y'"), std::string::npos) << err.what();
  }
}

// Scales the weight input of the node named `name` by `factor`.
void perturb_weights(Model& m, const std::string& name, float factor) {
  for (Node* n : m.graph->nodes()) {
    if (n->name != name) continue;
    Value* w = n->input(1);
    std::vector<double> v = w->initializer()->to_double();
    std::vector<float> f(v.begin(), v.end());
    for (float& x : f) x *= factor;
    m.graph->set_initializer(w, Tensor::from_values(w->name(), DataType::Float32, w->initializer()->dims, f));
    return;
  }
  FAIL() << "no node named " << name;
}

SessionOptions batch1() {
  SessionOptions so;
  so.input_shapes["input"] = {1, 3, 64, 64};
  return so;
}

TEST(ProfileAccuracy, PerNodeErrorPinpointsThePerturbedNode) {
  Model a = make_resnet_mini();
  Model b = a.clone();
  const std::string target = "/layer1/layer1.1/conv1/Conv";
  perturb_weights(b, target, 1.05f);
  Sample in = random_sample(*a.graph, batch1().input_shapes, 3);
  NodeErrorReport r = localize_error(a, b, in, batch1());
  ASSERT_TRUE(r.first_exceeding.has_value());
  const NodeError& first = r.nodes[*r.first_exceeding];
  EXPECT_EQ(first.node_name, target);
  EXPECT_EQ(first.op, "Conv");
  // Every node before it matches exactly: the model runs the same kernels on the same inputs.
  for (size_t i = 0; i < *r.first_exceeding; ++i) EXPECT_EQ(r.nodes[i].error.max_abs, 0.0) << r.nodes[i].value;
  EXPECT_GT(r.nodes.size(), 50u);
}

TEST(ProfileAccuracy, ExactFusionIsZeroIshAndPerturbedFusedModelIsLocalized) {
  Model a = make_resnet_mini();
  Model fused = a.clone();
  passes::PassManager pm;
  const passes::PassDef* def = passes::PassRegistry::global().find("fuse-conv-batchnorm");
  ASSERT_NE(def, nullptr);
  ASSERT_TRUE(pm.apply(fused, *def, def->info.default_options()).changed);

  std::vector<Sample> samples = {random_sample(*a.graph, batch1().input_shapes, 0),
                                 random_sample(*a.graph, batch1().input_shapes, 1)};
  AccuracyResult exact = compare_models(a, fused, samples, batch1(), {}, true);
  ASSERT_EQ(exact.outputs.size(), 1u);
  EXPECT_LT(exact.outputs[0].max_abs, 1e-4);
  EXPECT_GT(exact.outputs[0].cosine, 0.999999);
  EXPECT_DOUBLE_EQ(exact.outputs[0].top1_agreement, 1.0);
  ASSERT_TRUE(exact.per_node.has_value());
  EXPECT_FALSE(exact.per_node->first_exceeding.has_value());

  // Perturb the fifth fused conv (each replaced a conv and its batchnorm).
  std::string target;
  int seen = 0;
  for (const Node* n : fused.graph->nodes())
    if (n->provenance.size() >= 2 && ++seen == 5) target = n->name;
  ASSERT_FALSE(target.empty());
  Model perturbed = fused.clone();
  perturb_weights(perturbed, target, 0.9f);
  AccuracyResult off = compare_models(a, perturbed, samples, batch1(), {}, true);
  EXPECT_GT(off.outputs[0].max_abs, 1e-3);
  ASSERT_TRUE(off.per_node && off.per_node->first_exceeding);
  const NodeError& first = off.per_node->nodes[*off.per_node->first_exceeding];
  EXPECT_EQ(first.node_name, target);
  EXPECT_GE(first.provenance.size(), 2u);  // conv + batchnorm
  EXPECT_EQ(first.matched_by, "provenance");  // the fused output has a new name
}

// The kiln recipe's resnet_mini, through a file.
Model optimized_through_file(const Model& a, bool keep_provenance) {
  Model opt = a.clone();
  passes::PassManager pm;
  pm.run(opt, passes::Recipe::builtin("kiln"));
  if (!keep_provenance)  // as a file from another tool would be: every node its own origin
    opt.graph->for_each_node([](Node* n) { n->provenance = {n->id()}; });
  const std::string bytes = serialize_model(opt);
  return load_model_from_bytes(bytes.data(), bytes.size(), "optimized");
}

TEST(ProfileAccuracy, FusedModelFromAKilnFileIsMatchedThroughItsProvenance) {
  Model a = make_resnet_mini();
  Model b = optimized_through_file(a, true);
  ASSERT_TRUE(provenance_fits(b, a));
  EXPECT_FALSE(provenance_fits(b, make_mobilenet_mini()));  // not its original
  Sample in = random_sample(*a.graph, batch1().input_shapes, 5);
  NodeErrorReport exact = localize_error(a, b, in, batch1());
  EXPECT_FALSE(exact.first_exceeding.has_value());
  EXPECT_EQ(exact.only_in_b, 0);  // every value has its counterpart
  std::string target;
  for (const NodeError& e : exact.nodes)
    if (e.matched_by == "provenance" && e.op == "ai.kiln::FusedConv" && target.empty()) target = e.node_name;
  ASSERT_FALSE(target.empty());
  perturb_weights(b, target, 1.05f);
  NodeErrorReport off = localize_error(a, b, in, batch1());
  ASSERT_TRUE(off.first_exceeding.has_value());
  EXPECT_EQ(off.nodes[*off.first_exceeding].node_name, target);
}

TEST(ProfileAccuracy, FusedModelWithoutProvenanceIsMatchedThroughConsumers) {
  // Without provenance, fused outputs with new names are matched through the unchanged nodes that
  // read them.
  Model a = make_resnet_mini();
  Model b = optimized_through_file(a, false);
  EXPECT_FALSE(provenance_fits(b, a));
  Sample in = random_sample(*a.graph, batch1().input_shapes, 5);
  NodeErrorReport exact = localize_error(a, b, in, batch1());
  EXPECT_FALSE(exact.first_exceeding.has_value());
  int by_consumer = 0;
  for (const NodeError& e : exact.nodes) {
    by_consumer += e.matched_by == "consumer";
    EXPECT_NE(e.matched_by, "provenance");
  }
  EXPECT_GT(by_consumer, 0);
  std::string target;
  for (const NodeError& e : exact.nodes)
    if (e.matched_by == "consumer" && e.op == "ai.kiln::FusedConv" && target.empty()) target = e.node_name;
  ASSERT_FALSE(target.empty());
  perturb_weights(b, target, 1.05f);
  NodeErrorReport off = localize_error(a, b, in, batch1());
  ASSERT_TRUE(off.first_exceeding.has_value());
  EXPECT_EQ(off.nodes[*off.first_exceeding].node_name, target);
}

TEST(ProfileAccuracy, IntermediateOutputsExposeEveryNodeOutput) {
  Model a = make_resnet_mini();
  Model m = with_intermediate_outputs(a);
  size_t outputs = 0;
  a.graph->for_each_node([&](const Node* n) { outputs += n->num_outputs(); });
  EXPECT_EQ(m.graph->outputs().size(), outputs);
  EXPECT_EQ(a.graph->outputs().size(), 1u);  // the original is untouched
}

}  // namespace
}  // namespace kiln::profile
