#include "passes/cleanup/captured_names.h"

namespace kiln::passes {
namespace {

void collect(const Graph& g, std::unordered_set<std::string>& out) {
  g.for_each_node([&](const Node* n) {
    for (const Graph* sub : n->subgraphs()) {
      for (const Value* c : sub->captures()) out.insert(c->name());
      collect(*sub, out);
    }
  });
}

}  // namespace

CapturedNames::CapturedNames(const Graph& g) { collect(g, names_); }

bool CapturedNames::can_replace(const Value* from, const Value* to) const {
  if (!Rewriter::can_replace(from, to) || contains(from)) return false;
  return !(from->is_graph_output() && contains(to));
}

}  // namespace kiln::passes
