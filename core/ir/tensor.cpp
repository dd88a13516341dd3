#include "core/ir/tensor.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace kiln {

std::shared_ptr<const Buffer> Buffer::copy(const void* data, size_t size) {
  auto b = std::shared_ptr<Buffer>(new Buffer());
  b->owned_vec_.resize(size);
  if (size) std::memcpy(b->owned_vec_.data(), data, size);
  b->data_ = b->owned_vec_.data();
  b->size_ = size;
  return b;
}

std::shared_ptr<const Buffer> Buffer::adopt(std::string&& bytes) {
  auto b = std::shared_ptr<Buffer>(new Buffer());
  b->owned_ = std::move(bytes);
  b->data_ = reinterpret_cast<const uint8_t*>(b->owned_.data());
  b->size_ = b->owned_.size();
  return b;
}

std::shared_ptr<const Buffer> Buffer::adopt(std::vector<uint8_t>&& bytes) {
  auto b = std::shared_ptr<Buffer>(new Buffer());
  b->owned_vec_ = std::move(bytes);
  b->data_ = b->owned_vec_.data();
  b->size_ = b->owned_vec_.size();
  return b;
}

std::shared_ptr<const Buffer> Buffer::view(std::shared_ptr<const void> owner, const uint8_t* data,
                                           size_t size) {
  auto b = std::shared_ptr<Buffer>(new Buffer());
  b->owner_ = std::move(owner);
  b->data_ = data;
  b->size_ = size;
  return b;
}

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) return -1;
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d) return -1;
    n *= d;
  }
  return n;
}

std::shared_ptr<const Tensor> Tensor::make(std::string name, DataType dtype,
                                           std::vector<int64_t> dims, std::vector<uint8_t> bytes) {
  auto t = std::make_shared<Tensor>();
  t->name = std::move(name);
  t->dtype = dtype;
  t->dims = std::move(dims);
  t->data = Buffer::adopt(std::move(bytes));
  return t;
}

