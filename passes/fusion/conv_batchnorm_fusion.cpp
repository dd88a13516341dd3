// fuse-conv-batchnorm: an inference BatchNormalization after a Conv or ConvTranspose with
// constant weights becomes part of those weights and bias.
#include "passes/fusion/channel_affine.h"
#include "passes/fusion/fusion_helpers.h"
#include "passes/fusion/fusion_passes.h"
#include "passes/framework/opset_gates.h"

namespace kiln::passes {
namespace {

void run(PassContext& ctx) {
  for (Graph* g : ctx.rw.graphs()) {
    for (NodeId id : node_ids(*g)) {
      Node* bn = g->find_node(id);
      if (!is_onnx_op(bn, "BatchNormalization")) continue;
      Value* mid = bn->input(0);
      Node* conv = mid ? mid->producer() : nullptr;
      if (!is_onnx_op(conv, "Conv") && !is_onnx_op(conv, "ConvTranspose")) continue;
      if (!private_to(ctx.rw, mid, bn, 0) || !replaceable(ctx.rw, bn->output(0))) continue;
      if (!can_emit(ctx.model, conv->op_type)) continue;
      const int64_t channels = foldable_conv_channels(conv);
      if (channels == 0) {
        ctx.stats.add("skipped_weights");
        continue;
      }
      const std::optional<ChannelAffine> affine = inference_batchnorm(bn, ctx.model);
      if (!affine) {
        ctx.stats.add("skipped_batchnorm");
        continue;
      }
      if (static_cast<int64_t>(affine->scale.size()) != channels) continue;
      emit_folded_conv(ctx.rw, conv, *affine, bn->output(0), {conv, bn});
      ctx.stats.add(conv->op_type == "Conv" ? "fused_conv" : "fused_conv_transpose");
    }
  }
}

}  // namespace

void register_fuse_conv_batchnorm(PassRegistry& r) {
  r.add({{"fuse-conv-batchnorm",
          PassCategory::Fusion,
          "Fold inference BatchNormalization into the Conv before it",
          "A BatchNormalization in inference mode (training_mode 0, per-channel statistics, only its "
          "first output read) whose scale, bias, mean and variance are constants, reading the only "
          "output of a Conv or ConvTranspose with constant weights and bias, is folded into that "
          "node: weights are scaled per output channel and the bias shifted, in double precision "
          "rounded once to the weight type (float32, float16 or float64). Refused when the Conv "
          "output has other readers or is a graph output, or a subgraph reads it.",
          {},
          {{"fused_conv", "Conv + BatchNormalization pairs folded"},
           {"fused_conv_transpose", "ConvTranspose + BatchNormalization pairs folded"},
           {"skipped_weights", "pairs left alone: weights or bias not foldable constants"},
           {"skipped_batchnorm", "pairs left alone: BatchNormalization not in foldable inference form"}}},
         run});
}

}  // namespace kiln::passes
