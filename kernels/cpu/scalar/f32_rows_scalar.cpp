// Portable row-wise softmax and layer normalization.
#include <algorithm>
#include <cmath>

#include "kernels/cpu/scalar/scalar_kernels.h"

namespace kiln::cpu::scalar {

void f32_softmax_rows_scalar(const float* x, float* y, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r, x += n, y += n) {
    if (n == 0) continue;
    const float mx = *std::max_element(x, x + n);
    float sum = 0.f;
    for (int64_t i = 0; i < n; ++i) sum += (y[i] = std::exp(x[i] - mx));
    const float inv = 1.f / sum;
    for (int64_t i = 0; i < n; ++i) y[i] *= inv;
  }
}

void f32_layernorm_rows_scalar(const float* x, const float* gamma, const float* beta, float* y, int64_t rows,
                               int64_t n, float eps) {
  for (int64_t r = 0; r < rows; ++r, x += n, y += n) {
    if (n == 0) continue;
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += x[i];
    const float mean = static_cast<float>(sum / static_cast<double>(n));
    double var = 0;
    for (int64_t i = 0; i < n; ++i) var += double(x[i] - mean) * double(x[i] - mean);
    const float inv = static_cast<float>(1.0 / std::sqrt(var / static_cast<double>(n) + eps));
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - mean) * inv * gamma[i] + (beta ? beta[i] : 0.f);
  }
}

}  // namespace kiln::cpu::scalar
