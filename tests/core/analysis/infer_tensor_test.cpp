// Shape manipulation and indexing: Reshape (with data propagation through shape subgraphs),
// Squeeze/Unsqueeze across opsets, Slice, Gather, Concat, Split, Expand, Resize, TopK, ...
#include <gtest/gtest.h>

#include "tests/core/analysis/infer_test_util.h"

namespace kiln {
namespace {

using namespace kiln::testing;
using A = Attribute;

TEST(InferTensor, ReshapeZeroAndMinusOne) {
  TestModel t;
  Value* x = t.in_f32("x", {S("batch"), D(3), D(4)});
  t.op("Reshape", {x, t.i64("s1", {0, -1})}, "keep_batch");
  t.op("Reshape", {x, t.i64("s2", {-1, 6})}, "unknown_lead");
  t.op("Reshape", {t.in_f32("y", {D(2), D(3), D(4)}), t.i64("s3", {4, 0, -1})}, "static");
  t.op("Reshape", {x, t.i64("s4", {0, 2, -1, 2})}, "split");
  t.op("Reshape", {x, t.in("dyn", DataType::Int64, {D(3)})}, "dynamic");
  t.op("Reshape", {t.in_f32("e", {D(0), S("k"), D(3)}), t.i64("s5", {-1, 3})}, "empty");
  t.infer();
  EXPECT_EQ(t.type("keep_batch"), "f32[batch,12]");
  EXPECT_EQ(t.type("unknown_lead"), "f32[?,6]");
  EXPECT_EQ(t.type("static"), "f32[4,3,2]");
  EXPECT_EQ(t.type("split"), "f32[batch,2,3,2]");
  EXPECT_EQ(t.type("dynamic"), "f32[?,?,?]");
  EXPECT_EQ(t.type("empty"), "f32[0,3]");
}

TEST(InferTensor, ReshapeAllowZeroAndOpset1) {
  TestModel t14(14);
  t14.op("Reshape", {t14.in_f32("x", {D(0), D(3)}), t14.i64("s", {3, 0})}, "y",
         {A::make_int("allowzero", 1)});
  t14.infer();
  EXPECT_EQ(t14.type("y"), "f32[3,0]");
  TestModel t1(1);
  t1.op("Reshape", {t1.in_f32("x", {D(2), D(6)})}, "y", {A::make_ints("shape", {3, -1})});
  t1.infer();
  EXPECT_EQ(t1.type("y"), "f32[3,4]");
}

// Old models list every initializer as a graph input too; its value is a default, and shapes
// follow it as in ONNX's inference.
TEST(InferTensor, ShapeDataFromInputDefaults) {
  TestModel t(8);
  Value* x = t.in_f32("x", {D(2), D(6)});
  t.in("shape", DataType::Int64, {D(2)});
  t.i64("shape", {3, -1});
  t.op("Reshape", {x, t.g.find_value("shape")}, "y");
  t.infer();
  EXPECT_EQ(t.type("y"), "f32[3,4]");
}

// The exporter pattern: x.view(x.size(0), -1) written out as Shape -> Gather -> Unsqueeze ->
// Concat -> Reshape.
TEST(InferTensor, ShapeGatherConcatChainResolves) {
  TestModel t;
  Value* x = t.in_f32("x", {S("batch"), D(8), D(2), D(2)});
  Value* shape = t.op("Shape", {x}, "shape");
  Value* n = t.op("Gather", {shape, t.i64("zero", {0}, true)}, "n", {A::make_int("axis", 0)});
  Value* un = t.op("Unsqueeze", {n, t.i64("axes", {0})}, "un");
  Value* cat = t.op("Concat", {un, t.i64("minus1", {-1})}, "cat", {A::make_int("axis", 0)});
  t.op("Reshape", {x, cat}, "flat");
  // The same with static input shapes gives numbers.
  Value* y = t.in_f32("y", {D(2), D(8), D(2), D(2)});
  Value* ys = t.op("Shape", {y}, "ys");
  Value* tail = t.op("Slice", {ys, t.i64("one", {1}), t.i64("big", {INT64_MAX})}, "tail");
  Value* prod = t.op("ReduceProd", {tail}, "prod", {A::make_int("keepdims", 1)});
  Value* head = t.op("Slice", {ys, t.i64("z0", {0}), t.i64("z1", {1})}, "head");
  Value* cat2 = t.op("Concat", {head, prod}, "cat2", {A::make_int("axis", 0)});
  t.op("Reshape", {y, cat2}, "flat2");
  t.infer();
  EXPECT_EQ(t.type("shape"), "i64[4]");
  EXPECT_EQ(t.type("n"), "i64[]");
  EXPECT_EQ(t.type("cat"), "i64[2]");
  EXPECT_EQ(t.type("flat"), "f32[batch,32]");
  EXPECT_EQ(t.type("tail"), "i64[3]");
  EXPECT_EQ(t.type("prod"), "i64[1]");
  EXPECT_EQ(t.type("flat2"), "f32[2,32]");
}

TEST(InferTensor, ShapeStartEnd) {
  TestModel t(15);
  Value* x = t.in_f32("x", {D(2), D(3), D(4), D(5)});
  t.op("Shape", {x}, "mid", {A::make_int("start", 1), A::make_int("end", -1)});
  t.op("Shape", {x}, "clamped", {A::make_int("start", -10), A::make_int("end", 2)});
  t.op("ConstantOfShape", {t.g.find_value("mid")}, "filled");
  t.op("Size", {x}, "size");
  t.infer();
  EXPECT_EQ(t.type("mid"), "i64[2]");
  EXPECT_EQ(t.type("clamped"), "i64[2]");
  EXPECT_EQ(t.type("filled"), "f32[3,4]");
  EXPECT_EQ(t.type("size"), "i64[]");
}

TEST(InferTensor, SqueezeUnsqueezeAcrossOpsets) {
  TestModel t11(11);
  Value* x = t11.in_f32("x", {D(1), S("n"), D(1), D(3)});
  t11.op("Squeeze", {x}, "sq", {A::make_ints("axes", {0, -2})});
  t11.op("Unsqueeze", {x}, "usq", {A::make_ints("axes", {0, -1})});
  t11.op("Squeeze", {x}, "all");  // which of n's dims are 1 is unknown
  t11.op("Squeeze", {t11.in_f32("y", {D(1), D(3), D(1)})}, "all_static");
  t11.infer();
  EXPECT_EQ(t11.type("sq"), "f32[n,3]");
  EXPECT_EQ(t11.type("usq"), "f32[1,1,n,1,3,1]");
  EXPECT_EQ(t11.type("all"), "f32[*]");
  EXPECT_EQ(t11.type("all_static"), "f32[3]");

  TestModel t13(13);
  Value* z = t13.in_f32("x", {D(1), S("n"), D(1), D(3)});
  t13.op("Squeeze", {z, t13.i64("axes", {0, 2})}, "sq");
  t13.op("Unsqueeze", {z, t13.i64("uaxes", {1})}, "usq");
  t13.op("Unsqueeze", {z, t13.in("dyn", DataType::Int64, {D(1)})}, "dyn_usq");
  t13.infer();
  EXPECT_EQ(t13.type("sq"), "f32[n,3]");
  EXPECT_EQ(t13.type("usq"), "f32[1,1,n,1,3]");
  EXPECT_EQ(t13.type("dyn_usq"), "f32[*]");
}

TEST(InferTensor, SliceNegativeClampedAndStepped) {
  TestModel t;
  Value* x = t.in_f32("x", {D(10), D(20), S("n"), D(8)});
  // axis 0: [-3, big) -> 3; axis 1: [1, 100) step 3 -> 7; axis 3: [-1, -9) step -2 -> 4
  t.op("Slice", {x, t.i64("st", {-3, 1, -1}), t.i64("en", {INT64_MAX, 100, -9}),
                 t.i64("ax", {0, 1, 3}), t.i64("sp", {1, 3, -2})},
       "y");
  t.op("Slice", {x, t.i64("st2", {0}), t.i64("en2", {INT64_MAX}), t.i64("ax2", {2})}, "whole");
  t.op("Slice", {x, t.i64("st3", {5}), t.i64("en3", {2}), t.i64("ax3", {0})}, "empty");
  t.op("Slice", {x, t.i64("st5", {-1}), t.i64("en5", {INT64_MIN}), t.i64("ax5", {2}), t.i64("sp5", {-1})},
       "flipped");
  t.op("Slice", {x, t.in("dyn", DataType::Int64, {D(1)}), t.i64("en4", {2}), t.i64("ax4", {1})},
       "dyn_out");
  t.infer();
  EXPECT_EQ(t.type("y"), "f32[3,7,n,4]");
  EXPECT_EQ(t.type("whole"), "f32[10,20,n,8]");
  EXPECT_EQ(t.type("empty"), "f32[0,20,n,8]");
  EXPECT_EQ(t.type("flipped"), "f32[10,20,n,8]");
  EXPECT_EQ(t.type("dyn_out"), "f32[10,?,n,8]");
}

TEST(InferTensor, SliceOpset1UsesAttributes) {
  TestModel t(9);
  t.op("Slice", {t.in_f32("x", {D(6), D(7)})}, "y",
       {A::make_ints("starts", {1, 0}), A::make_ints("ends", {-1, 3}), A::make_ints("axes", {0, 1})});
  t.infer();
  EXPECT_EQ(t.type("y"), "f32[4,3]");
}

TEST(InferTensor, GatherFamily) {
  TestModel t;
  Value* data = t.in_f32("data", {D(5), S("n"), D(7)});
  Value* idx = t.in("idx", DataType::Int64, {D(2), D(3)});
  t.op("Gather", {data, idx}, "g0");
  t.op("Gather", {data, idx}, "g2", {A::make_int("axis", -1)});
  t.op("Gather", {data, t.i64("scalar", {1}, true)}, "g_scalar", {A::make_int("axis", 2)});
  t.op("GatherElements", {data, t.in("ge", DataType::Int64, {D(5), D(2), D(7)})}, "ge_out");
  t.op("GatherND", {data, t.in("gnd", DataType::Int64, {D(4), D(2)})}, "gnd_out");
  t.op("ScatterND", {data, t.g.find_value("gnd"), t.in_f32("upd", {D(4), D(7)})}, "snd");
  t.infer();
  EXPECT_EQ(t.type("g0"), "f32[2,3,n,7]");
  EXPECT_EQ(t.type("g2"), "f32[5,n,2,3]");
  EXPECT_EQ(t.type("g_scalar"), "f32[5,n]");
  EXPECT_EQ(t.type("ge_out"), "f32[5,2,7]");
  EXPECT_EQ(t.type("gnd_out"), "f32[4,7]");
  EXPECT_EQ(t.type("snd"), "f32[5,n,7]");
}

TEST(InferTensor, ConcatWithSymbols) {
  TestModel t;
  Value* a = t.in_f32("a", {S("b"), D(3), U()});
  Value* b = t.in_f32("b", {U(), D(5), D(7)});
  Value* c = t.in_f32("c", {S("b"), S("k"), D(7)});
  t.op("Concat", {a, b}, "ab", {A::make_int("axis", 1)});
  t.op("Concat", {a, c}, "ac", {A::make_int("axis", -2)});
  t.op("Concat", {c}, "c_only", {A::make_int("axis", 1)});
  t.infer();
  EXPECT_EQ(t.type("ab"), "f32[b,8,7]");
  EXPECT_EQ(t.type("ac"), "f32[b,?,7]");
  EXPECT_EQ(t.type("c_only"), "f32[b,k,7]");
}

TEST(InferTensor, SplitForms) {
  TestModel t13(13);
  Value* x = t13.in_f32("x", {D(4), D(10)});
  t13.node("Split", {x, t13.i64("sizes", {3, 7})}, {"a", "b"}, {A::make_int("axis", 1)});
  t13.node("Split", {x}, {"c", "d"});
  t13.infer();
  EXPECT_EQ(t13.type("a"), "f32[4,3]");
  EXPECT_EQ(t13.type("b"), "f32[4,7]");
  EXPECT_EQ(t13.type("c"), "f32[2,10]");
  TestModel t18(18);
  t18.node("Split", {t18.in_f32("x", {D(10)})}, {"a", "b", "c"}, {A::make_int("num_outputs", 3)});
  t18.infer();
  EXPECT_EQ(t18.type("a"), "f32[4]");
  EXPECT_EQ(t18.type("c"), "f32[2]");
  TestModel t11(11);
  t11.node("Split", {t11.in_f32("x", {D(6)})}, {"a", "b"}, {A::make_ints("split", {1, 5})});
  t11.infer();
  EXPECT_EQ(t11.type("b"), "f32[5]");
}

TEST(InferTensor, TransposeExpandTilePad) {
  TestModel t;
  Value* x = t.in_f32("x", {S("n"), D(1), D(3)});
  t.op("Transpose", {x}, "rev");
  t.op("Transpose", {x}, "perm", {A::make_ints("perm", {2, 0, 1})});
  t.op("Expand", {x, t.i64("es", {2, 1, 4, 1})}, "ex");
  t.op("Tile", {x, t.i64("reps", {1, 5, 2})}, "tiled");
  t.op("Pad", {x, t.i64("pads", {0, 1, 2, 0, 1, 2})}, "padded");
  t.infer();
  EXPECT_EQ(t.type("rev"), "f32[3,1,n]");
  EXPECT_EQ(t.type("perm"), "f32[3,n,1]");
  EXPECT_EQ(t.type("ex"), "f32[2,n,4,3]");
  EXPECT_EQ(t.type("tiled"), "f32[n,5,6]");
  EXPECT_EQ(t.type("padded"), "f32[n,3,7]");
}

TEST(InferTensor, ResizeWithScalesAndSizes) {
  TestModel t;
  Value* x = t.in_f32("x", {S("n"), D(3), D(15), D(20)});
  Value* none = nullptr;
  t.op("Resize", {x, none, t.f32("scales", {4}, {1, 1, 2, 0.5f})}, "by_scales");
  t.op("Resize", {x, none, none, t.i64("sizes", {1, 3, 64, 64})}, "by_sizes");
  t.infer();
  EXPECT_EQ(t.type("by_scales"), "f32[n,3,30,10]");
  EXPECT_EQ(t.type("by_sizes"), "f32[1,3,64,64]");
  TestModel t18(18);
  Value* x18 = t18.in_f32("x", {S("n"), D(3), D(15), D(20)});
  t18.op("Resize", {x18, none, none, t18.i64("sizes", {32, 32})}, "not_larger",
         {A::make_ints("axes", {2, 3}), A::make_string("keep_aspect_ratio_policy", "not_larger")});
  t18.op("Resize", {x18, none, t18.f32("scales", {2}, {0.5f, 2})}, "axes_scales",
         {A::make_ints("axes", {-1, 2})});
  t18.infer();
  EXPECT_EQ(t18.type("not_larger"), "f32[n,3,24,32]");  // one scale for both: min(32/15, 32/20)
  EXPECT_EQ(t18.type("axes_scales"), "f32[n,3,30,10]");
  TestModel t10(10);
  t10.op("Resize", {t10.in_f32("x", {D(1), D(1), D(3), D(3)}), t10.f32("s", {4}, {1, 1, 2, 2})}, "y");
  t10.op("Upsample", {t10.g.find_value("x"), t10.f32("u", {4}, {1, 1, 3, 1.5f})}, "up");
  t10.infer();
  EXPECT_EQ(t10.type("y"), "f32[1,1,6,6]");
  EXPECT_EQ(t10.type("up"), "f32[1,1,9,4]");
}

TEST(InferTensor, TopKAndArgReductions) {
  TestModel t;
  Value* x = t.in_f32("x", {S("n"), D(100)});
  t.node("TopK", {x, t.i64("k", {5})}, {"vals", "idx"});
  t.op("ArgMax", {x}, "am", {A::make_int("axis", 1), A::make_int("keepdims", 0)});
  t.op("ReduceMean", {x}, "rm", {A::make_ints("axes", {-1})});
  t.op("ReduceSum", {x, t.i64("ax", {0})}, "rs", {A::make_int("keepdims", 0)});
  t.op("ReduceMax", {x}, "all", {A::make_int("keepdims", 0)});
  t.infer();
  EXPECT_EQ(t.type("vals"), "f32[n,5]");
  EXPECT_EQ(t.type("idx"), "i64[n,5]");
  EXPECT_EQ(t.type("am"), "i64[n]");
  EXPECT_EQ(t.type("rm"), "f32[n,1]");
  EXPECT_EQ(t.type("rs"), "f32[100]");
  EXPECT_EQ(t.type("all"), "f32[]");
  TestModel t1(1);
  t1.node("TopK", {t1.in_f32("x", {D(4), D(9)})}, {"v", "i"}, {A::make_int("k", 3), A::make_int("axis", 0)});
  t1.infer();
  EXPECT_EQ(t1.type("v"), "f32[3,9]");
}

TEST(InferTensor, MatMulGemmEinsum) {
  TestModel t;
  Value* a = t.in_f32("a", {S("b"), D(3), D(4)});
  t.op("MatMul", {a, t.f32("w", {4, 5})}, "mm");
  t.op("MatMul", {t.in_f32("v", {D(4)}), t.f32("w2", {2, 4, 6})}, "vec_mat");
  t.op("MatMul", {a, t.in_f32("vv", {D(4)})}, "mat_vec");
  t.op("Gemm", {t.in_f32("g", {D(7), D(3)}), t.f32("gw", {5, 7})}, "gemm",
       {A::make_int("transA", 1), A::make_int("transB", 1)});
  t.op("Einsum", {a, t.in_f32("e", {S("b"), D(4), D(6)})}, "bik",
       {A::make_string("equation", "bij,bjk->bik")});
  t.op("Einsum", {a}, "implicit", {A::make_string("equation", "...ij")});
  t.op("Einsum", {t.in_f32("sq", {S("b"), D(3), D(3)})}, "trace_like",
       {A::make_string("equation", "bii")});
  t.infer();
  EXPECT_EQ(t.type("mm"), "f32[b,3,5]");
  EXPECT_EQ(t.type("vec_mat"), "f32[2,6]");
  EXPECT_EQ(t.type("mat_vec"), "f32[b,3]");
  EXPECT_EQ(t.type("gemm"), "f32[3,5]");
  EXPECT_EQ(t.type("bik"), "f32[b,3,6]");
  EXPECT_EQ(t.type("implicit"), "f32[b,3,4]");
  EXPECT_EQ(t.type("trace_like"), "f32[b]");
}

TEST(InferTensor, ConstantsRangeOneHotNonZero) {
  TestModel t;
  Node* c = t.node("Constant", {}, {"c"});
  c->set_attr(A::make_tensor("value", Tensor::from_values<int64_t>("", DataType::Int64, {3}, {2, 3, 4})));
  t.node("Constant", {}, {"ci"})->set_attr(A::make_ints("value_ints", {1, 2}));
  t.node("Constant", {}, {"cf"})->set_attr(A::make_float("value_float", 1.f));
  t.node("Constant", {}, {"cs"})->set_attr(A::make_strings("value_strings", {"a", "b", "c"}));
  t.op("ConstantOfShape", {t.g.find_value("c")}, "zeros");
  t.op("Range", {t.i64("start", {1}, true), t.i64("limit", {10}, true), t.i64("delta", {3}, true)}, "r");
  Value* x = t.in_f32("x", {S("n"), D(5)});
  Value* len = t.op("Gather", {t.op("Shape", {x}, "xs"), t.i64("zero", {0}, true)}, "len");
  t.op("Range", {t.i64("z", {0}, true), len, t.i64("one", {1}, true)}, "positions");
  t.op("OneHot", {t.in("ids", DataType::Int64, {S("n")}), t.i64("depth", {10}, true), t.f32("vals", {2})},
       "oh");
  t.op("NonZero", {x}, "nz");
  t.op("EyeLike", {t.in_f32("sq", {D(3), D(3)})}, "eye", {A::make_int("dtype", 7)});
  t.infer();
  EXPECT_EQ(t.type("c"), "i64[3]");
  EXPECT_EQ(t.type("ci"), "i64[2]");
  EXPECT_EQ(t.type("cf"), "f32[]");
  EXPECT_EQ(t.type("cs"), "str[3]");
  EXPECT_EQ(t.type("zeros"), "f32[2,3,4]");
  EXPECT_EQ(t.type("r"), "i64[3]");
  EXPECT_EQ(t.type("positions"), "i64[n]");
  EXPECT_EQ(t.type("oh"), "f32[n,10]");
  EXPECT_EQ(t.type("nz"), "i64[2,unk__0]");
  EXPECT_EQ(t.type("eye"), "i64[3,3]");
}

TEST(InferTensor, FreshSymbolsAvoidNamesInUse) {
  TestModel t;
  Value* x = t.in_f32("x", {S("unk__0"), D(2)});
  t.op("NonZero", {x}, "a");
  t.op("NonZero", {x}, "b");
  t.infer();
  EXPECT_EQ(t.type("a"), "i64[2,unk__1]");
  EXPECT_EQ(t.type("b"), "i64[2,unk__2]");
}

}  // namespace
}  // namespace kiln
