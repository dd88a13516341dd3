// NN reference kernels through their bindings, against hand-computed values and naive formulas.
#include <cmath>
#include <random>

#include "tests/core/runtime/kernel_harness.h"

namespace kiln {
namespace {

using testing::make_rt;
using testing::run_op;
using testing::values_of;

constexpr DataType F32 = DataType::Float32;

std::vector<float> random_values(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

RtTensor random_rt(std::vector<int64_t> shape, uint32_t seed) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return make_rt<float>(F32, shape, random_values(static_cast<size_t>(n), seed));
}

void expect_near(const std::vector<float>& got, const std::vector<float>& want, float tol = 1e-4f) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "at " << i;
}

// ---- MatMul / Gemm ----

TEST(NnKernels, MatMul2D) {
  auto y = run_op("MatMul", {make_rt<float>(F32, {2, 3}, {1, 2, 3, 4, 5, 6}),
                             make_rt<float>(F32, {3, 2}, {7, 8, 9, 10, 11, 12})});
  EXPECT_EQ(y[0].shape(), (std::vector<int64_t>{2, 2}));
  expect_near(values_of<float>(y[0]), {58, 64, 139, 154});
}

TEST(NnKernels, MatMulVectorsAndBroadcast) {
  auto v = run_op("MatMul", {make_rt<float>(F32, {3}, {1, 2, 3}), make_rt<float>(F32, {3}, {4, 5, 6})});
  EXPECT_TRUE(v[0].shape().empty());
  expect_near(values_of<float>(v[0]), {32});
  auto mv = run_op("MatMul", {make_rt<float>(F32, {2, 3}, {1, 2, 3, 4, 5, 6}), make_rt<float>(F32, {3}, {1, 0, 1})});
  EXPECT_EQ(mv[0].shape(), (std::vector<int64_t>{2}));
  expect_near(values_of<float>(mv[0]), {4, 10});
  // [2,1,2,3] x [3,3,2] -> [2,3,2,2]
  RtTensor a = random_rt({2, 1, 2, 3}, 1), b = random_rt({3, 3, 2}, 2);
  auto y = run_op("MatMul", {a, b});
  ASSERT_EQ(y[0].shape(), (std::vector<int64_t>{2, 3, 2, 2}));
  const float* ap = a.data<float>();
  const float* bp = b.data<float>();
  std::vector<float> want;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int r = 0; r < 2; ++r)
        for (int c = 0; c < 2; ++c) {
          float s = 0;
          for (int k = 0; k < 3; ++k) s += ap[i * 6 + r * 3 + k] * bp[j * 6 + k * 2 + c];
          want.push_back(s);
        }
  expect_near(values_of<float>(y[0]), want);
}

TEST(NnKernels, GemmTransposesAlphaBetaAndBroadcastC) {
  const int64_t m = 3, n = 5, k = 4;
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      RtTensor a = random_rt(ta ? std::vector<int64_t>{k, m} : std::vector<int64_t>{m, k}, 3);
      RtTensor b = random_rt(tb ? std::vector<int64_t>{n, k} : std::vector<int64_t>{k, n}, 4);
      RtTensor c = random_rt({n}, 5);
      auto y = run_op("Gemm", {a, b, c},
                      {Attribute::make_int("transA", ta), Attribute::make_int("transB", tb),
                       Attribute::make_float("alpha", 0.5f), Attribute::make_float("beta", 2.f)});
      ASSERT_EQ(y[0].shape(), (std::vector<int64_t>{m, n}));
      std::vector<float> want;
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          float s = 0;
          for (int64_t l = 0; l < k; ++l)
            s += (ta ? a.data<float>()[l * m + i] : a.data<float>()[i * k + l]) *
                 (tb ? b.data<float>()[j * k + l] : b.data<float>()[l * n + j]);
          want.push_back(0.5f * s + 2.f * c.data<float>()[j]);
        }
      expect_near(values_of<float>(y[0]), want);
    }
  auto no_c = run_op("Gemm", {make_rt<float>(F32, {1, 2}, {1, 2}), make_rt<float>(F32, {2, 1}, {3, 4})});
  expect_near(values_of<float>(no_c[0]), {11});
}

// ---- Conv / ConvTranspose ----

struct ConvCase {
  std::vector<int64_t> x, w;
  std::vector<int64_t> strides, dilations, pads;
  int64_t group;
};

