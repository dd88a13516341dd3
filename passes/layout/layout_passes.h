#pragma once
// The layout passes, one per file in this folder; registered in order by layout_passes.cpp.
#include "passes/framework/pass.h"

namespace kiln::passes {

void register_convert_to_nhwc(PassRegistry& r);

}  // namespace kiln::passes
