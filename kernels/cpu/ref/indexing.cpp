#include "kernels/cpu/ref/indexing.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

namespace kiln::ref {
namespace {

template <class T>
void gather_t(const T* src, int64_t outer, int64_t axis_dim, int64_t inner, const int64_t* idx,
              int64_t n_idx, T* dst) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < n_idx; ++j) {
      const T* s = src + (o * axis_dim + idx[j]) * inner;
      for (int64_t i = 0; i < inner; ++i) *dst++ = s[i];
    }
}

std::vector<int64_t> dense_strides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) s[d - 1] = s[d] * shape[d];
  return s;
}

template <class F>
void for_each_index(const std::vector<int64_t>& shape, F&& f) {
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  std::vector<int64_t> idx(shape.size(), 0);
  for (int64_t n = 0; n < total; ++n) {
    f(n, idx);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

// Offset in a dense tensor of `strides` of the element at idx_coords with [axis] replaced by v.
int64_t offset_with(const std::vector<int64_t>& coords, const std::vector<int64_t>& strides,
                    size_t axis, int64_t v) {
  int64_t off = 0;
  for (size_t d = 0; d < coords.size(); ++d) off += (d == axis ? v : coords[d]) * strides[d];
  return off;
}

template <class T>
void combine(T& dst, const T& v, Reduction red) {
  if constexpr (std::is_arithmetic_v<T>) {
    switch (red) {
      case Reduction::None: dst = v; return;
      case Reduction::Add: dst = static_cast<T>(dst + v); return;
      case Reduction::Mul: dst = static_cast<T>(dst * v); return;
      case Reduction::Max: dst = std::max(dst, v); return;
      case Reduction::Min: dst = std::min(dst, v); return;
    }
  } else {
    dst = v;  // the binder allows reductions only for arithmetic types
    (void)red;
  }
}

}  // namespace

void gather(const void* src, int64_t outer, int64_t axis_dim, int64_t inner, const int64_t* idx,
            int64_t n_idx, void* dst, size_t elem) {
  // Byte rows: an element of any size is `elem` contiguous bytes.
  const auto* s = static_cast<const uint8_t*>(src);
  auto* d = static_cast<uint8_t*>(dst);
  const size_t row = static_cast<size_t>(inner) * elem;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < n_idx; ++j) {
      std::memcpy(d, s + static_cast<size_t>(o * axis_dim + idx[j]) * row, row);
      d += row;
    }
}

void gather(const std::string* src, int64_t outer, int64_t axis_dim, int64_t inner,
            const int64_t* idx, int64_t n_idx, std::string* dst) {
  gather_t(src, outer, axis_dim, inner, idx, n_idx, dst);
}

void gather_elements(const void* src, const std::vector<int64_t>& src_shape, const int64_t* idx,
                     const std::vector<int64_t>& idx_shape, int64_t axis, void* dst, size_t elem) {
  const std::vector<int64_t> st = dense_strides(src_shape);
  const auto* s = static_cast<const uint8_t*>(src);
  auto* d = static_cast<uint8_t*>(dst);
  for_each_index(idx_shape, [&](int64_t n, const std::vector<int64_t>& c) {
    const int64_t off = offset_with(c, st, static_cast<size_t>(axis), idx[n]);
    std::memcpy(d + static_cast<size_t>(n) * elem, s + static_cast<size_t>(off) * elem, elem);
  });
}

void gather_nd(const void* src, int64_t batches, int64_t block, const int64_t* idx,
               int64_t slices_per_batch, const std::vector<int64_t>& slice_strides, int64_t slice,
               void* dst, size_t elem) {
  const auto* s = static_cast<const uint8_t*>(src);
  auto* d = static_cast<uint8_t*>(dst);
  const size_t k = slice_strides.size();
  const size_t bytes = static_cast<size_t>(slice) * elem;
  for (int64_t b = 0; b < batches; ++b)
    for (int64_t j = 0; j < slices_per_batch; ++j) {
      int64_t off = b * block;
      for (size_t t = 0; t < k; ++t) off += idx[t] * slice_strides[t];
      idx += k;
      std::memcpy(d, s + static_cast<size_t>(off) * elem, bytes);
      d += bytes;
    }
}

template <class T>
void scatter_nd(T* dst, const int64_t* idx, int64_t n_updates,
                const std::vector<int64_t>& slice_strides, const T* updates, int64_t slice,
                Reduction red) {
  const size_t k = slice_strides.size();
  for (int64_t u = 0; u < n_updates; ++u) {
    int64_t off = 0;
    for (size_t t = 0; t < k; ++t) off += idx[t] * slice_strides[t];
    idx += k;
    for (int64_t i = 0; i < slice; ++i) combine(dst[off + i], updates[i], red);
    updates += slice;
  }
}

template <class T>
void scatter_elements(T* dst, const std::vector<int64_t>& dst_shape, const int64_t* idx,
                      const std::vector<int64_t>& idx_shape, int64_t axis, const T* updates,
                      Reduction red) {
  const std::vector<int64_t> st = dense_strides(dst_shape);
  for_each_index(idx_shape, [&](int64_t n, const std::vector<int64_t>& c) {
    combine(dst[offset_with(c, st, static_cast<size_t>(axis), idx[n])], updates[n], red);
  });
}

#define KILN_SCATTER(T)                                                                          \
  template void scatter_nd<T>(T*, const int64_t*, int64_t, const std::vector<int64_t>&, const T*, \
                              int64_t, Reduction);                                               \
  template void scatter_elements<T>(T*, const std::vector<int64_t>&, const int64_t*,              \
                                    const std::vector<int64_t>&, int64_t, const T*, Reduction);
KILN_SCATTER(uint8_t)
KILN_SCATTER(int8_t)
KILN_SCATTER(uint16_t)
KILN_SCATTER(int16_t)
KILN_SCATTER(uint32_t)
KILN_SCATTER(int32_t)
KILN_SCATTER(uint64_t)
KILN_SCATTER(int64_t)
KILN_SCATTER(float)
KILN_SCATTER(double)
KILN_SCATTER(std::string)
#undef KILN_SCATTER

void one_hot(const int64_t* idx, int64_t outer, int64_t depth, int64_t inner, const void* off_value,
             const void* on_value, void* dst, size_t elem) {
  auto* d = static_cast<uint8_t*>(dst);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < depth; ++k)
      for (int64_t i = 0; i < inner; ++i) {
        const bool on = idx[o * inner + i] == k;
        std::memcpy(d, on ? on_value : off_value, elem);
        d += elem;
      }
}

void nonzero_coords(const uint8_t* flags, const std::vector<int64_t>& shape, int64_t nnz,
                    int64_t* dst) {
  int64_t col = 0;
  for_each_index(shape, [&](int64_t n, const std::vector<int64_t>& c) {
    if (!flags[n]) return;
    for (size_t d = 0; d < c.size(); ++d) dst[static_cast<int64_t>(d) * nnz + col] = c[d];
    ++col;
  });
}

}  // namespace kiln::ref
