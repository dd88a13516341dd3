#include "kernels/cpu/ref/resize.h"

#include <algorithm>
#include <cmath>

namespace kiln {

namespace {

struct Tap {
  int64_t index;
  double weight;
};

// Taps for one output coordinate of one axis; empty means "outside the crop: extrapolate".
using Taps = std::vector<Tap>;

double original_coord(const ResizeParams& p, size_t axis, int64_t o) {
  const double x = static_cast<double>(o);
  const double in = static_cast<double>(p.in_shape[axis]);
  const double out = static_cast<double>(p.out_shape[axis]);
  const double s = p.scales[axis];
  switch (p.coord) {
    case ResizeCoord::HalfPixel:
      return (x + 0.5) / s - 0.5;
    case ResizeCoord::HalfPixelSymmetric: {
      const double adjustment = out / (s * in);
      const double offset = in / 2.0 * (1.0 - adjustment);
      return offset + (x + 0.5) / s - 0.5;
    }
    case ResizeCoord::PytorchHalfPixel:
      return out > 1 ? (x + 0.5) / s - 0.5 : 0.0;
    case ResizeCoord::AlignCorners:
      // The unrounded output length in * scale, as ONNX's reference implementation uses.
      return out == 1 ? 0.0 : x * (in - 1) / (in * s - 1);
    case ResizeCoord::Asymmetric:
      return x / s;
    case ResizeCoord::TfHalfPixelForNn:
      return (x + 0.5) / s;
    case ResizeCoord::TfCropAndResize: {
      const double a = p.roi_start[axis], b = p.roi_end[axis];
      return out > 1 ? a * (in - 1) + x * (b - a) * (in - 1) / (out - 1) : 0.5 * (a + b) * (in - 1);
    }
  }
  return 0.0;
}

double cubic_weight(double d, double a) {
  d = std::fabs(d);
  if (d <= 1) return ((a + 2) * d - (a + 3)) * d * d + 1;
  if (d < 2) return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
  return 0.0;
}

int64_t nearest_index(ResizeNearest mode, double x, double scale) {
  if (mode == ResizeNearest::Simple) mode = scale < 1.0 ? ResizeNearest::Ceil : ResizeNearest::Floor;
  switch (mode) {
    case ResizeNearest::RoundPreferFloor:
      return x - std::floor(x) == 0.5 ? static_cast<int64_t>(std::floor(x)) : static_cast<int64_t>(std::round(x));
    case ResizeNearest::RoundPreferCeil:
      return static_cast<int64_t>(std::floor(x + 0.5));
    case ResizeNearest::Floor:
      return static_cast<int64_t>(std::floor(x));
    case ResizeNearest::Ceil:
      return static_cast<int64_t>(std::ceil(x));
    case ResizeNearest::Simple:
      break;
  }
  return 0;
}

Taps axis_taps(const ResizeParams& p, size_t axis, int64_t o) {
  const int64_t in = p.in_shape[axis];
  const double x = original_coord(p, axis, o);
  if (p.coord == ResizeCoord::TfCropAndResize && (x < 0 || x > static_cast<double>(in - 1))) return {};
  if (p.mode == ResizeMode::Nearest) {
    const int64_t i = std::clamp<int64_t>(nearest_index(p.nearest, x, p.scales[axis]), 0, in - 1);
    return {{i, 1.0}};
  }
  const double fl = std::floor(x);
  const double t = x - fl;
  // Antialiasing stretches the filter by 1/scale when downsampling.
  const double s = p.antialias ? std::min(p.scales[axis], 1.0) : 1.0;
  const double support = p.mode == ResizeMode::Linear ? 1.0 : 2.0;
  const int64_t start = static_cast<int64_t>(std::floor(-support / s)) + 1;
  const int64_t count = 2 - 2 * start;
  Taps taps;
  double sum = 0.0;
  for (int64_t k = start; k < start + count; ++k) {
    const double d = (static_cast<double>(k) - t) * s;
    double w = p.mode == ResizeMode::Linear ? std::max(0.0, 1.0 - std::fabs(d)) : cubic_weight(d, p.cubic_a);
    const int64_t idx = static_cast<int64_t>(fl) + k;
    if (p.exclude_outside && (idx < 0 || idx >= in)) w = 0.0;
    sum += w;
    taps.push_back({std::clamp<int64_t>(idx, 0, in - 1), w});
  }
  // Filters are normalized to sum 1 (antialiased and exclude_outside ones are not by nature).
  if (sum != 0.0)
    for (Tap& tp : taps) tp.weight /= sum;
  std::erase_if(taps, [](const Tap& tp) { return tp.weight == 0.0; });
  return taps;
}

}  // namespace

template <class T>
void resize_ref(const ResizeParams& p, const T* x, T* y) {
  const size_t rank = p.in_shape.size();
  std::vector<std::vector<Taps>> taps(rank);
  std::vector<int64_t> in_strides(rank, 1);
  for (size_t a = rank; a-- > 0;) {
    if (a + 1 < rank) in_strides[a] = in_strides[a + 1] * p.in_shape[a + 1];
    for (int64_t o = 0; o < p.out_shape[a]; ++o) taps[a].push_back(axis_taps(p, a, o));
  }
  int64_t total = 1;
  for (int64_t d : p.out_shape) total *= d;
  std::vector<int64_t> oi(rank, 0);
  std::vector<size_t> ti(rank, 0);
  for (int64_t e = 0; e < total; ++e) {
    bool outside = false;
    for (size_t a = 0; a < rank; ++a) outside = outside || taps[a][static_cast<size_t>(oi[a])].empty();
    double acc = p.extrapolation_value;
    if (!outside && rank > 0) {
      acc = 0.0;
      std::fill(ti.begin(), ti.end(), 0);
      // Odometer over the tap combinations of every axis.
      for (;;) {
        double w = 1.0;
        int64_t off = 0;
        for (size_t a = 0; a < rank; ++a) {
          const Tap& tp = taps[a][static_cast<size_t>(oi[a])][ti[a]];
          w *= tp.weight;
          off += tp.index * in_strides[a];
        }
        acc += w * static_cast<double>(x[off]);
        size_t a = rank;
        while (a-- > 0) {
          if (++ti[a] < taps[a][static_cast<size_t>(oi[a])].size()) break;
          ti[a] = 0;
        }
        if (a == static_cast<size_t>(-1)) break;
      }
    } else if (rank == 0) {
      acc = static_cast<double>(x[0]);
    }
    y[e] = static_cast<T>(acc);
    for (size_t a = rank; a-- > 0;) {
      if (++oi[a] < p.out_shape[a]) break;
      oi[a] = 0;
    }
  }
}

template void resize_ref<float>(const ResizeParams&, const float*, float*);
template void resize_ref<double>(const ResizeParams&, const double*, double*);

}  // namespace kiln
