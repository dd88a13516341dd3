// Properties of the reordering passes the golden fixtures cannot show on their own: a second run
// changes nothing, the four passes run in any order settle instead of undoing each other, and a
// large graph goes through them in linear time.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/analysis/shape_inference.h"
#include "core/ir/text_format.h"
#include "passes/framework/pass_manager.h"
#include "passes/framework/rewriter.h"
#include "tests/passes/fixture_files.h"

namespace kiln::passes {
namespace {

namespace fs = std::filesystem;

const std::array<const char*, 4> kPasses = {"hoist-slices", "sink-transposes", "reorder-reshape-unary", "move-casts"};

std::vector<fs::path> fixtures() { return testing::fixture_files(kPasses, true); }

const PassDef& pass(const std::string& id) {
  const PassDef* def = PassRegistry::global().find(id);
  if (!def) throw std::runtime_error("no pass " + id);
  return *def;
}

class ReorderingFixture : public ::testing::TestWithParam<fs::path> {};

TEST_P(ReorderingFixture, SecondRunChangesNothing) {
  const PassDef& def = pass(GetParam().parent_path().filename().string());
  Model m = parse_model_text(testing::fixture_before(GetParam()));
  PassManager pm;
  pm.apply(m, def, def.info.default_options());
  const std::string once = print_model(m);
  const StepReport again = pm.apply(m, def, def.info.default_options());
  EXPECT_FALSE(again.changed) << GetParam() << ":\n" << once << "became\n" << print_model(m);
}

INSTANTIATE_TEST_SUITE_P(Reordering, ReorderingFixture, ::testing::ValuesIn(fixtures()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           std::string s = info.param.parent_path().filename().string() + "_" + info.param.stem().string();
                           for (char& c : s)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return s;
                         });

// Widening and narrowing Casts, Transposes, elementwise ops and crops interleaved: every pass has
// something to move, and some moves (a Cast past a Transpose, a Slice past a Cast) are ones two
// passes could disagree about.
constexpr const char* kMixed = R"(model ir_version=8
opset "" 17
graph "g" (%x: f16[2,3,4]) -> (%y: f16[2,8], %z: f32[2,4]) {
  init %starts: i64[1] = [1]
  init %ends: i64[1] = [3]
  init %axes: i64[1] = [0]
  init %b: f32[4] = [1, 2, 3, 4]
  init %shape: i64[2] = [2, 8]
  init %idx: i64[] = [0]
  %w = Cast(%x) {to=1}
  %t = Transpose(%w) {perm=[1, 0, 2]}
  %r = Relu(%t)
  %a = Add(%r, %b)
  %s = Slice(%a, %starts, %ends, %axes)
  %t2 = Transpose(%s) {perm=[1, 0, 2]}
  %e = Exp(%t2)
  %n = Cast(%e) {to=10}
  %rs = Reshape(%n, %shape)
  %y = Sigmoid(%rs)
  %w2 = Cast(%n) {to=1}
  %g = Gather(%w2, %idx) {axis=1}
  %z = Tanh(%g)
}
)";

TEST(ReorderingPasses, EveryOrderSettlesWithoutUndoingEachOther) {
  std::array<int, 4> order = {0, 1, 2, 3};
  do {
    Model m = parse_model_text(kMixed);
    ManagerOptions mo;
    mo.verify_numerics = true;
    PassManager pm(mo);
    int rounds = 0;
    bool changed = true;
    while (changed && rounds < 5) {
      changed = false;
      ++rounds;
      for (int i : order) {
        const PassDef& def = pass(kPasses[static_cast<size_t>(i)]);
        const StepReport r = pm.apply(m, def, def.info.default_options());
        changed = changed || r.changed;
        if (r.changed) {
          EXPECT_TRUE(r.numeric.ran && r.numeric.passed) << def.info.id << ": " << r.numeric.detail;
        }
      }
    }
    EXPECT_FALSE(changed) << "order " << order[0] << order[1] << order[2] << order[3] << " still changes after "
                          << rounds << " rounds:\n" << print_model(m);
    EXPECT_LE(m.graph->node_count(), 15u) << print_model(m);
  } while (std::next_permutation(order.begin(), order.end()));
}

// Blocks of Transpose, elementwise ops, inverse Transpose, narrowing and widening Casts around a
// Reshape, and a Slice: each pass rewrites every block.
Model large_model(int blocks) {
  Model m;
  m.set_opset("", 17);
  Graph& g = *m.graph;
  Value* v = g.add_input("x", ValueType::tensor(DataType::Float32, Shape::of({4, 8})));
  auto i64 = [&](const std::string& name, std::vector<int64_t> values) {
    return g.add_initializer(Tensor::from_values(name, DataType::Int64, {static_cast<int64_t>(values.size())}, values));
  };
  Value* bias = g.add_initializer(Tensor::from_values("bias", DataType::Float32, {4}, std::vector<float>{1, 2, 3, 4}));
  Value* shape = i64("shape", {4, 8});
  Value* starts = i64("starts", {0});
  Value* ends = i64("ends", {4});
  Value* axes = i64("axes", {0});
  int serial = 0;
  auto add = [&](const char* op, std::vector<Value*> ins, std::vector<Attribute> attrs = {}) {
    Node* n = g.add_node(op, ins, {std::string("v") + std::to_string(serial++)});
    for (Attribute& a : attrs) n->set_attr(std::move(a));
    return n->output(0);
  };
  for (int b = 0; b < blocks; ++b) {
    Value* t = add("Transpose", {v}, {Attribute::make_ints("perm", {1, 0})});
    Value* r = add("Relu", {t});
    Value* a = add("Add", {r, bias});
    Value* t2 = add("Transpose", {a}, {Attribute::make_ints("perm", {1, 0})});
    Value* h = add("Cast", {t2}, {Attribute::make_int("to", static_cast<int64_t>(DataType::Float16))});
    Value* rs = add("Reshape", {h, shape});
    Value* w = add("Cast", {rs}, {Attribute::make_int("to", static_cast<int64_t>(DataType::Float32))});
    Value* e = add("Exp", {w});
    v = add("Slice", {e, starts, ends, axes});
  }
  g.add_output(v);
  v->type = ValueType::tensor(DataType::Float32, Shape::of({4, 8}));
  return m;
}

// A 100,000-node graph: every block rewrites as on a small one (timings are measured by
// tests/bench/bench_passes, not asserted here).
TEST(ReorderingPasses, HundredThousandNodes) {
  Model m = large_model(11112);
  ASSERT_GE(m.graph->node_count(), 100000u);
  for (const char* id : kPasses) {
    infer_shapes(m);
    const PassDef& def = pass(id);
    const Options options = def.info.default_options();
    Stats stats(def.info);
    Rewriter rw(m);
    PassContext ctx{m, rw, options, stats};
    def.run(ctx);
    ASSERT_TRUE(m.graph->topological_sort()) << id;
  }
  EXPECT_TRUE(m.graph->verify().empty());
  // Every block's Transposes cancel; its Slice moves above Exp and the widening Cast.
  int transposes = 0, slices_after_reshape = 0;
  m.graph->for_each_node([&](const Node* n) {
    transposes += n->op_type == "Transpose";
    slices_after_reshape += n->op_type == "Slice" && n->input(0)->producer() && n->input(0)->producer()->op_type == "Reshape";
  });
  EXPECT_EQ(transposes, 0);
  EXPECT_EQ(slices_after_reshape, 11112);
}

}  // namespace
}  // namespace kiln::passes
