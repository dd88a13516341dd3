// eliminate-dead-code: removes nodes whose outputs nothing reads, and initializers nothing uses.
#include "passes/cleanup/captured_names.h"
#include "passes/cleanup/cleanup_passes.h"
#include "passes/framework/rewriter.h"

namespace kiln::passes {
namespace {

bool outputs_unused(const Node* n, const CapturedNames& captured) {
  for (const Value* o : n->outputs())
    if (o && (o->has_uses() || o->is_graph_output() || captured.contains(o))) return false;
  return true;
}

void run(PassContext& ctx) {
  const std::vector<Graph*> graphs = ctx.rw.graphs();
  // Innermost graphs first: removing a node can free the subgraphs it holds.
  for (auto git = graphs.rbegin(); git != graphs.rend(); ++git) {
    Graph* g = *git;
    const CapturedNames captured(*g);
    // Walk backwards so a chain of dead nodes goes in one sweep.
    std::vector<Node*> nodes = g->nodes();
    std::vector<NodeId> ids;
    ids.reserve(nodes.size());
    for (Node* n : nodes) ids.push_back(n->id());
    for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
      Node* n = g->find_node(*it);
      if (!n || !outputs_unused(n, captured)) continue;
      const size_t before = ctx.rw.log().nodes_removed;
      ctx.rw.remove_node(n);
      ctx.stats.add("nodes_removed", static_cast<int64_t>(ctx.rw.log().nodes_removed - before));
    }
    for (Value* v : g->initializers())
      if (!v->has_uses() && !v->is_graph_output() && !v->is_graph_input() && !captured.contains(v)) {
        ctx.rw.remove_value(v);
        ctx.stats.add("initializers_removed");
      }
  }
}

}  // namespace

void register_eliminate_dead_code(PassRegistry& r) {
  r.add({{"eliminate-dead-code",
          PassCategory::Cleanup,
          "Remove nodes and initializers nothing reads",
          "Removes every node none of whose outputs is read by another node or is a graph output, "
          "transitively, and every initializer nothing reads. Graph inputs and outputs never change, "
          "and values a subgraph reads by name count as read.",
          {},
          {{"nodes_removed", "nodes removed"}, {"initializers_removed", "initializers removed"}}},
         run});
}

}  // namespace kiln::passes
