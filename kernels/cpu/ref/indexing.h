#pragma once
// Reference gather/scatter kernels. Index arrays arrive as int64 already normalised to
// [0, dim) by the caller (which owns the error messages for out-of-range indices). Pure moves go
// by element size; scatters with a reduction are typed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::ref {

// dst[o, j, i] = src[o, idx[j], i] for src [outer, axis_dim, inner] and n_idx indices.
void gather(const void* src, int64_t outer, int64_t axis_dim, int64_t inner, const int64_t* idx,
            int64_t n_idx, void* dst, size_t elem);
void gather(const std::string* src, int64_t outer, int64_t axis_dim, int64_t inner,
            const int64_t* idx, int64_t n_idx, std::string* dst);

// dst (shape of idx) at coordinates c = src at c with c[axis] replaced by idx at c.
void gather_elements(const void* src, const std::vector<int64_t>& src_shape, const int64_t* idx,
                     const std::vector<int64_t>& idx_shape, int64_t axis, void* dst, size_t elem);

// GatherND: idx is [batch..., n_slices..., k]; each k-tuple selects a slice of `slice` elements
// from its batch's src block of `block` elements, whose leading k dims have strides in
// `slice_strides` (in elements).
void gather_nd(const void* src, int64_t batches, int64_t block, const int64_t* idx,
               int64_t slices_per_batch, const std::vector<int64_t>& slice_strides, int64_t slice,
               void* dst, size_t elem);

enum class Reduction { None, Add, Mul, Max, Min };

// Scatters into dst, which already holds a copy of the data. ScatterND: each of n_updates
// k-tuples (idx, strides in slice_strides) names a slice of `slice` elements.
template <class T>
void scatter_nd(T* dst, const int64_t* idx, int64_t n_updates,
                const std::vector<int64_t>& slice_strides, const T* updates, int64_t slice,
                Reduction red);

// ScatterElements: updates has idx_shape; dst coordinates are the update's with [axis]
// replaced by the index.
template <class T>
void scatter_elements(T* dst, const std::vector<int64_t>& dst_shape, const int64_t* idx,
                      const std::vector<int64_t>& idx_shape, int64_t axis, const T* updates,
                      Reduction red);

// OneHot: dst [outer, depth, inner] gets on_value where idx[o, i] == d, off_value elsewhere;
// idx entries outside [0, depth) select nothing.
void one_hot(const int64_t* idx, int64_t outer, int64_t depth, int64_t inner, const void* off_value,
             const void* on_value, void* dst, size_t elem);

// NonZero: coordinates (rank rows of nnz columns) of the true flags, row-major order.
void nonzero_coords(const uint8_t* flags, const std::vector<int64_t>& shape, int64_t nnz,
                    int64_t* dst);

}  // namespace kiln::ref
