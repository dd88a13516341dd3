#pragma once
// Which operators Kiln knows: the single table that inspect, shape inference and (later) the
// runtime's kernel registry consult. An op is "supported" when Kiln has its semantics (shape
// inference now; a reference kernel once the runtime lands) for the opset in use.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/ir/model.h"

namespace kiln {

struct UnsupportedOp {
  std::string domain;
  std::string op_type;
  int64_t count = 0;
  std::string reason;  // "custom domain", "no Kiln implementation", ...
};

bool op_is_supported(std::string_view domain, std::string_view op_type, int64_t opset);
// Ops in the model (subgraphs included) Kiln cannot yet run, sorted by domain then op.
std::vector<UnsupportedOp> unsupported_ops(const Model& model);

}  // namespace kiln
