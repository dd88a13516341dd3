#pragma once
// Helpers shared by the tensor and quantization bindings (bind/tensor*.cpp, bind/quant.cpp):
// a kernel made of one compute function, error messages that name the node, and readers for the
// small shape/scalar tensors these ops take as inputs.
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/runtime/kernel.h"
#include "core/util/error.h"

namespace kiln::bind {

using ComputeFn = std::function<void(KernelContext&)>;

class FnKernel : public OpKernel {
 public:
  explicit FnKernel(ComputeFn f) : f_(std::move(f)) {}
  void compute(KernelContext& ctx) override { f_(ctx); }

 private:
  ComputeFn f_;
};

// Registers a reference kernel for ONNX-domain `op` over opsets [since, until]; `make` reads the
// node's attributes once and returns the compute function.
inline void add_ref(KernelRegistry& r, const std::string& op, int64_t since, int64_t until,
                    std::function<ComputeFn(const KernelInit&)> make) {
  r.add(KernelDef{"", op, since, until, Backend::Ref,
                  [make = std::move(make)](const KernelInit& init) -> std::unique_ptr<OpKernel> {
                    return std::make_unique<FnKernel>(make(init));
                  }});
}

// "Gather node 'g1'" (or "Gather node" when unnamed): kernels keep this string, not the node,
// so that messages survive the graph.
inline std::string node_label(const Node& n) {
  return n.name.empty() ? n.op_type + " node" : n.op_type + " node '" + n.name + "'";
}

inline int64_t product(const std::vector<int64_t>& s, size_t from = 0, size_t to = SIZE_MAX) {
  int64_t p = 1;
  for (size_t i = from; i < s.size() && i < to; ++i) p *= s[i];
  return p;
}

inline std::vector<int64_t> dense_strides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) s[d - 1] = s[d] * shape[d];
  return s;
}

// Input i, which the op requires.
inline const RtTensor& need(KernelContext& ctx, size_t i, const std::string& who) {
  const RtTensor* t = ctx.input(i);
  if (!t) fail(who, ": required input ", std::to_string(i), " is missing");
  return *t;
}

// Bytes per element for byte-moving kernels; 0 for String. Sub-byte types are refused.
inline size_t elem_size(DataType dt, const std::string& who) {
  if (dt == DataType::String) return 0;
  const int bits = dtype_bits(dt);
  if (bits == 0 || bits % 8 != 0)
    fail_unsupported(who, ": element type ", std::string(dtype_name(dt)), " is unsupported by the reference kernel");
  return static_cast<size_t>(bits / 8);
}

inline int64_t norm_axis(int64_t axis, int64_t rank, const std::string& who) {
  if (axis < -rank || axis >= rank)
    fail(who, ": axis ", std::to_string(axis), " is out of range for rank ", std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

// Any numeric tensor as doubles.
std::vector<double> read_doubles(const RtTensor& t, const std::string& who);
// An integer tensor (shapes, axes, indices) as int64.
std::vector<int64_t> read_int64s(const RtTensor& t, const std::string& who);
// Stores v as one element of type dt at dst (for the ones and fill values ops make up).
void write_double(DataType dt, double v, void* dst, const std::string& who);
// dst (already allocated with src's dtype and element count) gets src's elements.
void copy_elements(const RtTensor& src, RtTensor& dst);

// out (allocated) gets in viewed through offset and per-axis strides (see ref::strided_copy).
void strided_view(const RtTensor& in, int64_t offset, const std::vector<int64_t>& strides,
                  RtTensor& out, const std::string& who);

// The parts of register_tensor_kernels, one per file.
void register_tensor_layout_kernels(KernelRegistry& r);    // tensor.cpp
void register_tensor_constant_kernels(KernelRegistry& r);  // tensor_constant.cpp
void register_tensor_indexing_kernels(KernelRegistry& r);  // tensor_indexing.cpp

}  // namespace kiln::bind
