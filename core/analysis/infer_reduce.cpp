// Inference rules for reductions (Reduce*, ArgMax, ArgMin). Axes come from an attribute in older
// opsets and from an input in newer ones (ReduceSum from 13, the others from 18).
#include <algorithm>

#include "core/analysis/infer_context.h"

namespace kiln::analysis {

namespace {

// Output shape of reducing `in` over `axes` (all axes when empty).
std::optional<Shape> reduced(InferContext& c, const Shape& in, const std::vector<int64_t>& axes,
                             bool keepdims) {
  auto r = static_cast<int64_t>(in.rank());
  std::vector<bool> reduce(in.rank(), axes.empty());
  for (int64_t a : axes) {
    auto n = normalize_axis(a, r);
    if (!n) {
      c.warn("axis " + std::to_string(a) + " is out of range");
      return std::nullopt;
    }
    reduce[static_cast<size_t>(*n)] = true;
  }
  Shape out;
  for (size_t i = 0; i < in.rank(); ++i) {
    if (!reduce[i]) {
      out.dims.push_back(in.dims[i]);
    } else if (keepdims) {
      out.dims.push_back(Dim::known(1));
    }
  }
  return out;
}

void reduce(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* in = c.shape(0);
  bool keepdims = c.node().attr_int("keepdims", 1) != 0;
  int64_t axes_input_from = c.node().op_type == "ReduceSum" ? 13 : 18;
  std::vector<int64_t> axes;
  if (c.opset() < axes_input_from) {
    axes = c.node().attr_ints("axes");
  } else if (c.has_input(1)) {
    auto a = c.int_values(1);
    if (!a) {
      // Which axes is data: the rank is known only when reduced axes are kept.
      if (in && keepdims) {
        c.set(0, dt, Shape(std::vector<Dim>(in->rank())));
      } else {
        c.set_dtype(0, dt);
      }
      return;
    }
    axes = std::move(*a);
  }
  bool noop = axes.empty() && c.opset() >= axes_input_from &&
              c.node().attr_int("noop_with_empty_axes", 0) != 0;
  if (!in) {
    c.set_dtype(0, dt);
    return;
  }
  if (noop) {
    c.set(0, dt, *in);
    return;
  }
  auto out = reduced(c, *in, axes, keepdims);
  if (!out) return;
  c.set(0, dt, std::move(*out));

  // Sum / product of a shape tensor (exporters flatten with Shape -> Slice -> ReduceProd).
  const std::string& op = c.node().op_type;
  if (op != "ReduceProd" && op != "ReduceSum") return;
  const KnownInts* k = c.ints(0);
  if (!k || in->rank() > 1) return;
  SymInt acc = SymInt::known(op == "ReduceProd" ? 1 : 0);
  for (const SymInt& v : k->v) acc = op == "ReduceProd" ? sym_mul(acc, v) : sym_add(acc, v);
  c.set_ints(0, KnownInts{{acc}, !keepdims || in->rank() == 0});
}

void arg_reduce(InferContext& c) {
  const Shape* in = c.shape(0);
  if (!in) {
    c.set_dtype(0, DataType::Int64);
    return;
  }
  bool keepdims = c.node().attr_int("keepdims", 1) != 0;
  auto out = reduced(c, *in, {c.node().attr_int("axis", 0)}, keepdims);
  if (out) c.set(0, DataType::Int64, std::move(*out));
}

}  // namespace

void add_reduce_rules(RuleTable& t) {
  for (auto op : {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1",
                  "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"})
    t.add(op, 1, reduce);
  t.add("ArgMax", 1, arg_reduce);
  t.add("ArgMin", 1, arg_reduce);
}

}  // namespace kiln::analysis
