// Reference quantization kernels against hand-computed values and the ONNX operator examples.
#include <gtest/gtest.h>

#include "tests/core/runtime/kernel_harness.h"

namespace kiln {
namespace {

using testing::make_rt;
using testing::run_op;
using testing::values_of;

using F = std::vector<float>;
using U8 = std::vector<uint8_t>;
using S8 = std::vector<int8_t>;
using I32 = std::vector<int32_t>;

RtTensor f32(std::vector<int64_t> s, F v) { return make_rt<float>(DataType::Float32, std::move(s), v); }
RtTensor u8(std::vector<int64_t> s, U8 v) { return make_rt<uint8_t>(DataType::UInt8, std::move(s), v); }
RtTensor s8(std::vector<int64_t> s, S8 v) { return make_rt<int8_t>(DataType::Int8, std::move(s), v); }
RtTensor i32(std::vector<int64_t> s, I32 v) { return make_rt<int32_t>(DataType::Int32, std::move(s), v); }

TEST(QuantKernels, QuantizeLinearRoundsHalfToEvenAndSaturates) {
  auto y = run_op("QuantizeLinear", {f32({6}, {0, 2, 3, 1000, -254, -1000}), f32({}, {2}), u8({}, {128})});
  EXPECT_EQ(values_of<uint8_t>(y[0]), (U8{128, 129, 130, 255, 1, 0}));
  auto r = run_op("QuantizeLinear", {f32({4}, {5, 7, -5, -1000}), f32({}, {2}), s8({}, {0})});
  EXPECT_EQ(values_of<int8_t>(r[0]), (S8{2, 4, -2, -128}));
  auto dflt = run_op("QuantizeLinear", {f32({2}, {-1, 300}), f32({}, {1})});
  ASSERT_EQ(dflt[0].dtype(), DataType::UInt8);
  EXPECT_EQ(values_of<uint8_t>(dflt[0]), (U8{0, 255}));
}

TEST(QuantKernels, QuantizeLinearPerAxis) {
  auto y = run_op("QuantizeLinear", {f32({1, 3, 2}, {2, 4, 8, 12, 40, 80}), f32({3}, {1, 2, 4}), u8({3}, {0, 1, 2})});
  EXPECT_EQ(values_of<uint8_t>(y[0]), (U8{2, 4, 5, 7, 12, 22}));
  auto last = run_op("QuantizeLinear", {f32({2, 2}, {1, 1, 1, 1}), f32({2}, {1, 0.5f}), s8({2}, {0, 0})},
                     {Attribute::make_int("axis", -1)});
  EXPECT_EQ(values_of<int8_t>(last[0]), (S8{1, 2, 1, 2}));
}

TEST(QuantKernels, DequantizeLinear) {
  auto y = run_op("DequantizeLinear", {u8({4}, {0, 3, 128, 255}), f32({}, {2}), u8({}, {128})});
  EXPECT_EQ(values_of<float>(y[0]), (F{-256, -250, 0, 254}));
  auto w = run_op("DequantizeLinear", {i32({4}, {-30, -3, 100, 127}), f32({}, {2})});
  EXPECT_EQ(values_of<float>(w[0]), (F{-60, -6, 200, 254}));
  auto a = run_op("DequantizeLinear", {u8({1, 2, 2}, {3, 4, 5, 6}), f32({2}, {1, 2}), u8({2}, {1, 2})});
  EXPECT_EQ(values_of<float>(a[0]), (F{2, 3, 6, 8}));
}

TEST(QuantKernels, DynamicQuantizeLinear) {
  auto y = run_op("DynamicQuantizeLinear", {f32({6}, {0, 2, -3, -2.5f, 1.34f, 0.5f})}, {}, 3, 11);
  EXPECT_EQ(values_of<uint8_t>(y[0]), (U8{153, 255, 0, 26, 221, 179}));
  EXPECT_FLOAT_EQ(values_of<float>(y[1])[0], 5.f / 255.f);
  EXPECT_EQ(values_of<uint8_t>(y[2])[0], 153);
}

TEST(QuantKernels, MatMulIntegerSpecExample) {
  auto y = run_op("MatMulInteger", {u8({4, 3}, {11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0}), u8({3, 2}, {1, 4, 2, 5, 3, 6}), u8({}, {12}),
                                    u8({}, {0})}, {}, 1, 10);
  EXPECT_EQ(values_of<int32_t>(y[0]), (I32{-38, -83, -44, -98, -50, -113, -56, -128}));
}

TEST(QuantKernels, QLinearMatMulSpecExample) {
  auto y = run_op("QLinearMatMul",
                  {u8({2, 4}, {208, 236, 0, 238, 3, 214, 255, 29}), f32({}, {0.0066f}), u8({}, {113}),
                   u8({4, 3}, {152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247}), f32({}, {0.00705f}), u8({}, {114}),
                   f32({}, {0.0107f}), u8({}, {118})},
                  {}, 1, 10);
  EXPECT_EQ(y[0].shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values_of<uint8_t>(y[0]), (U8{168, 115, 255, 1, 66, 151}));
}

TEST(QuantKernels, ConvIntegerSpecExample) {
  RtTensor x = u8({1, 1, 3, 3}, {2, 3, 4, 5, 6, 7, 8, 9, 10});
  RtTensor w = u8({1, 1, 2, 2}, {1, 1, 1, 1});
  auto y = run_op("ConvInteger", {x, w, u8({}, {1})}, {}, 1, 10);
  EXPECT_EQ(values_of<int32_t>(y[0]), (I32{12, 16, 24, 28}));
  auto p = run_op("ConvInteger", {x, w, u8({}, {1})}, {Attribute::make_ints("pads", {1, 1, 1, 1})}, 1, 10);
  EXPECT_EQ(p[0].shape(), (std::vector<int64_t>{1, 1, 4, 4}));
  EXPECT_EQ(values_of<int32_t>(p[0]), (I32{1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9}));
}

TEST(QuantKernels, QLinearConvRequantizesWithBias) {
  RtTensor x = u8({1, 1, 2, 2}, {10, 20, 30, 40});
  std::vector<RtTensor> ins = {x, f32({}, {0.5f}), u8({}, {10}), s8({1, 1, 1, 1}, {2}), f32({1}, {0.25f}), s8({1}, {0}),
                               f32({}, {1}), u8({}, {5})};
  EXPECT_EQ(values_of<uint8_t>(run_op("QLinearConv", ins, {}, 1, 10)[0]), (U8{5, 7, 10, 13}));
  ins.push_back(i32({1}, {4}));
  EXPECT_EQ(values_of<uint8_t>(run_op("QLinearConv", ins, {}, 1, 10)[0]), (U8{5, 8, 11, 13}));
}

TEST(QuantKernels, BlockedQuantizeLinear) {
  auto y = run_op("QuantizeLinear", {f32({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}), f32({2, 2}, {1, 2, 1, 4})},
                  {Attribute::make_int("axis", 1), Attribute::make_int("block_size", 2)}, 1, 21);
  EXPECT_EQ(values_of<uint8_t>(y[0]), (U8{1, 2, 2, 2, 5, 6, 2, 2}));
}

TEST(QuantKernels, MatMulIntegerBroadcastsBatchesAndVectors) {
  auto y = run_op("MatMulInteger", {s8({2, 1, 2}, {1, 2, 3, -4}), u8({2, 1}, {1, 1})}, {}, 1, 10);
  EXPECT_EQ(y[0].shape(), (std::vector<int64_t>{2, 1, 1}));
  EXPECT_EQ(values_of<int32_t>(y[0]), (I32{3, -1}));
  auto v = run_op("MatMulInteger", {u8({2}, {1, 2}), u8({2, 2}, {1, 2, 3, 4}), u8({}, {1})}, {}, 1, 10);
  EXPECT_EQ(v[0].shape(), (std::vector<int64_t>{2}));
  EXPECT_EQ(values_of<int32_t>(v[0]), (I32{3, 4}));
}

TEST(QuantKernels, QLinearConvPerChannelScales) {
  // Two output channels with 1x1 kernels [1] and [3], scales 1 and 0.5.
  std::vector<RtTensor> ins = {u8({1, 1, 1, 2}, {2, 4}), f32({}, {1}), u8({}, {0}), s8({2, 1, 1, 1}, {1, 3}),
                               f32({2}, {1, 0.5f}), s8({2}, {0, 0}), f32({}, {1}), u8({}, {0})};
  auto y = run_op("QLinearConv", ins, {}, 1, 10);
  EXPECT_EQ(y[0].shape(), (std::vector<int64_t>{1, 2, 1, 2}));
  EXPECT_EQ(values_of<uint8_t>(y[0]), (U8{2, 4, 3, 6}));
}

}  // namespace
}  // namespace kiln
