// fuse-silu: x * Sigmoid(x) becomes ai.kiln Silu.
#include "core/ir/kiln_pattern_ops.h"
#include "passes/fusion/patterns/pattern_match.h"
#include "passes/fusion/patterns/pattern_passes.h"

namespace kiln::passes {
namespace {

using namespace patterns;

std::optional<Fusion> match(Node* sigmoid) {
  Value* x = sigmoid->input(0);
  Node* mul = consumer_op(sigmoid->output(0), "Mul");
  if (!x || other_input(mul, sigmoid->output(0)) != x || !keeps_type(x, mul->output(0))) return std::nullopt;
  return Fusion(std::string(pattern_ops::kSilu), {x}, mul, {sigmoid, mul});
}

void run(PassContext& ctx) {
  fuse_patterns(ctx, onnx_ops({"Sigmoid"}), [](Node* n, int64_t) { return match(n); });
}

}  // namespace

void register_fuse_silu(PassRegistry& r) {
  r.add({{"fuse-silu",
          PassCategory::Fusion,
          "Fuse x * Sigmoid(x) into Kiln's Silu",
          "Replaces x * Sigmoid(x) (SiLU, also called Swish) by ai.kiln Silu when allow_kiln_ops is "
          "set; the ONNX opsets Kiln reads have no standard op for it, so without the option the "
          "pass changes nothing. Refuses when the Sigmoid's output has another reader or is a graph "
          "output.",
          {allow_kiln_ops_option()},
          fusion_stats("SiLU patterns"),
          true},
         run});
}

}  // namespace kiln::passes
