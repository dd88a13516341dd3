#pragma once
// What the pattern-recognition passes share: reading exporter-written subgraphs (operands in
// either order, scalar constants to their type's precision, Clip and ReduceMean across opsets),
// choosing between the standard op and its ai.kiln equivalent, and replacing a matched pattern.
// Every query here is read-only; only replace_pattern mutates, through the Rewriter.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ir/model.h"
#include "passes/cleanup/captured_names.h"
#include "passes/framework/pass.h"
#include "passes/framework/rewriter.h"

namespace kiln::passes::patterns {

// ---- Declarations every pattern pass shares ----

inline constexpr const char* kAllowKilnOps = "allow_kiln_ops";
// The option: emit the ai.kiln op where the model's ONNX opset lacks the standard one.
OptionSpec allow_kiln_ops_option();
// Statistics: "fused", "kiln_ops" (fused into an ai.kiln op), "refused_opset" (matched, but the
// opset lacks the op and Kiln ops are not allowed).
std::vector<StatSpec> fusion_stats(const std::string& what);

// ---- Reading the graph ----

// Whether n is the default-domain op `op`.
bool is_op(const Node* n, std::string_view op);
// The producer of v when it is the default-domain op `op`; nullptr otherwise.
Node* producer_op(const Value* v, std::string_view op);
// The one node reading v when it is the default-domain op `op` and v is no graph output.
Node* consumer_op(const Value* v, std::string_view op);

// For a two-input node: the input beside `v` (for Mul(x, x), x itself); nullptr when v is not
// one of its inputs.
Value* other_input(const Node* n, const Value* v);

// The value of a one-element numeric constant.
std::optional<double> scalar_constant(const Value* v);
// Whether `value` is `expected` to the precision its element type can hold (1e-6 relative for
// float and double, an ulp for float16/bfloat16).
bool close_to(double value, double expected, DataType dtype);
// Whether v is a one-element constant equal to `expected` (see close_to).
bool is_scalar(const Value* v, double expected);

// The non-constant operand of Add/Mul (constant on either side) or Sub/Div (constant on the
// right) whose other operand is a one-element constant, that constant and its value.
struct ScalarOperand {
  Value* operand = nullptr;
  const Value* constant = nullptr;
  double value = 0;
};
std::optional<ScalarOperand> operand_beside_scalar(const Node* n);
// The operand of n beside a one-element constant equal to c (see operand_beside_scalar).
Value* operand_beside(const Node* n, double c);
// The operand of n when n computes operand / c: Div(operand, c) or Mul(operand, 1/c) in either
// order; nullptr otherwise.
Value* divided_by(const Node* n, double c);

// Whether Clip's bounds are lo and hi: attributes before opset 11, constant inputs from 11.
bool clip_bounds_are(const Node* clip, int64_t opset, double lo, double hi);
// The sorted, non-negative axes a keepdims ReduceMean reduces over (attribute before opset 18,
// constant input from 18; none given means all); nullopt when they are not known constants or it
// drops the reduced axes.
std::optional<std::vector<int64_t>> reduce_mean_axes(const Node* reduce, int64_t rank, int64_t opset);

// Element type of v when inference knows it is a float32/float64/float16/bfloat16 tensor (the
// types the fused ops take); Undefined otherwise.
DataType float_dtype(const Value* v);
// Rank of v when known; -1 otherwise.
int64_t rank_of(const Value* v);
// Whether a pattern on x whose result is y is a drop-in for a unary op on x: same float element
// type and same known rank (the one-element constants it reads can only add leading dims).
bool keeps_type(const Value* x, const Value* y);

// ---- Emitting ----

// A matched pattern: the fused op, its inputs and attributes, and the nodes it replaces.
struct Fusion {
  Fusion(std::string op, std::vector<Value*> inputs, Node* last, std::vector<const Node*> nodes,
         std::vector<Attribute> attrs = {})
      : op(std::move(op)), inputs(std::move(inputs)), attrs(std::move(attrs)), last(last), nodes(std::move(nodes)) {}

  std::string op;  // the standard op's name; its ai.kiln equivalent has the same name
  std::vector<Value*> inputs;  // nullptr: an omitted optional input
  std::vector<Attribute> attrs;
  Node* last;  // computes the result, which the fused op's output 0 takes over
  std::vector<const Node*> nodes;  // every node replaced, `last` included (provenance)
  // Values outputs 1, 2, ... of the fused op take over (nullptr: an omitted output): values of
  // pattern nodes with one output that are read outside the pattern too, or are graph outputs.
  std::vector<Value*> more_results;
  // Inputs that become new initializers once the match is applied: (input slot, data).
  std::vector<std::pair<size_t, std::shared_ptr<const Tensor>>> new_constants;
};

// Whether a node is where a pattern search starts (the rarest op of the pattern).
using AnchorTest = std::function<bool(const Node*)>;
// Default-domain nodes of these ops.
AnchorTest onnx_ops(std::vector<std::string_view> ops);
// Finds a pattern around an anchor node, or nullopt; reads only.
using Matcher = std::function<std::optional<Fusion>(Node* anchor, int64_t opset)>;

// The pattern passes' driver. In every graph, offers each anchor node to `match`, and replaces
// each match whose nodes no subgraph reads by name and whose op can go somewhere (see
// fused_domain): the fused node goes where `last` was, takes over the results (and their names
// where they are graph outputs), and `last` goes with every pattern node only it kept alive.
// Imports ai.kiln when it emits there; counts "fused" and "kiln_ops".
void fuse_patterns(PassContext& ctx, const AnchorTest& is_anchor, const Matcher& match);

// A tensor of ones: the scale of a normalisation written without one.
std::shared_ptr<const Tensor> ones(DataType dtype, const std::vector<int64_t>& dims);

}  // namespace kiln::passes::patterns
