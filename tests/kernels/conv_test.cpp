// Fast convolution (kernels/cpu/conv.h) against f32_conv_ref: all four algorithms, tail sizes,
// strides, padding, dilation, groups, batch, threads 1 and 2, pre-packed weights and epilogues.
#include "kernel_test_util.h"
#include "kernels/cpu/conv.h"
#include "kernels/cpu/thread_pool.h"

namespace kiln::cpu::test {
namespace {

struct ConvCase {
  int64_t batch, c, m, h, w, k, stride, pad, dilation, group;
};

ConvParams params_of(const ConvCase& t) {
  ConvParams p;
  p.batch = t.batch, p.in_channels = t.c, p.out_channels = t.m, p.group = t.group;
  p.in = {1, t.h, t.w};
  p.kernel = {1, t.k, t.k};
  p.stride = {1, t.stride, t.stride};
  p.dilation = {1, t.dilation, t.dilation};
  p.pad_begin = {0, t.pad, t.pad};
  const int64_t ek = (t.k - 1) * t.dilation + 1;
  p.out = {1, (t.h + 2 * t.pad - ek) / t.stride + 1, (t.w + 2 * t.pad - ek) / t.stride + 1};
  return p;
}

void check(const NamedKernels& nk, const ConvCase& t, int threads, bool prepack, int epilogue) {
  const ConvParams p = params_of(t);
  ASSERT_TRUE(f32_conv_supported(p));
  const int64_t ohw = p.out[1] * p.out[2];
  const auto x = random_vector(static_cast<size_t>(t.batch * t.c * t.h * t.w), 11 + t.c + t.h);
  const auto w = random_vector(static_cast<size_t>(t.m * t.c / t.group * t.k * t.k), 12 + t.m + t.k);
  const auto bias = random_vector(static_cast<size_t>(t.m), 13);
  const auto z = random_vector(static_cast<size_t>(t.batch * t.m * ohw), 14);
  std::vector<float> want(static_cast<size_t>(t.batch * t.m * ohw));
  f32_conv_ref(p, x.data(), w.data(), epilogue > 0 ? bias.data() : nullptr, want.data());
  Epilogue e;
  if (epilogue > 0) e.row_bias = bias.data();
  if (epilogue == 1) e.act = Activation::Relu;
  if (epilogue == 2) e.residual = z.data(), e.residual_row_stride = ohw, e.act = Activation::HardSwish;
  if (epilogue == 3) e.act = Activation::Clip, e.p0 = 0.f, e.p1 = 6.f;
  if (epilogue == 2)
    for (size_t i = 0; i < want.size(); ++i) want[i] += z[i];
  for (float& v : want) v = activate_scalar(v, e.act, e.p0, e.p1);
  // Ref's bias was added already: the kernel's epilogue bias replaces it.
  AlignedBuffer packed;
  if (prepack) f32_conv_pack_weights(nk.table, p, w.data(), packed);
  std::vector<float> got(want.size(), -5.f);
  f32_conv(nk.table, p, x.data(), w.data(), prepack ? packed.data() : nullptr, got.data(), e, &ThreadPool::shared(threads));
  const float atol = 3e-6f * static_cast<float>(t.c / t.group * t.k * t.k + 1);
  EXPECT_TRUE(all_close(got, want, atol, 1e-5f))
      << nk.name << " n=" << t.batch << " c=" << t.c << " m=" << t.m << " h=" << t.h << " w=" << t.w << " k=" << t.k
      << " s=" << t.stride << " p=" << t.pad << " d=" << t.dilation << " g=" << t.group << " threads=" << threads
      << " epilogue=" << epilogue;
}

TEST(F32Conv, AlgorithmChoice) {
  EXPECT_EQ(f32_conv_algorithm(params_of({1, 8, 8, 5, 5, 3, 1, 1, 1, 8})), ConvAlgorithm::Depthwise);
  EXPECT_EQ(f32_conv_algorithm(params_of({1, 8, 4, 5, 5, 1, 1, 0, 1, 1})), ConvAlgorithm::Pointwise);
  EXPECT_EQ(f32_conv_algorithm(params_of({1, 8, 4, 5, 5, 1, 2, 0, 1, 1})), ConvAlgorithm::Im2col);
  EXPECT_EQ(f32_conv_algorithm(params_of({1, 8, 4, 5, 5, 3, 1, 1, 1, 1})), ConvAlgorithm::Im2col);
  EXPECT_EQ(f32_conv_algorithm(params_of({1, 3, 16, 9, 9, 7, 2, 3, 1, 1})), ConvAlgorithm::Direct);
  EXPECT_EQ(f32_conv_algorithm(params_of({1, 3, 16, 9, 9, 3, 1, 1, 2, 1})), ConvAlgorithm::Im2col);
}

TEST(F32Conv, GemmAlgorithmsOverTails) {
  for (const NamedKernels& nk : kernel_tables())
    for (int64_t hw : {1, 2, 5, 7, 13, 17})
      for (int64_t c : {1, 3, 7})
        for (int64_t m : {1, 6, 17})
          for (int64_t k : {1, 3})
            for (int64_t s : {1, 2}) check(nk, {1, c, m, hw, hw + 1, k, s, k / 2, 1, 1}, 1, false, 1);
}

TEST(F32Conv, ModelShapesOptionsAndEpilogues) {
  const std::vector<ConvCase> cases = {
      {1, 3, 24, 31, 31, 7, 2, 3, 1, 1},   // a stem through im2col
      {2, 16, 32, 15, 15, 3, 2, 1, 1, 1},  // batch 2, downsampling
      {1, 32, 64, 9, 9, 1, 1, 0, 1, 1},    // pointwise
      {1, 12, 12, 11, 11, 3, 1, 2, 2, 1},  // dilation 2
      {1, 8, 12, 9, 9, 3, 1, 1, 1, 4},     // grouped
      {1, 300, 20, 6, 6, 3, 1, 1, 1, 1},   // K past one GEMM K block
      {1, 5, 7, 1, 1, 1, 1, 0, 1, 1},      // 1x1 image
      {1, 4, 4, 3, 3, 3, 1, 3, 1, 1},      // padding larger than the image (direct)
      {2, 2, 9, 13, 14, 5, 3, 2, 1, 1},    // direct, stride 3 (gathered columns), batch 2
      {1, 1, 15, 20, 23, 3, 1, 0, 1, 1},   // direct, stride 1, no padding
      {1, 3, 16, 31, 31, 7, 2, 3, 1, 1},   // direct, the resnet_style stem
  };
  for (const NamedKernels& nk : kernel_tables())
    for (const ConvCase& t : cases)
      for (int threads : {1, 2})
        for (int epilogue : {0, 1, 2, 3}) check(nk, t, threads, threads == 2, epilogue);
}

TEST(F32Conv, Depthwise) {
  for (const NamedKernels& nk : kernel_tables())
    for (int64_t k : {3, 5})
      for (int64_t s : {1, 2})
        for (int64_t hw : {1, 2, 7, 8, 9, 16, 17, 33})
          for (int threads : {1, 2}) check(nk, {2, 6, 6, hw, hw + 2, k, s, k / 2, 1, 6}, threads, false, hw % 4);
  // Shapes without a specialised kernel: 7x7, stride 3, no padding.
  for (const NamedKernels& nk : kernel_tables()) {
    check(nk, {1, 4, 4, 12, 12, 7, 1, 3, 1, 4}, 1, false, 1);
    check(nk, {1, 4, 4, 12, 12, 3, 3, 0, 1, 4}, 1, false, 1);
  }
}

}  // namespace
}  // namespace kiln::cpu::test
