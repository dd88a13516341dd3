#include "passes/layout/layout_passes.h"

namespace kiln::passes {

void register_layout_passes(PassRegistry& r) {
  (void)r;
}

}  // namespace kiln::passes
