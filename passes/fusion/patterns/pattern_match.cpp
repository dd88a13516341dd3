#include "passes/fusion/patterns/pattern_match.h"

#include <algorithm>
#include <cmath>

#include "core/ir/kiln_domain.h"
#include "passes/framework/opset_gates.h"

namespace kiln::passes::patterns {

OptionSpec allow_kiln_ops_option() {
  return {kAllowKilnOps, OptionType::Bool,
          "Where the model's ONNX opset lacks the fused op, emit Kiln's ai.kiln equivalent", false, 0, 0, {}};
}

std::vector<StatSpec> fusion_stats(const std::string& what) {
  return {{"fused", what + " fused"},
          {"kiln_ops", "of those, fused into an ai.kiln op"},
          {"refused_opset", what + " left written out: the opset lacks the op and Kiln ops are not allowed"}};
}

bool is_op(const Node* n, std::string_view op) { return n && n->op_type == op && n->is_onnx_domain(); }

Node* producer_op(const Value* v, std::string_view op) {
  Node* p = v ? v->producer() : nullptr;
  return is_op(p, op) ? p : nullptr;
}

Node* consumer_op(const Value* v, std::string_view op) {
  Node* c = sole_consumer(v);
  return is_op(c, op) ? c : nullptr;
}

Value* other_input(const Node* n, const Value* v) {
  if (!n || n->num_inputs() != 2) return nullptr;
  if (n->input(0) == v) return n->input(1);
  if (n->input(1) == v) return n->input(0);
  return nullptr;
}

std::optional<double> scalar_constant(const Value* v) {
  const Tensor* t = constant_of(v);
  if (!t || t->numel() != 1 || t->dtype == DataType::String || t->dtype == DataType::Undefined) return std::nullopt;
  const std::vector<double> d = t->to_double();
  if (d.size() != 1) return std::nullopt;
  return d[0];
}

bool close_to(double value, double expected, DataType dtype) {
  // A constant written in float16/bfloat16 is the expected value rounded to that type.
  const double rel = dtype == DataType::Float16 ? 0x1p-10 : dtype == DataType::BFloat16 ? 0x1p-7 : 1e-6;
  const double scale = expected == 0 ? 1.0 : std::fabs(expected);
  return std::fabs(value - expected) <= rel * scale;
}

bool is_scalar(const Value* v, double expected) {
  const std::optional<double> c = scalar_constant(v);
  return c && close_to(*c, expected, constant_of(v)->dtype);
}

std::optional<ScalarOperand> operand_beside_scalar(const Node* n) {
  if (!n || n->num_inputs() != 2 || !n->input(0) || !n->input(1)) return std::nullopt;
  const bool commutative = is_op(n, "Add") || is_op(n, "Mul");
  if (!commutative && !is_op(n, "Sub") && !is_op(n, "Div")) return std::nullopt;
  if (auto c = scalar_constant(n->input(1)); c && !constant_of(n->input(0)))
    return ScalarOperand{n->input(0), n->input(1), *c};
  if (commutative)
    if (auto c = scalar_constant(n->input(0)); c && !constant_of(n->input(1)))
      return ScalarOperand{n->input(1), n->input(0), *c};
  return std::nullopt;
}

Value* operand_beside(const Node* n, double c) {
  const std::optional<ScalarOperand> s = operand_beside_scalar(n);
  return s && close_to(s->value, c, constant_of(s->constant)->dtype) ? s->operand : nullptr;
}

Value* divided_by(const Node* n, double c) {
  if (is_op(n, "Div")) return operand_beside(n, c);
  return is_op(n, "Mul") ? operand_beside(n, 1.0 / c) : nullptr;
}

bool clip_bounds_are(const Node* clip, int64_t opset, double lo, double hi) {
  if (!is_op(clip, "Clip")) return false;
  if (opset < 11) {
    const Attribute* mn = clip->attr("min");
    const Attribute* mx = clip->attr("max");
    return mn && mx && mn->kind == AttrKind::Float && mx->kind == AttrKind::Float &&
           close_to(mn->f, lo, DataType::Float32) && close_to(mx->f, hi, DataType::Float32);
  }
  return is_scalar(clip->input(1), lo) && is_scalar(clip->input(2), hi);
}

std::optional<std::vector<int64_t>> reduce_mean_axes(const Node* reduce, int64_t rank, int64_t opset) {
  if (!is_op(reduce, "ReduceMean") || rank < 0 || reduce->attr_int("keepdims", 1) != 1) return std::nullopt;
  std::vector<int64_t> axes;
  if (opset < 18) {
    axes = reduce->attr_ints("axes");
  } else if (const Value* a = reduce->input(1)) {
    const Tensor* t = constant_of(a);
    if (!t || !dtype_is_integer(t->dtype)) return std::nullopt;
    axes = t->to_int64();
  }
  if (axes.empty()) {
    // From opset 18, an empty axes list with noop_with_empty_axes is the identity.
    if (opset >= 18 && reduce->attr_int("noop_with_empty_axes", 0) != 0) return std::nullopt;
    for (int64_t i = 0; i < rank; ++i) axes.push_back(i);
  }
  for (int64_t& a : axes) {
    if (a < -rank || a >= rank) return std::nullopt;
    if (a < 0) a += rank;
  }
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) return std::nullopt;
  return axes;
}

