#include "core/runtime/kernel.h"

namespace kiln {

void register_control_flow_kernels(KernelRegistry&) {}

}  // namespace kiln
