// Used when Kiln is built without a CUDA compiler: the probe reports why there is no device.
#include "kernels/cuda/cuda_device.h"

namespace kiln {

CudaProbe cuda_probe() {
  CudaProbe p;
  p.reason = "Kiln was built without CUDA (no nvcc found at configure time)";
  return p;
}

}  // namespace kiln
