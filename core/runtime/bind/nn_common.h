#pragma once
// Shared pieces of the NN bindings (bind/nn*.cpp): float dtype dispatch and the spatial
// attribute resolution common to Conv, ConvTranspose and pooling.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/runtime/bind/bind_util.h"
#include "core/util/error.h"
#include "kernels/cpu/ref/conv.h"

namespace kiln::nn {

using bind::make_kernel;
using bind::need_input;
// "Conv 'name'" for error messages.
inline std::string node_label(const Node& n) { return bind::who_of(n); }

// Calls f(float{}) or f(double{}) for the element type of the op.
template <class F>
void dispatch_float(DataType dt, const std::string& label, F&& f) {
  if (dt == DataType::Float32) return f(float{});
  if (dt == DataType::Float64) return f(double{});
  fail_unsupported(label, ": element type ", std::string(dtype_name(dt)), " is not supported (float, float16, bfloat16, double)");
}

int64_t shape_numel(const std::vector<int64_t>& s);

// Spatial attributes of Conv/ConvTranspose/pooling as written on the node; per-dim values are
// filled in once the input rank is known.
struct SpatialAttrs {
  std::string auto_pad;
  std::vector<int64_t> kernel_shape, strides, dilations, pads;
  static SpatialAttrs read(const Node& n);
  // Checks lengths against the spatial rank and fills defaults (stride/dilation 1, pads 0).
  void resolve(size_t spatial, const std::string& label);
};

// Conv's attributes as read once from the node; shared by Conv, ConvTranspose and Kiln's FusedConv.
struct ConvAttrs {
  std::string label;
  SpatialAttrs sa;
  int64_t group = 1;
  static ConvAttrs read(const Node& n);
  // Shapes of X, W, B checked; returns the spatial rank.
  size_t check(const RtTensor& x, const RtTensor& w, const RtTensor* b, int64_t bias_len) const;
};
// Checks Conv's inputs and resolves its attributes into kernel parameters and the output shape.
ConvParams conv_params(const ConvAttrs& a, const RtTensor& x, const RtTensor& w, const RtTensor* b,
                       std::vector<int64_t>& yshape);
// ONNX Conv of x and w (plus bias b, may be null) into output 0 of ctx, which it allocates.
RtTensor& conv_forward(KernelContext& ctx, const ConvAttrs& a, const RtTensor& x, const RtTensor& w,
                       const RtTensor* b);

// Gemm's attributes; shared by Gemm and Kiln's FusedGemm.
struct GemmAttrs {
  std::string label;
  bool trans_a = false, trans_b = false;
  double alpha = 1.0, beta = 1.0;
  static GemmAttrs read(const Node& n);
};
// ONNX Gemm of a, b (and c, may be null) into output 0 of ctx, which it allocates.
RtTensor& gemm_forward(KernelContext& ctx, const GemmAttrs& g, const RtTensor& a, const RtTensor& b,
                       const RtTensor* c);

// numpy.matmul: the output shape of a x b (failing, naming `label`, when they do not multiply),
// and the product into y of that shape. Shared by MatMul, FusedMatMul and Attention.
std::vector<int64_t> matmul_shape(const std::string& label, const RtTensor& a, const RtTensor& b);
void matmul_into(const std::string& label, const RtTensor& a, const RtTensor& b, RtTensor& y);

void register_nn_conv_kernels(KernelRegistry& r);
void register_nn_norm_kernels(KernelRegistry& r);
void register_nn_pool_kernels(KernelRegistry& r);
void register_nn_resize_kernels(KernelRegistry& r);
void register_nn_einsum_kernels(KernelRegistry& r);
void register_nn_rnn_kernels(KernelRegistry& r);

}  // namespace kiln::nn
