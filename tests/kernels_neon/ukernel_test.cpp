// Micro-kernel level tests of every optimized table (NEON on AArch64, AVX2 on x86-64) against the
// scalar table, slot by slot: the GEMM micro-kernel over every partial tile (mr 0..6, nr 0..16),
// K lengths with tails, accumulate, every activation and epilogue form, and no write outside the
// tile; the in-memory epilogue over rows/cols 0..17; depthwise planes 3x3/5x5 at strides 1 and 2
// (and a fallback shape) over output sizes 0..17 and primes.
#include <algorithm>

#include "kernel_test_util.h"
#include "kernels/cpu/aligned_buffer.h"

namespace kiln::cpu::test {
namespace {

const Activation kActs[] = {Activation::None,      Activation::Relu,      Activation::LeakyRelu, Activation::Clip,
                            Activation::Sigmoid,   Activation::HardSigmoid, Activation::HardSwish, Activation::Tanh,
                            Activation::Silu,      Activation::Gelu,      Activation::GeluTanh};

std::vector<NamedKernels> optimized_tables() {
  std::vector<NamedKernels> t = kernel_tables();
  t.erase(t.begin());  // the scalar table is the reference here
  return t;
}

// The epilogue form `variant` with activation act over buffers of at least 32 x 32 floats.
Epilogue make_epilogue(int variant, Activation act, const std::vector<float>& rb, const std::vector<float>& cb,
                       const std::vector<float>& res) {
  Epilogue e;
  e.act = act;
  e.p0 = act == Activation::Clip ? -0.5f : 0.2f;
  e.p1 = act == Activation::Clip ? 0.7f : 0.5f;
  switch (variant) {
    case 0: break;
    case 1: e.row_bias = rb.data(); e.alpha = 0.5f; break;
    case 2: e.col_bias = cb.data(); e.residual = res.data(); e.residual_row_stride = 32; break;
    case 3: e.residual = res.data(); e.residual_row_stride = 0; e.residual_scale = 0.3f; break;
    case 4: e.residual = res.data(); e.residual_row_stride = 1; e.residual_col_stride = 0; e.row_bias = rb.data(); break;
  }
  return e;
}

TEST(MicroKernels, TablesAreComplete) {
  for (const NamedKernels& nk : kernel_tables()) {
    const CpuKernels& k = nk.table;
    EXPECT_EQ(k.gemm_mr, 6) << nk.name;  // the packing in kernels/cpu/gemm.cpp is shared
    EXPECT_EQ(k.gemm_nr, 16) << nk.name;
    EXPECT_TRUE(k.f32_gemm_ukernel && k.f32_dwconv_plane && k.f32_conv_direct && k.f32_epilogue_inplace &&
                k.f32_activation && k.f32_exp && k.f32_erf && k.f32_binary && k.f32_softmax_rows &&
                k.f32_layernorm_rows)
        << nk.name;
  }
#if defined(__aarch64__)
  EXPECT_TRUE(have_neon_kernels());
  EXPECT_STREQ(cpu_kernels().isa, "neon");
#endif
}

TEST(MicroKernels, GemmEveryTileEpilogueAndAccumulate) {
  const CpuKernels ref = scalar_cpu_kernels();
  const int64_t ldc = 19;
  const auto rb = random_vector(32, 11), cb = random_vector(32, 12), res = random_vector(32 * 32, 13);
  for (const NamedKernels& nk : optimized_tables())
    for (int64_t kc : {0, 1, 3, 17}) {
      // Packed panels are 64-byte aligned (AVX2 loads them with aligned moves).
      const auto av = random_vector(static_cast<size_t>(6 * kc), 20 + kc), bv = random_vector(static_cast<size_t>(16 * kc), 40 + kc);
      AlignedBuffer a(av.size() + 16), b(bv.size() + 16);
      std::copy(av.begin(), av.end(), a.data());
      std::copy(bv.begin(), bv.end(), b.data());
      for (int variant = -1; variant < 5; ++variant)
        for (Activation act : kActs) {
          if (variant < 0 && act != Activation::None) continue;  // variant -1: no epilogue at all
          const Epilogue e = make_epilogue(std::max(variant, 0), act, rb, cb, res);
          for (int64_t mr = 0; mr <= 6; ++mr)
            for (int64_t nr = 0; nr <= 16; ++nr)
              for (bool accumulate : {false, true}) {
                const auto c0 = random_vector(static_cast<size_t>(7 * ldc), 99 + mr * 17 + nr);
                std::vector<float> got = c0, want = c0;
                nk.table.f32_gemm_ukernel(kc, a.data(), b.data(), got.data(), ldc, mr, nr, accumulate,
                                          variant < 0 ? nullptr : &e);
                ref.f32_gemm_ukernel(kc, a.data(), b.data(), want.data(), ldc, mr, nr, accumulate,
                                     variant < 0 ? nullptr : &e);
                ASSERT_TRUE(all_close(got, want, 2e-6f * static_cast<float>(kc + 1) + 2e-6f, 2e-5f))
                    << nk.name << " kc=" << kc << " mr=" << mr << " nr=" << nr << " acc=" << accumulate
                    << " variant=" << variant << " act=" << static_cast<int>(act);
              }
        }
    }
}

TEST(MicroKernels, EpilogueInplaceTails) {
  const CpuKernels ref = scalar_cpu_kernels();
  const auto rb = random_vector(32, 21), cb = random_vector(32, 22), res = random_vector(32 * 32, 23);
  for (const NamedKernels& nk : optimized_tables())
    for (int variant = 0; variant < 5; ++variant)
      for (Activation act : kActs)
        for (int64_t rows : {0, 1, 2, 5})
          for (int64_t cols = 0; cols <= 17; ++cols) {
            const Epilogue e = make_epilogue(variant, act, rb, cb, res);
            const auto y0 = random_vector(static_cast<size_t>(6 * 20), 7 + cols, -4.f, 4.f);
            std::vector<float> got = y0, want = y0;
            nk.table.f32_epilogue_inplace(got.data(), rows, cols, 20, e);
            ref.f32_epilogue_inplace(want.data(), rows, cols, 20, e);
            ASSERT_TRUE(all_close(got, want, 4e-6f, 2e-6f))
                << nk.name << " rows=" << rows << " cols=" << cols << " variant=" << variant
                << " act=" << static_cast<int>(act);
          }
}

TEST(MicroKernels, DepthwisePlanes) {
  const CpuKernels ref = scalar_cpu_kernels();
  struct Shape {
    int64_t k, s;
  };
  for (const NamedKernels& nk : optimized_tables())
    for (Shape sh : {Shape{3, 1}, Shape{3, 2}, Shape{5, 1}, Shape{5, 2}, Shape{7, 1}, Shape{3, 3}})
      for (int64_t oh : {0, 1, 2, 3, 7})
        for (int64_t ow : {0, 1, 2, 3, 4, 5, 7, 8, 9, 11, 12, 13, 15, 16, 17, 31, 37}) {
          DwConvPlane p;
          p.kernel_h = p.kernel_w = sh.k;
          p.stride_h = p.stride_w = sh.s;
          p.out_h = oh, p.out_w = ow;
          p.in_w = (ow > 0 ? (ow - 1) * sh.s : 0) + sh.k + (ow % 3);  // some rows wider than needed
          const int64_t in_h = (oh > 0 ? (oh - 1) * sh.s : 0) + sh.k;
          const auto x = random_vector(static_cast<size_t>(in_h * p.in_w + 16), 5 + ow);
          const auto w = random_vector(static_cast<size_t>(sh.k * sh.k), 6 + sh.k);
          std::vector<float> got(static_cast<size_t>(oh * ow + 3), -9.f), want = got;
          nk.table.f32_dwconv_plane(p, x.data(), w.data(), got.data());
          ref.f32_dwconv_plane(p, x.data(), w.data(), want.data());
          ASSERT_TRUE(all_close(got, want, 2e-6f, 2e-6f))
              << nk.name << " k=" << sh.k << " s=" << sh.s << " out=" << oh << "x" << ow;
        }
}

TEST(MicroKernels, ExpErfAndActivationsAgreeOverTails) {
  const CpuKernels ref = scalar_cpu_kernels();
  for (const NamedKernels& nk : optimized_tables())
    for (int64_t n = 0; n <= 17; ++n) {
      const auto x = random_vector(static_cast<size_t>(n) + 4, 50 + n, -10.f, 10.f);
      std::vector<float> got = x, want = x;
      nk.table.f32_exp(x.data(), got.data(), n);
      ref.f32_exp(x.data(), want.data(), n);
      ASSERT_TRUE(all_close(got, want, 0.f, 3e-7f)) << nk.name << " exp n=" << n;
      got = x, want = x;
      nk.table.f32_erf(x.data(), got.data(), n);
      ref.f32_erf(x.data(), want.data(), n);
      ASSERT_TRUE(all_close(got, want, 5e-7f, 0.f)) << nk.name << " erf n=" << n;
      for (Activation act : kActs) {
        got = x, want = x;
        nk.table.f32_activation(got.data(), got.data(), n, act, -0.5f, 0.7f);
        ref.f32_activation(want.data(), want.data(), n, act, -0.5f, 0.7f);
        ASSERT_TRUE(all_close(got, want, 1e-5f, 1e-6f)) << nk.name << " act=" << static_cast<int>(act) << " n=" << n;
      }
    }
}

}  // namespace
}  // namespace kiln::cpu::test
