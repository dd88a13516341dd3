// SGEMM micro-kernel, 6 rows x 16 columns: 12 ymm accumulators, two B vectors and a broadcast
// A value per step, two FMAs per broadcast. The epilogue runs on the
// accumulators before the single store, so a fused op writes its output once.
#include "kernels/cpu/x86/avx2_kernels.h"
#include "kernels/cpu/x86/avx2_math.h"

namespace kiln::cpu::avx2 {

namespace {

// The epilogue's fields in registers and locals: read once per tile, not once per vector (the
// stores to C could alias the Epilogue, so the compiler would otherwise reload every field).
struct TileEpilogue {
  __m256 alpha, rscale, p0, p1;
  bool scale;
  const float* row_bias;
  const float* col_bias;
  const float* residual;
  int64_t rrs, rcs;
};

// Stores the 6x16 accumulators (acc, row-major) into the mr x nr tile of C.
template <Activation A, bool Full>
inline void store_tile(const float* acc, float* c, int64_t ldc, int64_t mr, int64_t nr, bool accumulate,
                       const TileEpilogue* e) {
  const int64_t rows = Full ? 6 : mr;
  const __m256i m0 = Full ? _mm256_set1_epi32(-1) : tail_mask(nr < 8 ? nr : 8);
  const __m256i m1 = Full ? _mm256_set1_epi32(-1) : tail_mask(nr < 8 ? 0 : (nr < 16 ? nr - 8 : 8));
  const bool full0 = Full || nr >= 8, full1 = Full || nr >= 16, two = Full || nr > 8;
  auto load = [](const float* p, bool full, __m256i m) { return full ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, m); };
  auto finish = [&](__m256 v, int64_t i, int64_t j, bool full, __m256i m) {
    if (e->scale) v = _mm256_mul_ps(v, e->alpha);
    if (e->row_bias) v = _mm256_add_ps(v, _mm256_broadcast_ss(e->row_bias + i));
    if (e->col_bias) v = _mm256_add_ps(v, load(e->col_bias + j, full, m));
    if (e->residual) {
      const float* r = e->residual + i * e->rrs;
      v = _mm256_fmadd_ps(e->rcs == 0 ? _mm256_broadcast_ss(r) : load(r + j, full, m), e->rscale, v);
    }
    return activate_t<A>(v, e->p0, e->p1);
  };
  for (int64_t i = 0; i < rows; ++i) {
    float* row = c + i * ldc;
    __m256 v0 = _mm256_load_ps(acc + 16 * i), v1 = _mm256_load_ps(acc + 16 * i + 8);
    if (accumulate) {
      v0 = _mm256_add_ps(v0, load(row, full0, m0));
      if (two) v1 = _mm256_add_ps(v1, load(row + 8, full1, m1));
    }
    if (e) {
      v0 = finish(v0, i, 0, full0, m0);
      if (two) v1 = finish(v1, i, 8, full1, m1);
    }
    if (full0) _mm256_storeu_ps(row, v0); else _mm256_maskstore_ps(row, m0, v0);
    if (two) {
      if (full1) _mm256_storeu_ps(row + 8, v1); else _mm256_maskstore_ps(row + 8, m1, v1);
    }
  }
}

}  // namespace

