#pragma once
// The cleanup passes, one per file in this folder; registered in order by cleanup_passes.cpp.
#include "passes/framework/pass.h"

namespace kiln::passes {

void register_eliminate_dead_code(PassRegistry& r);
void register_fold_constants(PassRegistry& r);
void register_eliminate_no_ops(PassRegistry& r);
void register_eliminate_common_subexpressions(PassRegistry& r);
void register_dedup_initializers(PassRegistry& r);
void register_fold_shape_chains(PassRegistry& r);

}  // namespace kiln::passes
