// Vectorized elementwise maps (activations, exp, erf, binary arithmetic) and the in-memory
// epilogue, 8 floats at a time with a masked tail.
#include "kernels/cpu/x86/avx2_kernels.h"
#include "kernels/cpu/x86/avx2_math.h"

namespace kiln::cpu::avx2 {

namespace {

template <class F>
inline void map(const float* x, float* y, int64_t n, F f) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, f(_mm256_loadu_ps(x + i)));
  if (i < n) {
    const __m256i m = tail_mask(n - i);
    _mm256_maskstore_ps(y + i, m, f(_mm256_maskload_ps(x + i, m)));
  }
}

}  // namespace

void f32_activation_avx2(const float* x, float* y, int64_t n, Activation act, float p0, float p1) {
  switch (act) {  // one loop per activation, so the switch is not in the loop
    case Activation::Relu: return map(x, y, n, [](__m256 v) { return _mm256_max_ps(v, _mm256_setzero_ps()); });
    case Activation::Sigmoid: return map(x, y, n, sigmoid_ps);
    case Activation::Tanh: return map(x, y, n, tanh_ps);
    case Activation::Gelu: return map(x, y, n, gelu_ps);
    case Activation::GeluTanh: return map(x, y, n, gelu_tanh_ps);
    case Activation::Silu: return map(x, y, n, [](__m256 v) { return _mm256_mul_ps(v, sigmoid_ps(v)); });
    default: return map(x, y, n, [&](__m256 v) { return activate_ps(v, act, p0, p1); });
  }
}

void f32_exp_avx2(const float* x, float* y, int64_t n) { map(x, y, n, exp_ps); }
void f32_erf_avx2(const float* x, float* y, int64_t n) { map(x, y, n, erf_ps); }

void f32_binary_avx2(BinaryOp op, const float* a, const float* b, int64_t b_stride, float* y, int64_t n) {
  auto run = [&](auto f) {
    if (b_stride == 0) {
      const __m256 s = _mm256_broadcast_ss(b);
      map(a, y, n, [&](__m256 v) { return f(v, s); });
      return;
    }
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, f(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
    if (i < n) {
      const __m256i m = tail_mask(n - i);
      _mm256_maskstore_ps(y + i, m, f(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m)));
    }
  };
  switch (op) {
    case BinaryOp::Add: return run([](__m256 u, __m256 v) { return _mm256_add_ps(u, v); });
    case BinaryOp::Sub: return run([](__m256 u, __m256 v) { return _mm256_sub_ps(u, v); });
    case BinaryOp::Mul: return run([](__m256 u, __m256 v) { return _mm256_mul_ps(u, v); });
    case BinaryOp::Div: return run([](__m256 u, __m256 v) { return _mm256_div_ps(u, v); });
  }
}

void f32_epilogue_inplace_avx2(float* y, int64_t rows, int64_t cols, int64_t ldy, const Epilogue& e) {
  const __m256 alpha = _mm256_set1_ps(e.alpha), rscale = _mm256_set1_ps(e.residual_scale);
  for (int64_t i = 0; i < rows; ++i) {
    float* row = y + i * ldy;
    const __m256 rb = _mm256_set1_ps(e.row_bias ? e.row_bias[i] : 0.f);
    const float* res = e.residual ? e.residual + i * e.residual_row_stride : nullptr;
    auto one = [&](__m256 v, int64_t j, __m256i mask, bool full) {
      v = _mm256_fmadd_ps(v, alpha, rb);
      if (e.col_bias) v = _mm256_add_ps(v, full ? _mm256_loadu_ps(e.col_bias + j) : _mm256_maskload_ps(e.col_bias + j, mask));
      if (res) {
        const __m256 z = e.residual_col_stride == 0 ? _mm256_broadcast_ss(res)
                         : full                     ? _mm256_loadu_ps(res + j)
                                                    : _mm256_maskload_ps(res + j, mask);
        v = _mm256_fmadd_ps(z, rscale, v);
      }
      return activate_ps(v, e.act, e.p0, e.p1);
    };
    int64_t j = 0;
    const __m256i all = _mm256_set1_epi32(-1);
    for (; j + 8 <= cols; j += 8) _mm256_storeu_ps(row + j, one(_mm256_loadu_ps(row + j), j, all, true));
    if (j < cols) {
      const __m256i m = tail_mask(cols - j);
      _mm256_maskstore_ps(row + j, m, one(_mm256_maskload_ps(row + j, m), j, m, false));
    }
  }
}

}  // namespace kiln::cpu::avx2
