#pragma once
// The graph IR. A Graph owns Values and Nodes; every Value has at most one producer and a list of
// uses, and the mutation API below is the only way to change those links, so they stay consistent
// (verify() checks that they are). Node ids are stable for the life of a model, survive clone(),
// and are what provenance records.
//
// Subgraphs (If/Loop/Scan bodies) are Graphs held by a node attribute. A name a subgraph reads
// from an enclosing scope is a "capture" Value inside the subgraph, resolved by name, so each graph
// is self-contained and can be cloned or edited on its own.
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/ir/attribute.h"
#include "core/ir/tensor.h"
#include "core/ir/type.h"

namespace kiln {

class Graph;
class Node;

using NodeId = uint64_t;

struct Use {
  Node* node = nullptr;
  size_t index = 0;  // input slot of node
  bool operator==(const Use& o) const { return node == o.node && index == o.index; }
};

class Value {
 public:
  const std::string& name() const { return name_; }
  Graph* graph() const { return graph_; }

  Node* producer() const { return producer_; }
  size_t producer_index() const { return producer_index_; }
  const std::vector<Use>& uses() const { return uses_; }
  bool has_uses() const { return !uses_.empty(); }

  bool is_graph_input() const { return graph_input_; }
  bool is_graph_output() const { return output_refs_ > 0; }
  bool is_capture() const { return capture_; }
  bool is_initializer() const { return static_cast<bool>(initializer_); }
  const std::shared_ptr<const Tensor>& initializer() const { return initializer_; }
  // Constant data known for this value: an initializer that is not an overridable graph input.
  const Tensor* constant() const { return graph_input_ ? nullptr : initializer_.get(); }

  ValueType type;
  std::string doc_string;
  bool has_value_info = false;  // type was declared in the model (value_info / input / output)
  std::string unknown_fields;

 private:
  friend class Graph;
  friend class Node;
  std::string name_;
  Graph* graph_ = nullptr;
  Node* producer_ = nullptr;
  size_t producer_index_ = 0;
  std::vector<Use> uses_;
  std::shared_ptr<const Tensor> initializer_;
  bool graph_input_ = false;
  bool capture_ = false;
  int output_refs_ = 0;
  size_t init_pos_ = 0;  // index in the graph's initializer order
  // Scratch for whole-graph walks (verify, sort): a walk stamps the values it has seen with its
  // own mark, so it needs no hash set per call. Never carries meaning between calls.
  mutable uint64_t mark_ = 0;
  std::list<std::unique_ptr<Value>>::iterator self_;
};

class Node {
 public:
  NodeId id() const { return id_; }
  Graph* graph() const { return graph_; }

  const std::vector<Value*>& inputs() const { return inputs_; }
  const std::vector<Value*>& outputs() const { return outputs_; }
  // nullptr for an omitted optional input/output or an index past the end.
  Value* input(size_t i) const { return i < inputs_.size() ? inputs_[i] : nullptr; }
  Value* output(size_t i) const { return i < outputs_.size() ? outputs_[i] : nullptr; }
  size_t num_inputs() const { return inputs_.size(); }
  size_t num_outputs() const { return outputs_.size(); }

  void set_input(size_t i, Value* v);  // grows the input list when i is past its end
  void add_input(Value* v) { set_input(inputs_.size(), v); }
  void remove_input(size_t i);         // later inputs shift down
  // Drops trailing omitted (nullptr) inputs, as ONNX writers do.
  void trim_inputs();

  // Attributes, in model order.
  const std::vector<Attribute>& attrs() const { return attrs_; }
  std::vector<Attribute>& mutable_attrs() { return attrs_; }
  const Attribute* attr(std::string_view name) const;
  bool has_attr(std::string_view name) const { return attr(name) != nullptr; }
  void set_attr(Attribute a);  // replaces an attribute of the same name
  bool remove_attr(std::string_view name);
  int64_t attr_int(std::string_view name, int64_t dflt) const;
  float attr_float(std::string_view name, float dflt) const;
  std::string attr_string(std::string_view name, std::string dflt) const;
  std::vector<int64_t> attr_ints(std::string_view name, std::vector<int64_t> dflt = {}) const;
  std::vector<float> attr_floats(std::string_view name, std::vector<float> dflt = {}) const;

  // Subgraphs held by this node's attributes.
  std::vector<Graph*> subgraphs() const;
  // The same without building a list: whole-graph walks call this for every node.
  template <typename F>
  void for_each_subgraph(F&& f) const {
    for (const Attribute& a : attrs_)
      for (const auto& g : a.graphs) f(g.get());
  }
  // Names this node's subgraphs (at any depth) read from enclosing scopes. Subgraphs read outer
  // values by name, not through use lists, so such values look unused from their own graph.
  void collect_captured_names(std::unordered_set<std::string>& out) const;

  std::string name;
  std::string op_type;
  std::string domain;  // "" is the default ONNX domain
  std::string overload;
  std::string doc_string;
  std::vector<NodeId> provenance;  // ids of the original nodes this node came from
  std::vector<std::pair<std::string, std::string>> metadata_props;
  std::string unknown_fields;

  bool is_onnx_domain() const { return domain.empty() || domain == "ai.onnx"; }

