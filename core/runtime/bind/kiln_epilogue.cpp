// Reference kernels for the Kiln-domain ops of the epilogue passes.
#include "core/runtime/kernel.h"

namespace kiln {

void register_kiln_epilogue_kernels(KernelRegistry& r) { (void)r; }

}  // namespace kiln
