// If, Loop and Scan run through a Session on graphs built in code.
#include <gtest/gtest.h>

#include "core/builder/model_builder.h"
#include "core/runtime/session.h"
#include "tests/core/runtime/kernel_harness.h"
#include "tests/core/runtime/runtime_test_util.h"

namespace kiln {
namespace {

using testing::make_rt;
using testing::values_of;

const std::vector<Dim> kScalar{};

TEST(ControlFlow, IfPicksABranchAndReadsCapturedValues) {
  KILN_REQUIRE_OPS({"Add", "Sub"});
  ModelBuilder b;
  Value* c = b.input("c", DataType::Bool, kScalar);
  Value* x = b.input("x", DataType::Float32, std::vector<int64_t>{3});
  Value* y = b.input("y", DataType::Float32, std::vector<int64_t>{3});
  Value* t = b.op("Add", {x, y}, {}, "t");
  auto then_g = b.new_subgraph("then");
  GraphBuilder tb(*then_g);
  tb.output(tb.op("Add", {tb.capture(t->name()), tb.capture("x")}), DataType::Float32, {Dim::known(3)});
  auto else_g = b.new_subgraph("else");
  GraphBuilder eb(*else_g);
  eb.output(eb.op("Sub", {eb.capture(t->name()), eb.capture("y")}), DataType::Float32, {Dim::known(3)});
  Value* out = b.op("If", {c}, {attr::g("then_branch", std::move(then_g)), attr::g("else_branch", std::move(else_g))});
  b.output(out);
  Model m = b.take();
  Session s(m, {});
  auto xs = make_rt<float>(DataType::Float32, {3}, {1, 2, 3});
  auto ys = make_rt<float>(DataType::Float32, {3}, {10, 20, 30});
  auto r1 = s.run({{"c", make_rt<uint8_t>(DataType::Bool, {}, {1})}, {"x", xs}, {"y", ys}});
  EXPECT_EQ(values_of<float>(r1[0]), (std::vector<float>{12, 24, 36}));
  auto r0 = s.run({{"c", make_rt<uint8_t>(DataType::Bool, {}, {0})}, {"x", xs}, {"y", ys}});
  EXPECT_EQ(values_of<float>(r0[0]), (std::vector<float>{1, 2, 3}));
}

// Loop: s += x each iteration; scan output collects s after each step; stops at M or when the
// body says so (after reaching `limit`).
Model loop_model(bool with_m, bool with_cond) {
  ModelBuilder b("loop", 16);
  Value* m = with_m ? b.input("M", DataType::Int64, kScalar) : nullptr;
  Value* cond = with_cond ? b.input("cond", DataType::Bool, kScalar) : nullptr;
  b.input("x", DataType::Float32, std::vector<int64_t>{2});
  Value* s0 = b.input("s0", DataType::Float32, std::vector<int64_t>{2});
  b.init("limit", DataType::Float32, {}, {5.f});
  auto body = b.new_subgraph("body");
  GraphBuilder gb(*body);
  gb.input("i", DataType::Int64, {});
  gb.input("cond_in", DataType::Bool, {});
  Value* s = gb.input("s", DataType::Float32, {Dim::known(2)});
  Value* next = gb.op("Add", {s, gb.capture("x")});
  Value* total = gb.op("ReduceSum", {next}, {attr::i("keepdims", 0)});
  Value* go = gb.op("Less", {total, gb.capture("limit")});
  gb.output(go, DataType::Bool, {});
  gb.output(next, DataType::Float32, {Dim::known(2)});
  gb.output(gb.op("Identity", {next}), DataType::Float32, {Dim::known(2)});
  auto outs = b.op_n("Loop", {m, cond, s0}, 2, {attr::g("body", std::move(body))});
  b.output(outs[0]);
  b.output(outs[1]);
  return b.take();
}

TEST(ControlFlow, LoopRunsToMaxTripCount) {
  KILN_REQUIRE_OPS({"Add", "ReduceSum", "Less", "Identity"});
  Model m = loop_model(true, true);
  Session s(m, {});
  auto r = s.run({{"M", make_rt<int64_t>(DataType::Int64, {}, {3})},
                  {"cond", make_rt<uint8_t>(DataType::Bool, {}, {1})},
                  {"x", make_rt<float>(DataType::Float32, {2}, {0.1f, 0.2f})},
                  {"s0", make_rt<float>(DataType::Float32, {2}, {0, 0})}});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].shape(), (std::vector<int64_t>{3, 2}));
  auto scan = values_of<float>(r[1]);
  EXPECT_FLOAT_EQ(scan[4], 0.3f);
  EXPECT_FLOAT_EQ(scan[5], 0.6f);
  EXPECT_FLOAT_EQ(values_of<float>(r[0])[1], 0.6f);
}

