#pragma once
// A tensor as the runtime sees it: element type, concrete shape, and memory that is either owned
// (64-byte aligned heap), borrowed from the session's arena, or a read-only view of an initializer.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/ir/tensor.h"

namespace kiln {

// "[1,3,224,224]": how shapes read in every runtime message.
std::string shape_str(const std::vector<int64_t>& shape);

class RtTensor {
 public:
  RtTensor() = default;

  // Owned, zero-filled, 64-byte aligned. Throws kiln::Error when the size overflows or the
  // allocation fails (naming the shape and the byte count).
  static RtTensor allocate(DataType dtype, std::vector<int64_t> shape);
  // Memory owned elsewhere (arena); the caller keeps it alive while the tensor is used.
  static RtTensor borrow(DataType dtype, std::vector<int64_t> shape, void* data);
  // Read-only view of IR tensor data (kept alive by the view). String tensors are copied.
  static RtTensor view(std::shared_ptr<const Tensor> t);
  // Copies into an IR tensor (for writing outputs to files, comparing, folding constants).
  std::shared_ptr<const Tensor> to_tensor(std::string name) const;

  DataType dtype() const { return dtype_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  int64_t dim(size_t i) const { return shape_[i]; }
  size_t rank() const { return shape_.size(); }
  int64_t numel() const;
  size_t nbytes() const;
  bool empty() const { return dtype_ == DataType::Undefined; }

  void* raw() { return data_; }
  const void* raw() const { return data_; }
  template <class T>
  T* data() {
    return static_cast<T*>(data_);
  }
  template <class T>
  const T* data() const {
    return static_cast<const T*>(data_);
  }
  // Elements of a String tensor.
  std::vector<std::string>& strings() { return strings_; }
  const std::vector<std::string>& strings() const { return strings_; }

 private:
  DataType dtype_ = DataType::Undefined;
  std::vector<int64_t> shape_;
  void* data_ = nullptr;
  std::shared_ptr<const void> keep_;
  std::vector<std::string> strings_;
};

// float16 and bfloat16 are storage types for the reference kernels: they compute in float.
inline bool is_half_float(DataType d) { return d == DataType::Float16 || d == DataType::BFloat16; }
// A float32 copy of a float16/bfloat16 tensor.
RtTensor widen_to_float(const RtTensor& half);
// Rounds float32 `f` into `out` (float16 or bfloat16, same element count).
void narrow_from_float(const RtTensor& f, RtTensor& out);

}  // namespace kiln
