#pragma once
// What the host CPU offers: used to pick kernels and to derive the machine's peak FLOP rate.
#include <string>

namespace kiln {

struct CpuInfo {
  std::string arch;    // "x86_64", "aarch64", ...
  std::string model;   // brand string when the CPU reports one
  int logical_cores = 1;
  bool avx2 = false;
  bool fma = false;
  bool avx512f = false;
  bool neon = false;
};

// Read once; cheap to call repeatedly.
const CpuInfo& cpu_info();

}  // namespace kiln
