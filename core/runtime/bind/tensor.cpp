// Reference bindings for ops that reshape, reorder, join or cut tensors, and for constants.
// Gather/scatter style ops live in tensor_indexing.cpp.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/runtime/bind/tensor_common.h"
#include "kernels/cpu/ref/transform.h"

namespace kiln {
namespace bind {
namespace {

// Output 0 holds input's elements under a new shape (Reshape, Flatten, Squeeze, ...).
void emit_reshaped(KernelContext& ctx, const RtTensor& in, std::vector<int64_t> shape,
                   const std::string& who) {
  if (product(shape) != in.numel())
    fail(who, ": cannot reshape ", shape_str(in.shape()), " into ", shape_str(shape));
  copy_elements(in, ctx.output(0, in.dtype(), std::move(shape)));
}

// Input 0 or the attribute, depending on the opset that moved the attribute to an input.
std::vector<int64_t> ints_from(KernelContext& ctx, size_t input, bool from_input,
                               const std::vector<int64_t>& attr, const std::string& who) {
  if (!from_input) return attr;
  const RtTensor* t = ctx.input(input);
  return t ? read_int64s(*t, who) : std::vector<int64_t>{};
}

ComputeFn make_identity(const KernelInit& init) {
  const std::string who = node_label(init.node);
  return [who](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    copy_elements(in, ctx.output(0, in.dtype(), in.shape()));
  };
}

// Inference only: the output is the input and the mask keeps everything. Training mode draws
// random masks, which no reference can reproduce, so a node that may train is refused when it
// is compiled.
ComputeFn make_dropout(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const int64_t opset = init.opset;
  if (const Value* training = init.node.input(2)) {
    const Tensor* c = training->constant();
    const std::vector<int64_t> v = c ? c->to_int64() : std::vector<int64_t>{1};
    if (std::any_of(v.begin(), v.end(), [](int64_t x) { return x != 0; }))
      fail_unsupported(who, ": training mode (random masks) is unsupported by the reference kernel");
  }
  return [who, opset](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    copy_elements(in, ctx.output(0, in.dtype(), in.shape()));
    if (ctx.output_count() > 1 && ctx.output_wanted(1)) {
      // Before opset 10 the mask has the input's type.
      const DataType mdt = opset >= 10 ? DataType::Bool : in.dtype();
      RtTensor& mask = ctx.output(1, mdt, in.shape());
      const size_t es = elem_size(mdt, who);
      auto* p = static_cast<uint8_t*>(mask.raw());
      for (int64_t i = 0; i < mask.numel(); ++i) write_double(mdt, 1.0, p + static_cast<size_t>(i) * es, who);
    }
  };
}

ComputeFn make_shape(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const Attribute* start_a = init.node.attr("start");
  const Attribute* end_a = init.node.attr("end");
  const int64_t start = start_a ? start_a->i : 0;
  const bool has_end = end_a != nullptr;
  const int64_t end = has_end ? end_a->i : 0;
  return [=](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    const auto r = static_cast<int64_t>(in.rank());
    auto clampi = [r](int64_t v) { return std::clamp(v < 0 ? v + r : v, int64_t{0}, r); };
    const int64_t s = clampi(start), e = has_end ? clampi(end) : r;
    const int64_t n = std::max<int64_t>(0, e - s);
    RtTensor& out = ctx.output(0, DataType::Int64, {n});
    for (int64_t i = 0; i < n; ++i) out.data<int64_t>()[i] = in.dim(static_cast<size_t>(s + i));
  };
}

ComputeFn make_size(const KernelInit& init) {
  const std::string who = node_label(init.node);
  return [who](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    ctx.output(0, DataType::Int64, {}).data<int64_t>()[0] = in.numel();
  };
}

ComputeFn make_reshape(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const bool allowzero = init.opset >= 14 && init.node.attr_int("allowzero", 0) != 0;
  // Reshape-1 takes the shape as an attribute; from opset 5 it is input 1.
  const bool from_attr = init.opset < 5;
  const std::vector<int64_t> attr_shape = from_attr ? init.node.attr_ints("shape") : std::vector<int64_t>{};
  return [who, allowzero, from_attr, attr_shape](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    std::vector<int64_t> shape = from_attr ? attr_shape : read_int64s(need(ctx, 1, who), who);
    int64_t infer = -1;
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] == 0 && !allowzero) {
        if (i >= in.rank()) fail(who, ": shape ", shape_str(shape), " copies dim ", std::to_string(i), " the input lacks");
        shape[i] = in.dim(i);
      } else if (shape[i] == -1) {
        if (infer >= 0) fail(who, ": shape ", shape_str(shape), " has more than one -1");
        infer = static_cast<int64_t>(i);
      } else if (shape[i] < 0) {
        fail(who, ": shape ", shape_str(shape), " has a negative dim");
      }
    }
    if (infer >= 0) {
      shape[static_cast<size_t>(infer)] = 1;
      const int64_t known = product(shape);
      if (known == 0 || in.numel() % known != 0)
        fail(who, ": cannot reshape ", shape_str(in.shape()), " into ", shape_str(shape), " with -1");
      shape[static_cast<size_t>(infer)] = in.numel() / known;
    }
    emit_reshaped(ctx, in, std::move(shape), who);
  };
}

