// Portable GEMM micro-kernel on the same 6x16 packed panels as the AVX2 one, so packing and
// blocking are shared; plain loops the compiler may vectorize for the baseline ISA.
#include "kernels/cpu/scalar/scalar_kernels.h"

namespace kiln::cpu::scalar {

void f32_gemm_6x16_scalar(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t mr, int64_t nr,
                          bool accumulate, const Epilogue* ep) {
  constexpr int MR = 6, NR = 16;
  float acc[MR][NR] = {};
  for (int64_t p = 0; p < kc; ++p, a += MR, b += NR)
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j) acc[i][j] += a[i] * b[j];
  for (int64_t i = 0; i < mr; ++i)
    for (int64_t j = 0; j < nr; ++j) {
      float v = acc[i][j];
      if (accumulate) v += c[i * ldc + j];
      c[i * ldc + j] = ep ? epilogue_scalar(*ep, v, i, j) : v;
    }
}

}  // namespace kiln::cpu::scalar
