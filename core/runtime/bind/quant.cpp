#include "core/runtime/kernel.h"

namespace kiln {

void register_quant_kernels(KernelRegistry&) {}

}  // namespace kiln
