#include "passes/cleanup/cleanup_passes.h"

namespace kiln::passes {

void register_cleanup_passes(PassRegistry& r) {
  register_eliminate_dead_code(r);
  register_fold_constants(r);
  register_eliminate_no_ops(r);
  register_eliminate_common_subexpressions(r);
  register_dedup_initializers(r);
  register_fold_shape_chains(r);
}

}  // namespace kiln::passes
