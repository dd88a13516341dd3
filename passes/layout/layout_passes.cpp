#include "passes/layout/layout_passes.h"

namespace kiln::passes {

void register_layout_passes(PassRegistry& r) {
  register_convert_to_nhwc(r);
}

}  // namespace kiln::passes
