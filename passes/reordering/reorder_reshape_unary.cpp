// reorder-reshape-unary: a unary elementwise op after a layout op (Reshape, Transpose, Squeeze,
// Unsqueeze, Flatten) moves before it. Layout ops only rename where elements sit, so the unary op
// computes the same elements either way; moved out of the way, consecutive layout ops become
// adjacent, where sink-transposes and reshape folding merge or cancel them.
//
// The direction is the one sink-transposes moves Transposes in (layout ops go down, towards the
// outputs), so the two passes never undo each other. A widening Cast is the exception: data
// movement is cheaper on the narrow type, so move-casts pushes it the other way and this pass
// leaves it alone.
#include <deque>
#include <string_view>

#include "passes/cleanup/captured_names.h"
#include "passes/framework/rewriter.h"
#include "passes/reordering/reorder_helpers.h"
#include "passes/reordering/reordering_passes.h"

namespace kiln::passes {
namespace {

using namespace reorder;

bool is_layout_op(const Node* n) {
  if (!n || !n->is_onnx_domain() || n->num_outputs() != 1) return false;
  const std::string_view op = n->op_type;
  return op == "Reshape" || op == "Transpose" || op == "Squeeze" || op == "Unsqueeze" || op == "Flatten";
}

bool movable_unary(const Node& n) {
  return is_unary_elementwise(n) && (n.op_type != "Cast" || keeps_or_narrows(n));
}

class Reorderer {
 public:
  Reorderer(PassContext& ctx, Graph& g) : ctx_(ctx), g_(g), captured_(g) {}

  void run() {
    std::deque<NodeId> work;
    for (Node* n : g_.nodes())
      if (movable_unary(*n)) work.push_back(n->id());
    while (!work.empty()) {
      Node* n = g_.find_node(work.front());
      work.pop_front();
      if (n) move_up(n, work);
    }
  }

 private:
  void move_up(Node* u, std::deque<NodeId>& work) {
    if (!movable_unary(*u)) return;
    Value* mid = u->input(0);
    Node* layout = mid->producer();
    if (!is_layout_op(layout) || sole_consumer(mid) != u) return;
    Value* x = layout->input(0);
    Value* out = u->output(0);
    if (!x || !read_only_as_data(*layout, x) || captured_.contains(mid) || captured_.contains(out)) return;

    // Matched. The two nodes trade places without being copied: u's readers read the layout op,
    // which reads u, which reads x.
    const ValueType out_type = out->type;
    ctx_.rw.replace_uses(out, mid);
    ctx_.rw.set_input(u, 0, x);
    ctx_.rw.set_input(layout, 0, out);
    ctx_.rw.move_before(u, layout);
    set_type(out, out_type.dtype, shape_of(x) ? std::optional<Shape>(*shape_of(x)) : std::nullopt);
    mid->type = out_type;
    ctx_.stats.add("moved");
    // u may meet another layout op above; unary ops reading the result now follow one.
    work.push_back(u->id());
    for (const Use& use : mid->uses())
      if (movable_unary(*use.node)) work.push_back(use.node->id());
  }

  PassContext& ctx_;
  Graph& g_;
  CapturedNames captured_;
};

void run(PassContext& ctx) {
  for (Graph* g : ctx.rw.graphs()) Reorderer(ctx, *g).run();
}

}  // namespace

void register_reorder_reshape_unary(PassRegistry& r) {
  r.add({{"reorder-reshape-unary",
          PassCategory::Reordering,
          "Move unary elementwise ops above Reshape/Transpose/Squeeze/Unsqueeze/Flatten",
          "Moves a unary elementwise op (Relu, Sigmoid, Tanh, Exp, Neg, Abs, Clip with constant bounds, a "
          "Cast that does not widen, ...) from after a layout op to before it, repeatedly, so layout ops "
          "that were separated by such ops become adjacent and can merge or cancel. Layout ops go down, "
          "in the same direction as in sink-transposes. Refuses when the layout op's result has other "
          "readers or is a graph output (the unary op would run on both sides), and for widening Casts, "
          "which move-casts keeps below data movement.",
          {},
          {{"moved", "unary ops moved above a layout op"}}},
         run});
}

}  // namespace kiln::passes
