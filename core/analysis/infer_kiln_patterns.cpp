// Shape and type rules for the Kiln-domain ops of the patterns passes (core/ir/kiln_pattern_ops.h).
#include "core/analysis/infer_context.h"
#include "core/ir/kiln_domain.h"
#include "core/ir/kiln_pattern_ops.h"

namespace kiln::analysis {

namespace {

// An ai.kiln op that is its ONNX namesake gets the ONNX rule: those read only attributes and
// input types, never the opset, so the Kiln node (opset 1 of its domain) is inferred exactly as
// the ONNX one.
void as_onnx(InferContext& c) {
  if (const OpRule* rule = find_rule("", c.node().op_type)) rule->infer(c);
}

// Silu(X) = X * Sigmoid(X).
void silu(InferContext& c) { copy_input_type(c, 0, 0); }

// SkipLayerNormalization(input, skip, gamma, beta?, bias?) -> (Y, sum?): both outputs have the
// input's type; skip only broadcasts into it.
void skip_layer_norm(InferContext& c) {
  copy_input_type(c, 0, 0);
  if (c.has_output(1)) copy_input_type(c, 0, 1);
}

}  // namespace

void add_kiln_pattern_rules(RuleTable& t) {
  for (const pattern_ops::OnnxNamesake& n : pattern_ops::kOnnxNamesakes) t.add(n.op, 1, as_onnx, kOpsetOpen, kKilnDomain);
  t.add(pattern_ops::kSilu, 1, silu, kOpsetOpen, kKilnDomain);
  t.add(pattern_ops::kSkipLayerNormalization, 1, skip_layer_norm, kOpsetOpen, kKilnDomain);
}

}  // namespace kiln::analysis
