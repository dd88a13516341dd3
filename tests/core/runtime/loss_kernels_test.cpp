// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "tests/core/runtime/kernel_harness.h"

namespace kiln {
namespace {

using testing::make_rt;
using testing::run_op;
using testing::values_of;

TEST(LossKernels, NllMeanWithWeights) {
  RtTensor x = make_rt<float>(DataType::Float32, {2, 3}, {-1.f, -2.f, -3.f, -0.5f, -1.5f, -2.5f});
  RtTensor t = make_rt<int64_t>(DataType::Int64, {2}, {2, 0});
  RtTensor w = make_rt<float>(DataType::Float32, {3}, {0.2f, 0.3f, 0.5f});
  std::vector<RtTensor> out = run_op("NegativeLogLikelihoodLoss", {x, t, w});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].shape().empty());
  // (3 * 0.5 + 0.5 * 0.2) / (0.5 + 0.2)
  EXPECT_NEAR(values_of<float>(out[0])[0], 1.6 / 0.7, 1e-6);
}

TEST(LossKernels, NllIgnoreIndexExcludedFromMean) {
  RtTensor x = make_rt<float>(DataType::Float32, {2, 3}, {-1.f, -2.f, -3.f, -0.5f, -1.5f, -2.5f});
  RtTensor t = make_rt<int32_t>(DataType::Int32, {2}, {2, 1});
  std::vector<RtTensor> mean = run_op("NegativeLogLikelihoodLoss", {x, t}, {Attribute::make_int("ignore_index", 1)});
  EXPECT_NEAR(values_of<float>(mean[0])[0], 3.0, 1e-6);
  std::vector<RtTensor> sum = run_op("NegativeLogLikelihoodLoss", {x, t},
                                     {Attribute::make_int("ignore_index", 1), Attribute::make_string("reduction", "sum")});
  EXPECT_NEAR(values_of<float>(sum[0])[0], 3.0, 1e-6);
  // An ignore_index outside the class range is fine; a real out-of-range target is an error.
  RtTensor bad = make_rt<int64_t>(DataType::Int64, {2}, {2, 7});
  EXPECT_THROW(run_op("NegativeLogLikelihoodLoss", {x, bad}), Error);
}

TEST(LossKernels, NllNoneReductionExtraDims) {
  // [N=1, C=2, d1=2]: class 0 -> {-1, -2}, class 1 -> {-3, -4}.
  RtTensor x = make_rt<double>(DataType::Float64, {1, 2, 2}, {-1.0, -2.0, -3.0, -4.0});
  RtTensor t = make_rt<int64_t>(DataType::Int64, {1, 2}, {1, 0});
  std::vector<RtTensor> out =
      run_op("NegativeLogLikelihoodLoss", {x, t}, {Attribute::make_string("reduction", "none")});
  ASSERT_EQ(out[0].dtype(), DataType::Float64);
  EXPECT_EQ(out[0].shape(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(values_of<double>(out[0]), (std::vector<double>{3.0, 2.0}));
}

TEST(LossKernels, SoftmaxCrossEntropyWithLogProb) {
  RtTensor x = make_rt<float>(DataType::Float32, {1, 3}, {1.f, 2.f, 3.f});
  RtTensor t = make_rt<int64_t>(DataType::Int64, {1}, {2});
  std::vector<RtTensor> out = run_op("SoftmaxCrossEntropyLoss", {x, t}, {}, 2);
  ASSERT_EQ(out.size(), 2u);
  const double lse = 3.0 + std::log(1.0 + std::exp(-1.0) + std::exp(-2.0));
  EXPECT_NEAR(values_of<float>(out[0])[0], lse - 3.0, 1e-6);
  EXPECT_EQ(out[1].shape(), (std::vector<int64_t>{1, 3}));
  std::vector<float> lp = values_of<float>(out[1]);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(lp[c], (c + 1) - lse, 1e-6);
}

}  // namespace
}  // namespace kiln
