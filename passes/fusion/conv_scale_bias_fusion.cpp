// fuse-conv-scale-bias: a Mul or Add by a per-output-channel constant after a Conv folds into the
// Conv's weights and bias.
#include "passes/fusion/channel_affine.h"
#include "passes/fusion/fusion_helpers.h"
#include "passes/fusion/fusion_passes.h"
#include "passes/framework/opset_gates.h"

namespace kiln::passes {
namespace {

// The values of constant `c` per output channel when, broadcast against a Conv output
// [N, channels, spatial...] of rank `rank`, it varies along the channel axis at most and leaves
// the output's shape as it is; empty otherwise.
std::vector<double> per_channel(const Value* c, DataType dtype, size_t rank, int64_t channels) {
  const Tensor* t = constant_of(c);
  if (!t || t->dtype != dtype || t->dims.size() > rank) return {};
  // Right-aligned broadcasting: tensor axis i lines up with output axis i + offset.
  const size_t offset = rank - t->dims.size();
  for (size_t i = 0; i < t->dims.size(); ++i) {
    const bool channel_axis = i + offset == 1;
    if (t->dims[i] != 1 && !(channel_axis && t->dims[i] == channels)) return {};
  }
  std::vector<double> v = t->to_double();
  if (v.size() == 1) v.assign(static_cast<size_t>(channels), v[0]);
  if (static_cast<int64_t>(v.size()) != channels) return {};
  return v;
}

void run(PassContext& ctx) {
  for (Graph* g : ctx.rw.graphs()) {
    for (NodeId id : node_ids(*g)) {
      Node* n = g->find_node(id);
      const bool mul = is_onnx_op(n, "Mul");
      if (!mul && !is_onnx_op(n, "Add")) continue;
      if (n->num_inputs() != 2 || !replaceable(ctx.rw, n->output(0))) continue;
      for (size_t side = 0; side < 2; ++side) {
        Value* mid = n->input(side);
        Node* conv = mid ? mid->producer() : nullptr;
        if (!is_onnx_op(conv, "Conv") && !is_onnx_op(conv, "ConvTranspose")) continue;
        if (!private_to(ctx.rw, mid, n, side) || !can_emit(ctx.model, conv->op_type)) continue;
        const int64_t channels = foldable_conv_channels(conv);
        if (channels == 0) continue;
        const Tensor& w = *constant_of(conv->input(1));
        std::vector<double> v = per_channel(n->input(1 - side), w.dtype, w.dims.size(), channels);
        if (v.empty()) continue;
        ChannelAffine affine;
        affine.scale = mul ? v : std::vector<double>(v.size(), 1.0);
        affine.shift = mul ? std::vector<double>(v.size(), 0.0) : v;
        emit_folded_conv(ctx.rw, conv, affine, n->output(0), {conv, n});
        ctx.stats.add(mul ? "scales_folded" : "biases_folded");
        break;
      }
    }
  }
}

}  // namespace

void register_fuse_conv_scale_bias(PassRegistry& r) {
  r.add({{"fuse-conv-scale-bias",
          PassCategory::Fusion,
          "Fold per-channel Mul and Add after a Conv into its weights and bias",
          "A Mul by a constant that varies only along the output channels (shape [C,1,1], "
          "[1,C,1,1], [1] or a scalar) after a Conv or ConvTranspose with constant weights scales "
          "the weights and bias; an Add of such a constant is added to the bias, which is created "
          "when absent. Chains (Conv, Mul, Add) fold in one run. Refused when the Conv output has "
          "other readers or is a graph output, when the constant would broadcast the output to a "
          "larger shape, or when its type differs from the weights'.",
          {},
          {{"scales_folded", "Mul nodes folded into Conv weights"},
           {"biases_folded", "Add nodes folded into Conv bias"}}},
         run});
}

}  // namespace kiln::passes
