// The NEON variants into the dispatch table (AArch64 builds only). Slots without a NEON variant
// (the direct stem convolution) keep the scalar code the table was filled with first.
#include "kernels/cpu/arm/arm_kernels.h"

namespace kiln::cpu {

void fill_neon_kernels(CpuKernels& k) {
  k.isa = "neon";
  k.gemm_mr = 6, k.gemm_nr = 16;  // the packed panel layout shared with the scalar and AVX2 kernels
  k.f32_gemm_ukernel = neon::f32_gemm_6x16_neon;
  k.f32_dwconv_plane = neon::f32_dwconv_plane_neon;
  k.f32_epilogue_inplace = neon::f32_epilogue_inplace_neon;
  k.f32_activation = neon::f32_activation_neon;
  k.f32_exp = neon::f32_exp_neon;
  k.f32_erf = neon::f32_erf_neon;
  k.f32_binary = neon::f32_binary_neon;
  k.f32_softmax_rows = neon::f32_softmax_rows_neon;
  k.f32_layernorm_rows = neon::f32_layernorm_rows_neon;
}

}  // namespace kiln::cpu
