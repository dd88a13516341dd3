#pragma once
// Arithmetic cost of nodes from their (inferred) shapes: multiply-accumulates for the ops built on
// them (Conv, MatMul, Gemm, ...) and floating-point operations for everything, counted as
// FLOPs = 2*MACs + elementwise work. Unknown when a shape it needs is not static.
#include <cstdint>
#include <map>
#include <string>

#include "core/ir/model.h"

namespace kiln {

struct NodeCost {
  int64_t macs = 0;
  int64_t flops = 0;
  bool known = false;  // false: shapes were not static enough to count
};

NodeCost estimate_node_cost(const Node& node);

struct ModelCost {
  struct PerOp {
    int64_t count = 0;
    int64_t macs = 0;
    int64_t flops = 0;
    int64_t unknown = 0;  // nodes of this op whose cost could not be counted
  };
  std::map<std::string, PerOp> by_op;  // key: op type (with "domain::" for non-ONNX domains)
  int64_t total_macs = 0;
  int64_t total_flops = 0;
  int64_t nodes_unknown = 0;
};

// Sums over the main graph and subgraphs (a Loop body is counted once: trip counts are data).
ModelCost estimate_model_cost(const Model& model);

}  // namespace kiln