// Direct 2-D convolution, independent of the kernel's indexing.
std::vector<float> naive_conv2d(const RtTensor& x, const RtTensor& w, const RtTensor* b, const ConvCase& c,
                                std::vector<int64_t>& out_shape) {
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int64_t M = w.dim(0), KH = w.dim(2), KW = w.dim(3), G = c.group, CG = C / G, MG = M / G;
  const int64_t OH = (H + c.pads[0] + c.pads[2] - ((KH - 1) * c.dilations[0] + 1)) / c.strides[0] + 1;
  const int64_t OW = (W + c.pads[1] + c.pads[3] - ((KW - 1) * c.dilations[1] + 1)) / c.strides[1] + 1;
  out_shape = {N, M, OH, OW};
  std::vector<float> y;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double s = b ? b->data<float>()[m] : 0.f;
          for (int64_t ci = 0; ci < CG; ++ci)
            for (int64_t kh = 0; kh < KH; ++kh)
              for (int64_t kw = 0; kw < KW; ++kw) {
                const int64_t ih = oh * c.strides[0] - c.pads[0] + kh * c.dilations[0];
                const int64_t iw = ow * c.strides[1] - c.pads[1] + kw * c.dilations[1];
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                const int64_t cin = (m / MG) * CG + ci;
                s += x.data<float>()[((n * C + cin) * H + ih) * W + iw] *
                     w.data<float>()[((m * CG + ci) * KH + kh) * KW + kw];
              }
          y.push_back(static_cast<float>(s));
        }
  return y;
}

TEST(NnKernels, Conv2DMatchesDirectLoops) {
  const std::vector<ConvCase> cases = {
      {{1, 1, 5, 5}, {1, 1, 3, 3}, {1, 1}, {1, 1}, {0, 0, 0, 0}, 1},
      {{2, 3, 7, 6}, {4, 3, 3, 2}, {2, 1}, {1, 1}, {1, 0, 1, 1}, 1},
      {{1, 4, 9, 11}, {6, 2, 3, 3}, {2, 3}, {2, 1}, {2, 1, 0, 2}, 2},
      {{1, 5, 13, 7}, {5, 1, 3, 3}, {1, 2}, {1, 2}, {1, 1, 1, 1}, 5},  // depthwise
      {{3, 2, 17, 1}, {3, 2, 5, 1}, {3, 1}, {1, 1}, {2, 0, 2, 0}, 1},
  };
  uint32_t seed = 10;
  for (const ConvCase& c : cases) {
    RtTensor x = random_rt(c.x, seed++), w = random_rt(c.w, seed++), b = random_rt({c.w[0]}, seed++);
    std::vector<int64_t> shape;
    const std::vector<float> want = naive_conv2d(x, w, &b, c, shape);
    auto y = run_op("Conv", {x, w, b},
                    {Attribute::make_ints("strides", c.strides), Attribute::make_ints("dilations", c.dilations),
                     Attribute::make_ints("pads", c.pads), Attribute::make_int("group", c.group)});
    ASSERT_EQ(y[0].shape(), shape);
    expect_near(values_of<float>(y[0]), want);
  }
}

TEST(NnKernels, ConvAutoPadAnd1D3D) {
  // ONNX spec example: 5x5 input 0..24, 3x3 ones, SAME_UPPER stride 2 -> 3x3.
  std::vector<float> xv(25);
  for (int i = 0; i < 25; ++i) xv[i] = static_cast<float>(i);
  RtTensor x = make_rt<float>(F32, {1, 1, 5, 5}, xv);
  RtTensor w = make_rt<float>(F32, {1, 1, 3, 3}, std::vector<float>(9, 1.f));
  auto y = run_op("Conv", {x, w}, {Attribute::make_string("auto_pad", "SAME_LOWER"), Attribute::make_ints("strides", {2, 2})});
  ASSERT_EQ(y[0].shape(), (std::vector<int64_t>{1, 1, 3, 3}));
  expect_near(values_of<float>(y[0]), {12, 27, 24, 63, 108, 81, 72, 117, 84});
  auto valid = run_op("Conv", {x, w}, {Attribute::make_string("auto_pad", "VALID")});
  expect_near(values_of<float>(valid[0]), {54, 63, 72, 99, 108, 117, 144, 153, 162});
  // 1-D: sliding sum of width 2.
  auto y1 = run_op("Conv", {make_rt<float>(F32, {1, 1, 4}, {1, 2, 3, 4}), make_rt<float>(F32, {1, 1, 2}, {1, 1})});
  expect_near(values_of<float>(y1[0]), {3, 5, 7});
  // 3-D with a 1x1x1 kernel scales.
  auto y3 = run_op("Conv", {make_rt<float>(F32, {1, 1, 2, 1, 2}, {1, 2, 3, 4}), make_rt<float>(F32, {1, 1, 1, 1, 1}, {2})});
  EXPECT_EQ(y3[0].shape(), (std::vector<int64_t>{1, 1, 2, 1, 2}));
  expect_near(values_of<float>(y3[0]), {2, 4, 6, 8});
}

