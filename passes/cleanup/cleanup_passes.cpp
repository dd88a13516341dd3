#include "passes/cleanup/cleanup_passes.h"

namespace kiln::passes {

void register_cleanup_passes(PassRegistry& r) {
  register_eliminate_dead_code(r);
}

}  // namespace kiln::passes
