// Inference rules for elementwise ops: unary math and activations (shape and type of the input),
// broadcasting binary and variadic ops, comparisons and logic (bool results), Cast, Where.
// Integer ops also propagate known contents, for shape arithmetic in exporter-made subgraphs.
#include <algorithm>

#include "core/analysis/infer_context.h"

namespace kiln::analysis {

namespace {

// Output 0 has the type of input 0.
void same_as_input(InferContext& c) {
  const ValueType& t = c.type(0);
  if (t.is_known()) c.set(0, t);
}

void same_as_input_bool(InferContext& c) {
  const Shape* s = c.shape(0);
  c.set(0, s ? ValueType::tensor(DataType::Bool, *s) : ValueType::tensor(DataType::Bool));
}

// Numpy broadcasting of every present input; nullopt when some rank is unknown.
std::optional<Shape> broadcast_inputs(InferContext& c, size_t first = 0) {
  std::optional<Shape> out;
  bool conflict = false;
  for (size_t i = first; i < c.num_inputs(); ++i) {
    if (!c.has_input(i)) continue;
    const Shape* s = c.shape(i);
    if (!s) return std::nullopt;
    out = out ? broadcast_shapes(*out, *s, &conflict) : *s;
  }
  if (conflict) c.warn("input shapes cannot be broadcast together");
  return out;
}

DataType first_dtype(InferContext& c, size_t first = 0) {
  for (size_t i = first; i < c.num_inputs(); ++i)
    if (c.dtype(i) != DataType::Undefined) return c.dtype(i);
  return DataType::Undefined;
}

void set_broadcast(InferContext& c, DataType dt, size_t first = 0) {
  auto s = broadcast_inputs(c, first);
  c.set(0, s ? ValueType::tensor(dt, std::move(*s)) : ValueType::tensor(dt));
}

// Elementwise integer function over the known contents of inputs a and b, with scalar/length-1
// broadcasting (all a shape tensor ever needs).
template <class F>
void propagate_binary(InferContext& c, F f, size_t a = 0, size_t b = 1) {
  const KnownInts* x = c.ints(a);
  const KnownInts* y = c.ints(b);
  if (!x || !y) return;
  size_t n = std::max(x->v.size(), y->v.size());
  if ((x->v.size() != n && x->v.size() != 1) || (y->v.size() != n && y->v.size() != 1)) return;
  if (x->v.empty() || y->v.empty()) return;
  KnownInts out;
  out.scalar = x->scalar && y->scalar;
  out.v.reserve(n);
  for (size_t i = 0; i < n; ++i)
    out.v.push_back(f(x->v[x->v.size() == 1 ? 0 : i], y->v[y->v.size() == 1 ? 0 : i]));
  c.set_ints(0, std::move(out));
}

bool is_integer_or_bool(DataType t) { return dtype_is_integer(t) || t == DataType::Bool; }

void binary(InferContext& c) { set_broadcast(c, first_dtype(c)); }

void add(InferContext& c) {
  binary(c);
  if (is_integer_or_bool(c.dtype(0))) propagate_binary(c, sym_add);
}
void sub(InferContext& c) {
  binary(c);
  if (is_integer_or_bool(c.dtype(0))) propagate_binary(c, sym_sub);
}
void mul(InferContext& c) {
  binary(c);
  if (is_integer_or_bool(c.dtype(0))) propagate_binary(c, sym_mul);
}
void div(InferContext& c) {
  binary(c);
  if (is_integer_or_bool(c.dtype(0))) propagate_binary(c, sym_div);
}

// Pow's result has the base's type whatever the exponent's.
void pow(InferContext& c) { set_broadcast(c, c.dtype(0)); }

void compare(InferContext& c) { set_broadcast(c, DataType::Bool); }

void equal(InferContext& c) {
  compare(c);
  propagate_binary(c, [](const SymInt& a, const SymInt& b) {
    if (a.is_known() && b.is_known()) return SymInt::known(a.value == b.value ? 1 : 0);
    if (a.is_symbolic() && b.is_symbolic() && a.symbol == b.symbol) return SymInt::known(1);
    // A symbolic dim is a size, so never negative.
    if ((a.is_symbolic() && b.is_known() && b.value < 0) ||
        (b.is_symbolic() && a.is_known() && a.value < 0))
      return SymInt::known(0);
    return SymInt::unknown();
  });
}

void variadic(InferContext& c) { set_broadcast(c, first_dtype(c)); }

template <bool kMax>
void min_max(InferContext& c) {
  variadic(c);
  if (c.num_inputs() == 2 && is_integer_or_bool(c.dtype(0)))
    propagate_binary(c, [](const SymInt& a, const SymInt& b) {
      if (a.is_known() && b.is_known())
        return SymInt::known(kMax ? std::max(a.value, b.value) : std::min(a.value, b.value));
      if (a == b) return a;
      return SymInt::unknown();
    });
}

void where(InferContext& c) {
  DataType dt = c.dtype(1) != DataType::Undefined ? c.dtype(1) : c.dtype(2);
  set_broadcast(c, dt);
  const KnownInts* cond = c.ints(0);
  const KnownInts* x = c.ints(1);
  const KnownInts* y = c.ints(2);
  if (!cond || !x || !y || cond->v.empty() || x->v.empty() || y->v.empty()) return;
  size_t n = std::max({cond->v.size(), x->v.size(), y->v.size()});
  for (const KnownInts* k : {cond, x, y})
    if (k->v.size() != n && k->v.size() != 1) return;
  KnownInts out;
  out.scalar = cond->scalar && x->scalar && y->scalar;
  for (size_t i = 0; i < n; ++i) {
    const SymInt& ci = cond->v[cond->v.size() == 1 ? 0 : i];
    if (!ci.is_known()) {
      out.v.push_back(SymInt::unknown());
      continue;
    }
    const KnownInts* pick = ci.value ? x : y;
    out.v.push_back(pick->v[pick->v.size() == 1 ? 0 : i]);
  }
  c.set_ints(0, std::move(out));
}

// Cast-1 names the target type as a string ("FLOAT"); later versions by its code.
std::optional<DataType> cast_target(const Node& n) {
  const Attribute* a = n.attr("to");
  if (!a) return std::nullopt;
  if (a->kind == AttrKind::String) return dtype_from_enum_name(a->s);
  if (!dtype_is_known(static_cast<int32_t>(a->i))) return std::nullopt;
  return static_cast<DataType>(a->i);
}

void propagate_ints_unchanged(InferContext& c) {
  if (const KnownInts* k = c.ints(0)) c.set_ints(0, *k);
}

void cast(InferContext& c) {
  auto to = cast_target(c.node());
  if (!to) {
    c.warn("attribute 'to' is missing or names no known type");
    return;
  }
  const Shape* s = c.shape(0);
  c.set(0, s ? ValueType::tensor(*to, *s) : ValueType::tensor(*to));
  // Only integer targets keep shape data exact (float arithmetic on it would not be integer).
  if (dtype_is_integer(*to)) propagate_ints_unchanged(c);
}

void cast_like(InferContext& c) {
  const Shape* s = c.shape(0);
  DataType dt = c.dtype(1);
  c.set(0, s ? ValueType::tensor(dt, *s) : ValueType::tensor(dt));
  if (dtype_is_integer(dt)) propagate_ints_unchanged(c);
}

void identity(InferContext& c) {
  same_as_input(c);
  propagate_ints_unchanged(c);
}

void neg(InferContext& c) {
  same_as_input(c);
  if (const KnownInts* k = c.ints(0)) {
    KnownInts out = *k;
    for (SymInt& s : out.v) s = sym_sub(SymInt::known(0), s);
    c.set_ints(0, std::move(out));
  }
}

void abs(InferContext& c) {
  same_as_input(c);
  if (const KnownInts* k = c.ints(0)) {
    KnownInts out = *k;
    for (SymInt& s : out.v)
      if (s.is_known() && s.value < 0 && s.value != std::numeric_limits<int64_t>::min())
        s.value = -s.value;
    c.set_ints(0, std::move(out));
  }
}

void dropout(InferContext& c) {
  same_as_input(c);
  if (c.has_output(1)) {
    // The mask is bool from opset 10; before, it had the data's type.
    DataType mask = c.opset() >= 10 ? DataType::Bool : c.dtype(0);
    const Shape* s = c.shape(0);
    c.set(1, s ? ValueType::tensor(mask, *s) : ValueType::tensor(mask));
  }
}

}  // namespace

void add_elementwise_rules(RuleTable& t) {
  // Ops whose output has the input's type and shape, with the opset each first appeared in.
  static const std::pair<std::string_view, int64_t> kSameAsInput[] = {
      {"Exp", 1},         {"Log", 1},          {"Sqrt", 1},       {"Reciprocal", 1},
      {"Floor", 1},       {"Ceil", 1},         {"Round", 11},     {"Sign", 9},
      {"Sin", 7},         {"Cos", 7},          {"Tan", 7},        {"Asin", 7},
      {"Acos", 7},        {"Atan", 7},         {"Sinh", 9},       {"Cosh", 9},
      {"Asinh", 9},       {"Acosh", 9},        {"Atanh", 9},      {"Erf", 9},
      {"Relu", 1},        {"LeakyRelu", 1},    {"PRelu", 1},      {"Elu", 1},
      {"Selu", 1},        {"Celu", 12},        {"Sigmoid", 1},    {"HardSigmoid", 1},
      {"HardSwish", 14},  {"Softplus", 1},     {"Softsign", 1},   {"Tanh", 1},
      {"Gelu", 20},       {"Mish", 18},        {"Clip", 1},       {"ThresholdedRelu", 10},
      {"Swish", 24},      {"BitwiseNot", 18},  {"Shrink", 9},     {"Softmax", 1},
      {"LogSoftmax", 1},  {"Hardmax", 1},      {"CumSum", 11},    {"Trilu", 14}};
  for (const auto& [op, since] : kSameAsInput) t.add(op, since, same_as_input);
  t.add("Abs", 1, abs);
  t.add("Neg", 1, neg);
  t.add("Identity", 1, identity);
  t.add("Not", 1, same_as_input_bool);
  t.add("IsNaN", 9, same_as_input_bool);
  t.add("IsInf", 10, same_as_input_bool);

  t.add("Add", 1, add);
  t.add("Sub", 1, sub);
  t.add("Mul", 1, mul);
  t.add("Div", 1, div);
  t.add("Pow", 1, pow);
  static const std::pair<std::string_view, int64_t> kBinary[] = {
      {"Mod", 10},        {"BitShift", 11}, {"BitwiseAnd", 18}, {"BitwiseOr", 18},
      {"BitwiseXor", 18}, {"And", 1},       {"Or", 1},          {"Xor", 1}};
  for (const auto& [op, since] : kBinary) t.add(op, since, binary);
  t.add("Less", 1, compare);
  t.add("Greater", 1, compare);
  t.add("LessOrEqual", 12, compare);
  t.add("GreaterOrEqual", 12, compare);
  t.add("Equal", 1, equal);
  t.add("Max", 1, min_max<true>);
  t.add("Min", 1, min_max<false>);
  t.add("Sum", 1, variadic);
  t.add("Mean", 1, variadic);
  t.add("Where", 9, where);
  t.add("Cast", 1, cast);
  t.add("CastLike", 15, cast_like);
  t.add("Dropout", 1, dropout);
}

}  // namespace kiln::analysis
