// Row-wise softmax and layer normalization, vectorized along the row.
#include <cmath>

#include "kernels/cpu/x86/avx2_kernels.h"
#include "kernels/cpu/x86/avx2_math.h"

namespace kiln::cpu::avx2 {

namespace {

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float hmax(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

}  // namespace

void f32_softmax_rows_avx2(const float* x, float* y, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r, x += n, y += n) {
    if (n == 0) continue;
    const int64_t tail = n % 8, body = n - tail;
    const __m256i m = tail_mask(tail);
    __m256 mx = _mm256_set1_ps(-__builtin_inff());
    for (int64_t i = 0; i < body; i += 8) mx = _mm256_max_ps(mx, _mm256_loadu_ps(x + i));
    if (tail)
      mx = _mm256_max_ps(mx, _mm256_blendv_ps(_mm256_set1_ps(-__builtin_inff()), _mm256_maskload_ps(x + body, m),
                                              _mm256_castsi256_ps(m)));
    const __m256 vmax = _mm256_set1_ps(hmax(mx));
    __m256 sum = _mm256_setzero_ps();
    for (int64_t i = 0; i < body; i += 8) {
      const __m256 e = exp_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmax));
      _mm256_storeu_ps(y + i, e);
      sum = _mm256_add_ps(sum, e);
    }
    if (tail) {
      const __m256 e = _mm256_and_ps(exp_ps(_mm256_sub_ps(_mm256_maskload_ps(x + body, m), vmax)), _mm256_castsi256_ps(m));
      _mm256_maskstore_ps(y + body, m, e);
      sum = _mm256_add_ps(sum, e);
    }
    const __m256 inv = _mm256_set1_ps(1.f / hsum(sum));
    for (int64_t i = 0; i < body; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), inv));
    if (tail) _mm256_maskstore_ps(y + body, m, _mm256_mul_ps(_mm256_maskload_ps(y + body, m), inv));
  }
}

void f32_layernorm_rows_avx2(const float* x, const float* gamma, const float* beta, float* y, int64_t rows, int64_t n,
                             float eps) {
  for (int64_t r = 0; r < rows; ++r, x += n, y += n) {
    if (n == 0) continue;
    const int64_t tail = n % 8, body = n - tail;
    const __m256i m = tail_mask(tail);
    __m256 s = _mm256_setzero_ps();
    for (int64_t i = 0; i < body; i += 8) s = _mm256_add_ps(s, _mm256_loadu_ps(x + i));
    if (tail) s = _mm256_add_ps(s, _mm256_maskload_ps(x + body, m));
    const float mean = hsum(s) / static_cast<float>(n);
    const __m256 vmean = _mm256_set1_ps(mean);
    // Two passes (centre, then square) keep the variance accurate for rows with a large mean.
    __m256 v = _mm256_setzero_ps();
    for (int64_t i = 0; i < body; i += 8) {
      const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), vmean);
      v = _mm256_fmadd_ps(d, d, v);
    }
    if (tail) {
      const __m256 d = _mm256_and_ps(_mm256_sub_ps(_mm256_maskload_ps(x + body, m), vmean), _mm256_castsi256_ps(m));
      v = _mm256_fmadd_ps(d, d, v);
    }
    const float inv = 1.f / std::sqrt(hsum(v) / static_cast<float>(n) + eps);
    const __m256 vinv = _mm256_set1_ps(inv);
    auto one = [&](__m256 xv, __m256 g, __m256 b) {
      return _mm256_fmadd_ps(_mm256_mul_ps(_mm256_sub_ps(xv, vmean), vinv), g, b);
    };
    for (int64_t i = 0; i < body; i += 8)
      _mm256_storeu_ps(y + i, one(_mm256_loadu_ps(x + i), _mm256_loadu_ps(gamma + i),
                                  beta ? _mm256_loadu_ps(beta + i) : _mm256_setzero_ps()));
    if (tail)
      _mm256_maskstore_ps(y + body, m, one(_mm256_maskload_ps(x + body, m), _mm256_maskload_ps(gamma + body, m),
                                           beta ? _mm256_maskload_ps(beta + body, m) : _mm256_setzero_ps()));
  }
}

}  // namespace kiln::cpu::avx2
