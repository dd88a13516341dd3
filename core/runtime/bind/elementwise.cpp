#include "core/runtime/kernel.h"

namespace kiln {

void register_elementwise_kernels(KernelRegistry&) {}

}  // namespace kiln
