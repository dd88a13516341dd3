// eliminate-no-op-nodes: bypasses nodes whose output equals one of their inputs element for
// element: a Transpose by the identity permutation, a Reshape/Flatten/Squeeze/Expand/Tile/Slice
// that keeps the shape, a Cast to the type the input has, Pad by zeros, a one-input Concat or Sum,
// a one-output Split, adding or subtracting zero, multiplying or dividing by one, raising to the
// power one.
#include <algorithm>
#include <string_view>

#include "passes/cleanup/captured_names.h"
#include "passes/cleanup/cleanup_passes.h"
#include "passes/framework/rewriter.h"

namespace kiln::passes {
namespace {

// Dims that are equal at run time: known and equal, or the same symbol.
bool same_shape(const Value* a, const Value* b) {
  if (!a->type.shape || !b->type.shape || a->type.shape->rank() != b->type.shape->rank()) return false;
  for (size_t i = 0; i < a->type.shape->rank(); ++i) {
    const Dim& x = a->type.shape->dims[i];
    const Dim& y = b->type.shape->dims[i];
    if (!(x.is_known() || x.is_symbolic()) || !(x == y)) return false;
  }
  return true;
}

bool all_constant(const Value* v, double x) {
  const Tensor* t = constant_of(v);
  if (!t || t->numel() <= 0 || t->dtype == DataType::String) return false;
  const std::vector<double> d = t->to_double();
  return static_cast<int64_t>(d.size()) == t->numel() && std::all_of(d.begin(), d.end(), [x](double e) { return e == x; });
}

bool all_ints(const std::vector<int64_t>& v, bool (*pred)(int64_t)) { return std::all_of(v.begin(), v.end(), pred); }

// The input the output equals, and whether that holds only when the output's shape is the
// input's (checked by the caller from inferred types).
struct Bypass {
  Value* input = nullptr;
  bool needs_same_shape = false;
};

// A constant operand of the neutral value leaves `x` as it is when it cannot widen x by
// broadcasting: a single element of rank at most x's.
Bypass neutral_operand(Value* x, const Value* c, double neutral) {
  if (!x || !all_constant(c, neutral)) return {};
  const Tensor* t = constant_of(c);
  const bool fits = x->type.shape && t->dims.size() <= x->type.shape->rank() && t->numel() == 1;
  return {x, !fits};
}

Bypass find_bypass(const Node& n, int64_t opset) {
  const std::string_view op = n.op_type;
  Value* x = n.input(0);
  if (op == "Transpose") {
    const std::vector<int64_t> perm = n.attr_ints("perm");
    if (perm.empty()) {
      // The default reverses the dims, which changes nothing only below rank 2.
      if (x && x->type.shape && x->type.shape->rank() <= 1) return {x, false};
      return {};
    }
    for (size_t i = 0; i < perm.size(); ++i)
      if (perm[i] != static_cast<int64_t>(i)) return {};
    return {x, false};
  }
  if (op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Expand" || op == "Tile") return {x, true};
  if (op == "Split") return n.num_outputs() == 1 ? Bypass{x, true} : Bypass{};
  if (op == "Slice") {
    // Equal extents with positive steps leave no room for any start but 0 and any step but 1;
    // a negative step of the same extent reverses.
    if (opset >= 10 && n.input(4)) {
      const Tensor* steps = constant_of(n.input(4));
      if (!steps || !all_ints(steps->to_int64(), [](int64_t s) { return s > 0; })) return {};
    }
    return {x, true};
  }
  if (op == "Pad") {
    std::vector<int64_t> pads;
    if (opset >= 11) {
      const Tensor* t = constant_of(n.input(1));
      if (!t) return {};
      pads = t->to_int64();
    } else {
      pads = n.attr_ints(opset < 2 ? "paddings" : "pads");
    }
    if (pads.empty() || !all_ints(pads, [](int64_t p) { return p == 0; })) return {};
    return {x, false};
  }
  // The dtype check in the caller decides.
  if (op == "Cast" || op == "CastLike") return {x, false};
  if (op == "Concat" || op == "Sum" || op == "Max" || op == "Min" || op == "Mean")
    return n.num_inputs() == 1 ? Bypass{x, false} : Bypass{};
  if (n.num_inputs() != 2) return {};
  Value* y = n.input(1);
  if (op == "Add" || op == "Mul") {
    const double neutral = op == "Add" ? 0.0 : 1.0;
    if (Bypass b = neutral_operand(x, y, neutral); b.input) return b;
    return neutral_operand(y, x, neutral);
  }
  if (op == "Sub") return neutral_operand(x, y, 0.0);
  if (op == "Div" || op == "Pow") return neutral_operand(x, y, 1.0);
  return {};
}

void run(PassContext& ctx) {
  const int64_t opset = ctx.model.opset("");
  const std::vector<Graph*> graphs = ctx.rw.graphs();
  // Innermost graphs first: removing a node can free the subgraphs it holds.
  for (auto it = graphs.rbegin(); it != graphs.rend(); ++it) {
    Graph* g = *it;
    const CapturedNames captured(*g);
    std::vector<NodeId> ids;
    g->for_each_node([&](const Node* n) { ids.push_back(n->id()); });
    for (NodeId id : ids) {
      // Removing a bypassed node also removes producers only it kept alive (a shape computation).
      Node* n = g->find_node(id);
      if (!n || !n->is_onnx_domain() || n->num_outputs() != 1) continue;
      Value* out = n->output(0);
      if (!out || !(out->has_uses() || out->is_graph_output())) continue;
      const Bypass b = find_bypass(*n, opset);
      if (!b.input || !b.input->type.is_tensor() || !out->type.is_tensor()) continue;
      if (b.input->type.dtype != out->type.dtype || b.input->type.dtype == DataType::Undefined) continue;
      if (b.needs_same_shape && !same_shape(b.input, out)) continue;
      if (!captured.can_replace(out, b.input)) continue;
      ctx.rw.replace_uses(out, b.input);
      ctx.rw.remove_node(n);
      ctx.stats.add("removed");
    }
  }
}

}  // namespace

void register_eliminate_no_op_nodes(PassRegistry& r) {
  r.add({{"eliminate-no-op-nodes",
          PassCategory::Cleanup,
          "Remove nodes that return an input unchanged",
          "Bypasses nodes whose output equals one of their inputs: Transpose by the identity "
          "permutation; Reshape, Flatten, Squeeze, Expand, Tile, a one-output Split and a "
          "positive-step Slice whose inferred output shape is the input's; Cast and CastLike to the "
          "input's type; Pad by zeros; Concat, Sum, Max, Min and Mean of one input; Add or Sub of a "
          "constant zero, Mul or Div by a constant one, Pow by a constant one, when the constant "
          "cannot widen the other input by broadcasting. Shapes count as equal when every dim is "
          "known and equal or the same symbol. Kept when the output is a graph output the input "
          "cannot stand in for.",
          {},
          {{"removed", "nodes removed"}}},
         run});
}

}  // namespace kiln::passes