TEST(NnKernels, ConvTransposeMatchesScatter) {
  // ONNX spec example (convtranspose): 3x3 input, two 3x3 filters of ones -> 5x5.
  std::vector<float> xv(9);
  for (int i = 0; i < 9; ++i) xv[i] = static_cast<float>(i);
  RtTensor x = make_rt<float>(F32, {1, 1, 3, 3}, xv);
  RtTensor w = make_rt<float>(F32, {1, 2, 3, 3}, std::vector<float>(18, 1.f));
  auto y = run_op("ConvTranspose", {x, w});
  ASSERT_EQ(y[0].shape(), (std::vector<int64_t>{1, 2, 5, 5}));
  const std::vector<float> plane = {0, 1, 3, 3, 2, 3, 8, 15, 12, 7, 9, 21, 36, 27, 15, 9, 20, 33, 24, 13, 6, 13, 21, 15, 8};
  std::vector<float> want = plane;
  want.insert(want.end(), plane.begin(), plane.end());
  expect_near(values_of<float>(y[0]), want);
  // strides + output_shape / output_padding: 1-D, x=[1,2], w=[1,1,1], stride 3.
  auto y1 = run_op("ConvTranspose", {make_rt<float>(F32, {1, 1, 2}, {1, 2}), make_rt<float>(F32, {1, 1, 3}, {1, 1, 1})},
                   {Attribute::make_ints("strides", {3}), Attribute::make_ints("output_padding", {1})});
  ASSERT_EQ(y1[0].shape(), (std::vector<int64_t>{1, 1, 7}));
  expect_near(values_of<float>(y1[0]), {1, 1, 1, 2, 2, 2, 0});
  auto y2 = run_op("ConvTranspose", {make_rt<float>(F32, {1, 1, 2}, {1, 2}), make_rt<float>(F32, {1, 1, 3}, {1, 1, 1})},
                   {Attribute::make_ints("strides", {3}), Attribute::make_ints("output_shape", {8})});
  ASSERT_EQ(y2[0].shape(), (std::vector<int64_t>{1, 1, 8}));
  // total padding 6 - 8 = -2: the larger half (-1) goes first for NOTSET.
  expect_near(values_of<float>(y2[0]), {0, 1, 1, 1, 2, 2, 2, 0});
}

TEST(NnKernels, ConvTransposeGroups) {
  // Each group maps its own input channel: group 2, W [2,1,1,1] scales channel 0 by 2, 1 by 3.
  auto y = run_op("ConvTranspose", {make_rt<float>(F32, {1, 2, 1, 2}, {1, 2, 3, 4}), make_rt<float>(F32, {2, 1, 1, 1}, {2, 3})},
                  {Attribute::make_int("group", 2)});
  ASSERT_EQ(y[0].shape(), (std::vector<int64_t>{1, 2, 1, 2}));
  expect_near(values_of<float>(y[0]), {2, 4, 9, 12});
}

// ---- Normalizations ----

TEST(NnKernels, BatchAndInstanceNorm) {
  RtTensor x = make_rt<float>(F32, {1, 2, 1, 3}, {-1, 0, 1, 2, 3, 4});
  auto bn = run_op("BatchNormalization",
                   {x, make_rt<float>(F32, {2}, {1, 1.5f}), make_rt<float>(F32, {2}, {0, 1}),
                    make_rt<float>(F32, {2}, {0, 3}), make_rt<float>(F32, {2}, {1, 1.5f})},
                   {Attribute::make_float("epsilon", 0.f)});
  const float k = 1.5f / std::sqrt(1.5f);
  expect_near(values_of<float>(bn[0]), {-1, 0, 1, -k + 1, 1, k + 1});
  auto in = run_op("InstanceNormalization",
                   {x, make_rt<float>(F32, {2}, {1, 2}), make_rt<float>(F32, {2}, {0, 1})},
                   {Attribute::make_float("epsilon", 0.f)});
  const float z = std::sqrt(1.5f);  // (x - mean) / std for {-1, 0, 1}
  expect_near(values_of<float>(in[0]), {-z, 0, z, -2 * z + 1, 1, 2 * z + 1});
}

