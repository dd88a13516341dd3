// The inference driver and the elementwise family: broadcasting with symbols, dtypes of
// comparisons and casts, merging with declared types, input overrides, unknown ops.
#include "core/analysis/shape_inference.h"

#include <gtest/gtest.h>

#include <chrono>

#include "tests/core/analysis/infer_test_util.h"

namespace kiln {
namespace {

using namespace kiln::testing;
constexpr DataType F32 = DataType::Float32;

TEST(ShapeInference, BroadcastingKeepsSymbols) {
  TestModel t;
  Value* a = t.in_f32("a", {S("batch"), D(1), D(4)});
  Value* b = t.in_f32("b", {D(1), D(3), D(4)});
  Value* c = t.in_f32("c", {S("batch"), D(3), D(1)});
  Value* d = t.in_f32("d", {S("other"), D(3), D(4)});
  Value* e = t.in_f32("e", {D(4)});
  t.op("Add", {a, b}, "ab");
  t.op("Mul", {a, c}, "ac");
  t.op("Sub", {a, d}, "ad");
  t.op("Div", {e, a}, "ea");
  t.op("Sum", {a, b, c}, "abc");
  t.infer();
  EXPECT_EQ(t.type("ab"), "f32[batch,3,4]");
  EXPECT_EQ(t.type("ac"), "f32[batch,3,4]");
  EXPECT_EQ(t.type("ad"), "f32[?,3,4]");  // batch vs other: either may be 1
  EXPECT_EQ(t.type("ea"), "f32[batch,1,4]");
  EXPECT_EQ(t.type("abc"), "f32[batch,3,4]");
}

TEST(ShapeInference, IncompatibleBroadcastWarns) {
  TestModel t;
  t.op("Add", {t.in_f32("a", {D(3)}), t.in_f32("b", {D(4)})}, "y");
  InferenceReport r = t.infer();
  EXPECT_EQ(t.type("y"), "f32[?]");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("broadcast"), std::string::npos);
}

TEST(ShapeInference, ComparisonLogicAndCastTypes) {
  TestModel t;
  Value* a = t.in_f32("a", {D(2), D(3)});
  Value* i = t.in("i", DataType::Int32, {D(3)});
  t.op("Less", {a, t.op("Cast", {i}, "fi", {Attribute::make_int("to", 1)})}, "lt");
  t.op("Not", {t.g.find_value("lt")}, "nlt");
  t.op("IsNaN", {a}, "nan");
  t.op("Cast", {a}, "h", {Attribute::make_int("to", static_cast<int64_t>(DataType::Float16))});
  t.op("CastLike", {a, i}, "ai");
  t.op("Where", {t.g.find_value("lt"), a, t.f32("zero", {})}, "w");
  t.op("Pow", {i, a}, "p");
  t.infer();
  EXPECT_EQ(t.type("fi"), "f32[3]");
  EXPECT_EQ(t.type("lt"), "bool[2,3]");
  EXPECT_EQ(t.type("nlt"), "bool[2,3]");
  EXPECT_EQ(t.type("nan"), "bool[2,3]");
  EXPECT_EQ(t.type("h"), "f16[2,3]");
  EXPECT_EQ(t.type("ai"), "i32[2,3]");
  EXPECT_EQ(t.type("w"), "f32[2,3]");
  EXPECT_EQ(t.type("p"), "i32[2,3]");  // Pow keeps the base's type
}

TEST(ShapeInference, CastOpset1TakesATypeName) {
  TestModel t(1);
  t.op("Cast", {t.in_f32("a", {D(2)})}, "y", {Attribute::make_string("to", "INT64")});
  t.infer();
  EXPECT_EQ(t.type("y"), "i64[2]");
}

TEST(ShapeInference, ActivationsAndDropoutKeepTheInputType) {
  TestModel t;
  Value* x = t.in_f32("x", {S("n"), D(8)});
  for (auto op : {"Relu", "Gelu", "Sigmoid", "HardSwish", "Softmax", "Erf", "Clip", "Mish"})
    t.op(op, {x}, std::string("y_") + op);
  t.node("Dropout", {x}, {"d", "mask"});
  t.infer();
  for (auto op : {"Relu", "Gelu", "Sigmoid", "HardSwish", "Softmax", "Erf", "Clip", "Mish"})
    EXPECT_EQ(t.type(std::string("y_") + op), "f32[n,8]") << op;
  EXPECT_EQ(t.type("d"), "f32[n,8]");
  EXPECT_EQ(t.type("mask"), "bool[n,8]");
}

TEST(ShapeInference, DeclaredTypeIsRefinedWhenConsistent) {
  TestModel t;
  Value* y = t.op("Relu", {t.in_f32("x", {D(2), D(3)})}, "y");
  y->type = ValueType::tensor(F32, Shape({S("rows"), U()}));
  y->has_value_info = true;
  InferenceReport r = t.infer();
  EXPECT_EQ(t.type("y"), "f32[2,3]");
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_EQ(r.values_inferred, 1u);
}

TEST(ShapeInference, ContradictionKeepsTheDeclaredTypeAndWarns) {
  TestModel t;
  Value* y = t.op("Relu", {t.in_f32("x", {D(2), D(3)})}, "y");
  y->type = ValueType::tensor(F32, Shape({D(2), D(4)}));
  y->has_value_info = true;
  t.op("Neg", {y}, "z");
  InferenceReport r = t.infer();
  EXPECT_EQ(t.type("y"), "f32[2,4]");
  EXPECT_EQ(t.type("z"), "f32[2,4]");  // downstream follows the declared type
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("'y'"), std::string::npos);
  EXPECT_NE(r.warnings[0].find("declared f32[2,4]"), std::string::npos);
  EXPECT_NE(r.warnings[0].find("f32[2,3]"), std::string::npos);
}

