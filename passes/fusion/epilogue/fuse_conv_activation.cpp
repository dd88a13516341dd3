// fuse-conv-activation: Conv -> [Add residual] -> [activation] becomes one ai.kiln::FusedConv,
// so the convolution's output is finished (residual added, activated) while it is still in cache
// instead of being written and re-read by two more elementwise passes over memory.
#include "core/ir/kiln_domain.h"
#include "passes/framework/opset_gates.h"
#include "passes/fusion/epilogue/epilogue_match.h"
#include "passes/fusion/epilogue/epilogue_passes.h"

namespace kiln::passes {
namespace {

using namespace epilogue;

// A Conv, or a FusedConv an earlier run left with part of its epilogue still free.
bool is_base(const Node* n) {
  if (is_onnx(n, "Conv")) return n->num_inputs() >= 2 && n->num_inputs() <= 3;
  return is_kiln(n, "FusedConv") && n->attr_string("activation", "").empty();
}

void fuse(PassContext& ctx, Graph& g, Node* conv) {
  Value* y = conv->output(0);
  const Shape* ys = shape_of(y);
  if (conv->num_outputs() != 1 || !is_float_tensor(y) || !ys) return;

  // Residual: Add(y, Z) or Add(Z, y) whose sum has y's shape, so Z broadcasts to y without
  // growing it. (The sum's type is read rather than Z's: Z may be a value this run just made.)
  Node* add = nullptr;
  Value* z = conv->input(3);
  Value* cur = y;
  if (!z) {
    Node* c = sole_consumer(y);
    if (is_onnx(c, "Add") && c->num_inputs() == 2 && y->uses().size() == 1 && same_shape(c->output(0), *ys)) {
      add = c;
      z = c->input(c->input(0) == y ? 1 : 0);
      cur = c->output(0);
    }
  }
  const std::optional<ActivationMatch> act = match_activation(ctx.model, cur);
  if (!add && !act) return;

  std::vector<const Node*> from{conv};
  if (add) from.push_back(add);
  if (act) from.insert(from.end(), act->nodes.begin(), act->nodes.end());
  if (!none_captured(ctx.rw, from)) return;
  Node* last = act ? act->nodes.back() : add;
  Value* out = last->output(0);
  std::vector<Value*> inputs{conv->input(0), conv->input(1), conv->input(2)};
  if (z) inputs.push_back(z);
  while (!inputs.empty() && !inputs.back()) inputs.pop_back();

  Node* fused = ctx.rw.add_node(g, "FusedConv", inputs, {out->name()}, from, std::string(kKilnDomain), last);
  copy_attrs(ctx.rw, conv, fused);
  if (act) set_activation(ctx.rw, fused, *act);
  import_kiln_domain(ctx.model);
  ctx.rw.replace_uses(out, fused->output(0));
  ctx.rw.remove_node(last);  // and, now dead, the rest of the chain
  ctx.stats.add("fused");
  if (add) ctx.stats.add("residuals");
  if (act) ctx.stats.add("activations");
}

void run(PassContext& ctx) {
  for (Graph* g : ctx.rw.graphs()) {
    std::vector<NodeId> ids;
    g->for_each_node([&](Node* n) {
      if (is_base(n)) ids.push_back(n->id());
    });
    for (NodeId id : ids)
      if (Node* n = g->find_node(id)) fuse(ctx, *g, n);
  }
}

}  // namespace

void register_fuse_conv_activation(PassRegistry& r) {
  r.add({{"fuse-conv-activation",
          PassCategory::Fusion,
          "Fuse Conv with a residual Add and an activation into ai.kiln::FusedConv",
          "Rewrites Conv -> [Add residual] -> [activation] as one ai.kiln::FusedConv computing "
          "act(Conv(X, W, B) + Z). Activations: Relu, LeakyRelu, Clip with constant bounds (ReLU6), "
          "Sigmoid, HardSigmoid, HardSwish, Tanh, Gelu, ai.kiln::Silu, ai.kiln::Gelu and x * Sigmoid(x). "
          "A Conv followed by a residual Add alone also fuses. Refuses when an intermediate value has "
          "another consumer, is a graph output or is read by a subgraph, when the sum does not "
          "provably keep the Conv output's shape (the residual would grow it), or when a Clip bound "
          "is not a constant.",
          {},
          {{"fused", "FusedConv nodes made"},
           {"residuals", "residual Adds absorbed"},
           {"activations", "activations absorbed"}},
          true},
         run});
}

}  // namespace kiln::passes
