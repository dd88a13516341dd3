#include "kernels/cpu/dispatch.h"

#include <cstdlib>
#include <string_view>

#include "kernels/cpu/cpu_info.h"

namespace kiln::cpu {

CpuKernels scalar_cpu_kernels() {
  CpuKernels k;
  fill_scalar_kernels(k);
  return k;
}

bool have_avx2_kernels() {
#if defined(KILN_HAVE_X86_KERNELS)
  return cpu_info().avx2 && cpu_info().fma;
#else
  return false;
#endif
}

CpuKernels avx2_cpu_kernels() {
  CpuKernels k = scalar_cpu_kernels();
#if defined(KILN_HAVE_X86_KERNELS)
  if (have_avx2_kernels()) fill_avx2_kernels(k);
#endif
  return k;
}

bool have_neon_kernels() {
#if defined(KILN_HAVE_ARM_KERNELS) && defined(__aarch64__)
  return cpu_info().neon;  // Advanced SIMD is part of the AArch64 base ISA: always true there
#else
  return false;
#endif
}

CpuKernels neon_cpu_kernels() {
  CpuKernels k = scalar_cpu_kernels();
#if defined(KILN_HAVE_ARM_KERNELS) && defined(__aarch64__)
  fill_neon_kernels(k);
#endif
  return k;
}

const CpuKernels& cpu_kernels() {
  // KILN_CPU_KERNELS=scalar forces the portable variants (to test or compare them end to end).
  static const CpuKernels table = [] {
    const char* force = std::getenv("KILN_CPU_KERNELS");
    if (force && std::string_view(force) == "scalar") return scalar_cpu_kernels();
    if (have_avx2_kernels()) return avx2_cpu_kernels();
    if (have_neon_kernels()) return neon_cpu_kernels();
    return scalar_cpu_kernels();
  }();
  return table;
}

}  // namespace kiln::cpu
