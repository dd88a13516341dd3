#pragma once
// Numpy-style broadcasting over raw buffers: the output shape of several inputs, each input's
// strides laid over that shape (0 along broadcast dimensions), and a walk over the output that
// tracks every input's element offset.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace kiln::ref {

using Dims = std::vector<int64_t>;

int64_t dims_numel(const Dims& d);
// Broadcasts `b` into `out` (right-aligned, 1 stretches); false when a pair of dims conflicts.
bool broadcast_into(Dims& out, const Dims& b);
// Row-major strides of `in` as seen from an index of `out` (in.size() <= out.size()), 0 where
// `in` has size 1 or lacks the dimension.
Dims broadcast_strides(const Dims& in, const Dims& out);

// Calls f(i, offsets) for every output element i in row-major order, offsets[k] being the
// element offset in input k whose strides are strides[k] (each of out.size() entries).
template <size_t N, class F>
void for_each_broadcast(const Dims& out, const std::array<Dims, N>& strides, F&& f) {
  const int64_t total = dims_numel(out);
  if (total <= 0) return;
  const size_t rank = out.size();
  Dims idx(rank, 0);
  std::array<int64_t, N> off{};
  for (int64_t i = 0; i < total; ++i) {
    f(i, off);
    for (size_t d = rank; d-- > 0;) {
      ++idx[d];
      for (size_t k = 0; k < N; ++k) off[k] += strides[k][d];
      if (idx[d] < out[d]) break;
      for (size_t k = 0; k < N; ++k) off[k] -= strides[k][d] * out[d];
      idx[d] = 0;
    }
  }
}

}  // namespace kiln::ref
