// sink-transposes: a Transpose moves down past the ops that commute with it (elementwise ops,
// softmax and reductions along a mapped axis, Concat, Slice) until it meets another Transpose,
// where the two merge into one or cancel. Models exported from NHWC frameworks wrap elementwise
// ops in NCHW<->NHWC transposes; moved together they vanish.
#include <algorithm>
#include <deque>
#include <optional>
#include <string_view>

#include "passes/cleanup/captured_names.h"
#include "passes/framework/opset_gates.h"
#include "passes/framework/rewriter.h"
#include "passes/reordering/reorder_helpers.h"
#include "passes/reordering/reordering_passes.h"

namespace kiln::passes {
namespace {

using namespace reorder;

bool is_transpose(const Node* n) { return n && n->is_onnx_domain() && n->op_type == "Transpose"; }

bool is_reduce(std::string_view op) {
  return op == "ReduceSum" || op == "ReduceMean" || op == "ReduceMax" || op == "ReduceMin" || op == "ReduceProd" ||
         op == "ReduceL1" || op == "ReduceL2" || op == "ReduceLogSum" || op == "ReduceLogSumExp" ||
         op == "ReduceSumSquare" || op == "ArgMax" || op == "ArgMin";
}

bool is_softmax(std::string_view op) { return op == "Softmax" || op == "LogSoftmax" || op == "Hardmax"; }

bool normalize_axis(int64_t& a, size_t rank) {
  if (a < 0) a += static_cast<int64_t>(rank);
  return a >= 0 && a < static_cast<int64_t>(rank);
}

// The consumer rewritten to read the transposes' inputs, and the Transpose that restores its
// result's layout (none when the result has no layout left, e.g. a full reduction).
struct Plan {
  std::vector<Value*> inputs;
  std::vector<std::optional<Tensor>> new_consts;  // per input: a constant permuted now
  std::vector<std::string> consts_how;            // how each was derived (see DerivedConstants)
  std::vector<Attribute> attrs;                   // attributes to set on the consumer
  std::optional<Tensor> new_axes;                 // Reduce/Slice axes input, rewritten
  std::string axes_how;
  size_t axes_input = 0;
  std::vector<int64_t> out_perm;                  // empty: no Transpose after
};

class Sinker {
 public:
  Sinker(PassContext& ctx, Graph& g) : ctx_(ctx), g_(g), captured_(g), opset_(ctx.model.opset("")) {}

  void run() {
    for (Node* n : g_.nodes())
      if (is_transpose(n)) work_.push_back(n->id());
    while (!work_.empty()) {
      Node* n = g_.find_node(work_.front());
      work_.pop_front();
      if (n) process(n);
    }
  }

 private:
  void process(Node* t) {
    if (is_transpose(t->input(0) ? t->input(0)->producer() : nullptr)) {
      t = merge(t);
      if (!t) return;
    }
    const std::vector<int64_t> perm = transpose_perm(*t);
    Node* s = sole_consumer(t->output(0));
    if (perm.empty() || !s || !s->is_onnx_domain()) return;
    if (is_transpose(s)) {
      work_.push_back(s->id());
      return;
    }
    sink(t, perm, s);
  }

