#pragma once
// What one step changed, from its rewriter change log, in the terms the diff preview shows:
// nodes added and rewired (marked on the graph after the step) and nodes removed (marked on the
// graph before it), with a readable summary.
#include <string>
#include <unordered_map>

#include "core/ir/model.h"
#include "passes/framework/rewriter.h"
#include "views/graph/graph_painter.h"

namespace kiln {

struct StepDiff {
  std::unordered_map<NodeId, DiffMark> after;   // marks on the snapshot after the step
  std::unordered_map<NodeId, DiffMark> before;  // marks on the snapshot before it
  size_t added = 0, removed = 0, modified = 0;
  std::string summary;  // "added 3 (FusedConv ×3); removed 6 (Conv ×3, BatchNormalization ×3); rewired 2"
};

StepDiff diff_step(const passes::ChangeLog& log, const Model& before, const Model& after);

}  // namespace kiln
