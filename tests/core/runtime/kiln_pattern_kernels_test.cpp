// The Kiln-domain ops of the pattern fusions (core/ir/kiln_pattern_ops.h) and ONNX's
// RMSNormalization: reference kernels against hand-computed values, and their shape rules.
#include <cmath>

#include "core/ir/kiln_domain.h"
#include "tests/core/analysis/infer_test_util.h"
#include "tests/core/runtime/kernel_harness.h"

namespace kiln {
namespace {

using testing::make_rt;
using testing::values_of;

constexpr DataType F32 = DataType::Float32;
const std::string kKiln(kKilnDomain);

std::vector<RtTensor> run_kiln(const std::string& op, const std::vector<RtTensor>& inputs,
                               std::vector<Attribute> attrs = {}, size_t outputs = 1) {
  return testing::run_op(op, inputs, std::move(attrs), outputs, kKilnOpsetVersion, kKiln);
}

void expect_near(const std::vector<float>& got, const std::vector<float>& want, float tol = 1e-5f) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "element " << i;
}

// Rows {1, 3} and {2, 6}: root mean squares sqrt(5) and sqrt(20); mean 2 and 4, deviation 1 and 2.
RtTensor rows() { return make_rt<float>(F32, {2, 2}, {1, 3, 2, 6}); }

TEST(KilnPatternKernels, OnnxRmsNormalization) {
  auto y = testing::run_op("RMSNormalization", {rows(), make_rt<float>(F32, {2}, {1, 2})},
                           {Attribute::make_float("epsilon", 0.f)}, 1, 23);
  const float a = std::sqrt(5.f), b = std::sqrt(20.f);
  expect_near(values_of<float>(y[0]), {1 / a, 6 / a, 2 / b, 12 / b});
  // axis 0: one root mean square over all four, sqrt(50 / 4).
  auto all = testing::run_op("RMSNormalization", {rows(), make_rt<float>(F32, {1}, {1})},
                             {Attribute::make_int("axis", 0), Attribute::make_float("epsilon", 0.f)}, 1, 23);
  const float c = std::sqrt(12.5f);
  expect_near(values_of<float>(all[0]), {1 / c, 3 / c, 2 / c, 6 / c});
}

TEST(KilnPatternKernels, OnnxNamesakesRunTheOnnxKernels) {
  auto rms = run_kiln("RMSNormalization", {rows(), make_rt<float>(F32, {2}, {1, 2})}, {Attribute::make_float("epsilon", 0.f)});
  const float a = std::sqrt(5.f), b = std::sqrt(20.f);
  expect_near(values_of<float>(rms[0]), {1 / a, 6 / a, 2 / b, 12 / b});

  auto ln = run_kiln("LayerNormalization", {rows(), make_rt<float>(F32, {2}, {1, 2}), make_rt<float>(F32, {2}, {0.5f, 0})},
                     {Attribute::make_float("epsilon", 0.f)}, 3);
  expect_near(values_of<float>(ln[0]), {-0.5f, 2, -0.5f, 2});
  expect_near(values_of<float>(ln[1]), {2, 4});

  const RtTensor x = make_rt<float>(F32, {5}, {-4, -1, 0, 1, 4});
  expect_near(values_of<float>(run_kiln("HardSwish", {x})[0]), {0, -1.f / 3, 0, 2.f / 3, 4});
  auto erf = run_kiln("Gelu", {x});
  auto tanh = run_kiln("Gelu", {x}, {Attribute::make_string("approximate", "tanh")});
  for (size_t i = 0; i < 5; ++i) {
    const double v = x.data<float>()[i];
    EXPECT_NEAR(erf[0].data<float>()[i], 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))), 1e-5);
    const double k = std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v);
    EXPECT_NEAR(tanh[0].data<float>()[i], 0.5 * v * (1 + std::tanh(k)), 1e-5);
  }
}

TEST(KilnPatternKernels, Silu) {
  const RtTensor x = make_rt<float>(F32, {4}, {-2, 0, 1, 3});
  std::vector<float> want;
  for (float v : values_of<float>(x)) want.push_back(v / (1 + std::exp(-v)));
  expect_near(values_of<float>(run_kiln("Silu", {x})[0]), want);
  // float16 storage computes in float and rounds once.
  RtTensor h = RtTensor::allocate(DataType::Float16, {4});
  for (size_t i = 0; i < 4; ++i) h.data<uint16_t>()[i] = float_to_half(x.data<float>()[i]);
  RtTensor y = run_kiln("Silu", {h})[0];
  ASSERT_EQ(y.dtype(), DataType::Float16);
  for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(half_to_float(y.data<uint16_t>()[i]), want[i], 2e-3) << i;
}

TEST(KilnPatternKernels, SkipLayerNormalization) {
  const RtTensor gamma = make_rt<float>(F32, {2}, {1, 2});
  const RtTensor beta = make_rt<float>(F32, {2}, {0.5f, 0});
  const std::vector<Attribute> eps0 = {Attribute::make_float("epsilon", 0.f)};
  // skip [2] broadcasts over the rows: sums {1, 3} and {2, 6}.
  auto y = run_kiln("SkipLayerNormalization",
                    {make_rt<float>(F32, {2, 2}, {0, 1, 1, 4}), make_rt<float>(F32, {2}, {1, 2}), gamma, beta}, eps0, 2);
  expect_near(values_of<float>(y[0]), {-0.5f, 2, -0.5f, 2});
  expect_near(values_of<float>(y[1]), {1, 3, 2, 6});
  // With a bias along the last axis and no beta.
  auto b = run_kiln("SkipLayerNormalization",
                    {make_rt<float>(F32, {2, 2}, {-1, 2, 0, 5}), make_rt<float>(F32, {2, 2}, {1, 2, 1, 2}), gamma,
                     RtTensor(), make_rt<float>(F32, {2}, {1, -1})},
                    eps0, 2);
  expect_near(values_of<float>(b[0]), {-1, 2, -1, 2});
  expect_near(values_of<float>(b[1]), {1, 3, 2, 6});
  // A skip that would grow the input is refused.
  EXPECT_THROW(run_kiln("SkipLayerNormalization",
                        {make_rt<float>(F32, {1, 2}, {0, 1}), make_rt<float>(F32, {2, 2}, {1, 2, 1, 2}), gamma}, eps0),
               Error);
}

TEST(KilnPatternRules, TypesFollowTheInput) {
  testing::TestModel t;
  t.model.set_opset(kKilnDomain, kKilnOpsetVersion);
  Value* x = t.in_f32("x", {testing::S("batch"), testing::D(4), testing::D(8)});
  Value* g = t.f32("g", {8});
  for (const char* op : {"Silu", "HardSwish", "Gelu"}) t.g.add_node(op, {x}, {std::string("y_") + op}, kKiln);
  t.g.add_node("LayerNormalization", {x, g}, {"ln", "mean", "inv"}, kKiln);
  t.g.add_node("RMSNormalization", {x, g}, {"rms"}, kKiln);
  t.g.add_node("SkipLayerNormalization", {x, x, g}, {"skip_y", "skip_sum"}, kKiln);
  t.infer();
  for (const char* v : {"y_Silu", "y_HardSwish", "y_Gelu", "ln", "rms", "skip_y", "skip_sum"})
    EXPECT_EQ(t.type(v), "f32[batch,4,8]") << v;
  EXPECT_EQ(t.type("mean"), "f32[batch,4,1]");
}

}  // namespace
}  // namespace kiln
