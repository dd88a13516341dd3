// fuse-hardsigmoid: Clip(alpha * x + beta, 0, 1) and Clip(x + 3, 0, 6) / 6 become HardSigmoid.
#include "passes/fusion/patterns/pattern_match.h"
#include "passes/fusion/patterns/pattern_passes.h"

namespace kiln::passes {
namespace {

using namespace patterns;

Fusion hard_sigmoid(Value* x, double alpha, double beta, Node* last, std::vector<const Node*> nodes) {
  return Fusion("HardSigmoid", {x}, last, std::move(nodes),
                {Attribute::make_float("alpha", static_cast<float>(alpha)),
                 Attribute::make_float("beta", static_cast<float>(beta))});
}

// Clip(x * alpha + beta, 0, 1), the scaling also as x / d (alpha = 1/d): Keras' hard_sigmoid
// (0.2, 0.5) and x / 6 + 0.5 alike, as HardSigmoid holds any slope and offset.
std::optional<Fusion> match_unit_clip(Node* clip) {
  Node* add = producer_op(clip->input(0), "Add");
  if (!add || sole_consumer(add->output(0)) != clip) return std::nullopt;
  const std::optional<ScalarOperand> offset = operand_beside_scalar(add);
  if (!offset) return std::nullopt;
  Node* scale = offset->operand->producer();
  if (!(is_op(scale, "Mul") || is_op(scale, "Div")) || sole_consumer(scale->output(0)) != add) return std::nullopt;
  const std::optional<ScalarOperand> factor = operand_beside_scalar(scale);
  if (!factor || factor->value == 0) return std::nullopt;
  const double alpha = is_op(scale, "Div") ? 1.0 / factor->value : factor->value;
  Value* x = factor->operand;
  if (!keeps_type(x, clip->output(0))) return std::nullopt;
  return hard_sigmoid(x, alpha, offset->value, clip, {scale, add, clip});
}

// Clip(x + 3, 0, 6) / 6 (Relu6 is Clip(0, 6)), "/ 6" also as "* (1/6)".
std::optional<Fusion> match_relu6_clip(Node* clip) {
  Node* add = producer_op(clip->input(0), "Add");
  if (!add || sole_consumer(add->output(0)) != clip) return std::nullopt;
  Value* x = operand_beside(add, 3);
  Node* div = sole_consumer(clip->output(0));
  if (!x || divided_by(div, 6) != clip->output(0) || !keeps_type(x, div->output(0))) return std::nullopt;
  return hard_sigmoid(x, 1.0 / 6, 0.5, div, {add, clip, div});
}

void run(PassContext& ctx) {
  fuse_patterns(ctx, onnx_ops({"Clip"}), [](Node* clip, int64_t opset) -> std::optional<Fusion> {
    if (clip_bounds_are(clip, opset, 0, 1)) return match_unit_clip(clip);
    if (clip_bounds_are(clip, opset, 0, 6)) return match_relu6_clip(clip);
    return std::nullopt;
  });
}

}  // namespace

void register_fuse_hardsigmoid(PassRegistry& r) {
  r.add({{"fuse-hardsigmoid",
          PassCategory::Fusion,
          "Fuse Clip(alpha * x + beta, 0, 1) and Clip(x + 3, 0, 6) / 6 into HardSigmoid",
          "Replaces Clip(x * alpha + beta, 0, 1) (the scaling also as x / d) by HardSigmoid(alpha, "
          "beta), and Clip(x + 3, 0, 6) / 6 (Relu6 written as Clip(0, 6); the division also as a "
          "product with 1/6) by HardSigmoid(1/6, 1/2); operands in either order, Clip bounds as "
          "attributes or inputs. Run it after fuse-hardswish, whose pattern contains the second "
          "form. Refuses when an intermediate value has another reader or is a graph output, a "
          "constant differs, or the pattern is not on a float tensor of known rank.",
          {},
          fusion_stats("HardSigmoid patterns")},
         run});
}

}  // namespace kiln::passes
