// float16/bfloat16 storage through the float NN kernels, and the opset 1-8 variants of ops whose
// semantics or signature changed later (Cast-1, Reshape-1, Tile-1, BatchNormalization spatial=0,
// the consumed_inputs versions of unary ops).
#include <cmath>
#include <random>

#include "tests/core/runtime/kernel_harness.h"

namespace kiln {
namespace {

using testing::make_rt;
using testing::run_op;
using testing::values_of;

constexpr DataType F32 = DataType::Float32;
constexpr DataType F16 = DataType::Float16;
constexpr DataType BF16 = DataType::BFloat16;

std::vector<float> random_values(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

uint16_t to_bits(DataType dt, float f) { return dt == F16 ? float_to_half(f) : float_to_bfloat16(f); }
float from_bits(DataType dt, uint16_t b) { return dt == F16 ? half_to_float(b) : bfloat16_to_float(b); }

// A half tensor and the float tensor holding exactly the same (rounded) values.
struct Pair {
  RtTensor half, full;
};
Pair random_pair(DataType dt, std::vector<int64_t> shape, uint32_t seed) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<float> v = random_values(static_cast<size_t>(n), seed);
  std::vector<uint16_t> bits;
  for (float& x : v) {
    bits.push_back(to_bits(dt, x));
    x = from_bits(dt, bits.back());
  }
  return {make_rt<uint16_t>(dt, shape, bits), make_rt<float>(F32, shape, v)};
}

// The half result equals the float result rounded to the half type: the kernel computes in float.
void expect_rounded(const RtTensor& half, const RtTensor& full) {
  ASSERT_EQ(half.shape(), full.shape());
  const std::vector<uint16_t> got = values_of<uint16_t>(half);
  const std::vector<float> want = values_of<float>(full);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], to_bits(half.dtype(), want[i])) << "at " << i;
}

TEST(HalfStorage, ConvMatMulPoolNormComputeInFloatAndRound) {
  for (DataType dt : {F16, BF16}) {
    SCOPED_TRACE(std::string(dtype_name(dt)));
    Pair x = random_pair(dt, {1, 4, 6, 6}, 1), w = random_pair(dt, {6, 2, 3, 3}, 2), b = random_pair(dt, {6}, 3);
    const std::vector<Attribute> conv_attrs = {Attribute::make_int("group", 2), Attribute::make_ints("pads", {1, 1, 1, 1})};
    auto yh = run_op("Conv", {x.half, w.half, b.half}, conv_attrs);
    auto yf = run_op("Conv", {x.full, w.full, b.full}, conv_attrs);
    EXPECT_EQ(yh[0].dtype(), dt);
    expect_rounded(yh[0], yf[0]);

    Pair a = random_pair(dt, {2, 3, 5}, 4), m = random_pair(dt, {5, 4}, 5);
    expect_rounded(run_op("MatMul", {a.half, m.half})[0], run_op("MatMul", {a.full, m.full})[0]);

    // MaxPool's second output (indices) is int64 whatever X is: it passes through untouched.
    const std::vector<Attribute> pool = {Attribute::make_ints("kernel_shape", {2, 2}), Attribute::make_ints("strides", {2, 2})};
    auto ph = run_op("MaxPool", {x.half}, pool, 2, 12);
    auto pf = run_op("MaxPool", {x.full}, pool, 2, 12);
    expect_rounded(ph[0], pf[0]);
    ASSERT_EQ(ph[1].dtype(), DataType::Int64);
    EXPECT_EQ(values_of<int64_t>(ph[1]), values_of<int64_t>(pf[1]));

    Pair s = random_pair(dt, {6}, 6), bias = random_pair(dt, {6}, 7);
    auto ln_h = run_op("LayerNormalization", {x.half, s.half, bias.half}, {Attribute::make_int("axis", -1)}, 1, 17);
    auto ln_f = run_op("LayerNormalization", {x.full, s.full, bias.full}, {Attribute::make_int("axis", -1)}, 1, 17);
    expect_rounded(ln_h[0], ln_f[0]);
  }
}

TEST(HalfStorage, MixedTypesStillRejectedWithTheirNames) {
  Pair a = random_pair(F16, {2, 3}, 1);
  RtTensor b = make_rt<double>(DataType::Float64, {3, 2}, std::vector<double>(6, 1.0));
  try {
    run_op("MatMul", {a.half, b});
    FAIL() << "float16 x double MatMul ran";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("different element types"), std::string::npos) << e.what();
  }
}

