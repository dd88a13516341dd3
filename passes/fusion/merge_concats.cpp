// merge-concats: a Concat feeding a Concat on the same axis is inlined into it.
#include <algorithm>

#include "passes/fusion/fusion_helpers.h"
#include "passes/fusion/fusion_passes.h"
#include "passes/framework/opset_gates.h"

namespace kiln::passes {
namespace {

// A Concat's axis made non-negative when the rank is known (from its inputs: a Concat this pass
// just made has no inferred output type yet); as written otherwise.
int64_t concat_axis(const Node* n) {
  const int64_t axis = n->attr_int("axis", 0);
  if (axis >= 0) return axis;
  for (const Value* in : n->inputs())
    if (const int64_t rank = known_rank(in); rank >= 0) return axis + rank;
  return axis;
}

void run(PassContext& ctx) {
  if (!can_emit(ctx.model, "Concat")) return;
  for (Graph* g : ctx.rw.graphs()) {
    for (NodeId id : node_ids(*g)) {
      Node* outer = g->find_node(id);
      if (!is_onnx_op(outer, "Concat") || !outer->has_attr("axis")) continue;
      Value* out = outer->output(0);
      if (!replaceable(ctx.rw, out)) continue;
      const int64_t axis = concat_axis(outer);
      std::vector<Value*> inputs;
      std::vector<const Node*> from = {outer};
      for (Value* in : outer->inputs()) {
        Node* inner = in ? in->producer() : nullptr;
        // Read twice by the same outer Concat is fine: both copies are inlined.
        const bool inline_it = is_onnx_op(inner, "Concat") && inner->has_attr("axis") &&
                               concat_axis(inner) == axis && sole_consumer(in) == outer &&
                               !ctx.rw.is_captured(in);
        if (!inline_it) {
          inputs.push_back(in);
          continue;
        }
        if (std::find(from.begin(), from.end(), inner) == from.end()) from.push_back(inner);
        inputs.insert(inputs.end(), inner->inputs().begin(), inner->inputs().end());
      }
      if (from.size() == 1) continue;
      Node* merged = ctx.rw.add_node(*g, "Concat", inputs, {out->name()}, from, "", outer);
      copy_attrs(ctx.rw, outer, merged);
      replace_and_remove(ctx.rw, out, merged->output(0));
      ctx.stats.add("inlined", static_cast<int64_t>(from.size() - 1));
    }
  }
}

}  // namespace

void register_merge_concats(PassRegistry& r) {
  r.add({{"merge-concats",
          PassCategory::Fusion,
          "Inline Concats into the Concat they feed",
          "An input of a Concat that is the output of another Concat on the same axis, read by "
          "nothing else, is replaced by that Concat's inputs, in order; nested Concats flatten in "
          "one run. Axes compare after making negative ones positive where the rank is known.",
          {},
          {{"inlined", "inner Concat nodes inlined"}}},
         run});
}

}  // namespace kiln::passes
