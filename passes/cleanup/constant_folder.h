#pragma once
// Computing nodes on constant inputs at optimisation time, shared by fold-constants and
// fold-shape-chains: results are kept in a side table while a graph is swept in order (so a
// chain folds in one sweep without intermediate initializers), then what unfolded nodes read
// becomes initializers and the folded nodes go.
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/ir/model.h"
#include "passes/cleanup/captured_names.h"
#include "passes/framework/pass.h"

namespace kiln::passes {

using TensorPtr = std::shared_ptr<const Tensor>;

// The data of v when the model fixes it: an initializer that is not an overridable graph input,
// or the output of an ONNX Constant node (whichever value attribute it uses); null otherwise.
TensorPtr constant_tensor(const Value* v);

class ConstantFolder {
 public:
  // Statistics bumped: "too_large" and "not_evaluated" (both must be declared by the pass).
  ConstantFolder(PassContext& ctx, Graph& g, int64_t max_bytes);

  // Data of v: a result folded by this folder or constant_tensor(v); null when not known.
  TensorPtr known(const Value* v) const;
  // Whether n's results may replace its outputs: an ONNX op (or one with a reference kernel)
  // that holds no subgraph, is not random, and whose outputs are tensors that are neither graph
  // outputs nor read by a subgraph by name.
  bool may_fold(const Node& n) const;
  // may_fold, and every input known.
  bool ready(const Node& n) const;
  // Computes a ready node on the reference kernels; false when it is refused. Results larger
  // than max_bytes and than all its inputs together are refused, before computing when
  // inference knows their size.
  bool fold(const Node& n);
  // Records results found another way (from inferred shapes) for a node that may_fold.
  void set_results(const Node& n, std::vector<TensorPtr> results);

  // Each folded output still read by a node that did not fold becomes an initializer; then the
  // folded nodes are removed, with whatever only they kept alive. Returns initializers added.
  int64_t materialize();

 private:
  PassContext& ctx_;
  Graph& g_;
  const CapturedNames captured_;
  const int64_t max_bytes_;
  int64_t onnx_opset_;
  std::unordered_map<const Value*, TensorPtr> results_;
  std::vector<NodeId> folded_;
};

}  // namespace kiln::passes
