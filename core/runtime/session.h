#pragma once
// Runs a model on the reference (or an optimized) backend. Construction compiles: input shapes are
// bound, shapes inferred, a kernel chosen and created for every node (an unsupported op fails here,
// before anything runs) and, when every intermediate shape is static, a memory plan is laid out.
// run() validates the inputs, executes nodes in order, frees each intermediate after its last use
// and returns the graph outputs in order. If/Loop/Scan bodies run through the same machinery,
// compiled on first use and cached.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/ir/model.h"
#include "core/runtime/kernel.h"
#include "core/runtime/memory_plan.h"
#include "core/runtime/rt_tensor.h"

namespace kiln {

struct SessionOptions {
  Backend backend = Backend::Ref;
  int threads = 1;
  // Concrete shapes for graph inputs whose declared shapes have unknown or symbolic dims.
  std::map<std::string, std::vector<int64_t>> input_shapes;
};

class Session {
 public:
  Session(const Model& model, SessionOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Inputs by graph input name; inputs that have an initializer may be omitted (it is their
  // default). Throws kiln::Error naming the input when one is missing or does not fit.
  // One run at a time per Session: runs share the activation arena.
  std::vector<RtTensor> run(const std::map<std::string, RtTensor>& inputs);

  const std::vector<std::string>& output_names() const { return output_names_; }
  const std::vector<std::string>& input_names() const { return input_names_; }
  // The compiled model (inputs bound, shapes inferred).
  const Model& model() const { return model_; }
  // nullptr when some intermediate shape is dynamic (those runs allocate from the heap).
  const MemoryPlan* plan() const { return plan_ ? &*plan_ : nullptr; }
  // Called with start = true before and false after each node runs (subgraph nodes included).
  void set_observer(std::function<void(const Node&, bool start)> observer) { observer_ = std::move(observer); }

  struct CompiledGraph;
  class Context;
  struct Frame;

 private:
  CompiledGraph& compiled(const Graph& g);
  std::vector<RtTensor> execute(CompiledGraph& cg, std::vector<RtTensor> inputs, Frame* parent,
                                bool use_plan);

  Model model_;
  SessionOptions options_;
  std::vector<std::string> input_names_;
  std::vector<std::string> output_names_;
  std::unordered_map<const Graph*, std::unique_ptr<CompiledGraph>> graphs_;
  std::optional<MemoryPlan> plan_;
  std::shared_ptr<uint8_t> arena_;
  std::function<void(const Node&, bool)> observer_;
};

}  // namespace kiln
