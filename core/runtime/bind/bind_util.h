#pragma once
// Small pieces every binding family uses: a kernel that is a closure over attributes read at
// compile time, the node label for error messages, the required-input check, and float16 /
// bfloat16 storage for kernels that compute in float.
#include <functional>
#include <memory>
#include <string>

#include "core/runtime/kernel.h"
#include "core/util/error.h"

namespace kiln::bind {

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

// "Op 'name'", or just "Op" for an unnamed node.
inline std::string who_of(const Node& n) {
  std::string s = n.op_type;
  if (!n.name.empty()) {
    s += " '";
    s += n.name;
    s += '\'';
  }
  return s;
}

inline const RtTensor& need_input(KernelContext& ctx, size_t i, const std::string& who) {
  const RtTensor* t = ctx.input(i);
  if (!t) fail(who, ": required input ", std::to_string(i), " is missing");
  return *t;
}

using KernelFactory = std::function<std::unique_ptr<OpKernel>(const KernelInit&)>;

// Gives a float/double kernel float16 and bfloat16 storage: when input 0 is half, every half
// input is widened to float, the kernel runs, and each float output it makes is rounded back to
// input 0's type. Outputs of other types (MaxPool's int64 indices) pass through. This is what
// ONNX Runtime's CPU provider does for most float16 ops: store half, compute float.
KernelFactory half_storage(KernelFactory make);

}  // namespace kiln::bind
