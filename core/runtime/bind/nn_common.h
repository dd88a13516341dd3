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

inline std::string shape_str(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) r.push_back(',');
    r.append(std::to_string(s[i]));
  }
  r.push_back(']');
  return r;
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

void register_nn_conv_kernels(KernelRegistry& r);
void register_nn_norm_kernels(KernelRegistry& r);
void register_nn_pool_kernels(KernelRegistry& r);
void register_nn_resize_kernels(KernelRegistry& r);
void register_nn_einsum_kernels(KernelRegistry& r);
void register_nn_rnn_kernels(KernelRegistry& r);

}  // namespace kiln::nn