TEST(ShapeInference, DeclaredDtypeContradictionWarns) {
  TestModel t;
  Value* y = t.op("Relu", {t.in_f32("x", {D(2)})}, "y");
  y->type = ValueType::tensor(DataType::Int64, Shape({D(2)}));
  y->has_value_info = true;
  EXPECT_EQ(t.infer().warnings.size(), 1u);
  EXPECT_EQ(t.type("y"), "i64[2]");
}

TEST(ShapeInference, InputShapesOverrideDeclaredOnes) {
  TestModel t;
  Value* x = t.in_f32("x", {S("batch"), D(3)});
  t.op("Relu", {x}, "y");
  InferenceOptions o;
  o.input_shapes["x"] = Shape({D(1), D(3)});
  o.input_shapes["nope"] = Shape({D(1)});
  InferenceReport r = t.infer(o);
  EXPECT_EQ(t.type("x"), "f32[1,3]");
  EXPECT_EQ(t.type("y"), "f32[1,3]");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("nope"), std::string::npos);
}

TEST(ShapeInference, UnknownOpsAreReportedAndLeftAlone) {
  TestModel t;
  Value* x = t.in_f32("x", {D(2)});
  t.g.add_node("FancyOp", {x}, {"y"}, "com.example");
  t.g.add_node("NotAnOnnxOp", {x}, {"z"});
  t.op("Relu", {t.g.find_value("y")}, "r");
  InferenceReport r = t.infer();
  EXPECT_EQ(t.type("y"), "?");
  EXPECT_EQ(t.type("r"), "?");
  EXPECT_EQ(r.ops_not_inferred, (std::set<std::string>{"NotAnOnnxOp", "com.example::FancyOp"}));
}

TEST(ShapeInference, InvalidAttributesWarnInsteadOfThrowing) {
  TestModel t;
  Value* x = t.in_f32("x", {D(2), D(3)});
  t.op("Transpose", {x}, "y", {Attribute::make_ints("perm", {0, 0})});
  t.op("Cast", {x}, "c");  // no 'to'
  t.op("Softmax", {}, "s");  // no input at all
  InferenceReport r = t.infer();
  EXPECT_EQ(t.type("y"), "f32[*]");
  EXPECT_EQ(r.warnings.size(), 2u);
}

TEST(ShapeInference, AbsurdSizesNeitherOverflowNorAllocate) {
  TestModel t;
  Value* x = t.in_f32("x", {D(1), D(3), D(INT64_MAX / 2), D(8)});
  Value* w = t.f32("w", {4, 3, 3, 3});
  t.op("Conv", {x, w}, "c1", {Attribute::make_ints("pads", {INT64_MAX, 0, INT64_MAX, 0})});
  t.op("ConvTranspose", {x, t.f32("wt", {3, 4, 3, 3})}, "c2",
       {Attribute::make_ints("strides", {1 << 30, 1 << 30})});
  t.op("Reshape", {x, t.in("huge", DataType::Int64, {D(int64_t{1} << 40)})}, "r");
  t.op("Resize", {x, nullptr, t.f32("s", {4}, {1, 1, 1e30f, 1})}, "big");
  t.op("Slice", {x, t.i64("st", {INT64_MIN}), t.i64("en", {INT64_MAX}), t.i64("ax", {2}),
                 t.i64("sp", {INT64_MAX})},
       "sl");
  InferenceReport r = t.infer();
  EXPECT_EQ(t.type("c1"), "f32[*]");
  EXPECT_EQ(t.type("c2"), "f32[1,4,?,7516192771]");  // the first does not fit in int64
  EXPECT_EQ(t.type("r"), "f32[*]");
  EXPECT_EQ(t.type("big"), "f32[1,3,?,8]");
  EXPECT_EQ(t.type("sl"), "f32[1,3,1,8]");
  EXPECT_FALSE(r.warnings.empty());
}

TEST(ShapeInference, RerunningIsStable) {
  TestModel t;
  t.op("Relu", {t.in_f32("x", {S("b"), D(3)})}, "y");
  t.infer();
  InferenceReport r = t.infer();
  EXPECT_EQ(r.values_inferred, 0u);
  EXPECT_EQ(t.type("y"), "f32[b,3]");
}

TEST(ShapeInference, FiftyThousandNodesInWellUnderASecond) {
  TestModel t;
  Value* x = t.in_f32("x", {S("batch"), D(64)});
  Value* w = t.f32("w", {64, 64});
  Value* shape = t.i64("shape", {0, -1});
  Value* cur = x;
  for (int i = 0; i < 10000; ++i) {
    std::string s = std::to_string(i);
    cur = t.op("MatMul", {cur, w}, "mm" + s);
    cur = t.op("Add", {cur, x}, "add" + s);
    cur = t.op("Relu", {cur}, "relu" + s);
    t.op("Shape", {cur}, "shape" + s);
    cur = t.op("Reshape", {cur, shape}, "rs" + s);
  }
  ASSERT_EQ(t.g.node_count(), 50000u);
  auto start = std::chrono::steady_clock::now();
  InferenceReport r = t.infer();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(t.type("rs9999"), "f32[batch,64]");
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_LT(secs, 1.0);
  RecordProperty("seconds", std::to_string(secs));
}

}  // namespace
}  // namespace kiln
