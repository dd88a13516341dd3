// The AVX2+FMA variants into the dispatch table (called only when cpuid reports both).
#include "kernels/cpu/x86/avx2_kernels.h"

namespace kiln::cpu {

void fill_avx2_kernels(CpuKernels& k) {
  k.isa = "avx2+fma";
  k.gemm_mr = 6, k.gemm_nr = 16;
  k.f32_gemm_ukernel = avx2::f32_gemm_6x16_avx2;
  k.f32_dwconv_plane = avx2::f32_dwconv_plane_avx2;
  k.f32_conv_direct = avx2::f32_conv_direct_avx2;
  k.f32_epilogue_inplace = avx2::f32_epilogue_inplace_avx2;
  k.f32_activation = avx2::f32_activation_avx2;
  k.f32_exp = avx2::f32_exp_avx2;
  k.f32_erf = avx2::f32_erf_avx2;
  k.f32_binary = avx2::f32_binary_avx2;
  k.f32_softmax_rows = avx2::f32_softmax_rows_avx2;
  k.f32_layernorm_rows = avx2::f32_layernorm_rows_avx2;
}

}  // namespace kiln::cpu
