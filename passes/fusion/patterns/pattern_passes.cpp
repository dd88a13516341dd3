#include "passes/fusion/patterns/pattern_passes.h"

#include "passes/fusion/fusion_passes.h"

namespace kiln::passes {

void register_pattern_fusion_passes(PassRegistry& r) {
  // HardSwish before HardSigmoid: x * Clip(x + 3, 0, 6) / 6 contains Clip(x + 3, 0, 6) / 6.
  register_fuse_hardswish(r);
  register_fuse_hardsigmoid(r);
  register_fuse_silu(r);
  register_fuse_gelu(r);
  // LayerNormalization before SkipLayerNormalization, which starts from it.
  register_fuse_layer_norm(r);
  register_fuse_rms_norm(r);
  register_fuse_skip_layer_norm(r);
}

}  // namespace kiln::passes
