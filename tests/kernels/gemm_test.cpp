// The packed SGEMM (kernels/cpu/gemm.h) against f32_gemm_ref: every size 0..17 in each dim,
// primes, real model shapes, transposed operands, pre-packed operands, threads 1 and 2, every
// epilogue.
#include <algorithm>

#include "kernel_test_util.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/ref/gemm.h"
#include "kernels/cpu/thread_pool.h"

namespace kiln::cpu::test {
namespace {

// Reference epilogue applied after f32_gemm_ref, in the kernels' order.
std::vector<float> reference(int64_t m, int64_t n, int64_t k, const std::vector<float>& a, bool ta,
                             const std::vector<float>& b, bool tb, const Epilogue& e) {
  std::vector<float> y(static_cast<size_t>(m * n));
  GemmParams p;
  p.m = m, p.n = n, p.k = k, p.trans_a = ta, p.trans_b = tb;
  f32_gemm_ref(p, a.data(), b.data(), y.data());
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) y[i * n + j] = epilogue_scalar(e, y[i * n + j], i, j);
  return y;
}

struct Case {
  int64_t m, n, k;
  bool ta = false, tb = false, prepack = false;
  int threads = 1;
};

void check(const NamedKernels& nk, const Case& c, const Epilogue& e0, std::vector<float>* residual_storage) {
  const auto a = random_vector(static_cast<size_t>(c.m * c.k), 1 + c.m * 131 + c.k);
  const auto b = random_vector(static_cast<size_t>(c.k * c.n), 2 + c.n * 17 + c.k);
  Epilogue e = e0;
  std::vector<float> row_bias = random_vector(static_cast<size_t>(c.m), 3), col_bias = random_vector(static_cast<size_t>(c.n), 4);
  if (e.row_bias) e.row_bias = row_bias.data();
  if (e.col_bias) e.col_bias = col_bias.data();
  if (e.residual) {
    *residual_storage = random_vector(static_cast<size_t>(std::max<int64_t>(1, c.m * c.n)), 5);
    e.residual = residual_storage->data();
    if (e.residual_row_stride) e.residual_row_stride = e.residual_col_stride ? c.n : 1;
  }
  const std::vector<float> want = reference(c.m, c.n, c.k, a, c.ta, b, c.tb, e);
  GemmOperand oa, ob;
  oa.data = a.data(), oa.rs = c.ta ? 1 : c.k, oa.cs = c.ta ? c.m : 1;
  ob.data = b.data(), ob.rs = c.tb ? 1 : c.n, ob.cs = c.tb ? c.k : 1;
  AlignedBuffer pa, pb;
  if (c.prepack) {
    pa.resize(f32_packed_a_size(nk.table, c.m, c.k));
    pb.resize(f32_packed_b_size(nk.table, c.k, c.n));
    f32_pack_a(nk.table, c.m, c.k, oa.data, oa.rs, oa.cs, pa.data());
    f32_pack_b(nk.table, c.k, c.n, ob.data, ob.rs, ob.cs, pb.data());
    oa.packed = pa.data(), ob.packed = pb.data();
  }
  std::vector<float> got(static_cast<size_t>(c.m * c.n), -7.f);
  f32_gemm(nk.table, c.m, c.n, c.k, oa, ob, got.data(), c.n, e, &ThreadPool::shared(c.threads));
  // Sums of k products of values in [-1, 1]: error grows with k; transcendental activations add
  // their stated bounds.
  const float atol = 2e-6f * static_cast<float>(c.k + 1) + 2e-6f;
  EXPECT_TRUE(all_close(got, want, atol, 2e-5f))
      << nk.name << " m=" << c.m << " n=" << c.n << " k=" << c.k << " ta=" << c.ta << " tb=" << c.tb
      << " prepack=" << c.prepack << " threads=" << c.threads << " act=" << static_cast<int>(e.act);
}

TEST(F32Gemm, AllSmallSizes) {
  std::vector<float> res;
  for (const NamedKernels& nk : kernel_tables())
    for (int64_t m = 0; m <= 17; ++m)
      for (int64_t n = 0; n <= 17; ++n)
        for (int64_t k = 0; k <= 17; ++k) check(nk, {m, n, k}, Epilogue{}, &res);
}

TEST(F32Gemm, PrimesAndModelShapes) {
  const std::vector<std::array<int64_t, 3>> shapes = {
      {31, 67, 131}, {97, 19, 257}, {257, 263, 269}, {1, 1000, 512}, {128, 768, 256}, {64, 196, 576},
      {128, 256, 1024}, {6, 16, 300}, {300, 5, 7}};
  std::vector<float> res;
  for (const NamedKernels& nk : kernel_tables())
    for (const auto& s : shapes)
      for (int threads : {1, 2})
        for (bool prepack : {false, true}) check(nk, {s[0], s[1], s[2], false, false, prepack, threads}, Epilogue{}, &res);
}

TEST(F32Gemm, TransposedOperands) {
  std::vector<float> res;
  for (const NamedKernels& nk : kernel_tables())
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        for (const auto& s : std::vector<std::array<int64_t, 3>>{{7, 9, 13}, {17, 33, 5}, {61, 50, 300}})
          for (int threads : {1, 2}) check(nk, {s[0], s[1], s[2], ta, tb, false, threads}, Epilogue{}, &res);
}

TEST(F32Gemm, EveryEpilogue) {
  const Activation acts[] = {Activation::None,        Activation::Relu,      Activation::LeakyRelu, Activation::Clip,
                             Activation::Sigmoid,     Activation::HardSigmoid, Activation::HardSwish, Activation::Tanh,
                             Activation::Silu,        Activation::Gelu,      Activation::GeluTanh};
  std::vector<float> res;
  const float dummy = 0.f;
  for (const NamedKernels& nk : kernel_tables())
    for (Activation act : acts)
      for (int variant = 0; variant < 5; ++variant) {
        Epilogue e;
        e.act = act;
        e.p0 = act == Activation::Clip ? -0.5f : 0.2f;
        e.p1 = act == Activation::Clip ? 0.7f : 0.5f;
        switch (variant) {
          case 0: break;
          case 1: e.row_bias = &dummy; e.alpha = 0.5f; break;
          case 2: e.col_bias = &dummy; e.residual = &dummy; e.residual_row_stride = 1; e.residual_col_stride = 1; break;
          case 3: e.residual = &dummy; e.residual_row_stride = 0; e.residual_col_stride = 1; e.residual_scale = 0.3f; break;
          case 4: e.residual = &dummy; e.residual_row_stride = 1; e.residual_col_stride = 0; e.row_bias = &dummy; break;
        }
        for (const auto& s : std::vector<std::array<int64_t, 3>>{{5, 13, 3}, {13, 37, 29}, {50, 70, 300}, {0, 4, 4}, {4, 4, 0}})
          for (int threads : {1, 2}) check(nk, {s[0], s[1], s[2], false, false, variant == 3, threads}, e, &res);
      }
}

}  // namespace
}  // namespace kiln::cpu::test
