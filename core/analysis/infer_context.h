#pragma once
// Internal to core/analysis: what an inference rule sees of its node, the rule registry shared by
// shape inference, the cost model and the op-support table, and shape helpers the rule families
// share. Not part of Kiln's public API.
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/analysis/shape_inference.h"
#include "core/ir/model.h"

namespace kiln::analysis {

// SymInt and KnownInts are public (core/analysis/shape_inference.h): passes read them too.
using kiln::KnownInts;
using kiln::SymInt;

class Engine;

class InferContext {
 public:
  InferContext(Engine& engine, const Node& node, int64_t opset) : e_(engine), node_(node), opset_(opset) {}

  const Node& node() const { return node_; }
  // Opset imported for the node's domain (the newest known when the model imports none).
  int64_t opset() const { return opset_; }

  size_t num_inputs() const { return node_.num_inputs(); }
  size_t num_outputs() const { return node_.num_outputs(); }
  bool has_input(size_t i) const { return node_.input(i) != nullptr; }
  bool has_output(size_t i) const { return node_.output(i) != nullptr; }

  // Type of input i; an Unknown type when the input is omitted or untyped.
  const ValueType& type(size_t i) const;
  DataType dtype(size_t i) const;        // Undefined unless a tensor of known element type
  const Shape* shape(size_t i) const;    // nullptr unless a tensor of known rank
  int64_t rank(size_t i) const;          // -1 when unknown
  // Constant data of input i: an initializer, a Constant node's value or a folded shape tensor.
  const Tensor* constant(size_t i) const;
  // Partially known integer contents of input i (0-D/1-D integer tensors only).
  const KnownInts* ints(size_t i);
  // Contents of input i when every element is a known number.
  std::optional<std::vector<int64_t>> int_values(size_t i);
  // Contents of a floating-point or integer constant input as doubles.
  std::optional<std::vector<double>> double_values(size_t i) const;

  void set(size_t i, ValueType t);
  void set(size_t i, DataType dt, Shape s) { set(i, ValueType::tensor(dt, std::move(s))); }
  void set_dtype(size_t i, DataType dt) { set(i, ValueType::tensor(dt)); }
  void set_ints(size_t i, KnownInts k);
  void set_constant(size_t i, std::shared_ptr<const Tensor> t);

  // A new symbolic dim "unk__N" for a size only known at run time.
  Dim fresh();
  // A warning about this node; invalid attributes and inconsistent inputs end up here.
  void warn(std::string_view msg);

  // Infers a subgraph (If/Loop/Scan body) whose formal inputs get `input_types` (merged with
  // what the body declares); values it captures take the types of the outer values they name.
  // Returns the types of the body's outputs.
  std::vector<ValueType> infer_subgraph(Graph& g, const std::vector<ValueType>& input_types);

 private:
  Engine& e_;
  const Node& node_;
  int64_t opset_;
};

using InferFn = void (*)(InferContext&);

inline constexpr int64_t kOpsetOpen = std::numeric_limits<int64_t>::max();
// Opset assumed for a domain the model does not import.
inline constexpr int64_t kNewestOnnxOpset = 23;

struct OpRule {
  std::string_view domain;  // "" for the default ONNX domain
  std::string_view op_type;
  int64_t since;            // first opset Kiln knows the op in
  int64_t until;            // last opset Kiln knows it in (kOpsetOpen: still current)
  InferFn infer;
};

class RuleTable {
 public:
  void add(std::string_view op_type, int64_t since, InferFn fn, int64_t until = kOpsetOpen,
           std::string_view domain = "");
  const std::vector<OpRule>& rules() const { return rules_; }

