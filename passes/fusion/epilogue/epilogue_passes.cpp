#include "passes/fusion/epilogue/epilogue_passes.h"
#include "passes/fusion/fusion_passes.h"

namespace kiln::passes {

void register_epilogue_fusion_passes(PassRegistry& r) {
  register_fuse_conv_activation(r);
  register_fuse_gemm_activation(r);
  register_fuse_attention(r);
}

}  // namespace kiln::passes
