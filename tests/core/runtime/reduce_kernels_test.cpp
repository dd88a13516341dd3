// Reference reduction kernels against hand-computed values.
#include <cmath>
#include <cstdint>

#include "tests/core/runtime/kernel_harness.h"

namespace kiln {
namespace {

using testing::make_rt;
using testing::run_op;
using testing::values_of;

RtTensor f32(std::vector<int64_t> shape, std::vector<float> v) { return make_rt(DataType::Float32, std::move(shape), v); }
RtTensor i64(std::vector<int64_t> shape, std::vector<int64_t> v) { return make_rt(DataType::Int64, std::move(shape), v); }

void expect_near(const std::vector<float>& got, const std::vector<float>& want, float tol = 1e-5f) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol * std::max(1.0f, std::fabs(want[i]))) << "at " << i;
}

using Shape = std::vector<int64_t>;

// [[1, 2, 3], [4, 5, 6]]
RtTensor m23() { return f32({2, 3}, {1, 2, 3, 4, 5, 6}); }

TEST(ReduceKernels, ReduceSumAxesFromAttributeBeforeOpset13) {
  auto out = run_op("ReduceSum", {m23()}, {Attribute::make_ints("axes", {1})}, 1, 11);
  EXPECT_EQ(out[0].shape(), (Shape{2, 1}));
  expect_near(values_of<float>(out[0]), {6, 15});
  auto all = run_op("ReduceSum", {m23()}, {Attribute::make_int("keepdims", 0)}, 1, 11);
  EXPECT_EQ(all[0].shape(), Shape{});
  expect_near(values_of<float>(all[0]), {21});
}

TEST(ReduceKernels, ReduceSumAxesFromInputFromOpset13) {
  auto out = run_op("ReduceSum", {m23(), i64({1}, {-2})}, {Attribute::make_int("keepdims", 0)}, 1, 13);
  EXPECT_EQ(out[0].shape(), (Shape{3}));
  expect_near(values_of<float>(out[0]), {5, 7, 9});
  auto all = run_op("ReduceSum", {m23()}, {}, 1, 13);
  EXPECT_EQ(all[0].shape(), (Shape{1, 1}));
  expect_near(values_of<float>(all[0]), {21});
  auto noop = run_op("ReduceSum", {m23(), i64({0}, {})}, {Attribute::make_int("noop_with_empty_axes", 1)}, 1, 13);
  EXPECT_EQ(noop[0].shape(), (Shape{2, 3}));
  expect_near(values_of<float>(noop[0]), {1, 2, 3, 4, 5, 6});
}

TEST(ReduceKernels, OtherReductionsOverRows) {
  const std::vector<Attribute> attrs = {Attribute::make_ints("axes", {1}), Attribute::make_int("keepdims", 0)};
  auto r = [&](const char* op) { return values_of<float>(run_op(op, {m23()}, attrs, 1, 17)[0]); };
  expect_near(r("ReduceMean"), {2, 5});
  expect_near(r("ReduceMax"), {3, 6});
  expect_near(r("ReduceMin"), {1, 4});
  expect_near(r("ReduceProd"), {6, 120});
  expect_near(r("ReduceL1"), {6, 15});
  expect_near(r("ReduceL2"), {std::sqrt(14.f), std::sqrt(77.f)});
  expect_near(r("ReduceSumSquare"), {14, 77});
  expect_near(r("ReduceLogSum"), {std::log(6.f), std::log(15.f)});
  expect_near(r("ReduceLogSumExp"), {std::log(std::exp(1.f) + std::exp(2.f) + std::exp(3.f)),
                                     std::log(std::exp(4.f) + std::exp(5.f) + std::exp(6.f))});
  // Opset 18 takes axes as an input.
  auto m = run_op("ReduceMax", {m23(), i64({1}, {0})}, {}, 1, 18);
  EXPECT_EQ(m[0].shape(), (Shape{1, 3}));
  expect_near(values_of<float>(m[0]), {4, 5, 6});
}

TEST(ReduceKernels, IntegerReductionsStayInteger) {
  auto x = i64({2, 2}, {3, -4, 5, 7});
  auto out = run_op("ReduceProd", {x}, {Attribute::make_ints("axes", {0})}, 1, 13);
  EXPECT_EQ(values_of<int64_t>(out[0]), (std::vector<int64_t>{15, -28}));
}

