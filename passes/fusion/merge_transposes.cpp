// merge-transposes: a Transpose of a Transpose becomes one Transpose, or nothing when the two
// cancel out.
#include "passes/fusion/fusion_helpers.h"
#include "passes/fusion/fusion_passes.h"
#include "passes/framework/opset_gates.h"

namespace kiln::passes {
namespace {

void run(PassContext& ctx) {
  for (Graph* g : ctx.rw.graphs()) {
    for (NodeId id : node_ids(*g)) {
      Node* outer = g->find_node(id);
      if (!is_onnx_op(outer, "Transpose")) continue;
      Value* mid = outer->input(0);
      Node* inner = mid ? mid->producer() : nullptr;
      if (!is_onnx_op(inner, "Transpose")) continue;
      // Reversing the axes twice cancels out whatever the rank.
      bool identity = !inner->has_attr("perm") && !outer->has_attr("perm");
      std::vector<int64_t> perm;
      if (!identity) {
        const std::optional<std::vector<int64_t>> p1 = transpose_perm(inner);
        const std::optional<std::vector<int64_t>> p2 = transpose_perm(outer);
        if (!p1 || !p2 || p1->size() != p2->size()) continue;
        // out[i] = mid[p2[i]] = x[p1[p2[i]]]
        perm.resize(p2->size());
        identity = true;
        for (size_t i = 0; i < perm.size(); ++i) {
          perm[i] = (*p1)[static_cast<size_t>((*p2)[i])];
          identity = identity && perm[i] == static_cast<int64_t>(i);
        }
      }
      Value* x = inner->input(0);
      Value* out = outer->output(0);
      if (identity) {
        // The inner Transpose may keep other readers: the pair still cancels for this one.
        if (!can_take_over(ctx.rw, out, x)) continue;
        ctx.rw.replace_uses(out, x);
        ctx.rw.remove_node(outer);
        ctx.stats.add("cancelled");
        continue;
      }
      // With other readers of the inner Transpose, a merged one would not save a node.
      if (!private_to(ctx.rw, mid, outer, 0) || !replaceable(ctx.rw, out)) continue;
      if (!can_emit(ctx.model, "Transpose")) continue;
      Node* merged = ctx.rw.add_node(*g, "Transpose", {x}, {out->name()}, {inner, outer}, "", outer);
      ctx.rw.set_attr(merged, Attribute::make_ints("perm", perm));
      replace_and_remove(ctx.rw, out, merged->output(0));
      ctx.stats.add("merged");
    }
  }
}

}  // namespace

void register_merge_transposes(PassRegistry& r) {
  r.add({{"merge-transposes",
          PassCategory::Fusion,
          "Merge consecutive Transposes",
          "A Transpose of a Transpose whose output has no other reader becomes one Transpose with "
          "the composed permutation. When the two cancel out, readers of the second read the "
          "first's input directly (even when the first has other readers), unless that would "
          "rename a graph input or output.",
          {},
          {{"merged", "Transpose pairs merged into one"},
           {"cancelled", "Transpose pairs that cancelled out"}}},
         run});
}

}  // namespace kiln::passes
