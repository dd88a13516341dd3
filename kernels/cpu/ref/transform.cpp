#include "kernels/cpu/ref/transform.h"

#include <cstring>

namespace kiln::ref {
namespace {

struct Elem16 {
  uint64_t lo, hi;
};

// Calls f with a null pointer of the unsigned type whose size is elem, so one template body
// serves every dtype.
template <class F>
void by_size(size_t elem, F&& f) {
  switch (elem) {
    case 1: f(static_cast<uint8_t*>(nullptr)); break;
    case 2: f(static_cast<uint16_t*>(nullptr)); break;
    case 4: f(static_cast<uint32_t*>(nullptr)); break;
    case 8: f(static_cast<uint64_t*>(nullptr)); break;
    case 16: f(static_cast<Elem16*>(nullptr)); break;
    default: break;
  }
}

template <class T>
void strided_copy_t(const T* src, int64_t offset, const std::vector<int64_t>& strides, T* dst,
                    const std::vector<int64_t>& shape) {
  const size_t rank = shape.size();
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  if (total == 0) return;
  if (rank == 0) {
    dst[0] = src[offset];
    return;
  }
  std::vector<int64_t> idx(rank, 0);
  const int64_t inner = shape[rank - 1];
  const int64_t inner_stride = strides[rank - 1];
  int64_t base = offset;
  for (int64_t done = 0; done < total; done += inner) {
    const T* s = src + base;
    for (int64_t i = 0; i < inner; ++i) dst[i] = s[i * inner_stride];
    dst += inner;
    // Advance the outer index like an odometer, keeping base in step.
    for (size_t d = rank - 1; d-- > 0;) {
      base += strides[d];
      if (++idx[d] < shape[d]) break;
      base -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

template <class T>
void concat_t(const std::vector<const T*>& srcs, const std::vector<int64_t>& dims, int64_t outer,
              int64_t inner, T* dst) {
  for (int64_t o = 0; o < outer; ++o)
    for (size_t i = 0; i < srcs.size(); ++i) {
      const int64_t n = dims[i] * inner;
      const T* s = srcs[i] + o * n;
      for (int64_t j = 0; j < n; ++j) *dst++ = s[j];
    }
}

template <class T>
void split_t(const T* src, const std::vector<int64_t>& dims, int64_t outer, int64_t inner,
             const std::vector<T*>& dsts) {
  for (int64_t o = 0; o < outer; ++o)
    for (size_t i = 0; i < dsts.size(); ++i) {
      const int64_t n = dims[i] * inner;
      T* d = dsts[i] + o * n;
      for (int64_t j = 0; j < n; ++j) d[j] = *src++;
    }
}

std::vector<int64_t> dense_strides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) s[d - 1] = s[d] * shape[d];
  return s;
}

// Visits every output coordinate in row-major order, calling f(out_index, coords).
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

template <class T>
void tile_t(const T* src, const std::vector<int64_t>& in_shape, const std::vector<int64_t>& repeats,
            T* dst) {
  std::vector<int64_t> out_shape(in_shape.size());
  for (size_t d = 0; d < in_shape.size(); ++d) out_shape[d] = in_shape[d] * repeats[d];
  const std::vector<int64_t> st = dense_strides(in_shape);
  for_each_index(out_shape, [&](int64_t n, const std::vector<int64_t>& idx) {
    int64_t s = 0;
    for (size_t d = 0; d < idx.size(); ++d) s += (idx[d] % in_shape[d]) * st[d];
    dst[n] = src[s];
  });
}

// Source coordinate for output coordinate o - begin on an axis of length n; -1 when it falls in
// the constant border.
int64_t pad_source(int64_t i, int64_t n, PadMode mode) {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case PadMode::Constant:
      return -1;
    case PadMode::Edge:
      return i < 0 ? 0 : n - 1;
    case PadMode::Wrap: {
      int64_t r = i % n;
      return r < 0 ? r + n : r;
    }
    case PadMode::Reflect: {
      if (n == 1) return 0;
      const int64_t period = 2 * (n - 1);
      int64_t r = i % period;
      if (r < 0) r += period;
      return r >= n ? period - r : r;
    }
  }
  return -1;
}

template <class T>
void pad_t(const T* src, const std::vector<int64_t>& in_shape, const std::vector<int64_t>& begin,
           const std::vector<int64_t>& out_shape, PadMode mode, const T& value, T* dst) {
  const std::vector<int64_t> st = dense_strides(in_shape);
  for_each_index(out_shape, [&](int64_t n, const std::vector<int64_t>& idx) {
    int64_t s = 0;
    for (size_t d = 0; d < idx.size(); ++d) {
      const int64_t c = in_shape[d] == 0 ? -1 : pad_source(idx[d] - begin[d], in_shape[d], mode);
      if (c < 0) {
        dst[n] = value;
        return;
      }
      s += c * st[d];
    }
    dst[n] = src[s];
  });
}

}  // namespace

void strided_copy(const void* src, int64_t offset, const std::vector<int64_t>& strides, void* dst,
                  const std::vector<int64_t>& shape, size_t elem) {
  by_size(elem, [&]<class T>(T*) {
    strided_copy_t(static_cast<const T*>(src), offset, strides, static_cast<T*>(dst), shape);
  });
}

void strided_copy(const std::string* src, int64_t offset, const std::vector<int64_t>& strides,
                  std::string* dst, const std::vector<int64_t>& shape) {
  strided_copy_t(src, offset, strides, dst, shape);
}

void concat(const std::vector<const void*>& srcs, const std::vector<int64_t>& dims, int64_t outer,
            int64_t inner, void* dst, size_t elem) {
  by_size(elem, [&]<class T>(T*) {
    std::vector<const T*> s;
    for (const void* p : srcs) s.push_back(static_cast<const T*>(p));
    concat_t(s, dims, outer, inner, static_cast<T*>(dst));
  });
}

void concat(const std::vector<const std::string*>& srcs, const std::vector<int64_t>& dims,
            int64_t outer, int64_t inner, std::string* dst) {
  concat_t(srcs, dims, outer, inner, dst);
}

void split(const void* src, const std::vector<int64_t>& dims, int64_t outer, int64_t inner,
           const std::vector<void*>& dsts, size_t elem) {
  by_size(elem, [&]<class T>(T*) {
    std::vector<T*> d;
    for (void* p : dsts) d.push_back(static_cast<T*>(p));
    split_t(static_cast<const T*>(src), dims, outer, inner, d);
  });
}

void split(const std::string* src, const std::vector<int64_t>& dims, int64_t outer, int64_t inner,
           const std::vector<std::string*>& dsts) {
  split_t(src, dims, outer, inner, dsts);
}

void tile(const void* src, const std::vector<int64_t>& in_shape, const std::vector<int64_t>& repeats,
          void* dst, size_t elem) {
  by_size(elem, [&]<class T>(T*) {
    tile_t(static_cast<const T*>(src), in_shape, repeats, static_cast<T*>(dst));
  });
}

void tile(const std::string* src, const std::vector<int64_t>& in_shape,
          const std::vector<int64_t>& repeats, std::string* dst) {
  tile_t(src, in_shape, repeats, dst);
}

void pad(const void* src, const std::vector<int64_t>& in_shape, const std::vector<int64_t>& begin,
         const std::vector<int64_t>& out_shape, PadMode mode, const void* value, void* dst,
         size_t elem) {
  by_size(elem, [&]<class T>(T*) {
    T v;
    std::memcpy(&v, value, sizeof(T));
    pad_t(static_cast<const T*>(src), in_shape, begin, out_shape, mode, v, static_cast<T*>(dst));
  });
}

void pad(const std::string* src, const std::vector<int64_t>& in_shape,
         const std::vector<int64_t>& begin, const std::vector<int64_t>& out_shape, PadMode mode,
         const std::string& value, std::string* dst) {
  pad_t(src, in_shape, begin, out_shape, mode, value, dst);
}

void trilu(const void* src, int64_t batch, int64_t rows, int64_t cols, int64_t k, bool upper,
           void* dst, size_t elem) {
  const auto* s = static_cast<const uint8_t*>(src);
  auto* d = static_cast<uint8_t*>(dst);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        const bool keep = upper ? j - i >= k : j - i <= k;
        if (!keep) continue;
        const size_t off = static_cast<size_t>((b * rows + i) * cols + j) * elem;
        std::memcpy(d + off, s + off, elem);
      }
}

}  // namespace kiln::ref
