// Row-wise softmax (max, exp and sum in one pass, scale in a second) and layer normalization
// (mean accumulated in double lanes like the scalar kernel, then a centred variance pass).
#include <cmath>

#include "kernels/cpu/arm/arm_kernels.h"
#include "kernels/cpu/arm/neon_math.h"

namespace kiln::cpu::neon {

void f32_softmax_rows_neon(const float* x, float* y, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r, x += n, y += n) {
    if (n == 0) continue;
    int64_t i = 0;
    float32x4_t mv = vdupq_n_f32(-__builtin_inff());
    for (; i + 4 <= n; i += 4) mv = vmaxq_f32(mv, vld1q_f32(x + i));
    float mx = vmaxvq_f32(mv);
    for (; i < n; ++i) mx = x[i] > mx ? x[i] : mx;
    const float32x4_t m = vdupq_n_f32(mx);
    float32x4_t sv = vdupq_n_f32(0.f);
    for (i = 0; i + 4 <= n; i += 4) {
      const float32x4_t e = exp_ps(vsubq_f32(vld1q_f32(x + i), m));
      vst1q_f32(y + i, e);
      sv = vaddq_f32(sv, e);
    }
    float sum = vaddvq_f32(sv);
    if (i < n) {
      float t[4];
      vst1q_f32(t, exp_ps(vsubq_f32(load_partial(x + i, n - i), m)));
      for (int64_t q = 0; q < n - i; ++q) sum += (y[i + q] = t[q]);
    }
    const float32x4_t inv = vdupq_n_f32(1.f / sum);
    for (i = 0; i + 4 <= n; i += 4) vst1q_f32(y + i, vmulq_f32(vld1q_f32(y + i), inv));
    for (; i < n; ++i) y[i] *= 1.f / sum;
  }
}

void f32_layernorm_rows_neon(const float* x, const float* gamma, const float* beta, float* y, int64_t rows, int64_t n,
                             float eps) {
  for (int64_t r = 0; r < rows; ++r, x += n, y += n) {
    if (n == 0) continue;
    int64_t i = 0;
    float64x2_t s0 = vdupq_n_f64(0.0), s1 = vdupq_n_f64(0.0);
    for (; i + 4 <= n; i += 4) {
      const float32x4_t v = vld1q_f32(x + i);
      s0 = vaddq_f64(s0, vcvt_f64_f32(vget_low_f32(v)));
      s1 = vaddq_f64(s1, vcvt_high_f64_f32(v));
    }
    double sum = vaddvq_f64(vaddq_f64(s0, s1));
    for (; i < n; ++i) sum += x[i];
    const float mean = static_cast<float>(sum / static_cast<double>(n));
    const float32x4_t mv = vdupq_n_f32(mean);
    float32x4_t vv = vdupq_n_f32(0.f);
    for (i = 0; i + 4 <= n; i += 4) {
      const float32x4_t d = vsubq_f32(vld1q_f32(x + i), mv);
      vv = vfmaq_f32(vv, d, d);
    }
    double var = vaddvq_f32(vv);
    for (; i < n; ++i) var += double(x[i] - mean) * double(x[i] - mean);
    const float inv = static_cast<float>(1.0 / std::sqrt(var / static_cast<double>(n) + eps));
    const float32x4_t iv = vdupq_n_f32(inv);
    for (i = 0; i + 4 <= n; i += 4) {
      const float32x4_t d = vmulq_f32(vmulq_f32(vsubq_f32(vld1q_f32(x + i), mv), iv), vld1q_f32(gamma + i));
      vst1q_f32(y + i, beta ? vaddq_f32(d, vld1q_f32(beta + i)) : d);
    }
    for (; i < n; ++i) y[i] = (x[i] - mean) * inv * gamma[i] + (beta ? beta[i] : 0.f);
  }
}

}  // namespace kiln::cpu::neon
