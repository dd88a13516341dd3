// Portable depthwise convolution of one zero-padded channel plane, any kernel size and stride.
#include "kernels/cpu/scalar/scalar_kernels.h"

namespace kiln::cpu::scalar {

void f32_dwconv_plane_scalar(const DwConvPlane& p, const float* x, const float* w, float* y) {
  for (int64_t oh = 0; oh < p.out_h; ++oh)
    for (int64_t ow = 0; ow < p.out_w; ++ow) {
      float acc = 0.f;
      const float* base = x + oh * p.stride_h * p.in_w + ow * p.stride_w;
      for (int64_t kh = 0; kh < p.kernel_h; ++kh)
        for (int64_t kw = 0; kw < p.kernel_w; ++kw) acc += base[kh * p.in_w + kw] * w[kh * p.kernel_w + kw];
      y[oh * p.out_w + ow] = acc;
    }
}

}  // namespace kiln::cpu::scalar