// ---- opset 1-8 variants ----

TEST(LegacyOpsets, ConsumedInputsVersionsOfUnaryOps) {
  RtTensor x = make_rt<float>(F32, {4}, {-2.f, -0.5f, 0.f, 3.f});
  const std::vector<Attribute> legacy = {Attribute::make_ints("consumed_inputs", {0})};
  EXPECT_EQ(values_of<float>(run_op("Relu", {x}, legacy, 1, 1)[0]), (std::vector<float>{0, 0, 0, 3}));
  EXPECT_EQ(values_of<float>(run_op("Abs", {x}, legacy, 1, 1)[0]), (std::vector<float>{2, 0.5f, 0, 3}));
  EXPECT_EQ(values_of<float>(run_op("Clip", {x}, {Attribute::make_float("min", -1.f), Attribute::make_float("max", 1.f)}, 1, 1)[0]),
            (std::vector<float>{-1, -0.5f, 0, 1}));
  auto lr = values_of<float>(run_op("LeakyRelu", {x}, {Attribute::make_float("alpha", 0.1f)}, 1, 1)[0]);
  EXPECT_FLOAT_EQ(lr[0], -0.2f);
  auto sum = values_of<float>(run_op("Sum", {x, x}, legacy, 1, 1)[0]);
  EXPECT_EQ(sum, (std::vector<float>{-4, -1, 0, 6}));
}

TEST(LegacyOpsets, CastOneNamesTheTypeAsAString) {
  RtTensor x = make_rt<float>(F32, {3}, {1.7f, -2.2f, 3.f});
  auto y = run_op("Cast", {x}, {Attribute::make_string("to", "INT32")}, 1, 1);
  ASSERT_EQ(y[0].dtype(), DataType::Int32);
  EXPECT_EQ(values_of<int32_t>(y[0]), (std::vector<int32_t>{1, -2, 3}));
  try {
    run_op("Cast", {x}, {Attribute::make_string("to", "FLOAT128")}, 1, 1);
    FAIL() << "an unknown type name was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("FLOAT128"), std::string::npos) << e.what();
  }
}

TEST(LegacyOpsets, ReshapeOneTakesTheShapeAttribute) {
  RtTensor x = make_rt<float>(F32, {2, 3}, {1, 2, 3, 4, 5, 6});
  auto y = run_op("Reshape", {x}, {Attribute::make_ints("shape", {3, -1})}, 1, 1);
  EXPECT_EQ(y[0].shape(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(values_of<float>(y[0]), (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(LegacyOpsets, TileOneRepeatsAlongOneAxis) {
  RtTensor x = make_rt<float>(F32, {2, 2}, {1, 2, 3, 4});
  RtTensor tiles = make_rt<int64_t>(DataType::Int64, {}, {3});
  RtTensor axis = make_rt<int64_t>(DataType::Int64, {}, {1});
  auto y = run_op("Tile", {x, tiles, axis}, {}, 1, 1);
  EXPECT_EQ(y[0].shape(), (std::vector<int64_t>{2, 6}));
  EXPECT_EQ(values_of<float>(y[0]), (std::vector<float>{1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}));
}

TEST(LegacyOpsets, BatchNormSpatialZeroHasStatisticsPerElement) {
  // X [N=2, C=1, 2]: four per-element (C x D) statistics would be wrong; two are right.
  RtTensor x = make_rt<float>(F32, {2, 1, 2}, {1, 2, 3, 4});
  RtTensor scale = make_rt<float>(F32, {1, 2}, {1, 2});
  RtTensor bias = make_rt<float>(F32, {1, 2}, {0, 10});
  RtTensor mean = make_rt<float>(F32, {1, 2}, {1, 2});
  RtTensor var = make_rt<float>(F32, {1, 2}, {1, 4});
  auto y = run_op("BatchNormalization", {x, scale, bias, mean, var},
                  {Attribute::make_int("spatial", 0), Attribute::make_float("epsilon", 0.f)}, 1, 7);
  // y = (x - mean[e]) / sqrt(var[e]) * scale[e] + bias[e], e the element within the sample.
  EXPECT_EQ(values_of<float>(y[0]), (std::vector<float>{0, 10, 2, 12}));
  // From opset 9 the attribute is gone: the same inputs are per-channel and rejected by shape.
  EXPECT_THROW(run_op("BatchNormalization", {x, scale, bias, mean, var}, {}, 1, 9), Error);
}

}  // namespace
}  // namespace kiln
