// If / Loop / Scan bodies are inferred recursively; recurrent ops.
#include <gtest/gtest.h>

#include "tests/core/analysis/infer_test_util.h"

namespace kiln {
namespace {

using namespace kiln::testing;
using A = Attribute;

// then: Relu(x) -> [n,4];  else: Concat(x, x, axis 0) -> [2n... unknown, 4]
std::unique_ptr<Graph> relu_branch(const Graph& outer) {
  auto g = outer.new_subgraph();
  Value* x = g->add_capture("x");
  Node* n = g->add_node("Relu", {x}, {"then_out"});
  g->add_output(n->output(0));
  return g;
}

std::unique_ptr<Graph> concat_branch(const Graph& outer) {
  auto g = outer.new_subgraph();
  Value* x = g->add_capture("x");
  Node* n = g->add_node("Concat", {x, x}, {"else_out"});
  n->set_attr(A::make_int("axis", 0));
  g->add_output(n->output(0));
  return g;
}

TEST(InferControlFlow, IfUnitesItsBranches) {
  TestModel t;
  t.in_f32("x", {S("n"), D(4)});
  Value* cond = t.in("cond", DataType::Bool, {});
  Node* n = t.node("If", {cond}, {"y"});
  n->set_attr(A::make_graph("then_branch", relu_branch(t.g)));
  n->set_attr(A::make_graph("else_branch", concat_branch(t.g)));
  t.infer();
  EXPECT_EQ(t.type("y"), "f32[?,4]");
  // The bodies were typed too, captures from the outer graph.
  Graph* then_g = n->attr("then_branch")->graph();
  EXPECT_EQ(then_g->find_value("x")->type.str(), "f32[n,4]");
  EXPECT_EQ(then_g->find_value("then_out")->type.str(), "f32[n,4]");
  EXPECT_EQ(n->attr("else_branch")->graph()->find_value("else_out")->type.str(), "f32[?,4]");
}

TEST(InferControlFlow, IfWithAConstantConditionTakesItsBranch) {
  TestModel t;
  t.in_f32("x", {S("n"), D(4)});
  Value* cond = t.g.add_initializer(Tensor::from_values<uint8_t>("c", DataType::Bool, {}, {1}));
  Node* n = t.node("If", {cond}, {"y"});
  n->set_attr(A::make_graph("then_branch", relu_branch(t.g)));
  n->set_attr(A::make_graph("else_branch", concat_branch(t.g)));
  t.infer();
  EXPECT_EQ(t.type("y"), "f32[n,4]");
}

TEST(InferControlFlow, IfBranchesOfDifferentRanks) {
  TestModel t;
  t.in_f32("x", {D(2), D(4)});
  Node* n = t.node("If", {t.in("cond", DataType::Bool, {})}, {"y"});
  n->set_attr(A::make_graph("then_branch", relu_branch(t.g)));
  auto other = t.g.new_subgraph();
  Value* shape = other->add_initializer(
      Tensor::from_values<int64_t>("shape", DataType::Int64, {1}, {8}));
  Node* r = other->add_node("Reshape", {other->add_capture("x"), shape}, {"flat"});
  other->add_output(r->output(0));
  n->set_attr(A::make_graph("else_branch", std::move(other)));
  t.infer();
  EXPECT_EQ(t.type("y"), "f32[*]");
  EXPECT_EQ(n->attr("else_branch")->graph()->find_value("flat")->type.str(), "f32[8]");
}

// Loop with a loop-invariant carried value, a carried value that grows each iteration, and a
// scan output.
TEST(InferControlFlow, LoopOutputRanks) {
  TestModel t;
  Value* h0 = t.in_f32("h0", {D(2), D(3)});
  Value* acc0 = t.in_f32("acc0", {D(1), D(3)});
  Value* trip = t.i64("trip", {5}, true);
  auto body = t.g.new_subgraph();
  body->add_input("i", ValueType());
  Value* cond_in = body->add_input("cond_in", ValueType());
  Value* h = body->add_input("h", ValueType());
  Value* acc = body->add_input("acc", ValueType());
  Value* h_next = body->add_node("Tanh", {h}, {"h_next"})->output(0);
  Node* grow = body->add_node("Concat", {acc, body->add_node("ReduceSum", {h}, {"row"})->output(0)},
                              {"acc_next"});
  body->find_value("row")->producer()->set_attr(A::make_ints("axes", {0}));
  grow->set_attr(A::make_int("axis", 0));
  Value* scan = body->add_node("Mul", {h_next, body->add_capture("scale")}, {"scan_out"})->output(0);
  Value* cond_out = body->add_node("Identity", {cond_in}, {"cond_out"})->output(0);
  body->add_output(cond_out);
  body->add_output(h_next);
  body->add_output(grow->output(0));
  body->add_output(scan);
  t.f32("scale", {3});
  Node* loop = t.node("Loop", {trip, nullptr, h0, acc0}, {"h_final", "acc_final", "scans"});
  loop->set_attr(A::make_graph("body", std::move(body)));
  t.infer();
  EXPECT_EQ(t.type("h_final"), "f32[2,3]");
  EXPECT_EQ(t.type("acc_final"), "f32[?,3]");
  EXPECT_EQ(t.type("scans"), "f32[?,2,3]");
  Graph* b = loop->attr("body")->graph();
  EXPECT_EQ(b->find_value("i")->type.str(), "i64[]");
  EXPECT_EQ(b->find_value("acc_next")->type.str(), "f32[?,3]");
}

TEST(InferControlFlow, ScanSlicesAndStacks) {
  TestModel t;
  Value* state = t.in_f32("s0", {D(4)});
  Value* seq = t.in_f32("xs", {S("T"), D(4)});
  auto body = t.g.new_subgraph();
  Value* s = body->add_input("s", ValueType());
  Value* x = body->add_input("x", ValueType());
  Value* sum = body->add_node("Add", {s, x}, {"s_next"})->output(0);
  Value* out = body->add_node("Unsqueeze", {sum, body->add_initializer(Tensor::from_values<int64_t>(
                                                     "ax", DataType::Int64, {1}, {0}))},
                              {"y"})
                   ->output(0);
  body->add_output(sum);
  body->add_output(out);
  Node* n = t.node("Scan", {state, seq}, {"s_final", "ys"},
                   {A::make_int("num_scan_inputs", 1), A::make_ints("scan_output_axes", {1})});
  n->set_attr(A::make_graph("body", std::move(body)));
  t.infer();
  EXPECT_EQ(t.type("s_final"), "f32[4]");
  EXPECT_EQ(t.type("ys"), "f32[1,T,4]");
}

TEST(InferControlFlow, RecurrentOutputs) {
  TestModel t;
  Value* x = t.in_f32("x", {D(7), S("b"), D(10)});
  Value* w = t.f32("w", {2, 80, 10});
  Value* r = t.f32("r", {2, 80, 20});
  t.node("LSTM", {x, w, r}, {"y", "yh", "yc"},
         {A::make_int("hidden_size", 20), A::make_string("direction", "bidirectional")});
  t.node("GRU", {x, t.f32("gw", {1, 60, 10}), t.f32("gr", {1, 60, 20})}, {"gy", "gyh"});
  t.node("RNN", {t.in_f32("xb", {S("b"), D(7), D(10)}), t.f32("rw", {1, 16, 10}),
                 t.f32("rr", {1, 16, 16})},
         {"", "ryh"}, {A::make_int("hidden_size", 16), A::make_int("layout", 1)});
  t.infer();
  EXPECT_EQ(t.type("y"), "f32[7,2,b,20]");
  EXPECT_EQ(t.type("yh"), "f32[2,b,20]");
  EXPECT_EQ(t.type("yc"), "f32[2,b,20]");
  EXPECT_EQ(t.type("gy"), "f32[7,1,b,20]");  // hidden size read from R
  EXPECT_EQ(t.type("ryh"), "f32[b,1,16]");
}

}  // namespace
}  // namespace kiln
