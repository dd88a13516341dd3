#pragma once
// Vector math for the NEON translation units (kernels/cpu/arm; NEON is mandatory on AArch64).
// The same algorithms and coefficients as kernels/cpu/x86/avx2_math.h, so the same error bounds
// hold and are checked by tests/kernels/vmath_test.cpp (run under qemu-aarch64):
//   exp:     relative error <= 3e-7 over [-87, 88]; 0 below -87.3, +inf above 88.7
//   tanh:    absolute error <= 3e-7;  sigmoid: absolute error <= 3e-7
//   erf:     absolute error <= 5e-7;  GELU: absolute error <= 5e-7 * |x|
#include <arm_neon.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/cpu/epilogue.h"

namespace kiln::cpu::neon {

inline float32x4_t exp_ps(float32x4_t x) {
  const float32x4_t hi = vdupq_n_f32(88.7228391f), lo = vdupq_n_f32(-87.3365448f);
  const uint32x4_t big = vcgtq_f32(x, hi);
  const uint32x4_t tiny = vcltq_f32(x, lo);
  x = vminq_f32(vmaxq_f32(x, lo), hi);
  // x = n·ln2 + r, |r| <= ln2/2; ln2 split in two for an exact product.
  const float32x4_t n = vrndnq_f32(vmulq_f32(x, vdupq_n_f32(1.44269504088896341f)));
  float32x4_t r = vfmsq_f32(x, n, vdupq_n_f32(0.693359375f));
  r = vfmsq_f32(r, n, vdupq_n_f32(-2.12194440e-4f));
  // Degree-6 polynomial for e^r (Cephes expf coefficients).
  float32x4_t p = vdupq_n_f32(1.9875691500e-4f);
  p = vfmaq_f32(vdupq_n_f32(1.3981999507e-3f), p, r);
  p = vfmaq_f32(vdupq_n_f32(8.3334519073e-3f), p, r);
  p = vfmaq_f32(vdupq_n_f32(4.1665795894e-2f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.6666665459e-1f), p, r);
  p = vfmaq_f32(vdupq_n_f32(5.0000001201e-1f), p, r);
  p = vfmaq_f32(vaddq_f32(r, vdupq_n_f32(1.f)), p, vmulq_f32(r, r));
  // 2^n in two halves so n = 128 (x near 88.7) does not overflow the exponent field.
  const int32x4_t ni = vcvtq_s32_f32(n);
  const int32x4_t h1 = vshrq_n_s32(ni, 1), h2 = vsubq_s32(ni, h1);
  const float32x4_t s1 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(h1, vdupq_n_s32(127)), 23));
  const float32x4_t s2 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(h2, vdupq_n_s32(127)), 23));
  float32x4_t y = vmulq_f32(vmulq_f32(p, s1), s2);
  y = vbslq_f32(big, vdupq_n_f32(__builtin_inff()), y);
  return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(y), tiny));
}

inline float32x4_t sigmoid_ps(float32x4_t x) {
  const float32x4_t one = vdupq_n_f32(1.f);
  return vdivq_f32(one, vaddq_f32(one, exp_ps(vnegq_f32(x))));
}

// tanh via the odd rational minimax approximation used by Eigen (13/6), clamped where tanh
// rounds to +-1 in float.
inline float32x4_t tanh_ps(float32x4_t x) {
  const float32x4_t clamp = vdupq_n_f32(7.90531110763549805f);
  x = vminq_f32(vmaxq_f32(x, vnegq_f32(clamp)), clamp);
  const float32x4_t x2 = vmulq_f32(x, x);
  float32x4_t p = vdupq_n_f32(-2.76076847742355e-16f);
  p = vfmaq_f32(vdupq_n_f32(2.00018790482477e-13f), p, x2);
  p = vfmaq_f32(vdupq_n_f32(-8.60467152213735e-11f), p, x2);
  p = vfmaq_f32(vdupq_n_f32(5.12229709037114e-08f), p, x2);
  p = vfmaq_f32(vdupq_n_f32(1.48572235717979e-05f), p, x2);
  p = vfmaq_f32(vdupq_n_f32(6.37261928875436e-04f), p, x2);
  p = vfmaq_f32(vdupq_n_f32(4.89352455891786e-03f), p, x2);
  p = vmulq_f32(p, x);
  float32x4_t q = vdupq_n_f32(1.19825839466702e-06f);
  q = vfmaq_f32(vdupq_n_f32(1.18534705686654e-04f), q, x2);
  q = vfmaq_f32(vdupq_n_f32(2.26843463243900e-03f), q, x2);
  q = vfmaq_f32(vdupq_n_f32(4.89352518554385e-03f), q, x2);
  return vdivq_f32(p, q);
}

// Abramowitz & Stegun 7.1.26 with an exact reciprocal.
inline float32x4_t erf_ps(float32x4_t x) {
  const uint32x4_t sign = vandq_u32(vreinterpretq_u32_f32(x), vdupq_n_u32(0x80000000u));
  const float32x4_t ax = vminq_f32(vabsq_f32(x), vdupq_n_f32(5.f));
  const float32x4_t one = vdupq_n_f32(1.f);
  const float32x4_t t = vdivq_f32(one, vfmaq_f32(one, vdupq_n_f32(0.3275911f), ax));
  float32x4_t p = vdupq_n_f32(1.061405429f);
  p = vfmaq_f32(vdupq_n_f32(-1.453152027f), p, t);
  p = vfmaq_f32(vdupq_n_f32(1.421413741f), p, t);
  p = vfmaq_f32(vdupq_n_f32(-0.284496736f), p, t);
  p = vfmaq_f32(vdupq_n_f32(0.254829592f), p, t);
  p = vmulq_f32(p, t);
  const float32x4_t e = exp_ps(vnegq_f32(vmulq_f32(ax, ax)));
  const float32x4_t y = vfmsq_f32(one, p, e);
  return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(y), sign));
}

