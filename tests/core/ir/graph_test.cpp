#include "core/ir/graph.h"

#include <gtest/gtest.h>

#include "core/ir/model.h"
#include "core/util/error.h"

namespace kiln {
namespace {

std::shared_ptr<const Tensor> weights(const std::string& name, std::vector<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  std::vector<float> v(static_cast<size_t>(n), 0.5f);
  return Tensor::from_values(name, DataType::Float32, dims, v);
}

// x -> Relu -> Add(w) -> y
struct Chain {
  Graph g;
  Value* x;
  Value* w;
  Node* relu;
  Node* add;
  Chain() {
    x = g.add_input("x", ValueType::tensor(DataType::Float32, Shape::of({2, 3})));
    w = g.add_initializer(weights("w", {2, 3}));
    relu = g.add_node("Relu", {x}, {"r"});
    add = g.add_node("Add", {relu->output(0), w}, {"y"});
    g.add_output(add->output(0));
  }
};

TEST(Graph, UseDefLinksFollowMutations) {
  Chain c;
  EXPECT_TRUE(c.g.verify().empty());
  ASSERT_EQ(c.x->uses().size(), 1u);
  EXPECT_EQ(c.x->uses()[0].node, c.relu);
  EXPECT_EQ(c.add->input(0)->producer(), c.relu);

  // Bypass the Relu: Add reads x directly, then the Relu can go.
  c.add->set_input(0, c.x);
  EXPECT_FALSE(c.relu->output(0)->has_uses());
  EXPECT_EQ(c.x->uses().size(), 2u);
  c.g.remove_node(c.relu);
  EXPECT_EQ(c.g.node_count(), 1u);
  EXPECT_EQ(c.g.find_value("r"), nullptr);
  EXPECT_EQ(c.x->uses().size(), 1u);
  EXPECT_TRUE(c.g.verify().empty());
}

TEST(Graph, RemovingAUsedNodeIsRefused) {
  Chain c;
  EXPECT_THROW(c.g.remove_node(c.relu), Error);
  EXPECT_THROW(c.g.remove_node(c.add), Error);  // its output is a graph output
  EXPECT_TRUE(c.g.verify().empty());
}

TEST(Graph, ReplaceAllUsesCoversGraphOutputs) {
  Chain c;
  Node* neg = c.g.add_node("Neg", {c.add->output(0)}, {"n"});
  c.g.replace_all_uses(c.add->output(0), c.relu->output(0));
  EXPECT_EQ(c.g.outputs()[0], c.relu->output(0));
  EXPECT_EQ(neg->input(0), c.relu->output(0));
  EXPECT_FALSE(c.add->output(0)->is_graph_output());
  EXPECT_TRUE(c.relu->output(0)->is_graph_output());
  c.g.remove_node(c.add);
  EXPECT_TRUE(c.g.verify().empty());
}

TEST(Graph, NodeIdsAreStableAndProvenanceStartsWithSelf) {
  Chain c;
  NodeId relu_id = c.relu->id();
  EXPECT_NE(relu_id, c.add->id());
  EXPECT_EQ(c.relu->provenance, std::vector<NodeId>{relu_id});
  Node* tmp = c.g.add_node("Identity", {c.x}, {"tmp"});
  NodeId tmp_id = tmp->id();
  c.g.remove_node(tmp);
  Node* fresh = c.g.add_node("Neg", {c.x}, {"neg"});
  EXPECT_GT(fresh->id(), tmp_id);  // ids are never reused
  EXPECT_EQ(c.g.find_node(relu_id), c.relu);
}

TEST(Graph, DuplicateNamesGetUniqueSuffixes) {
  Chain c;
  Node* n = c.g.add_node("Neg", {c.x}, {"y"});
  EXPECT_EQ(n->output(0)->name(), "y_1");
  EXPECT_THROW(c.g.add_input("x", ValueType()), Error);
  EXPECT_THROW(c.g.rename_value(n->output(0), "r"), Error);
  c.g.rename_value(n->output(0), "negated");
  EXPECT_EQ(c.g.find_value("negated"), n->output(0));
  EXPECT_EQ(c.g.find_value("y_1"), nullptr);
}

TEST(Graph, VerifyFindsUseBeforeDefinition) {
  Chain c;
  c.g.move_before(c.add, c.relu);  // Add now reads r before Relu produces it
  auto problems = c.g.verify();
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems[0].find("before it is produced"), std::string::npos) << problems[0];
  EXPECT_TRUE(c.g.topological_sort());
  EXPECT_TRUE(c.g.verify().empty());
  EXPECT_EQ(c.g.nodes()[0], c.relu);
}

TEST(Graph, TopologicalSortDetectsCycles) {
  Graph g;
  Value* x = g.add_input("x", ValueType());
  Node* a = g.add_node("Add", {x}, {"a"});
  Node* b = g.add_node("Neg", {a->output(0)}, {"b"});
  a->set_input(1, b->output(0));  // a <-> b
  EXPECT_FALSE(g.topological_sort());
  EXPECT_FALSE(g.verify().empty());
}

TEST(Graph, CloneSharesWeightsAndKeepsIds) {
  Chain c;
  auto copy = c.g.clone();
  EXPECT_TRUE(copy->verify().empty());
  EXPECT_EQ(copy->node_count(), c.g.node_count());
  Value* w2 = copy->find_value("w");
  ASSERT_NE(w2, nullptr);
  EXPECT_EQ(w2->initializer()->data.get(), c.w->initializer()->data.get());  // shared bytes
  EXPECT_EQ(copy->nodes()[0]->id(), c.relu->id());
  // Editing the copy leaves the original alone (copy-on-write of the weight).
  copy->set_initializer(w2, weights("w", {2, 3}));
  EXPECT_NE(w2->initializer()->data.get(), c.w->initializer()->data.get());
  copy->remove_output(0);
  copy->remove_node(copy->nodes()[1]);
  EXPECT_EQ(c.g.node_count(), 2u);
  EXPECT_TRUE(c.g.verify().empty());
}

TEST(Graph, SubgraphCapturesResolveInEnclosingScopes) {
  Model m;
  Graph& g = *m.graph;
  Value* cond = g.add_input("cond", ValueType::tensor(DataType::Bool, Shape::of({})));
  Value* x = g.add_input("x", ValueType::tensor(DataType::Float32, Shape::of({4})));
  auto then_g = g.new_subgraph();
  then_g->name = "then";
  Value* cap = then_g->add_capture("x");
  then_g->add_output(then_g->add_node("Neg", {cap}, {"t"})->output(0));
  auto else_g = g.new_subgraph();
  else_g->name = "else";
  Value* cap2 = else_g->add_capture("missing");
  else_g->add_output(else_g->add_node("Abs", {cap2}, {"e"})->output(0));
  Node* iff = g.add_node("If", {cond}, {"out"});
  iff->set_attr(Attribute::make_graph("then_branch", std::move(then_g)));
  iff->set_attr(Attribute::make_graph("else_branch", std::move(else_g)));
  g.add_output(iff->output(0));
  (void)x;

  auto problems = g.verify();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("'missing'"), std::string::npos) << problems[0];
  EXPECT_EQ(g.total_node_count(), 3u);

