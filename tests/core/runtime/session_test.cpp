#include "core/runtime/session.h"

#include <gtest/gtest.h>

#include "core/builder/model_builder.h"
#include "core/util/error.h"
#include "tests/core/runtime/kernel_harness.h"
#include "tests/core/runtime/runtime_test_util.h"

namespace kiln {
namespace {

using testing::make_rt;
using testing::values_of;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Session, UnsupportedOpsAreListedBeforeRunning) {
  ModelBuilder b;
  Value* x = b.input("x", DataType::Float32, std::vector<int64_t>{2});
  Value* y = x;
  for (int i = 0; i < 3; ++i) y = b.op("Foo", {y}, {}, "", "kiln.test");
  b.output(b.op("Bar", {y}, {}, "", "kiln.test"));
  Model m = b.take();
  EXPECT_EQ(error_of([&] { Session s(m, {}); }), "unsupported op(s): kiln.test::Foo (x3), kiln.test::Bar");
}

Model add_relu_model(std::vector<Dim> dims) {
  ModelBuilder b;
  Value* x = b.input("x", DataType::Float32, dims);
  Value* c = b.init("c", DataType::Float32, {3}, {1.f, -2.f, 0.5f});
  Value* s = b.op("Add", {x, c});
  Value* r = b.op("Relu", {s});
  Value* m = b.op("Mul", {r, r});
  b.output(m);
  b.output(b.op("Neg", {s}));
  return b.take();
}

TEST(Session, RunsAChainAndFollowsThePlan) {
  KILN_REQUIRE_OPS({"Add", "Relu", "Mul", "Neg"});
  Model m = add_relu_model({Dim::known(2), Dim::known(3)});
  Session s(m, {});
  ASSERT_NE(s.plan(), nullptr);
  EXPECT_EQ(s.plan()->tensors.size(), 2u);  // Add and Relu outputs; graph outputs are not planned
  int starts = 0, ends = 0;
  s.set_observer([&](const Node&, bool start) { (start ? starts : ends)++; });
  auto out = s.run({{"x", make_rt<float>(DataType::Float32, {2, 3}, {0, 0, 0, 1, 1, -1})}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 0, 0.25f, 4, 0, 0}));
  EXPECT_EQ(values_of<float>(out[1]), (std::vector<float>{-1, 2, -0.5f, -2, 1, 0.5f}));
  EXPECT_EQ(starts, 4);
  EXPECT_EQ(ends, 4);
  EXPECT_EQ(s.output_names().size(), 2u);
  // Running again reuses the arena and gives the same answer.
  auto again = s.run({{"x", make_rt<float>(DataType::Float32, {2, 3}, {0, 0, 0, 1, 1, -1})}});
  EXPECT_EQ(values_of<float>(again[0]), values_of<float>(out[0]));
}

TEST(Session, DynamicShapesRunWithoutAPlan) {
  KILN_REQUIRE_OPS({"Add", "Relu", "Mul", "Neg"});
  Model m = add_relu_model({Dim::symbolic("batch"), Dim::known(3)});
  Session s(m, {});
  EXPECT_EQ(s.plan(), nullptr);
  for (int64_t batch : {1, 4}) {
    auto out = s.run({{"x", RtTensor::allocate(DataType::Float32, {batch, 3})}});
    EXPECT_EQ(out[0].shape(), (std::vector<int64_t>{batch, 3}));
  }
  SessionOptions opt;
  opt.input_shapes["x"] = {5, 3};
  Session bound(m, opt);
  EXPECT_NE(bound.plan(), nullptr);
  EXPECT_NE(error_of([&] { bound.run({{"x", RtTensor::allocate(DataType::Float32, {4, 3})}}); }).find("'x'"),
            std::string::npos);
}

TEST(Session, BadInputsNameTheInput) {
  KILN_REQUIRE_OPS({"Add", "Relu", "Mul", "Neg"});
  Model m = add_relu_model({Dim::symbolic("batch"), Dim::known(3)});
  Session s(m, {});
  EXPECT_EQ(error_of([&] { s.run({}); }), "input 'x' is missing");
  EXPECT_EQ(error_of([&] { s.run({{"x", RtTensor::allocate(DataType::Int64, {1, 3})}}); }),
            "input 'x': expected f32, got i64");
  EXPECT_EQ(error_of([&] { s.run({{"x", RtTensor::allocate(DataType::Float32, {3})}}); }),
            "input 'x': expected shape [batch,3], got [3]");
  EXPECT_EQ(error_of([&] { s.run({{"x", RtTensor::allocate(DataType::Float32, {1, 4})}}); }),
            "input 'x': expected shape [batch,3], got [1,4]");
  EXPECT_EQ(error_of([&] {
              s.run({{"x", RtTensor::allocate(DataType::Float32, {1, 3})}, {"y", RtTensor::allocate(DataType::Float32, {1})}});
            }),
            "'y' is not an input of the model");
  EXPECT_NE(error_of([] {
              SessionOptions o;
              o.input_shapes["nope"] = {1};
              ModelBuilder b;
              b.output(b.op("Neg", {b.input("x", DataType::Float32, std::vector<int64_t>{1})}));
              Session bad(b.take(), o);
            }).find("'nope'"),
            std::string::npos);
}

TEST(Session, GraphOutputMayBeAnInputOrInitializer) {
  ModelBuilder b;
  Value* x = b.input("x", DataType::Float32, std::vector<int64_t>{2});
  b.output(x);
  b.output(b.init("w", DataType::Float32, {1}, {3.f}));
  Model m = b.take();
  Session s(m, {});
  auto out = s.run({{"x", make_rt<float>(DataType::Float32, {2}, {1, 2})}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 2}));
  EXPECT_EQ(values_of<float>(out[1]), (std::vector<float>{3}));
}

}  // namespace
}  // namespace kiln
