#pragma once
// The CPU kernel table: one struct of function pointers, filled once at start-up from cpu_info()
// with the best variant each slot has on this machine (AVX2+FMA on x86-64, later NEON on
// AArch64) and the portable scalar code otherwise. The layout is the same on every platform, so
// call sites never need an #ifdef: each ISA's translation units (kernels/cpu/x86/*, built with
// their own flags, and kernels/cpu/arm/* on AArch64) expose one fill function that overwrites
// the slots they implement.
#include <cstdint>

#include "kernels/cpu/epilogue.h"

namespace kiln::cpu {

// One channel plane of a depthwise convolution over an input already zero-padded on every side
// (in_w wide, with at least 16 floats of readable slack after the last row).
struct DwConvPlane {
  int64_t kernel_h = 3, kernel_w = 3;
  int64_t stride_h = 1, stride_w = 1;
  int64_t in_w = 0;  // padded row length
  int64_t out_h = 0, out_w = 0;
};

// A direct (im2col-free) convolution for layers with few input channels (network stems), where
// im2col would write kernel_h·kernel_w/stride² times the input: all output channels of one
// zero-padded image (in_channels planes of in_h x in_w, at least 16 floats of slack after the
// last), weights packed by f32_conv_direct_pack in blocks of 8 output channels.
struct DirectConvParams {
  int64_t in_channels = 1, out_channels = 1;
  int64_t in_h = 0, in_w = 0;  // padded
  int64_t out_h = 0, out_w = 0;
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;
};

enum class BinaryOp : int32_t { Add, Sub, Mul, Div };

struct CpuKernels {
  const char* isa = "scalar";

  // GEMM micro-kernel over packed panels (layout in kernels/cpu/gemm.h): the mr x nr tile of C
  // at c (row stride ldc, mr <= gemm_mr, nr <= gemm_nr) gets A_panel(kc x gemm_mr) ·
  // B_panel(kc x gemm_nr), added to what C holds when `accumulate`. With an epilogue (already
  // offset to this tile), it is applied before the store; without, the raw sum is stored.
  int gemm_mr = 6, gemm_nr = 16;
  void (*f32_gemm_ukernel)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t mr,
                           int64_t nr, bool accumulate, const Epilogue* ep) = nullptr;

  // Depthwise convolution of one padded plane with a kernel_h x kernel_w filter (no bias).
  void (*f32_dwconv_plane)(const DwConvPlane& p, const float* x, const float* w, float* y) = nullptr;

  // Direct convolution (no bias) of one padded image into y [out_channels, out_h, out_w].
  void (*f32_conv_direct)(const DirectConvParams& p, const float* x, const float* packed_w, float* y) = nullptr;

  // y = epilogue(y) over a rows x cols block with row stride ldy (acc is what y holds).
  void (*f32_epilogue_inplace)(float* y, int64_t rows, int64_t cols, int64_t ldy, const Epilogue& e) = nullptr;

  // Elementwise maps; y may alias x.
  void (*f32_activation)(const float* x, float* y, int64_t n, Activation act, float p0, float p1) = nullptr;
  void (*f32_exp)(const float* x, float* y, int64_t n) = nullptr;
  void (*f32_erf)(const float* x, float* y, int64_t n) = nullptr;
  // y[i] = a[i] op b[i * b_stride], b_stride 0 or 1; y may alias a.
  void (*f32_binary)(BinaryOp op, const float* a, const float* b, int64_t b_stride, float* y, int64_t n) = nullptr;

  // Row-wise softmax over `rows` rows of n contiguous values.
  void (*f32_softmax_rows)(const float* x, float* y, int64_t rows, int64_t n) = nullptr;
  // Row-wise layer normalization: y = (x - mean) / sqrt(var + eps) * gamma + beta (beta may be null).
  void (*f32_layernorm_rows)(const float* x, const float* gamma, const float* beta, float* y, int64_t rows,
                             int64_t n, float eps) = nullptr;
};

// The table for this machine, resolved on first call (KILN_CPU_KERNELS=scalar in the environment
// forces the portable one).
const CpuKernels& cpu_kernels();

// Individual variants, for tests that compare them and benchmarks that time them.
CpuKernels scalar_cpu_kernels();
// Whether this build and this machine have the AVX2+FMA variants; avx2_cpu_kernels() is the
// scalar table with those slots filled (the scalar table when they are absent).
bool have_avx2_kernels();
CpuKernels avx2_cpu_kernels();
// Whether this build has the NEON variants (AArch64 builds, where NEON is mandatory);
// neon_cpu_kernels() is the scalar table with those slots filled (the scalar table without them).
bool have_neon_kernels();
CpuKernels neon_cpu_kernels();

// Filled by each ISA's translation units.
void fill_scalar_kernels(CpuKernels& k);
void fill_avx2_kernels(CpuKernels& k);  // defined in kernels/cpu/x86 on x86-64 builds only
void fill_neon_kernels(CpuKernels& k);  // defined in kernels/cpu/arm on AArch64 builds only

}  // namespace kiln::cpu
