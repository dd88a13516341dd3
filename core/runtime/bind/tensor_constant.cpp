// Reference bindings for ops that make tensors from attributes or a few scalars: Constant,
// ConstantOfShape, Range, EyeLike.
#include <cmath>

#include "core/runtime/bind/tensor_common.h"

namespace kiln::bind {
namespace {

// The value a Constant node holds, decoded once at compile time.
RtTensor constant_value(const Node& n, const std::string& who) {
  auto scalar_or_list = [](DataType dt, bool list, size_t count) {
    return RtTensor::allocate(dt, list ? std::vector<int64_t>{static_cast<int64_t>(count)} : std::vector<int64_t>{});
  };
  for (const Attribute& a : n.attrs()) {
    if (a.name == "value") {
      if (!a.tensor()) fail(who, ": attribute 'value' holds no tensor");
      RtTensor view = RtTensor::view(a.tensors[0]);
      RtTensor out = RtTensor::allocate(view.dtype(), view.shape());
      copy_elements(view, out);
      return out;
    }
    if (a.name == "value_float" || a.name == "value_floats") {
      const bool list = a.name == "value_floats";
      const std::vector<float> v = list ? a.floats : std::vector<float>{a.f};
      RtTensor out = scalar_or_list(DataType::Float32, list, v.size());
      std::copy(v.begin(), v.end(), out.data<float>());
      return out;
    }
    if (a.name == "value_int" || a.name == "value_ints") {
      const bool list = a.name == "value_ints";
      const std::vector<int64_t> v = list ? a.ints : std::vector<int64_t>{a.i};
      RtTensor out = scalar_or_list(DataType::Int64, list, v.size());
      std::copy(v.begin(), v.end(), out.data<int64_t>());
      return out;
    }
    if (a.name == "value_string" || a.name == "value_strings") {
      const bool list = a.name == "value_strings";
      const std::vector<std::string> v = list ? a.strings : std::vector<std::string>{a.s};
      RtTensor out = scalar_or_list(DataType::String, list, v.size());
      std::copy(v.begin(), v.end(), out.strings().begin());
      return out;
    }
    if (a.name == "sparse_value") fail_unsupported(who, ": sparse constants are unsupported by the reference kernel");
  }
  fail(who, ": has no value attribute");
}

ComputeFn make_constant(const KernelInit& init) {
  const std::string who = node_label(init.node);
  auto value = std::make_shared<const RtTensor>(constant_value(init.node, who));
  return [value](KernelContext& ctx) {
    copy_elements(*value, ctx.output(0, value->dtype(), value->shape()));
  };
}

ComputeFn make_constant_of_shape(const KernelInit& init) {
  const std::string who = node_label(init.node);
  std::shared_ptr<const RtTensor> fill;
  if (const Attribute* a = init.node.attr("value"); a && a->tensor()) {
    RtTensor view = RtTensor::view(a->tensors[0]);
    if (view.numel() != 1) fail(who, ": attribute 'value' must hold one element");
    RtTensor copy = RtTensor::allocate(view.dtype(), {});
    copy_elements(view, copy);
    fill = std::make_shared<const RtTensor>(std::move(copy));
  } else {
    fill = std::make_shared<const RtTensor>(RtTensor::allocate(DataType::Float32, {}));
  }
  return [who, fill](KernelContext& ctx) {
    std::vector<int64_t> shape = read_int64s(need(ctx, 0, who), who);
    for (int64_t d : shape)
      if (d < 0) fail(who, ": negative dim in shape ", shape_str(shape));
    RtTensor& out = ctx.output(0, fill->dtype(), std::move(shape));
    if (fill->dtype() == DataType::String) {
      std::fill(out.strings().begin(), out.strings().end(), fill->strings()[0]);
      return;
    }
    const size_t es = elem_size(fill->dtype(), who);
    auto* p = static_cast<uint8_t*>(out.raw());
    for (int64_t i = 0; i < out.numel(); ++i) std::memcpy(p + static_cast<size_t>(i) * es, fill->raw(), es);
  };
}

ComputeFn make_range(const KernelInit& init) {
  const std::string who = node_label(init.node);
  return [who](KernelContext& ctx) {
    const RtTensor& start_t = need(ctx, 0, who);
    const DataType dt = start_t.dtype();
    const size_t es = elem_size(dt, who);
    if (dtype_is_integer(dt)) {
      // Exact integer arithmetic; doubles would lose int64 precision.
      const int64_t start = read_int64s(start_t, who).at(0);
      const int64_t limit = read_int64s(need(ctx, 1, who), who).at(0);
      const int64_t delta = read_int64s(need(ctx, 2, who), who).at(0);
      if (delta == 0) fail(who, ": delta is zero");
      const int64_t span = limit - start;
      int64_t n = delta > 0 ? (span + delta - 1) / delta : (span + delta + 1) / delta;
      n = std::max<int64_t>(n, 0);
      RtTensor& out = ctx.output(0, dt, {n});
      auto* p = static_cast<uint8_t*>(out.raw());
      for (int64_t i = 0; i < n; ++i)
        write_double(dt, static_cast<double>(start + i * delta), p + static_cast<size_t>(i) * es, who);
      return;
    }
    const double start = read_doubles(start_t, who).at(0);
    const double limit = read_doubles(need(ctx, 1, who), who).at(0);
    const double delta = read_doubles(need(ctx, 2, who), who).at(0);
    if (delta == 0) fail(who, ": delta is zero");
    const auto n = static_cast<int64_t>(std::max(std::ceil((limit - start) / delta), 0.0));
    RtTensor& out = ctx.output(0, dt, {n});
    auto* p = static_cast<uint8_t*>(out.raw());
    for (int64_t i = 0; i < n; ++i)
      write_double(dt, start + static_cast<double>(i) * delta, p + static_cast<size_t>(i) * es, who);
  };
}

ComputeFn make_eye_like(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const Attribute* dt_a = init.node.attr("dtype");
  const int64_t dt_code = dt_a ? dt_a->i : 0;
  const int64_t k = init.node.attr_int("k", 0);
  return [=](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    if (in.rank() != 2) fail(who, ": input must be 2-D, got ", shape_str(in.shape()));
    const DataType dt = dt_code ? static_cast<DataType>(dt_code) : in.dtype();
    RtTensor& out = ctx.output(0, dt, in.shape());
    const size_t es = elem_size(dt, who);
    auto* p = static_cast<uint8_t*>(out.raw());
    for (int64_t i = 0; i < in.dim(0); ++i) {
      const int64_t j = i + k;
      if (j >= 0 && j < in.dim(1)) write_double(dt, 1.0, p + static_cast<size_t>(i * in.dim(1) + j) * es, who);
    }
  };
}

}  // namespace

void register_tensor_constant_kernels(KernelRegistry& r) {
  add_ref(r, "Constant", 1, 1000, make_constant);
  add_ref(r, "ConstantOfShape", 9, 1000, make_constant_of_shape);
  add_ref(r, "Range", 11, 1000, make_range);
  add_ref(r, "EyeLike", 9, 1000, make_eye_like);
}

}  // namespace kiln::bind
