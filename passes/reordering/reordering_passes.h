#pragma once
// The reordering passes, one per file in this folder; registered in order by reordering_passes.cpp.
#include "passes/framework/pass.h"

namespace kiln::passes {

}  // namespace kiln::passes
