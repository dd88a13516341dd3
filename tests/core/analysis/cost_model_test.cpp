// MAC and FLOP counts from inferred shapes.
#include "core/analysis/cost_model.h"

#include <gtest/gtest.h>

#include "tests/core/analysis/infer_test_util.h"

namespace kiln {
namespace {

using namespace kiln::testing;
using A = Attribute;

TEST(CostModel, Conv3x3) {
  TestModel t;
  Value* x = t.in_f32("x", {D(1), D(64), D(56), D(56)});
  Node* conv = t.node("Conv", {x, t.f32("w", {64, 64, 3, 3}), t.f32("b", {64})}, {"y"},
                      {A::make_ints("pads", {1, 1, 1, 1})});
  t.infer();
  NodeCost c = estimate_node_cost(*conv);
  ASSERT_TRUE(c.known);
  EXPECT_EQ(c.macs, int64_t{64} * 64 * 9 * 56 * 56);
  EXPECT_EQ(c.flops, 2 * c.macs + 64 * 56 * 56);  // bias: one add per output
}

TEST(CostModel, GroupedConvAndTranspose) {
  TestModel t;
  Value* x = t.in_f32("x", {D(2), D(32), D(10), D(10)});
  Node* dw = t.node("Conv", {x, t.f32("w", {32, 1, 3, 3})}, {"dw"},
                    {A::make_int("group", 32), A::make_ints("pads", {1, 1, 1, 1})});
  Node* up = t.node("ConvTranspose", {x, t.f32("wt", {32, 16, 2, 2})}, {"up"},
                    {A::make_ints("strides", {2, 2})});
  t.infer();
  EXPECT_EQ(estimate_node_cost(*dw).macs, int64_t{2} * 32 * 10 * 10 * 9);
  EXPECT_EQ(t.type("up"), "f32[2,16,20,20]");
  EXPECT_EQ(estimate_node_cost(*up).macs, int64_t{2} * 32 * 10 * 10 * 16 * 4);
}

TEST(CostModel, MatMulWithBatchBroadcasting) {
  TestModel t;
  Node* mm = t.node("MatMul", {t.in_f32("a", {D(2), D(3), D(4)}), t.f32("b", {4, 5})}, {"y"});
  Node* bmm = t.node("MatMul", {t.in_f32("p", {D(6), D(1), D(3), D(4)}), t.in_f32("q", {D(5), D(4), D(2)})},
                     {"z"});
  Node* gemm = t.node("Gemm", {t.in_f32("g", {D(8), D(16)}), t.f32("gw", {32, 16}), t.f32("gb", {32})},
                      {"g_out"}, {A::make_int("transB", 1)});
  t.infer();
  NodeCost c = estimate_node_cost(*mm);
  EXPECT_TRUE(c.known);
  EXPECT_EQ(c.macs, 2 * 3 * 4 * 5);
  EXPECT_EQ(c.flops, 2 * c.macs);
  EXPECT_EQ(estimate_node_cost(*bmm).macs, 6 * 5 * 3 * 2 * 4);
  NodeCost g = estimate_node_cost(*gemm);
  EXPECT_EQ(g.macs, 8 * 16 * 32);
  EXPECT_EQ(g.flops, 2 * g.macs + 8 * 32);
}

TEST(CostModel, EinsumAndRecurrent) {
  TestModel t;
  Node* e = t.node("Einsum", {t.in_f32("a", {D(2), D(3), D(4)}), t.in_f32("b", {D(2), D(4), D(5)})},
                   {"y"}, {A::make_string("equation", "bij,bjk->bik")});
  Node* lstm = t.node("LSTM", {t.in_f32("x", {D(7), D(2), D(10)}), t.f32("w", {1, 80, 10}),
                               t.f32("r", {1, 80, 20})},
                      {"ly"}, {A::make_int("hidden_size", 20)});
  t.infer();
  EXPECT_EQ(estimate_node_cost(*e).macs, 2 * 3 * 4 * 5);
  // seq * batch * gates * hidden * (input + hidden)
  EXPECT_EQ(estimate_node_cost(*lstm).macs, 7 * 2 * 4 * 20 * (10 + 20));
}

TEST(CostModel, ElementwisePoolingReductionsAndDataMovement) {
  TestModel t;
  Value* x = t.in_f32("x", {D(1), D(8), D(4), D(4)});
  Node* relu = t.node("Relu", {x}, {"r"});
  Node* sm = t.node("Softmax", {x}, {"s"});
  Node* pool = t.node("MaxPool", {x}, {"p"}, {A::make_ints("kernel_shape", {2, 2}), A::make_ints("strides", {2, 2})});
  Node* red = t.node("ReduceMean", {x}, {"m"}, {A::make_ints("axes", {2, 3})});
  Node* tr = t.node("Transpose", {x}, {"t"});
  t.infer();
  EXPECT_EQ(estimate_node_cost(*relu).flops, 128);
  EXPECT_EQ(estimate_node_cost(*sm).flops, 5 * 128);
  EXPECT_EQ(estimate_node_cost(*pool).flops, 8 * 2 * 2 * 4);
  EXPECT_EQ(estimate_node_cost(*red).flops, 128);
  NodeCost c = estimate_node_cost(*tr);
  EXPECT_TRUE(c.known);
  EXPECT_EQ(c.flops, 0);
}

TEST(CostModel, UnknownWhenShapesAreNotStatic) {
  TestModel t;
  Node* mm = t.node("MatMul", {t.in_f32("a", {S("n"), D(4)}), t.f32("b", {4, 5})}, {"y"});
  Node* custom = t.g.add_node("Thing", {t.g.find_value("a")}, {"z"}, "com.example");
  t.infer();
  EXPECT_FALSE(estimate_node_cost(*mm).known);
  EXPECT_FALSE(estimate_node_cost(*custom).known);
}

TEST(CostModel, ModelTotalsGroupByOpAndIncludeSubgraphs) {
  TestModel t;
  Value* x = t.in_f32("x", {D(2), D(4)});
  Value* w = t.f32("w", {4, 4});
  Value* y = t.op("MatMul", {x, w}, "y");
  t.op("MatMul", {y, w}, "y2");
  t.g.add_node("Thing", {y}, {"z"}, "com.example");
  auto then_g = t.g.new_subgraph();
  then_g->add_output(then_g->add_node("Relu", {then_g->add_capture("x")}, {"tr"})->output(0));
  auto else_g = t.g.new_subgraph();
  else_g->add_output(else_g->add_node("Neg", {else_g->add_capture("x")}, {"en"})->output(0));
  Node* n = t.node("If", {t.in("c", DataType::Bool, {})}, {"o"});
  n->set_attr(A::make_graph("then_branch", std::move(then_g)));
  n->set_attr(A::make_graph("else_branch", std::move(else_g)));
  t.infer();
  ModelCost mc = estimate_model_cost(t.model);
  EXPECT_EQ(mc.by_op["MatMul"].count, 2);
  EXPECT_EQ(mc.by_op["MatMul"].macs, 2 * 2 * 4 * 4);
  EXPECT_EQ(mc.by_op["com.example::Thing"].unknown, 1);
  EXPECT_EQ(mc.by_op["Relu"].flops, 8);
  EXPECT_EQ(mc.by_op["Neg"].flops, 8);
  EXPECT_EQ(mc.by_op["If"].count, 1);
  EXPECT_EQ(mc.total_macs, 64);
  EXPECT_EQ(mc.total_flops, 128 + 16);
  EXPECT_EQ(mc.nodes_unknown, 1);
}

}  // namespace
}  // namespace kiln
