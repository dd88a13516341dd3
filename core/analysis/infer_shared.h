#pragma once
// Internal to core/analysis: shape arithmetic of convolution, pooling and matrix products, shared
// by the float ops and their quantized / integer forms (infer_quant.cpp).
#include <optional>
#include <vector>

#include "core/analysis/infer_context.h"

namespace kiln::analysis {

// Spatial output dims of a window (kernel) sliding over x's spatial axes, reading strides,
// dilations, pads and auto_pad from the node. nullopt (after a warning) on invalid attributes.
std::optional<std::vector<Dim>> window_output_dims(InferContext& c, const Shape& x,
                                                   const std::vector<int64_t>& kernel,
                                                   bool ceil_mode);

// [N, M, spatial...] of a Conv-like node with data input x_index and weights w_index.
std::optional<Shape> conv_output_shape(InferContext& c, size_t x_index, size_t w_index);

// Numpy matmul: 1-D operands are promoted and the promoted dims dropped again, batch dims
// broadcast. nullopt (after a warning) when the inner dims differ.
std::optional<Shape> matmul_output_shape(InferContext& c, const Shape& a, const Shape& b);

// [M, N] of Gemm's 2-D operands under the node's transA/transB. nullopt (after a warning) when
// an operand is not 2-D; a warning when the inner dims differ.
std::optional<Shape> gemm_output_shape(InferContext& c, const Shape& a, const Shape& b);

}  // namespace kiln::analysis
