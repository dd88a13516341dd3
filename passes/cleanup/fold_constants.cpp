// fold-constants: a node whose inputs are all constant is computed once, on the reference
// kernels, and what other nodes read of its results becomes initializers; every Constant node
// becomes an initializer the same way.
#include "passes/cleanup/cleanup_passes.h"
#include "passes/cleanup/constant_folder.h"

namespace kiln::passes {
namespace {

void run(PassContext& ctx) {
  const int64_t max_bytes = ctx.options.get_int("max_bytes");
  for (Graph* g : ctx.rw.graphs()) {
    ConstantFolder folder(ctx, *g, max_bytes);
    // Graph order: a node's constant producers are folded before it is looked at, so whole
    // constant chains fold in one sweep.
    for (Node* n : g->nodes()) {
      if (!folder.ready(*n) || !folder.fold(*n)) continue;
      ctx.stats.add(n->op_type == "Constant" && n->is_onnx_domain() ? "constants_converted" : "nodes_folded");
    }
    ctx.stats.add("initializers_added", folder.materialize());
  }
}

}  // namespace

void register_fold_constants(PassRegistry& r) {
  r.add({{"fold-constants",
          PassCategory::Cleanup,
          "Compute nodes whose inputs are all constant; Constant nodes become initializers",
          "Computes every node whose inputs are initializers, Constant outputs or results folded "
          "before it on the reference kernels, once, and replaces what unfolded nodes read of its "
          "results by initializers; Constant nodes (value, value_float(s), value_int(s), "
          "value_string(s)) become initializers. Not folded: random ops, DequantizeLinear (it marks "
          "what a QDQ model runs in integers), nodes holding subgraphs, ops of other domains without "
          "a reference kernel, nodes whose outputs are graph outputs or read by a subgraph by name, "
          "nodes the kernels refuse, and results larger than both max_bytes and all the node's "
          "constant inputs together (ConstantOfShape, Expand or Tile of a small constant).",
          {{"max_bytes", OptionType::Int, "largest folded result, in bytes, when it is larger than its inputs",
            int64_t{1} << 20, 0, static_cast<double>(int64_t{1} << 40), {}}},
          {{"nodes_folded", "nodes computed at optimisation time"},
           {"constants_converted", "Constant nodes turned into initializers"},
           {"initializers_added", "initializers added for folded results"},
           {"too_large", "nodes not folded because a result would exceed max_bytes"},
           {"not_evaluated", "nodes with constant inputs the reference kernels could not compute"}}},
         run});
}

}  // namespace kiln::passes
