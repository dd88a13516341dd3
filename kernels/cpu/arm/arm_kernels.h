#pragma once
// The NEON variants of the dispatch slots (kernels/cpu/dispatch.h); each lives in its own
// translation unit under kernels/cpu/arm, built only for AArch64 (where NEON is mandatory, so no
// extra flags or run-time check are needed). fill_neon_kernels (dispatch.h) puts them in a table.
#include "kernels/cpu/dispatch.h"

namespace kiln::cpu::neon {

void f32_gemm_6x16_neon(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t mr, int64_t nr,
                        bool accumulate, const Epilogue* ep);
void f32_dwconv_plane_neon(const DwConvPlane& p, const float* x, const float* w, float* y);
void f32_epilogue_inplace_neon(float* y, int64_t rows, int64_t cols, int64_t ldy, const Epilogue& e);
void f32_activation_neon(const float* x, float* y, int64_t n, Activation act, float p0, float p1);
void f32_exp_neon(const float* x, float* y, int64_t n);
void f32_erf_neon(const float* x, float* y, int64_t n);
void f32_binary_neon(BinaryOp op, const float* a, const float* b, int64_t b_stride, float* y, int64_t n);
void f32_softmax_rows_neon(const float* x, float* y, int64_t rows, int64_t n);
void f32_layernorm_rows_neon(const float* x, const float* gamma, const float* beta, float* y, int64_t rows, int64_t n,
                             float eps);

}  // namespace kiln::cpu::neon
