#pragma once
// Runs one node's reference kernel on given tensors, outside a Session: how constant folding
// computes a node whose inputs are all known.
#include <cstdint>
#include <limits>
#include <vector>

#include "core/ir/graph.h"
#include "core/runtime/rt_tensor.h"
#include "core/util/error.h"

namespace kiln {

// Thrown when an output would exceed evaluate_node's byte limit; raised at allocation, before
// the kernel computes anything.
class OutputTooLarge : public Error {
 public:
  using Error::Error;
};

// Whether the registry has a kernel for `node` at `opset` (of the node's domain).
bool can_evaluate(const Node& node, int64_t opset);

// The outputs of `node` on `inputs` (one per input slot; nullptr for an omitted optional input),
// computed by its reference kernel. An omitted output (nullptr in node.outputs()) comes back as
// an empty RtTensor. Throws kiln::Unsupported when there is no kernel, OutputTooLarge when an
// output would take more than `max_output_bytes`, and kiln::Error when the kernel refuses the
// node or its inputs. Nodes with subgraphs cannot be evaluated.
std::vector<RtTensor> evaluate_node(const Node& node, int64_t opset, const std::vector<const RtTensor*>& inputs,
                                    size_t max_output_bytes = std::numeric_limits<size_t>::max());

}  // namespace kiln
