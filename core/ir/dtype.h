#pragma once
// Element types. The numbering is ONNX's TensorProto.DataType, so conversion to and from the
// wire format is a cast, and types newer than the protobuf schema we compile against still travel.
#include <cstdint>
#include <optional>
#include <string_view>

namespace kiln {

enum class DataType : int32_t {
  Undefined = 0,
  Float32 = 1,
  UInt8 = 2,
  Int8 = 3,
  UInt16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  String = 8,
  Bool = 9,
  Float16 = 10,
  Float64 = 11,
  UInt32 = 12,
  UInt64 = 13,
  Complex64 = 14,
  Complex128 = 15,
  BFloat16 = 16,
  Float8E4M3FN = 17,
  Float8E4M3FNUZ = 18,
  Float8E5M2 = 19,
  Float8E5M2FNUZ = 20,
  UInt4 = 21,
  Int4 = 22,
  Float4E2M1 = 23,
};

// Short name used in dumps and shape strings: f32, f16, bf16, i64, u8, bool, str, ...
std::string_view dtype_short_name(DataType t);
// Long, ONNX-style name: float, float16, int64, ...
std::string_view dtype_name(DataType t);
std::optional<DataType> dtype_from_short_name(std::string_view s);
// TensorProto.DataType enum names ("FLOAT", "INT64", "FLOAT16", "BFLOAT16"), as Cast-1 writes them.
std::optional<DataType> dtype_from_enum_name(std::string_view s);
// Bits per element in packed storage; 0 for String and Undefined and unknown codes.
int dtype_bits(DataType t);
bool dtype_is_known(int32_t code);
bool dtype_is_float(DataType t);
bool dtype_is_integer(DataType t);
// Bytes needed to store numel elements (sub-byte types pack two per byte, rounded up).
// Returns -1 when the count overflows or the type has no fixed size.
int64_t dtype_storage_bytes(DataType t, int64_t numel);

}  // namespace kiln