ComputeFn make_flatten(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const int64_t axis = init.node.attr_int("axis", 1);
  return [who, axis](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    const auto r = static_cast<int64_t>(in.rank());
    if (axis < -r || axis > r) fail(who, ": axis ", std::to_string(axis), " is out of range for rank ", std::to_string(r));
    const auto a = static_cast<size_t>(axis < 0 ? axis + r : axis);
    emit_reshaped(ctx, in, {product(in.shape(), 0, a), product(in.shape(), a)}, who);
  };
}

ComputeFn make_squeeze(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const bool from_input = init.opset >= 13;
  const std::vector<int64_t> attr = init.node.attr_ints("axes");
  return [=](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    const auto r = static_cast<int64_t>(in.rank());
    std::vector<int64_t> axes = ints_from(ctx, 1, from_input, attr, who);
    std::vector<bool> drop(in.rank(), false);
    if (axes.empty()) {
      for (size_t d = 0; d < in.rank(); ++d) drop[d] = in.dim(d) == 1;
    }
    for (int64_t a : axes) {
      const auto d = static_cast<size_t>(norm_axis(a, r, who));
      if (in.dim(d) != 1) fail(who, ": cannot squeeze axis ", std::to_string(a), " of ", shape_str(in.shape()));
      drop[d] = true;
    }
    std::vector<int64_t> shape;
    for (size_t d = 0; d < in.rank(); ++d)
      if (!drop[d]) shape.push_back(in.dim(d));
    emit_reshaped(ctx, in, std::move(shape), who);
  };
}

ComputeFn make_unsqueeze(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const bool from_input = init.opset >= 13;
  const std::vector<int64_t> attr = init.node.attr_ints("axes");
  return [=](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    const std::vector<int64_t> axes = ints_from(ctx, 1, from_input, attr, who);
    const auto out_rank = static_cast<int64_t>(in.rank() + axes.size());
    std::vector<bool> added(static_cast<size_t>(out_rank), false);
    for (int64_t a : axes) {
      const auto d = static_cast<size_t>(norm_axis(a, out_rank, who));
      if (added[d]) fail(who, ": axis ", std::to_string(a), " is repeated");
      added[d] = true;
    }
    std::vector<int64_t> shape;
    size_t next = 0;
    for (size_t d = 0; d < added.size(); ++d) shape.push_back(added[d] ? 1 : in.dim(next++));
    emit_reshaped(ctx, in, std::move(shape), who);
  };
}

