#pragma once
// The fusion passes, one per file in this folder; registered in order by fusion_passes.cpp.
#include "passes/framework/pass.h"

namespace kiln::passes {

}  // namespace kiln::passes
