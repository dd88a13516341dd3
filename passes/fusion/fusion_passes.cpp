#include "passes/fusion/fusion_passes.h"

namespace kiln::passes {

void register_fusion_passes(PassRegistry& r) {
  register_fuse_conv_batchnorm(r);
  register_batchnorm_to_scale(r);
  register_fuse_conv_scale_bias(r);
  register_fuse_pad_into_conv(r);
  register_fuse_matmul_add_into_gemm(r);
  register_fuse_transpose_into_gemm(r);
  register_merge_transposes(r);
  register_merge_reshapes(r);
  register_merge_slices(r);
  register_merge_concats(r);
  register_pattern_fusion_passes(r);
  register_epilogue_fusion_passes(r);
}

}  // namespace kiln::passes
