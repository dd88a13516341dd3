// Reference elementwise kernels against hand-computed values.
#include <cmath>
#include <cstdint>
#include <limits>

#include "tests/core/runtime/kernel_harness.h"

namespace kiln {
namespace {

using testing::make_rt;
using testing::run_op;
using testing::values_of;

RtTensor f32(std::vector<int64_t> shape, std::vector<float> v) { return make_rt(DataType::Float32, std::move(shape), v); }
RtTensor i32(std::vector<int64_t> shape, std::vector<int32_t> v) { return make_rt(DataType::Int32, std::move(shape), v); }
RtTensor i64(std::vector<int64_t> shape, std::vector<int64_t> v) { return make_rt(DataType::Int64, std::move(shape), v); }
RtTensor bools(std::vector<int64_t> shape, std::vector<bool> v) {
  RtTensor t = RtTensor::allocate(DataType::Bool, std::move(shape));
  for (size_t i = 0; i < v.size(); ++i) t.data<bool>()[i] = v[i];
  return t;
}
std::vector<bool> bool_values(const RtTensor& t) { return std::vector<bool>(t.data<bool>(), t.data<bool>() + t.numel()); }

void expect_near(const std::vector<float>& got, const std::vector<float>& want, float tol = 1e-5f) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "at " << i;
    } else if (std::isinf(want[i])) {
      EXPECT_EQ(got[i], want[i]) << "at " << i;
    } else {
      EXPECT_NEAR(got[i], want[i], tol * std::max(1.0f, std::fabs(want[i]))) << "at " << i;
    }
  }
}

float unary1(const std::string& op, float x, std::vector<Attribute> attrs = {}, int64_t opset = 18) {
  return values_of<float>(run_op(op, {f32({1}, {x})}, std::move(attrs), 1, opset)[0])[0];
}

TEST(ElementwiseKernels, AddBroadcastsColumnByRow) {
  auto out = run_op("Add", {f32({3, 1}, {1, 2, 3}), f32({1, 4}, {10, 20, 30, 40})});
  EXPECT_EQ(out[0].shape(), (std::vector<int64_t>{3, 4}));
  expect_near(values_of<float>(out[0]), {11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43});
}

TEST(ElementwiseKernels, ScalarBroadcastsAndRanksAlignRight) {
  auto out = run_op("Mul", {f32({}, {2}), f32({2, 3}, {1, 2, 3, 4, 5, 6})});
  EXPECT_EQ(out[0].shape(), (std::vector<int64_t>{2, 3}));
  expect_near(values_of<float>(out[0]), {2, 4, 6, 8, 10, 12});
  auto sub = run_op("Sub", {f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({3}, {1, 1, 2})});
  expect_near(values_of<float>(sub[0]), {0, 1, 1, 3, 4, 4});
}

TEST(ElementwiseKernels, LegacyBroadcastAlignsAtAxisBeforeOpset7) {
  auto out = run_op("Add", {f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({2}, {10, 20})},
                    {Attribute::make_int("broadcast", 1), Attribute::make_int("axis", 0)}, 1, 6);
  expect_near(values_of<float>(out[0]), {11, 12, 13, 24, 25, 26});
  auto prelu = run_op("PRelu", {f32({1, 2, 2}, {-1, -1, -1, 1}), f32({2}, {0.5f, 0.25f})}, {}, 1, 6);
  expect_near(values_of<float>(prelu[0]), {-0.5f, -0.5f, -0.25f, 1});
}

TEST(ElementwiseKernels, IncompatibleShapesAreRejected) {
  EXPECT_THROW(run_op("Add", {f32({2}, {1, 2}), f32({3}, {1, 2, 3})}), Error);
}

TEST(ElementwiseKernels, IntDivTruncatesTowardZeroAndModFollowsSigns) {
  auto a = i32({4}, {7, -7, 7, -7});
  auto b = i32({4}, {2, 2, -2, -2});
  EXPECT_EQ(values_of<int32_t>(run_op("Div", {a, b})[0]), (std::vector<int32_t>{3, -3, -3, 3}));
  // fmod=0: sign of the divisor (Python); fmod=1: sign of the dividend (C).
  EXPECT_EQ(values_of<int32_t>(run_op("Mod", {a, b})[0]), (std::vector<int32_t>{1, 1, -1, -1}));
  EXPECT_EQ(values_of<int32_t>(run_op("Mod", {a, b}, {Attribute::make_int("fmod", 1)})[0]),
            (std::vector<int32_t>{1, -1, 1, -1}));
  auto fm = run_op("Mod", {f32({2}, {-4.5f, 4.5f}), f32({2}, {2, -2})}, {Attribute::make_int("fmod", 1)});
  expect_near(values_of<float>(fm[0]), {-0.5f, 0.5f});
}