ComputeFn make_transpose(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const Attribute* perm_a = init.node.attr("perm");
  const std::vector<int64_t> perm_attr = perm_a ? perm_a->ints : std::vector<int64_t>{};
  const bool has_perm = perm_a != nullptr;
  return [=](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    const size_t r = in.rank();
    std::vector<int64_t> perm = perm_attr;
    if (!has_perm)
      for (size_t d = 0; d < r; ++d) perm.push_back(static_cast<int64_t>(r - 1 - d));
    if (perm.size() != r) fail(who, ": perm has ", std::to_string(perm.size()), " entries for rank ", std::to_string(r));
    std::vector<bool> seen(r, false);
    const std::vector<int64_t> in_st = dense_strides(in.shape());
    std::vector<int64_t> shape(r), strides(r);
    for (size_t d = 0; d < r; ++d) {
      const auto p = static_cast<size_t>(norm_axis(perm[d], static_cast<int64_t>(r), who));
      if (seen[p]) fail(who, ": perm repeats axis ", std::to_string(p));
      seen[p] = true;
      shape[d] = in.dim(p);
      strides[d] = in_st[p];
    }
    strided_view(in, 0, strides, ctx.output(0, in.dtype(), shape), who);
  };
}

ComputeFn make_concat(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const int64_t axis = init.node.attr_int("axis", 1);
  return [who, axis](KernelContext& ctx) {
    const RtTensor& first = need(ctx, 0, who);
    const auto r = static_cast<int64_t>(first.rank());
    const auto a = static_cast<size_t>(norm_axis(axis, r, who));
    std::vector<int64_t> shape = first.shape();
    shape[a] = 0;
    std::vector<int64_t> dims;
    std::vector<const RtTensor*> ins;
    for (size_t i = 0; i < ctx.input_count(); ++i) {
      const RtTensor& t = need(ctx, i, who);
      bool ok = t.rank() == first.rank() && t.dtype() == first.dtype();
      for (size_t d = 0; ok && d < t.rank(); ++d) ok = d == a || t.dim(d) == first.dim(d);
      if (!ok) fail(who, ": input ", std::to_string(i), " ", shape_str(t.shape()), " does not match input 0 ", shape_str(first.shape()));
      shape[a] += t.dim(a);
      dims.push_back(t.dim(a));
      ins.push_back(&t);
    }
    RtTensor& out = ctx.output(0, first.dtype(), shape);
    const int64_t outer = product(shape, 0, a), inner = product(shape, a + 1);
    if (first.dtype() == DataType::String) {
      std::vector<const std::string*> srcs;
      for (const RtTensor* t : ins) srcs.push_back(t->strings().data());
      ref::concat(srcs, dims, outer, inner, out.strings().data());
    } else {
      std::vector<const void*> srcs;
      for (const RtTensor* t : ins) srcs.push_back(t->raw());
      ref::concat(srcs, dims, outer, inner, out.raw(), elem_size(first.dtype(), who));
    }
  };
}

ComputeFn make_split(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const int64_t axis = init.node.attr_int("axis", 0);
  // Sizes come from the 'split' attribute before opset 13 (opset 1 also took them as input 1).
  const bool from_input = init.opset >= 13 || init.opset == 1;
  const std::vector<int64_t> attr = init.node.attr_ints("split");
  const int64_t num_outputs = init.node.attr_int("num_outputs", 0);
  return [=](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    const auto a = static_cast<size_t>(norm_axis(axis, static_cast<int64_t>(in.rank()), who));
    const int64_t dim = in.dim(a);
    std::vector<int64_t> sizes = attr;
    if (from_input && ctx.input(1)) sizes = read_int64s(*ctx.input(1), who);
    const auto n = static_cast<int64_t>(ctx.output_count());
    if (sizes.empty()) {
      if (num_outputs > 0) {
        // Opset 18: equal chunks of ceil(dim / n), the last one smaller.
        const int64_t chunk = (dim + num_outputs - 1) / num_outputs;
        for (int64_t i = 0, left = dim; i < num_outputs; ++i, left -= chunk) sizes.push_back(std::clamp(left, int64_t{0}, chunk));
      } else {
        if (n == 0 || dim % n != 0) fail(who, ": dim ", std::to_string(dim), " does not split evenly into ", std::to_string(n), " outputs");
        sizes.assign(static_cast<size_t>(n), dim / n);
      }
    }
    int64_t total = 0;
    for (int64_t s : sizes) total += s;
    if (static_cast<int64_t>(sizes.size()) != n || total != dim)
      fail(who, ": split sizes ", shape_str(sizes), " do not cover dim ", std::to_string(dim), " with ", std::to_string(n), " outputs");
    const int64_t outer = product(in.shape(), 0, a), inner = product(in.shape(), a + 1);
    std::vector<RtTensor*> outs;
    for (size_t i = 0; i < sizes.size(); ++i) {
      std::vector<int64_t> shape = in.shape();
      shape[a] = sizes[i];
      outs.push_back(&ctx.output(i, in.dtype(), shape));
    }
    if (in.dtype() == DataType::String) {
      std::vector<std::string*> d;
      for (RtTensor* t : outs) d.push_back(t->strings().data());
      ref::split(in.strings().data(), sizes, outer, inner, d);
    } else {
      std::vector<void*> d;
      for (RtTensor* t : outs) d.push_back(t->raw());
      ref::split(in.raw(), sizes, outer, inner, d, elem_size(in.dtype(), who));
    }
  };
}