TEST(NnKernels, BatchNormTrainingMode) {
  // Channel values {1, 3} and {2, 6}: batch means 2 and 4, population variances 1 and 4.
  RtTensor x = make_rt<float>(F32, {2, 2}, {1, 2, 3, 6});
  auto y = run_op("BatchNormalization",
                  {x, make_rt<float>(F32, {2}, {1, 1}), make_rt<float>(F32, {2}, {0, 0}),
                   make_rt<float>(F32, {2}, {0, 10}), make_rt<float>(F32, {2}, {1, 1})},
                  {Attribute::make_float("epsilon", 0.f), Attribute::make_int("training_mode", 1),
                   Attribute::make_float("momentum", 0.5f)}, 3, 15);
  expect_near(values_of<float>(y[0]), {-1, -1, 1, 1});
  expect_near(values_of<float>(y[1]), {1, 7});
  expect_near(values_of<float>(y[2]), {1, 2.5f});
}

TEST(NnKernels, LayerNormWithStatistics) {
  RtTensor x = make_rt<float>(F32, {2, 2}, {1, 3, 2, 6});
  auto y = run_op("LayerNormalization",
                  {x, make_rt<float>(F32, {2}, {1, 2}), make_rt<float>(F32, {2}, {0.5f, 0})},
                  {Attribute::make_float("epsilon", 0.f)}, 3);
  expect_near(values_of<float>(y[0]), {-0.5f, 2, -0.5f, 2});
  EXPECT_EQ(y[1].shape(), (std::vector<int64_t>{2, 1}));
  expect_near(values_of<float>(y[1]), {2, 4});
  expect_near(values_of<float>(y[2]), {1, 0.5f});
  // axis 0 normalizes everything; scale broadcasts from [1].
  auto all = run_op("LayerNormalization", {x, make_rt<float>(F32, {1}, {1})},
                    {Attribute::make_int("axis", 0), Attribute::make_float("epsilon", 0.f)});
  const float sd = std::sqrt(3.5f);  // values 1,3,2,6: mean 3, variance 3.5
  expect_near(values_of<float>(all[0]), {-2 / sd, 0, -1 / sd, 3 / sd});
}

TEST(NnKernels, GroupNormOpset18And21) {
  RtTensor x = make_rt<float>(F32, {1, 4, 1}, {1, 3, 10, 20});
  const std::vector<Attribute> attrs = {Attribute::make_int("num_groups", 2), Attribute::make_float("epsilon", 0.f)};
  auto g18 = run_op("GroupNormalization",
                    {x, make_rt<float>(F32, {2}, {1, 2}), make_rt<float>(F32, {2}, {0, 1})}, attrs, 1, 18);
  expect_near(values_of<float>(g18[0]), {-1, 1, -1, 3});
  auto g21 = run_op("GroupNormalization",
                    {x, make_rt<float>(F32, {4}, {1, 2, 3, 4}), make_rt<float>(F32, {4}, {0, 0, 1, 1})}, attrs, 1, 21);
  expect_near(values_of<float>(g21[0]), {-1, 2, -2, 5});
}

TEST(NnKernels, Lrn) {
  RtTensor x = make_rt<float>(F32, {1, 3, 1, 1}, {1, 2, 3});
  auto y = run_op("LRN", {x}, {Attribute::make_int("size", 3), Attribute::make_float("alpha", 3.f),
                               Attribute::make_float("beta", 1.f), Attribute::make_float("bias", 1.f)});
  // size 3 window: channel 0 sees {1,2}, 1 sees {1,2,3}, 2 sees {2,3}; alpha/size = 1.
  expect_near(values_of<float>(y[0]), {1.f / 6, 2.f / 15, 3.f / 14});
}

// ---- Pooling ----

TEST(NnKernels, MaxPoolCeilModeAndIndices) {
  std::vector<float> xv(16);
  for (int i = 0; i < 16; ++i) xv[i] = static_cast<float>(i + 1);
  RtTensor x = make_rt<float>(F32, {1, 1, 4, 4}, xv);
  // ONNX spec example maxpool_2d_ceil: kernel 3, stride 2, ceil -> 2x2.
  auto y = run_op("MaxPool", {x}, {Attribute::make_ints("kernel_shape", {3, 3}), Attribute::make_ints("strides", {2, 2}),
                                   Attribute::make_int("ceil_mode", 1)}, 2, 12);
  ASSERT_EQ(y[0].shape(), (std::vector<int64_t>{1, 1, 2, 2}));
  expect_near(values_of<float>(y[0]), {11, 12, 15, 16});
  EXPECT_EQ(values_of<int64_t>(y[1]), (std::vector<int64_t>{10, 11, 14, 15}));
  auto floor = run_op("MaxPool", {x}, {Attribute::make_ints("kernel_shape", {3, 3}), Attribute::make_ints("strides", {2, 2})});
  EXPECT_EQ(floor[0].shape(), (std::vector<int64_t>{1, 1, 1, 1}));
  auto cm = run_op("MaxPool", {x}, {Attribute::make_ints("kernel_shape", {2, 2}), Attribute::make_ints("strides", {2, 2}),
                                    Attribute::make_int("storage_order", 1)}, 2);
  // Maxima at (1,1),(1,3),(3,1),(3,3): column-major h + w*H.
  EXPECT_EQ(values_of<int64_t>(cm[1]), (std::vector<int64_t>{5, 13, 7, 15}));
  // Dilation 2 on 4x4: the window {0,2}x{0,2} -> max at (2,2) = 11.
  auto dil = run_op("MaxPool", {x}, {Attribute::make_ints("kernel_shape", {2, 2}), Attribute::make_ints("dilations", {2, 2})});
  expect_near(values_of<float>(dil[0]), {11, 12, 15, 16});
}

