#include "views/inspector/weight_stats.h"

#include <algorithm>
#include <cmath>
#include <span>

namespace kiln {
namespace {

template <class T>
WeightStats summarise(std::span<const T> all, int bins, int64_t max_samples) {
  WeightStats s;
  if (all.empty()) return s;
  s.numeric = true;
  s.count = static_cast<int64_t>(all.size());
  const size_t stride = all.size() > static_cast<size_t>(max_samples) ? all.size() / static_cast<size_t>(max_samples) + 1 : 1;
  double sum = 0, sum_sq = 0;
  int64_t zeros = 0;
  s.min = s.max = static_cast<double>(all[0]);
  for (size_t i = 0; i < all.size(); i += stride) {
    const double v = static_cast<double>(all[i]);
    s.min = std::min(s.min, v);
    s.max = std::max(s.max, v);
    sum += v;
    sum_sq += v * v;
    zeros += v == 0;
    ++s.sampled;
  }
  const double n = static_cast<double>(s.sampled);
  s.mean = sum / n;
  s.std = std::sqrt(std::max(0.0, sum_sq / n - s.mean * s.mean));
  s.sparsity = static_cast<double>(zeros) / n;
  s.bins.assign(static_cast<size_t>(std::max(1, bins)), 0);
  const double width = s.max - s.min;
  for (size_t i = 0; i < all.size(); i += stride) {
    const double v = static_cast<double>(all[i]);
    const size_t b = width > 0 ? static_cast<size_t>((v - s.min) / width * static_cast<double>(s.bins.size())) : 0;
    ++s.bins[std::min(b, s.bins.size() - 1)];
  }
  return s;
}

}  // namespace

WeightStats weight_stats(const Tensor& t, int bins, int64_t max_samples) {
  if (t.dtype == DataType::String) return {};
  // float32 weights, by far the most common and the largest, are read in place; other types go
  // through the general conversion.
  if (t.dtype == DataType::Float32) return summarise(t.values<float>(), bins, max_samples);
  const std::vector<double> all = t.to_double();
  return summarise(std::span<const double>(all), bins, max_samples);
}

}  // namespace kiln
