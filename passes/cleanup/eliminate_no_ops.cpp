// eliminate-no-ops: readers of a node whose output equals one of its inputs element for element
// read that input instead, and the node goes: Identity, inference-mode Dropout, and ops whose
// parameters make them change nothing.
#include <algorithm>
#include <string_view>

#include "passes/cleanup/captured_names.h"
#include "passes/cleanup/cleanup_passes.h"
#include "passes/framework/rewriter.h"

namespace kiln::passes {
namespace {

// Dims equal at run time: known and equal, or the same symbol.
bool same_shape(const Value* a, const Value* b) {
  if (!a->type.shape || !b->type.shape || a->type.shape->rank() != b->type.shape->rank()) return false;
  for (size_t i = 0; i < a->type.shape->rank(); ++i) {
    const Dim& x = a->type.shape->dims[i];
    const Dim& y = b->type.shape->dims[i];
    if (!(x.is_known() || x.is_symbolic()) || !(x == y)) return false;
  }
  return true;
}

bool all_equal_to(const Value* v, double x) {
  const Tensor* t = constant_of(v);
  if (!t || t->numel() <= 0 || t->dtype == DataType::String) return false;
  const std::vector<double> d = t->to_double();
  return static_cast<int64_t>(d.size()) == t->numel() && std::all_of(d.begin(), d.end(), [x](double e) { return e == x; });
}

bool all_ints(const std::vector<int64_t>& v, bool (*pred)(int64_t)) { return std::all_of(v.begin(), v.end(), pred); }

// Opset 1-6 train unless is_test=1; 7-11 never train; 12+ train when the training_mode input
// is given and true, which only a constant false rules out.
bool dropout_in_inference(const Node& n, int64_t opset) {
  if (opset < 7) return n.attr_int("is_test", 0) != 0;
  const Value* training = n.input(2);
  if (opset < 12 || !training) return true;
  const Tensor* t = constant_of(training);
  if (!t) return false;
  const std::vector<int64_t> v = t->to_int64();
  return !v.empty() && all_ints(v, [](int64_t x) { return x == 0; });
}

// The input a node's output equals, and whether that holds only when the output's shape is the
// input's (checked by the caller from inferred types). An element-wise op's dtype always is.
struct Bypass {
  Value* input = nullptr;
  bool needs_same_shape = false;
};

// A constant operand of the neutral value leaves `x` as it is unless it widens x by
// broadcasting, which a single element of rank at most x's cannot.
Bypass neutral_operand(Value* x, const Value* c, double neutral) {
  if (!x || !all_equal_to(c, neutral)) return {};
  const Tensor* t = constant_of(c);
  const bool fits = x->type.shape && t->dims.size() <= x->type.shape->rank() && t->numel() == 1;
  return {x, !fits};
}

Bypass find_bypass(const Node& n, int64_t opset) {
  const std::string_view op = n.op_type;
  Value* x = n.input(0);
  if (op == "Identity") return {x, false};
  if (op == "Dropout") {
    // Replacing a read mask would need a constant of the input's shape; such Dropouts are rare.
    const Value* mask = n.output(1);
    if ((mask && (mask->has_uses() || mask->is_graph_output())) || !dropout_in_inference(n, opset)) return {};
    return {x, false};
  }
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
  // Row-major data does not move when the shape stays, and a broadcast or tiling that keeps the
  // shape repeats nothing.
  if (op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze" || op == "Expand" || op == "Tile")
    return {x, true};
  if (op == "Split") return n.num_outputs() == 1 ? Bypass{x, true} : Bypass{};
  if (op == "Slice") {
    // With positive steps, an extent equal to the dim leaves no start but 0 and no step but 1
    // (a negative step of the same extent reverses).
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
  // The caller's dtype check decides.
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

// Whether the output is the input, value for value: same dtype, and the same shape where the
// op could change it. Identity and Dropout pass any type through.
bool output_is_input(const Node& n, const Bypass& b) {
  const Value* out = n.output(0);
  if (n.op_type == "Identity" || n.op_type == "Dropout") return true;
  if (!b.input->type.is_tensor() || !out->type.is_tensor()) return false;
  if (b.input->type.dtype != out->type.dtype || b.input->type.dtype == DataType::Undefined) return false;
  return !b.needs_same_shape || same_shape(b.input, out);
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
      // By id: removing a bypassed node also removes producers only it kept alive (a shape
      // computation), which may be further down the list.
      Node* n = g->find_node(id);
      if (!n || !n->is_onnx_domain() || n->num_outputs() == 0) continue;
      Value* out = n->output(0);
      // A node nothing reads is eliminate-dead-code's business.
      if (!out || !(out->has_uses() || out->is_graph_output())) continue;
      const Bypass b = find_bypass(*n, opset);
      if (!b.input || !output_is_input(*n, b)) continue;
      if (n->num_outputs() > 1 && n->op_type != "Dropout") continue;
      // A graph input, an initializer or another output cannot take over a graph output's name;
      // there the node is what keeps the model's interface.
      if (!captured.can_replace(out, b.input)) {
        ctx.stats.add("kept_for_interface");
        continue;
      }
      ctx.rw.replace_uses(out, b.input);
      ctx.rw.remove_node(n);
      ctx.stats.add("nodes_removed");
    }
  }
}

}  // namespace

void register_eliminate_no_ops(PassRegistry& r) {
  r.add({{"eliminate-no-ops",
          PassCategory::Cleanup,
          "Remove nodes that return an input unchanged",
          "Readers of a node whose output equals its input read the input instead, and the node "
          "goes: Identity; Dropout in inference mode (opset < 7 with is_test=1, 7-11, or 12+ without "
          "a training_mode input or with a constant false one) whose mask nothing reads; Transpose "
          "by the identity permutation; Reshape, Flatten, Squeeze, Unsqueeze, Expand, Tile, a "
          "one-output Split and a positive-step Slice whose inferred output shape is the input's "
          "(dims known and equal or the same symbol); Cast and CastLike to the input's type; Pad "
          "by zeros; Concat, Sum, Max, Min and Mean of one input; Add or Sub of a constant zero, "
          "Mul, Div or Pow by a constant one, when the constant cannot change the output's shape "
          "or type by broadcasting. Kept when the output is a graph output the input cannot stand "
          "in for (a graph input, an initializer or another output), or a subgraph reads it by name.",
          {},
          {{"nodes_removed", "nodes removed"},
           {"kept_for_interface", "no-op nodes kept for a graph output or a subgraph capture"}}},
         run});
}

}  // namespace kiln::passes
