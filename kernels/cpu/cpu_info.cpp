#include "kernels/cpu/cpu_info.h"

#include <fstream>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace kiln {
namespace {

CpuInfo detect() {
  CpuInfo ci;
  ci.logical_cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
#if defined(__x86_64__) || defined(__i386__)
  ci.arch = "x86_64";
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d)) {
    ci.fma = (c >> 12) & 1;
    bool osxsave = (c >> 27) & 1;
    bool avx = (c >> 28) & 1;
    unsigned xcr0_lo = 0, xcr0_hi = 0;
    if (osxsave) __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    bool ymm_enabled = (xcr0_lo & 0x6) == 0x6;
    bool zmm_enabled = (xcr0_lo & 0xe6) == 0xe6;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
      ci.avx2 = avx && ymm_enabled && ((b >> 5) & 1);
      ci.avx512f = zmm_enabled && ((b >> 16) & 1);
    }
    ci.fma = ci.fma && ymm_enabled;
  }
  unsigned brand[12] = {};
  if (__get_cpuid(0x80000000, &a, &b, &c, &d) && a >= 0x80000004) {
    for (unsigned i = 0; i < 3; ++i)
      __get_cpuid(0x80000002 + i, &brand[i * 4], &brand[i * 4 + 1], &brand[i * 4 + 2], &brand[i * 4 + 3]);
    ci.model = reinterpret_cast<const char*>(brand);
    while (!ci.model.empty() && (ci.model.back() == ' ' || ci.model.back() == '\0')) ci.model.pop_back();
    auto first = ci.model.find_first_not_of(' ');
    ci.model = first == std::string::npos ? "" : ci.model.substr(first);
  }
#elif defined(__aarch64__)
  ci.arch = "aarch64";
  ci.neon = true;  // Advanced SIMD is mandatory on AArch64
  ci.fma = true;
#else
  ci.arch = "unknown";
#endif
  return ci;
}

}  // namespace

const CpuInfo& cpu_info() {
  static const CpuInfo info = detect();
  return info;
}

}  // namespace kiln
