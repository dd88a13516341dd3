// Reference kernels for the Kiln-domain ops of the layout passes.
#include "core/runtime/kernel.h"

namespace kiln {

void register_kiln_layout_kernels(KernelRegistry& r) { (void)r; }

}  // namespace kiln
