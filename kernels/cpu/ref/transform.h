#pragma once
// Reference data-movement kernels: every one moves whole elements without looking at their values,
// so one routine serves every dtype of a given element size (1, 2, 4, 8 or 16 bytes); String
// tensors get their own overloads over std::string. Shapes and strides count elements.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::ref {

// dst (dense, of `shape`) [i0..ik] = src[offset + sum(i_d * strides[d])]. Strides may be zero
// (broadcast) or negative (reversed slices), which makes this Transpose, Slice, Expand and the
// DepthToSpace/SpaceToDepth permutations.
void strided_copy(const void* src, int64_t offset, const std::vector<int64_t>& strides, void* dst,
                  const std::vector<int64_t>& shape, size_t elem);
void strided_copy(const std::string* src, int64_t offset, const std::vector<int64_t>& strides,
                  std::string* dst, const std::vector<int64_t>& shape);

// Joins inputs along an axis: each input is [outer, dims[i], inner].
void concat(const std::vector<const void*>& srcs, const std::vector<int64_t>& dims, int64_t outer,
            int64_t inner, void* dst, size_t elem);
void concat(const std::vector<const std::string*>& srcs, const std::vector<int64_t>& dims,
            int64_t outer, int64_t inner, std::string* dst);

// Cuts src [outer, sum(dims), inner] into pieces [outer, dims[i], inner].
void split(const void* src, const std::vector<int64_t>& dims, int64_t outer, int64_t inner,
           const std::vector<void*>& dsts, size_t elem);
void split(const std::string* src, const std::vector<int64_t>& dims, int64_t outer, int64_t inner,
           const std::vector<std::string*>& dsts);

// dst of shape in_shape * repeats (per axis) repeats src along each axis.
void tile(const void* src, const std::vector<int64_t>& in_shape, const std::vector<int64_t>& repeats,
          void* dst, size_t elem);
void tile(const std::string* src, const std::vector<int64_t>& in_shape,
          const std::vector<int64_t>& repeats, std::string* dst);

enum class PadMode { Constant, Reflect, Edge, Wrap };

// out_shape[d] = in_shape[d] + begin[d] + end[d] (pads may be negative: cropping). `value` points
// at one element used by Constant mode.
void pad(const void* src, const std::vector<int64_t>& in_shape, const std::vector<int64_t>& begin,
         const std::vector<int64_t>& out_shape, PadMode mode, const void* value, void* dst,
         size_t elem);
void pad(const std::string* src, const std::vector<int64_t>& in_shape,
         const std::vector<int64_t>& begin, const std::vector<int64_t>& out_shape, PadMode mode,
         const std::string& value, std::string* dst);

// Keeps the upper (j - i >= k) or lower (j - i <= k) triangle of each [rows, cols] matrix, zeroes
// the rest. dst must start zero-filled.
void trilu(const void* src, int64_t batch, int64_t rows, int64_t cols, int64_t k, bool upper,
           void* dst, size_t elem);

}  // namespace kiln::ref
