#include "kernels/cpu/ref/gemm.h"

#include <cstddef>

namespace kiln {

namespace {
template <class T>
void gemm_ref(const GemmParams& p, const T* a, const T* b, T* y) {
  for (int64_t i = 0; i < p.m; ++i) {
    for (int64_t j = 0; j < p.n; ++j) {
      double acc = 0.0;
      for (int64_t l = 0; l < p.k; ++l) {
        const T av = p.trans_a ? a[l * p.m + i] : a[i * p.k + l];
        const T bv = p.trans_b ? b[j * p.k + l] : b[l * p.n + j];
        acc += static_cast<double>(av) * static_cast<double>(bv);
      }
      T& out = y[i * p.n + j];
      // beta == 0 must not read Y: it may be uninitialised or hold NaN.
      const double prior = p.beta != 0.0 ? p.beta * static_cast<double>(out) : 0.0;
      out = static_cast<T>(p.alpha * acc + prior);
    }
  }
}
}  // namespace

void f32_gemm_ref(const GemmParams& p, const float* a, const float* b, float* y) { gemm_ref(p, a, b, y); }
void f64_gemm_ref(const GemmParams& p, const double* a, const double* b, double* y) { gemm_ref(p, a, b, y); }

template <class T>
void einsum_ref(const EinsumParams& p, const std::vector<const T*>& inputs, T* y) {
  for (int64_t i = 0; i < p.output_numel; ++i) y[i] = T(0);
  const size_t labels = p.extents.size();
  for (int64_t e : p.extents)
    if (e == 0) return;
  std::vector<int64_t> idx(labels, 0);
  for (;;) {
    int64_t yo = 0;
    for (size_t l = 0; l < labels; ++l) yo += idx[l] * p.output_strides[l];
    T prod = T(1);
    for (size_t k = 0; k < inputs.size(); ++k) {
      int64_t off = 0;
      for (size_t l = 0; l < labels; ++l) off += idx[l] * p.input_strides[k][l];
      prod *= inputs[k][off];
    }
    y[yo] += prod;
    size_t l = labels;
    while (l-- > 0) {
      if (++idx[l] < p.extents[l]) break;
      idx[l] = 0;
    }
    if (l == static_cast<size_t>(-1)) break;
  }
}

template void einsum_ref<float>(const EinsumParams&, const std::vector<const float*>&, float*);
template void einsum_ref<double>(const EinsumParams&, const std::vector<const double*>&, double*);

}  // namespace kiln
