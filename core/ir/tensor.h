#pragma once
// Tensors and the immutable byte buffers behind them. A Buffer never changes after it is made, so
// graphs, snapshots and undo history share weights freely; "modifying" a weight means making a new
// Buffer (copy-on-write). A Buffer may own its bytes or view a memory-mapped file region, in which
// case it keeps the mapping alive.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/ir/dtype.h"

namespace kiln {

class Buffer {
 public:
  // Copies size bytes from data.
  static std::shared_ptr<const Buffer> copy(const void* data, size_t size);
  // Takes the bytes of a string without copying them.
  static std::shared_ptr<const Buffer> adopt(std::string&& bytes);
  static std::shared_ptr<const Buffer> adopt(std::vector<uint8_t>&& bytes);
  // Views [data, data+size) inside memory kept alive by owner (a mapped file, another buffer).
  static std::shared_ptr<const Buffer> view(std::shared_ptr<const void> owner, const uint8_t* data,
                                            size_t size);

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool is_view() const { return static_cast<bool>(owner_); }
  std::span<const uint8_t> bytes() const { return {data_, size_}; }

 private:
  Buffer() = default;
  std::string owned_;
  std::vector<uint8_t> owned_vec_;
  std::shared_ptr<const void> owner_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Where a tensor's bytes came from when the model stored them outside the .onnx file.
struct ExternalDataInfo {
  std::string location;  // relative to the model's folder
  int64_t offset = 0;
  int64_t length = -1;
  std::string checksum;
};

struct Tensor {
  std::string name;
  DataType dtype = DataType::Undefined;
  std::vector<int64_t> dims;
  // Packed little-endian element data for every type but String.
  std::shared_ptr<const Buffer> data;
  // Elements of a String tensor.
  std::vector<std::string> strings;
  std::string doc_string;
  // Set when the bytes were read from external data; kept so export can say where they came from.
  std::shared_ptr<const ExternalDataInfo> external;
  // Fields of the wire message this build does not know, kept verbatim for a lossless round trip.
  std::string unknown_fields;

  // Product of dims; -1 on overflow or a negative dim.
  int64_t numel() const;
  size_t byte_size() const { return data ? data->size() : 0; }
  const uint8_t* raw() const { return data ? data->data() : nullptr; }

  template <class T>
  std::span<const T> values() const {
    if (!data) return {};
    return {reinterpret_cast<const T*>(data->data()), data->size() / sizeof(T)};
  }

  // Scalar or 1-D integer tensor (int32/int64/...) read as int64 values; used for shape inputs.
  std::vector<int64_t> to_int64() const;
  // Any numeric tensor read as double values (sub-byte and 8-bit float types included).
  std::vector<double> to_double() const;

  static std::shared_ptr<const Tensor> make(std::string name, DataType dtype,
                                            std::vector<int64_t> dims, std::vector<uint8_t> bytes);
  template <class T>
  static std::shared_ptr<const Tensor> from_values(std::string name, DataType dtype,
                                                   std::vector<int64_t> dims,
                                                   const std::vector<T>& v) {
    std::vector<uint8_t> bytes(v.size() * sizeof(T));
    if (!bytes.empty()) std::memcpy(bytes.data(), v.data(), bytes.size());
    return make(std::move(name), dtype, std::move(dims), std::move(bytes));
  }
};

// IEEE half and bfloat16 to and from float; float to either rounds to nearest even and keeps
// NaN a NaN.
float half_to_float(uint16_t h);
float bfloat16_to_float(uint16_t b);
uint16_t float_to_half(float f);
uint16_t float_to_bfloat16(float f);

}  // namespace kiln
