#pragma once
// The only way a pass changes a model. Every mutation goes through here and is recorded, so the
// pass manager knows honestly whether a step changed anything and can show what it changed.
// Undo is a snapshot of the model before the step (Model::clone shares weight buffers, so a
// snapshot of a large model costs kilobytes); the log is the diff shown to the user.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/ir/model.h"
#include "core/util/json.h"

namespace kiln::passes {

struct Change {
  enum class Kind { AddNode, RemoveNode, Rewire, SetAttr, AddValue, RemoveValue, Move };
  Kind kind;
  NodeId node = 0;      // AddNode, RemoveNode, Rewire, SetAttr, Move
  std::string op;       // the node's op type, or the value's name
  std::string detail;   // which input / attribute
};

struct ChangeLog {
  std::vector<Change> changes;
  size_t nodes_added = 0, nodes_removed = 0, nodes_modified = 0;
  bool empty() const { return changes.empty(); }
  Json to_json(size_t max_entries = 200) const;
};

class Rewriter {
 public:
  explicit Rewriter(Model& m) : model_(m) {}

  Model& model() { return model_; }
  // The main graph and every subgraph (If/Loop/Scan bodies), outer graphs first.
  std::vector<Graph*> graphs() const;

  // A new node whose provenance is the union of `from`'s (an empty `from` gives it its own id).
  // Output names are hints, made unique in the graph. Inserted before `before`, or at the end.
  Node* add_node(Graph& g, std::string op_type, const std::vector<Value*>& inputs,
                 const std::vector<std::string>& output_names, const std::vector<const Node*>& from,
                 std::string domain = "", Node* before = nullptr);
  // A new initializer; its name (t->name as a hint) is made unique.
  Value* add_initializer(Graph& g, const Tensor& t);

  void set_input(Node* n, size_t i, Value* v);
  void set_attr(Node* n, Attribute a);
  void remove_attr(Node* n, const std::string& name);
  void move_before(Node* n, Node* pos);

  // Whether replace_uses(from, to) keeps the model's interface: a graph output can only be
  // taken over by a value a node of the same graph produces and that is not itself an output.
  static bool can_replace(const Value* from, const Value* to);
  // Every use of `from` becomes a use of `to`. When `from` is a graph output, `to` takes over its
  // name and declared type, so users of the model see the same outputs. Requires can_replace.
  void replace_uses(Value* from, Value* to);

  // Removes a node whose outputs are unused, then whatever only it kept alive: producers of its
  // inputs left without uses (transitively) and initializers left without uses. Values a
  // subgraph reads by name (captures) count as used.
  void remove_node(Node* n);
  // Whether a subgraph nested under v's graph reads v by name. Subgraphs reach outer values by
  // name, not through use-lists, so such a value looks unused from its own graph.
  bool is_captured(const Value* v);
  // Removes a value nothing produces or uses (an orphaned initializer).
  void remove_value(Value* v);

  bool changed() const { return !log_.empty(); }
  const ChangeLog& log() const { return log_; }
  // Marks a graph-level change that has no node (an output renamed, a type refined).
  void note(Change c) { record(std::move(c)); }

 private:
  void record(Change c);
  void remove_one(Node* n, std::vector<Value*>& freed);
  Model& model_;
  ChangeLog log_;
  std::unordered_map<const Graph*, std::unordered_set<std::string>> captured_;
  // graphs(), walked once and kept until the next change: every pass asks for it, and on a
  // large model the walk costs as much as the pass.
  mutable std::vector<Graph*> graphs_;
};

// Small queries every pass needs, kept here so the preconditions read the same everywhere.
// The single node consuming v, or nullptr (none, several, or v is a graph output).
Node* sole_consumer(const Value* v);
// The constant tensor of v (an initializer that is not an overridable graph input, or the output
// of a Constant node with a `value` attribute), or nullptr.
const Tensor* constant_of(const Value* v);
// Constant float32/float64/float16 data as doubles; empty when v is not such a constant.
std::vector<double> constant_values(const Value* v);

}  // namespace kiln::passes
