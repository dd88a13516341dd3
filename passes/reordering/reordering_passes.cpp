#include "passes/reordering/reordering_passes.h"

namespace kiln::passes {

void register_reordering_passes(PassRegistry& r) {
  (void)r;
}

}  // namespace kiln::passes
