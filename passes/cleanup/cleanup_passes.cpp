#include "passes/cleanup/cleanup_passes.h"

namespace kiln::passes {

void register_cleanup_passes(PassRegistry& r) {
  register_eliminate_dead_code(r);
  register_fold_constants(r);
  register_eliminate_identity(r);
  register_eliminate_dropout(r);
  register_eliminate_no_op_nodes(r);
  register_deduplicate_initializers(r);
  register_eliminate_common_subexpressions(r);
}

}  // namespace kiln::passes
