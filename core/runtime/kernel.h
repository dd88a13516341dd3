#pragma once
// How ONNX nodes bind to compute. A KernelDef says which op (domain, type, opset range) a kernel
// handles; its factory reads the node's attributes once, at compile time, into an OpKernel whose
// compute() runs on concrete tensors. The math itself lives in kernels/ (pure functions over raw
// buffers); this layer resolves attributes, broadcasting and dtypes.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/ir/graph.h"
#include "core/runtime/rt_tensor.h"

namespace kiln {

enum class Backend { Ref, Cpu, Cuda };

class KernelContext {
 public:
  virtual ~KernelContext() = default;
  virtual size_t input_count() const = 0;
  // nullptr for an omitted optional input.
  virtual const RtTensor* input(size_t i) const = 0;
  virtual size_t output_count() const = 0;
  // Allocates output i (from the memory plan when the shape matches it, else from the heap).
  virtual RtTensor& output(size_t i, DataType dtype, std::vector<int64_t> shape) = 0;
  // Whether output i is consumed at all (an omitted optional output is not).
  virtual bool output_wanted(size_t i) const = 0;
  virtual int threads() const = 0;
  // Runs a subgraph of this node (If/Loop/Scan bodies) with the given inputs; values the body
  // captures from enclosing scopes are resolved by the session.
  virtual std::vector<RtTensor> run_subgraph(const Graph& body, const std::vector<RtTensor>& inputs) = 0;
};

class OpKernel {
 public:
  virtual ~OpKernel() = default;
  virtual void compute(KernelContext& ctx) = 0;
};

// What a factory may read while building a kernel. The node is valid only during the call: a
// kernel copies what it needs (attributes, the label for messages) and never keeps the reference,
// because passes rewrite and delete nodes while compiled sessions live on.
struct KernelInit {
  const Node& node;
  int64_t opset;  // of the node's domain in the model
  Backend backend;
};

struct KernelDef {
  std::string domain;  // "" for ONNX
  std::string op_type;
  int64_t since = 1;      // first opset version handled
  int64_t until = 1000;   // last opset version handled
  Backend backend = Backend::Ref;
  // Throws kiln::Error naming the node and the reason for attributes it cannot handle, or
  // kiln::Unsupported for a valid mode the kernel does not implement.
  std::function<std::unique_ptr<OpKernel>(const KernelInit&)> create;
};

class KernelRegistry {
 public:
  // All kernels Kiln has, registered explicitly (no static initialisers: they vanish from
  // static libraries).
  static const KernelRegistry& global();

  void add(KernelDef def);
  // The kernel for a node on a backend (falling back to Ref); nullptr when there is none.
  const KernelDef* find(std::string_view domain, std::string_view op_type, int64_t opset,
                        Backend backend) const;

 private:
  std::vector<KernelDef> defs_;
};

// One function per kernel family, each in its own file under core/runtime/bind/, called by
// KernelRegistry::global().
void register_elementwise_kernels(KernelRegistry& r);  // bind/elementwise.cpp: math, logic, activations, Cast, Where
void register_reduce_kernels(KernelRegistry& r);       // bind/reduce.cpp: Reduce*, Softmax family, ArgMax/Min, TopK, CumSum
void register_nn_kernels(KernelRegistry& r);           // bind/nn.cpp: Conv, MatMul, Gemm, Einsum, norms, pooling, Resize, RNNs
void register_tensor_kernels(KernelRegistry& r);       // bind/tensor.cpp: shape/layout/indexing ops, constants
void register_quant_kernels(KernelRegistry& r);        // bind/quant.cpp: Quantize/Dequantize, QLinear*, *Integer
void register_control_flow_kernels(KernelRegistry& r); // bind/control_flow.cpp: If, Loop, Scan
void register_loss_kernels(KernelRegistry& r);         // bind/loss.cpp: NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss
// Kiln-domain ops (core/ir/kiln_domain.h), by the passes that emit them.
void register_kiln_pattern_kernels(KernelRegistry& r);   // bind/kiln_patterns.cpp: activations, norms
void register_kiln_epilogue_kernels(KernelRegistry& r);  // bind/kiln_epilogue.cpp: fused Conv/Gemm/MatMul, attention
void register_kiln_layout_kernels(KernelRegistry& r);    // bind/kiln_layout.cpp: channels-last ops
// Backend::Cpu: the optimized kernels (kernels/cpu/dispatch.h) for the hot ops, each falling
// back to its Ref kernel for what it does not cover.
void register_cpu_kernels(KernelRegistry& r);  // bind/cpu_common.cpp, bind/cpu_*.cpp

}  // namespace kiln
