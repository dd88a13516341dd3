#include "passes/fusion/epilogue/epilogue_match.h"

#include <limits>

#include "core/ir/kiln_domain.h"

namespace kiln::passes::epilogue {
namespace {

// A Clip bound: a scalar constant (the input of opset 11+) whose value a float attribute holds
// exactly; an omitted bound is the float range's end, as Clip's own default for float tensors.
std::optional<float> clip_bound(const Value* v, float omitted, DataType dt) {
  if (!v) {
    // A double tensor's default bound is the double range's end, which a float cannot hold.
    if (dt == DataType::Float64) return std::nullopt;
    return omitted;
  }
  const std::vector<double> d = constant_values(v);
  if (d.size() != 1 || static_cast<double>(static_cast<float>(d[0])) != d[0]) return std::nullopt;
  return static_cast<float>(d[0]);
}

std::optional<ActivationMatch> clip(const Model& model, Node* c, DataType dt) {
  ActivationMatch a;
  a.kind = KilnActivation::Clip;
  constexpr float lo = std::numeric_limits<float>::lowest(), hi = std::numeric_limits<float>::max();
  if (model.opset("") < 11) {
    a.params = {c->attr_float("min", lo), c->attr_float("max", hi)};
    return a;
  }
  const auto min = clip_bound(c->input(1), lo, dt);
  const auto max = clip_bound(c->input(2), hi, dt);
  if (!min || !max) return std::nullopt;
  a.params = {*min, *max};
  return a;
}

std::optional<KilnActivation> gelu_kind(const Node* n) {
  const std::string approx = n->attr_string("approximate", "none");
  if (approx == "none") return KilnActivation::Gelu;
  if (approx == "tanh") return KilnActivation::GeluTanh;
  return std::nullopt;
}

// x * Sigmoid(x), either operand order: x's two consumers are the Sigmoid and the Mul.
std::optional<ActivationMatch> written_silu(Value* x) {
  if (x->is_graph_output() || x->uses().size() != 2) return std::nullopt;
  Node* sig = nullptr;
  Node* mul = nullptr;
  for (const Use& u : x->uses()) {
    if (is_onnx(u.node, "Sigmoid")) sig = u.node;
    if (is_onnx(u.node, "Mul")) mul = u.node;
  }
  if (!sig || !mul || sig->num_outputs() != 1 || sole_consumer(sig->output(0)) != mul) return std::nullopt;
  const bool operands = (mul->input(0) == x && mul->input(1) == sig->output(0)) ||
                        (mul->input(1) == x && mul->input(0) == sig->output(0));
  if (!operands || mul->num_inputs() != 2) return std::nullopt;
  ActivationMatch a;
  a.kind = KilnActivation::Silu;
  a.nodes = {sig, mul};
  a.output = mul->output(0);
  return a;
}

}  // namespace

bool is_onnx(const Node* n, std::string_view op) { return n && n->op_type == op && n->is_onnx_domain(); }
bool is_kiln(const Node* n, std::string_view op) { return n && n->op_type == op && n->domain == kKilnDomain; }

const Shape* shape_of(const Value* v) {
  return v && v->type.is_tensor() && v->type.shape ? &*v->type.shape : nullptr;
}

bool is_float_tensor(const Value* v) {
  if (!v || !v->type.is_tensor()) return false;
  const DataType d = v->type.dtype;
  return d == DataType::Float32 || d == DataType::Float64 || d == DataType::Float16 || d == DataType::BFloat16;
}

bool same_dim(const Dim& a, const Dim& b) {
  if (a.is_known() || b.is_known()) return a.is_known() && b.is_known() && a.value == b.value;
  return a.is_symbolic() && b.is_symbolic() && a.symbol == b.symbol;
}

bool same_shape(const Value* v, const Shape& s) {
  const Shape* vs = shape_of(v);
  if (!vs || vs->rank() != s.rank()) return false;
  for (size_t i = 0; i < s.rank(); ++i)
    if (!same_dim(vs->dims[i], s.dims[i])) return false;
  return true;
}

std::optional<ActivationMatch> match_activation(const Model& model, Value* x) {
  if (!is_float_tensor(x)) return std::nullopt;
  if (auto silu = written_silu(x)) return silu;
  Node* c = sole_consumer(x);
  // x must be the activated operand and nothing else (not also a Clip bound).
  if (!c || c->num_outputs() != 1 || c->input(0) != x || x->uses().size() != 1) return std::nullopt;
  // ONNX activations, and those the pattern fusions emit in Kiln's domain (Silu; Gelu,
  // HardSigmoid and HardSwish with the ONNX op's attributes where the opset predates them).
  const bool onnx = c->is_onnx_domain(), kiln = c->domain == kKilnDomain;
  const std::string& op = c->op_type;
  std::optional<ActivationMatch> a;
  a.emplace();
  if (onnx && op == "Relu") {
    a->kind = KilnActivation::Relu;
  } else if (onnx && op == "LeakyRelu") {
    a->kind = KilnActivation::LeakyRelu;
    a->params = {c->attr_float("alpha", 0.01f)};
  } else if (onnx && op == "Sigmoid") {
    a->kind = KilnActivation::Sigmoid;
  } else if (onnx && op == "Tanh") {
    a->kind = KilnActivation::Tanh;
  } else if (onnx && op == "Clip") {
    a = clip(model, c, x->type.dtype);
  } else if ((onnx || kiln) && op == "HardSigmoid") {
    a->kind = KilnActivation::HardSigmoid;
    a->params = {c->attr_float("alpha", 0.2f), c->attr_float("beta", 0.5f)};
  } else if ((onnx || kiln) && op == "HardSwish") {
    a->kind = KilnActivation::HardSwish;
  } else if ((onnx || kiln) && op == "Gelu") {
    const auto kind = gelu_kind(c);
    if (!kind) return std::nullopt;
    a->kind = *kind;
  } else if (kiln && op == "Silu") {
    a->kind = KilnActivation::Silu;
  } else {
    return std::nullopt;
  }
  if (!a) return std::nullopt;
  a->nodes = {c};
  a->output = c->output(0);
  return a;
}

bool none_captured(Rewriter& rw, const std::vector<const Node*>& nodes) {
  for (const Node* n : nodes)
    for (const Value* v : n->outputs())
      if (v && rw.is_captured(v)) return false;
  return true;
}

void set_activation(Rewriter& rw, Node* n, const ActivationMatch& a) {
  if (a.kind == KilnActivation::None) return;
  rw.set_attr(n, Attribute::make_string("activation", std::string(kiln_activation_info(a.kind).name)));
  if (!a.params.empty()) rw.set_attr(n, Attribute::make_floats("activation_params", a.params));
}

void copy_attrs(Rewriter& rw, const Node* from, Node* to) {
  for (const Attribute& a : from->attrs()) rw.set_attr(to, a);
}

}  // namespace kiln::passes::epilogue
