#include "core/runtime/rt_tensor.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

#include "core/util/error.h"

namespace kiln {
namespace {

int64_t count(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return -1;
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d) return -1;
    n *= d;
  }
  return n;
}

}  // namespace

std::string shape_str(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

int64_t RtTensor::numel() const { return count(shape_); }

size_t RtTensor::nbytes() const {
  int64_t b = dtype_storage_bytes(dtype_, numel());
  return b < 0 ? 0 : static_cast<size_t>(b);
}

RtTensor RtTensor::allocate(DataType dtype, std::vector<int64_t> shape) {
  RtTensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  int64_t n = count(t.shape_);
  if (n < 0) fail("tensor of shape ", shape_str(t.shape_), " has an invalid or overflowing size");
  if (dtype == DataType::String) {
    t.strings_.resize(static_cast<size_t>(n));
    return t;
  }
  int64_t bytes = dtype_storage_bytes(dtype, n);
  if (bytes < 0) fail("tensor of shape ", shape_str(t.shape_), " and type ", std::string(dtype_name(dtype)), " cannot be stored");
  size_t rounded = (static_cast<size_t>(bytes) + 63) / 64 * 64;
  void* p = rounded ? std::aligned_alloc(64, rounded) : nullptr;
  if (rounded && !p)
    fail("out of memory allocating ", std::to_string(bytes), " bytes for a tensor of shape ", shape_str(t.shape_));
  if (p) std::memset(p, 0, rounded);
  t.data_ = p;
  t.keep_ = std::shared_ptr<void>(p, [](void* q) { std::free(q); });
  return t;
}

RtTensor RtTensor::borrow(DataType dtype, std::vector<int64_t> shape, void* data) {
  RtTensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.data_ = data;
  return t;
}

RtTensor RtTensor::view(std::shared_ptr<const Tensor> src) {
  RtTensor t;
  t.dtype_ = src->dtype;
  t.shape_ = src->dims;
  if (src->dtype == DataType::String) {
    t.strings_ = src->strings;
    return t;
  }
  if (static_cast<int64_t>(src->byte_size()) < dtype_storage_bytes(src->dtype, src->numel()))
    fail("tensor '", src->name, "' holds fewer bytes than its shape ", shape_str(src->dims), " needs");
  t.data_ = const_cast<uint8_t*>(src->raw());  // read-only by contract: kernels never write inputs
  t.keep_ = std::move(src);
  return t;
}

std::shared_ptr<const Tensor> RtTensor::to_tensor(std::string name) const {
  auto t = std::make_shared<Tensor>();
  t->name = std::move(name);
  t->dtype = dtype_;
  t->dims = shape_;
  if (dtype_ == DataType::String) {
    t->strings = strings_;
  } else {
    t->data = Buffer::copy(data_, nbytes());
  }
  return t;
}

RtTensor widen_to_float(const RtTensor& half) {
  RtTensor r = RtTensor::allocate(DataType::Float32, half.shape());
  const uint16_t* s = half.data<uint16_t>();
  float* d = r.data<float>();
  const int64_t n = half.numel();
  if (half.dtype() == DataType::Float16)
    for (int64_t i = 0; i < n; ++i) d[i] = half_to_float(s[i]);
  else
    for (int64_t i = 0; i < n; ++i) d[i] = bfloat16_to_float(s[i]);
  return r;
}

void narrow_from_float(const RtTensor& f, RtTensor& out) {
  const float* s = f.data<float>();
  uint16_t* d = out.data<uint16_t>();
  const int64_t n = f.numel();
  if (out.dtype() == DataType::Float16)
    for (int64_t i = 0; i < n; ++i) d[i] = float_to_half(s[i]);
  else
    for (int64_t i = 0; i < n; ++i) d[i] = float_to_bfloat16(s[i]);
}

}  // namespace kiln