  // A chain of Transposes ending in t becomes one Transpose of the chain's input, or nothing when
  // the permutations compose to the identity. Returns the Transpose left (nullptr when none).
  Node* merge(Node* t) {
    std::vector<int64_t> composed = transpose_perm(*t);
    if (composed.empty() || captured_.contains(t->output(0))) return t;
    std::vector<const Node*> chain = {t};  // t and the transposes before it
    Value* x = t->input(0);
    while (is_transpose(x ? x->producer() : nullptr)) {
      Node* p = x->producer();
      const std::vector<int64_t> inner = transpose_perm(*p);
      if (inner.size() != composed.size()) break;
      // Output axis i of the pair reads axis composed[i] of p's output, which is inner[...] of p's input.
      for (int64_t& c : composed) c = inner[static_cast<size_t>(c)];
      chain.push_back(p);
      x = p->input(0);
    }
    if (chain.size() == 1) return t;
    if (is_identity_perm(composed)) {
      if (!captured_.can_replace(t->output(0), x)) return nullptr;
      ctx_.rw.replace_uses(t->output(0), x);
      ctx_.rw.remove_node(t);
      ctx_.stats.add("cancelled");
      // x's readers changed: a Transpose producing x may now sink, or meet the ones reading it.
      if (is_transpose(x->producer())) work_.push_back(x->producer()->id());
      for (const Use& u : x->uses())
        if (is_transpose(u.node)) work_.push_back(u.node->id());
      return nullptr;
    }
    // t reads the chain's input directly; the transposes it skips go once nothing reads them.
    Node* first = t->input(0)->producer();
    ctx_.rw.set_input(t, 0, x);
    ctx_.rw.set_attr(t, Attribute::make_ints("perm", composed));
    if (!first->output(0)->has_uses() && !first->output(0)->is_graph_output() && !captured_.contains(first->output(0)))
      ctx_.rw.remove_node(first);
    ctx_.stats.add("merged", static_cast<int64_t>(chain.size()) - 1);
    return t;
  }

  // Moves t below its only reader s when s commutes with it.
  void sink(Node* t, const std::vector<int64_t>& perm, Node* s) {
    if (s->num_outputs() != 1) return;
    std::vector<Node*> absorbed = {t};  // transposes whose output s alone reads, gone afterwards
    std::optional<Plan> plan;
    if (is_broadcast_elementwise(*s, opset_)) {
      if (s->op_type != "Cast" || keeps_or_narrows(*s)) plan = plan_elementwise(t, perm, s, absorbed);
    } else if (is_softmax(s->op_type)) {
      plan = plan_softmax(t, perm, s);
    } else if (is_reduce(s->op_type)) {
      plan = plan_reduce(t, perm, s);
    } else if (s->op_type == "Concat") {
      plan = plan_concat(t, perm, s, absorbed);
    } else if (s->op_type == "Slice") {
      plan = plan_slice(t, perm, s);
    }
    if (!plan || captured_.contains(s->output(0))) return;
    for (const Node* a : absorbed)
      if (captured_.contains(a->output(0))) return;

    // Matched. t and s trade places without being copied: s's readers read t, s reads what the
    // transposes read (and permuted constants), and t reads s.
    Value* out = s->output(0);
    Value* moved = t->output(0);
    const ValueType out_type = out->type;
    const bool keep_t = !plan->out_perm.empty();
    if (keep_t) ctx_.rw.replace_uses(out, moved);
    for (size_t i = 0; i < plan->inputs.size(); ++i) {
      Value* in = plan->inputs[i];
      Value* replaced = s->input(i);
      if (plan->new_consts[i]) {
        in = derived_.get(ctx_.rw, g_, replaced, plan->consts_how[i], *plan->new_consts[i]);
        ctx_.stats.add("constants_transposed");
      } else if (plan->new_axes && i == plan->axes_input) {
        in = derived_.get(ctx_.rw, g_, replaced, plan->axes_how, *plan->new_axes);
      }
      ctx_.rw.set_input(s, i, in);
      if ((plan->new_consts[i] || (plan->new_axes && i == plan->axes_input)) && replaced != in)
        remove_if_unread(ctx_.rw, captured_, replaced);
    }
    for (Attribute& a : plan->attrs) ctx_.rw.set_attr(s, std::move(a));
    for (Node* a : absorbed)
      if (!(keep_t && a == t)) ctx_.rw.remove_node(a);
    ctx_.stats.add("sunk");
    if (!keep_t) return;
    std::optional<Shape> shape = out_type.shape;  // s's result before t: out_type's dims unpermuted
    if (shape)
      for (size_t i = 0; i < shape->rank(); ++i) shape->dims[static_cast<size_t>(plan->out_perm[i])] = out_type.shape->dims[i];
    set_type(out, out_type.dtype, std::move(shape));
    moved->type = out_type;
    ctx_.rw.set_input(t, 0, out);
    if (t->attr_ints("perm") != plan->out_perm) ctx_.rw.set_attr(t, Attribute::make_ints("perm", plan->out_perm));
    ctx_.rw.move_before(s, t);
    work_.push_back(t->id());
    for (const Use& u : moved->uses())
      if (is_transpose(u.node)) work_.push_back(u.node->id());
  }