TEST(ReduceKernels, SoftmaxAxisSemanticsChangeAtOpset13) {
  // [1, 2, 2]: opset 11 with axis=1 normalises over all 4 values; opset 13 over axis 1 only.
  auto x = f32({1, 2, 2}, {0, 1, 2, 3});
  auto old = values_of<float>(run_op("Softmax", {x}, {Attribute::make_int("axis", 1)}, 1, 11)[0]);
  const float s = 1 + std::exp(1.f) + std::exp(2.f) + std::exp(3.f);
  expect_near(old, {1 / s, std::exp(1.f) / s, std::exp(2.f) / s, std::exp(3.f) / s});
  auto now = values_of<float>(run_op("Softmax", {x}, {Attribute::make_int("axis", 1)}, 1, 13)[0]);
  const float a = 1 / (1 + std::exp(2.f)), b = std::exp(2.f) / (1 + std::exp(2.f));
  expect_near(now, {a, a, b, b});
  auto def13 = values_of<float>(run_op("Softmax", {x}, {}, 1, 13)[0]);  // axis -1
  const float c = 1 / (1 + std::exp(1.f)), d = std::exp(1.f) / (1 + std::exp(1.f));
  expect_near(def13, {c, d, c, d});
  auto logs = values_of<float>(run_op("LogSoftmax", {x}, {}, 1, 13)[0]);
  expect_near(logs, {std::log(c), std::log(d), std::log(c), std::log(d)});
  auto hard = values_of<float>(run_op("Hardmax", {f32({2, 3}, {1, 3, 3, 2, 0, 1})}, {}, 1, 13)[0]);
  expect_near(hard, {0, 1, 0, 1, 0, 0});
}

TEST(ReduceKernels, ArgMaxArgMinKeepdimsAndLastIndex) {
  auto x = f32({2, 3}, {1, 3, 3, 2, 0, 0});
  auto mx = run_op("ArgMax", {x}, {Attribute::make_int("axis", 1)}, 1, 13);
  EXPECT_EQ(mx[0].shape(), (Shape{2, 1}));
  EXPECT_EQ(values_of<int64_t>(mx[0]), (std::vector<int64_t>{1, 0}));
  auto last = run_op("ArgMin", {x}, {Attribute::make_int("axis", 1), Attribute::make_int("keepdims", 0),
                                     Attribute::make_int("select_last_index", 1)}, 1, 13);
  EXPECT_EQ(last[0].shape(), (Shape{2}));
  EXPECT_EQ(values_of<int64_t>(last[0]), (std::vector<int64_t>{0, 2}));
  auto col = run_op("ArgMax", {x}, {}, 1, 13);
  EXPECT_EQ(values_of<int64_t>(col[0]), (std::vector<int64_t>{1, 0, 0}));
}

TEST(ReduceKernels, TopKPrefersLowerIndexOnTies) {
  auto x = f32({1, 5}, {3, 1, 3, 2, 3});
  auto out = run_op("TopK", {x, i64({1}, {2})}, {}, 2, 11);
  EXPECT_EQ(out[0].shape(), (Shape{1, 2}));
  expect_near(values_of<float>(out[0]), {3, 3});
  EXPECT_EQ(values_of<int64_t>(out[1]), (std::vector<int64_t>{0, 2}));
  auto small = run_op("TopK", {x, i64({1}, {3})}, {Attribute::make_int("largest", 0)}, 2, 11);
  expect_near(values_of<float>(small[0]), {1, 2, 3});
  EXPECT_EQ(values_of<int64_t>(small[1]), (std::vector<int64_t>{1, 3, 0}));
  auto old = run_op("TopK", {f32({2, 2}, {1, 4, 2, 3})}, {Attribute::make_int("k", 1), Attribute::make_int("axis", 0)}, 2, 9);
  expect_near(values_of<float>(old[0]), {2, 4});
  EXPECT_EQ(values_of<int64_t>(old[1]), (std::vector<int64_t>{1, 0}));
}

TEST(ReduceKernels, CumSumExclusiveAndReverse) {
  auto x = f32({4}, {1, 2, 3, 4});
  auto ax = i64({}, {0});
  expect_near(values_of<float>(run_op("CumSum", {x, ax}, {}, 1, 14)[0]), {1, 3, 6, 10});
  expect_near(values_of<float>(run_op("CumSum", {x, ax}, {Attribute::make_int("exclusive", 1)}, 1, 14)[0]), {0, 1, 3, 6});
  expect_near(values_of<float>(run_op("CumSum", {x, ax}, {Attribute::make_int("reverse", 1)}, 1, 14)[0]), {10, 9, 7, 4});
  expect_near(values_of<float>(run_op("CumSum", {x, ax}, {Attribute::make_int("reverse", 1), Attribute::make_int("exclusive", 1)}, 1, 14)[0]),
              {9, 7, 4, 0});
  auto m = run_op("CumSum", {m23(), i64({}, {1})}, {}, 1, 14);
  expect_near(values_of<float>(m[0]), {1, 3, 6, 4, 9, 15});
}

}  // namespace
}  // namespace kiln