ComputeFn make_slice(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const bool from_inputs = init.opset >= 10;
  const std::vector<int64_t> a_starts = init.node.attr_ints("starts");
  const std::vector<int64_t> a_ends = init.node.attr_ints("ends");
  const std::vector<int64_t> a_axes = init.node.attr_ints("axes");
  return [=](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    const auto r = static_cast<int64_t>(in.rank());
    std::vector<int64_t> starts = a_starts, ends = a_ends, axes = a_axes, steps;
    if (from_inputs) {
      starts = read_int64s(need(ctx, 1, who), who);
      ends = read_int64s(need(ctx, 2, who), who);
      axes = ctx.input(3) ? read_int64s(*ctx.input(3), who) : std::vector<int64_t>{};
      steps = ctx.input(4) ? read_int64s(*ctx.input(4), who) : std::vector<int64_t>{};
    }
    if (axes.empty())
      for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
      fail(who, ": starts, ends, axes and steps differ in length");
    std::vector<int64_t> begin(in.rank(), 0), step(in.rank(), 1), shape = in.shape();
    std::vector<bool> seen(in.rank(), false);
    for (size_t i = 0; i < starts.size(); ++i) {
      const auto d = static_cast<size_t>(norm_axis(axes[i], r, who));
      if (seen[d]) fail(who, ": axis ", std::to_string(axes[i]), " is repeated");
      seen[d] = true;
      const int64_t dim = in.dim(d), st = steps[i];
      if (st == 0) fail(who, ": step is zero");
      int64_t s = starts[i] < 0 ? starts[i] + dim : starts[i];
      int64_t e = ends[i] < 0 ? ends[i] + dim : ends[i];
      if (st > 0) {
        s = std::clamp(s, int64_t{0}, dim);
        e = std::clamp(e, int64_t{0}, dim);
      } else {
        s = std::clamp(s, int64_t{0}, dim - 1);
        e = std::clamp(e, int64_t{-1}, dim - 1);
      }
      // Written so that huge steps (INT64_MAX) cannot overflow.
      const int64_t len = st > 0 ? (e > s ? (e - s - 1) / st + 1 : 0) : (s > e ? (s - e - 1) / -std::max(st, -INT64_MAX) + 1 : 0);
      begin[d] = s;
      step[d] = st;
      shape[d] = std::max<int64_t>(0, len);
    }
    const std::vector<int64_t> in_st = dense_strides(in.shape());
    int64_t offset = 0;
    std::vector<int64_t> strides(in.rank());
    for (size_t d = 0; d < in.rank(); ++d) {
      strides[d] = in_st[d] * step[d];
      if (shape[d] > 0) offset += begin[d] * in_st[d];
    }
    strided_view(in, offset, strides, ctx.output(0, in.dtype(), shape), who);
  };
}

