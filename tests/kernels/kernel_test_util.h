#pragma once
// Shared helpers of the optimized-kernel tests: seeded data, the kernel tables to test (scalar
// always, AVX2 where the machine has it, NEON on AArch64), tolerance checks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "kernels/cpu/dispatch.h"

namespace kiln::cpu::test {

inline std::vector<float> random_vector(size_t n, uint64_t seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

struct NamedKernels {
  std::string name;
  CpuKernels table;
};

inline std::vector<NamedKernels> kernel_tables() {
  std::vector<NamedKernels> t{{"scalar", scalar_cpu_kernels()}};
  if (have_avx2_kernels()) t.push_back({"avx2", avx2_cpu_kernels()});
  if (have_neon_kernels()) t.push_back({"neon", neon_cpu_kernels()});
  return t;
}

// |got - want| <= atol + rtol * |want| everywhere; reports the first mismatch.
inline ::testing::AssertionResult all_close(const std::vector<float>& got, const std::vector<float>& want, float atol,
                                            float rtol) {
  if (got.size() != want.size()) return ::testing::AssertionFailure() << "size " << got.size() << " vs " << want.size();
  for (size_t i = 0; i < got.size(); ++i) {
    const float tol = atol + rtol * std::fabs(want[i]);
    if (!(std::fabs(got[i] - want[i]) <= tol))
      return ::testing::AssertionFailure() << "at " << i << ": got " << got[i] << ", want " << want[i];
  }
  return ::testing::AssertionSuccess();
}

}  // namespace kiln::cpu::test
