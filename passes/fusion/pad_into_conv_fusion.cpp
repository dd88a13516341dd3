// fuse-pad-into-conv: a zero Pad of the spatial axes in front of a Conv (or an AveragePool that
// counts padding) becomes the consumer's own padding.
#include "passes/fusion/fusion_helpers.h"
#include "passes/fusion/fusion_passes.h"
#include "passes/framework/opset_gates.h"

namespace kiln::passes {
namespace {

// The begin/end pads of every axis of a constant-mode, zero-valued Pad, in Pad's layout
// [begin_0.., end_0..]; nullopt when the Pad is anything else or its parameters are not constant.
std::optional<std::vector<int64_t>> zero_pads(const Node* pad) {
  if (pad->attr_string("mode", "constant") != "constant") return std::nullopt;
  std::vector<int64_t> pads;
  if (pad->num_inputs() >= 2) {
    // Pad-11+: pads, constant_value and (Pad-18+) axes are inputs.
    std::optional<std::vector<int64_t>> p = constant_ints(pad->input(1));
    if (!p) return std::nullopt;
    pads = *p;
    if (const Value* value = pad->input(2)) {
      const Tensor* t = constant_of(value);
      if (!t || t->numel() != 1 || t->to_double() != std::vector<double>{0.0}) return std::nullopt;
    }
    if (const Value* axes_in = pad->input(3)) {
      const int64_t rank = known_rank(pad->input(0));
      std::optional<std::vector<int64_t>> axes = constant_ints(axes_in);
      if (rank < 0 || !axes || pads.size() != 2 * axes->size()) return std::nullopt;
      axes = normalize_axes(*axes, rank);
      if (!axes) return std::nullopt;
      std::vector<int64_t> full(static_cast<size_t>(2 * rank), 0);
      for (size_t i = 0; i < axes->size(); ++i) {
        full[static_cast<size_t>((*axes)[i])] = pads[i];
        full[static_cast<size_t>((*axes)[i] + rank)] = pads[i + axes->size()];
      }
      pads = std::move(full);
    }
  } else {
    // Pad-2: pads and value are attributes.
    const Attribute* a = pad->attr("pads");
    if (!a || pad->attr_float("value", 0.f) != 0.f) return std::nullopt;
    pads = a->ints;
  }
  if (pads.empty() || pads.size() % 2 != 0) return std::nullopt;
  for (int64_t p : pads)
    if (p < 0) return std::nullopt;  // negative pads crop
  return pads;
}

// Whether the consumer can take the padding over: explicit pads (auto_pad NOTSET), and for
// AveragePool, padded zeros counted like the explicit ones (count_include_pad=1) and no
// ceil_mode, whose extra windows treat explicit and implicit padding differently.
bool takes_pads(const Node* n) {
  if (n->attr_string("auto_pad", "NOTSET") != "NOTSET") return false;
  if (n->op_type == "Conv") return true;
  return n->attr_int("count_include_pad", 0) == 1 && n->attr_int("ceil_mode", 0) == 0;
}

void run(PassContext& ctx) {
  for (Graph* g : ctx.rw.graphs()) {
    for (NodeId id : node_ids(*g)) {
      Node* consumer = g->find_node(id);
      if (!is_onnx_op(consumer, "Conv") && !is_onnx_op(consumer, "AveragePool")) continue;
      Value* mid = consumer->input(0);
      Node* pad = mid ? mid->producer() : nullptr;
      if (!is_onnx_op(pad, "Pad") || !private_to(ctx.rw, mid, consumer, 0)) continue;
      if (!takes_pads(consumer) || !replaceable(ctx.rw, consumer->output(0))) continue;
      if (!can_emit(ctx.model, consumer->op_type)) continue;
      const std::optional<std::vector<int64_t>> pads = zero_pads(pad);
      if (!pads) {
        ctx.stats.add("skipped_pad");
        continue;
      }
      const size_t rank = pads->size() / 2;
      if (rank < 3 || (*pads)[0] || (*pads)[1] || (*pads)[rank] || (*pads)[rank + 1]) {
        ctx.stats.add("skipped_pad");
        continue;
      }
      const size_t spatial = rank - 2;
      std::vector<int64_t> merged = consumer->attr_ints("pads", std::vector<int64_t>(2 * spatial, 0));
      if (merged.size() != 2 * spatial) continue;
      for (size_t i = 0; i < spatial; ++i) {
        merged[i] += (*pads)[2 + i];
        merged[spatial + i] += (*pads)[rank + 2 + i];
      }
      std::vector<Value*> inputs = consumer->inputs();
      inputs[0] = pad->input(0);
      Value* out = consumer->output(0);
      Node* n = ctx.rw.add_node(*g, consumer->op_type, inputs, {out->name()}, {pad, consumer}, "", consumer);
      copy_attrs(ctx.rw, consumer, n, {"pads", "auto_pad"});
      ctx.rw.set_attr(n, Attribute::make_ints("pads", merged));
      replace_and_remove(ctx.rw, out, n->output(0));
      ctx.stats.add(consumer->op_type == "Conv" ? "fused_conv" : "fused_average_pool");
    }
  }
}

}  // namespace

void register_fuse_pad_into_conv(PassRegistry& r) {
  r.add({{"fuse-pad-into-conv",
          PassCategory::Fusion,
          "Fold a zero Pad into the padding of the Conv or AveragePool after it",
          "A constant-mode Pad with value 0 and non-negative pads on the spatial axes only (none on "
          "batch and channel), in its Pad-2 (attributes) or Pad-11+ (inputs, axes included) form, "
          "whose output only a Conv reads, is added to that Conv's pads; likewise for an "
          "AveragePool with count_include_pad=1 and ceil_mode=0. The consumer must use explicit "
          "pads (auto_pad NOTSET).",
          {},
          {{"fused_conv", "Pads folded into Conv"},
           {"fused_average_pool", "Pads folded into AveragePool"},
           {"skipped_pad", "Pad nodes left alone: not zero-valued constant padding of spatial axes"}}},
         run});
}

}  // namespace kiln::passes
