#pragma once
// The AVX2+FMA variants of the dispatch slots (kernels/cpu/dispatch.h); each lives in its own
// translation unit under kernels/cpu/x86, built with -mavx2 -mfma.
#include "kernels/cpu/dispatch.h"

namespace kiln::cpu::avx2 {

void f32_gemm_6x16_avx2(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t mr, int64_t nr,
                        bool accumulate, const Epilogue* ep);
void f32_dwconv_plane_avx2(const DwConvPlane& p, const float* x, const float* w, float* y);
void f32_conv_direct_avx2(const DirectConvParams& p, const float* x, const float* packed_w, float* y);
void f32_epilogue_inplace_avx2(float* y, int64_t rows, int64_t cols, int64_t ldy, const Epilogue& e);
void f32_activation_avx2(const float* x, float* y, int64_t n, Activation act, float p0, float p1);
void f32_exp_avx2(const float* x, float* y, int64_t n);
void f32_erf_avx2(const float* x, float* y, int64_t n);
void f32_binary_avx2(BinaryOp op, const float* a, const float* b, int64_t b_stride, float* y, int64_t n);
void f32_softmax_rows_avx2(const float* x, float* y, int64_t rows, int64_t n);
void f32_layernorm_rows_avx2(const float* x, const float* gamma, const float* beta, float* y, int64_t rows, int64_t n,
                             float eps);

}  // namespace kiln::cpu::avx2
