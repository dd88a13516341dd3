#include "core/ir/dtype.h"

#include <array>
#include <limits>

namespace kiln {
namespace {

struct TypeInfo {
  std::string_view short_name;
  std::string_view name;
  int bits;
};

constexpr std::array<TypeInfo, 24> kTypes = {{
    {"undef", "undefined", 0},  {"f32", "float", 32},          {"u8", "uint8", 8},
    {"i8", "int8", 8},          {"u16", "uint16", 16},         {"i16", "int16", 16},
    {"i32", "int32", 32},       {"i64", "int64", 64},          {"str", "string", 0},
    {"bool", "bool", 8},        {"f16", "float16", 16},        {"f64", "double", 64},
    {"u32", "uint32", 32},      {"u64", "uint64", 64},         {"c64", "complex64", 64},
    {"c128", "complex128", 128}, {"bf16", "bfloat16", 16},     {"f8e4m3fn", "float8e4m3fn", 8},
    {"f8e4m3fnuz", "float8e4m3fnuz", 8}, {"f8e5m2", "float8e5m2", 8},
    {"f8e5m2fnuz", "float8e5m2fnuz", 8}, {"u4", "uint4", 4},   {"i4", "int4", 4},
    {"f4e2m1", "float4e2m1", 4},
}};

const TypeInfo* info(DataType t) {
  auto i = static_cast<int32_t>(t);
  if (i < 0 || i >= static_cast<int32_t>(kTypes.size())) return nullptr;
  return &kTypes[static_cast<size_t>(i)];
}

}  // namespace

std::string_view dtype_short_name(DataType t) {
  const TypeInfo* ti = info(t);
  return ti ? ti->short_name : std::string_view("?");
}

std::string_view dtype_name(DataType t) {
  const TypeInfo* ti = info(t);
  return ti ? ti->name : std::string_view("unknown");
}

std::optional<DataType> dtype_from_short_name(std::string_view s) {
  for (size_t i = 0; i < kTypes.size(); ++i)
    if (kTypes[i].short_name == s) return static_cast<DataType>(i);
  return std::nullopt;
}

std::optional<DataType> dtype_from_enum_name(std::string_view s) {
  // The enum names are the long names upper-cased.
  auto same = [](std::string_view lower, std::string_view upper) {
    if (lower.size() != upper.size()) return false;
    for (size_t i = 0; i < lower.size(); ++i) {
      char c = lower[i];
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (c != upper[i]) return false;
    }
    return true;
  };
  for (size_t i = 1; i < kTypes.size(); ++i)
    if (same(kTypes[i].name, s)) return static_cast<DataType>(i);
  return std::nullopt;
}

int dtype_bits(DataType t) {
  const TypeInfo* ti = info(t);
  return ti ? ti->bits : 0;
}

bool dtype_is_known(int32_t code) { return code > 0 && code < static_cast<int32_t>(kTypes.size()); }

bool dtype_is_float(DataType t) {
  switch (t) {
    case DataType::Float32: case DataType::Float16: case DataType::Float64: case DataType::BFloat16:
    case DataType::Float8E4M3FN: case DataType::Float8E4M3FNUZ: case DataType::Float8E5M2:
    case DataType::Float8E5M2FNUZ: case DataType::Float4E2M1:
      return true;
    default:
      return false;
  }
}

bool dtype_is_integer(DataType t) {
  switch (t) {
    case DataType::UInt8: case DataType::Int8: case DataType::UInt16: case DataType::Int16:
    case DataType::Int32: case DataType::Int64: case DataType::UInt32: case DataType::UInt64:
    case DataType::UInt4: case DataType::Int4:
      return true;
    default:
      return false;
  }
}

int64_t dtype_storage_bytes(DataType t, int64_t numel) {
  int bits = dtype_bits(t);
  if (bits == 0 || numel < 0) return -1;
  if (numel > std::numeric_limits<int64_t>::max() / bits) return -1;
  return (numel * bits + 7) / 8;
}

}  // namespace kiln