TEST(ElementwiseKernels, PowMixesBaseAndExponentTypes) {
  auto p = run_op("Pow", {f32({3}, {2, 3, 4}), i64({1}, {2})});
  expect_near(values_of<float>(p[0]), {4, 9, 16});
  auto q = run_op("Pow", {i64({3}, {2, 3, -2}), i64({3}, {10, 3, 3})});
  EXPECT_EQ(values_of<int64_t>(q[0]), (std::vector<int64_t>{1024, 27, -8}));
}

TEST(ElementwiseKernels, VariadicOpsBroadcastAllInputs) {
  auto a = f32({2, 1}, {1, 5});
  auto b = f32({3}, {2, 3, 4});
  auto c = f32({}, {3});
  expect_near(values_of<float>(run_op("Max", {a, b, c})[0]), {3, 3, 4, 5, 5, 5});
  expect_near(values_of<float>(run_op("Min", {a, b, c})[0]), {1, 1, 1, 2, 3, 3});
  expect_near(values_of<float>(run_op("Sum", {a, b, c})[0]), {6, 7, 8, 10, 11, 12});
  expect_near(values_of<float>(run_op("Mean", {a, b, c})[0]), {2, 7 / 3.f, 8 / 3.f, 10 / 3.f, 11 / 3.f, 4});
  expect_near(values_of<float>(run_op("Sum", {a})[0]), {1, 5});
}

TEST(ElementwiseKernels, LogicAndComparisons) {
  auto t = bools({4}, {true, true, false, false});
  auto u = bools({4}, {true, false, true, false});
  EXPECT_EQ(bool_values(run_op("And", {t, u})[0]), (std::vector<bool>{true, false, false, false}));
  EXPECT_EQ(bool_values(run_op("Or", {t, u})[0]), (std::vector<bool>{true, true, true, false}));
  EXPECT_EQ(bool_values(run_op("Xor", {t, u})[0]), (std::vector<bool>{false, true, true, false}));
  EXPECT_EQ(bool_values(run_op("Not", {t})[0]), (std::vector<bool>{false, false, true, true}));
  auto a = f32({3}, {1, 2, 3});
  auto b = f32({}, {2});
  EXPECT_EQ(bool_values(run_op("Equal", {a, b})[0]), (std::vector<bool>{false, true, false}));
  EXPECT_EQ(bool_values(run_op("Less", {a, b})[0]), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(bool_values(run_op("Greater", {a, b})[0]), (std::vector<bool>{false, false, true}));
  EXPECT_EQ(bool_values(run_op("LessOrEqual", {a, b})[0]), (std::vector<bool>{true, true, false}));
  EXPECT_EQ(bool_values(run_op("GreaterOrEqual", {a, b})[0]), (std::vector<bool>{false, true, true}));
}

TEST(ElementwiseKernels, BitwiseAndShifts) {
  auto a = i32({2}, {12, -1});
  auto b = i32({2}, {10, 5});
  EXPECT_EQ(values_of<int32_t>(run_op("BitwiseAnd", {a, b}, {}, 1, 18)[0]), (std::vector<int32_t>{8, 5}));
  EXPECT_EQ(values_of<int32_t>(run_op("BitwiseOr", {a, b}, {}, 1, 18)[0]), (std::vector<int32_t>{14, -1}));
  EXPECT_EQ(values_of<int32_t>(run_op("BitwiseXor", {a, b}, {}, 1, 18)[0]), (std::vector<int32_t>{6, -6}));
  EXPECT_EQ(values_of<int32_t>(run_op("BitwiseNot", {a}, {}, 1, 18)[0]), (std::vector<int32_t>{-13, 0}));
  auto x = make_rt<uint8_t>(DataType::UInt8, {3}, {16, 4, 1});
  auto s = make_rt<uint8_t>(DataType::UInt8, {3}, {1, 2, 9});
  EXPECT_EQ(values_of<uint8_t>(run_op("BitShift", {x, s}, {Attribute::make_string("direction", "LEFT")})[0]),
            (std::vector<uint8_t>{32, 16, 0}));
  EXPECT_EQ(values_of<uint8_t>(run_op("BitShift", {x, s}, {Attribute::make_string("direction", "RIGHT")})[0]),
            (std::vector<uint8_t>{8, 1, 0}));
}

TEST(ElementwiseKernels, PReluBroadcastsSlope) {
  auto out = run_op("PRelu", {f32({2, 2}, {-1, 2, -3, 4}), f32({2}, {0.5f, 0.25f})});
  expect_near(values_of<float>(out[0]), {-0.5f, 2, -1.5f, 4});
}

TEST(ElementwiseKernels, UnaryMath) {
  EXPECT_FLOAT_EQ(unary1("Abs", -2.5f), 2.5f);
  EXPECT_FLOAT_EQ(unary1("Neg", 2.5f), -2.5f);
  EXPECT_FLOAT_EQ(unary1("Exp", 1.f), std::exp(1.f));
  EXPECT_FLOAT_EQ(unary1("Log", 2.f), std::log(2.f));
  EXPECT_FLOAT_EQ(unary1("Sqrt", 9.f), 3.f);
  EXPECT_FLOAT_EQ(unary1("Reciprocal", 4.f), 0.25f);
  EXPECT_FLOAT_EQ(unary1("Floor", -1.5f), -2.f);
  EXPECT_FLOAT_EQ(unary1("Ceil", -1.5f), -1.f);
  EXPECT_FLOAT_EQ(unary1("Sign", -3.f), -1.f);
  EXPECT_FLOAT_EQ(unary1("Erf", 0.5f), std::erf(0.5f));
  EXPECT_FLOAT_EQ(unary1("Atanh", 0.5f), std::atanh(0.5f));
  auto r = run_op("Round", {f32({6}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f})});
  expect_near(values_of<float>(r[0]), {0, 2, 2, -0.f, -2, 2});
  auto abs_i = run_op("Abs", {i32({2}, {-3, 4})});
  EXPECT_EQ(values_of<int32_t>(abs_i[0]), (std::vector<int32_t>{3, 4}));
}

