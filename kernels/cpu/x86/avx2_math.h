#pragma once
// Vector math for the AVX2+FMA translation units (include only from files built with
// -mavx2 -mfma). Error bounds, checked over dense sweeps in tests/kernels/vmath_test.cpp:
//   exp:     relative error <= 2 ulp-ish (3e-7) over [-87, 88]; 0 below -87.3, +inf above 88.7
//   tanh:    absolute error <= 3e-7 (rational minimax on [-9, 9], saturates to +-1 outside)
//   sigmoid: absolute error <= 3e-7 (1 / (1 + exp(-x)) with the exp above)
//   erf:     absolute error <= 5e-7 (Abramowitz & Stegun 7.1.26 with an exact reciprocal)
//   GELU:    absolute error <= 5e-7 * |x| (x/2 · (1 + erf(x/√2)))
#include <immintrin.h>

#include <type_traits>

#include "kernels/cpu/epilogue.h"

namespace kiln::cpu::avx2 {

inline __m256 exp_ps(__m256 x) {
  const __m256 hi = _mm256_set1_ps(88.7228391f), lo = _mm256_set1_ps(-87.3365448f);
  const __m256 big = _mm256_cmp_ps(x, hi, _CMP_GT_OQ);
  const __m256 tiny = _mm256_cmp_ps(x, lo, _CMP_LT_OQ);
  x = _mm256_min_ps(_mm256_max_ps(x, lo), hi);
  // x = n·ln2 + r, |r| <= ln2/2; ln2 split in two for an exact product.
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  // Degree-6 polynomial for e^r (Cephes expf coefficients).
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.f)));
  // 2^n in two halves so n = 128 (x near 88.7) does not overflow the exponent field.
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i h1 = _mm256_srai_epi32(ni, 1), h2 = _mm256_sub_epi32(ni, h1);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(h1, _mm256_set1_epi32(127)), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(h2, _mm256_set1_epi32(127)), 23));
  __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
  y = _mm256_blendv_ps(y, _mm256_set1_ps(__builtin_inff()), big);
  return _mm256_andnot_ps(tiny, y);
}

inline __m256 sigmoid_ps(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.f);
  return _mm256_div_ps(one, _mm256_add_ps(one, exp_ps(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

// tanh via the odd rational minimax approximation used by Eigen (13/6), clamped at +-9 where
// tanh rounds to +-1 in float.
inline __m256 tanh_ps(__m256 x) {
  const __m256 clamp = _mm256_set1_ps(7.90531110763549805f);
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_sub_ps(_mm256_setzero_ps(), clamp)), clamp);
  const __m256 x2 = _mm256_mul_ps(x, x);
  __m256 p = _mm256_set1_ps(-2.76076847742355e-16f);
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(2.00018790482477e-13f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-8.60467152213735e-11f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(5.12229709037114e-08f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(1.48572235717979e-05f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(6.37261928875436e-04f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(4.89352455891786e-03f));
  p = _mm256_mul_ps(p, x);
  __m256 q = _mm256_set1_ps(1.19825839466702e-06f);
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(1.18534705686654e-04f));
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(2.26843463243900e-03f));
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(4.89352518554385e-03f));
  return _mm256_div_ps(p, q);
}

inline __m256 erf_ps(__m256 x) {
  const __m256 sign = _mm256_and_ps(x, _mm256_set1_ps(-0.f));
  __m256 ax = _mm256_min_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.f), x), _mm256_set1_ps(5.f));
  const __m256 one = _mm256_set1_ps(1.f);
  const __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(_mm256_set1_ps(0.3275911f), ax, one));
  __m256 p = _mm256_set1_ps(1.061405429f);
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.453152027f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.421413741f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.284496736f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.254829592f));
  p = _mm256_mul_ps(p, t);
  const __m256 e = exp_ps(_mm256_sub_ps(_mm256_setzero_ps(), _mm256_mul_ps(ax, ax)));
  const __m256 y = _mm256_fnmadd_ps(p, e, one);
  return _mm256_or_ps(y, sign);
}

inline __m256 gelu_ps(__m256 x) {
  const __m256 half_x = _mm256_mul_ps(x, _mm256_set1_ps(0.5f));
  return _mm256_fmadd_ps(half_x, erf_ps(_mm256_mul_ps(x, _mm256_set1_ps(0.70710678118654752f))), half_x);
}

