// Reference kernels for the Kiln-domain ops of the patterns passes.
#include "core/runtime/kernel.h"

namespace kiln {

void register_kiln_pattern_kernels(KernelRegistry& r) { (void)r; }

}  // namespace kiln
