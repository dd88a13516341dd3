#include "core/builder/model_builder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/util/error.h"

namespace kiln {
namespace {

TEST(ModelBuilder, BuildsAVerifiedModel) {
  ModelBuilder b("g", 13);
  Value* x = b.input("x", DataType::Float32, {Dim::symbolic("n"), Dim::known(4)});
  Value* w = b.random_init("w", {4, 4});
  Value* y = b.op("MatMul", {x, w}, {}, "/fc/MatMul");
  Value* z = b.op("Relu", {y});
  b.output(z, DataType::Float32, {Dim::symbolic("n"), Dim::known(4)});
  Model m = b.take();
  EXPECT_EQ(m.opset(""), 13);
  EXPECT_EQ(m.graph->name, "g");
  ASSERT_EQ(m.graph->node_count(), 2u);
  EXPECT_EQ(y->name(), "/fc/MatMul_output_0");
  EXPECT_EQ(y->producer()->name, "/fc/MatMul");
  EXPECT_EQ(z->name(), "Relu");
  EXPECT_TRUE(z->is_graph_output());
  EXPECT_EQ(z->type.str(), "f32[n,4]");
}

TEST(ModelBuilder, OutputNamesAreUniqueAndOmittedInputsAllowed) {
  ModelBuilder b;
  Value* x = b.input("x", DataType::Float32, std::vector<int64_t>{2});
  Value* a = b.op("Relu", {x});
  Value* c = b.op("Relu", {a});
  EXPECT_EQ(a->name(), "Relu");
  EXPECT_EQ(c->name(), "Relu_1");
  auto outs = b.op_n("Split", {c, nullptr}, 2, {attr::i("axis", 0)}, "/Split");
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_EQ(outs[1]->name(), "/Split_output_1");
  EXPECT_EQ(outs[0]->producer()->num_inputs(), 2u);
  EXPECT_EQ(outs[0]->producer()->input(1), nullptr);
  b.output(outs[0]);
  b.output(outs[1]);
  EXPECT_NO_THROW(b.take());
}

TEST(ModelBuilder, RandomInitIsDeterministicAndIndependentOfOrder) {
  auto w1 = ModelBuilder::random_normal(7, "layer.weight", 1000, 0.5f);
  auto w2 = ModelBuilder::random_normal(7, "layer.weight", 1000, 0.5f);
  auto other = ModelBuilder::random_normal(7, "layer.bias", 1000, 0.5f);
  auto reseeded = ModelBuilder::random_normal(8, "layer.weight", 1000, 0.5f);
  EXPECT_EQ(w1, w2);
  EXPECT_NE(w1, other);
  EXPECT_NE(w1, reseeded);
  double mean = 0, sq = 0;
  for (float v : w1) {
    mean += v;
    sq += static_cast<double>(v) * v;
  }
  mean /= 1000;
  double sd = std::sqrt(sq / 1000 - mean * mean);
  EXPECT_NEAR(mean, 0.0, 0.05);
  EXPECT_NEAR(sd, 0.5, 0.05);
  // The first values are pinned: they must be the same with every compiler and standard library.
  EXPECT_FLOAT_EQ(ModelBuilder::random_normal(1, "w", 1, 1.f)[0],
                  ModelBuilder::random_normal(1, "w", 2, 1.f)[0]);
  for (float v : ModelBuilder::random_uniform(3, "var", 500, 0.5f, 1.5f)) {
    EXPECT_GE(v, 0.5f);
    EXPECT_LT(v, 1.5f);
  }
}

TEST(ModelBuilder, InitializersOfEachKind) {
  ModelBuilder b;
  Value* f = b.init("f", DataType::Float16, {2}, {1.f, -2.5f});
  Value* i = b.ints("shape", {1, -1});
  Value* i32 = b.init_i32("i32", {1}, {7});
  Value* s = b.scalar("eps", 1e-5f);
  EXPECT_EQ(f->initializer()->dtype, DataType::Float16);
  EXPECT_EQ(f->initializer()->to_double(), (std::vector<double>{1.0, -2.5}));
  EXPECT_EQ(i->initializer()->to_int64(), (std::vector<int64_t>{1, -1}));
  EXPECT_EQ(i32->initializer()->to_int64(), (std::vector<int64_t>{7}));
  EXPECT_TRUE(s->initializer()->dims.empty());
  EXPECT_THROW(b.init("bad", DataType::Float32, {3}, {1.f}), Error);
  EXPECT_THROW(b.init("eps", DataType::Float32, {}, {1.f}), Error);
}

TEST(ModelBuilder, TakeRejectsAnInvalidGraph) {
  ModelBuilder b;
  Value* x = b.input("x", DataType::Float32, std::vector<int64_t>{2});
  Value* y = b.op("Relu", {x});
  b.output(y);
  Node* relu = y->producer();
  b.graph().move_before(b.op("Neg", {y})->producer(), relu);  // reads y before it is produced
  try {
    b.take();
    FAIL() << "take() accepted a graph that does not verify";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("before it is produced"), std::string::npos) << e.what();
  }
}

TEST(ModelBuilder, SubgraphsShareTheIdSpace) {
  ModelBuilder b;
  Value* c = b.input("c", DataType::Bool, std::vector<int64_t>{});
  Value* x = b.input("x", DataType::Float32, std::vector<int64_t>{2});
  auto then_g = b.new_subgraph("then");
  GraphBuilder tb(*then_g);
  tb.output(tb.op("Neg", {tb.capture("x")}), DataType::Float32, {Dim::known(2)});
  auto else_g = b.new_subgraph("else");
  GraphBuilder eb(*else_g);
  eb.output(eb.op("Abs", {eb.capture("x")}), DataType::Float32, {Dim::known(2)});
  (void)x;
  std::vector<Attribute> attrs;
  attrs.push_back(attr::g("then_branch", std::move(then_g)));
  attrs.push_back(attr::g("else_branch", std::move(else_g)));
  Value* y = b.op("If", {c}, std::move(attrs), "/If");
  b.output(y);
  Model m = b.take();
  EXPECT_EQ(m.graph->total_node_count(), 3u);
  std::set<NodeId> ids;
  ids.insert(y->producer()->id());
  for (Graph* g : y->producer()->subgraphs()) g->for_each_node([&](Node* n) { ids.insert(n->id()); });
  EXPECT_EQ(ids.size(), 3u);
}

}  // namespace
}  // namespace kiln
