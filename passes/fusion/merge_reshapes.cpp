// merge-reshapes: chains of Reshape, Flatten, Squeeze and Unsqueeze become one Reshape, or one
// Squeeze / Unsqueeze with the axes of both.
#include <algorithm>

#include "passes/fusion/fusion_helpers.h"
#include "passes/fusion/fusion_passes.h"
#include "passes/framework/opset_gates.h"

namespace kiln::passes {
namespace {

bool is_reshape_like(const Node* n) {
  return is_onnx_op(n, "Reshape") || is_onnx_op(n, "Flatten") || is_onnx_op(n, "Squeeze") ||
         is_onnx_op(n, "Unsqueeze");
}

// Squeeze/Unsqueeze axes: an input from opset 13, an attribute before. nullopt when they are not
// given or not constant.
std::optional<std::vector<int64_t>> given_axes(const Node* n) {
  if (n->num_inputs() >= 2) return n->input(1) ? constant_ints(n->input(1)) : std::nullopt;
  if (const Attribute* a = n->attr("axes")) return a->ints;
  return std::nullopt;
}

// Axes normalised against `rank`; negative axes need a known rank.
std::optional<std::vector<int64_t>> resolve(const std::vector<int64_t>& axes, int64_t rank) {
  if (rank >= 0) return normalize_axes(axes, rank);
  for (int64_t a : axes)
    if (a < 0) return std::nullopt;
  return normalize_axes(axes, INT64_MAX);
}

// Where the `slot`-th of the positions not in `taken_sorted` lies among all positions.
int64_t position_skipping(int64_t slot, const std::vector<int64_t>& taken_sorted) {
  int64_t pos = slot;
  for (int64_t t : taken_sorted)
    if (t <= pos) ++pos;
  return pos;
}

// Unsqueeze(Unsqueeze(x, inner), outer) == Unsqueeze(x, merged): outer's axes are positions in
// the result; inner's are positions among the result's remaining axes.
// Squeeze(Squeeze(x, inner), outer) == Squeeze(x, merged): inner's axes are positions in x;
// outer's are positions among x's remaining axes.
std::optional<std::vector<int64_t>> merged_axes(const Node* inner, const Node* outer, bool unsqueeze) {
  const std::optional<std::vector<int64_t>> a_in = given_axes(inner);
  const std::optional<std::vector<int64_t>> a_out = given_axes(outer);
  if (!a_in || !a_out) return std::nullopt;
  const int64_t x_rank = known_rank(inner->input(0));
  const int64_t n_in = static_cast<int64_t>(a_in->size()), n_out = static_cast<int64_t>(a_out->size());
  const int64_t mid_rank = x_rank < 0 ? -1 : x_rank + (unsqueeze ? n_in : -n_in);
  const int64_t out_rank = mid_rank < 0 ? -1 : mid_rank + (unsqueeze ? n_out : -n_out);
  std::optional<std::vector<int64_t>> first = resolve(*a_in, unsqueeze ? mid_rank : x_rank);
  std::optional<std::vector<int64_t>> second = resolve(*a_out, unsqueeze ? out_rank : mid_rank);
  if (!first || !second) return std::nullopt;
  // Fixed: positions in the final frame of reference (the result for Unsqueeze, x for Squeeze).
  std::vector<int64_t> fixed = unsqueeze ? *second : *first;
  const std::vector<int64_t>& relative = unsqueeze ? *first : *second;
  std::sort(fixed.begin(), fixed.end());
  std::vector<int64_t> merged = fixed;
  for (int64_t a : relative) merged.push_back(position_skipping(a, fixed));
  std::sort(merged.begin(), merged.end());
  return merged;
}

// The shape of `v` as a Reshape target, when shape inference knows every dim and none is 0
// (which a target would read as "copy this dim").
std::optional<std::vector<int64_t>> static_shape(const Value* v) {
  if (!v->type.is_tensor() || !v->type.shape || !v->type.shape->is_static()) return std::nullopt;
  std::vector<int64_t> dims = v->type.shape->values();
  if (std::find(dims.begin(), dims.end(), 0) != dims.end()) return std::nullopt;
  return dims;
}

void run(PassContext& ctx) {
  const bool axes_as_input = ctx.model.opset("") >= first_opset("Unsqueeze");
  const bool reshape_ok = can_emit(ctx.model, "Reshape");
  for (Graph* g : ctx.rw.graphs()) {
    for (NodeId id : node_ids(*g)) {
      Node* outer = g->find_node(id);
      if (!is_reshape_like(outer)) continue;
      Value* mid = outer->input(0);
      Node* inner = mid ? mid->producer() : nullptr;
      if (!is_reshape_like(inner) || !private_to(ctx.rw, mid, outer, 0)) continue;
      Value* out = outer->output(0);
      if (!replaceable(ctx.rw, out)) continue;
      Value* x = inner->input(0);

      Node* merged = nullptr;
      if (inner->op_type == outer->op_type && (outer->op_type == "Squeeze" || outer->op_type == "Unsqueeze")) {
        if (std::optional<std::vector<int64_t>> axes = merged_axes(inner, outer, outer->op_type == "Unsqueeze")) {
          std::vector<Value*> inputs = {x};
          if (axes_as_input)
            inputs.push_back(ctx.rw.add_initializer(*g, *int64_tensor(out->name() + "_axes", {static_cast<int64_t>(axes->size())}, *axes)));
          merged = ctx.rw.add_node(*g, outer->op_type, inputs, {out->name()}, {inner, outer}, "", outer);
          if (!axes_as_input) ctx.rw.set_attr(merged, Attribute::make_ints("axes", *axes));
          ctx.stats.add("merged_axes");
        }
      }
      if (!merged && reshape_ok) {
        // A Reshape target without 0 ("copy this dim") means the same whatever its input's shape;
        // -1 is fine too, the element count does not change along the chain.
        std::optional<std::vector<int64_t>> target =
            outer->op_type == "Reshape" ? constant_ints(outer->input(1)) : std::nullopt;
        Value* shape = nullptr;
        if (target && std::find(target->begin(), target->end(), 0) == target->end()) {
          shape = outer->input(1);
        } else if ((target = static_shape(out))) {
          shape = ctx.rw.add_initializer(*g, *int64_tensor(out->name() + "_shape", {static_cast<int64_t>(target->size())}, *target));
        }
        if (shape) {
          merged = ctx.rw.add_node(*g, "Reshape", {x, shape}, {out->name()}, {inner, outer}, "", outer);
          ctx.stats.add("merged_to_reshape");
        }
      }
      if (merged) replace_and_remove(ctx.rw, out, merged->output(0));
    }
  }
}

}  // namespace

void register_merge_reshapes(PassRegistry& r) {
  r.add({{"merge-reshapes",
          PassCategory::Fusion,
          "Merge chains of Reshape, Flatten, Squeeze and Unsqueeze",
          "Two consecutive shape-only ops (Reshape, Flatten, Squeeze, Unsqueeze) where the first's "
          "output has no other reader become one: Unsqueeze of Unsqueeze and Squeeze of Squeeze "
          "become one node with the merged axes (dynamic dims allowed; axes as attributes before "
          "opset 13, as an input from 13); otherwise a Reshape, to the second's constant target "
          "when that has no 0 entries, else to the result's fully known shape. Chains merge pairwise "
          "in one run.",
          {},
          {{"merged_axes", "Squeeze or Unsqueeze pairs merged into one"},
           {"merged_to_reshape", "pairs merged into one Reshape"}}},
         run});
}

}  // namespace kiln::passes