DataType float_dtype(const Value* v) {
  if (!v || !v->type.is_tensor()) return DataType::Undefined;
  switch (v->type.dtype) {
    case DataType::Float32: case DataType::Float64: case DataType::Float16: case DataType::BFloat16:
      return v->type.dtype;
    default:
      return DataType::Undefined;
  }
}

int64_t rank_of(const Value* v) {
  return v && v->type.is_tensor() && v->type.shape ? static_cast<int64_t>(v->type.shape->rank()) : -1;
}

bool keeps_type(const Value* x, const Value* y) {
  const DataType dt = float_dtype(x);
  return dt != DataType::Undefined && float_dtype(y) == dt && rank_of(x) >= 0 && rank_of(x) == rank_of(y);
}

std::optional<std::string> fused_domain(PassContext& ctx, std::string_view op) {
  if (can_emit(ctx.model, op)) return std::string();
  if (ctx.options.values().count(kAllowKilnOps) && ctx.options.get_bool(kAllowKilnOps))
    return std::string(kKilnDomain);
  ctx.stats.add("refused_opset");
  return std::nullopt;
}

bool none_captured(const CapturedNames& captured, const std::vector<const Node*>& nodes) {
  for (const Node* n : nodes)
    for (const Value* v : n->outputs())
      if (captured.contains(v)) return false;
  return true;
}

namespace {

void replace(PassContext& ctx, Fusion& f, const std::string& domain) {
  if (!domain.empty()) import_kiln_domain(ctx.model);
  Graph& g = *f.last->graph();
  for (const auto& [slot, data] : f.new_constants) f.inputs[slot] = ctx.rw.add_initializer(g, *data);
  std::vector<Value*> results = {f.last->output(0)};
  results.insert(results.end(), f.more_results.begin(), f.more_results.end());
  std::vector<std::string> names;
  for (const Value* r : results) names.push_back(r ? r->name() : std::string());
  Node* n = ctx.rw.add_node(g, f.op, f.inputs, names, f.nodes, domain, f.last);
  for (Attribute& a : f.attrs) ctx.rw.set_attr(n, std::move(a));
  // The fused op computes what the pattern did, so its outputs have the inferred types the
  // results had: a pattern reading this one later in the same run can check them.
  for (size_t i = 0; i < results.size(); ++i)
    if (results[i]) n->output(i)->type = results[i]->type;
  ctx.rw.replace_uses(results[0], n->output(0));
  ctx.rw.remove_node(f.last);
  // Further results are read outside the pattern too, so they outlived `last`; rewired only now
  // (no pattern node reads them any more), their producers go the same way.
  for (size_t i = 1; i < results.size(); ++i) {
    if (!results[i]) continue;
    Node* producer = results[i]->producer();
    ctx.rw.replace_uses(results[i], n->output(i));
    ctx.rw.remove_node(producer);
  }
  ctx.stats.add("fused");
  if (!domain.empty()) ctx.stats.add("kiln_ops");
}

}  // namespace

AnchorTest onnx_ops(std::vector<std::string_view> ops) {
  return [ops = std::move(ops)](const Node* n) {
    return std::any_of(ops.begin(), ops.end(), [n](std::string_view op) { return is_op(n, op); });
  };
}

void fuse_patterns(PassContext& ctx, const AnchorTest& is_anchor, const Matcher& match) {
  const int64_t opset = ctx.model.opset("");
  for (Graph* g : ctx.rw.graphs()) {
    // Ids, not pointers: a replacement removes nodes later in the list.
    std::vector<NodeId> ids;
    g->for_each_node([&](const Node* n) {
      if (is_anchor(n)) ids.push_back(n->id());
    });
    if (ids.empty()) continue;
    const CapturedNames captured(*g);
    for (NodeId id : ids) {
      Node* anchor = g->find_node(id);
      if (!anchor) continue;
      std::optional<Fusion> f = match(anchor, opset);
      if (!f || !none_captured(captured, f->nodes)) continue;
      const std::optional<std::string> domain = fused_domain(ctx, f->op);
      if (domain) replace(ctx, *f, *domain);
    }
  }
}

std::shared_ptr<const Tensor> ones(DataType dtype, const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  const size_t count = static_cast<size_t>(n);
  switch (dtype) {
    case DataType::Float64: return Tensor::from_values("ones", dtype, dims, std::vector<double>(count, 1.0));
    case DataType::Float16: return Tensor::from_values("ones", dtype, dims, std::vector<uint16_t>(count, float_to_half(1.f)));
    case DataType::BFloat16:
      return Tensor::from_values("ones", dtype, dims, std::vector<uint16_t>(count, float_to_bfloat16(1.f)));
    default: return Tensor::from_values("ones", DataType::Float32, dims, std::vector<float>(count, 1.f));
  }
}

}  // namespace kiln::passes::patterns