inline __m256 gelu_tanh_ps(__m256 x) {
  const __m256 half_x = _mm256_mul_ps(x, _mm256_set1_ps(0.5f));
  const __m256 x3 = _mm256_mul_ps(_mm256_mul_ps(x, x), x);
  const __m256 u = _mm256_mul_ps(_mm256_set1_ps(0.79788456080286536f), _mm256_fmadd_ps(_mm256_set1_ps(0.044715f), x3, x));
  return _mm256_fmadd_ps(half_x, tanh_ps(u), half_x);
}

inline __m256 activate_ps(__m256 v, Activation act, float p0, float p1) {
  switch (act) {
    case Activation::None: return v;
    case Activation::Relu: return _mm256_max_ps(v, _mm256_setzero_ps());
    case Activation::LeakyRelu: {
      const __m256 neg = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ);
      return _mm256_blendv_ps(v, _mm256_mul_ps(v, _mm256_set1_ps(p0)), neg);
    }
    case Activation::Clip: return _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(p0)), _mm256_set1_ps(p1));
    case Activation::Sigmoid: return sigmoid_ps(v);
    case Activation::HardSigmoid:
      return _mm256_min_ps(_mm256_max_ps(_mm256_fmadd_ps(v, _mm256_set1_ps(p0), _mm256_set1_ps(p1)), _mm256_setzero_ps()),
                           _mm256_set1_ps(1.f));
    case Activation::HardSwish: {
      const __m256 g = _mm256_fmadd_ps(v, _mm256_set1_ps(1.f / 6.f), _mm256_set1_ps(0.5f));
      return _mm256_mul_ps(v, _mm256_min_ps(_mm256_max_ps(g, _mm256_setzero_ps()), _mm256_set1_ps(1.f)));
    }
    case Activation::Tanh: return tanh_ps(v);
    case Activation::Silu: return _mm256_mul_ps(v, sigmoid_ps(v));
    case Activation::Gelu: return gelu_ps(v);
    case Activation::GeluTanh: return gelu_tanh_ps(v);
  }
  return v;
}

// The same with the activation fixed at compile time and its parameters already broadcast, for
// loops that apply one activation to many vectors.
template <Activation A>
inline __m256 activate_t(__m256 v, __m256 p0, __m256 p1) {
  if constexpr (A == Activation::None) {
    return v;
  } else if constexpr (A == Activation::Relu) {
    return _mm256_max_ps(v, _mm256_setzero_ps());
  } else if constexpr (A == Activation::LeakyRelu) {
    return _mm256_blendv_ps(v, _mm256_mul_ps(v, p0), _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ));
  } else if constexpr (A == Activation::Clip) {
    return _mm256_min_ps(_mm256_max_ps(v, p0), p1);
  } else if constexpr (A == Activation::Sigmoid) {
    return sigmoid_ps(v);
  } else if constexpr (A == Activation::HardSigmoid) {
    return _mm256_min_ps(_mm256_max_ps(_mm256_fmadd_ps(v, p0, p1), _mm256_setzero_ps()), _mm256_set1_ps(1.f));
  } else if constexpr (A == Activation::HardSwish) {
    const __m256 g = _mm256_fmadd_ps(v, _mm256_set1_ps(1.f / 6.f), _mm256_set1_ps(0.5f));
    return _mm256_mul_ps(v, _mm256_min_ps(_mm256_max_ps(g, _mm256_setzero_ps()), _mm256_set1_ps(1.f)));
  } else if constexpr (A == Activation::Tanh) {
    return tanh_ps(v);
  } else if constexpr (A == Activation::Silu) {
    return _mm256_mul_ps(v, sigmoid_ps(v));
  } else if constexpr (A == Activation::Gelu) {
    return gelu_ps(v);
  } else {
    return gelu_tanh_ps(v);
  }
}

// Lanes [0, n) set, for masked loads and stores of a row tail (0 <= n <= 8).
inline __m256i tail_mask(int64_t n) {
  alignas(32) static const int32_t table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(table + 8 - n));
}

}  // namespace kiln::cpu::avx2
