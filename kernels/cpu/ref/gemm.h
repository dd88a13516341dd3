#pragma once
// Reference matrix multiply: the ground truth optimized GEMMs are tested against.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace kiln {

struct GemmParams {
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false;  // A is stored k x m
  bool trans_b = false;  // B is stored n x k
  double alpha = 1.0;
  double beta = 0.0;     // Y is read (scaled by beta) only when beta != 0
};

// Y[m x n] = alpha * op(A) * op(B) + beta * Y, all row-major and densely packed.
void f32_gemm_ref(const GemmParams& p, const float* a, const float* b, float* y);
void f64_gemm_ref(const GemmParams& p, const double* a, const double* b, double* y);

// General tensor contraction (Einsum) by a plain loop over every index label. Each operand and
// the output give, per label, the element stride of that label in their buffer: 0 where the label
// is absent or broadcast, the sum of strides where a label repeats (a diagonal). Y is overwritten.
struct EinsumParams {
  std::vector<int64_t> extents;                     // per label
  std::vector<std::vector<int64_t>> input_strides;  // per operand, per label
  std::vector<int64_t> output_strides;              // per label
  int64_t output_numel = 0;
};
template <class T>
void einsum_ref(const EinsumParams& p, const std::vector<const T*>& inputs, T* y);

}  // namespace kiln
