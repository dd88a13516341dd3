// eliminate-dropout: an inference-mode Dropout passes its input through, so readers of its
// output read the input instead.
#include <algorithm>

#include "passes/cleanup/captured_names.h"
#include "passes/cleanup/cleanup_passes.h"
#include "passes/framework/rewriter.h"

namespace kiln::passes {
namespace {

// Opset 1-6 train unless is_test=1; 7-11 never train; 12+ train when the training_mode input
// is given and true, which only a constant false rules out.
bool inference_mode(const Node& n, int64_t opset) {
  if (opset < 7) return n.attr_int("is_test", 0) != 0;
  const Value* training = n.input(2);
  if (opset < 12 || !training) return true;
  const Tensor* t = constant_of(training);
  if (!t) return false;
  const std::vector<int64_t> v = t->to_int64();
  return !v.empty() && std::all_of(v.begin(), v.end(), [](int64_t x) { return x == 0; });
}

void run(PassContext& ctx) {
  const int64_t opset = ctx.model.opset("");
  const std::vector<Graph*> graphs = ctx.rw.graphs();
  // Innermost graphs first: removing a node can free the subgraphs it holds.
  for (auto it = graphs.rbegin(); it != graphs.rend(); ++it) {
    Graph* g = *it;
    const CapturedNames captured(*g);
    for (Node* n : g->nodes()) {
      if (n->op_type != "Dropout" || !n->is_onnx_domain()) continue;
      Value* in = n->input(0);
      Value* out = n->output(0);
      if (!in || !out || !(out->has_uses() || out->is_graph_output())) continue;
      // The mask would need a constant of the input's shape; Dropouts whose mask is read are rare
      // enough to keep.
      const Value* mask = n->output(1);
      if (mask && (mask->has_uses() || mask->is_graph_output() || captured.contains(mask))) continue;
      if (!inference_mode(*n, opset)) {
        ctx.stats.add("kept_training");
        continue;
      }
      if (!captured.can_replace(out, in)) continue;
      ctx.rw.replace_uses(out, in);
      ctx.rw.remove_node(n);
      ctx.stats.add("removed");
    }
  }
}

}  // namespace

void register_eliminate_dropout(PassRegistry& r) {
  r.add({{"eliminate-dropout",
          PassCategory::Cleanup,
          "Remove Dropout nodes that run in inference mode",
          "A Dropout in inference mode returns its input unchanged: every reader of its output reads "
          "the input instead and the Dropout goes, with its ratio and training_mode constants when "
          "nothing else reads them. Kept when it may train (opset < 7 without is_test=1, or a "
          "training_mode input that is not a constant false), when its mask output is read, and when "
          "its output is a graph output the input cannot stand in for.",
          {},
          {{"removed", "Dropout nodes removed"}, {"kept_training", "Dropout nodes kept because they may train"}}},
         run});
}

}  // namespace kiln::passes
