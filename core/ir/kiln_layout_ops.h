#pragma once
// Kiln's channels-last ops (domain ai.kiln, version 1). The convert-to-nhwc pass
// (passes/layout/convert_to_nhwc.cpp) emits them; shape rules are in
// core/analysis/infer_kiln_layout.cpp and reference kernels in core/runtime/bind/kiln_layout.cpp.
// Every one is its ONNX namesake on a tensor whose channel axis is last: X is [N, H, W, C] and Y
// is [N, H', W', C'], and the spatial attributes (kernel_shape, strides, dilations, pads,
// auto_pad) keep their ONNX meaning and order (H first, then W), so they are copied unchanged.
// Only 2-D windows: rank-4 tensors.
//
// NhwcConv(X, W, B?) -> Y
//   Conv's attributes (auto_pad, dilations, group, kernel_shape, pads, strides). W is repacked
//   from Conv's OIHW to OHWI [M, kH, kW, C/group], so the input channels of one tap are
//   contiguous, as they are in X (what a channels-last kernel streams); B is [M] as in Conv.
// NhwcMaxPool(X) -> Y
//   MaxPool's attributes but storage_order: auto_pad, ceil_mode, dilations, kernel_shape, pads,
//   strides. No Indices output (ONNX's indices are flat NCHW offsets; the pass leaves a MaxPool
//   whose indices are read in NCHW).
// NhwcAveragePool(X) -> Y
//   AveragePool's attributes: auto_pad, ceil_mode, count_include_pad, dilations, kernel_shape,
//   pads, strides.
// NhwcGlobalAveragePool(X) -> Y, NhwcGlobalMaxPool(X) -> Y
//   Y is [N, 1, 1, C].
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace kiln::layout {

inline constexpr std::string_view kNhwcConv = "NhwcConv";
inline constexpr std::string_view kNhwcMaxPool = "NhwcMaxPool";
inline constexpr std::string_view kNhwcAveragePool = "NhwcAveragePool";
inline constexpr std::string_view kNhwcGlobalAveragePool = "NhwcGlobalAveragePool";
inline constexpr std::string_view kNhwcGlobalMaxPool = "NhwcGlobalMaxPool";

// Transpose perms: result axis i is input axis perm[i].
inline constexpr std::array<int64_t, 4> kToNhwc{0, 2, 3, 1};  // NCHW -> NHWC (and OIHW -> OHWI)
inline constexpr std::array<int64_t, 4> kToNchw{0, 3, 1, 2};  // NHWC -> NCHW (and OHWI -> OIHW)
// Where NCHW axis a lives in NHWC (the inverse of kToNhwc, which is kToNchw).
inline constexpr const std::array<int64_t, 4>& kNhwcAxisOf = kToNchw;

// Shape and element strides that read a dense 4-D tensor of `dims` with its axes permuted by
// `perm`, for ref::strided_copy (kernels/cpu/ref/transform.h).
inline void permuted_view(const std::vector<int64_t>& dims, const std::array<int64_t, 4>& perm,
                          std::vector<int64_t>& shape, std::vector<int64_t>& strides) {
  std::array<int64_t, 4> dense{};
  int64_t s = 1;
  for (size_t i = 4; i-- > 0;) {
    dense[i] = s;
    s *= dims[i];
  }
  shape.resize(4);
  strides.resize(4);
  for (size_t i = 0; i < 4; ++i) {
    shape[i] = dims[static_cast<size_t>(perm[i])];
    strides[i] = dense[static_cast<size_t>(perm[i])];
  }
}

}  // namespace kiln::layout
