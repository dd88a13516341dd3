// Direct convolution for few input channels: 8 output columns x 8 output channels in registers,
// one strided input load per tap feeding 8 FMAs with the tap's 8 weights broadcast.
#include "kernels/cpu/x86/avx2_kernels.h"
#include "kernels/cpu/x86/avx2_math.h"

namespace kiln::cpu::avx2 {

namespace {

template <int S>
inline __m256 load_columns(const float* p, __m256i index) {
  if constexpr (S == 1) {
    return _mm256_loadu_ps(p);
  } else if constexpr (S == 2) {
    const __m256 lo = _mm256_loadu_ps(p), hi = _mm256_loadu_ps(p + 8);
    const __m256 even = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(even), _MM_SHUFFLE(3, 1, 2, 0)));
  } else {
    return _mm256_i32gather_ps(p, index, 4);
  }
}

template <int S>
void direct(const DirectConvParams& p, const float* x, const float* packed_w, float* y) {
  const int64_t taps = p.in_channels * p.kernel_h * p.kernel_w, ohw = p.out_h * p.out_w;
  const int64_t sw = S > 0 ? S : p.stride_w;
  const __m256i index = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(static_cast<int>(sw)));
  alignas(32) float tail[8][8];
  for (int64_t mb = 0; mb < p.out_channels; mb += 8) {
    const float* wb = packed_w + (mb / 8) * taps * 8;
    const int64_t channels = std::min<int64_t>(8, p.out_channels - mb);
    for (int64_t oh = 0; oh < p.out_h; ++oh)
      for (int64_t ow = 0; ow < p.out_w; ow += 8) {
        // Named accumulators: with an array, compilers keep them in memory across the tap loops.
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        const float* w = wb;
        for (int64_t c = 0; c < p.in_channels; ++c)
          for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
            const float* row = x + (c * p.in_h + oh * p.stride_h + kh) * p.in_w + ow * sw;
            for (int64_t kw = 0; kw < p.kernel_w; ++kw, w += 8) {
              const __m256 xv = load_columns<S>(row + kw, index);
              a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(w + 0), xv, a0);
              a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(w + 1), xv, a1);
              a2 = _mm256_fmadd_ps(_mm256_broadcast_ss(w + 2), xv, a2);
              a3 = _mm256_fmadd_ps(_mm256_broadcast_ss(w + 3), xv, a3);
              a4 = _mm256_fmadd_ps(_mm256_broadcast_ss(w + 4), xv, a4);
              a5 = _mm256_fmadd_ps(_mm256_broadcast_ss(w + 5), xv, a5);
              a6 = _mm256_fmadd_ps(_mm256_broadcast_ss(w + 6), xv, a6);
              a7 = _mm256_fmadd_ps(_mm256_broadcast_ss(w + 7), xv, a7);
            }
          }
        const __m256 acc[8] = {a0, a1, a2, a3, a4, a5, a6, a7};
        const int64_t cols = std::min<int64_t>(8, p.out_w - ow);
        float* out = y + mb * ohw + oh * p.out_w + ow;
        if (cols == 8) {
          for (int o = 0; o < channels; ++o) _mm256_storeu_ps(out + o * ohw, acc[o]);
        } else {
          for (int o = 0; o < channels; ++o) {
            _mm256_store_ps(tail[o], acc[o]);
            for (int64_t j = 0; j < cols; ++j) out[o * ohw + j] = tail[o][j];
          }
        }
      }
  }
}

}  // namespace

void f32_conv_direct_avx2(const DirectConvParams& p, const float* x, const float* packed_w, float* y) {
  if (p.stride_w == 1) return direct<1>(p, x, packed_w, y);
  if (p.stride_w == 2) return direct<2>(p, x, packed_w, y);
  direct<0>(p, x, packed_w, y);
}

}  // namespace kiln::cpu::avx2
