#include "views/pipeline/step_diff.h"

#include <map>

#include "views/model_queries.h"

namespace kiln {
namespace {

std::string op_counts(const std::map<std::string, int>& ops) {
  std::string s;
  for (const auto& [op, count] : ops)
    s += (s.empty() ? "" : ", ") + op + (count > 1 ? " ×" + std::to_string(count) : "");
  return s;
}

}  // namespace

StepDiff diff_step(const passes::ChangeLog& log, const Model& before, const Model& after) {
  StepDiff d;
  std::map<std::string, int> added_ops, removed_ops;
  for (const passes::Change& c : log.changes) {
    using K = passes::Change::Kind;
    if (c.node == 0) continue;
    const Node* in_before = find_node_anywhere(*before.graph, c.node);
    const Node* in_after = find_node_anywhere(*after.graph, c.node);
    switch (c.kind) {
      case K::AddNode:
        // A node a pass added and removed again within the step is not part of its result.
        if (in_after && d.after.emplace(c.node, DiffMark::Added).second) ++added_ops[in_after->op_type];
        break;
      case K::RemoveNode:
        if (in_before && !in_after && d.before.emplace(c.node, DiffMark::Removed).second)
          ++removed_ops[in_before->op_type];
        break;
      case K::Rewire:
      case K::SetAttr:
      case K::Move:
        if (in_after && in_before) {
          d.after.emplace(c.node, DiffMark::Modified);
          d.before.emplace(c.node, DiffMark::Modified);
        }
        break;
      case K::AddValue:
      case K::RemoveValue: break;
    }
  }
  for (const auto& [id, m] : d.after) {
    d.added += m == DiffMark::Added;
    d.modified += m == DiffMark::Modified;
  }
  d.removed = d.before.size() - d.modified;
  std::string s;
  if (d.added) s += "added " + std::to_string(d.added) + " (" + op_counts(added_ops) + ")";
  if (d.removed) s += std::string(s.empty() ? "" : "; ") + "removed " + std::to_string(d.removed) + " (" + op_counts(removed_ops) + ")";
  if (d.modified) s += std::string(s.empty() ? "" : "; ") + "rewired or changed " + std::to_string(d.modified);
  d.summary = s.empty() ? "no node changed" : s;
  return d;
}

}  // namespace kiln
