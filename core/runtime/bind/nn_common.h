#pragma once
// Shared pieces of the NN bindings (bind/nn*.cpp): kernels built from closures, float dtype
// dispatch, and spatial attribute resolution common to Conv, ConvTranspose and pooling.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/runtime/kernel.h"
#include "core/util/error.h"

namespace kiln::nn {

class FnKernel : public OpKernel {
 public:
  explicit FnKernel(std::function<void(KernelContext&)> f) : f_(std::move(f)) {}
  void compute(KernelContext& ctx) override { f_(ctx); }

 private:
  std::function<void(KernelContext&)> f_;
};

inline std::unique_ptr<OpKernel> make_kernel(std::function<void(KernelContext&)> f) {
  return std::make_unique<FnKernel>(std::move(f));
}

// "Conv 'name'" for error messages.
inline std::string node_label(const Node& n) {
  std::string s = n.op_type;
  if (!n.name.empty()) s.append(" '").append(n.name).append("'");
  return s;
}

inline const RtTensor& need_input(KernelContext& ctx, size_t i, const std::string& label) {
  const RtTensor* t = ctx.input(i);
  if (!t) fail(label, ": input ", std::to_string(i), " is required");
  return *t;
}

// Calls f(float{}) or f(double{}) for the element type of the op.
template <class F>
void dispatch_float(DataType dt, const std::string& label, F&& f) {
  if (dt == DataType::Float32) return f(float{});
  if (dt == DataType::Float64) return f(double{});
  fail(label, ": element type ", std::string(dtype_name(dt)), " is not supported (float, double)");
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