// Numpy-style broadcast of shape a against shape b.
std::vector<int64_t> broadcast(const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                               const std::string& who) {
  const size_t r = std::max(a.size(), b.size());
  std::vector<int64_t> out(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t x = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const int64_t y = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (x != y && x != 1 && y != 1) fail(who, ": shapes ", shape_str(a), " and ", shape_str(b), " do not broadcast");
    out[i] = x == 1 ? y : x;
  }
  return out;
}

ComputeFn make_expand(const KernelInit& init) {
  const std::string who = node_label(init.node);
  return [who](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    const std::vector<int64_t> shape = broadcast(in.shape(), read_int64s(need(ctx, 1, who), who), who);
    const std::vector<int64_t> in_st = dense_strides(in.shape());
    const size_t lead = shape.size() - in.rank();
    std::vector<int64_t> strides(shape.size(), 0);
    for (size_t d = 0; d < in.rank(); ++d) strides[lead + d] = in.dim(d) == 1 ? 0 : in_st[d];
    strided_view(in, 0, strides, ctx.output(0, in.dtype(), shape), who);
  };
}

ComputeFn make_tile(const KernelInit& init) {
  const std::string who = node_label(init.node);
  // Tile-1 repeats along one axis: inputs 1 and 2 are the scalar count and axis.
  const bool one_axis = init.opset < 6;
  return [who, one_axis](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    std::vector<int64_t> reps;
    if (one_axis) {
      const std::vector<int64_t> tiles = read_int64s(need(ctx, 1, who), who);
      const std::vector<int64_t> axis = read_int64s(need(ctx, 2, who), who);
      if (tiles.size() != 1 || axis.size() != 1) fail(who, ": tiles and axis must be scalars");
      reps.assign(in.rank(), 1);
      reps[static_cast<size_t>(norm_axis(axis[0], static_cast<int64_t>(in.rank()), who))] = tiles[0];
    } else {
      reps = read_int64s(need(ctx, 1, who), who);
    }
    if (reps.size() != in.rank()) fail(who, ": repeats has ", std::to_string(reps.size()), " entries for rank ", std::to_string(in.rank()));
    std::vector<int64_t> shape(in.rank());
    for (size_t d = 0; d < in.rank(); ++d) {
      if (reps[d] < 0) fail(who, ": negative repeat ", std::to_string(reps[d]));
      shape[d] = in.dim(d) * reps[d];
    }
    RtTensor& out = ctx.output(0, in.dtype(), shape);
    if (out.numel() == 0) return;
    if (in.dtype() == DataType::String)
      ref::tile(in.strings().data(), in.shape(), reps, out.strings().data());
    else
      ref::tile(in.raw(), in.shape(), reps, out.raw(), elem_size(in.dtype(), who));
  };
}

ref::PadMode pad_mode(const std::string& s, const std::string& who) {
  if (s == "constant") return ref::PadMode::Constant;
  if (s == "reflect") return ref::PadMode::Reflect;
  if (s == "edge") return ref::PadMode::Edge;
  if (s == "wrap") return ref::PadMode::Wrap;
  fail(who, ": unknown pad mode '", s, "'");
}

