#pragma once
// Small pieces every binding family uses: a kernel that is a closure over attributes read at
// compile time, the node label for error messages, the required-input check, and float16 /
// bfloat16 storage for kernels that compute in float.
#include <cstdint>
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

// Element-type sets an op accepts, and visit<Set>(dtype, who, f), which calls f with a value of
// the C++ type for dtype (float16/bfloat16 are widened to float by the caller before this).
constexpr unsigned kFloat = 1, kSigned = 2, kUnsigned = 4, kBool = 8;
constexpr unsigned kInt = kSigned | kUnsigned, kNumeric = kFloat | kInt, kAll = kNumeric | kBool;

template <unsigned Set, class F>
void visit(DataType dt, const std::string& who, F&& f) {
  if constexpr ((Set & kFloat) != 0) {
    if (dt == DataType::Float32) return f(float{});
    if (dt == DataType::Float64) return f(double{});
  }
  if constexpr ((Set & kSigned) != 0) {
    if (dt == DataType::Int8) return f(int8_t{});
    if (dt == DataType::Int16) return f(int16_t{});
    if (dt == DataType::Int32) return f(int32_t{});
    if (dt == DataType::Int64) return f(int64_t{});
  }
  if constexpr ((Set & kUnsigned) != 0) {
    if (dt == DataType::UInt8) return f(uint8_t{});
    if (dt == DataType::UInt16) return f(uint16_t{});
    if (dt == DataType::UInt32) return f(uint32_t{});
    if (dt == DataType::UInt64) return f(uint64_t{});
  }
  if constexpr ((Set & kBool) != 0) {
    if (dt == DataType::Bool) return f(bool{});
  }
  fail_unsupported(who, ": input type ", std::string(dtype_name(dt)), " is not supported");
}

using KernelFactory = std::function<std::unique_ptr<OpKernel>(const KernelInit&)>;

// Gives a float/double kernel float16 and bfloat16 storage: when input 0 is half, every half
// input is widened to float, the kernel runs, and each float output it makes is rounded back to
// input 0's type. Outputs of other types (MaxPool's int64 indices) pass through. This is what
// ONNX Runtime's CPU provider does for most float16 ops: store half, compute float.
KernelFactory half_storage(KernelFactory make);

}  // namespace kiln::bind
