#pragma once
// The portable variants of every dispatch slot (kernels/cpu/dispatch.h).
#include "kernels/cpu/dispatch.h"

namespace kiln::cpu::scalar {

void f32_gemm_6x16_scalar(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t mr, int64_t nr,
                          bool accumulate, const Epilogue* ep);
void f32_dwconv_plane_scalar(const DwConvPlane& p, const float* x, const float* w, float* y);
void f32_conv_direct_scalar(const DirectConvParams& p, const float* x, const float* packed_w, float* y);
void f32_epilogue_inplace_scalar(float* y, int64_t rows, int64_t cols, int64_t ldy, const Epilogue& e);
void f32_activation_scalar(const float* x, float* y, int64_t n, Activation act, float p0, float p1);
void f32_exp_scalar(const float* x, float* y, int64_t n);
void f32_erf_scalar(const float* x, float* y, int64_t n);
void f32_binary_scalar(BinaryOp op, const float* a, const float* b, int64_t b_stride, float* y, int64_t n);
void f32_softmax_rows_scalar(const float* x, float* y, int64_t rows, int64_t n);
void f32_layernorm_rows_scalar(const float* x, const float* gamma, const float* beta, float* y, int64_t rows,
                               int64_t n, float eps);

}  // namespace kiln::cpu::scalar
