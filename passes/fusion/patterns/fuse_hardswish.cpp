// fuse-hardswish: x * Clip(x + 3, 0, 6) / 6 and x * HardSigmoid(x; 1/6, 1/2) become HardSwish.
#include "passes/fusion/patterns/pattern_match.h"
#include "passes/fusion/patterns/pattern_passes.h"

namespace kiln::passes {
namespace {

using namespace patterns;

// x * Clip(x + 3, 0, 6) / 6 as exporters write it (Relu6 is Clip(0, 6)): the product divided by
// 6, or x times the Clip divided by 6; "/ 6" also as "* (1/6)", Adds and Muls in either order.
std::optional<Fusion> match_clip(Node* clip, int64_t opset) {
  if (!clip_bounds_are(clip, opset, 0, 6)) return std::nullopt;
  Node* add = producer_op(clip->input(0), "Add");
  if (!add || sole_consumer(add->output(0)) != clip) return std::nullopt;
  Value* x = operand_beside(add, 3);
  Value* c = clip->output(0);
  Node* next = sole_consumer(c);
  if (!x || !next) return std::nullopt;
  Node* last = nullptr;
  if (is_op(next, "Mul") && other_input(next, c) == x) {
    last = sole_consumer(next->output(0));
    if (divided_by(last, 6) != next->output(0)) return std::nullopt;
  } else if (divided_by(next, 6) == c) {
    last = consumer_op(next->output(0), "Mul");
    if (other_input(last, next->output(0)) != x) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!keeps_type(x, last->output(0))) return std::nullopt;
  return Fusion("HardSwish", {x}, last, {add, clip, next, last});
}

// x * HardSigmoid(x) with HardSwish's slope and offset.
std::optional<Fusion> match_hardsigmoid(Node* hs) {
  if (!close_to(hs->attr_float("alpha", 0.2f), 1.0 / 6, DataType::Float32) ||
      !close_to(hs->attr_float("beta", 0.5f), 0.5, DataType::Float32))
    return std::nullopt;
  Value* x = hs->input(0);
  Node* mul = consumer_op(hs->output(0), "Mul");
  if (!x || other_input(mul, hs->output(0)) != x || !keeps_type(x, mul->output(0))) return std::nullopt;
  return Fusion("HardSwish", {x}, mul, {hs, mul});
}

void run(PassContext& ctx) {
  fuse_patterns(ctx, onnx_ops({"Clip", "HardSigmoid"}), [](Node* n, int64_t opset) {
    return is_op(n, "Clip") ? match_clip(n, opset) : match_hardsigmoid(n);
  });
}

}  // namespace

void register_fuse_hardswish(PassRegistry& r) {
  r.add({{"fuse-hardswish",
          PassCategory::Fusion,
          "Fuse x * Clip(x + 3, 0, 6) / 6 into HardSwish",
          "Replaces x * Clip(x + 3, 0, 6) / 6 (Relu6 written as Clip(0, 6); the division also as a "
          "product with 1/6, before or after the product with x; operands in either order; Clip "
          "bounds as attributes or inputs) and x * HardSigmoid(x; alpha=1/6, beta=1/2) by "
          "HardSwish (opset 14), or by ai.kiln HardSwish on older opsets when allow_kiln_ops is "
          "set. Refuses when an intermediate value has another reader or is a graph output, a "
          "constant differs, or the pattern is not on a float tensor of known rank.",
          {allow_kiln_ops_option()},
          fusion_stats("HardSwish patterns"),
          true},
         run});
}

}  // namespace kiln::passes
