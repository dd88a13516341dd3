// fuse-gemm-activation: a matrix product's epilogue (bias, residual Add, activation) folded into
// the product. Gemm -> [Add] -> [activation] becomes ai.kiln::FusedGemm; MatMul -> [Add bias]
// -> [Add residual] -> [activation] becomes ai.kiln::FusedMatMul. A transformer's projections
// (MatMul -> Add bias -> Gelu; MatMul -> Add bias -> Add residual) become one node each.
#include "core/ir/kiln_domain.h"
#include "passes/framework/opset_gates.h"
#include "passes/fusion/epilogue/epilogue_match.h"
#include "passes/fusion/epilogue/epilogue_passes.h"

namespace kiln::passes {
namespace {

using namespace epilogue;

// A product with its epilogue still free: Gemm, MatMul, or a fused one an earlier run left
// without an activation.
bool is_gemm_base(const Node* n) {
  if (is_onnx(n, "Gemm")) return n->num_inputs() >= 2 && n->num_inputs() <= 3;
  return is_kiln(n, "FusedGemm") && n->attr_string("activation", "").empty();
}
bool is_matmul_base(const Node* n) {
  if (is_onnx(n, "MatMul")) return n->num_inputs() == 2;
  return is_kiln(n, "FusedMatMul") && n->attr_string("activation", "").empty();
}

// The Add consuming `cur` (its only use), and the Add's other operand. With `keep`, only when the
// sum provably has that shape, so the operand broadcasts to it without growing it (the sum's type
// is read, not the operand's: the operand may be a value this run just made, not yet typed).
Node* next_add(Value* cur, const Shape* keep, Value** other) {
  Node* a = sole_consumer(cur);
  if (!is_onnx(a, "Add") || a->num_inputs() != 2 || cur->uses().size() != 1 || (keep && !same_shape(a->output(0), *keep)))
    return nullptr;
  *other = a->input(a->input(0) == cur ? 1 : 0);
  return a;
}

// A constant bias along y's last axis: every dim 1 but the last, which is y's (known) last dim.
bool is_bias(const Value* v, const Shape& y) {
  const Shape* s = shape_of(v);
  if (!constant_of(v) || !s || s->rank() == 0 || s->rank() > y.rank() || !y.dims.back().is_known()) return false;
  for (size_t i = 0; i + 1 < s->rank(); ++i)
    if (!s->dims[i].is_known() || s->dims[i].value != 1) return false;
  return same_dim(s->dims.back(), y.dims.back());
}

// The fused node replaces `base` and everything in `adds` and `act`; its output takes over the
// last one's uses.
std::vector<const Node*> replaced(Node* base, const std::vector<Node*>& adds, const std::optional<ActivationMatch>& act) {
  std::vector<const Node*> from{base};
  from.insert(from.end(), adds.begin(), adds.end());
  if (act) from.insert(from.end(), act->nodes.begin(), act->nodes.end());
  return from;
}

Node* emit(PassContext& ctx, Graph& g, std::string_view op, Node* base, const std::vector<Node*>& adds,
           const std::optional<ActivationMatch>& act, const std::vector<Value*>& operands) {
  const std::vector<const Node*> from = replaced(base, adds, act);
  Node* last = act ? act->nodes.back() : adds.back();
  Value* out = last->output(0);
  std::vector<Value*> inputs = operands;
  while (!inputs.empty() && !inputs.back()) inputs.pop_back();
  Node* fused = ctx.rw.add_node(g, std::string(op), inputs, {out->name()}, from, std::string(kKilnDomain), last);
  copy_attrs(ctx.rw, base, fused);
  if (act) set_activation(ctx.rw, fused, *act);
  import_kiln_domain(ctx.model);
  ctx.rw.replace_uses(out, fused->output(0));
  ctx.rw.remove_node(last);  // and, now dead, the rest of the chain
  if (act) ctx.stats.add("activations");
  return fused;
}

// Gemm -> [Add Z] -> [activation]. Z becomes C when the Gemm has none (C broadcasts to [M, N]
// as Z did; beta then 1).
void fuse_gemm(PassContext& ctx, Graph& g, Node* gemm) {
  Value* y = gemm->output(0);
  const Shape* ys = shape_of(y);
  if (gemm->num_outputs() != 1 || !is_float_tensor(y) || !ys || ys->rank() != 2) return;
  std::vector<Node*> adds;
  Value* c = gemm->input(2);
  Value* cur = y;
  Value* other = nullptr;
  if (!c) {
    Node* a = next_add(y, ys, &other);
    if (a) {
      adds.push_back(a);
      c = other;
      cur = a->output(0);
    }
  }
  const std::optional<ActivationMatch> act = match_activation(ctx.model, cur);
  if ((adds.empty() && !act) || !none_captured(ctx.rw, replaced(gemm, adds, act))) return;
  Node* fused = emit(ctx, g, "FusedGemm", gemm, adds, act, {gemm->input(0), gemm->input(1), c});
  if (!adds.empty() && fused->attr_float("beta", 1.f) != 1.f) ctx.rw.set_attr(fused, Attribute::make_float("beta", 1.f));
  ctx.stats.add("fused_gemm");
  if (!adds.empty()) ctx.stats.add("residuals");
}

// MatMul -> [Add bias] -> [Add residual] -> [activation], the two Adds in either order. The
// residual may broadcast with the product either way: FusedMatMul broadcasts as the Add did.
void fuse_matmul(PassContext& ctx, Graph& g, Node* mm) {
  Value* y = mm->output(0);
  const Shape* ys = shape_of(y);
  if (mm->num_outputs() != 1 || !is_float_tensor(y) || !ys) return;
  Value* bias = mm->input(2);
  Value* z = mm->input(3);
  bool new_bias = false, new_z = false;
  std::vector<Node*> adds;
  Value* cur = y;
  for (int i = 0; i < 2; ++i) {
    Value* other = nullptr;
    Node* a = next_add(cur, nullptr, &other);
    if (!a) break;
    if (!bias && is_bias(other, *ys)) {
      bias = other;
      new_bias = true;
    } else if (!z) {
      z = other;
      new_z = true;
    } else {
      break;
    }
    adds.push_back(a);
    cur = a->output(0);
  }
  const std::optional<ActivationMatch> act = match_activation(ctx.model, cur);
  if ((adds.empty() && !act) || !none_captured(ctx.rw, replaced(mm, adds, act))) return;
  // FusedMatMul's bias is 1-D: a [1, ..., 1, N] constant is stored again as [N].
  if (new_bias && shape_of(bias)->rank() != 1) {
    Tensor t = *constant_of(bias);
    t.name = bias->name();
    t.dims = {ys->dims.back().value};
    bias = ctx.rw.add_initializer(g, t);
  }
  emit(ctx, g, "FusedMatMul", mm, adds, act, {mm->input(0), mm->input(1), bias, z});
  ctx.stats.add("fused_matmul");
  if (new_bias) ctx.stats.add("biases");
  if (new_z) ctx.stats.add("residuals");
}

void run(PassContext& ctx) {
  for (Graph* g : ctx.rw.graphs()) {
    std::vector<NodeId> ids;
    g->for_each_node([&](Node* n) {
      if (is_gemm_base(n) || is_matmul_base(n)) ids.push_back(n->id());
    });
    for (NodeId id : ids) {
      Node* n = g->find_node(id);
      if (!n) continue;
      if (is_gemm_base(n))
        fuse_gemm(ctx, *g, n);
      else
        fuse_matmul(ctx, *g, n);
    }
  }
}

}  // namespace

void register_fuse_gemm_activation(PassRegistry& r) {
  r.add({{"fuse-gemm-activation",
          PassCategory::Fusion,
          "Fuse Gemm/MatMul with bias, residual Add and activation into ai.kiln::FusedGemm/FusedMatMul",
          "Rewrites Gemm -> [Add] -> [activation] as ai.kiln::FusedGemm (the Add becomes C when the "
          "Gemm has none and the sum provably keeps the Gemm's shape) and MatMul -> [Add bias] -> "
          "[Add residual] -> [activation] as ai.kiln::FusedMatMul computing act(A·B + bias + Z), "
          "where bias is a constant along the last axis and Z any tensor, broadcasting as the Add did. "
          "Activations as fuse-conv-activation (Relu, LeakyRelu, Clip, Sigmoid, HardSigmoid, "
          "HardSwish, Tanh, Gelu, Silu). Refuses when an intermediate value has another consumer, is "
          "a graph output or is read by a subgraph, or when the product's rank is unknown.",
          {},
          {{"fused_gemm", "FusedGemm nodes made"},
           {"fused_matmul", "FusedMatMul nodes made"},
           {"biases", "bias Adds absorbed"},
           {"residuals", "residual Adds absorbed"},
           {"activations", "activations absorbed"}},
          true},
         run});
}

}  // namespace kiln::passes
