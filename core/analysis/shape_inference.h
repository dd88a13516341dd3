#pragma once
// Kiln's own shape and type inference for the ops it supports, with symbolic dims
// (e.g. "batch", or fresh "unk__N" symbols where an op creates a new dynamic dim).
// Types already declared in the model are kept unless inference finds a more precise one that
// agrees with them; a contradiction is reported as a warning, never a crash.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/ir/model.h"

namespace kiln {

struct InferenceOptions {
  // Concrete or symbolic shapes for graph inputs, overriding the declared ones.
  std::map<std::string, Shape> input_shapes;
};

struct InferenceReport {
  size_t values_inferred = 0;               // values whose type inference set or refined
  std::set<std::string> ops_not_inferred;   // "domain::Op" or "Op" without an inference rule
  std::vector<std::string> warnings;        // one line each
};

InferenceReport infer_shapes(Model& model, const InferenceOptions& options = {});

}  // namespace kiln
