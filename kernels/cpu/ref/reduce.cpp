// The reference reductions are templates over the element type (reduce.h); this unit checks that
// the header stands alone and instantiates the common float case once.
#include "kernels/cpu/ref/reduce.h"

namespace kiln::ref {

template void reduce<float>(const float*, const Dims&, const std::vector<bool>&, float*, ReduceKind);

}  // namespace kiln::ref
