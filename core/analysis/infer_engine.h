#pragma once
// Internal to core/analysis: the state of one infer_shapes() run, behind InferContext.
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/analysis/infer_context.h"
#include "core/analysis/shape_inference.h"

namespace kiln::analysis {

// Merges an inferred type into a declared one; false when they contradict (out = declared then).
bool merge_types(const ValueType& declared, const ValueType& inferred, ValueType& out);

class Engine {
 public:
  Engine(Model& model, const InferenceOptions& options, InferenceReport& report);
  void run();

  // Sets or refines a value's type (the declared type wins a contradiction, with a warning).
  void apply(Value* v, const ValueType& inferred);
  const Tensor* constant_of(const Value* v) const;
  const KnownInts* ints_of(const Value* v);
  void set_ints(const Value* v, KnownInts k);
  void set_constant(const Value* v, std::shared_ptr<const Tensor> t);
  std::vector<ValueType> infer_subgraph(Graph& g, const std::vector<ValueType>& input_types);
  Dim fresh();
  void warn(std::string msg);
  void warn_node(const Node& n, std::string_view msg);

 private:
  void infer_body(Graph& g);
  void infer_node(Node& n);
  // A capture stands for the outer value of the same name.
  const Value* resolve(const Value* v) const;
  int64_t opset_for(const std::string& domain);

  Model& model_;
  const InferenceOptions& options_;
  InferenceReport& report_;
  int64_t onnx_opset_ = kNewestOnnxOpset;
  std::vector<std::pair<std::string, int64_t>> other_opsets_;
  std::vector<Graph*> scopes_;  // enclosing graphs, innermost last
  Node* current_ = nullptr;
  std::unordered_map<const Value*, KnownInts> ints_;
  std::unordered_map<const Value*, std::shared_ptr<const Tensor>> consts_;
  std::unordered_map<const Value*, const Value*> alias_;
  std::unordered_set<const Value*> changed_;
  std::unordered_set<std::string> symbols_in_use_;
  int64_t next_symbol_ = 0;
};

}  // namespace kiln::analysis
