// SGEMM micro-kernel, 6 rows x 16 columns: 12 ymm accumulators, two B vectors and one broadcast
// A value per step (15 of 16 registers), two FMAs per B load pair. The epilogue runs on the
// accumulators before the single store, so a fused op writes its output once.
#include "kernels/cpu/x86/avx2_kernels.h"
#include "kernels/cpu/x86/avx2_math.h"

namespace kiln::cpu::avx2 {

namespace {

inline __m256 finish(__m256 v, const Epilogue& e, int64_t row, int64_t col, __m256i mask, bool full) {
  if (e.alpha != 1.f) v = _mm256_mul_ps(v, _mm256_set1_ps(e.alpha));
  if (e.row_bias) v = _mm256_add_ps(v, _mm256_broadcast_ss(e.row_bias + row));
  if (e.col_bias)
    v = _mm256_add_ps(v, full ? _mm256_loadu_ps(e.col_bias + col) : _mm256_maskload_ps(e.col_bias + col, mask));
  if (e.residual) {
    const float* r = e.residual + row * e.residual_row_stride;
    __m256 z;
    if (e.residual_col_stride == 0)
      z = _mm256_broadcast_ss(r);
    else
      z = full ? _mm256_loadu_ps(r + col) : _mm256_maskload_ps(r + col, mask);
    v = _mm256_fmadd_ps(z, _mm256_set1_ps(e.residual_scale), v);
  }
  return activate_ps(v, e.act, e.p0, e.p1);
}

}  // namespace

void f32_gemm_6x16_avx2(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t mr, int64_t nr,
                        bool accumulate, const Epilogue* ep) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
#define KILN_GEMM_STEP(OFF_A, OFF_B)                                  \
  {                                                                   \
    const __m256 b0 = _mm256_load_ps(b + (OFF_B));                    \
    const __m256 b1 = _mm256_load_ps(b + (OFF_B) + 8);                \
    __m256 av = _mm256_broadcast_ss(a + (OFF_A) + 0);                 \
    c00 = _mm256_fmadd_ps(av, b0, c00);                               \
    c01 = _mm256_fmadd_ps(av, b1, c01);                               \
    av = _mm256_broadcast_ss(a + (OFF_A) + 1);                        \
    c10 = _mm256_fmadd_ps(av, b0, c10);                               \
    c11 = _mm256_fmadd_ps(av, b1, c11);                               \
    av = _mm256_broadcast_ss(a + (OFF_A) + 2);                        \
    c20 = _mm256_fmadd_ps(av, b0, c20);                               \
    c21 = _mm256_fmadd_ps(av, b1, c21);                               \
    av = _mm256_broadcast_ss(a + (OFF_A) + 3);                        \
    c30 = _mm256_fmadd_ps(av, b0, c30);                               \
    c31 = _mm256_fmadd_ps(av, b1, c31);                               \
    av = _mm256_broadcast_ss(a + (OFF_A) + 4);                        \
    c40 = _mm256_fmadd_ps(av, b0, c40);                               \
    c41 = _mm256_fmadd_ps(av, b1, c41);                               \
    av = _mm256_broadcast_ss(a + (OFF_A) + 5);                        \
    c50 = _mm256_fmadd_ps(av, b0, c50);                               \
    c51 = _mm256_fmadd_ps(av, b1, c51);                               \
  }
  int64_t p = 0;
  for (; p + 4 <= kc; p += 4, a += 24, b += 64) {
    _mm_prefetch(reinterpret_cast<const char*>(b + 256), _MM_HINT_T0);
    KILN_GEMM_STEP(0, 0)
    KILN_GEMM_STEP(6, 16)
    KILN_GEMM_STEP(12, 32)
    KILN_GEMM_STEP(18, 48)
  }
  for (; p < kc; ++p, a += 6, b += 16) KILN_GEMM_STEP(0, 0)
#undef KILN_GEMM_STEP

  const __m256 acc[6][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  const bool full0 = nr >= 8, full1 = nr >= 16;
  const __m256i m0 = tail_mask(nr < 8 ? nr : 8), m1 = tail_mask(nr < 8 ? 0 : (nr < 16 ? nr - 8 : 8));
  for (int64_t i = 0; i < mr; ++i) {
    float* row = c + i * ldc;
    __m256 v0 = acc[i][0], v1 = acc[i][1];
    if (accumulate) {
      v0 = _mm256_add_ps(v0, full0 ? _mm256_loadu_ps(row) : _mm256_maskload_ps(row, m0));
      if (nr > 8) v1 = _mm256_add_ps(v1, full1 ? _mm256_loadu_ps(row + 8) : _mm256_maskload_ps(row + 8, m1));
    }
    if (ep) {
      v0 = finish(v0, *ep, i, 0, m0, full0);
      if (nr > 8) v1 = finish(v1, *ep, i, 8, m1, full1);
    }
    if (full0) _mm256_storeu_ps(row, v0); else _mm256_maskstore_ps(row, m0, v0);
    if (nr > 8) {
      if (full1) _mm256_storeu_ps(row + 8, v1); else _mm256_maskstore_ps(row + 8, m1, v1);
    }
  }
}

}  // namespace kiln::cpu::avx2
