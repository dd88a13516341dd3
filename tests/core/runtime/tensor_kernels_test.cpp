// Reference tensor-manipulation, indexing and constant kernels against hand-computed values.
#include <gtest/gtest.h>

#include "tests/core/runtime/kernel_harness.h"

namespace kiln {
namespace {

using testing::make_rt;
using testing::run_op;
using testing::values_of;

using F = std::vector<float>;
using I = std::vector<int64_t>;

RtTensor f32(I shape, F v) { return make_rt<float>(DataType::Float32, std::move(shape), v); }
RtTensor i64(I shape, I v) { return make_rt<int64_t>(DataType::Int64, std::move(shape), v); }
RtTensor i32(I shape, std::vector<int32_t> v) { return make_rt<int32_t>(DataType::Int32, std::move(shape), v); }
RtTensor iota(I shape) {
  RtTensor t = RtTensor::allocate(DataType::Float32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(i);
  return t;
}

TEST(TensorKernels, IdentityCopiesStrings) {
  RtTensor s = RtTensor::allocate(DataType::String, {2});
  s.strings() = {"a", "bc"};
  auto out = run_op("Identity", {s});
  EXPECT_EQ(out[0].strings(), (std::vector<std::string>{"a", "bc"}));
}

TEST(TensorKernels, DropoutInferenceIsIdentityWithTrueMask) {
  auto out = run_op("Dropout", {f32({3}, {1, 2, 3})}, {}, 2, 13);
  EXPECT_EQ(values_of<float>(out[0]), (F{1, 2, 3}));
  ASSERT_EQ(out[1].dtype(), DataType::Bool);
  EXPECT_EQ(values_of<uint8_t>(out[1]), (std::vector<uint8_t>{1, 1, 1}));
  // A training_mode fed at run time could ask for random masks: refused when compiled.
  RtTensor training = make_rt<uint8_t>(DataType::Bool, {}, {1});
  EXPECT_THROW(run_op("Dropout", {f32({1}, {1}), f32({}, {0.5f}), training}, {}, 1, 13), Error);
}

TEST(TensorKernels, ShapeWithStartEnd) {
  RtTensor x = iota({2, 3, 4, 5});
  EXPECT_EQ(values_of<int64_t>(run_op("Shape", {x})[0]), (I{2, 3, 4, 5}));
  auto out = run_op("Shape", {x}, {Attribute::make_int("start", 1), Attribute::make_int("end", -1)}, 1, 15);
  EXPECT_EQ(values_of<int64_t>(out[0]), (I{3, 4}));
  EXPECT_EQ(values_of<int64_t>(run_op("Size", {x})[0]), (I{120}));
}

TEST(TensorKernels, ReshapeZeroCopiesAndMinusOneInfers) {
  RtTensor x = iota({2, 3, 4});
  auto out = run_op("Reshape", {x, i64({3}, {0, -1, 2})});
  EXPECT_EQ(out[0].shape(), (I{2, 6, 2}));
  EXPECT_EQ(values_of<float>(out[0]), values_of<float>(x));
  RtTensor empty = RtTensor::allocate(DataType::Float32, {0, 3});
  auto z = run_op("Reshape", {empty, i64({2}, {3, 0})}, {Attribute::make_int("allowzero", 1)}, 1, 14);
  EXPECT_EQ(z[0].shape(), (I{3, 0}));
  EXPECT_THROW(run_op("Reshape", {x, i64({2}, {5, -1})}), Error);
}

TEST(TensorKernels, FlattenSqueezeUnsqueeze) {
  RtTensor x = iota({2, 1, 3, 1});
  EXPECT_EQ(run_op("Flatten", {x}, {Attribute::make_int("axis", -1)})[0].shape(), (I{6, 1}));
  EXPECT_EQ(run_op("Squeeze", {x})[0].shape(), (I{2, 3}));
  EXPECT_EQ(run_op("Squeeze", {x, i64({1}, {-1})})[0].shape(), (I{2, 1, 3}));
  EXPECT_EQ(run_op("Squeeze", {x}, {Attribute::make_ints("axes", {1})}, 1, 11)[0].shape(), (I{2, 3, 1}));
  EXPECT_EQ(run_op("Unsqueeze", {iota({3}), i64({2}, {0, -1})})[0].shape(), (I{1, 3, 1}));
  EXPECT_EQ(run_op("Unsqueeze", {iota({3})}, {Attribute::make_ints("axes", {1})}, 1, 11)[0].shape(), (I{3, 1}));
}

TEST(TensorKernels, TransposeDefaultAndPerm) {
  RtTensor x = iota({2, 3});
  auto out = run_op("Transpose", {x});
  EXPECT_EQ(out[0].shape(), (I{3, 2}));
  EXPECT_EQ(values_of<float>(out[0]), (F{0, 3, 1, 4, 2, 5}));
  auto p = run_op("Transpose", {iota({2, 2, 2})}, {Attribute::make_ints("perm", {1, 2, 0})});
  EXPECT_EQ(values_of<float>(p[0]), (F{0, 4, 1, 5, 2, 6, 3, 7}));
}

TEST(TensorKernels, ConcatAndSplit) {
  auto c = run_op("Concat", {f32({2, 1}, {1, 2}), f32({2, 2}, {3, 4, 5, 6})}, {Attribute::make_int("axis", -1)});
  EXPECT_EQ(c[0].shape(), (I{2, 3}));
  EXPECT_EQ(values_of<float>(c[0]), (F{1, 3, 4, 2, 5, 6}));

  RtTensor x = iota({2, 5});
  auto s = run_op("Split", {x, i64({2}, {2, 3})}, {Attribute::make_int("axis", 1)}, 2, 13);
  EXPECT_EQ(values_of<float>(s[0]), (F{0, 1, 5, 6}));
  EXPECT_EQ(values_of<float>(s[1]), (F{2, 3, 4, 7, 8, 9}));
  auto a = run_op("Split", {x}, {Attribute::make_int("axis", 1), Attribute::make_ints("split", {4, 1})}, 2, 11);
  EXPECT_EQ(a[1].shape(), (I{2, 1}));
  auto n = run_op("Split", {iota({5})}, {Attribute::make_int("num_outputs", 3)}, 3, 18);
  EXPECT_EQ(values_of<float>(n[0]), (F{0, 1}));
  EXPECT_EQ(values_of<float>(n[2]), (F{4}));
  EXPECT_THROW(run_op("Split", {iota({5})}, {}, 2, 13), Error);
}

TEST(TensorKernels, SliceNegativeStepsAndClamping) {
  RtTensor x = iota({10});
  auto r = run_op("Slice", {x, i64({1}, {-1}), i64({1}, {-1000}), i64({1}, {0}), i64({1}, {-3})});
  EXPECT_EQ(values_of<float>(r[0]), (F{9, 6, 3, 0}));
  auto c = run_op("Slice", {x, i64({1}, {-3}), i64({1}, {INT64_MAX})});
  EXPECT_EQ(values_of<float>(c[0]), (F{7, 8, 9}));
  RtTensor m = iota({3, 4});
  auto two = run_op("Slice", {m, i64({2}, {2, 1}), i64({2}, {0, 100}), i64({2}, {0, 1}), i64({2}, {-1, 2})});
  EXPECT_EQ(two[0].shape(), (I{2, 2}));
  EXPECT_EQ(values_of<float>(two[0]), (F{9, 11, 5, 7}));
  auto huge = run_op("Slice", {x, i64({1}, {INT64_MAX}), i64({1}, {INT64_MIN}), i64({1}, {0}), i64({1}, {-INT64_MAX})});
  EXPECT_EQ(values_of<float>(huge[0]), (F{9}));
  auto big_step = run_op("Slice", {x, i64({1}, {0}), i64({1}, {INT64_MAX}), i64({1}, {0}), i64({1}, {INT64_MAX})});
  EXPECT_EQ(values_of<float>(big_step[0]), (F{0}));
  auto empty = run_op("Slice", {x, i64({1}, {5}), i64({1}, {2})});
  EXPECT_EQ(empty[0].shape(), (I{0}));
  auto old = run_op("Slice", {m}, {Attribute::make_ints("starts", {1}), Attribute::make_ints("ends", {3}),
                                   Attribute::make_ints("axes", {1})}, 1, 9);
  EXPECT_EQ(values_of<float>(old[0]), (F{1, 2, 5, 6, 9, 10}));
}

TEST(TensorKernels, ExpandAndTile) {
  auto e = run_op("Expand", {f32({3, 1}, {1, 2, 3}), i64({3}, {2, 1, 2})});
  EXPECT_EQ(e[0].shape(), (I{2, 3, 2}));
  EXPECT_EQ(values_of<float>(e[0]), (F{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
  auto t = run_op("Tile", {f32({2}, {1, 2}), i64({1}, {3})});
  EXPECT_EQ(values_of<float>(t[0]), (F{1, 2, 1, 2, 1, 2}));
  auto t2 = run_op("Tile", {f32({1, 2}, {1, 2}), i64({2}, {2, 1})});
  EXPECT_EQ(values_of<float>(t2[0]), (F{1, 2, 1, 2}));
}

TEST(TensorKernels, GatherNegativeIndices) {
  RtTensor x = iota({3, 2});
  auto g = run_op("Gather", {x, i64({2}, {-1, 0})});
  EXPECT_EQ(g[0].shape(), (I{2, 2}));
  EXPECT_EQ(values_of<float>(g[0]), (F{4, 5, 0, 1}));
  auto a = run_op("Gather", {x, i32({2, 1}, {1, -2})}, {Attribute::make_int("axis", 1)});
  EXPECT_EQ(a[0].shape(), (I{3, 2, 1}));
  EXPECT_EQ(values_of<float>(a[0]), (F{1, 0, 3, 2, 5, 4}));
  auto s = run_op("Gather", {x, i64({}, {1})});
  EXPECT_EQ(s[0].shape(), (I{2}));
  EXPECT_THROW(run_op("Gather", {x, i64({1}, {3})}), Error);
}

TEST(TensorKernels, ConstantVariants) {
  auto v = run_op("Constant", {}, {Attribute::make_tensor("value", Tensor::from_values<float>("c", DataType::Float32, {2}, {1.5f, 2.5f}))});
  EXPECT_EQ(values_of<float>(v[0]), (F{1.5f, 2.5f}));
  auto fl = run_op("Constant", {}, {Attribute::make_float("value_float", 3.f)});
  EXPECT_EQ(fl[0].shape(), I{});
  auto is = run_op("Constant", {}, {Attribute::make_ints("value_ints", {4, 5})});
  EXPECT_EQ(values_of<int64_t>(is[0]), (I{4, 5}));
  auto ss = run_op("Constant", {}, {Attribute::make_strings("value_strings", {"x", "y"})});
  EXPECT_EQ(ss[0].strings(), (std::vector<std::string>{"x", "y"}));
}

TEST(TensorKernels, ConstantOfShapeAndRange) {
  auto z = run_op("ConstantOfShape", {i64({2}, {2, 2})});
  EXPECT_EQ(values_of<float>(z[0]), (F{0, 0, 0, 0}));
  auto v = run_op("ConstantOfShape", {i64({1}, {3})}, {Attribute::make_tensor("value", Tensor::from_values<int32_t>("v", DataType::Int32, {1}, {7}))});
  EXPECT_EQ(values_of<int32_t>(v[0]), (std::vector<int32_t>{7, 7, 7}));
  auto r = run_op("Range", {i64({}, {10}), i64({}, {4}), i64({}, {-3})});
  EXPECT_EQ(values_of<int64_t>(r[0]), (I{10, 7}));
  auto f = run_op("Range", {f32({}, {1}), f32({}, {2}), f32({}, {0.25f})});
  EXPECT_EQ(values_of<float>(f[0]), (F{1, 1.25f, 1.5f, 1.75f}));
}

TEST(TensorKernels, GatherElementsAndGatherND) {
  auto ge = run_op("GatherElements", {f32({2, 2}, {1, 2, 3, 4}), i64({2, 2}, {0, 0, 1, 0})}, {Attribute::make_int("axis", 1)});
  EXPECT_EQ(values_of<float>(ge[0]), (F{1, 1, 4, 3}));
  auto nd = run_op("GatherND", {f32({2, 2}, {0, 1, 2, 3}), i64({2, 1}, {1, 0})});
  EXPECT_EQ(values_of<float>(nd[0]), (F{2, 3, 0, 1}));
  // batch_dims = 1: data [2,2,2], indices [2,1] pick one row per batch.
  auto b = run_op("GatherND", {iota({2, 2, 2}), i64({2, 1}, {1, 0})}, {Attribute::make_int("batch_dims", 1)});
  EXPECT_EQ(b[0].shape(), (I{2, 2}));
  EXPECT_EQ(values_of<float>(b[0]), (F{2, 3, 4, 5}));
}

TEST(TensorKernels, ScatterNDWithReduction) {
  RtTensor data = f32({4}, {1, 2, 3, 4});
  auto none = run_op("ScatterND", {data, i64({2, 1}, {3, 1}), f32({2}, {9, 10})});
  EXPECT_EQ(values_of<float>(none[0]), (F{1, 10, 3, 9}));
  auto add = run_op("ScatterND", {data, i64({2, 1}, {1, 1}), f32({2}, {5, 6})}, {Attribute::make_string("reduction", "add")}, 1, 16);
  EXPECT_EQ(values_of<float>(add[0]), (F{1, 13, 3, 4}));
  auto mul = run_op("ScatterND", {data, i64({1, 1}, {-1}), f32({1}, {3})}, {Attribute::make_string("reduction", "mul")}, 1, 16);
  EXPECT_EQ(values_of<float>(mul[0]), (F{1, 2, 3, 12}));
  auto mx = run_op("ScatterND", {data, i64({2, 1}, {0, 2}), f32({2}, {0, 7})}, {Attribute::make_string("reduction", "max")}, 1, 18);
  EXPECT_EQ(values_of<float>(mx[0]), (F{1, 2, 7, 4}));
}

TEST(TensorKernels, ScatterElements) {
  auto s = run_op("ScatterElements", {f32({1, 5}, {1, 2, 3, 4, 5}), i64({1, 2}, {1, 3}), f32({1, 2}, {1.1f, 2.1f})},
                  {Attribute::make_int("axis", 1)});
  EXPECT_EQ(values_of<float>(s[0]), (F{1, 1.1f, 3, 2.1f, 5}));
  auto add = run_op("ScatterElements", {f32({1, 5}, {1, 2, 3, 4, 5}), i64({1, 2}, {1, 1}), f32({1, 2}, {1.1f, 2.1f})},
                    {Attribute::make_int("axis", 1), Attribute::make_string("reduction", "add")}, 1, 16);
  EXPECT_FLOAT_EQ(values_of<float>(add[0])[1], 5.2f);
}

TEST(TensorKernels, PadModes) {
  RtTensor x = f32({3}, {1, 2, 3});
  auto refl = run_op("Pad", {x, i64({2}, {2, 2})}, {Attribute::make_string("mode", "reflect")});
  EXPECT_EQ(values_of<float>(refl[0]), (F{3, 2, 1, 2, 3, 2, 1}));
  auto edge = run_op("Pad", {x, i64({2}, {1, 2})}, {Attribute::make_string("mode", "edge")});
  EXPECT_EQ(values_of<float>(edge[0]), (F{1, 1, 2, 3, 3, 3}));
  auto wrap = run_op("Pad", {x, i64({2}, {2, 1})}, {Attribute::make_string("mode", "wrap")}, 1, 19);
  EXPECT_EQ(values_of<float>(wrap[0]), (F{2, 3, 1, 2, 3, 1}));
  auto cst = run_op("Pad", {x, i64({2}, {1, -1}), f32({}, {9})});
  EXPECT_EQ(values_of<float>(cst[0]), (F{9, 1, 2}));
  auto old = run_op("Pad", {x}, {Attribute::make_ints("pads", {0, 1}), Attribute::make_float("value", 5)}, 1, 2);
  EXPECT_EQ(values_of<float>(old[0]), (F{1, 2, 3, 5}));
  auto axes = run_op("Pad", {iota({2, 2}), i64({2}, {1, 0}), RtTensor(), i64({1}, {-1})}, {}, 1, 18);
  EXPECT_EQ(values_of<float>(axes[0]), (F{0, 0, 1, 0, 2, 3}));
}

TEST(TensorKernels, DepthToSpaceBothModesAndSpaceToDepth) {
  RtTensor x = iota({1, 4, 1, 2});  // channels c0..c3 = [0,1], [2,3], [4,5], [6,7]
  auto dcr = run_op("DepthToSpace", {x}, {Attribute::make_int("blocksize", 2)});
  EXPECT_EQ(dcr[0].shape(), (I{1, 1, 2, 4}));
  EXPECT_EQ(values_of<float>(dcr[0]), (F{0, 2, 1, 3, 4, 6, 5, 7}));
  RtTensor y = iota({1, 8, 1, 1});
  auto crd = run_op("DepthToSpace", {y}, {Attribute::make_int("blocksize", 2), Attribute::make_string("mode", "CRD")});
  EXPECT_EQ(crd[0].shape(), (I{1, 2, 2, 2}));
  EXPECT_EQ(values_of<float>(crd[0]), (F{0, 1, 2, 3, 4, 5, 6, 7}));
  auto dcr8 = run_op("DepthToSpace", {y}, {Attribute::make_int("blocksize", 2)});
  EXPECT_EQ(values_of<float>(dcr8[0]), (F{0, 2, 4, 6, 1, 3, 5, 7}));
  auto s2d = run_op("SpaceToDepth", {dcr[0]}, {Attribute::make_int("blocksize", 2)});
  EXPECT_EQ(values_of<float>(s2d[0]), values_of<float>(x));
}

TEST(TensorKernels, OneHotNonZeroTriluEyeLikeCompress) {
  auto oh = run_op("OneHot", {i64({2}, {1, -1}), f32({}, {3}), f32({2}, {0, 5})});
  EXPECT_EQ(oh[0].shape(), (I{2, 3}));
  EXPECT_EQ(values_of<float>(oh[0]), (F{0, 5, 0, 0, 0, 5}));
  auto oh0 = run_op("OneHot", {i64({2}, {0, 2}), i64({}, {3}), i64({2}, {0, 1})}, {Attribute::make_int("axis", 0)});
  EXPECT_EQ(values_of<int64_t>(oh0[0]), (I{1, 0, 0, 0, 0, 1}));

  auto nz = run_op("NonZero", {f32({2, 2}, {1, 0, 1, 1})});
  EXPECT_EQ(nz[0].shape(), (I{2, 3}));
  EXPECT_EQ(values_of<int64_t>(nz[0]), (I{0, 1, 1, 0, 0, 1}));

  auto up = run_op("Trilu", {iota({3, 3}), i64({}, {1})}, {}, 1, 14);
  EXPECT_EQ(values_of<float>(up[0]), (F{0, 1, 2, 0, 0, 5, 0, 0, 0}));
  auto lo = run_op("Trilu", {iota({3, 3})}, {Attribute::make_int("upper", 0)}, 1, 14);
  EXPECT_EQ(values_of<float>(lo[0]), (F{0, 0, 0, 3, 4, 0, 6, 7, 8}));

  auto eye = run_op("EyeLike", {iota({2, 3})}, {Attribute::make_int("k", 1), Attribute::make_int("dtype", 7)});
  EXPECT_EQ(values_of<int64_t>(eye[0]), (I{0, 1, 0, 0, 0, 1}));

  RtTensor cond = make_rt<uint8_t>(DataType::Bool, {2}, {0, 1});
  auto c = run_op("Compress", {iota({3, 2}), cond}, {Attribute::make_int("axis", 1)});
  EXPECT_EQ(values_of<float>(c[0]), (F{1, 3, 5}));
  RtTensor cond3 = make_rt<uint8_t>(DataType::Bool, {3}, {1, 0, 1});
  auto flat = run_op("Compress", {iota({3, 2}), cond3});
  EXPECT_EQ(values_of<float>(flat[0]), (F{0, 2}));
}

TEST(TensorKernels, UniqueSortedAndUnsorted) {
  RtTensor x = f32({6}, {2, 1, 1, 3, 4, 3});
  auto s = run_op("Unique", {x}, {}, 4);
  EXPECT_EQ(values_of<float>(s[0]), (F{1, 2, 3, 4}));
  EXPECT_EQ(values_of<int64_t>(s[1]), (I{1, 0, 3, 4}));
  EXPECT_EQ(values_of<int64_t>(s[2]), (I{1, 0, 0, 2, 3, 2}));
  EXPECT_EQ(values_of<int64_t>(s[3]), (I{2, 1, 2, 1}));
  auto u = run_op("Unique", {x}, {Attribute::make_int("sorted", 0)}, 4);
  EXPECT_EQ(values_of<float>(u[0]), (F{2, 1, 3, 4}));
  EXPECT_EQ(values_of<int64_t>(u[2]), (I{0, 1, 1, 2, 3, 2}));
  auto rows = run_op("Unique", {f32({3, 2}, {1, 0, 0, 1, 1, 0})}, {Attribute::make_int("axis", 0)}, 1);
  EXPECT_EQ(values_of<float>(rows[0]), (F{0, 1, 1, 0}));
}

TEST(TensorKernels, ReverseSequenceBothLayouts) {
  // [time=3, batch=2]: batch 0 reverses its first 3 steps, batch 1 its first 2.
  auto t = run_op("ReverseSequence", {iota({3, 2}), i64({2}, {3, 2})}, {}, 1, 10);
  EXPECT_EQ(values_of<float>(t[0]), (F{4, 3, 2, 1, 0, 5}));
  auto b = run_op("ReverseSequence", {iota({2, 3}), i64({2}, {1, 3})},
                  {Attribute::make_int("time_axis", 1), Attribute::make_int("batch_axis", 0)}, 1, 10);
  EXPECT_EQ(values_of<float>(b[0]), (F{0, 1, 2, 5, 4, 3}));
}

TEST(TensorKernels, StringsMoveThroughLayoutOps) {
  RtTensor s = RtTensor::allocate(DataType::String, {2, 2});
  s.strings() = {"a", "b", "c", "d"};
  EXPECT_EQ(run_op("Transpose", {s})[0].strings(), (std::vector<std::string>{"a", "c", "b", "d"}));
  EXPECT_EQ(run_op("Gather", {s, i64({1}, {1})})[0].strings(), (std::vector<std::string>{"c", "d"}));
  EXPECT_EQ(run_op("Concat", {s, s}, {Attribute::make_int("axis", 0)})[0].strings().size(), 8u);
  EXPECT_EQ(run_op("Slice", {s, i64({1}, {1}), i64({1}, {2}), i64({1}, {1})})[0].strings(), (std::vector<std::string>{"b", "d"}));
}

}  // namespace
}  // namespace kiln
