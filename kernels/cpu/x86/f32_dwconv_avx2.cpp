// Depthwise convolution of one zero-padded plane: 8 output columns per vector, the filter taps
// broadcast from registers. 3x3 and 5x5 at strides 1 and 2 are specialised (stride 2 reads 16
// inputs and keeps the even ones); other shapes take the scalar kernel.
#include "kernels/cpu/scalar/scalar_kernels.h"
#include "kernels/cpu/x86/avx2_kernels.h"
#include "kernels/cpu/x86/avx2_math.h"

namespace kiln::cpu::avx2 {

namespace {

template <int S>
inline __m256 load_strided(const float* p) {
  if constexpr (S == 1) {
    return _mm256_loadu_ps(p);
  } else {
    const __m256 lo = _mm256_loadu_ps(p), hi = _mm256_loadu_ps(p + 8);
    const __m256 even = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));  // a0 a2 b0 b2 | a4 a6 b4 b6
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(even), _MM_SHUFFLE(3, 1, 2, 0)));
  }
}

template <int K, int S>
void plane(const DwConvPlane& p, const float* x, const float* w, float* y) {
  __m256 taps[K * K];
  for (int t = 0; t < K * K; ++t) taps[t] = _mm256_broadcast_ss(w + t);
  for (int64_t oh = 0; oh < p.out_h; ++oh) {
    const float* rows = x + oh * S * p.in_w;
    float* out = y + oh * p.out_w;
    int64_t ow = 0;
    for (; ow + 8 <= p.out_w; ow += 8) {
      __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
      for (int kh = 0; kh < K; ++kh) {
        const float* r = rows + kh * p.in_w + ow * S;
        for (int kw = 0; kw < K; ++kw) {
          if (kw & 1)
            acc1 = _mm256_fmadd_ps(taps[kh * K + kw], load_strided<S>(r + kw), acc1);
          else
            acc0 = _mm256_fmadd_ps(taps[kh * K + kw], load_strided<S>(r + kw), acc0);
        }
      }
      _mm256_storeu_ps(out + ow, _mm256_add_ps(acc0, acc1));
    }
    for (; ow < p.out_w; ++ow) {
      float acc = 0.f;
      const float* r = rows + ow * S;
      for (int kh = 0; kh < K; ++kh)
        for (int kw = 0; kw < K; ++kw) acc += r[kh * p.in_w + kw] * w[kh * K + kw];
      out[ow] = acc;
    }
  }
}

}  // namespace

void f32_dwconv_plane_avx2(const DwConvPlane& p, const float* x, const float* w, float* y) {
  const bool square = p.kernel_h == p.kernel_w && p.stride_h == p.stride_w;
  if (square && p.kernel_h == 3 && p.stride_h == 1) return plane<3, 1>(p, x, w, y);
  if (square && p.kernel_h == 3 && p.stride_h == 2) return plane<3, 2>(p, x, w, y);
  if (square && p.kernel_h == 5 && p.stride_h == 1) return plane<5, 1>(p, x, w, y);
  if (square && p.kernel_h == 5 && p.stride_h == 2) return plane<5, 2>(p, x, w, y);
  scalar::f32_dwconv_plane_scalar(p, x, w, y);
}

}  // namespace kiln::cpu::avx2