void f32_gemm_6x16_avx2(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t mr, int64_t nr,
                        bool accumulate, const Epilogue* ep) {
  // The K loop is written in assembly: compilers spill some of the 12 accumulators of this
  // register-tight loop, which costs a fifth of the peak. Accumulators live in ymm4..ymm15
  // (row r in ymm(4+2r), ymm(5+2r)), B in ymm0/ymm1, the broadcast A value in ymm2/ymm3.
  alignas(32) float acc_mem[6 * 16];
  int64_t k4 = kc / 4, k1 = kc % 4;
  for (int64_t i = 0; i < mr; ++i) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
  asm volatile(
      "vxorps %%ymm4, %%ymm4, %%ymm4\n\t"
      "vxorps %%ymm5, %%ymm5, %%ymm5\n\t"
      "vxorps %%ymm6, %%ymm6, %%ymm6\n\t"
      "vxorps %%ymm7, %%ymm7, %%ymm7\n\t"
      "vxorps %%ymm8, %%ymm8, %%ymm8\n\t"
      "vxorps %%ymm9, %%ymm9, %%ymm9\n\t"
      "vxorps %%ymm10, %%ymm10, %%ymm10\n\t"
      "vxorps %%ymm11, %%ymm11, %%ymm11\n\t"
      "vxorps %%ymm12, %%ymm12, %%ymm12\n\t"
      "vxorps %%ymm13, %%ymm13, %%ymm13\n\t"
      "vxorps %%ymm14, %%ymm14, %%ymm14\n\t"
      "vxorps %%ymm15, %%ymm15, %%ymm15\n\t"
      "test %[k4], %[k4]\n\t"
      "je 2f\n\t"
      ".p2align 5\n"
      "1:\n\t"
      "vmovaps 0(%[b]), %%ymm0\n\t"
      "vmovaps 32(%[b]), %%ymm1\n\t"
      "vbroadcastss 0(%[a]), %%ymm2\n\t"
      "vfmadd231ps %%ymm0, %%ymm2, %%ymm4\n\t"
      "vfmadd231ps %%ymm1, %%ymm2, %%ymm5\n\t"
      "vbroadcastss 4(%[a]), %%ymm3\n\t"
      "vfmadd231ps %%ymm0, %%ymm3, %%ymm6\n\t"
      "vfmadd231ps %%ymm1, %%ymm3, %%ymm7\n\t"
      "vbroadcastss 8(%[a]), %%ymm2\n\t"
      "vfmadd231ps %%ymm0, %%ymm2, %%ymm8\n\t"
      "vfmadd231ps %%ymm1, %%ymm2, %%ymm9\n\t"
      "vbroadcastss 12(%[a]), %%ymm3\n\t"
      "vfmadd231ps %%ymm0, %%ymm3, %%ymm10\n\t"
      "vfmadd231ps %%ymm1, %%ymm3, %%ymm11\n\t"
      "vbroadcastss 16(%[a]), %%ymm2\n\t"
      "vfmadd231ps %%ymm0, %%ymm2, %%ymm12\n\t"
      "vfmadd231ps %%ymm1, %%ymm2, %%ymm13\n\t"
      "vbroadcastss 20(%[a]), %%ymm3\n\t"
      "vfmadd231ps %%ymm0, %%ymm3, %%ymm14\n\t"
      "vfmadd231ps %%ymm1, %%ymm3, %%ymm15\n\t"
      "vmovaps 64(%[b]), %%ymm0\n\t"
      "vmovaps 96(%[b]), %%ymm1\n\t"
      "vbroadcastss 24(%[a]), %%ymm2\n\t"
      "vfmadd231ps %%ymm0, %%ymm2, %%ymm4\n\t"
      "vfmadd231ps %%ymm1, %%ymm2, %%ymm5\n\t"
      "vbroadcastss 28(%[a]), %%ymm3\n\t"
      "vfmadd231ps %%ymm0, %%ymm3, %%ymm6\n\t"
      "vfmadd231ps %%ymm1, %%ymm3, %%ymm7\n\t"
      "vbroadcastss 32(%[a]), %%ymm2\n\t"
      "vfmadd231ps %%ymm0, %%ymm2, %%ymm8\n\t"
      "vfmadd231ps %%ymm1, %%ymm2, %%ymm9\n\t"
      "vbroadcastss 36(%[a]), %%ymm3\n\t"
      "vfmadd231ps %%ymm0, %%ymm3, %%ymm10\n\t"
      "vfmadd231ps %%ymm1, %%ymm3, %%ymm11\n\t"
      "vbroadcastss 40(%[a]), %%ymm2\n\t"
      "vfmadd231ps %%ymm0, %%ymm2, %%ymm12\n\t"
      "vfmadd231ps %%ymm1, %%ymm2, %%ymm13\n\t"
      "vbroadcastss 44(%[a]), %%ymm3\n\t"
      "vfmadd231ps %%ymm0, %%ymm3, %%ymm14\n\t"
      "vfmadd231ps %%ymm1, %%ymm3, %%ymm15\n\t"
      "vmovaps 128(%[b]), %%ymm0\n\t"
      "vmovaps 160(%[b]), %%ymm1\n\t"
      "vbroadcastss 48(%[a]), %%ymm2\n\t"
      "vfmadd231ps %%ymm0, %%ymm2, %%ymm4\n\t"
      "vfmadd231ps %%ymm1, %%ymm2, %%ymm5\n\t"
      "vbroadcastss 52(%[a]), %%ymm3\n\t"
      "vfmadd231ps %%ymm0, %%ymm3, %%ymm6\n\t"
      "vfmadd231ps %%ymm1, %%ymm3, %%ymm7\n\t"
      "vbroadcastss 56(%[a]), %%ymm2\n\t"
      "vfmadd231ps %%ymm0, %%ymm2, %%ymm8\n\t"
      "vfmadd231ps %%ymm1, %%ymm2, %%ymm9\n\t"
      "vbroadcastss 60(%[a]), %%ymm3\n\t"
      "vfmadd231ps %%ymm0, %%ymm3, %%ymm10\n\t"
      "vfmadd231ps %%ymm1, %%ymm3, %%ymm11\n\t"
      "vbroadcastss 64(%[a]), %%ymm2\n\t"
      "vfmadd231ps %%ymm0, %%ymm2, %%ymm12\n\t"
      "vfmadd231ps %%ymm1, %%ymm2, %%ymm13\n\t"
      "vbroadcastss 68(%[a]), %%ymm3\n\t"
      "vfmadd231ps %%ymm0, %%ymm3, %%ymm14\n\t"
      "vfmadd231ps %%ymm1, %%ymm3, %%ymm15\n\t"
      "vmovaps 192(%[b]), %%ymm0\n\t"
      "vmovaps 224(%[b]), %%ymm1\n\t"
      "vbroadcastss 72(%[a]), %%ymm2\n\t"
      "vfmadd231ps %%ymm0, %%ymm2, %%ymm4\n\t"
      "vfmadd231ps %%ymm1, %%ymm2, %%ymm5\n\t"
      "vbroadcastss 76(%[a]), %%ymm3\n\t"
      "vfmadd231ps %%ymm0, %%ymm3, %%ymm6\n\t"
      "vfmadd231ps %%ymm1, %%ymm3, %%ymm7\n\t"
      "vbroadcastss 80(%[a]), %%ymm2\n\t"
      "vfmadd231ps %%ymm0, %%ymm2, %%ymm8\n\t"
      "vfmadd231ps %%ymm1, %%ymm2, %%ymm9\n\t"
      "vbroadcastss 84(%[a]), %%ymm3\n\t"
      "vfmadd231ps %%ymm0, %%ymm3, %%ymm10\n\t"
      "vfmadd231ps %%ymm1, %%ymm3, %%ymm11\n\t"
      "vbroadcastss 88(%[a]), %%ymm2\n\t"
      "vfmadd231ps %%ymm0, %%ymm2, %%ymm12\n\t"
      "vfmadd231ps %%ymm1, %%ymm2, %%ymm13\n\t"
      "vbroadcastss 92(%[a]), %%ymm3\n\t"
      "vfmadd231ps %%ymm0, %%ymm3, %%ymm14\n\t"
      "vfmadd231ps %%ymm1, %%ymm3, %%ymm15\n\t"
      "add $96, %[a]\n\t"
      "add $256, %[b]\n\t"
      "dec %[k4]\n\t"
      "jne 1b\n"
      "2:\n\t"
      "test %[k1], %[k1]\n\t"
      "je 4f\n"
      "3:\n\t"
      "vmovaps 0(%[b]), %%ymm0\n\t"
      "vmovaps 32(%[b]), %%ymm1\n\t"
      "vbroadcastss 0(%[a]), %%ymm2\n\t"
      "vfmadd231ps %%ymm0, %%ymm2, %%ymm4\n\t"
      "vfmadd231ps %%ymm1, %%ymm2, %%ymm5\n\t"
      "vbroadcastss 4(%[a]), %%ymm3\n\t"
      "vfmadd231ps %%ymm0, %%ymm3, %%ymm6\n\t"
      "vfmadd231ps %%ymm1, %%ymm3, %%ymm7\n\t"
      "vbroadcastss 8(%[a]), %%ymm2\n\t"
      "vfmadd231ps %%ymm0, %%ymm2, %%ymm8\n\t"
      "vfmadd231ps %%ymm1, %%ymm2, %%ymm9\n\t"
      "vbroadcastss 12(%[a]), %%ymm3\n\t"
      "vfmadd231ps %%ymm0, %%ymm3, %%ymm10\n\t"
      "vfmadd231ps %%ymm1, %%ymm3, %%ymm11\n\t"
      "vbroadcastss 16(%[a]), %%ymm2\n\t"
      "vfmadd231ps %%ymm0, %%ymm2, %%ymm12\n\t"
      "vfmadd231ps %%ymm1, %%ymm2, %%ymm13\n\t"
      "vbroadcastss 20(%[a]), %%ymm3\n\t"
      "vfmadd231ps %%ymm0, %%ymm3, %%ymm14\n\t"
      "vfmadd231ps %%ymm1, %%ymm3, %%ymm15\n\t"
      "add $24, %[a]\n\t"
      "add $64, %[b]\n\t"
      "dec %[k1]\n\t"
      "jne 3b\n"
      "4:\n\t"
      "vmovaps %%ymm4, 0(%[acc])\n\t"
      "vmovaps %%ymm5, 32(%[acc])\n\t"
      "vmovaps %%ymm6, 64(%[acc])\n\t"
      "vmovaps %%ymm7, 96(%[acc])\n\t"
      "vmovaps %%ymm8, 128(%[acc])\n\t"
      "vmovaps %%ymm9, 160(%[acc])\n\t"
      "vmovaps %%ymm10, 192(%[acc])\n\t"
      "vmovaps %%ymm11, 224(%[acc])\n\t"
      "vmovaps %%ymm12, 256(%[acc])\n\t"
      "vmovaps %%ymm13, 288(%[acc])\n\t"
      "vmovaps %%ymm14, 320(%[acc])\n\t"
      "vmovaps %%ymm15, 352(%[acc])\n\t"
      : [a] "+r"(a), [b] "+r"(b), [k4] "+r"(k4), [k1] "+r"(k1)
      : [acc] "r"(acc_mem)
      : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
        "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");

  TileEpilogue te;  // filled only with an epilogue (value-initialising it costs a rep stos per tile)
  if (ep) {
    te.alpha = _mm256_set1_ps(ep->alpha), te.rscale = _mm256_set1_ps(ep->residual_scale);
    te.p0 = _mm256_set1_ps(ep->p0), te.p1 = _mm256_set1_ps(ep->p1);
    te.scale = ep->alpha != 1.f;
    te.row_bias = ep->row_bias, te.col_bias = ep->col_bias, te.residual = ep->residual;
    te.rrs = ep->residual_row_stride, te.rcs = ep->residual_col_stride;
  }
  const TileEpilogue* e = ep ? &te : nullptr;
  const bool full = mr == 6 && nr == 16;
  with_activation(ep ? ep->act : Activation::None, [&](auto act) {
    if (full)
      store_tile<decltype(act)::value, true>(acc_mem, c, ldc, mr, nr, accumulate, e);
    else
      store_tile<decltype(act)::value, false>(acc_mem, c, ldc, mr, nr, accumulate, e);
  });
}

}  // namespace kiln::cpu::avx2
