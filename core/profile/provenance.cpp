#include "core/profile/provenance.h"

#include "core/onnx/onnx_export.h"

namespace kiln::profile {

bool provenance_fits(const Model& model, const Model& original) {
  if (!model.graph || !original.graph || !is_rewritten(*model.graph)) return false;
  bool all_found = true;
  size_t single = 0, alike = 0;
  model.graph->for_each_node([&](const Node* n) {
    for (NodeId id : n->provenance) {
      const Node* o = original.graph->find_node(id);
      if (!o) {
        all_found = false;
        return;
      }
      if (n->provenance.size() == 1) {
        ++single;
        alike += (o->op_type == n->op_type && o->domain == n->domain) || (!n->name.empty() && o->name == n->name);
      }
    }
  });
  return all_found && 10 * alike >= 9 * single;
}

}  // namespace kiln::profile
