#pragma once
// The pattern-recognition fusion passes, one per file in this folder: written-out activations
// and normalisations become single ops. Registered in order by pattern_passes.cpp.
#include "passes/framework/pass.h"

namespace kiln::passes {

void register_fuse_hardswish(PassRegistry& r);
void register_fuse_hardsigmoid(PassRegistry& r);
void register_fuse_silu(PassRegistry& r);
void register_fuse_gelu(PassRegistry& r);
void register_fuse_layer_norm(PassRegistry& r);
void register_fuse_rms_norm(PassRegistry& r);
void register_fuse_skip_layer_norm(PassRegistry& r);

}  // namespace kiln::passes
