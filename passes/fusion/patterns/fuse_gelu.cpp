// fuse-gelu: 0.5 * x * (1 + Erf(x / sqrt(2))) and its tanh approximation become Gelu.
#include <cmath>

#include "passes/fusion/patterns/pattern_match.h"
#include "passes/fusion/patterns/pattern_passes.h"

namespace kiln::passes {
namespace {

using namespace patterns;

constexpr double kSqrt2 = 1.4142135623730951;
constexpr double kSqrt2OverPi = 0.7978845608028654;
constexpr double kCubeCoefficient = 0.044715;

struct Tail {
  Node* last;
  std::vector<const Node*> nodes;
};

// Whether n halves v: v * 0.5 or v / 2, operands of the Mul in either order.
bool halves(const Node* n, const Value* v) { return v && divided_by(n, 2) == v; }

// 0.5 * x * s, where s = 1 + Erf(...) or 1 + Tanh(...), in the orders exporters write it:
// (x * s) * 0.5, (x * 0.5) * s, x * (s * 0.5).
std::optional<Tail> match_half_x_times(Value* s, Value* x) {
  Node* first = sole_consumer(s);
  if (is_op(first, "Mul")) {
    Value* other = other_input(first, s);
    if (other == x) {
      Node* half = sole_consumer(first->output(0));
      if (!halves(half, first->output(0))) return std::nullopt;
      return Tail{half, {first, half}};
    }
    Node* half = other ? other->producer() : nullptr;
    if (halves(half, x) && sole_consumer(other) == first) return Tail{first, {half, first}};
  }
  if (halves(first, s)) {
    Node* mul = consumer_op(first->output(0), "Mul");
    if (other_input(mul, first->output(0)) != x) return std::nullopt;
    return Tail{mul, {first, mul}};
  }
  return std::nullopt;
}

// From `core` (the Erf or Tanh, `nodes` being it and what computes its argument): s = 1 + core,
// then the 0.5 * x * s tail. The Gelu replaces all of them.
std::optional<Fusion> finish(Value* x, Node* core, std::vector<const Node*> nodes, const char* approximate) {
  Node* add = consumer_op(core->output(0), "Add");
  if (operand_beside(add, 1) != core->output(0)) return std::nullopt;
  std::optional<Tail> tail = match_half_x_times(add->output(0), x);
  if (!tail || !keeps_type(x, tail->last->output(0))) return std::nullopt;
  nodes.push_back(add);
  nodes.insert(nodes.end(), tail->nodes.begin(), tail->nodes.end());
  std::vector<Attribute> attrs;
  if (approximate) attrs.push_back(Attribute::make_string("approximate", approximate));
  return Fusion("Gelu", {x}, tail->last, std::move(nodes), std::move(attrs));
}

// Erf(x / sqrt(2)), the division also as x * (1 / sqrt(2)).
std::optional<Fusion> match_erf(Node* erf) {
  Value* scaled = erf->input(0);
  Node* scale = scaled ? scaled->producer() : nullptr;
  if (!scale || sole_consumer(scaled) != erf) return std::nullopt;
  Value* x = divided_by(scale, kSqrt2);
  if (!x) return std::nullopt;
  return finish(x, erf, {scale, erf}, nullptr);
}

// The nodes computing x^3 as Pow(x, 3) or x * x * x (in either grouping order), read only by
// `reader`.
std::optional<std::vector<const Node*>> match_cube(Value* cube, const Value* x, const Node* reader) {
  Node* p = cube ? cube->producer() : nullptr;
  if (!p || sole_consumer(cube) != reader) return std::nullopt;
  if (is_op(p, "Pow")) {
    if (p->input(0) != x || !is_scalar(p->input(1), 3)) return std::nullopt;
    return std::vector<const Node*>{p};
  }
  if (!is_op(p, "Mul")) return std::nullopt;
  Value* square = other_input(p, x);
  Node* sq = producer_op(square, "Mul");
  if (!sq || sq->input(0) != x || sq->input(1) != x || sole_consumer(square) != p) return std::nullopt;
  return std::vector<const Node*>{sq, p};
}

// Tanh(sqrt(2/pi) * (x + 0.044715 * x^3)), products and the sum in either operand order.
std::optional<Fusion> match_tanh(Node* tanh) {
  Value* scaled = tanh->input(0);
  Node* scale = producer_op(scaled, "Mul");
  if (!scale || sole_consumer(scaled) != tanh) return std::nullopt;
  Value* inner = operand_beside(scale, kSqrt2OverPi);
  Node* add = producer_op(inner, "Add");
  if (!add || sole_consumer(inner) != scale) return std::nullopt;
  for (size_t i = 0; i < 2; ++i) {
    Value* x = add->input(i);
    Value* term = add->input(1 - i);
    Node* coeff = producer_op(term, "Mul");
    if (!coeff || sole_consumer(term) != add) continue;
    std::optional<std::vector<const Node*>> cube = match_cube(operand_beside(coeff, kCubeCoefficient), x, coeff);
    if (!cube) continue;
    std::vector<const Node*> nodes = *cube;
    nodes.insert(nodes.end(), {coeff, add, scale, tanh});
    return finish(x, tanh, std::move(nodes), "tanh");
  }
  return std::nullopt;
}

void run(PassContext& ctx) {
  fuse_patterns(ctx, onnx_ops({"Erf", "Tanh"}), [](Node* n, int64_t) { return is_op(n, "Erf") ? match_erf(n) : match_tanh(n); });
}

}  // namespace

void register_fuse_gelu(PassRegistry& r) {
  r.add({{"fuse-gelu",
          PassCategory::Fusion,
          "Fuse written-out GELU (erf or tanh form) into Gelu",
          "Replaces 0.5 * x * (1 + Erf(x / sqrt(2))) by Gelu, and 0.5 * x * (1 + Tanh(sqrt(2/pi) * "
          "(x + 0.044715 * x^3))) by Gelu(approximate=\"tanh\") (opset 20), or by ai.kiln Gelu on "
          "older opsets when allow_kiln_ops is set. Accepts the exporter variants: x / sqrt(2) or "
          "x * (1/sqrt(2)); x^3 as Pow(x, 3) or x * x * x; the 0.5 applied first, last or to the "
          "sum (also as a division by 2); operands in either order. Refuses when an intermediate "
          "value has another reader or is a graph output, a constant differs, or the pattern is not "
          "on a float tensor of known rank.",
          {allow_kiln_ops_option()},
          fusion_stats("GELU patterns"),
          true},
         run});
}

}  // namespace kiln::passes
