// eliminate-identity: readers of an Identity's output read its input instead.
#include "passes/cleanup/captured_names.h"
#include "passes/cleanup/cleanup_passes.h"
#include "passes/framework/rewriter.h"

namespace kiln::passes {
namespace {

void run(PassContext& ctx) {
  // Innermost graphs first: removing a node can free the subgraphs it holds, and those are then
  // already done.
  const std::vector<Graph*> graphs = ctx.rw.graphs();
  for (auto it = graphs.rbegin(); it != graphs.rend(); ++it) {
    Graph* g = *it;
    const CapturedNames captured(*g);
    for (Node* n : g->nodes()) {
      if (n->op_type != "Identity" || !n->is_onnx_domain()) continue;
      Value* in = n->input(0);
      Value* out = n->output(0);
      // A dead Identity is eliminate-dead-code's business; skipping it here also means removing
      // this node never cascades into nodes still waiting in the list.
      if (!in || !out || !(out->has_uses() || out->is_graph_output())) continue;
      // A graph input, an initializer or another output cannot take over a graph output's name,
      // so there the Identity is what keeps the interface.
      if (!captured.can_replace(out, in)) {
        ctx.stats.add("kept_for_interface");
        continue;
      }
      ctx.rw.replace_uses(out, in);
      ctx.rw.remove_node(n);
      ctx.stats.add("removed");
    }
  }
}

}  // namespace

void register_eliminate_identity(PassRegistry& r) {
  r.add({{"eliminate-identity",
          PassCategory::Cleanup,
          "Remove Identity nodes",
          "Makes every reader of an Identity's output read its input, and removes the Identity. An "
          "Identity is kept when its output is a graph output its input cannot stand in for (the "
          "input is a graph input, an initializer or itself an output), and when a subgraph reads "
          "its output by name.",
          {},
          {{"removed", "Identity nodes removed"},
           {"kept_for_interface", "Identity nodes kept for a graph output or a subgraph capture"}}},
         run});
}

}  // namespace kiln::passes
