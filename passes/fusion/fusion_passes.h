#pragma once
// The fusion passes, one per file in this folder; registered in order by fusion_passes.cpp.
#include "passes/framework/pass.h"

namespace kiln::passes {

// Linear-algebra fusions: constant per-channel maps, padding and transposes folded into the
// Conv/Gemm next to them.
void register_fuse_conv_batchnorm(PassRegistry& r);
void register_batchnorm_to_scale(PassRegistry& r);
void register_fuse_conv_scale_bias(PassRegistry& r);
void register_fuse_pad_into_conv(PassRegistry& r);
void register_fuse_matmul_add_into_gemm(PassRegistry& r);
void register_fuse_transpose_into_gemm(PassRegistry& r);

// Merges of consecutive shape and data-movement ops of one kind.
void register_merge_transposes(PassRegistry& r);
void register_merge_reshapes(PassRegistry& r);
void register_merge_slices(PassRegistry& r);
void register_merge_concats(PassRegistry& r);

// Passes that recognise written-out activations and normalisations (passes/fusion/patterns/).
void register_pattern_fusion_passes(PassRegistry& r);
// Passes that fold a producer's epilogue (activation, residual Add) or attention into one Kiln op
// (passes/fusion/epilogue/).
void register_epilogue_fusion_passes(PassRegistry& r);

}  // namespace kiln::passes
