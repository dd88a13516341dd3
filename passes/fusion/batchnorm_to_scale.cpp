// batchnorm-to-scale: an inference BatchNormalization becomes Mul + Add by per-channel constants,
// for deployment targets without BatchNormalization.
#include "passes/fusion/channel_affine.h"
#include "passes/fusion/fusion_helpers.h"
#include "passes/fusion/fusion_passes.h"
#include "passes/framework/opset_gates.h"

namespace kiln::passes {
namespace {

void run(PassContext& ctx) {
  if (!can_emit(ctx.model, "Mul") || !can_emit(ctx.model, "Add")) return;
  for (Graph* g : ctx.rw.graphs()) {
    for (NodeId id : node_ids(*g)) {
      Node* bn = g->find_node(id);
      if (!is_onnx_op(bn, "BatchNormalization")) continue;
      Value* x = bn->input(0);
      Value* y = bn->output(0);
      const int64_t rank = known_rank(x);
      if (rank < 2 || !is_foldable_float(x->type.dtype) || !replaceable(ctx.rw, y)) continue;
      const std::optional<ChannelAffine> affine = inference_batchnorm(bn, ctx.model);
      if (!affine) {
        ctx.stats.add("skipped");
        continue;
      }
      const int64_t c = static_cast<int64_t>(affine->scale.size());
      const Dim& channel_dim = x->type.shape->dims[1];
      if (channel_dim.is_known() && channel_dim.value != c) continue;
      // [C, 1, ...]: aligned to the trailing axes of [N, C, ...], it varies along C only.
      std::vector<int64_t> dims(static_cast<size_t>(rank - 1), 1);
      dims[0] = c;
      Value* scale = ctx.rw.add_initializer(*g, *float_tensor(y->name() + "_scale", x->type.dtype, dims, affine->scale));
      Value* shift = ctx.rw.add_initializer(*g, *float_tensor(y->name() + "_shift", x->type.dtype, dims, affine->shift));
      Node* mul = ctx.rw.add_node(*g, "Mul", {x, scale}, {y->name() + "_scaled"}, {bn}, "", bn);
      Node* add = ctx.rw.add_node(*g, "Add", {mul->output(0), shift}, {y->name()}, {bn}, "", bn);
      replace_and_remove(ctx.rw, y, add->output(0));
      ctx.stats.add("rewritten");
    }
  }
}

}  // namespace

void register_batchnorm_to_scale(PassRegistry& r) {
  r.add({{"batchnorm-to-scale",
          PassCategory::Fusion,
          "Rewrite inference BatchNormalization as Mul + Add",
          "Each BatchNormalization in inference mode (training_mode 0, per-channel statistics, only "
          "its first output read) with constant scale, bias, mean and variance becomes a Mul and an "
          "Add by per-channel constants of shape [C, 1, ...], computed in double precision and "
          "rounded once to the input type (float32, float16 or float64), for deployment targets "
          "without BatchNormalization. Needs the input's rank; run fuse-conv-batchnorm first to fold "
          "the ones after a Conv instead.",
          {},
          {{"rewritten", "BatchNormalization nodes rewritten"},
           {"skipped", "BatchNormalization nodes left alone: training mode or non-constant parameters"}}},
         run});
}

}  // namespace kiln::passes
