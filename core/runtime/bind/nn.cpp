#include "core/runtime/kernel.h"

namespace kiln {

void register_nn_kernels(KernelRegistry&) {}

}  // namespace kiln
