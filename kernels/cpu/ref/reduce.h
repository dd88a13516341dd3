#pragma once
// Reference reductions over raw buffers: Reduce* over any set of axes, and the "along one axis"
// family (Softmax, ArgMax/ArgMin, TopK, CumSum) over a tensor viewed as [outer, n, inner].
#include <algorithm>
#include <array>
#include <cstddef>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <type_traits>
#include <vector>

#include "kernels/cpu/ref/broadcast.h"

namespace kiln::ref {

enum class ReduceKind { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

// Reduces x of `shape` over the dims where reduced[d] is true into y (the kept dims in order).
// Floating types accumulate in double; integer types in their own type.
template <class T>
void reduce(const T* x, const Dims& shape, const std::vector<bool>& reduced, T* y, ReduceKind kind) {
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, T>;
  Dims kept = shape;
  int64_t count = 1;
  for (size_t d = 0; d < shape.size(); ++d)
    if (reduced[d]) {
      kept[d] = 1;
      count *= shape[d];
    }
  const int64_t out_n = dims_numel(kept);
  const std::array<Dims, 1> strides{broadcast_strides(kept, shape)};
  std::vector<Acc> acc(static_cast<size_t>(out_n));
  Acc init = 0;
  if (kind == ReduceKind::Prod) init = 1;
  if (kind == ReduceKind::Max || kind == ReduceKind::LogSumExp)
    init = std::numeric_limits<Acc>::has_infinity ? -std::numeric_limits<Acc>::infinity() : std::numeric_limits<Acc>::lowest();
  if (kind == ReduceKind::Min)
    init = std::numeric_limits<Acc>::has_infinity ? std::numeric_limits<Acc>::infinity() : std::numeric_limits<Acc>::max();
  std::fill(acc.begin(), acc.end(), init);

  auto abs_of = [](Acc v) -> Acc {
    if constexpr (std::is_signed_v<Acc>) return v < 0 ? static_cast<Acc>(-v) : v;
    else return v;
  };
  // LogSumExp: first the max per output (for stability), then the sum of exp(x - max).
  std::vector<Acc> maxes;
  if (kind == ReduceKind::LogSumExp) {
    for_each_broadcast<1>(shape, strides, [&](int64_t i, const std::array<int64_t, 1>& o) {
      Acc v = static_cast<Acc>(x[i]);
      Acc& a = acc[static_cast<size_t>(o[0])];
      if (v > a || std::isnan(static_cast<double>(v))) a = v;
    });
    maxes = acc;
    std::fill(acc.begin(), acc.end(), Acc(0));
  }
  for_each_broadcast<1>(shape, strides, [&](int64_t i, const std::array<int64_t, 1>& o) {
    const Acc v = static_cast<Acc>(x[i]);
    Acc& a = acc[static_cast<size_t>(o[0])];
    switch (kind) {
      case ReduceKind::Sum: case ReduceKind::Mean: case ReduceKind::LogSum: a = static_cast<Acc>(a + v); break;
      case ReduceKind::Max:
        if (v > a || std::isnan(static_cast<double>(v))) a = v;
        break;
      case ReduceKind::Min:
        if (v < a || std::isnan(static_cast<double>(v))) a = v;
        break;
      case ReduceKind::Prod: a = static_cast<Acc>(a * v); break;
      case ReduceKind::L1: a = static_cast<Acc>(a + abs_of(v)); break;
      case ReduceKind::L2: case ReduceKind::SumSquare: a = static_cast<Acc>(a + v * v); break;
      case ReduceKind::LogSumExp: {
        double m = static_cast<double>(maxes[static_cast<size_t>(o[0])]);
        if (std::isfinite(m)) a = static_cast<Acc>(a + std::exp(static_cast<double>(v) - m));
        break;
      }
    }
  });
  for (int64_t j = 0; j < out_n; ++j) {
    Acc a = acc[static_cast<size_t>(j)];
    double r = static_cast<double>(a);
    switch (kind) {
      case ReduceKind::Mean:
        if constexpr (std::is_floating_point_v<Acc>) a = a / static_cast<Acc>(count);
        else a = count ? static_cast<Acc>(a / static_cast<Acc>(count)) : Acc(0);
        break;
      case ReduceKind::L2: a = static_cast<Acc>(std::sqrt(r)); break;
      case ReduceKind::LogSum: a = static_cast<Acc>(std::log(r)); break;
      case ReduceKind::LogSumExp: {
        double m = static_cast<double>(maxes[static_cast<size_t>(j)]);
        a = static_cast<Acc>(std::isfinite(m) ? m + std::log(r) : m);
        break;
      }
      default: break;
    }
    y[j] = static_cast<T>(a);
  }
}

enum class SoftmaxKind { Softmax, LogSoftmax, Hardmax };

// Softmax-like normalisation along the middle axis of x viewed as [outer, n, inner].
template <class T>
void softmax(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, SoftmaxKind kind) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < inner; ++in) {
      const T* xs = x + o * n * inner + in;
      T* ys = y + o * n * inner + in;
      if (n == 0) continue;
      double m = static_cast<double>(xs[0]);
      int64_t arg = 0;
      for (int64_t i = 1; i < n; ++i)
        if (static_cast<double>(xs[i * inner]) > m) {
          m = static_cast<double>(xs[i * inner]);
          arg = i;
        }
      if (kind == SoftmaxKind::Hardmax) {
        for (int64_t i = 0; i < n; ++i) ys[i * inner] = static_cast<T>(i == arg ? 1 : 0);
        continue;
      }
      double sum = 0;
      for (int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(xs[i * inner]) - m);
      for (int64_t i = 0; i < n; ++i) {
        double d = static_cast<double>(xs[i * inner]) - m;
        ys[i * inner] = static_cast<T>(kind == SoftmaxKind::Softmax ? std::exp(d) / sum : d - std::log(sum));
      }
    }
}

