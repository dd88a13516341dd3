// convert-to-nhwc on the bundled samples: every convolution goes channels-last, Transposes appear
// only where the region meets NCHW ops (the model input and the classifier's Flatten), the
// result is checked numerically against the original, shape inference understands the new ops,
// and a second run finds nothing left to do.
#include <gtest/gtest.h>

#include "core/analysis/shape_inference.h"
#include "core/ir/kiln_domain.h"
#include "core/ir/kiln_layout_ops.h"
#include "core/ir/text_format.h"
#include "core/onnx/onnx_import.h"
#include "passes/framework/pass_manager.h"

namespace kiln::passes {
namespace {

int64_t count_op(const Model& m, std::string_view op, std::string_view domain = "") {
  int64_t n = 0;
  m.graph->for_each_node([&](const Node* node) {
    if (node->op_type == op && (domain.empty() ? node->is_onnx_domain() : node->domain == domain)) ++n;
  });
  return n;
}

bool is_channels_last_op(const Node* n) { return n->domain == kKilnDomain && n->op_type.rfind("Nhwc", 0) == 0; }

const PassDef& pass() {
  const PassDef* def = PassRegistry::global().find("convert-to-nhwc");
  EXPECT_NE(def, nullptr);
  return *def;
}

StepReport convert(Model& model, const Json& options = Json::object()) {
  ManagerOptions mo;
  mo.verify_numerics = true;
  PassManager pm(mo);
  return pm.apply(model, pass(), pass().info.parse_options(options));
}

int64_t stat(const StepReport& r, const std::string& name) {
  for (const auto& [k, v] : r.stats)
    if (k == name) return v;
  return 0;
}

class LayoutSamples : public ::testing::TestWithParam<const char*> {};

TEST_P(LayoutSamples, ConvertsWholeBackboneWithTransposesOnlyAtBorders) {
  Model model = load_model(std::string(KILN_SAMPLES_DIR) + "/" + GetParam() + ".onnx");
  const int64_t convs = count_op(model, "Conv");
  ASSERT_GT(convs, 1);

  StepReport r = convert(model);
  ASSERT_TRUE(r.changed);
  EXPECT_TRUE(r.numeric.ran && r.numeric.passed) << r.numeric.detail;
  EXPECT_EQ(stat(r, "regions_converted"), 1);
  EXPECT_EQ(count_op(model, "Conv"), 0);
  EXPECT_EQ(count_op(model, std::string(layout::kNhwcConv), kKilnDomain), convs);
  EXPECT_EQ(count_op(model, "BatchNormalization"), 0);
  EXPECT_EQ(count_op(model, std::string(layout::kNhwcGlobalAveragePool), kKilnDomain), 1);

  // One Transpose into the region (from the model input) and one out of it (to Flatten), and
  // neither sits between two channels-last ops.
  EXPECT_EQ(count_op(model, "Transpose"), 2);
  EXPECT_EQ(stat(r, "transposes_inserted"), 2);
  model.graph->for_each_node([&](const Node* n) {
    if (n->op_type != "Transpose") return;
    const std::vector<int64_t> perm = n->attr_ints("perm");
    if (perm == std::vector<int64_t>{0, 2, 3, 1}) {
      EXPECT_TRUE(n->input(0)->is_graph_input()) << print_graph(*model.graph);
    } else {
      EXPECT_EQ(perm, (std::vector<int64_t>{0, 3, 1, 2}));
      ASSERT_NE(n->input(0)->producer(), nullptr);
      EXPECT_TRUE(is_channels_last_op(n->input(0)->producer()));
      for (const Use& u : n->output(0)->uses()) EXPECT_EQ(u.node->op_type, "Flatten");
    }
  });

  // The channels-last ops infer NHWC shapes, symbolic batch included, and agree with the NCHW
  // types declared downstream.
  InferenceReport inferred = infer_shapes(model);
  EXPECT_TRUE(inferred.warnings.empty()) << inferred.warnings.front();
  EXPECT_TRUE(inferred.ops_not_inferred.empty());
  model.graph->for_each_node([&](const Node* n) {
    if (n->op_type != layout::kNhwcGlobalAveragePool) return;
    const ValueType& t = n->output(0)->type;
    ASSERT_TRUE(t.shape.has_value());
    EXPECT_EQ(t.str(), "f32[batch,1,1," + std::to_string(t.shape->dims[3].value) + "]");
  });

  // Nothing is left to convert.
  EXPECT_FALSE(convert(model).changed);
}

INSTANTIATE_TEST_SUITE_P(Samples, LayoutSamples, ::testing::Values("resnet_mini", "mobilenet_mini"));

constexpr const char* kSingleConv = R"(model ir_version=8
opset "" 17
graph "g" (%x: f32[1,3,4,4]) -> (%y: f32[1,2,4,4]) {
  init %w: f32[2,3,1,1] = [0.5, -1, 2, 0.25, -0.75, 1.5]
  %c = Conv(%x, %w)
  %y = Relu(%c)
}
)";

TEST(ConvertToNhwc, MinConvsDecidesWhetherARegionIsWorthIt) {
  Model below = parse_model_text(kSingleConv);
  EXPECT_FALSE(convert(below).changed);

  Model enough = parse_model_text(kSingleConv);
  Json options = Json::object();
  options["min_convs"] = int64_t{1};
  StepReport r = convert(enough, options);
  ASSERT_TRUE(r.changed);
  EXPECT_TRUE(r.numeric.ran && r.numeric.passed) << r.numeric.detail;
  EXPECT_EQ(stat(r, "nodes_converted"), 2);
  EXPECT_EQ(count_op(enough, std::string(layout::kNhwcConv), kKilnDomain), 1);
  EXPECT_EQ(enough.opset(kKilnDomain), kKilnOpsetVersion);
}

// An entry and an exit Transpose already in the model cancel against the region's borders.
TEST(ConvertToNhwc, CountsCancelledTransposes) {
  Model m = parse_model_text(R"(model ir_version=8
opset "" 17
graph "g" (%x: f32[1,4,4,2]) -> (%y: f32[1,4,4,2]) {
  init %w1: f32[2,2,1,1] = [0.5, -1, 2, 0.25]
  init %w2: f32[2,2,1,1] = [1, 0.5, -0.5, 2]
  %t = Transpose(%x) {perm=[0, 3, 1, 2]}
  %c1 = Conv(%t, %w1)
  %c2 = Conv(%c1, %w2)
  %y = Transpose(%c2) {perm=[0, 2, 3, 1]}
}
)");
  StepReport r = convert(m);
  ASSERT_TRUE(r.changed);
  EXPECT_TRUE(r.numeric.ran && r.numeric.passed) << r.numeric.detail;
  EXPECT_EQ(stat(r, "transposes_cancelled"), 2);
  EXPECT_EQ(stat(r, "transposes_inserted"), 0);
  EXPECT_EQ(count_op(m, "Transpose"), 0);
}

}  // namespace
}  // namespace kiln::passes
