// evaluate_node: one node's reference kernel outside a Session, as constant folding uses it.
#include "core/runtime/evaluate.h"

#include <gtest/gtest.h>

#include "core/ir/model.h"
#include "tests/core/runtime/kernel_harness.h"

namespace kiln {
namespace {

using testing::make_rt;
using testing::values_of;

TEST(EvaluateNode, AddsTwoTensors) {
  Graph g;
  Value* a = g.add_input("a", ValueType::tensor(DataType::Float32));
  Value* b = g.add_input("b", ValueType::tensor(DataType::Float32));
  Node* n = g.add_node("Add", {a, b}, {"y"});
  RtTensor x = make_rt<float>(DataType::Float32, {2, 2}, {1, 2, 3, 4});
  RtTensor y = make_rt<float>(DataType::Float32, {2}, {10, 20});
  std::vector<RtTensor> out = evaluate_node(*n, 17, {&x, &y});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{11, 22, 13, 24}));
}

TEST(EvaluateNode, ConstantFromIntsAttribute) {
  Graph g;
  Node* n = g.add_node("Constant", {}, {"c"});
  n->set_attr(Attribute::make_ints("value_ints", {4, 64}));
  std::vector<RtTensor> out = evaluate_node(*n, 17, {});
  ASSERT_EQ(out[0].dtype(), DataType::Int64);
  EXPECT_EQ(values_of<int64_t>(out[0]), (std::vector<int64_t>{4, 64}));
}

TEST(EvaluateNode, OmittedOutputStaysEmpty) {
  Graph g;
  Value* x = g.add_input("x", ValueType::tensor(DataType::Float32));
  Node* n = g.add_node("Dropout", {x}, {"y", ""});
  RtTensor in = make_rt<float>(DataType::Float32, {3}, {1, 2, 3});
  std::vector<RtTensor> out = evaluate_node(*n, 13, {&in});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 2, 3}));
  EXPECT_TRUE(out[1].empty());
}

TEST(EvaluateNode, RefusesOutputsOverTheLimitBeforeComputing) {
  Graph g;
  Value* s = g.add_input("s", ValueType::tensor(DataType::Int64));
  Node* n = g.add_node("ConstantOfShape", {s}, {"y"});
  RtTensor shape = make_rt<int64_t>(DataType::Int64, {2}, {1 << 20, 1 << 20});
  EXPECT_THROW(evaluate_node(*n, 17, {&shape}, 1 << 20), OutputTooLarge);
  RtTensor small = make_rt<int64_t>(DataType::Int64, {1}, {4});
  EXPECT_EQ(evaluate_node(*n, 17, {&small}, 16)[0].numel(), 4);
}

TEST(EvaluateNode, MissingKernelIsUnsupportedAndBadInputsAreErrors) {
  Graph g;
  Value* x = g.add_input("x", ValueType::tensor(DataType::Float32));
  Node* custom = g.add_node("Frobnicate", {x}, {"y"}, "com.example");
  RtTensor in = make_rt<float>(DataType::Float32, {1}, {1});
  EXPECT_FALSE(can_evaluate(*custom, 1));
  EXPECT_THROW(evaluate_node(*custom, 1, {&in}), Unsupported);
  Value* s = g.add_input("s", ValueType::tensor(DataType::Int64));
  Node* reshape = g.add_node("Reshape", {x, s}, {"r"});
  EXPECT_TRUE(can_evaluate(*reshape, 17));
  RtTensor bad = make_rt<int64_t>(DataType::Int64, {1}, {5});
  EXPECT_THROW(evaluate_node(*reshape, 17, {&in, &bad}), Error);
}

}  // namespace
}  // namespace kiln
