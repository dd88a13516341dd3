#pragma once
// The one table of opset gates for what passes emit: a pass may only produce a standard ONNX op
// when the model imports an ONNX opset at or above the version where that op (with the semantics
// the pass relies on) appeared. Kiln-domain ops are always allowed in the "kiln" target, and
// adding one imports the domain.
#include <string_view>

#include "core/ir/model.h"

namespace kiln::passes {

// The first ONNX opset with `op` as passes use it; -1 when the table does not know the op.
int64_t first_opset(std::string_view op);
// Whether `op` (default ONNX domain) may be emitted into `model`.
bool can_emit(const Model& model, std::string_view op);
// Adds the ai.kiln opset import when missing.
void import_kiln_domain(Model& model);

}  // namespace kiln::passes
