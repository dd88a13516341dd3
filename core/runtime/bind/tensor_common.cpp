#include "core/runtime/bind/tensor_common.h"

#include <cmath>

namespace kiln::bind {
namespace {

template <class T>
T load(const void* base, size_t i) {
  T v;
  std::memcpy(&v, static_cast<const uint8_t*>(base) + i * sizeof(T), sizeof(T));
  return v;
}

template <class T>
void store(void* dst, T v) {
  std::memcpy(dst, &v, sizeof(T));
}

}  // namespace

std::vector<double> read_doubles(const RtTensor& t, const std::string& who) {
  const size_t n = static_cast<size_t>(t.numel());
  std::vector<double> out(n);
  const void* p = t.raw();
  for (size_t i = 0; i < n; ++i) {
    double v = 0;
    switch (t.dtype()) {
      case DataType::Float32: v = load<float>(p, i); break;
      case DataType::Float64: v = load<double>(p, i); break;
      case DataType::Float16: v = half_to_float(load<uint16_t>(p, i)); break;
      case DataType::BFloat16: v = bfloat16_to_float(load<uint16_t>(p, i)); break;
      case DataType::Int8: v = load<int8_t>(p, i); break;
      case DataType::UInt8: v = load<uint8_t>(p, i); break;
      case DataType::Bool: v = load<uint8_t>(p, i) ? 1 : 0; break;
      case DataType::Int16: v = load<int16_t>(p, i); break;
      case DataType::UInt16: v = load<uint16_t>(p, i); break;
      case DataType::Int32: v = load<int32_t>(p, i); break;
      case DataType::UInt32: v = load<uint32_t>(p, i); break;
      case DataType::Int64: v = static_cast<double>(load<int64_t>(p, i)); break;
      case DataType::UInt64: v = static_cast<double>(load<uint64_t>(p, i)); break;
      default:
        fail(who, ": cannot read ", std::string(dtype_name(t.dtype())), " values");
    }
    out[i] = v;
  }
  return out;
}

std::vector<int64_t> read_int64s(const RtTensor& t, const std::string& who) {
  const size_t n = static_cast<size_t>(t.numel());
  std::vector<int64_t> out(n);
  for (size_t i = 0; i < n; ++i) {
    switch (t.dtype()) {
      case DataType::Int64: out[i] = load<int64_t>(t.raw(), i); break;
      case DataType::Int32: out[i] = load<int32_t>(t.raw(), i); break;
      case DataType::Int16: out[i] = load<int16_t>(t.raw(), i); break;
      case DataType::Int8: out[i] = load<int8_t>(t.raw(), i); break;
      case DataType::UInt8: case DataType::Bool: out[i] = load<uint8_t>(t.raw(), i); break;
      case DataType::UInt16: out[i] = load<uint16_t>(t.raw(), i); break;
      case DataType::UInt32: out[i] = load<uint32_t>(t.raw(), i); break;
      case DataType::UInt64: out[i] = static_cast<int64_t>(load<uint64_t>(t.raw(), i)); break;
      default:
        fail(who, ": expected an integer tensor, got ", std::string(dtype_name(t.dtype())));
    }
  }
  return out;
}

void write_double(DataType dt, double v, void* dst, const std::string& who) {
  switch (dt) {
    case DataType::Float32: store(dst, static_cast<float>(v)); break;
    case DataType::Float64: store(dst, v); break;
    case DataType::Float16: store(dst, float_to_half(static_cast<float>(v))); break;
    case DataType::BFloat16: {
      // Round to nearest even on the upper half of the float bits.
      uint32_t b;
      const float f = static_cast<float>(v);
      std::memcpy(&b, &f, 4);
      b += 0x7fff + ((b >> 16) & 1);
      store(dst, static_cast<uint16_t>(b >> 16));
      break;
    }
    case DataType::Int8: store(dst, static_cast<int8_t>(v)); break;
    case DataType::UInt8: store(dst, static_cast<uint8_t>(v)); break;
    case DataType::Bool: store(dst, static_cast<uint8_t>(v != 0)); break;
    case DataType::Int16: store(dst, static_cast<int16_t>(v)); break;
    case DataType::UInt16: store(dst, static_cast<uint16_t>(v)); break;
    case DataType::Int32: store(dst, static_cast<int32_t>(v)); break;
    case DataType::UInt32: store(dst, static_cast<uint32_t>(v)); break;
    case DataType::Int64: store(dst, static_cast<int64_t>(v)); break;
    case DataType::UInt64: store(dst, static_cast<uint64_t>(v)); break;
    default:
      fail(who, ": cannot write ", std::string(dtype_name(dt)), " values");
  }
}

void copy_elements(const RtTensor& src, RtTensor& dst) {
  if (src.dtype() == DataType::String) {
    std::copy(src.strings().begin(), src.strings().end(), dst.strings().begin());
    return;
  }
  if (src.nbytes() && src.raw() != dst.raw()) std::memcpy(dst.raw(), src.raw(), src.nbytes());
}

}  // namespace kiln::bind