TEST(ControlFlow, LoopWithoutMaxTripCountStopsOnCondition) {
  KILN_REQUIRE_OPS({"Add", "ReduceSum", "Less", "Identity"});
  Model m = loop_model(false, true);
  Session s(m, {});
  auto r = s.run({{"cond", make_rt<uint8_t>(DataType::Bool, {}, {1})},
                  {"x", make_rt<float>(DataType::Float32, {2}, {1, 1})},
                  {"s0", make_rt<float>(DataType::Float32, {2}, {0, 0})}});
  // Sums 2, 4, 6: the body reports false once the total reaches 5.
  EXPECT_EQ(r[1].shape(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(values_of<float>(r[0]), (std::vector<float>{3, 3}));
  auto zero = s.run({{"cond", make_rt<uint8_t>(DataType::Bool, {}, {0})},
                     {"x", make_rt<float>(DataType::Float32, {2}, {1, 1})},
                     {"s0", make_rt<float>(DataType::Float32, {2}, {7, 8})}});
  EXPECT_EQ(values_of<float>(zero[0]), (std::vector<float>{7, 8}));
  EXPECT_EQ(zero[1].shape()[0], 0);
}

TEST(ControlFlow, LoopWithoutConditionUsesM) {
  KILN_REQUIRE_OPS({"Add", "ReduceSum", "Less", "Identity"});
  Model m = loop_model(true, false);
  Session s(m, {});
  auto r = s.run({{"M", make_rt<int64_t>(DataType::Int64, {}, {2})},
                  {"x", make_rt<float>(DataType::Float32, {2}, {1, 2})},
                  {"s0", make_rt<float>(DataType::Float32, {2}, {0, 0})}});
  EXPECT_EQ(values_of<float>(r[0]), (std::vector<float>{2, 4}));
}

// Scan: running sum over the scan axis of x[2,3] (axis `in_axis`, direction `in_dir`), outputs
// stacked along `out_axis` in direction `out_dir`.
std::vector<RtTensor> run_scan(int64_t in_axis, int64_t in_dir, int64_t out_axis, int64_t out_dir) {
  ModelBuilder b("scan", 16);
  Value* s0 = b.input("s0", DataType::Float32, std::vector<int64_t>{2});
  Value* x = b.input("x", DataType::Float32, std::vector<int64_t>{in_axis == 0 ? 3 : 2, in_axis == 0 ? 2 : 3});
  auto body = b.new_subgraph("body");
  GraphBuilder gb(*body);
  Value* s = gb.input("s", DataType::Float32, {Dim::known(2)});
  Value* xt = gb.input("xt", DataType::Float32, {Dim::known(2)});
  Value* next = gb.op("Add", {s, xt});
  gb.output(next, DataType::Float32, {Dim::known(2)});
  gb.output(gb.op("Identity", {next}), DataType::Float32, {Dim::known(2)});
  auto outs = b.op_n("Scan", {s0, x}, 2,
                     {attr::g("body", std::move(body)), attr::i("num_scan_inputs", 1),
                      attr::ints("scan_input_axes", {in_axis}), attr::ints("scan_input_directions", {in_dir}),
                      attr::ints("scan_output_axes", {out_axis}), attr::ints("scan_output_directions", {out_dir})});
  b.output(outs[0]);
  b.output(outs[1]);
  Model m = b.take();
  Session sess(m, {});
  std::vector<float> xv = in_axis == 0 ? std::vector<float>{1, 10, 2, 20, 3, 30} : std::vector<float>{1, 2, 3, 10, 20, 30};
  return sess.run({{"s0", make_rt<float>(DataType::Float32, {2}, {0, 0})},
                   {"x", make_rt<float>(DataType::Float32, x->type.shape->values(), xv)}});
}

TEST(ControlFlow, ScanForwardAlongAxis0) {
  KILN_REQUIRE_OPS({"Add", "Identity"});
  auto r = run_scan(0, 0, 0, 0);
  EXPECT_EQ(values_of<float>(r[0]), (std::vector<float>{6, 60}));
  EXPECT_EQ(r[1].shape(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(values_of<float>(r[1]), (std::vector<float>{1, 10, 3, 30, 6, 60}));
}

TEST(ControlFlow, ScanReversedInputAlongAxis1AndOutputAlongAxis1) {
  KILN_REQUIRE_OPS({"Add", "Identity"});
  auto r = run_scan(1, 1, 1, 0);
  EXPECT_EQ(values_of<float>(r[0]), (std::vector<float>{6, 60}));
  EXPECT_EQ(r[1].shape(), (std::vector<int64_t>{2, 3}));
  // Steps visit columns 2, 1, 0: running sums 3, 5, 6 and 30, 50, 60.
  EXPECT_EQ(values_of<float>(r[1]), (std::vector<float>{3, 5, 6, 30, 50, 60}));
}

TEST(ControlFlow, ScanReversedOutput) {
  KILN_REQUIRE_OPS({"Add", "Identity"});
  auto r = run_scan(0, 0, 0, 1);
  EXPECT_EQ(values_of<float>(r[1]), (std::vector<float>{6, 60, 3, 30, 1, 10}));
}

TEST(ControlFlow, NestedBodiesCaptureFromTwoScopesUp) {
  KILN_REQUIRE_OPS({"Add", "Neg", "Identity"});
  // t = Neg(x) is read only by an If nested in a Loop body: it must stay alive (not be freed
  // after its producer) and resolve through both scopes.
  ModelBuilder b("nested", 16);
  Value* x = b.input("x", DataType::Float32, std::vector<int64_t>{2});
  Value* m = b.input("M", DataType::Int64, kScalar);
  Value* s0 = b.input("s0", DataType::Float32, std::vector<int64_t>{2});
  Value* t = b.op("Neg", {x}, {}, "t");
  auto body = b.new_subgraph("body");
  GraphBuilder gb(*body);
  gb.input("i", DataType::Int64, {});
  Value* cond_in = gb.input("cond_in", DataType::Bool, {});
  gb.input("s", DataType::Float32, {Dim::known(2)});
  auto then_g = b.new_subgraph("then");
  GraphBuilder tb(*then_g);
  tb.output(tb.op("Add", {tb.capture("s"), tb.capture(t->name())}), DataType::Float32, {Dim::known(2)});
  auto else_g = b.new_subgraph("else");
  GraphBuilder eb(*else_g);
  eb.output(eb.op("Identity", {eb.capture("s")}), DataType::Float32, {Dim::known(2)});
  Value* next = gb.op("If", {cond_in}, {attr::g("then_branch", std::move(then_g)), attr::g("else_branch", std::move(else_g))});
  gb.output(gb.op("Identity", {cond_in}), DataType::Bool, {});
  gb.output(next, DataType::Float32, {Dim::known(2)});
  auto outs = b.op_n("Loop", {m, nullptr, s0}, 1, {attr::g("body", std::move(body))});
  b.output(outs[0]);
  Model model = b.take();
  Session sess(model, {});
  auto r = sess.run({{"x", make_rt<float>(DataType::Float32, {2}, {1, 2})},
                     {"M", make_rt<int64_t>(DataType::Int64, {}, {3})},
                     {"s0", make_rt<float>(DataType::Float32, {2}, {0, 0})}});
  EXPECT_EQ(values_of<float>(r[0]), (std::vector<float>{-3, -6}));
}

}  // namespace
}  // namespace kiln
