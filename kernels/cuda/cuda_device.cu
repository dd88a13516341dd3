#include <cuda_runtime.h>

#include "kernels/cuda/cuda_device.h"

namespace kiln {

CudaProbe cuda_probe() {
  CudaProbe p;
  p.built_with_cuda = true;
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    // Without a GPU the runtime answers "driver version is insufficient" or "no CUDA-capable
    // device": both mean there is nothing to run on.
    p.reason = cudaGetErrorString(err);
    cudaGetLastError();
    return p;
  }
  if (count == 0) {
    p.reason = "no CUDA device found";
    return p;
  }
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, i) != cudaSuccess) continue;
    CudaDevice d;
    d.index = i;
    d.name = prop.name;
    d.sm_major = prop.major;
    d.sm_minor = prop.minor;
    d.multiprocessors = prop.multiProcessorCount;
    d.memory_bytes = static_cast<int64_t>(prop.totalGlobalMem);
    p.devices.push_back(d);
  }
  return p;
}

}  // namespace kiln
