#pragma once
// Static types of values: element type plus a shape whose dims are known numbers, named symbols
// (ONNX dim_param, e.g. "batch") or unknown. Non-tensor types (sequence, map, optional, sparse)
// are carried as their serialized ONNX TypeProto so nothing is lost on a round trip.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ir/dtype.h"

namespace kiln {

struct Dim {
  int64_t value = -1;   // >= 0 when known
  std::string symbol;   // dim_param when symbolic
  std::string denotation;

  static Dim known(int64_t v) { return Dim{v, {}, {}}; }
  static Dim symbolic(std::string s) { return Dim{-1, std::move(s), {}}; }
  static Dim unknown() { return Dim{}; }

  bool is_known() const { return value >= 0; }
  bool is_symbolic() const { return value < 0 && !symbol.empty(); }
  bool operator==(const Dim& o) const { return value == o.value && symbol == o.symbol; }
  std::string str() const;  // "3", "batch" or "?"
};

struct Shape {
  std::vector<Dim> dims;

  Shape() = default;
  explicit Shape(std::vector<Dim> d) : dims(std::move(d)) {}
  static Shape of(const std::vector<int64_t>& v);

  size_t rank() const { return dims.size(); }
  bool is_static() const;
  // Product of dims when all are known; nullopt otherwise or on overflow.
  std::optional<int64_t> numel() const;
  std::vector<int64_t> values() const;  // -1 for unknown dims
  bool operator==(const Shape& o) const { return dims == o.dims; }
  std::string str() const;  // "[1,3,batch,?]"
};

struct ValueType {
  enum class Kind { Unknown, Tensor, Other };
  Kind kind = Kind::Unknown;
  DataType dtype = DataType::Undefined;
  std::optional<Shape> shape;  // nullopt: rank unknown
  std::string other;           // serialized TypeProto when kind == Other
  std::string denotation;

  static ValueType tensor(DataType dt) {
    ValueType t;
    t.kind = Kind::Tensor;
    t.dtype = dt;
    return t;
  }
  static ValueType tensor(DataType dt, Shape s) {
    ValueType t = tensor(dt);
    t.shape = std::move(s);
    return t;
  }
  bool is_tensor() const { return kind == Kind::Tensor; }
  bool is_known() const { return kind != Kind::Unknown; }
  bool operator==(const ValueType& o) const {
    return kind == o.kind && dtype == o.dtype && shape == o.shape && other == o.other;
  }
  std::string str() const;  // "f32[1,3,224,224]", "f32[*]" (rank unknown), "?" or "<other>"
};

}  // namespace kiln
