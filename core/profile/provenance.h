#pragma once
// Whether a model's provenance ids name the nodes of a given original. Provenance made in this
// process always does; a file written by Kiln carries it too (core/onnx's kiln.provenance
// metadata), but only relative to the original it was optimized from, so before using it against
// a --against model, Kiln checks that the ids land on plausible nodes instead of trusting them.
#include "core/ir/model.h"

namespace kiln::profile {

// Every provenance id of `model` is a node of `original`, and nodes that came from one original
// node mostly (90%) share its op type or name. False for a model that is not rewritten.
bool provenance_fits(const Model& model, const Model& original);

}  // namespace kiln::profile
