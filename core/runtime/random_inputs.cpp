#include "core/runtime/random_inputs.h"

#include "core/util/error.h"

namespace kiln {

RtTensor random_tensor(DataType dtype, const std::vector<int64_t>& shape, std::mt19937_64& rng,
                       const std::string& what) {
  RtTensor t = RtTensor::allocate(dtype, shape);
  const int64_t n = t.numel();
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::uniform_int_distribution<int> small(0, 9);
  auto fill = [&](auto* p, auto gen) {
    for (int64_t i = 0; i < n; ++i) p[i] = gen();
  };
  switch (dtype) {
    case DataType::Float32: fill(t.data<float>(), [&] { return static_cast<float>(unit(rng)); }); break;
    case DataType::Float64: fill(t.data<double>(), [&] { return unit(rng); }); break;
    case DataType::Float16: fill(t.data<uint16_t>(), [&] { return float_to_half(static_cast<float>(unit(rng))); }); break;
    case DataType::BFloat16: fill(t.data<uint16_t>(), [&] { return float_to_bfloat16(static_cast<float>(unit(rng))); }); break;
    case DataType::Int8: fill(t.data<int8_t>(), [&] { return static_cast<int8_t>(small(rng)); }); break;
    case DataType::UInt8: fill(t.data<uint8_t>(), [&] { return static_cast<uint8_t>(small(rng)); }); break;
    case DataType::Int16: fill(t.data<int16_t>(), [&] { return static_cast<int16_t>(small(rng)); }); break;
    case DataType::UInt16: fill(t.data<uint16_t>(), [&] { return static_cast<uint16_t>(small(rng)); }); break;
    case DataType::Int32: fill(t.data<int32_t>(), [&] { return static_cast<int32_t>(small(rng)); }); break;
    case DataType::UInt32: fill(t.data<uint32_t>(), [&] { return static_cast<uint32_t>(small(rng)); }); break;
    case DataType::Int64: fill(t.data<int64_t>(), [&] { return static_cast<int64_t>(small(rng)); }); break;
    case DataType::UInt64: fill(t.data<uint64_t>(), [&] { return static_cast<uint64_t>(small(rng)); }); break;
    case DataType::Bool: fill(t.data<uint8_t>(), [&] { return static_cast<uint8_t>(rng() & 1); }); break;
    default: fail(what, ": cannot make random data of type ", std::string(dtype_name(dtype)));
  }
  return t;
}

std::map<std::string, RtTensor> random_inputs(const Graph& g,
                                              const std::map<std::string, std::vector<int64_t>>& shapes,
                                              uint64_t seed, int64_t unknown_dim) {
  std::map<std::string, RtTensor> out;
  std::mt19937_64 rng(seed);
  for (const Value* v : g.inputs()) {
    if (v->initializer()) continue;
    const std::string what = "input '" + v->name() + "'";
    std::vector<int64_t> shape;
    if (auto it = shapes.find(v->name()); it != shapes.end()) {
      shape = it->second;
    } else {
      if (!v->type.is_tensor() || !v->type.shape)
        fail(what, " has no declared tensor shape; give one with --shape ", v->name(), "=DIMS");
      shape = v->type.shape->values();
      for (int64_t& d : shape)
        if (d < 0) {
          if (unknown_dim < 0)
            fail(what, " has shape ", v->type.shape->str(), " with unknown dims; give it with --shape ", v->name(), "=DIMS");
          d = unknown_dim;
        }
    }
    out[v->name()] = random_tensor(v->type.dtype, shape, rng, what);
  }
  return out;
}

}  // namespace kiln