TEST(NnKernels, MaxPoolUInt8) {
  auto y = run_op("MaxPool", {make_rt<uint8_t>(DataType::UInt8, {1, 1, 4}, {1, 200, 3, 4})},
                  {Attribute::make_ints("kernel_shape", {2}), Attribute::make_ints("strides", {2})}, 1, 12);
  EXPECT_EQ(values_of<uint8_t>(y[0]), (std::vector<uint8_t>{200, 4}));
}

TEST(NnKernels, AveragePoolPadding) {
  RtTensor x = make_rt<float>(F32, {1, 1, 2, 2}, {1, 2, 3, 4});
  const std::vector<Attribute> base = {Attribute::make_ints("kernel_shape", {2, 2}), Attribute::make_ints("pads", {1, 1, 1, 1})};
  auto excl = run_op("AveragePool", {x}, base);
  ASSERT_EQ(excl[0].shape(), (std::vector<int64_t>{1, 1, 3, 3}));
  expect_near(values_of<float>(excl[0]), {1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4});
  std::vector<Attribute> incl = base;
  incl.push_back(Attribute::make_int("count_include_pad", 1));
  auto in = run_op("AveragePool", {x}, incl);
  expect_near(values_of<float>(in[0]), {0.25f, 0.75f, 0.5f, 1, 2.5f, 1.5f, 0.75f, 1.75f, 1});
  auto same = run_op("AveragePool", {make_rt<float>(F32, {1, 1, 3}, {1, 2, 3})},
                     {Attribute::make_ints("kernel_shape", {2}), Attribute::make_string("auto_pad", "SAME_UPPER")});
  expect_near(values_of<float>(same[0]), {1.5f, 2.5f, 3});
}

TEST(NnKernels, LpAndGlobalPools) {
  RtTensor x = make_rt<float>(F32, {1, 2, 2}, {3, 4, -6, 8});
  auto lp = run_op("LpPool", {x}, {Attribute::make_ints("kernel_shape", {2}), Attribute::make_int("p", 2)});
  expect_near(values_of<float>(lp[0]), {5, 10});
  expect_near(values_of<float>(run_op("GlobalMaxPool", {x})[0]), {4, 8});
  expect_near(values_of<float>(run_op("GlobalAveragePool", {x})[0]), {3.5f, 1});
  auto g = run_op("GlobalLpPool", {x}, {Attribute::make_int("p", 1)});
  EXPECT_EQ(g[0].shape(), (std::vector<int64_t>{1, 2, 1}));
  expect_near(values_of<float>(g[0]), {7, 14});
}

// ---- Resize / Upsample ----

RtTensor sizes_rt(std::vector<int64_t> v) { return make_rt<int64_t>(DataType::Int64, {static_cast<int64_t>(v.size())}, v); }
RtTensor scales_rt(std::vector<float> v) { return make_rt<float>(F32, {static_cast<int64_t>(v.size())}, v); }

