#include "passes/cleanup/captured_names.h"

namespace kiln::passes {
CapturedNames::CapturedNames(const Graph& g) { g.collect_captured_names(names_); }

bool CapturedNames::can_replace(const Value* from, const Value* to) const {
  if (!Rewriter::can_replace(from, to) || contains(from)) return false;
  return !(from->is_graph_output() && contains(to));
}

}  // namespace kiln::passes
