// Convolution, pooling and normalization shapes.
#include <gtest/gtest.h>

#include "tests/core/analysis/infer_test_util.h"

namespace kiln {
namespace {

using namespace kiln::testing;
using A = Attribute;

TEST(InferNn, ConvWithPadsStridesDilations) {
  TestModel t;
  Value* x = t.in_f32("x", {S("n"), D(3), D(32), D(30)});
  Value* w = t.f32("w", {16, 3, 3, 3});
  t.op("Conv", {x, w}, "plain");
  t.op("Conv", {x, w}, "padded", {A::make_ints("pads", {1, 1, 1, 1})});
  t.op("Conv", {x, w}, "strided",
       {A::make_ints("pads", {1, 0, 1, 0}), A::make_ints("strides", {2, 3})});
  t.op("Conv", {x, w}, "dilated", {A::make_ints("dilations", {2, 2})});
  t.op("Conv", {x, t.f32("wg", {16, 1, 3, 3})}, "grouped",
       {A::make_int("group", 3), A::make_ints("kernel_shape", {3, 3})});
  t.infer();
  EXPECT_EQ(t.type("plain"), "f32[n,16,30,28]");
  EXPECT_EQ(t.type("padded"), "f32[n,16,32,30]");
  EXPECT_EQ(t.type("strided"), "f32[n,16,16,10]");  // (32+2-3)/2+1, (30+0-3)/3+1
  EXPECT_EQ(t.type("dilated"), "f32[n,16,28,26]");
  EXPECT_EQ(t.type("grouped"), "f32[n,16,30,28]");
}

TEST(InferNn, ConvAutoPad) {
  TestModel t;
  Value* x = t.in_f32("x", {D(1), D(8), D(7), S("w")});
  Value* w = t.f32("w", {4, 8, 3, 3});
  t.op("Conv", {x, w}, "upper", {A::make_string("auto_pad", "SAME_UPPER"), A::make_ints("strides", {2, 1})});
  t.op("Conv", {x, w}, "lower", {A::make_string("auto_pad", "SAME_LOWER")});
  t.op("Conv", {x, w}, "valid", {A::make_string("auto_pad", "VALID"), A::make_ints("strides", {2, 2})});
  t.infer();
  EXPECT_EQ(t.type("upper"), "f32[1,4,4,w]");  // ceil(7/2); stride 1 keeps the symbol
  EXPECT_EQ(t.type("lower"), "f32[1,4,7,w]");
  EXPECT_EQ(t.type("valid"), "f32[1,4,3,?]");
}

TEST(InferNn, Conv1dAnd3d) {
  TestModel t;
  t.op("Conv", {t.in_f32("a", {D(2), D(4), D(100)}), t.f32("wa", {8, 4, 5})}, "y1",
       {A::make_ints("strides", {5})});
  t.op("Conv", {t.in_f32("b", {D(1), D(2), D(8), D(8), D(8)}), t.f32("wb", {4, 2, 3, 3, 3})},
       "y3", {A::make_ints("pads", {1, 1, 1, 1, 1, 1})});
  t.infer();
  EXPECT_EQ(t.type("y1"), "f32[2,8,20]");
  EXPECT_EQ(t.type("y3"), "f32[1,4,8,8,8]");
}

TEST(InferNn, ConvTranspose) {
  TestModel t;
  Value* x = t.in_f32("x", {D(1), D(8), D(10), D(10)});
  Value* w = t.f32("w", {8, 4, 3, 3});  // [Cin, Cout/group, k, k]
  t.op("ConvTranspose", {x, w}, "plain");
  t.op("ConvTranspose", {x, w}, "strided",
       {A::make_ints("strides", {2, 2}), A::make_ints("pads", {1, 1, 1, 1}),
        A::make_ints("output_padding", {1, 0})});
  t.op("ConvTranspose", {x, w}, "explicit",
       {A::make_ints("strides", {2, 2}), A::make_ints("output_shape", {21, 20})});
  t.op("ConvTranspose", {x, w}, "same",
       {A::make_ints("strides", {2, 2}), A::make_string("auto_pad", "SAME_UPPER")});
  t.op("ConvTranspose", {x, t.f32("wg", {8, 2, 3, 3})}, "grouped", {A::make_int("group", 2)});
  t.infer();
  EXPECT_EQ(t.type("plain"), "f32[1,4,12,12]");
  EXPECT_EQ(t.type("strided"), "f32[1,4,20,19]");  // 2*9 + 1 + 3 - 2, 2*9 + 0 + 3 - 2
  EXPECT_EQ(t.type("explicit"), "f32[1,4,21,20]");
  EXPECT_EQ(t.type("same"), "f32[1,4,20,20]");
  EXPECT_EQ(t.type("grouped"), "f32[1,4,12,12]");
}

TEST(InferNn, PoolingCeilModeAndIndices) {
  TestModel t;
  Value* x = t.in_f32("x", {S("n"), D(16), D(6), D(7)});
  t.op("MaxPool", {x}, "floor", {A::make_ints("kernel_shape", {3, 3}), A::make_ints("strides", {2, 2})});
  t.node("MaxPool", {x}, {"ceil", "idx"},
         {A::make_ints("kernel_shape", {3, 3}), A::make_ints("strides", {2, 2}),
          A::make_int("ceil_mode", 1)});
  t.op("AveragePool", {x}, "avg",
       {A::make_ints("kernel_shape", {2, 2}), A::make_ints("strides", {2, 2}),
        A::make_ints("pads", {1, 1, 1, 1})});
  t.op("MaxPool", {x}, "dil",
       {A::make_ints("kernel_shape", {2, 2}), A::make_ints("dilations", {2, 2})});
  // ceil mode must not start a window inside the end padding: 4 + 1 padded, k 1, stride 2.
  t.op("MaxPool", {t.in_f32("z", {D(1), D(1), D(4)})}, "edge",
       {A::make_ints("kernel_shape", {1}), A::make_ints("strides", {2}), A::make_ints("pads", {0, 1}),
        A::make_int("ceil_mode", 1)});
  t.op("GlobalAveragePool", {x}, "gap");
  t.op("LpPool", {x}, "lp", {A::make_ints("kernel_shape", {2, 2}), A::make_string("auto_pad", "SAME_UPPER")});
  t.infer();
  EXPECT_EQ(t.type("floor"), "f32[n,16,2,3]");
  EXPECT_EQ(t.type("ceil"), "f32[n,16,3,3]");
  EXPECT_EQ(t.type("idx"), "i64[n,16,3,3]");
  EXPECT_EQ(t.type("avg"), "f32[n,16,4,4]");
  EXPECT_EQ(t.type("dil"), "f32[n,16,4,5]");
  EXPECT_EQ(t.type("edge"), "f32[1,1,2]");
  EXPECT_EQ(t.type("gap"), "f32[n,16,1,1]");
  EXPECT_EQ(t.type("lp"), "f32[n,16,6,7]");
}

TEST(InferNn, Normalizations) {
  TestModel t;
  Value* x = t.in("x", DataType::Float16, {S("n"), D(4), D(5), D(6)});
  Value* c = t.f32("c", {4});
  t.node("BatchNormalization", {x, c, c, c, c}, {"bn"});
  t.node("BatchNormalization", {x, c, c, c, c}, {"bn_t", "rm", "rv"},
         {A::make_int("training_mode", 1)});
  t.node("LayerNormalization", {x, t.f32("s", {5, 6})}, {"ln", "mean", "inv"},
         {A::make_int("axis", -2)});
  t.op("InstanceNormalization", {x, c, c}, "in");
  t.op("GroupNormalization", {x, c, c}, "gn", {A::make_int("num_groups", 2)});
  t.op("LRN", {x}, "lrn", {A::make_int("size", 3)});
  t.infer();
  EXPECT_EQ(t.type("bn"), "f16[n,4,5,6]");
  EXPECT_EQ(t.type("bn_t"), "f16[n,4,5,6]");
  EXPECT_EQ(t.type("rm"), "f32[4]");
  EXPECT_EQ(t.type("ln"), "f16[n,4,5,6]");
  EXPECT_EQ(t.type("mean"), "f32[n,4,1,1]");
  EXPECT_EQ(t.type("inv"), "f32[n,4,1,1]");
  EXPECT_EQ(t.type("in"), "f16[n,4,5,6]");
  EXPECT_EQ(t.type("gn"), "f16[n,4,5,6]");
  EXPECT_EQ(t.type("lrn"), "f16[n,4,5,6]");
}

TEST(InferNn, DepthToSpaceAndBack) {
  TestModel t;
  Value* x = t.in_f32("x", {D(1), D(16), D(5), S("w")});
  Value* d = t.op("DepthToSpace", {x}, "d2s", {A::make_int("blocksize", 2)});
  t.op("SpaceToDepth", {d}, "s2d", {A::make_int("blocksize", 2)});
  t.infer();
  EXPECT_EQ(t.type("d2s"), "f32[1,4,10,?]");
  EXPECT_EQ(t.type("s2d"), "f32[1,16,5,?]");
}

TEST(InferNn, QuantizedConvAndMatMul) {
  TestModel t;
  Value* x = t.in("x", DataType::UInt8, {D(1), D(3), D(8), D(8)});
  Value* w = t.g.add_initializer(
      Tensor::from_values<int8_t>("w", DataType::Int8, {6, 3, 3, 3}, std::vector<int8_t>(162, 1)));
  Value* s = t.f32("scale", {});
  Value* zp = t.g.add_initializer(Tensor::from_values<uint8_t>("zp", DataType::UInt8, {}, {0}));
  t.op("QLinearConv", {x, s, zp, w, s, zp, s, zp}, "qc", {A::make_ints("pads", {1, 1, 1, 1})});
  t.op("ConvInteger", {x, w}, "ci");
  Value* a = t.in("a", DataType::UInt8, {D(2), D(5), D(4)});
  Value* b = t.in("b", DataType::UInt8, {D(4), D(7)});
  t.op("QLinearMatMul", {a, s, zp, b, s, zp, s, zp}, "qm");
  t.op("MatMulInteger", {a, b}, "mi");
  Value* f = t.in_f32("f", {S("n"), D(4)});
  t.op("QuantizeLinear", {f, s, zp}, "q");
  t.op("QuantizeLinear", {f, s}, "q_default");
  t.op("DequantizeLinear", {t.g.find_value("q"), s, zp}, "dq");
  t.node("DynamicQuantizeLinear", {f}, {"dy", "dy_scale", "dy_zp"});
  t.infer();
  EXPECT_EQ(t.type("qc"), "u8[1,6,8,8]");
  EXPECT_EQ(t.type("ci"), "i32[1,6,6,6]");
  EXPECT_EQ(t.type("qm"), "u8[2,5,7]");
  EXPECT_EQ(t.type("mi"), "i32[2,5,7]");
  EXPECT_EQ(t.type("q"), "u8[n,4]");
  EXPECT_EQ(t.type("q_default"), "u8[n,4]");
  EXPECT_EQ(t.type("dq"), "f32[n,4]");
  EXPECT_EQ(t.type("dy"), "u8[n,4]");
  EXPECT_EQ(t.type("dy_scale"), "f32[]");
  EXPECT_EQ(t.type("dy_zp"), "u8[]");
}

}  // namespace
}  // namespace kiln
