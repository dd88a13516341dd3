#pragma once
// The cleanup passes, one per file in this folder; registered in order by cleanup_passes.cpp.
#include "passes/framework/pass.h"

namespace kiln::passes {

void register_eliminate_dead_code(PassRegistry& r);

}  // namespace kiln::passes