  static Plan plan_for(const Node* s) {
    Plan p;
    p.inputs = s->inputs();
    p.new_consts.resize(p.inputs.size());
    p.consts_how.resize(p.inputs.size());
    return p;
  }

  // Elementwise op: the other operands are constants (permuted now), transposes by the same
  // permutation (read before it), or scalar-like values that broadcast the same either way.
  std::optional<Plan> plan_elementwise(Node* t, const std::vector<int64_t>& perm, Node* s,
                                       std::vector<Node*>& absorbed) {
    const size_t rank = perm.size();
    const Shape* out = shape_of(s->output(0));
    const Shape* tin = shape_of(t->output(0));
    if (!out || !tin || out->rank() != rank || tin->rank() != rank) return std::nullopt;
    Plan plan = plan_for(s);
    std::vector<const Shape*> others;
    const std::vector<int64_t> inv = inverse_perm(perm);
    for (size_t i = 0; i < plan.inputs.size(); ++i) {
      Value* v = plan.inputs[i];
      if (v == t->output(0)) {
        plan.inputs[i] = t->input(0);
        continue;
      }
      const Shape* vs = shape_of(v);
      if (!vs || vs->rank() > rank) return std::nullopt;
      others.push_back(vs);
      Node* pv = v->producer();
      if (is_transpose(pv) && transpose_perm(*pv) == perm && sole_consumer(v) == s) {
        plan.inputs[i] = pv->input(0);
        if (std::find(absorbed.begin(), absorbed.end(), pv) == absorbed.end()) absorbed.push_back(pv);
        continue;
      }
      bool ones = true;
      for (const Dim& d : vs->dims) ones = ones && d.is_known() && d.value == 1;
      if (ones) continue;  // broadcasts the same against either layout
      const Tensor* k = constant_of(v);
      if (!k || !byte_addressable(*k)) return std::nullopt;  // would need a Transpose at run time
      std::vector<int64_t> full(rank - k->dims.size(), 1);
      full.insert(full.end(), k->dims.begin(), k->dims.end());
      Tensor moved = permuted(with_dims(*k, full), inv);
      moved.name = v->name();
      plan.new_consts[i] = std::move(moved);
      plan.consts_how[i] = "permuted " + ints_key(inv);
    }
    // The transposed operand must span the output: else the op would broadcast it to a larger
    // tensor, and the Transpose after it would move more data than the one before.
    for (size_t a = 0; a < rank; ++a) {
      if (same_dim(tin->dims[a], out->dims[a])) continue;
      for (const Shape* o : others) {
        const size_t off = rank - o->rank();
        if (a >= off && !(o->dims[a - off].is_known() && o->dims[a - off].value == 1)) return std::nullopt;
      }
    }
    plan.out_perm = perm;
    return plan;
  }

  // Softmax-13 and later normalises along one axis, which maps through the permutation. Earlier
  // versions flatten to 2-D at the axis: that commutes only when the permutation keeps the trailing
  // axes trailing, and then the axis number stays.
  std::optional<Plan> plan_softmax(Node* t, const std::vector<int64_t>& perm, Node* s) {
    if (!read_only_as_data(*s, t->output(0)) || s->num_inputs() != 1) return std::nullopt;
    const bool per_axis = can_emit(ctx_.model, s->op_type);
    int64_t axis = s->attr_int("axis", per_axis ? -1 : 1);
    if (!normalize_axis(axis, perm.size())) return std::nullopt;
    int64_t new_axis = axis;
    if (per_axis) {
      new_axis = perm[static_cast<size_t>(axis)];
    } else {
      for (size_t i = static_cast<size_t>(axis); i < perm.size(); ++i)
        if (perm[i] < axis) return std::nullopt;
    }
    Plan plan = plan_for(s);
    plan.inputs[0] = t->input(0);
    plan.attrs.push_back(Attribute::make_int("axis", new_axis));
    plan.out_perm = perm;
    return plan;
  }

