#pragma once
// The epilogue fusions, one per file in this folder, registered in order by epilogue_passes.cpp.
// All emit Kiln-domain ops (core/ir/kiln_epilogue_ops.h), so only the "kiln" target runs them.
#include "passes/framework/pass.h"

namespace kiln::passes {

void register_fuse_conv_activation(PassRegistry& r);
void register_fuse_gemm_activation(PassRegistry& r);
void register_fuse_attention(PassRegistry& r);

}  // namespace kiln::passes
