// Portable elementwise maps and the in-memory epilogue, through libm.
#include <cmath>

#include "kernels/cpu/scalar/scalar_kernels.h"

namespace kiln::cpu::scalar {

void f32_epilogue_inplace_scalar(float* y, int64_t rows, int64_t cols, int64_t ldy, const Epilogue& e) {
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) y[i * ldy + j] = epilogue_scalar(e, y[i * ldy + j], i, j);
}

void f32_activation_scalar(const float* x, float* y, int64_t n, Activation act, float p0, float p1) {
  for (int64_t i = 0; i < n; ++i) y[i] = activate_scalar(x[i], act, p0, p1);
}

void f32_exp_scalar(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::exp(x[i]);
}

void f32_erf_scalar(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::erf(x[i]);
}

void f32_binary_scalar(BinaryOp op, const float* a, const float* b, int64_t b_stride, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float u = a[i], v = b[i * b_stride];
    switch (op) {
      case BinaryOp::Add: y[i] = u + v; break;
      case BinaryOp::Sub: y[i] = u - v; break;
      case BinaryOp::Mul: y[i] = u * v; break;
      case BinaryOp::Div: y[i] = u / v; break;
    }
  }
}

}  // namespace kiln::cpu::scalar
