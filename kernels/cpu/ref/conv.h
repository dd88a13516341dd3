#pragma once
// Reference convolutions over NC(D)(H)W tensors. Up to three spatial dims; callers with fewer
// pad the leading spatial dims with size 1, kernel 1, stride 1, dilation 1 and no padding.
#include <array>
#include <cstdint>

namespace kiln {

struct ConvParams {
  static constexpr int kMaxSpatial = 3;
  int64_t batch = 1;
  int64_t in_channels = 1;   // C of X
  int64_t out_channels = 1;  // channels of Y
  int64_t group = 1;
  std::array<int64_t, kMaxSpatial> in{1, 1, 1};
  std::array<int64_t, kMaxSpatial> out{1, 1, 1};
  std::array<int64_t, kMaxSpatial> kernel{1, 1, 1};
  std::array<int64_t, kMaxSpatial> stride{1, 1, 1};
  std::array<int64_t, kMaxSpatial> dilation{1, 1, 1};
  std::array<int64_t, kMaxSpatial> pad_begin{0, 0, 0};
};

// Y = conv(X, W) + bias. W is [out_channels, in_channels/group, k0, k1, k2]; bias may be null.
void f32_conv_ref(const ConvParams& p, const float* x, const float* w, const float* bias, float* y);
void f64_conv_ref(const ConvParams& p, const double* x, const double* w, const double* bias, double* y);

// Transposed convolution (the gradient of conv w.r.t. its input). W is
// [in_channels, out_channels/group, k0, k1, k2]; pad_begin crops the start of the full output.
void f32_conv_transpose_ref(const ConvParams& p, const float* x, const float* w, const float* bias, float* y);
void f64_conv_transpose_ref(const ConvParams& p, const double* x, const double* w, const double* bias,
                            double* y);

}  // namespace kiln
