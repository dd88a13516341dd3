// fuse-attention: scaled dot-product attention written out by an exporter,
//   MatMul(Q, Kᵀ) -> Div/Mul by a constant -> [Add mask] -> Softmax(last axis) -> MatMul(·, V),
// becomes one ai.kiln::Attention, so the [.., Sq, Sk] score matrix never goes to memory between
// four ops. When Q, K and V come from the exporter's head split (Reshape [B, S, H·D] ->
// [B, S, H, D], Transpose) and the result goes through the head merge (Transpose, Reshape back to
// [B, S, H·D]), those move into the op too (num_heads), and with them the Shape -> Gather ->
// Concat chains that computed the Reshape targets.
#include <algorithm>
#include <cmath>

#include "core/ir/kiln_domain.h"
#include "passes/framework/opset_gates.h"
#include "passes/fusion/epilogue/epilogue_match.h"
#include "passes/fusion/epilogue/epilogue_passes.h"

namespace kiln::passes {
namespace {

using namespace epilogue;

// Values a pattern consumes internally: one use, not a graph output.
bool interior(const Value* v) { return v && v->uses().size() == 1 && !v->is_graph_output(); }

// Peels Mul(v, c), Mul(c, v) or Div(v, c) by a scalar constant c off `v` (v only feeding the
// pattern), folding c into *scale. Returns the operand, or v itself when there is nothing to peel.
Value* peel_scale(Value* v, double* scale, std::vector<const Node*>& nodes) {
  Node* p = v->producer();
  const bool mul = is_onnx(p, "Mul"), div = is_onnx(p, "Div");
  if ((!mul && !div) || p->num_inputs() != 2 || !interior(v)) return v;
  for (size_t i = 0; i < 2; ++i) {
    if (div && i == 0) continue;  // Div(c, x) is not a scaling of x
    Value* data = p->input(1 - i);
    const Shape* ds = shape_of(data);
    const Shape* cs = shape_of(p->input(i));
    const std::vector<double> c = constant_values(p->input(i));
    if (c.size() != 1 || !ds || !cs || cs->rank() > ds->rank() || data->type.dtype != v->type.dtype) continue;
    const double f = div ? 1.0 / c[0] : c[0];
    if (!std::isfinite(f) || f == 0) continue;
    *scale *= f;
    nodes.push_back(p);
    return data;
  }
  return v;
}

bool swaps_last_two(const std::vector<int64_t>& perm) {
  const size_t r = perm.size();
  if (r < 2) return false;
  for (size_t i = 0; i + 2 < r; ++i)
    if (perm[i] != static_cast<int64_t>(i)) return false;
  return perm[r - 2] == static_cast<int64_t>(r - 1) && perm[r - 1] == static_cast<int64_t>(r - 2);
}

// The attention core around one Softmax, per head.
struct Core {
  Value* q = nullptr;
  Value* k = nullptr;  // [.., Sk, D], or [.., D, Sk] when k_transposed
  Value* v = nullptr;
  Value* mask = nullptr;
  bool k_transposed = true;
  double scale = 1.0;
  Node* out_matmul = nullptr;
  std::vector<const Node*> nodes;  // every node the op replaces
};

// scores = [Mul/Div](MatMul(Q', Kᵀ')): fills q, k, scale; false when `scores` is not that.
bool match_scores(Value* scores, Core& m) {
  Value* s = peel_scale(scores, &m.scale, m.nodes);
  Node* mm = s->producer();
  if (!is_onnx(mm, "MatMul") || mm->num_inputs() != 2 || !interior(s)) return false;
  m.nodes.push_back(mm);
  m.q = peel_scale(mm->input(0), &m.scale, m.nodes);
  Value* kt = peel_scale(mm->input(1), &m.scale, m.nodes);
  m.k = kt;
  Node* t = kt->producer();
  if (is_onnx(t, "Transpose") && interior(kt) && swaps_last_two(t->attr_ints("perm"))) {
    m.k = peel_scale(t->input(0), &m.scale, m.nodes);
    m.k_transposed = false;
    m.nodes.push_back(t);
  }
  return true;
}

std::optional<Core> match_core(const Model& model, Node* sm) {
  Value* s = sm->input(0);
  Value* p = sm->output(0);
  const Shape* ss = shape_of(s);
  if (sm->num_inputs() != 1 || !ss || ss->rank() < 2 || !interior(s) || !interior(p)) return std::nullopt;
  // Softmax's default axis was 1 before opset 13; before 13 it flattens at the axis, which for
  // the last axis is the same as the per-row softmax.
  const int64_t rank = static_cast<int64_t>(ss->rank());
  const int64_t axis = sm->attr_int("axis", model.opset("") < 13 ? 1 : -1);
  if (axis != -1 && axis != rank - 1) return std::nullopt;
  Node* mm2 = sole_consumer(p);
  if (!is_onnx(mm2, "MatMul") || mm2->num_inputs() != 2 || mm2->input(0) != p) return std::nullopt;

  Core m;
  m.out_matmul = mm2;
  m.v = mm2->input(1);
  m.nodes = {sm, mm2};
  Node* add = s->producer();
  if (is_onnx(add, "Add") && add->num_inputs() == 2) {
    m.nodes.push_back(add);
    for (size_t i = 0; i < 2 && !m.mask; ++i) {
      Core trial = m;
      if (!match_scores(add->input(i), trial)) continue;
      trial.mask = add->input(1 - i);
      m = trial;
    }
    if (!m.mask) return std::nullopt;
  } else if (!match_scores(s, m)) {
    return std::nullopt;
  }
  for (const Value* x : {m.q, m.k, m.v}) {
    const Shape* xs = shape_of(x);
    if (!is_float_tensor(x) || x->type.dtype != s->type.dtype || !xs || xs->rank() < 2) return std::nullopt;
  }
  return m;
}

// The last `n` dims of a Reshape's output as known sizes, from its inferred shape or its constant
// target; empty when unknown.
std::vector<int64_t> known_tail(const Node* rs, size_t n) {
  std::vector<int64_t> tail;
  if (const Shape* out = shape_of(rs->output(0)); out && out->rank() >= n) {
    for (size_t i = out->rank() - n; i < out->rank() && out->dims[i].is_known(); ++i) tail.push_back(out->dims[i].value);
    if (tail.size() == n) return tail;
  }
  tail.clear();
  const Tensor* t = constant_of(rs->input(1));
  const std::vector<int64_t> target = t ? t->to_int64() : std::vector<int64_t>{};
  if (target.size() < n) return {};
  for (size_t i = target.size() - n; i < target.size(); ++i) {
    if (target[i] < 1) return {};
    tail.push_back(target[i]);
  }
  return tail;
}

// Whether Reshape `rs` keeps the first two dims of its input (of shape `in`) and regroups only the
// rest into `tail`: proven by the inferred output shape, or by a constant target whose first two
// entries copy (0), infer (-1, once) or repeat the input's dims. Exporters write both
// (Shape -> Gather -> Concat chains, or [0, -1, H, D] once those are folded).
bool keeps_leading_two(const Node* rs, const Shape& in, const std::vector<int64_t>& tail) {
  if (in.rank() < 3 || tail.empty()) return false;
  int64_t in_tail = 1, out_tail = 1;
  for (size_t i = 2; i < in.rank(); ++i) {
    if (!in.dims[i].is_known()) return false;
    in_tail *= in.dims[i].value;
  }
  for (int64_t t : tail) out_tail *= t;
  if (in_tail != out_tail) return false;
  const Shape* out = shape_of(rs->output(0));
  if (out && out->rank() == 2 + tail.size() && same_dim(out->dims[0], in.dims[0]) && same_dim(out->dims[1], in.dims[1]))
    return true;
  const Tensor* t = constant_of(rs->input(1));
  const std::vector<int64_t> target = t ? t->to_int64() : std::vector<int64_t>{};
  if (target.size() != 2 + tail.size() || !std::equal(tail.begin(), tail.end(), target.begin() + 2)) return false;
  const bool allowzero = rs->attr_int("allowzero", 0) != 0;
  int inferred = 0;
  for (size_t i = 0; i < 2; ++i) {
    const int64_t e = target[i];
    if (e == -1)
      ++inferred;
    else if (!(e == 0 && !allowzero) && !(in.dims[i].is_known() && in.dims[i].value == e))
      return false;
  }
  return inferred <= 1;
}

// x [B, S, H·D] -> Reshape [B, S, H, D] -> Transpose(perm), v being the Transpose's output.
struct Split {
  Value* x = nullptr;
  const Node* reshape = nullptr;
  const Node* transpose = nullptr;
  int64_t heads = 0;
};

std::optional<Split> match_split(Value* v, const std::vector<int64_t>& perm) {
  Node* t = v->producer();
  if (!is_onnx(t, "Transpose") || !interior(v) || t->attr_ints("perm") != perm) return std::nullopt;
  Value* r = t->input(0);
  Node* rs = r->producer();
  if (!is_onnx(rs, "Reshape") || !interior(r)) return std::nullopt;
  const Shape* xs = shape_of(rs->input(0));
  const std::vector<int64_t> tail = known_tail(rs, 2);
  if (!xs || xs->rank() != 3 || !keeps_leading_two(rs, *xs, tail)) return std::nullopt;
  return Split{rs->input(0), rs, t, tail[0]};
}

// Whether every path from v's consumers ends in `sink`'s input `slot` (the Shape -> Gather ->
// Concat chains that only compute a Reshape's target), within a few nodes.
bool feeds_only(const Value* v, const Node* sink, size_t slot, Rewriter& rw, int* budget) {
  if (v->is_graph_output() || rw.is_captured(v)) return false;
  for (const Use& u : v->uses()) {
    if (u.node == sink && u.index == slot) continue;
    if (u.node == sink || --*budget < 0) return false;
    for (const Value* o : u.node->outputs())
      if (o && !feeds_only(o, sink, slot, rw, budget)) return false;
  }
  return true;
}

// y [B, H, S, Dv] -> Transpose [0,2,1,3] -> Reshape [B, S, H·Dv]: the Reshape, when the
// Transpose's other consumers only compute the Reshape's target shape.
Node* match_merge(Rewriter& rw, Value* y, int64_t heads, std::vector<const Node*>& nodes) {
  Node* t = sole_consumer(y);
  if (!is_onnx(t, "Transpose") || !interior(y) || t->attr_ints("perm") != std::vector<int64_t>{0, 2, 1, 3})
    return nullptr;
  Value* ty = t->output(0);
  const Shape* ts = shape_of(ty);
  Node* rs = nullptr;
  for (const Use& u : ty->uses())
    if (is_onnx(u.node, "Reshape") && u.index == 0) {
      if (rs) return nullptr;
      rs = u.node;
    }
  // [B, S, H, Dv] -> [B, S, H·Dv]
  if (!rs || ty->is_graph_output() || !ts || ts->rank() != 4 || !ts->dims[2].is_known() || ts->dims[2].value != heads ||
      !ts->dims[3].is_known() || !keeps_leading_two(rs, *ts, {heads * ts->dims[3].value}))
    return nullptr;
  int budget = 32;
  for (const Use& u : ty->uses())
    if (u.node != rs && (!is_onnx(u.node, "Shape") || !feeds_only(u.node->output(0), rs, 1, rw, &budget))) return nullptr;
  nodes.push_back(t);
  nodes.push_back(rs);
  return rs;
}

// The head-split form: Q, K, V each from a split into the same number of heads, the output
// into a merge. Rewrites m to take the unsplit inputs; returns the merge Reshape, or nullptr.
Node* absorb_heads(Rewriter& rw, Core& m, int64_t* heads) {
  const std::vector<int64_t> split{0, 2, 1, 3};
  const auto q = match_split(m.q, split);
  const auto k = match_split(m.k, m.k_transposed ? std::vector<int64_t>{0, 2, 3, 1} : split);
  const auto v = match_split(m.v, split);
  if (!q || !k || !v || k->heads != q->heads || v->heads != q->heads) return nullptr;
  std::vector<const Node*> nodes = m.nodes;
  Node* merge = match_merge(rw, m.out_matmul->output(0), q->heads, nodes);
  if (!merge) return nullptr;
  for (const Split* s : {&*q, &*k, &*v}) {
    nodes.push_back(s->reshape);
    nodes.push_back(s->transpose);
  }
  m.q = q->x;
  m.k = k->x;
  m.v = v->x;
  m.k_transposed = false;
  m.nodes = std::move(nodes);
  *heads = q->heads;
  return merge;
}

void fuse(PassContext& ctx, Graph& g, Node* sm) {
  std::optional<Core> m = match_core(ctx.model, sm);
  if (!m) return;
  int64_t heads = 0;
  Node* merge = absorb_heads(ctx.rw, *m, &heads);
  if (!none_captured(ctx.rw, m->nodes)) return;
  Node* last = merge ? merge : m->out_matmul;
  Value* out = last->output(0);
  std::vector<Value*> inputs{m->q, m->k, m->v};
  if (m->mask) inputs.push_back(m->mask);
  Node* fused = ctx.rw.add_node(g, "Attention", inputs, {out->name()}, m->nodes, std::string(kKilnDomain), last);
  if (m->scale != 1.0) ctx.rw.set_attr(fused, Attribute::make_float("scale", static_cast<float>(m->scale)));
  if (m->k_transposed) ctx.rw.set_attr(fused, Attribute::make_int("k_transposed", 1));
  if (heads > 0) ctx.rw.set_attr(fused, Attribute::make_int("num_heads", heads));
  import_kiln_domain(ctx.model);
  ctx.rw.replace_uses(out, fused->output(0));
  ctx.rw.remove_node(last);  // and, now dead, the rest of the pattern
  ctx.stats.add("fused");
  if (heads > 0) ctx.stats.add("heads_absorbed");
  if (m->mask) ctx.stats.add("masked");
}

void run(PassContext& ctx) {
  for (Graph* g : ctx.rw.graphs()) {
    std::vector<NodeId> ids;
    g->for_each_node([&](Node* n) {
      if (is_onnx(n, "Softmax")) ids.push_back(n->id());
    });
    for (NodeId id : ids)
      if (Node* n = g->find_node(id)) fuse(ctx, *g, n);
  }
}

}  // namespace

void register_fuse_attention(PassRegistry& r) {
  r.add({{"fuse-attention",
          PassCategory::Fusion,
          "Fuse scaled dot-product attention into ai.kiln::Attention",
          "Rewrites MatMul(Q, Kᵀ) -> Div/Mul by a scalar constant (or a scalar scaling of Q or K) -> "
          "[Add mask] -> Softmax over the last axis -> MatMul(·, V) as one ai.kiln::Attention. Kᵀ may "
          "be a Transpose of the last two axes (absorbed) or any value (k_transposed). When Q, K and V "
          "come from the exporter's head split (Reshape to [B, S, H, D], Transpose) and the output goes "
          "through the head merge, those are absorbed too (num_heads), with the shape chains that fed "
          "the Reshapes. The mask broadcasts as the Add it replaces did. Refuses when an intermediate "
          "value has another consumer, is a graph output or is read by a subgraph, when the softmax "
          "is not over the last axis, or when element types differ.",
          {},
          {{"fused", "Attention nodes made"},
           {"heads_absorbed", "of those, with the head split and merge absorbed"},
           {"masked", "of those, with an additive mask"}},
          true},
         run});
}

}  // namespace kiln::passes