ComputeFn make_pad(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const ref::PadMode mode = pad_mode(init.node.attr_string("mode", "constant"), who);
  // Before opset 11 pads and value are attributes ('paddings' in opset 1).
  const bool from_inputs = init.opset >= 11;
  const std::vector<int64_t> attr_pads = init.node.attr_ints(init.opset < 2 ? "paddings" : "pads");
  const float attr_value = init.node.attr_float("value", 0.f);
  return [=](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    const size_t r = in.rank();
    std::vector<int64_t> pads = from_inputs ? read_int64s(need(ctx, 1, who), who) : attr_pads;
    std::vector<int64_t> axes;
    if (from_inputs && ctx.input(3)) {
      for (int64_t a : read_int64s(*ctx.input(3), who)) axes.push_back(norm_axis(a, static_cast<int64_t>(r), who));
    } else {
      for (size_t d = 0; d < r; ++d) axes.push_back(static_cast<int64_t>(d));
    }
    if (pads.size() != 2 * axes.size())
      fail(who, ": pads has ", std::to_string(pads.size()), " entries for ", std::to_string(axes.size()), " axes");
    std::vector<int64_t> begin(r, 0), shape = in.shape();
    for (size_t i = 0; i < axes.size(); ++i) {
      const auto d = static_cast<size_t>(axes[i]);
      begin[d] = pads[i];
      shape[d] += pads[i] + pads[i + axes.size()];
      if (shape[d] < 0) fail(who, ": pads ", shape_str(pads), " remove more than axis ", std::to_string(d), " holds");
      if (mode != ref::PadMode::Constant && in.dim(d) == 0 && shape[d] > 0)
        fail(who, ": cannot pad an empty axis in this mode");
    }
    RtTensor& out = ctx.output(0, in.dtype(), shape);
    if (out.numel() == 0) return;
    const RtTensor* value_t = from_inputs ? ctx.input(2) : nullptr;
    if (value_t && value_t->numel() < 1) value_t = nullptr;
    if (in.dtype() == DataType::String) {
      const std::string value = value_t ? value_t->strings()[0] : std::string();
      ref::pad(in.strings().data(), in.shape(), begin, shape, mode, value, out.strings().data());
      return;
    }
    const size_t es = elem_size(in.dtype(), who);
    std::vector<uint8_t> value(es, 0);
    if (value_t) {
      if (value_t->dtype() != in.dtype()) fail(who, ": constant_value type differs from the data's");
      std::memcpy(value.data(), value_t->raw(), es);
    } else if (!from_inputs) {
      write_double(in.dtype(), attr_value, value.data(), who);
    }
    ref::pad(in.raw(), in.shape(), begin, shape, mode, value.data(), out.raw(), es);
  };
}

// DepthToSpace and SpaceToDepth are a reshape to 6-D, a transpose and a reshape back; the
// transpose is one strided copy.
ComputeFn make_depth_to_space(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const int64_t b = init.node.attr_int("blocksize", 0);
  const std::string mode = init.node.attr_string("mode", "DCR");
  if (b < 1) fail(who, ": blocksize must be positive");
  if (mode != "DCR" && mode != "CRD") fail(who, ": unknown mode '", mode, "'");
  const bool dcr = mode == "DCR";
  return [=](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    if (in.rank() != 4 || in.dim(1) % (b * b) != 0)
      fail(who, ": input ", shape_str(in.shape()), " is not 4-D with channels divisible by blocksize^2");
    const int64_t n = in.dim(0), c = in.dim(1) / (b * b), h = in.dim(2), w = in.dim(3);
    // Element strides of the 6-D view of the input.
    const int64_t sw = 1, sh = w, sc = h * w;
    int64_t s_c, s_b1, s_b2;
    if (dcr) {  // channels as [b1, b2, c]
      s_b1 = b * c * sc, s_b2 = c * sc, s_c = sc;
    } else {  // channels as [c, b1, b2]
      s_c = b * b * sc, s_b1 = b * sc, s_b2 = sc;
    }
    // Output viewed as [n, c, h, b1, w, b2].
    const std::vector<int64_t> view = {n, c, h, b, w, b};
    const std::vector<int64_t> strides = {in.dim(1) * sc, s_c, sh, s_b1, sw, s_b2};
    RtTensor& out = ctx.output(0, in.dtype(), {n, c, h * b, w * b});
    RtTensor flat = RtTensor::borrow(out.dtype(), view, out.raw());
    if (in.dtype() == DataType::String) fail_unsupported(who, ": string data is not supported");
    strided_view(in, 0, strides, flat, who);
  };
}

