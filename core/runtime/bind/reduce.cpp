// Binds ONNX reductions (Reduce*, Softmax/LogSoftmax/Hardmax, ArgMax/ArgMin, TopK, CumSum) to the
// reference kernels in kernels/cpu/ref/reduce.h. float16/bfloat16 compute in float and round back.
#include <bit>
#include <cmath>
#include <functional>
#include <type_traits>

#include "core/runtime/bind/bind_util.h"
#include "core/runtime/kernel.h"
#include "core/util/error.h"
#include "kernels/cpu/ref/reduce.h"

namespace kiln {
namespace {

using ref::Dims;

using bind::make_kernel;
using bind::need_input;
using bind::who_of;

// Runs body(x, y) with float16/bfloat16 widened to float: x is the input (or its float copy), y
// the output of `shape` (or a float scratch rounded into the real output afterwards).
template <class Body>
void with_float_bridge(KernelContext& ctx, size_t out_index, const RtTensor& x0, const Dims& shape, Body&& body) {
  if (!is_half_float(x0.dtype())) {
    body(x0, ctx.output(out_index, x0.dtype(), shape));
    return;
  }
  RtTensor xf = widen_to_float(x0);
  RtTensor yf = RtTensor::allocate(DataType::Float32, shape);
  body(xf, yf);
  narrow_from_float(yf, ctx.output(out_index, x0.dtype(), shape));
}

using bind::kFloat;
using bind::kInt;
using bind::kNumeric;
using bind::visit;

int64_t normalize_axis(int64_t axis, size_t rank, const std::string& who) {
  const auto r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) fail(who, ": axis ", std::to_string(axis), " is out of range for rank ", std::to_string(r));
  return axis < 0 ? axis + r : axis;
}

std::vector<int64_t> int_values(const RtTensor& t, const std::string& who) {
  if (t.dtype() == DataType::Int64) return {t.data<int64_t>(), t.data<int64_t>() + t.numel()};
  if (t.dtype() == DataType::Int32) return {t.data<int32_t>(), t.data<int32_t>() + t.numel()};
  fail(who, ": expected an int32 or int64 tensor, got ", std::string(dtype_name(t.dtype())));
}

// Splits shape at `axis` into [outer, n, inner].
void split_at(const Dims& s, int64_t axis, int64_t& outer, int64_t& n, int64_t& inner) {
  outer = 1;
  inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= s[static_cast<size_t>(d)];
  n = s[static_cast<size_t>(axis)];
  for (size_t d = static_cast<size_t>(axis) + 1; d < s.size(); ++d) inner *= s[d];
}

// ---- Reduce* ----

struct ReduceSpec {
  ref::ReduceKind kind;
  bool axes_input;  // axes come from input 1 rather than the attribute
  std::vector<int64_t> axes_attr;
  bool keepdims;
  bool noop_with_empty_axes;
};

void reduce_op(KernelContext& ctx, const std::string& who, const ReduceSpec& spec) {
  const RtTensor& x = need_input(ctx, 0, who);
  std::vector<int64_t> axes = spec.axes_attr;
  if (spec.axes_input && ctx.input(1)) axes = int_values(*ctx.input(1), who);
  const size_t rank = x.rank();
  std::vector<bool> reduced(rank, axes.empty());
  if (axes.empty() && spec.noop_with_empty_axes) reduced.assign(rank, false);
  for (int64_t a : axes) reduced[static_cast<size_t>(normalize_axis(a, rank, who))] = true;
  Dims out;
  for (size_t d = 0; d < rank; ++d) {
    if (!reduced[d]) out.push_back(x.dim(d));
    else if (spec.keepdims) out.push_back(1);
  }
  with_float_bridge(ctx, 0, x, out, [&](const RtTensor& xi, RtTensor& y) {
    visit<kNumeric>(xi.dtype(), who, [&](auto tag) {
      using T = decltype(tag);
      ref::reduce(xi.data<T>(), xi.shape(), reduced, y.data<T>(), spec.kind);
    });
  });
}

void add_reduce(KernelRegistry& r, const char* op, ref::ReduceKind kind, int64_t input_axes_since) {
  for (bool from_input : {false, true}) {
    r.add({"", op, from_input ? input_axes_since : 1, from_input ? 1000 : input_axes_since - 1, Backend::Ref,
           [kind, from_input](const KernelInit& in) {
             std::string who = who_of(in.node);
             ReduceSpec spec{kind, from_input, in.node.attr_ints("axes"), in.node.attr_int("keepdims", 1) != 0,
                             in.node.attr_int("noop_with_empty_axes", 0) != 0};
             return make_kernel([who, spec](KernelContext& ctx) { reduce_op(ctx, who, spec); });
           }});
  }
}

// ---- Softmax family ----

void add_softmax(KernelRegistry& r, const char* op, ref::SoftmaxKind kind) {
  // Before opset 13 the input is flattened to 2-D at `axis` (default 1); from 13 the op works along
  // one axis (default -1).
  for (bool per_axis : {false, true}) {
    r.add({"", op, per_axis ? 13 : 1, per_axis ? 1000 : 12, Backend::Ref, [kind, per_axis](const KernelInit& in) {
             std::string who = who_of(in.node);
             const int64_t axis_attr = in.node.attr_int("axis", per_axis ? -1 : 1);
             return make_kernel([who, kind, per_axis, axis_attr](KernelContext& ctx) {
               const RtTensor& x = need_input(ctx, 0, who);
               if (x.rank() == 0) fail(who, ": input must have rank >= 1");
               const int64_t axis = normalize_axis(axis_attr, x.rank(), who);
               int64_t outer, n, inner;
               split_at(x.shape(), axis, outer, n, inner);
               if (!per_axis) {
                 n *= inner;
                 inner = 1;
               }
               with_float_bridge(ctx, 0, x, x.shape(), [&](const RtTensor& xi, RtTensor& y) {
                 visit<kFloat>(xi.dtype(), who, [&](auto tag) {
                   using T = decltype(tag);
                   ref::softmax(xi.data<T>(), y.data<T>(), outer, n, inner, kind);
                 });
               });
             });
           }});
  }
}

// ---- ArgMax / ArgMin ----

void add_arg(KernelRegistry& r, const char* op, bool max) {
  r.add({"", op, 1, 1000, Backend::Ref, [max](const KernelInit& in) {
           std::string who = who_of(in.node);
           const int64_t axis_attr = in.node.attr_int("axis", 0);
           const bool keepdims = in.node.attr_int("keepdims", 1) != 0;
           const bool last = in.node.attr_int("select_last_index", 0) != 0;
           return make_kernel([=](KernelContext& ctx) {
             const RtTensor& x0 = need_input(ctx, 0, who);
             const int64_t axis = normalize_axis(axis_attr, x0.rank(), who);
             int64_t outer, n, inner;
             split_at(x0.shape(), axis, outer, n, inner);
             if (n == 0) fail(who, ": the reduced axis is empty");
             Dims out = x0.shape();
             if (keepdims) out[static_cast<size_t>(axis)] = 1;
             else out.erase(out.begin() + axis);
             RtTensor xf;
             const RtTensor& x = is_half_float(x0.dtype()) ? (xf = widen_to_float(x0)) : x0;
             RtTensor& y = ctx.output(0, DataType::Int64, out);
             visit<kNumeric>(x.dtype(), who, [&](auto tag) {
               using T = decltype(tag);
               ref::arg_extreme(x.data<T>(), y.data<int64_t>(), outer, n, inner, max, last);
             });
           });
         }});
}

// ---- TopK ----

void topk_op(KernelContext& ctx, const std::string& who, int64_t k_attr, bool k_input, int64_t axis_attr,
             bool largest) {
  const RtTensor& x0 = need_input(ctx, 0, who);
  int64_t k = k_attr;
  if (k_input) {
    std::vector<int64_t> kv = int_values(need_input(ctx, 1, who), who);
    if (kv.size() != 1) fail(who, ": K must hold one value");
    k = kv[0];
  }
  if (x0.rank() == 0) fail(who, ": input must have rank >= 1");
  const int64_t axis = normalize_axis(axis_attr, x0.rank(), who);
  int64_t outer, n, inner;
  split_at(x0.shape(), axis, outer, n, inner);
  if (k < 0 || k > n) fail(who, ": K=", std::to_string(k), " is out of range for an axis of ", std::to_string(n));
  Dims out = x0.shape();
  out[static_cast<size_t>(axis)] = k;
  RtTensor idx_scratch = RtTensor::allocate(DataType::Int64, out);
  with_float_bridge(ctx, 0, x0, out, [&](const RtTensor& x, RtTensor& vals) {
    visit<kNumeric>(x.dtype(), who, [&](auto tag) {
      using T = decltype(tag);
      ref::topk(x.data<T>(), vals.data<T>(), idx_scratch.data<int64_t>(), outer, n, inner, k, largest);
    });
  });
  if (ctx.output_count() > 1) {
    RtTensor& idx = ctx.output(1, DataType::Int64, out);
    std::copy(idx_scratch.data<int64_t>(), idx_scratch.data<int64_t>() + idx_scratch.numel(), idx.data<int64_t>());
  }
}

void add_topk(KernelRegistry& r) {
  for (int range = 0; range < 2; ++range) {
    const bool k_input = range == 1;
    r.add({"", "TopK", k_input ? 10 : 1, k_input ? 1000 : 9, Backend::Ref, [k_input](const KernelInit& in) {
             std::string who = who_of(in.node);
             const int64_t k_attr = in.node.attr_int("k", -1);
             const int64_t axis = in.node.attr_int("axis", -1);
             const bool largest = in.node.attr_int("largest", 1) != 0;
             return make_kernel([=](KernelContext& ctx) { topk_op(ctx, who, k_attr, k_input, axis, largest); });
           }});
  }
}

// ---- CumSum ----

void add_cumsum(KernelRegistry& r) {
  r.add({"", "CumSum", 11, 1000, Backend::Ref, [](const KernelInit& in) {
           std::string who = who_of(in.node);
           const bool exclusive = in.node.attr_int("exclusive", 0) != 0;
           const bool reverse = in.node.attr_int("reverse", 0) != 0;
           return make_kernel([=](KernelContext& ctx) {
             const RtTensor& x0 = need_input(ctx, 0, who);
             std::vector<int64_t> av = int_values(need_input(ctx, 1, who), who);
             if (av.size() != 1) fail(who, ": axis must hold one value");
             if (x0.rank() == 0) fail(who, ": input must have rank >= 1");
             const int64_t axis = normalize_axis(av[0], x0.rank(), who);
             int64_t outer, n, inner;
             split_at(x0.shape(), axis, outer, n, inner);
             with_float_bridge(ctx, 0, x0, x0.shape(), [&](const RtTensor& x, RtTensor& y) {
               visit<kNumeric>(x.dtype(), who, [&](auto tag) {
                 using T = decltype(tag);
                 ref::cumsum(x.data<T>(), y.data<T>(), outer, n, inner, exclusive, reverse);
               });
             });
           });
         }});
}

}  // namespace

void register_reduce_kernels(KernelRegistry& r) {
  using K = ref::ReduceKind;
  add_reduce(r, "ReduceSum", K::Sum, 13);
  add_reduce(r, "ReduceMean", K::Mean, 18);
  add_reduce(r, "ReduceMax", K::Max, 18);
  add_reduce(r, "ReduceMin", K::Min, 18);
  add_reduce(r, "ReduceProd", K::Prod, 18);
  add_reduce(r, "ReduceL1", K::L1, 18);
  add_reduce(r, "ReduceL2", K::L2, 18);
  add_reduce(r, "ReduceLogSum", K::LogSum, 18);
  add_reduce(r, "ReduceLogSumExp", K::LogSumExp, 18);
  add_reduce(r, "ReduceSumSquare", K::SumSquare, 18);
  add_softmax(r, "Softmax", ref::SoftmaxKind::Softmax);
  add_softmax(r, "LogSoftmax", ref::SoftmaxKind::LogSoftmax);
  add_softmax(r, "Hardmax", ref::SoftmaxKind::Hardmax);
  add_arg(r, "ArgMax", true);
  add_arg(r, "ArgMin", false);
  add_topk(r);
  add_cumsum(r);
}

}  // namespace kiln
