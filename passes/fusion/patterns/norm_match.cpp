#include "passes/fusion/patterns/norm_match.h"

namespace kiln::passes::patterns {

namespace {

// Whether p can stand as the scale or bias of a normalisation over x's trailing `count` dims:
// x's element type and at most `count` dims, each equal to x's (the standard ops take them in the
// normalised shape; broadcasting them further would change the result's shape).
bool fits_trailing(const Value* p, const Value* x, int64_t count) {
  if (!p || float_dtype(p) != float_dtype(x) || !p->type.shape || !x->type.shape) return false;
  const std::vector<Dim>& pd = p->type.shape->dims;
  const std::vector<Dim>& xd = x->type.shape->dims;
  if (static_cast<int64_t>(pd.size()) > count || pd.size() > xd.size()) return false;
  for (size_t i = 1; i <= pd.size(); ++i) {
    const Dim& a = pd[pd.size() - i];
    const Dim& b = xd[xd.size() - i];
    if (!a.is_known() || !b.is_known() || a.value != b.value) return false;
  }
  return true;
}

}  // namespace

std::optional<RootMeanSquare> match_root_mean_square(Node* sqrt, int64_t opset) {
  RootMeanSquare r;
  Value* shifted = sqrt->input(0);
  Node* add = producer_op(shifted, "Add");
  if (!add || sole_consumer(shifted) != sqrt) return std::nullopt;
  const std::optional<ScalarOperand> eps = operand_beside_scalar(add);
  if (!eps || eps->value < 0) return std::nullopt;
  r.epsilon = eps->value;
  Node* mean = producer_op(eps->operand, "ReduceMean");
  if (!mean || sole_consumer(eps->operand) != add) return std::nullopt;
  Value* squared = mean->input(0);
  r.square = squared ? squared->producer() : nullptr;
  if (!r.square || sole_consumer(squared) != mean) return std::nullopt;
  r.v = r.square->input(0);
  const bool pow2 = is_op(r.square, "Pow") && is_scalar(r.square->input(1), 2);
  const bool self_product = is_op(r.square, "Mul") && r.square->input(1) == r.v;
  if (!r.v || !(pow2 || self_product)) return std::nullopt;
  const int64_t rank = rank_of(r.v);
  const std::optional<std::vector<int64_t>> axes = reduce_mean_axes(mean, rank, opset);
  if (!axes) return std::nullopt;
  // Normalisation over the trailing axes is what the standard ops express (axis = first of them).
  r.count = static_cast<int64_t>(axes->size());
  if (r.count == 0) return std::nullopt;
  for (int64_t i = 0; i < r.count; ++i)
    if ((*axes)[static_cast<size_t>(i)] != rank - r.count + i) return std::nullopt;
  r.nodes = {r.square, mean, add, sqrt};
  return r;
}

std::optional<std::vector<Node*>> match_divided_by_sqrt(Node* sqrt, const Value* v) {
  Value* s = sqrt->output(0);
  Node* next = sole_consumer(s);
  if (is_op(next, "Div")) {
    if (next->input(1) != s) return std::nullopt;
    if (next->input(0) == v) return std::vector<Node*>{next};
    // 1 / s, then times v.
    if (!is_scalar(next->input(0), 1)) return std::nullopt;
  } else if (!is_op(next, "Reciprocal")) {
    return std::nullopt;
  }
  Node* mul = consumer_op(next->output(0), "Mul");
  if (other_input(mul, next->output(0)) != v) return std::nullopt;
  return std::vector<Node*>{next, mul};
}

Affine match_affine(Node* y, const Value* x, int64_t count, bool with_beta) {
  Affine a;
  a.last = y;
  Node* mul = consumer_op(y->output(0), "Mul");
  if (Value* g = other_input(mul, y->output(0)); g && g != y->output(0) && fits_trailing(g, x, count)) {
    a.gamma = g;
    a.last = mul;
    a.nodes.push_back(mul);
  }
  if (!with_beta) return a;
  Node* add = consumer_op(a.last->output(0), "Add");
  if (Value* b = other_input(add, a.last->output(0)); b && b != a.last->output(0) && fits_trailing(b, x, count)) {
    a.beta = b;
    a.last = add;
    a.nodes.push_back(add);
  }
  return a;
}

std::optional<std::vector<int64_t>> trailing_dims(const Value* x, int64_t count) {
  if (!x->type.shape || static_cast<int64_t>(x->type.shape->rank()) < count) return std::nullopt;
  const std::vector<Dim>& d = x->type.shape->dims;
  std::vector<int64_t> out;
  for (size_t i = d.size() - static_cast<size_t>(count); i < d.size(); ++i) {
    if (!d[i].is_known()) return std::nullopt;
    out.push_back(d[i].value);
  }
  return out;
}

}  // namespace kiln::passes::patterns