  // Reductions along mapped axes; without keepdims the Transpose after drops the reduced axes.
  std::optional<Plan> plan_reduce(Node* t, const std::vector<int64_t>& perm, Node* s) {
    if (!read_only_as_data(*s, t->output(0))) return std::nullopt;
    const size_t rank = perm.size();
    const bool arg = s->op_type == "ArgMax" || s->op_type == "ArgMin";
    const bool keepdims = s->attr_int("keepdims", 1) != 0;
    std::vector<int64_t> axes;
    const bool axes_as_input = !arg && s->input(1);
    if (arg) {
      axes = {s->attr_int("axis", 0)};
    } else if (axes_as_input) {
      const Tensor* k = constant_of(s->input(1));
      if (!k) return std::nullopt;
      axes = k->to_int64();
    } else {
      axes = s->attr_ints("axes");
    }
    if (!arg && s->num_inputs() > 2) return std::nullopt;
    Plan plan = plan_for(s);
    plan.inputs[0] = t->input(0);
    if (axes.empty()) {
      // Every axis reduced (or none, with noop_with_empty_axes): the layout survives only as
      // kept dims of size 1, or as the untouched input.
      if (keepdims || s->attr_int("noop_with_empty_axes", 0) != 0) plan.out_perm = perm;
      return plan;
    }
    std::vector<bool> reduced(rank, false);
    std::vector<int64_t> mapped;
    for (int64_t a : axes) {
      if (!normalize_axis(a, rank) || reduced[static_cast<size_t>(a)]) return std::nullopt;
      reduced[static_cast<size_t>(a)] = true;
      mapped.push_back(perm[static_cast<size_t>(a)]);
    }
    if (arg) {
      plan.attrs.push_back(Attribute::make_int("axis", mapped[0]));
    } else if (axes_as_input) {
      plan.new_axes = *Tensor::from_values(s->input(1)->name(), DataType::Int64,
                                           {static_cast<int64_t>(mapped.size())}, mapped);
      plan.axes_how = "axes " + ints_key(mapped);
      plan.axes_input = 1;
    } else {
      plan.attrs.push_back(Attribute::make_ints("axes", mapped));
    }
    if (keepdims) {
      plan.out_perm = perm;
      return plan;
    }
    // Without keepdims, input axis j lands at j minus the reduced input axes before it.
    std::vector<bool> gone(rank, false);
    for (int64_t m : mapped) gone[static_cast<size_t>(m)] = true;
    std::vector<int64_t> position(rank, 0);
    int64_t next = 0;
    for (size_t j = 0; j < rank; ++j) position[j] = gone[j] ? -1 : next++;
    std::vector<int64_t> out_perm;
    for (size_t i = 0; i < rank; ++i)
      if (!reduced[i]) out_perm.push_back(position[static_cast<size_t>(perm[i])]);
    if (!is_identity_perm(out_perm)) plan.out_perm = std::move(out_perm);
    return plan;
  }

  // Concat of inputs all transposed by the same permutation (or constant) joins along the mapped
  // axis before a single Transpose.
  std::optional<Plan> plan_concat(Node* t, const std::vector<int64_t>& perm, Node* s, std::vector<Node*>& absorbed) {
    int64_t axis = s->attr_int("axis", 0);
    if (!s->has_attr("axis") || !normalize_axis(axis, perm.size())) return std::nullopt;
    const std::vector<int64_t> inv = inverse_perm(perm);
    Plan plan = plan_for(s);
    for (size_t i = 0; i < plan.inputs.size(); ++i) {
      Value* v = plan.inputs[i];
      Node* pv = v ? v->producer() : nullptr;
      if (v == t->output(0)) {
        plan.inputs[i] = t->input(0);
      } else if (is_transpose(pv) && transpose_perm(*pv) == perm && sole_consumer(v) == s) {
        plan.inputs[i] = pv->input(0);
        if (std::find(absorbed.begin(), absorbed.end(), pv) == absorbed.end()) absorbed.push_back(pv);
      } else if (const Tensor* k = constant_of(v); k && k->dims.size() == perm.size() && byte_addressable(*k)) {
        Tensor moved = permuted(*k, inv);
        moved.name = v->name();
        plan.new_consts[i] = std::move(moved);
        plan.consts_how[i] = "permuted " + ints_key(inv);
      } else {
        return std::nullopt;
      }
    }
    plan.attrs.push_back(Attribute::make_int("axis", perm[static_cast<size_t>(axis)]));
    plan.out_perm = perm;
    return plan;
  }