TEST(NnKernels, ResizeNearestSpecExamples) {
  RtTensor x = make_rt<float>(F32, {1, 1, 2, 2}, {1, 2, 3, 4});
  // resize_upsample_scales_nearest: scales [1,1,2,3].
  auto up = run_op("Resize", {x, RtTensor(), scales_rt({1, 1, 2, 3})}, {Attribute::make_string("mode", "nearest")}, 1, 13);
  ASSERT_EQ(up[0].shape(), (std::vector<int64_t>{1, 1, 4, 6}));
  expect_near(values_of<float>(up[0]), {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4});
  // resize_downsample_scales_nearest: 2x4 by 0.6 -> 1x2.
  RtTensor x24 = make_rt<float>(F32, {1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  auto down = run_op("Resize", {x24, RtTensor(), scales_rt({1, 1, 0.6f, 0.6f})}, {Attribute::make_string("mode", "nearest")}, 1, 13);
  ASSERT_EQ(down[0].shape(), (std::vector<int64_t>{1, 1, 1, 2}));
  expect_near(values_of<float>(down[0]), {1, 3});
  // Upsample-9 with integer scales repeats.
  auto us = run_op("Upsample", {make_rt<float>(F32, {1, 2}, {1, 2}), scales_rt({1, 2})}, {}, 1, 9);
  expect_near(values_of<float>(us[0]), {1, 1, 2, 2});
}

TEST(NnKernels, ResizeLinearAndCubicSpecExamples) {
  RtTensor x = make_rt<float>(F32, {1, 1, 2, 2}, {1, 2, 3, 4});
  // resize_upsample_scales_linear (half_pixel).
  auto lin = run_op("Resize", {x, RtTensor(), scales_rt({1, 1, 2, 2})}, {Attribute::make_string("mode", "linear")}, 1, 13);
  expect_near(values_of<float>(lin[0]), {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4});
  // resize_upsample_scales_linear_align_corners.
  auto ac = run_op("Resize", {x, RtTensor(), scales_rt({1, 1, 2, 2})},
                   {Attribute::make_string("mode", "linear"), Attribute::make_string("coordinate_transformation_mode", "align_corners")}, 1, 13);
  const float t = 1.f / 3, tt = 2.f / 3;
  expect_near(values_of<float>(ac[0]), {1, 1 + t, 1 + tt, 2, 1 + tt, 2, 2 + t, 2 + tt, 2 + t, 2 + tt, 3, 3 + t, 3, 3 + t, 3 + tt, 4});
  // Cubic convolution reproduces a linear ramp wherever its four taps stay inside the input.
  std::vector<float> ramp = {0, 1, 2, 3, 4, 5, 6, 7};
  auto cub = run_op("Resize", {make_rt<float>(F32, {8}, ramp), RtTensor(), RtTensor(), sizes_rt({15})},
                    {Attribute::make_string("mode", "cubic"), Attribute::make_string("coordinate_transformation_mode", "align_corners")}, 1, 13);
  const std::vector<float> got = values_of<float>(cub[0]);
  ASSERT_EQ(got.size(), 15u);
  for (int o = 2; o <= 12; ++o) EXPECT_NEAR(got[o], o / 2.f, 1e-4f) << o;
}

TEST(NnKernels, ResizeTfCropAndResizeExtrapolates) {
  std::vector<float> xv(16);
  for (int i = 0; i < 16; ++i) xv[i] = static_cast<float>(i + 1);
  RtTensor x = make_rt<float>(F32, {1, 1, 4, 4}, xv);
  RtTensor roi = make_rt<float>(F32, {8}, {0, 0, 0.4f, 0.6f, 1, 1, 1.2f, 1.7f});
  auto y = run_op("Resize", {x, roi, RtTensor(), sizes_rt({1, 1, 3, 3})},
                  {Attribute::make_string("mode", "linear"), Attribute::make_string("coordinate_transformation_mode", "tf_crop_and_resize"),
                   Attribute::make_float("extrapolation_value", 10.f)}, 1, 13);
  // From the ONNX spec (resize_tf_crop_and_resize_extrapolation_value).
  expect_near(values_of<float>(y[0]), {7.6f, 10, 10, 12.4f, 10, 10, 10, 10, 10}, 1e-3f);
}

TEST(NnKernels, ResizeOpset18AntialiasAxesAndAspect) {
  std::vector<float> xv(16);
  for (int i = 0; i < 16; ++i) xv[i] = static_cast<float>(i + 1);
  RtTensor x = make_rt<float>(F32, {1, 1, 4, 4}, xv);
  // ONNX spec examples resize_downsample_scales_{linear,cubic}_antialias.
  auto lin = run_op("Resize", {x, RtTensor(), scales_rt({1, 1, 0.6f, 0.6f})},
                    {Attribute::make_string("mode", "linear"), Attribute::make_int("antialias", 1)}, 1, 18);
  expect_near(values_of<float>(lin[0]), {2.875f, 4.5f, 9.375f, 11.f});
  auto cub = run_op("Resize", {x, RtTensor(), scales_rt({1, 1, 0.6f, 0.6f})},
                    {Attribute::make_string("mode", "cubic"), Attribute::make_int("antialias", 1)}, 1, 18);
  expect_near(values_of<float>(cub[0]), {2.5180721f, 4.2858863f, 9.589329f, 11.357142f}, 1e-3f);
  // not_larger keeps the aspect ratio: sizes [7, 8] on 2x2 gives 7x7 (scale 3.5 on both axes).
  auto kar = run_op("Resize", {make_rt<float>(F32, {1, 1, 2, 2}, {1, 2, 3, 4}), RtTensor(), RtTensor(), sizes_rt({7, 8})},
                    {Attribute::make_ints("axes", {2, 3}), Attribute::make_string("keep_aspect_ratio_policy", "not_larger")}, 1, 18);
  ASSERT_EQ(kar[0].shape(), (std::vector<int64_t>{1, 1, 7, 7}));
  const std::vector<float> got = values_of<float>(kar[0]);
  expect_near(std::vector<float>(got.begin(), got.begin() + 7), {1, 1, 1, 1, 2, 2, 2});
}

// ---- Einsum ----

TEST(NnKernels, EinsumForms) {
  RtTensor a = make_rt<float>(F32, {2, 3}, {1, 2, 3, 4, 5, 6});
  RtTensor b = make_rt<float>(F32, {3, 2}, {1, 0, 0, 1, 1, 1});
  auto mm = run_op("Einsum", {a, b}, {Attribute::make_string("equation", "ij,jk->ik")}, 1, 12);
  expect_near(values_of<float>(mm[0]), {4, 5, 10, 11});
  auto tr = run_op("Einsum", {a}, {Attribute::make_string("equation", "ij->ji")}, 1, 12);
  EXPECT_EQ(tr[0].shape(), (std::vector<int64_t>{3, 2}));
  expect_near(values_of<float>(tr[0]), {1, 4, 2, 5, 3, 6});
  auto implicit = run_op("Einsum", {a, b}, {Attribute::make_string("equation", "ij,jk")}, 1, 12);
  expect_near(values_of<float>(implicit[0]), {4, 5, 10, 11});
  RtTensor sq = make_rt<float>(F32, {3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto trace = run_op("Einsum", {sq}, {Attribute::make_string("equation", "ii")}, 1, 12);
  EXPECT_TRUE(trace[0].shape().empty());
  expect_near(values_of<float>(trace[0]), {15});
  auto diag = run_op("Einsum", {sq}, {Attribute::make_string("equation", "ii->i")}, 1, 12);
  expect_near(values_of<float>(diag[0]), {1, 5, 9});
  // Batched with ellipsis broadcasting a [1] batch against [2].
  RtTensor ba = random_rt({2, 2, 3}, 40), bb = random_rt({1, 3, 2}, 41);
  auto bm = run_op("Einsum", {ba, bb}, {Attribute::make_string("equation", "...ij,...jk->...ik")}, 1, 12);
  auto ref = run_op("MatMul", {ba, bb});
  ASSERT_EQ(bm[0].shape(), ref[0].shape());
  expect_near(values_of<float>(bm[0]), values_of<float>(ref[0]));
}

// ---- RNN / GRU / LSTM ----

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

TEST(NnKernels, RnnBidirectionalWithSequenceLengths) {
  // Relu with unit weights accumulates a running sum, forwards and backwards.
  RtTensor x = make_rt<float>(F32, {3, 2, 1}, {1, 4, 2, 5, 3, 6});
  RtTensor w = make_rt<float>(F32, {2, 1, 1}, {1, 1}), r = make_rt<float>(F32, {2, 1, 1}, {1, 1});
  RtTensor lens = make_rt<int32_t>(DataType::Int32, {2}, {3, 2});
  auto y = run_op("RNN", {x, w, r, RtTensor(), lens},
                  {Attribute::make_int("hidden_size", 1), Attribute::make_string("direction", "bidirectional"),
                   Attribute::make_strings("activations", {"Relu", "Relu"})}, 2, 14);
  ASSERT_EQ(y[0].shape(), (std::vector<int64_t>{3, 2, 2, 1}));
  // Y[t][dir][batch]
  expect_near(values_of<float>(y[0]), {1, 4, 6, 9, 3, 9, 5, 5, 6, 0, 3, 0});
  expect_near(values_of<float>(y[1]), {6, 9, 6, 9});
  // Layout 1: X [batch, seq, in], Y [batch, seq, dir, H], Y_h [batch, dir, H].
  RtTensor xb = make_rt<float>(F32, {2, 3, 1}, {1, 2, 3, 4, 5, 6});
  auto yb = run_op("RNN", {xb, w, r, RtTensor(), lens},
                   {Attribute::make_int("hidden_size", 1), Attribute::make_string("direction", "bidirectional"),
                    Attribute::make_strings("activations", {"Relu", "Relu"}), Attribute::make_int("layout", 1)}, 2, 14);
  ASSERT_EQ(yb[0].shape(), (std::vector<int64_t>{2, 3, 2, 1}));
  expect_near(values_of<float>(yb[0]), {1, 6, 3, 5, 6, 3, 4, 9, 9, 5, 0, 0});
  expect_near(values_of<float>(yb[1]), {6, 6, 9, 9});
}

TEST(NnKernels, RnnDefaultTanh) {
  auto y = run_op("RNN", {make_rt<float>(F32, {2, 1, 1}, {1, 2}), make_rt<float>(F32, {1, 1, 1}, {0.5f}),
                          make_rt<float>(F32, {1, 1, 1}, {0.5f}), make_rt<float>(F32, {1, 2}, {0.1f, 0.2f})},
                  {Attribute::make_int("hidden_size", 1)}, 2);
  const double h1 = std::tanh(0.5 + 0.3), h2 = std::tanh(1.0 + 0.5 * h1 + 0.3);
  expect_near(values_of<float>(y[0]), {static_cast<float>(h1), static_cast<float>(h2)});
  expect_near(values_of<float>(y[1]), {static_cast<float>(h2)});
}

TEST(NnKernels, GruBothResetForms) {
  // H = 1, one step, gates z, r, h with distinct weights and biases.
  const double x = 0.7, h0 = 0.5;
  const double wz = 0.1, wr = 0.2, wh = 0.3, rz = 0.4, rr = 0.5, rh = 0.6;
  const double bz = 0.01, br = 0.02, bh = 0.03, cz = 0.04, cr = 0.05, ch = 0.06;  // Wb, Rb
  RtTensor X = make_rt<float>(F32, {1, 1, 1}, {0.7f});
  RtTensor W = make_rt<float>(F32, {1, 3, 1}, {0.1f, 0.2f, 0.3f});
  RtTensor R = make_rt<float>(F32, {1, 3, 1}, {0.4f, 0.5f, 0.6f});
  RtTensor B = make_rt<float>(F32, {1, 6}, {0.01f, 0.02f, 0.03f, 0.04f, 0.05f, 0.06f});
  RtTensor H0 = make_rt<float>(F32, {1, 1, 1}, {0.5f});
  const double z = sigmoid(wz * x + rz * h0 + bz + cz), r = sigmoid(wr * x + rr * h0 + br + cr);
  for (int lbr = 0; lbr < 2; ++lbr) {
    const double hh = lbr ? std::tanh(wh * x + bh + r * (rh * h0 + ch)) : std::tanh(wh * x + rh * (r * h0) + ch + bh);
    const double want = (1 - z) * hh + z * h0;
    auto y = run_op("GRU", {X, W, R, B, RtTensor(), H0},
                    {Attribute::make_int("hidden_size", 1), Attribute::make_int("linear_before_reset", lbr)}, 2);
    expect_near(values_of<float>(y[1]), {static_cast<float>(want)}, 1e-5f);
  }
}

TEST(NnKernels, LstmWithPeepholes) {
  const double x = 0.8, h0 = 0.3, c0 = -0.4;
  // Gate order i, o, f, c; peepholes i, o, f.
  const double w[4] = {0.1, 0.2, 0.3, 0.4}, r[4] = {0.5, 0.6, 0.7, 0.8}, pp[3] = {0.9, 1.0, 1.1};
  RtTensor X = make_rt<float>(F32, {1, 1, 1}, {0.8f});
  RtTensor W = make_rt<float>(F32, {1, 4, 1}, {0.1f, 0.2f, 0.3f, 0.4f});
  RtTensor R = make_rt<float>(F32, {1, 4, 1}, {0.5f, 0.6f, 0.7f, 0.8f});
  RtTensor H0 = make_rt<float>(F32, {1, 1, 1}, {0.3f}), C0 = make_rt<float>(F32, {1, 1, 1}, {-0.4f});
  RtTensor P = make_rt<float>(F32, {1, 3}, {0.9f, 1.0f, 1.1f});
  const double i = sigmoid(w[0] * x + r[0] * h0 + pp[0] * c0);
  const double f = sigmoid(w[2] * x + r[2] * h0 + pp[2] * c0);
  const double cc = std::tanh(w[3] * x + r[3] * h0);
  const double c = f * c0 + i * cc;
  const double o = sigmoid(w[1] * x + r[1] * h0 + pp[1] * c);
  const double h = o * std::tanh(c);
  auto y = run_op("LSTM", {X, W, R, RtTensor(), RtTensor(), H0, C0, P}, {Attribute::make_int("hidden_size", 1)}, 3);
  expect_near(values_of<float>(y[0]), {static_cast<float>(h)}, 1e-5f);
  expect_near(values_of<float>(y[1]), {static_cast<float>(h)}, 1e-5f);
  expect_near(values_of<float>(y[2]), {static_cast<float>(c)}, 1e-5f);
}

}  // namespace
}  // namespace kiln