  // Subgraph nodes share the model's id space, and clones keep it that way.
  NodeId then_id = iff->subgraphs()[0]->nodes()[0]->id();
  EXPECT_NE(then_id, iff->id());
  Model snap = m.clone();
  EXPECT_EQ(snap.graph->nodes()[0]->subgraphs()[0]->nodes()[0]->id(), then_id);
  Node* extra = snap.graph->nodes()[0]->subgraphs()[0]->add_node("Neg", {}, {"z"});
  EXPECT_GT(extra->id(), iff->id());
  EXPECT_GT(extra->id(), then_id);
  EXPECT_EQ(snap.graph->next_node_id(), extra->id() + 1);  // one id space per model
}

TEST(Graph, RemoveInputShiftsUses) {
  Chain c;
  Node* cat = c.g.add_node("Concat", {c.x, c.w, c.x}, {"cat"});
  cat->remove_input(0);
  EXPECT_EQ(cat->input(0), c.w);
  EXPECT_EQ(cat->input(1), c.x);
  EXPECT_TRUE(c.g.verify().empty());
}

TEST(Model, OpsetLookupTreatsDefaultDomainsAlike) {
  Model m;
  m.set_opset("", 17);
  m.set_opset("com.microsoft", 1);
  EXPECT_EQ(m.opset("ai.onnx"), 17);
  EXPECT_EQ(m.opset(""), 17);
  EXPECT_EQ(m.opset("com.microsoft"), 1);
  EXPECT_EQ(m.opset("ai.onnx.ml"), -1);
  m.set_opset("ai.onnx", 18);
  EXPECT_EQ(m.opsets.size(), 2u);
  EXPECT_EQ(m.opset(""), 18);
}

TEST(Tensor, NumelOverflowAndDecoding) {
  Tensor t;
  t.dims = {1LL << 40, 1LL << 40};
  EXPECT_EQ(t.numel(), -1);
  t.dims = {-1};
  EXPECT_EQ(t.numel(), -1);
  auto h = Tensor::from_values<uint16_t>("h", DataType::Float16, {3}, {0x3c00, 0xc000, 0x0001});
  auto d = h->to_double();
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0], 1.0);
  EXPECT_EQ(d[1], -2.0);
  EXPECT_FLOAT_EQ(static_cast<float>(d[2]), 5.9604645e-08f);
  EXPECT_EQ(float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half(-2.0f), 0xc000);
  auto i4 = Tensor::from_values<uint8_t>("q", DataType::Int4, {3}, {0xf7, 0x08});
  EXPECT_EQ(i4->to_double(), (std::vector<double>{7, -1, -8}));
  auto i32 = Tensor::from_values<int32_t>("s", DataType::Int32, {2}, {-3, 9});
  EXPECT_EQ(i32->to_int64(), (std::vector<int64_t>{-3, 9}));
}

TEST(DataType, NamesAndSizes) {
  EXPECT_EQ(dtype_short_name(DataType::Float32), "f32");
  EXPECT_EQ(dtype_from_short_name("bf16"), DataType::BFloat16);
  EXPECT_EQ(dtype_storage_bytes(DataType::Int4, 3), 2);
  EXPECT_EQ(dtype_storage_bytes(DataType::Float32, INT64_MAX / 2), -1);
  EXPECT_EQ(dtype_storage_bytes(DataType::String, 1), -1);
  EXPECT_FALSE(dtype_is_known(99));
}

}  // namespace
}  // namespace kiln