 private:
  friend class Graph;
  NodeId id_ = 0;
  Graph* graph_ = nullptr;
  std::vector<Value*> inputs_;
  // use_slot_[i]: where this node's use of inputs_[i] sits in that value's use list, so dropping
  // a use is O(1) even for a constant read by thousands of nodes.
  std::vector<uint32_t> use_slot_;
  std::vector<Value*> outputs_;
  std::vector<Attribute> attrs_;
  mutable size_t position_ = 0;  // scratch: the node's index during a topological sort
  std::list<std::unique_ptr<Node>>::iterator self_;
};

class Graph {
 public:
  Graph();
  ~Graph();
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  // Deep copy of structure; tensors (weights) are shared, node ids and provenance kept.
  std::unique_ptr<Graph> clone() const;
  // A graph for an If/Loop/Scan body that allocates node ids from this graph's id space.
  std::unique_ptr<Graph> new_subgraph() const;

  std::string name;
  std::string doc_string;
  std::vector<std::pair<std::string, std::string>> metadata_props;
  std::string unknown_fields;

  // --- values ---
  Value* find_value(std::string_view name) const;
  // A name not yet used in this graph, derived from hint ("x" -> "x", "x_1", "x_2", ...).
  std::string unique_name(std::string_view hint) const;
  Value* add_input(std::string name, ValueType type);
  // Adds an initializer named after the tensor (a graph input of the same name gets the tensor
  // as its default value, as in models of ir_version < 4).
  Value* add_initializer(std::shared_ptr<const Tensor> t);
  // Replaces the constant data of an initializer (copy-on-write: the old tensor is untouched).
  void set_initializer(Value* v, std::shared_ptr<const Tensor> t);
  // A value this subgraph reads from an enclosing scope.
  Value* add_capture(std::string name);
  void add_output(Value* v);
  void set_output(size_t i, Value* v);
  void remove_output(size_t i);
  void rename_value(Value* v, std::string new_name);
  // Removes a value that has no producer and no uses and is not a graph output (a dead
  // initializer, an unused input or capture).
  void remove_value(Value* v);

  const std::vector<Value*>& inputs() const { return inputs_; }
  const std::vector<Value*>& outputs() const { return outputs_; }
  // Initializers in model order.
  std::vector<Value*> initializers() const;
  const std::vector<Value*>& captures() const { return captures_; }
  size_t value_count() const { return values_.size(); }
  template <class F>
  void for_each_value(F&& f) const {
    for (const auto& v : values_) f(v.get());
  }

  // --- nodes ---
  // Creates a node with fresh output values named by output_names ("" = omitted optional output;
  // a name already in use gets a unique suffix). Inserted before `before`, or at the end.
  Node* add_node(std::string op_type, const std::vector<Value*>& inputs,
                 const std::vector<std::string>& output_names, std::string domain = "",
                 Node* before = nullptr);
  // Same, with a specific id (used by the importer and by clone).
  Node* add_node_with_id(NodeId id, std::string op_type, const std::vector<Value*>& inputs,
                         const std::vector<std::string>& output_names, std::string domain,
                         Node* before);
  // Removes a node whose outputs have no uses and are not graph outputs; its outputs go with it.
  void remove_node(Node* n);
  // Every use of `from` (node inputs and graph outputs) becomes a use of `to`.
  void replace_all_uses(Value* from, Value* to);
  void move_before(Node* n, Node* pos);  // pos == nullptr: move to the end

  size_t node_count() const { return nodes_.size(); }
  Node* find_node(NodeId id) const;
  template <class F>
  void for_each_node(F&& f) const {
    for (const auto& n : nodes_) f(n.get());
  }
  std::vector<Node*> nodes() const;
  // Nodes of this graph and, recursively, of its subgraphs.
  size_t total_node_count() const;

  // Reorders nodes topologically (stable: keeps the existing order where it is valid).
  // Returns false and leaves the order unchanged if there is a cycle.
  bool topological_sort();

  // Structural check: use-def links, producers, unique names, acyclicity, inputs defined before
  // use (or captured), outputs defined; recursive into subgraphs. Returns problems found
  // ("" when none): each one line.
  std::vector<std::string> verify() const;
  // Node::collect_captured_names over every node of this graph.
  void collect_captured_names(std::unordered_set<std::string>& out) const;
  // A fresh stamp for Value::mark_ (see there). verify() and topological_sort() use value and node
  // scratch fields, so they must not run concurrently on the same graph.
  static uint64_t next_walk_mark();

  NodeId next_node_id() const { return *id_counter_; }

 private:
  friend class Node;
  Value* new_value(std::string name);
  void add_use(Value* v, Node* n, size_t i);
  void drop_use(Value* v, Node* n, size_t i);
  void clone_into(Graph& dst) const;
  void verify_into(std::vector<std::string>& problems,
                   std::vector<const Graph*>& scopes, const std::string& path) const;

  std::list<std::unique_ptr<Node>> nodes_;
  std::list<std::unique_ptr<Value>> values_;
  // Next suffix to try per name hint, so naming n values after one hint costs O(n), not O(n^2).
  mutable std::unordered_map<std::string, size_t> next_suffix_;
  std::unordered_map<std::string, Value*> by_name_;
  std::unordered_map<NodeId, Node*> by_id_;
  std::vector<Value*> inputs_;
  std::vector<Value*> outputs_;
  std::vector<Value*> captures_;  // in the order they were added
  // Removed initializers leave a nullptr (compacted when they are half the list), so removing
  // many initializers stays linear.
  std::vector<Value*> initializer_order_;
  size_t init_tombstones_ = 0;
  std::shared_ptr<NodeId> id_counter_;
};

}  // namespace kiln