  // Slice with constant parameters crops the mapped axes; the Transpose then moves less data.
  std::optional<Plan> plan_slice(Node* t, const std::vector<int64_t>& perm, Node* s) {
    if (!read_only_as_data(*s, t->output(0))) return std::nullopt;
    const std::optional<SliceParams> sp = slice_params(*s, opset_);
    if (!sp) return std::nullopt;
    std::vector<bool> seen(perm.size(), false);
    std::vector<int64_t> mapped;
    for (int64_t a : sp->axes) {
      if (!normalize_axis(a, perm.size()) || seen[static_cast<size_t>(a)]) return std::nullopt;
      seen[static_cast<size_t>(a)] = true;
      mapped.push_back(perm[static_cast<size_t>(a)]);
    }
    Plan plan = plan_for(s);
    plan.inputs[0] = t->input(0);
    if (opset_ >= 10) {
      // axes share the element type of starts (int32 or int64).
      const Tensor* starts = constant_of(s->input(1));
      if (plan.inputs.size() < 4) {
        plan.inputs.resize(4, nullptr);
        plan.new_consts.resize(4);
        plan.consts_how.resize(4);
      }
      std::vector<int64_t> dims = {static_cast<int64_t>(mapped.size())};
      if (starts->dtype == DataType::Int32) {
        const std::vector<int32_t> v(mapped.begin(), mapped.end());
        plan.new_axes = *Tensor::from_values(std::string("axes"), DataType::Int32, dims, v);
      } else if (starts->dtype == DataType::Int64) {
        plan.new_axes = *Tensor::from_values(std::string("axes"), DataType::Int64, dims, mapped);
      } else {
        return std::nullopt;
      }
      plan.axes_how = "axes " + std::to_string(static_cast<int>(starts->dtype)) + " " + ints_key(mapped);
      plan.axes_input = 3;
    } else {
      plan.attrs.push_back(Attribute::make_ints("axes", mapped));
    }
    plan.out_perm = perm;
    return plan;
  }

  PassContext& ctx_;
  Graph& g_;
  CapturedNames captured_;
  DerivedConstants derived_;
  int64_t opset_;
  std::deque<NodeId> work_;
};

void run(PassContext& ctx) {
  if (!can_emit(ctx.model, "Transpose")) return;
  for (Graph* g : ctx.rw.graphs()) Sinker(ctx, *g).run();
}

}  // namespace

void register_sink_transposes(PassRegistry& r) {
  r.add({{"sink-transposes",
          PassCategory::Reordering,
          "Move Transposes down until they merge with or cancel each other",
          "Moves a Transpose read by a single node below that node when the two commute: elementwise "
          "ops (their constant operands are permuted when the pass runs; another operand transposed "
          "by the same permutation is read untransposed), Softmax/LogSoftmax/Hardmax (axis mapped; "
          "before opset 13 only when the permutation keeps the flattened trailing axes together), "
          "reductions and ArgMax/ArgMin (axes mapped, keepdims or not), Concat (every input "
          "transposed the same way or constant) and Slice with constant parameters. Two Transposes "
          "in a row become one, or none when they are inverse. Refuses when an operand would need a "
          "Transpose at run time, when the op would broadcast the transposed operand to a larger "
          "tensor, and past a widening Cast (the Transpose is cheaper on the narrow type).",
          {},
          {{"sunk", "transposes moved below an op"},
           {"merged", "transposes folded into the Transpose after them"},
           {"cancelled", "chains of transposes that composed to the identity, removed"},
           {"constants_transposed", "constant operands permuted when the pass ran"}}},
         run});
}

}  // namespace kiln::passes
