#include "kernels/cpu/ref/conv.h"

namespace kiln {

namespace {
template <class T>
void conv_ref(const ConvParams& p, const T* x, const T* w, const T* bias, T* y) {
  const int64_t cg = p.in_channels / p.group;
  const int64_t mg = p.out_channels / p.group;
  const int64_t in_sz = p.in[0] * p.in[1] * p.in[2];
  const int64_t out_sz = p.out[0] * p.out[1] * p.out[2];
  const int64_t k_sz = p.kernel[0] * p.kernel[1] * p.kernel[2];
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t m = 0; m < p.out_channels; ++m) {
      const int64_t g = m / mg;
      T* yp = y + (n * p.out_channels + m) * out_sz;
      for (int64_t o0 = 0; o0 < p.out[0]; ++o0)
        for (int64_t o1 = 0; o1 < p.out[1]; ++o1)
          for (int64_t o2 = 0; o2 < p.out[2]; ++o2) {
            double acc = bias ? static_cast<double>(bias[m]) : 0.0;
            for (int64_t c = 0; c < cg; ++c) {
              const T* xp = x + (n * p.in_channels + g * cg + c) * in_sz;
              const T* wp = w + (m * cg + c) * k_sz;
              for (int64_t k0 = 0; k0 < p.kernel[0]; ++k0) {
                const int64_t i0 = o0 * p.stride[0] - p.pad_begin[0] + k0 * p.dilation[0];
                if (i0 < 0 || i0 >= p.in[0]) continue;
                for (int64_t k1 = 0; k1 < p.kernel[1]; ++k1) {
                  const int64_t i1 = o1 * p.stride[1] - p.pad_begin[1] + k1 * p.dilation[1];
                  if (i1 < 0 || i1 >= p.in[1]) continue;
                  for (int64_t k2 = 0; k2 < p.kernel[2]; ++k2) {
                    const int64_t i2 = o2 * p.stride[2] - p.pad_begin[2] + k2 * p.dilation[2];
                    if (i2 < 0 || i2 >= p.in[2]) continue;
                    acc += static_cast<double>(xp[(i0 * p.in[1] + i1) * p.in[2] + i2]) *
                           static_cast<double>(wp[(k0 * p.kernel[1] + k1) * p.kernel[2] + k2]);
                  }
                }
              }
            }
            yp[(o0 * p.out[1] + o1) * p.out[2] + o2] = static_cast<T>(acc);
          }
    }
}

template <class T>
void conv_transpose_ref(const ConvParams& p, const T* x, const T* w, const T* bias, T* y) {
  const int64_t cg = p.in_channels / p.group;
  const int64_t mg = p.out_channels / p.group;
  const int64_t in_sz = p.in[0] * p.in[1] * p.in[2];
  const int64_t out_sz = p.out[0] * p.out[1] * p.out[2];
  const int64_t k_sz = p.kernel[0] * p.kernel[1] * p.kernel[2];
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t m = 0; m < p.out_channels; ++m) {
      T* yp = y + (n * p.out_channels + m) * out_sz;
      const T b = bias ? bias[m] : T(0);
      for (int64_t i = 0; i < out_sz; ++i) yp[i] = b;
    }
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t c = 0; c < p.in_channels; ++c) {
      const int64_t g = c / cg;
      const T* xp = x + (n * p.in_channels + c) * in_sz;
      for (int64_t mm = 0; mm < mg; ++mm) {
        const int64_t m = g * mg + mm;
        T* yp = y + (n * p.out_channels + m) * out_sz;
        const T* wp = w + (c * mg + mm) * k_sz;
        for (int64_t i0 = 0; i0 < p.in[0]; ++i0)
          for (int64_t i1 = 0; i1 < p.in[1]; ++i1)
            for (int64_t i2 = 0; i2 < p.in[2]; ++i2) {
              const T xv = xp[(i0 * p.in[1] + i1) * p.in[2] + i2];
              for (int64_t k0 = 0; k0 < p.kernel[0]; ++k0) {
                const int64_t o0 = i0 * p.stride[0] - p.pad_begin[0] + k0 * p.dilation[0];
                if (o0 < 0 || o0 >= p.out[0]) continue;
                for (int64_t k1 = 0; k1 < p.kernel[1]; ++k1) {
                  const int64_t o1 = i1 * p.stride[1] - p.pad_begin[1] + k1 * p.dilation[1];
                  if (o1 < 0 || o1 >= p.out[1]) continue;
                  for (int64_t k2 = 0; k2 < p.kernel[2]; ++k2) {
                    const int64_t o2 = i2 * p.stride[2] - p.pad_begin[2] + k2 * p.dilation[2];
                    if (o2 < 0 || o2 >= p.out[2]) continue;
                    yp[(o0 * p.out[1] + o1) * p.out[2] + o2] +=
                        xv * wp[(k0 * p.kernel[1] + k1) * p.kernel[2] + k2];
                  }
                }
              }
            }
      }
    }
}
}  // namespace

void f32_conv_ref(const ConvParams& p, const float* x, const float* w, const float* bias, float* y) {
  conv_ref(p, x, w, bias, y);
}
void f64_conv_ref(const ConvParams& p, const double* x, const double* w, const double* bias, double* y) {
  conv_ref(p, x, w, bias, y);
}
void f32_conv_transpose_ref(const ConvParams& p, const float* x, const float* w, const float* bias, float* y) {
  conv_transpose_ref(p, x, w, bias, y);
}
void f64_conv_transpose_ref(const ConvParams& p, const double* x, const double* w, const double* bias,
                            double* y) {
  conv_transpose_ref(p, x, w, bias, y);
}

}  // namespace kiln
