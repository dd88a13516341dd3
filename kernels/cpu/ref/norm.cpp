#include "kernels/cpu/ref/norm.h"

#include <algorithm>
#include <cmath>

namespace kiln {

template <class T>
void batch_norm_ref(int64_t n, int64_t c, int64_t s, const T* x, const T* scale, const T* bias, const T* mean,
                    const T* var, double eps, T* y) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < c; ++j) {
      const double k = static_cast<double>(scale[j]) / std::sqrt(static_cast<double>(var[j]) + eps);
      const double m = mean[j], b = bias[j];
      const int64_t off = (i * c + j) * s;
      for (int64_t e = 0; e < s; ++e) y[off + e] = static_cast<T>((x[off + e] - m) * k + b);
    }
}

namespace {
// Mean and 1/sqrt(var + eps) of len values (population variance).
void moments(const auto* x, int64_t len, double eps, double& mean, double& inv_std) {
  double sum = 0.0;
  for (int64_t e = 0; e < len; ++e) sum += x[e];
  mean = len ? sum / static_cast<double>(len) : 0.0;
  double sq = 0.0;
  for (int64_t e = 0; e < len; ++e) sq += (x[e] - mean) * (x[e] - mean);
  inv_std = 1.0 / std::sqrt((len ? sq / static_cast<double>(len) : 0.0) + eps);
}
}  // namespace

template <class T>
void instance_norm_ref(int64_t n, int64_t c, int64_t s, const T* x, const T* scale, const T* bias, double eps,
                       T* y) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < c; ++j) {
      const int64_t off = (i * c + j) * s;
      double mean, inv;
      moments(x + off, s, eps, mean, inv);
      for (int64_t e = 0; e < s; ++e) y[off + e] = static_cast<T>((x[off + e] - mean) * inv * scale[j] + bias[j]);
    }
}

template <class T>
void layer_norm_ref(int64_t outer, int64_t inner, const T* x, const T* scale, const T* bias, double eps, T* y,
                    T* mean_out, T* inv_std_out) {
  for (int64_t r = 0; r < outer; ++r) {
    const T* xr = x + r * inner;
    double mean, inv;
    moments(xr, inner, eps, mean, inv);
    for (int64_t e = 0; e < inner; ++e)
      y[r * inner + e] = static_cast<T>((xr[e] - mean) * inv * scale[e] + (bias ? static_cast<double>(bias[e]) : 0.0));
    if (mean_out) mean_out[r] = static_cast<T>(mean);
    if (inv_std_out) inv_std_out[r] = static_cast<T>(inv);
  }
}

template <class T>
void rms_norm_ref(int64_t outer, int64_t inner, const T* x, const T* scale, double eps, T* y) {
  for (int64_t r = 0; r < outer; ++r) {
    const T* xr = x + r * inner;
    double sq = 0.0;
    for (int64_t e = 0; e < inner; ++e) sq += static_cast<double>(xr[e]) * xr[e];
    const double inv = 1.0 / std::sqrt((inner ? sq / static_cast<double>(inner) : 0.0) + eps);
    for (int64_t e = 0; e < inner; ++e) y[r * inner + e] = static_cast<T>(xr[e] * inv * scale[e]);
  }
}

template <class T>
void group_norm_ref(int64_t n, int64_t c, int64_t s, int64_t groups, bool per_channel, const T* x, const T* scale,
                    const T* bias, double eps, T* y) {
  const int64_t cg = c / groups;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t g = 0; g < groups; ++g) {
      const int64_t off = (i * c + g * cg) * s;
      double mean, inv;
      moments(x + off, cg * s, eps, mean, inv);
      for (int64_t j = 0; j < cg; ++j) {
        const int64_t pi = per_channel ? g * cg + j : g;
        for (int64_t e = 0; e < s; ++e) {
          const int64_t o = off + j * s + e;
          y[o] = static_cast<T>((x[o] - mean) * inv * scale[pi] + bias[pi]);
        }
      }
    }
}

template <class T>
void lrn_ref(int64_t n, int64_t c, int64_t s, int64_t size, double alpha, double beta, double bias, const T* x,
             T* y) {
  const int64_t before = (size - 1) / 2, after = size - 1 - before;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < c; ++j)
      for (int64_t e = 0; e < s; ++e) {
        double sq = 0.0;
        for (int64_t k = std::max<int64_t>(0, j - before); k <= std::min<int64_t>(c - 1, j + after); ++k) {
          const double v = x[(i * c + k) * s + e];
          sq += v * v;
        }
        const int64_t o = (i * c + j) * s + e;
        y[o] = static_cast<T>(x[o] / std::pow(bias + alpha / static_cast<double>(size) * sq, beta));
      }
}

#define KILN_NORM_INSTANTIATE(T)                                                                              \
  template void batch_norm_ref<T>(int64_t, int64_t, int64_t, const T*, const T*, const T*, const T*, const T*, \
                                  double, T*);                                                                \
  template void instance_norm_ref<T>(int64_t, int64_t, int64_t, const T*, const T*, const T*, double, T*);     \
  template void layer_norm_ref<T>(int64_t, int64_t, const T*, const T*, const T*, double, T*, T*, T*);         \
  template void rms_norm_ref<T>(int64_t, int64_t, const T*, const T*, double, T*);                           \
  template void group_norm_ref<T>(int64_t, int64_t, int64_t, int64_t, bool, const T*, const T*, const T*,     \
                                  double, T*);                                                                \
  template void lrn_ref<T>(int64_t, int64_t, int64_t, int64_t, double, double, double, const T*, T*);
KILN_NORM_INSTANTIATE(float)
KILN_NORM_INSTANTIATE(double)
#undef KILN_NORM_INSTANTIATE

}  // namespace kiln
