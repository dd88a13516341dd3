#pragma once
// The reordering passes, one per file in this folder; registered in order by reordering_passes.cpp.
#include "passes/framework/pass.h"

namespace kiln::passes {

void register_hoist_slices(PassRegistry& r);
void register_sink_transposes(PassRegistry& r);
void register_reorder_reshape_unary(PassRegistry& r);
void register_move_casts(PassRegistry& r);

}  // namespace kiln::passes