ComputeFn make_space_to_depth(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const int64_t b = init.node.attr_int("blocksize", 0);
  if (b < 1) fail(who, ": blocksize must be positive");
  return [=](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    if (in.rank() != 4 || in.dim(2) % b != 0 || in.dim(3) % b != 0)
      fail(who, ": input ", shape_str(in.shape()), " is not 4-D with height and width divisible by blocksize");
    const int64_t n = in.dim(0), c = in.dim(1), h = in.dim(2) / b, w = in.dim(3) / b;
    const int64_t W = in.dim(3);
    // Output [n, b1, b2, c, h, w] reads input [n, c, h*b + b1, w*b + b2].
    const std::vector<int64_t> view = {n, b, b, c, h, w};
    const std::vector<int64_t> strides = {c * in.dim(2) * W, W, 1, in.dim(2) * W, b * W, b};
    RtTensor& out = ctx.output(0, in.dtype(), {n, c * b * b, h, w});
    if (in.dtype() == DataType::String) fail_unsupported(who, ": string data is not supported");
    RtTensor flat = RtTensor::borrow(out.dtype(), view, out.raw());
    strided_view(in, 0, strides, flat, who);
  };
}

ComputeFn make_trilu(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const bool upper = init.node.attr_int("upper", 1) != 0;
  return [who, upper](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    if (in.rank() < 2) fail(who, ": input must have rank >= 2, got ", shape_str(in.shape()));
    const int64_t k = ctx.input(1) ? read_int64s(*ctx.input(1), who).at(0) : 0;
    RtTensor& out = ctx.output(0, in.dtype(), in.shape());
    if (out.numel() == 0) return;
    const size_t es = elem_size(in.dtype(), who);
    if (es == 0) fail_unsupported(who, ": string data is not supported");
    const int64_t rows = in.dim(in.rank() - 2), cols = in.dim(in.rank() - 1);
    ref::trilu(in.raw(), in.numel() / (rows * cols), rows, cols, k, upper, out.raw(), es);
  };
}

}  // namespace

void strided_view(const RtTensor& in, int64_t offset, const std::vector<int64_t>& strides,
                  RtTensor& out, const std::string& who) {
  if (out.numel() == 0) return;
  if (in.dtype() == DataType::String)
    ref::strided_copy(in.strings().data(), offset, strides, out.strings().data(), out.shape());
  else
    ref::strided_copy(in.raw(), offset, strides, out.raw(), out.shape(), elem_size(in.dtype(), who));
}

void register_tensor_layout_kernels(KernelRegistry& r) {
  add_ref(r, "Identity", 1, 1000, make_identity);
  add_ref(r, "Dropout", 1, 1000, make_dropout);
  add_ref(r, "Shape", 1, 1000, make_shape);
  add_ref(r, "Size", 1, 1000, make_size);
  add_ref(r, "Reshape", 1, 1000, make_reshape);
  add_ref(r, "Flatten", 1, 1000, make_flatten);
  add_ref(r, "Squeeze", 1, 12, make_squeeze);
  add_ref(r, "Squeeze", 13, 1000, make_squeeze);
  add_ref(r, "Unsqueeze", 1, 12, make_unsqueeze);
  add_ref(r, "Unsqueeze", 13, 1000, make_unsqueeze);
  add_ref(r, "Transpose", 1, 1000, make_transpose);
  add_ref(r, "Concat", 1, 1000, make_concat);
  add_ref(r, "Split", 1, 12, make_split);
  add_ref(r, "Split", 13, 1000, make_split);
  add_ref(r, "Slice", 1, 9, make_slice);
  add_ref(r, "Slice", 10, 1000, make_slice);
  add_ref(r, "Expand", 8, 1000, make_expand);
  add_ref(r, "Tile", 1, 1000, make_tile);
  add_ref(r, "Pad", 1, 10, make_pad);
  add_ref(r, "Pad", 11, 1000, make_pad);
  add_ref(r, "DepthToSpace", 1, 1000, make_depth_to_space);
  add_ref(r, "SpaceToDepth", 1, 1000, make_space_to_depth);
  add_ref(r, "Trilu", 14, 1000, make_trilu);
}

}  // namespace bind

void register_tensor_kernels(KernelRegistry& r) {
  bind::register_tensor_layout_kernels(r);
  bind::register_tensor_constant_kernels(r);
  bind::register_tensor_indexing_kernels(r);
}

}  // namespace kiln