// Index of the max (or min) along the middle axis; the first such index, or the last.
template <class T>
void arg_extreme(const T* x, int64_t* y, int64_t outer, int64_t n, int64_t inner, bool max, bool last) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < inner; ++in) {
      const T* xs = x + o * n * inner + in;
      int64_t best = 0;
      for (int64_t i = 1; i < n; ++i) {
        const T v = xs[i * inner], b = xs[best * inner];
        bool better = max ? (last ? v >= b : v > b) : (last ? v <= b : v < b);
        if (better) best = i;
      }
      y[o * inner + in] = best;
    }
}

// The k largest (or smallest) along the middle axis, ordered by value with ties by lower index.
template <class T>
void topk(const T* x, T* vals, int64_t* idx, int64_t outer, int64_t n, int64_t inner, int64_t k, bool largest) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < inner; ++in) {
      const T* xs = x + o * n * inner + in;
      std::iota(order.begin(), order.end(), int64_t{0});
      auto before = [&](int64_t a, int64_t b) {
        const T va = xs[a * inner], vb = xs[b * inner];
        if (va == vb) return a < b;
        return largest ? va > vb : va < vb;
      };
      std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
      for (int64_t j = 0; j < k; ++j) {
        vals[(o * k + j) * inner + in] = xs[order[static_cast<size_t>(j)] * inner];
        idx[(o * k + j) * inner + in] = order[static_cast<size_t>(j)];
      }
    }
}

// Running sum along the middle axis, optionally excluding the current element and/or from the end.
template <class T>
void cumsum(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, bool exclusive, bool reverse) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < inner; ++in) {
      const T* xs = x + o * n * inner + in;
      T* ys = y + o * n * inner + in;
      T acc = 0;
      for (int64_t s = 0; s < n; ++s) {
        int64_t i = reverse ? n - 1 - s : s;
        if (exclusive) {
          ys[i * inner] = acc;
          acc = static_cast<T>(acc + xs[i * inner]);
        } else {
          acc = static_cast<T>(acc + xs[i * inner]);
          ys[i * inner] = acc;
        }
      }
    }
}

}  // namespace kiln::ref
