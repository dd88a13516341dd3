#include "passes/fusion/fusion_passes.h"

namespace kiln::passes {

void register_pattern_fusion_passes(PassRegistry& r) {
  (void)r;
}

}  // namespace kiln::passes
