#include "passes/reordering/reordering_passes.h"

namespace kiln::passes {

void register_reordering_passes(PassRegistry& r) {
  register_hoist_slices(r);
  register_sink_transposes(r);
  register_reorder_reshape_unary(r);
  register_move_casts(r);
}

}  // namespace kiln::passes