TEST(ElementwiseKernels, NanAndInfDetection) {
  const float inf = std::numeric_limits<float>::infinity();
  auto x = f32({4}, {1, std::nanf(""), inf, -inf});
  EXPECT_EQ(bool_values(run_op("IsNaN", {x})[0]), (std::vector<bool>{false, true, false, false}));
  EXPECT_EQ(bool_values(run_op("IsInf", {x})[0]), (std::vector<bool>{false, false, true, true}));
  EXPECT_EQ(bool_values(run_op("IsInf", {x}, {Attribute::make_int("detect_positive", 0)})[0]),
            (std::vector<bool>{false, false, false, true}));
}

TEST(ElementwiseKernels, Activations) {
  EXPECT_FLOAT_EQ(unary1("Relu", -1.f), 0.f);
  EXPECT_FLOAT_EQ(unary1("LeakyRelu", -2.f), -0.02f);
  EXPECT_FLOAT_EQ(unary1("Elu", -1.f), std::expm1(-1.f));
  EXPECT_NEAR(unary1("Selu", -1.f), 1.0507010f * 1.6732632f * std::expm1(-1.f), 1e-6);
  EXPECT_NEAR(unary1("Celu", -1.f, {Attribute::make_float("alpha", 2.f)}), 2.f * std::expm1(-0.5f), 1e-6);
  EXPECT_FLOAT_EQ(unary1("Sigmoid", 0.f), 0.5f);
  EXPECT_FLOAT_EQ(unary1("HardSigmoid", 1.f), 0.7f);
  EXPECT_FLOAT_EQ(unary1("HardSwish", 1.f), 1.f * (1.f / 6 + 0.5f));
  EXPECT_NEAR(unary1("Softplus", 1.f), std::log(1 + std::exp(1.f)), 1e-6);
  EXPECT_FLOAT_EQ(unary1("Softsign", 1.f), 0.5f);
  EXPECT_FLOAT_EQ(unary1("Tanh", 0.5f), std::tanh(0.5f));
  EXPECT_NEAR(unary1("Mish", 1.f), std::tanh(std::log(1 + std::exp(1.f))), 1e-6);
  EXPECT_NEAR(unary1("Gelu", 1.f, {}, 20), 0.8413447f, 1e-6);
  EXPECT_NEAR(unary1("Gelu", 1.f, {Attribute::make_string("approximate", "tanh")}, 20), 0.8411920f, 1e-6);
  EXPECT_FLOAT_EQ(unary1("ThresholdedRelu", 1.f), 0.f);
  EXPECT_FLOAT_EQ(unary1("ThresholdedRelu", 1.5f), 1.5f);
  auto s = run_op("Shrink", {f32({3}, {-2, 0.3f, 2})}, {Attribute::make_float("bias", 1.f)});
  expect_near(values_of<float>(s[0]), {-1, 0, 1});
}

TEST(ElementwiseKernels, ClipBoundsFromAttributesThenInputs) {
  auto x = f32({4}, {-3, -1, 1, 3});
  auto old = run_op("Clip", {x}, {Attribute::make_float("min", -2.f), Attribute::make_float("max", 2.f)}, 1, 6);
  expect_near(values_of<float>(old[0]), {-2, -1, 1, 2});
  auto only_max = run_op("Clip", {x, RtTensor(), f32({}, {0})}, {}, 1, 13);
  expect_near(values_of<float>(only_max[0]), {-3, -1, 0, 0});
  auto ints = run_op("Clip", {i32({4}, {-3, -1, 1, 3}), i32({}, {-1}), i32({}, {1})}, {}, 1, 13);
  EXPECT_EQ(values_of<int32_t>(ints[0]), (std::vector<int32_t>{-1, -1, 1, 1}));
}

