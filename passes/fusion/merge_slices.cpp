// merge-slices: a Slice of a Slice becomes one Slice.
#include <algorithm>

#include "passes/fusion/fusion_helpers.h"
#include "passes/fusion/fusion_passes.h"
#include "passes/framework/opset_gates.h"

namespace kiln::passes {
namespace {

struct AxisSlice {
  int64_t axis, start, end, step;
};

// A Slice's parameters per axis (axes normalised), when they are all constant: inputs from
// opset 10, attributes (no steps) before.
std::optional<std::vector<AxisSlice>> slice_params(const Node* n) {
  std::optional<std::vector<int64_t>> starts, ends, axes, steps;
  if (n->num_inputs() >= 3) {
    starts = constant_ints(n->input(1));
    ends = constant_ints(n->input(2));
    if (n->input(3)) axes = constant_ints(n->input(3));
    if (n->input(4)) steps = constant_ints(n->input(4));
    if ((n->input(3) && !axes) || (n->input(4) && !steps)) return std::nullopt;
  } else {
    const Attribute* s = n->attr("starts");
    const Attribute* e = n->attr("ends");
    if (!s || !e) return std::nullopt;
    starts = s->ints;
    ends = e->ints;
    if (const Attribute* a = n->attr("axes")) axes = a->ints;
  }
  if (!starts || !ends || starts->size() != ends->size()) return std::nullopt;
  const size_t count = starts->size();
  if (!axes) {
    axes.emplace(count);
    for (size_t i = 0; i < count; ++i) (*axes)[i] = static_cast<int64_t>(i);
  }
  if (!steps) steps.emplace(count, 1);
  if (axes->size() != count || steps->size() != count) return std::nullopt;
  const int64_t rank = known_rank(n->input(0));
  for (int64_t a : *axes)
    if (a < 0 && rank < 0) return std::nullopt;
  axes = normalize_axes(*axes, rank < 0 ? INT64_MAX : rank);
  if (!axes) return std::nullopt;
  std::vector<AxisSlice> out(count);
  for (size_t i = 0; i < count; ++i) {
    if ((*steps)[i] == 0) return std::nullopt;
    out[i] = {(*axes)[i], (*starts)[i], (*ends)[i], (*steps)[i]};
  }
  return out;
}

// [start, end) of a step-1 slice of a dim of size `dim`, clamped as Slice clamps.
std::pair<int64_t, int64_t> clamped(const AxisSlice& s, int64_t dim) {
  auto fix = [dim](int64_t i) { return std::clamp(i < 0 ? i + dim : i, int64_t{0}, dim); };
  const int64_t b = fix(s.start);
  return {b, std::max(b, fix(s.end))};
}

// Slicing `second` out of the result of `first` on the same axis, as one slice of x; both steps
// must be 1 and x's dim on that axis known, so clamping can be worked out now.
std::optional<AxisSlice> compose(const AxisSlice& first, const AxisSlice& second, const Value* x) {
  if (first.step != 1 || second.step != 1 || known_rank(x) <= first.axis) return std::nullopt;
  const Dim& d = x->type.shape->dims[static_cast<size_t>(first.axis)];
  if (!d.is_known()) return std::nullopt;
  const auto [b1, e1] = clamped(first, d.value);
  const auto [b2, e2] = clamped(second, e1 - b1);
  return AxisSlice{first.axis, b1 + b2, b1 + e2, 1};
}

void run(PassContext& ctx) {
  const bool params_as_inputs = ctx.model.opset("") >= first_opset("Slice");
  for (Graph* g : ctx.rw.graphs()) {
    for (NodeId id : node_ids(*g)) {
      Node* outer = g->find_node(id);
      if (!is_onnx_op(outer, "Slice")) continue;
      Value* mid = outer->input(0);
      Node* inner = mid ? mid->producer() : nullptr;
      if (!is_onnx_op(inner, "Slice") || !private_to(ctx.rw, mid, outer, 0)) continue;
      Value* out = outer->output(0);
      if (!replaceable(ctx.rw, out)) continue;
      std::optional<std::vector<AxisSlice>> merged = slice_params(inner);
      const std::optional<std::vector<AxisSlice>> second = slice_params(outer);
      if (!merged || !second) continue;
      Value* x = inner->input(0);
      bool ok = true;
      for (const AxisSlice& s : *second) {
        auto same = std::find_if(merged->begin(), merged->end(), [&](const AxisSlice& m) { return m.axis == s.axis; });
        if (same == merged->end()) {
          merged->push_back(s);
        } else if (std::optional<AxisSlice> c = compose(*same, s, x)) {
          *same = *c;
        } else {
          ok = false;
          break;
        }
      }
      if (!ok) {
        ctx.stats.add("skipped_same_axis");
        continue;
      }
      std::vector<int64_t> starts, ends, axes, steps;
      bool unit_steps = true;
      for (const AxisSlice& s : *merged) {
        starts.push_back(s.start);
        ends.push_back(s.end);
        axes.push_back(s.axis);
        steps.push_back(s.step);
        unit_steps = unit_steps && s.step == 1;
      }
      const int64_t n = static_cast<int64_t>(merged->size());
      std::vector<Value*> inputs = {x};
      if (params_as_inputs) {
        inputs.push_back(ctx.rw.add_initializer(*g, *int64_tensor(out->name() + "_starts", {n}, starts)));
        inputs.push_back(ctx.rw.add_initializer(*g, *int64_tensor(out->name() + "_ends", {n}, ends)));
        inputs.push_back(ctx.rw.add_initializer(*g, *int64_tensor(out->name() + "_axes", {n}, axes)));
        if (!unit_steps) inputs.push_back(ctx.rw.add_initializer(*g, *int64_tensor(out->name() + "_steps", {n}, steps)));
      }
      Node* slice = ctx.rw.add_node(*g, "Slice", inputs, {out->name()}, {inner, outer}, "", outer);
      if (!params_as_inputs) {
        ctx.rw.set_attr(slice, Attribute::make_ints("starts", starts));
        ctx.rw.set_attr(slice, Attribute::make_ints("ends", ends));
        ctx.rw.set_attr(slice, Attribute::make_ints("axes", axes));
      }
      replace_and_remove(ctx.rw, out, slice->output(0));
      ctx.stats.add("merged");
    }
  }
}

}  // namespace

void register_merge_slices(PassRegistry& r) {
  r.add({{"merge-slices",
          PassCategory::Fusion,
          "Merge consecutive Slices",
          "A Slice of a Slice whose output has no other reader, both with constant starts, ends, "
          "axes and steps, becomes one Slice: axes sliced by only one of them keep their "
          "parameters; an axis sliced by both is composed when both steps are 1 and the dim is "
          "known. Parameters are inputs from opset 10 and attributes before.",
          {},
          {{"merged", "Slice pairs merged into one"},
           {"skipped_same_axis", "pairs left alone: an axis sliced twice with a step other than 1 or an unknown dim"}}},
         run});
}

}  // namespace kiln::passes
