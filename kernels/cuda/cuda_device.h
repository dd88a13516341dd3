#pragma once
// CUDA device discovery. A machine without a GPU (or a build without CUDA) is a normal case:
// the probe says so with a reason, and everything that needs a device skips.
#include <cstdint>
#include <string>
#include <vector>

namespace kiln {

struct CudaDevice {
  int index = 0;
  std::string name;
  int sm_major = 0;
  int sm_minor = 0;
  int multiprocessors = 0;
  int64_t memory_bytes = 0;
};

struct CudaProbe {
  bool built_with_cuda = false;
  std::vector<CudaDevice> devices;
  std::string reason;  // why there is no device, when devices is empty
  bool available() const { return !devices.empty(); }
};

CudaProbe cuda_probe();

}  // namespace kiln
