// Portable direct convolution over a padded image with weights in blocks of 8 output channels
// ([ceil(M/8)][C][kh][kw][8], kernels/cpu/conv.cpp packs them).
#include "kernels/cpu/scalar/scalar_kernels.h"

namespace kiln::cpu::scalar {

void f32_conv_direct_scalar(const DirectConvParams& p, const float* x, const float* packed_w, float* y) {
  const int64_t taps = p.in_channels * p.kernel_h * p.kernel_w, ohw = p.out_h * p.out_w;
  for (int64_t m = 0; m < p.out_channels; ++m) {
    const float* wb = packed_w + (m / 8) * taps * 8 + m % 8;
    for (int64_t oh = 0; oh < p.out_h; ++oh)
      for (int64_t ow = 0; ow < p.out_w; ++ow) {
        float acc = 0.f;
        const float* w = wb;
        for (int64_t c = 0; c < p.in_channels; ++c)
          for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
            const float* row = x + (c * p.in_h + oh * p.stride_h + kh) * p.in_w + ow * p.stride_w;
            for (int64_t kw = 0; kw < p.kernel_w; ++kw, w += 8) acc += row[kw] * *w;
          }
        y[m * ohw + oh * p.out_w + ow] = acc;
      }
  }
}

}  // namespace kiln::cpu::scalar
