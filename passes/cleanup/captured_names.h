#pragma once
// Subgraphs (If/Loop/Scan bodies) read outer values by name, not through use-lists, so a value
// they capture looks unused from its own graph. Cleanup passes that replace or remove values ask
// here first and leave such values alone.
#include <string>
#include <unordered_set>

#include "core/ir/graph.h"
#include "passes/framework/rewriter.h"

namespace kiln::passes {

class CapturedNames {
 public:
  // Every name read as a capture by a subgraph nested (at any depth) under g's nodes.
  explicit CapturedNames(const Graph& g);
  bool contains(const Value* v) const { return v && names_.count(v->name()) > 0; }
  // Rewriter::can_replace, and no subgraph loses a value it reads: `from` disappears from its
  // graph, and `to` is renamed when it takes over a graph output's name.
  bool can_replace(const Value* from, const Value* to) const;

 private:
  std::unordered_set<std::string> names_;
};

}  // namespace kiln::passes
