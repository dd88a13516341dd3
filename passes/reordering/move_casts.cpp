// move-casts: a Cast that widens without losing anything (f16 -> f32, i8 -> i32, bool -> f32, ...)
// moves down past data movement that keeps or shrinks the tensor, so the movement works on the
// narrow type and the Cast converts fewer elements; and a Cast of such a Cast reads the original
// directly, which makes a round trip (f16 -> f32 -> f16) vanish.
//
// Only widening Casts move, and only down: any other Cast is already where its tensor is
// narrowest, and is the one reorder-reshape-unary may move up, so the two never undo each other.
#include <deque>
#include <string_view>

#include "passes/cleanup/captured_names.h"
#include "passes/framework/opset_gates.h"
#include "passes/framework/rewriter.h"
#include "passes/reordering/reorder_helpers.h"
#include "passes/reordering/reordering_passes.h"

namespace kiln::passes {
namespace {

using namespace reorder;

bool is_cast(const Node* n) { return n && cast_to(*n) != DataType::Undefined; }

bool is_data_movement(const Node* n) {
  if (!n || !n->is_onnx_domain()) return false;
  const std::string_view op = n->op_type;
  return op == "Slice" || op == "Gather" || op == "Reshape" || op == "Transpose" || op == "Squeeze" ||
         op == "Unsqueeze" || op == "Flatten" || op == "Split";
}

// The one output of data-movement node d that is read, when d moves no more elements out than
// in; nullopt otherwise. Gather may repeat rows (an embedding lookup), so its indices must be no
// more than the gathered axis holds; a Split must have one part read.
std::optional<size_t> kept_output(const Node& d) {
  if (d.op_type == "Split") {
    std::optional<size_t> used;
    for (size_t k = 0; k < d.num_outputs(); ++k) {
      const Value* o = d.output(k);
      if (!o || (!o->has_uses() && !o->is_graph_output())) continue;
      if (used) return std::nullopt;
      used = k;
    }
    return used;
  }
  if (d.num_outputs() != 1) return std::nullopt;
  if (d.op_type == "Gather") {
    const Shape* data = shape_of(d.input(0));
    const Shape* idx = shape_of(d.input(1));
    if (!data || !idx || !idx->numel()) return std::nullopt;
    int64_t axis = d.attr_int("axis", 0);
    if (axis < 0) axis += static_cast<int64_t>(data->rank());
    if (axis < 0 || axis >= static_cast<int64_t>(data->rank())) return std::nullopt;
    const Dim& dim = data->dims[static_cast<size_t>(axis)];
    if (!dim.is_known() || *idx->numel() > dim.value) return std::nullopt;
  }
  return 0;
}

class CastMover {
 public:
  CastMover(PassContext& ctx, Graph& g) : ctx_(ctx), g_(g), captured_(g) {}

  void run() {
    for (Node* n : g_.nodes())
      if (is_cast(n)) work_.push_back(n->id());
    while (!work_.empty()) {
      Node* n = g_.find_node(work_.front());
      work_.pop_front();
      if (n) process(n);
    }
  }

 private:
  void process(Node* c) {
    // A Cast of an exact Cast converts the original: one Cast, or none on a round trip.
    while (c->input(0) && is_cast(c->input(0)->producer())) {
      Node* p = c->input(0)->producer();
      Value* x = p->input(0);
      const DataType orig = dtype_of(x);
      if (orig == DataType::Undefined || !exact_conversion(orig, cast_to(*p))) break;
      if (cast_to(*c) == orig) {
        if (!captured_.can_replace(c->output(0), x)) return;
        ctx_.rw.replace_uses(c->output(0), x);
        ctx_.rw.remove_node(c);
        ctx_.stats.add("cancelled");
        // x gained readers: a widening Cast producing x may now move down, or meet a Cast.
        if (is_cast(x->producer())) work_.push_back(x->producer()->id());
        for (const Use& u : x->uses())
          if (is_cast(u.node)) work_.push_back(u.node->id());
        return;
      }
      Value* mid = p->output(0);
      ctx_.rw.set_input(c, 0, x);
      if (!mid->has_uses() && !mid->is_graph_output() && !captured_.contains(mid)) ctx_.rw.remove_node(p);
      ctx_.stats.add("merged");
    }
    push_down(c);
  }

  void push_down(Node* c) {
    Value* x = c->input(0);
    Value* wide = c->output(0);
    if (!x) return;
    const DataType from = dtype_of(x), to = cast_to(*c);
    if (from == DataType::Undefined || dtype_bits(to) <= dtype_bits(from) || !exact_conversion(from, to)) return;
    Node* d = sole_consumer(wide);
    if (!is_data_movement(d) || !read_only_as_data(*d, wide) || captured_.contains(wide)) return;
    const std::optional<size_t> k = kept_output(*d);
    if (!k) return;
    for (const Value* o : d->outputs())
      if (captured_.contains(o)) return;

    // Matched. The two nodes trade places without being copied: d's readers read the Cast, which
    // reads d, which reads the narrow x.
    Value* out = d->output(*k);
    const ValueType out_type = out->type;
    ctx_.rw.replace_uses(out, wide);
    ctx_.rw.set_input(d, 0, x);
    ctx_.rw.set_input(c, 0, out);
    ctx_.rw.move_before(d, c);
    for (Value* o : d->outputs())
      if (o) set_type(o, from, o->type.shape);
    wide->type = out_type;
    ctx_.stats.add("moved_down");
    work_.push_back(c->id());
    for (const Use& u : wide->uses())
      if (is_cast(u.node)) work_.push_back(u.node->id());
  }

  PassContext& ctx_;
  Graph& g_;
  CapturedNames captured_;
  std::deque<NodeId> work_;
};

void run(PassContext& ctx) {
  // Cast-1 names its target type as a string; the passes read the element type number of Cast-6.
  if (!can_emit(ctx.model, "Cast")) return;
  for (Graph* g : ctx.rw.graphs()) CastMover(ctx, *g).run();
}

}  // namespace

void register_move_casts(PassRegistry& r) {
  r.add({{"move-casts",
          PassCategory::Reordering,
          "Move widening Casts below data movement; cancel exact Cast round trips",
          "Moves a Cast that widens exactly (f16/bf16 -> f32, f32 -> f64, small integers -> wider integers "
          "or floats that hold them, bool -> any number) below the Slice, Gather, Reshape, Transpose, "
          "Squeeze, Unsqueeze, Flatten or one-output Split that alone reads it, repeatedly, so data "
          "moves in the narrow type and fewer elements are converted. A Cast of such a Cast reads the "
          "original instead, and a Cast back to the original type is removed. Refuses past a Gather "
          "that may repeat elements (more indices than the axis holds), past Concat and other ops that "
          "read more than one tensor, when the Cast's result has other readers or is a graph output, "
          "and for Casts that lose values (f32 -> f16, i32 -> f32, i64 -> i32), whose round trips are "
          "not identities.",
          {},
          {{"moved_down", "casts moved below a data-movement op"},
           {"merged", "casts reading the original of an exact cast instead"},
           {"cancelled", "exact cast round trips removed"}}},
         run});
}

}  // namespace kiln::passes
