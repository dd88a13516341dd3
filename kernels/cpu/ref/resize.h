#pragma once
// Reference N-D resize (ONNX Resize / Upsample): each axis maps output coordinates to input
// coordinates and interpolation taps independently; the N-D result is the tensor product.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace kiln {

enum class ResizeMode { Nearest, Linear, Cubic };
enum class ResizeCoord {
  HalfPixel,
  HalfPixelSymmetric,
  PytorchHalfPixel,
  AlignCorners,
  Asymmetric,
  TfHalfPixelForNn,
  TfCropAndResize,
};
// Simple: floor when upsampling, ceil when downsampling (Resize-10 and Upsample).
enum class ResizeNearest { RoundPreferFloor, RoundPreferCeil, Floor, Ceil, Simple };

struct ResizeParams {
  std::vector<int64_t> in_shape, out_shape;
  std::vector<double> scales;                // per axis: output / input
  std::vector<double> roi_start, roi_end;    // per axis, normalized; TfCropAndResize only
  ResizeMode mode = ResizeMode::Nearest;
  ResizeCoord coord = ResizeCoord::HalfPixel;
  ResizeNearest nearest = ResizeNearest::RoundPreferFloor;
  double cubic_a = -0.75;
  bool exclude_outside = false;
  double extrapolation_value = 0.0;
  bool antialias = false;  // widen linear/cubic filters by 1/scale when downsampling
};

template <class T>
void resize_ref(const ResizeParams& p, const T* x, T* y);

}  // namespace kiln