float half_to_float(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: renormalize
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while ((mant & 0x400) == 0);
      bits = sign | (static_cast<uint32_t>(127 - 15 - e) << 23) | ((mant & 0x3ff) << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  return std::bit_cast<float>(bits);
}

float bfloat16_to_float(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

uint16_t float_to_bfloat16(float f) {
  uint32_t x = std::bit_cast<uint32_t>(f);
  if ((x & 0x7fffffff) > 0x7f800000) return static_cast<uint16_t>((x >> 16) | 0x40);  // keep NaN a NaN
  x += 0x7fff + ((x >> 16) & 1);  // round to nearest even
  return static_cast<uint16_t>(x >> 16);
}

uint16_t float_to_half(float f) {
  uint32_t x = std::bit_cast<uint32_t>(f);
  uint32_t sign = (x >> 16) & 0x8000;
  uint32_t absx = x & 0x7fffffff;
  if (absx >= 0x7f800000) return static_cast<uint16_t>(sign | 0x7c00 | (absx > 0x7f800000 ? 0x200 : 0));
  if (absx >= 0x477ff000) return static_cast<uint16_t>(sign | 0x7c00);  // overflow to inf
  if (absx < 0x38800000) {                                               // subnormal or zero
    float a = std::bit_cast<float>(absx);
    return static_cast<uint16_t>(sign | static_cast<uint32_t>(std::nearbyint(a * 16777216.0f)));
  }
  uint32_t r = absx + 0xc8000fff + ((absx >> 13) & 1);  // rebias and round to nearest even
  return static_cast<uint16_t>(sign | (r >> 13));
}

namespace {

// Decodes the 8-bit and 4-bit float formats by their exponent/mantissa layout.
double minifloat(uint32_t v, int ebits, int mbits, int bias, bool fnuz, bool has_inf) {
  uint32_t sign = v >> (ebits + mbits);
  uint32_t e = (v >> mbits) & ((1u << ebits) - 1);
  uint32_t m = v & ((1u << mbits) - 1);
  if (fnuz && sign && e == 0 && m == 0) return std::nan("");
  if (!fnuz) {
    uint32_t emax = (1u << ebits) - 1;
    if (has_inf && e == emax) return m ? std::nan("") : (sign ? -INFINITY : INFINITY);
    if (!has_inf && ebits == 4 && e == emax && m == (1u << mbits) - 1) return std::nan("");
  }
  double r = e == 0 ? std::ldexp(static_cast<double>(m), 1 - bias - mbits)
                    : std::ldexp(static_cast<double>(m | (1u << mbits)), static_cast<int>(e) - bias - mbits);
  return sign ? -r : r;
}

}  // namespace

std::vector<double> Tensor::to_double() const {
  std::vector<double> out;
  int64_t n = numel();
  if (n < 0 || !data) return out;
  const uint8_t* p = data->data();
  size_t avail_bits = data->size() * 8;
  if (static_cast<uint64_t>(n) * static_cast<uint64_t>(dtype_bits(dtype)) > avail_bits) return out;
  out.resize(static_cast<size_t>(n));
  auto load = [&](size_t i, auto tag) {
    decltype(tag) v;
    std::memcpy(&v, p + i * sizeof(v), sizeof(v));
    return v;
  };
  for (size_t i = 0; i < out.size(); ++i) {
    double v = 0;
    switch (dtype) {
      case DataType::Float32: v = load(i, float{}); break;
      case DataType::Float64: v = load(i, double{}); break;
      case DataType::Float16: v = half_to_float(load(i, uint16_t{})); break;
      case DataType::BFloat16: v = bfloat16_to_float(load(i, uint16_t{})); break;
      case DataType::Int8: v = load(i, int8_t{}); break;
      case DataType::UInt8: v = load(i, uint8_t{}); break;
      case DataType::Bool: v = load(i, uint8_t{}) ? 1 : 0; break;
      case DataType::Int16: v = load(i, int16_t{}); break;
      case DataType::UInt16: v = load(i, uint16_t{}); break;
      case DataType::Int32: v = load(i, int32_t{}); break;
      case DataType::UInt32: v = load(i, uint32_t{}); break;
      case DataType::Int64: v = static_cast<double>(load(i, int64_t{})); break;
      case DataType::UInt64: v = static_cast<double>(load(i, uint64_t{})); break;
      case DataType::Float8E4M3FN: v = minifloat(p[i], 4, 3, 7, false, false); break;
      case DataType::Float8E4M3FNUZ: v = minifloat(p[i], 4, 3, 8, true, false); break;
      case DataType::Float8E5M2: v = minifloat(p[i], 5, 2, 15, false, true); break;
      case DataType::Float8E5M2FNUZ: v = minifloat(p[i], 5, 2, 16, true, false); break;
      case DataType::UInt4: case DataType::Int4: case DataType::Float4E2M1: {
        uint32_t nib = (p[i / 2] >> ((i % 2) * 4)) & 0xf;
        if (dtype == DataType::UInt4) v = nib;
        else if (dtype == DataType::Int4) v = nib >= 8 ? static_cast<int>(nib) - 16 : static_cast<int>(nib);
        else v = minifloat(nib, 2, 1, 1, false, false);
        break;
      }
      default: return {};
    }
    out[i] = v;
  }
  return out;
}

std::vector<int64_t> Tensor::to_int64() const {
  std::vector<int64_t> out;
  if (dtype == DataType::Int64) {
    auto v = values<int64_t>();
    int64_t n = numel();
    if (n < 0 || static_cast<size_t>(n) > v.size()) return out;
    out.assign(v.begin(), v.begin() + n);
    return out;
  }
  if (!dtype_is_integer(dtype) && dtype != DataType::Bool) return out;
  for (double d : to_double()) out.push_back(static_cast<int64_t>(d));
  return out;
}

}  // namespace kiln
