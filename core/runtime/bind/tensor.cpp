#include "core/runtime/kernel.h"

namespace kiln {

void register_tensor_kernels(KernelRegistry&) {}

}  // namespace kiln
