// The op-support table is the inference rule table.
#include "core/analysis/op_support.h"

#include <gtest/gtest.h>

#include <set>

#include "core/analysis/infer_context.h"
#include "tests/core/analysis/infer_test_util.h"

namespace kiln {
namespace {

using namespace kiln::testing;

TEST(OpSupport, OneRulePerOp) {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const analysis::OpRule& r : analysis::rule_table().rules()) {
    EXPECT_TRUE(seen.insert({r.domain, r.op_type}).second) << r.op_type << " registered twice";
    EXPECT_LE(r.since, r.until) << r.op_type;
    EXPECT_NE(r.infer, nullptr) << r.op_type;
  }
}

TEST(OpSupport, EveryListedOpIsSupported) {
  for (auto op :
       {"Add", "Sub", "Mul", "Div", "Pow", "Mod", "Max", "Min", "Sum", "Mean", "And", "Or", "Xor",
        "Not", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "BitShift",
        "BitwiseAnd", "BitwiseOr", "BitwiseXor", "BitwiseNot", "Abs", "Neg", "Exp", "Log", "Sqrt",
        "Reciprocal", "Floor", "Ceil", "Round", "Sign", "Sin", "Cos", "Tan", "Asin", "Acos",
        "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Erf", "IsNaN", "IsInf", "Relu",
        "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Sigmoid", "HardSigmoid", "HardSwish",
        "Softplus", "Softsign", "Tanh", "Gelu", "Mish", "Clip", "ThresholdedRelu", "Cast",
        "CastLike", "Where", "Conv", "ConvTranspose", "MatMul", "Gemm", "Einsum",
        "BatchNormalization", "InstanceNormalization", "LayerNormalization",
        "GroupNormalization", "LRN", "MaxPool", "AveragePool", "LpPool", "GlobalMaxPool",
        "GlobalAveragePool", "GlobalLpPool", "Softmax", "LogSoftmax", "Hardmax", "ReduceSum",
        "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
        "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare", "ArgMax", "ArgMin", "TopK",
        "CumSum", "Shape", "Size", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose",
        "Concat", "Split", "Slice", "Gather", "GatherElements", "GatherND", "ScatterND",
        "ScatterElements", "Expand", "Tile", "Pad", "Resize", "DepthToSpace", "SpaceToDepth",
        "Constant", "ConstantOfShape", "Range", "OneHot", "NonZero", "Identity", "Dropout",
        "Trilu", "LSTM", "GRU", "RNN", "If", "Loop", "Scan", "QuantizeLinear",
        "DequantizeLinear", "DynamicQuantizeLinear", "QLinearConv", "QLinearMatMul",
        "MatMulInteger", "ConvInteger"})
    EXPECT_TRUE(op_is_supported("", op, 21)) << op;
  EXPECT_TRUE(op_is_supported("", "Upsample", 9));
  EXPECT_TRUE(op_is_supported("", "Scatter", 10));
}

TEST(OpSupport, OpsetRanges) {
  EXPECT_FALSE(op_is_supported("", "Gelu", 17));  // Gelu arrived in opset 20
  EXPECT_TRUE(op_is_supported("", "Gelu", 20));
  EXPECT_FALSE(op_is_supported("", "Upsample", 10));  // deprecated in 10
  EXPECT_FALSE(op_is_supported("", "NoSuchOp", 17));
  EXPECT_TRUE(op_is_supported("ai.onnx", "Relu", 17));
  EXPECT_FALSE(op_is_supported("com.example", "Relu", 1));
}

TEST(OpSupport, UnsupportedOpsWithReasons) {
  TestModel t(17);
  t.model.set_opset("com.example", 1);
  t.model.set_opset("ai.onnx.ml", 3);
  Value* x = t.in_f32("x", {D(2)});
  t.op("Relu", {x}, "r");
  t.g.add_node("Custom", {x}, {"c1"}, "com.example");
  t.g.add_node("Custom", {x}, {"c2"}, "com.example");
  t.g.add_node("LinearClassifier", {x}, {"l"}, "ai.onnx.ml");
  t.g.add_node("FusedThing", {x}, {"k"}, "ai.kiln");
  t.g.add_node("Gelu", {x}, {"g"});  // opset 17 has no Gelu
  t.g.add_node("Frobnicate", {x}, {"f"});
  auto body = t.g.new_subgraph();
  body->add_output(body->add_node("Mystery", {body->add_capture("x")}, {"m"})->output(0));
  auto other = t.g.new_subgraph();
  other->add_output(other->add_node("Relu", {other->add_capture("x")}, {"o"})->output(0));
  Node* n = t.node("If", {t.in("cond", DataType::Bool, {})}, {"y"});
  n->set_attr(Attribute::make_graph("then_branch", std::move(body)));
  n->set_attr(Attribute::make_graph("else_branch", std::move(other)));

  std::vector<UnsupportedOp> u = unsupported_ops(t.model);
  ASSERT_EQ(u.size(), 6u);
  auto expect = [&](size_t i, std::string domain, std::string op, int64_t count, std::string reason) {
    EXPECT_EQ(u[i].domain, domain) << i;
    EXPECT_EQ(u[i].op_type, op) << i;
    EXPECT_EQ(u[i].count, count) << i;
    EXPECT_EQ(u[i].reason, reason) << i;
  };
  expect(0, "", "Frobnicate", 1, "no Kiln implementation");
  expect(1, "", "Gelu", 1, "not supported at opset 17");
  expect(2, "", "Mystery", 1, "no Kiln implementation");
  expect(3, "ai.kiln", "FusedThing", 1, "no Kiln implementation");
  expect(4, "ai.onnx.ml", "LinearClassifier", 1, "ONNX-ML op not implemented");
  expect(5, "com.example", "Custom", 2, "custom domain 'com.example'");
}

}  // namespace
}  // namespace kiln
