#include "core/runtime/evaluate.h"

#include <limits>
#include <memory>
#include <string>

#include "core/runtime/kernel.h"

namespace kiln {
namespace {

std::string label(const Node& n) {
  std::string s = n.is_onnx_domain() ? n.op_type : n.domain + "::" + n.op_type;
  if (!n.name.empty()) s += " '" + n.name + "'";
  return s;
}

// Bytes a tensor of this type and shape takes; strings count one pointer-sized slot per element
// (their characters are not known before the kernel writes them). Max on overflow.
size_t planned_bytes(DataType dt, const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d != 0 && n > std::numeric_limits<int64_t>::max() / d)) return std::numeric_limits<size_t>::max();
    n *= d;
  }
  const int64_t b = dt == DataType::String ? (n > std::numeric_limits<int64_t>::max() / 8 ? -1 : n * 8)
                                           : dtype_storage_bytes(dt, n);
  return b < 0 ? std::numeric_limits<size_t>::max() : static_cast<size_t>(b);
}

// The context of a single kernel call: outputs are allocated on the heap, within the limit.
class EvalContext : public KernelContext {
 public:
  EvalContext(const Node& node, const std::vector<const RtTensor*>& inputs, size_t max_bytes)
      : node_(node), inputs_(inputs), outputs_(node.num_outputs()), max_bytes_(max_bytes) {}

  size_t input_count() const override { return inputs_.size(); }
  const RtTensor* input(size_t i) const override { return i < inputs_.size() ? inputs_[i] : nullptr; }
  size_t output_count() const override { return outputs_.size(); }
  RtTensor& output(size_t i, DataType dtype, std::vector<int64_t> shape) override {
    if (i >= outputs_.size()) fail(label(node_), ": kernel wrote output ", std::to_string(i), " the node does not have");
    const size_t bytes = planned_bytes(dtype, shape);
    if (bytes > max_bytes_)
      throw OutputTooLarge(label(node_) + ": output " + std::to_string(i) + " would take " +
                           (bytes == std::numeric_limits<size_t>::max() ? std::string("too many") : std::to_string(bytes)) +
                           " bytes, over the limit of " + std::to_string(max_bytes_));
    outputs_[i] = RtTensor::allocate(dtype, std::move(shape));
    return outputs_[i];
  }
  bool output_wanted(size_t i) const override { return node_.output(i) != nullptr; }
  int threads() const override { return 1; }
  std::vector<RtTensor> run_subgraph(const Graph&, const std::vector<RtTensor>&) override {
    fail_unsupported(label(node_), ": nodes with subgraphs are not evaluated one at a time");
  }
  std::vector<RtTensor> take_outputs() { return std::move(outputs_); }

 private:
  const Node& node_;
  const std::vector<const RtTensor*>& inputs_;
  std::vector<RtTensor> outputs_;
  size_t max_bytes_;
};

}  // namespace

bool can_evaluate(const Node& node, int64_t opset) {
  return KernelRegistry::global().find(node.domain, node.op_type, opset, Backend::Ref) != nullptr;
}

std::vector<RtTensor> evaluate_node(const Node& node, int64_t opset, const std::vector<const RtTensor*>& inputs,
                                    size_t max_output_bytes) {
  if (!node.subgraphs().empty()) fail_unsupported(label(node), ": nodes with subgraphs are not evaluated one at a time");
  const KernelDef* def = KernelRegistry::global().find(node.domain, node.op_type, opset, Backend::Ref);
  if (!def) fail_unsupported(label(node), ": no reference kernel at opset ", std::to_string(opset));
  std::unique_ptr<OpKernel> kernel = def->create(KernelInit{node, opset, Backend::Ref});
  EvalContext ctx(node, inputs, max_output_bytes);
  kernel->compute(ctx);
  std::vector<RtTensor> out = ctx.take_outputs();
  for (size_t i = 0; i < out.size(); ++i)
    if (node.output(i) && out[i].empty()) fail(label(node), ": kernel did not produce output ", std::to_string(i));
  return out;
}

}  // namespace kiln
