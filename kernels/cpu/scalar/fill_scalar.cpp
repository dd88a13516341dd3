// The scalar variants into the dispatch table: every slot, on every platform.
#include "kernels/cpu/scalar/scalar_kernels.h"

namespace kiln::cpu {

void fill_scalar_kernels(CpuKernels& k) {
  k.isa = "scalar";
  k.gemm_mr = 6, k.gemm_nr = 16;
  k.f32_gemm_ukernel = scalar::f32_gemm_6x16_scalar;
  k.f32_dwconv_plane = scalar::f32_dwconv_plane_scalar;
  k.f32_conv_direct = scalar::f32_conv_direct_scalar;
  k.f32_epilogue_inplace = scalar::f32_epilogue_inplace_scalar;
  k.f32_activation = scalar::f32_activation_scalar;
  k.f32_exp = scalar::f32_exp_scalar;
  k.f32_erf = scalar::f32_erf_scalar;
  k.f32_binary = scalar::f32_binary_scalar;
  k.f32_softmax_rows = scalar::f32_softmax_rows_scalar;
  k.f32_layernorm_rows = scalar::f32_layernorm_rows_scalar;
}

}  // namespace kiln::cpu