 private:
  std::vector<OpRule> rules_;
};

// The single table of ops Kiln knows (built once, thread-safe).
const RuleTable& rule_table();
// nullptr when Kiln has no rule for the op. "ai.onnx" is the default domain.
const OpRule* find_rule(std::string_view domain, std::string_view op_type);

// Rule families (one file each) add their ops to the table.
void add_elementwise_rules(RuleTable& t);
void add_nn_rules(RuleTable& t);
void add_tensor_rules(RuleTable& t);
void add_indexing_rules(RuleTable& t);
void add_reduce_rules(RuleTable& t);
void add_linalg_rules(RuleTable& t);
void add_control_flow_rules(RuleTable& t);
void add_rnn_rules(RuleTable& t);
void add_quant_rules(RuleTable& t);
void add_sequence_rules(RuleTable& t);
void add_misc_rules(RuleTable& t);
// Kiln-domain ops (core/ir/kiln_domain.h), by the passes that emit them.
void add_kiln_pattern_rules(RuleTable& t);   // infer_kiln_patterns.cpp: activations, norms
void add_kiln_epilogue_rules(RuleTable& t);  // infer_kiln_epilogue.cpp: fused Conv/Gemm/MatMul, attention
void add_kiln_layout_rules(RuleTable& t);    // infer_kiln_layout.cpp: channels-last ops

// ---- Shared helpers -----------------------------------------------------------------------------

// Axis in [-rank, rank) to [0, rank); nullopt when out of range.
std::optional<int64_t> normalize_axis(int64_t axis, int64_t rank);

// Numpy broadcasting of two dims / shapes. A known 1 yields the other dim; two different
// symbols yield an unknown dim. Sets *conflict when two known dims cannot broadcast.
Dim broadcast_dim(const Dim& a, const Dim& b, bool* conflict);
Shape broadcast_shapes(const Shape& a, const Shape& b, bool* conflict);

// Of two descriptions of the same dim, the more specific one (known over symbolic over unknown);
// sets *conflict when both are known and differ.
Dim refine_dim(const Dim& a, const Dim& b, bool* conflict);
// The least specific dim covering both (If branches, loop iterations): equal dims stay, others
// become unknown.
Dim union_dim(const Dim& a, const Dim& b);
// Same for whole types: rank unknown when ranks differ; Unknown when dtypes differ. Sequences
// and optionals unite their element types.
ValueType union_type(const ValueType& a, const ValueType& b);
// union_type for two non-tensor types (infer_sequence.cpp).
ValueType union_other_type(const ValueType& a, const ValueType& b);

// Integer arithmetic for partial data propagation: exact on known numbers, identity laws on
// symbols (x*1, x+0, x-0, x/1), unknown otherwise. Overflow and division by zero yield unknown.
SymInt sym_add(const SymInt& a, const SymInt& b);
SymInt sym_sub(const SymInt& a, const SymInt& b);
SymInt sym_mul(const SymInt& a, const SymInt& b);
SymInt sym_div(const SymInt& a, const SymInt& b);  // integer division truncating toward zero

// Sizes computed from attribute values (strides, pads, scales, ...) that a malformed model can
// make absurd: computed wide, they become unknown when they are not a valid int64 size.
using Wide = __int128;
inline Dim wide_dim(Wide v) {
  return v >= 0 && v <= std::numeric_limits<int64_t>::max() ? Dim::known(static_cast<int64_t>(v))
                                                            : Dim::unknown();
}
// floor(v) as a size; nullopt for NaN, infinities and values past int64.
std::optional<int64_t> size_from_double(double v);

// Product of dims [begin, end): known when all are known, the one non-1 symbolic dim when all
// others are a known 1, unknown otherwise.
Dim dim_product(const std::vector<Dim>& dims, size_t begin, size_t end);

// Shape of a tensor described by a known int list, for ops whose output is that list (Shape).
inline Shape vector_shape(int64_t n) { return Shape({Dim::known(n)}); }

// Ranks past this come only from malformed shape tensors.
inline constexpr int64_t kMaxRank = 1024;
// A shape of `rank` unknown dims, where the rank is the (known) length of a 1-D shape tensor;
// nullopt when the length is unknown or implausible.
std::optional<Shape> shape_of_length(const Shape* shape_tensor_shape);

// Output `out` gets the type of input `in` (when that is known).
void copy_input_type(InferContext& c, size_t in, size_t out);

// Attribute "ints" of a node, or nullopt when absent.
std::optional<std::vector<int64_t>> attr_ints_opt(const Node& n, std::string_view name);

}  // namespace kiln::analysis