TEST(ElementwiseKernels, CastTruncatesFloatsToIntsAndRoundsToHalf) {
  auto x = f32({4}, {1.7f, -1.7f, 2.5f, -0.2f});
  auto to_i = run_op("Cast", {x}, {Attribute::make_int("to", static_cast<int64_t>(DataType::Int32))});
  EXPECT_EQ(values_of<int32_t>(to_i[0]), (std::vector<int32_t>{1, -1, 2, 0}));
  // 1 + 2^-11 is halfway between two halves: ties go to the even one (1.0); 1 + 3*2^-11 rounds up.
  auto h = run_op("Cast", {f32({3}, {1.f + 1.f / 2048, 1.f + 3.f / 2048, 65504.f})},
                  {Attribute::make_int("to", static_cast<int64_t>(DataType::Float16))});
  EXPECT_EQ(h[0].dtype(), DataType::Float16);
  EXPECT_EQ(values_of<uint16_t>(h[0]), (std::vector<uint16_t>{0x3c00, 0x3c02, 0x7bff}));
  auto back = run_op("Cast", {h[0]}, {Attribute::make_int("to", static_cast<int64_t>(DataType::Float32))});
  expect_near(values_of<float>(back[0]), {1.f, 1.f + 2.f / 1024, 65504.f});
  auto b = run_op("Cast", {f32({3}, {0, 0.5f, -2})}, {Attribute::make_int("to", static_cast<int64_t>(DataType::Bool))});
  EXPECT_EQ(bool_values(b[0]), (std::vector<bool>{false, true, true}));
  // To bfloat16 truncates, as ONNX's test data for Cast expects.
  auto bf = run_op("Cast", {f32({1}, {1.f + 1.f / 128 + 3.f / 512})},
                   {Attribute::make_int("to", static_cast<int64_t>(DataType::BFloat16))});
  EXPECT_EQ(values_of<uint16_t>(bf[0]), (std::vector<uint16_t>{0x3f81}));
}

TEST(ElementwiseKernels, CastToAndFromStrings) {
  auto s = run_op("Cast", {f32({2}, {1.5f, -0.25f})}, {Attribute::make_int("to", static_cast<int64_t>(DataType::String))});
  EXPECT_EQ(s[0].strings(), (std::vector<std::string>{"1.5", "-0.25"}));
  RtTensor str = RtTensor::allocate(DataType::String, {3});
  str.strings() = {"3.25", "-7", "inf"};
  auto f = run_op("Cast", {str}, {Attribute::make_int("to", static_cast<int64_t>(DataType::Float32))});
  expect_near(values_of<float>(f[0]), {3.25f, -7.f, std::numeric_limits<float>::infinity()});
  auto n = run_op("Cast", {i64({2}, {-12, 40})}, {Attribute::make_int("to", static_cast<int64_t>(DataType::String))});
  EXPECT_EQ(n[0].strings(), (std::vector<std::string>{"-12", "40"}));
}

TEST(ElementwiseKernels, CastLikeTakesTheSecondInputsType) {
  auto out = run_op("CastLike", {f32({2}, {2.9f, -2.9f}), i64({0}, {})});
  EXPECT_EQ(out[0].dtype(), DataType::Int64);
  EXPECT_EQ(values_of<int64_t>(out[0]), (std::vector<int64_t>{2, -2}));
}

TEST(ElementwiseKernels, WhereBroadcastsThreeInputs) {
  auto out = run_op("Where", {bools({2, 1}, {true, false}), f32({3}, {1, 2, 3}), f32({}, {-1})});
  EXPECT_EQ(out[0].shape(), (std::vector<int64_t>{2, 3}));
  expect_near(values_of<float>(out[0]), {1, 2, 3, -1, -1, -1});
}

TEST(ElementwiseKernels, HalfInputsComputeInFloat) {
  auto a = make_rt<uint16_t>(DataType::Float16, {2}, {0x3c00, 0x4000});  // 1, 2
  auto b = make_rt<uint16_t>(DataType::Float16, {1}, {0x3800});          // 0.5
  auto out = run_op("Add", {a, b});
  EXPECT_EQ(out[0].dtype(), DataType::Float16);
  EXPECT_EQ(values_of<uint16_t>(out[0]), (std::vector<uint16_t>{0x3e00, 0x4100}));  // 1.5, 2.5
}

}  // namespace
}  // namespace kiln
