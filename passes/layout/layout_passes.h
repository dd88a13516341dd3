#pragma once
// The layout passes, one per file in this folder; registered in order by layout_passes.cpp.
#include "passes/framework/pass.h"

namespace kiln::passes {

}  // namespace kiln::passes
