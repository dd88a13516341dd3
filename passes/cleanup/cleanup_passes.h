#pragma once
// The cleanup passes, one per file in this folder; registered in order by cleanup_passes.cpp.
#include "passes/framework/pass.h"

namespace kiln::passes {

void register_eliminate_dead_code(PassRegistry& r);
void register_fold_constants(PassRegistry& r);
void register_eliminate_identity(PassRegistry& r);
void register_eliminate_dropout(PassRegistry& r);
void register_eliminate_no_op_nodes(PassRegistry& r);
void register_deduplicate_initializers(PassRegistry& r);
void register_eliminate_common_subexpressions(PassRegistry& r);

}  // namespace kiln::passes