inline float32x4_t gelu_ps(float32x4_t x) {
  const float32x4_t half_x = vmulq_f32(x, vdupq_n_f32(0.5f));
  return vfmaq_f32(half_x, half_x, erf_ps(vmulq_f32(x, vdupq_n_f32(0.70710678118654752f))));
}

inline float32x4_t gelu_tanh_ps(float32x4_t x) {
  const float32x4_t half_x = vmulq_f32(x, vdupq_n_f32(0.5f));
  const float32x4_t x3 = vmulq_f32(vmulq_f32(x, x), x);
  const float32x4_t u = vmulq_f32(vdupq_n_f32(0.79788456080286536f), vfmaq_f32(x, vdupq_n_f32(0.044715f), x3));
  return vfmaq_f32(half_x, half_x, tanh_ps(u));
}

// The activation fixed at compile time, its parameters already broadcast.
template <Activation A>
inline float32x4_t activate_t(float32x4_t v, float32x4_t p0, float32x4_t p1) {
  const float32x4_t zero = vdupq_n_f32(0.f), one = vdupq_n_f32(1.f);
  if constexpr (A == Activation::None) {
    return v;
  } else if constexpr (A == Activation::Relu) {
    return vmaxq_f32(v, zero);
  } else if constexpr (A == Activation::LeakyRelu) {
    return vbslq_f32(vcltq_f32(v, zero), vmulq_f32(v, p0), v);
  } else if constexpr (A == Activation::Clip) {
    // min(max(v, lo), hi) in the scalar form's order: v < lo ? lo : (v > hi ? hi : v).
    return vbslq_f32(vcltq_f32(v, p0), p0, vbslq_f32(vcgtq_f32(v, p1), p1, v));
  } else if constexpr (A == Activation::Sigmoid) {
    return sigmoid_ps(v);
  } else if constexpr (A == Activation::HardSigmoid) {
    return vminq_f32(vmaxq_f32(vfmaq_f32(p1, v, p0), zero), one);
  } else if constexpr (A == Activation::HardSwish) {
    const float32x4_t g = vfmaq_f32(vdupq_n_f32(0.5f), v, vdupq_n_f32(1.f / 6.f));
    return vmulq_f32(v, vminq_f32(vmaxq_f32(g, zero), one));
  } else if constexpr (A == Activation::Tanh) {
    return tanh_ps(v);
  } else if constexpr (A == Activation::Silu) {
    return vmulq_f32(v, sigmoid_ps(v));
  } else if constexpr (A == Activation::Gelu) {
    return gelu_ps(v);
  } else {
    return gelu_tanh_ps(v);
  }
}

// Partial loads and stores of a tail of n < 4 lanes (the rest zero), never touching memory past n.
inline float32x4_t load_partial(const float* p, int64_t n) {
  float t[4] = {0.f, 0.f, 0.f, 0.f};
  std::memcpy(t, p, static_cast<size_t>(n) * sizeof(float));
  return vld1q_f32(t);
}
inline void store_partial(float* p, float32x4_t v, int64_t n) {
  float t[4];
  vst1q_f32(t, v);
  std::memcpy(p, t, static_cast<size_t>(n) * sizeof(float));
}

}  // namespace kiln::cpu::neon

namespace kiln::cpu::neon {

// The epilogue's fields in registers and locals: read once per tile, not once per vector (the
// stores to C could alias the Epilogue, so the compiler would otherwise reload every field).
struct TileEpilogue {
  float32x4_t alpha, rscale, p0, p1;
  bool scale;
  const float* row_bias;
  const float* col_bias;
  const float* residual;
  int64_t rrs, rcs;
};

inline TileEpilogue tile_epilogue(const Epilogue& ep) {
  TileEpilogue te;
  te.alpha = vdupq_n_f32(ep.alpha), te.rscale = vdupq_n_f32(ep.residual_scale);
  te.p0 = vdupq_n_f32(ep.p0), te.p1 = vdupq_n_f32(ep.p1);
  te.scale = ep.alpha != 1.f;
  te.row_bias = ep.row_bias, te.col_bias = ep.col_bias, te.residual = ep.residual;
  te.rrs = ep.residual_row_stride, te.rcs = ep.residual_col_stride;
  return te;
}

// The epilogue of columns [j, j + n) (n <= 4; n == 4 loads whole vectors) of row i.
template <Activation A>
inline float32x4_t finish(const TileEpilogue& e, float32x4_t v, int64_t i, int64_t j, int64_t n) {
  auto load = [n](const float* p) { return n == 4 ? vld1q_f32(p) : load_partial(p, n); };
  if (e.scale) v = vmulq_f32(v, e.alpha);
  if (e.row_bias) v = vaddq_f32(v, vdupq_n_f32(e.row_bias[i]));
  if (e.col_bias) v = vaddq_f32(v, load(e.col_bias + j));
  if (e.residual) {
    const float* r = e.residual + i * e.rrs;
    v = vfmaq_f32(v, e.rcs == 0 ? vdupq_n_f32(*r) : load(r + j), e.rscale);
  }
  return activate_t<A>(v, e.p0, e.p1);
}

}  // namespace kiln::cpu::neon
