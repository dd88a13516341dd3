// Depthwise convolution of one zero-padded plane: 3x3 and 5x5 filters at strides 1 and 2 with the
// filter taps broadcast in registers and 8 (then 4) outputs per step; stride 2 de-interleaves the
// input with ld2. Row tails and other shapes use the portable kernel.
#include "kernels/cpu/arm/arm_kernels.h"
#include "kernels/cpu/arm/neon_math.h"
#include "kernels/cpu/scalar/scalar_kernels.h"

namespace kiln::cpu::neon {

namespace {

// Four outputs starting at input position p (stride S): lanes p, p+S, p+2S, p+3S.
template <int S>
inline float32x4_t load_strided(const float* p) {
  if constexpr (S == 1) return vld1q_f32(p);
  else return vld2q_f32(p).val[0];
}

template <int K, int S>
void dwconv(const DwConvPlane& pl, const float* x, const float* w, float* y) {
  float32x4_t wv[K * K];
  for (int t = 0; t < K * K; ++t) wv[t] = vdupq_n_f32(w[t]);
  const int64_t in_w = pl.in_w, out_w = pl.out_w;
  for (int64_t oh = 0; oh < pl.out_h; ++oh) {
    const float* in = x + oh * S * in_w;
    float* out = y + oh * out_w;
    int64_t ow = 0;
    for (; ow + 8 <= out_w; ow += 8) {
      float32x4_t acc0 = vdupq_n_f32(0.f), acc1 = vdupq_n_f32(0.f);
      for (int kh = 0; kh < K; ++kh) {
        const float* r = in + kh * in_w + ow * S;
        for (int kw = 0; kw < K; ++kw) {
          acc0 = vfmaq_f32(acc0, load_strided<S>(r + kw), wv[kh * K + kw]);
          acc1 = vfmaq_f32(acc1, load_strided<S>(r + kw + 4 * S), wv[kh * K + kw]);
        }
      }
      vst1q_f32(out + ow, acc0);
      vst1q_f32(out + ow + 4, acc1);
    }
    for (; ow + 4 <= out_w; ow += 4) {
      float32x4_t acc = vdupq_n_f32(0.f);
      for (int kh = 0; kh < K; ++kh) {
        const float* r = in + kh * in_w + ow * S;
        for (int kw = 0; kw < K; ++kw) acc = vfmaq_f32(acc, load_strided<S>(r + kw), wv[kh * K + kw]);
      }
      vst1q_f32(out + ow, acc);
    }
    for (; ow < out_w; ++ow) {
      float acc = 0.f;
      for (int kh = 0; kh < K; ++kh)
        for (int kw = 0; kw < K; ++kw) acc += in[kh * in_w + ow * S + kw] * w[kh * K + kw];
      out[ow] = acc;
    }
  }
}

}  // namespace

void f32_dwconv_plane_neon(const DwConvPlane& p, const float* x, const float* w, float* y) {
  if (p.kernel_h == p.kernel_w && p.stride_h == p.stride_w) {
    const int64_t k = p.kernel_h, s = p.stride_h;
    if (k == 3 && s == 1) return dwconv<3, 1>(p, x, w, y);
    if (k == 3 && s == 2) return dwconv<3, 2>(p, x, w, y);
    if (k == 5 && s == 1) return dwconv<5, 1>(p, x, w, y);
    if (k == 5 && s == 2) return dwconv<5, 2>(p, x, w, y);
  }
  scalar::f32_dwconv_plane_scalar(p, x, w, y);
}

}  // namespace kiln::cpu::neon
