// Shape helpers shared by the inference rule families: broadcasting, dim refinement and union,
// and the integer arithmetic of partial data propagation.
#include <algorithm>
#include <cmath>

#include "core/analysis/infer_context.h"

namespace kiln::analysis {

std::optional<int64_t> normalize_axis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

Dim broadcast_dim(const Dim& a, const Dim& b, bool* conflict) {
  if (a.is_known() && a.value == 1) return b;
  if (b.is_known() && b.value == 1) return a;
  if (a.is_known() && b.is_known()) {
    if (a.value != b.value && conflict) *conflict = true;
    return a.value == b.value ? a : Dim::unknown();
  }
  // A known size other than 1 decides: the other side must be 1 or the same size.
  if (a.is_known()) return a;
  if (b.is_known()) return b;
  if (a.is_symbolic() && b.is_symbolic() && a.symbol == b.symbol) return a;
  return Dim::unknown();
}

Shape broadcast_shapes(const Shape& a, const Shape& b, bool* conflict) {
  size_t r = std::max(a.rank(), b.rank());
  Shape out;
  out.dims.resize(r);
  size_t off_a = r - a.rank(), off_b = r - b.rank();  // leading dims one side lacks
  for (size_t i = 0; i < r; ++i) {
    if (i >= off_a && i >= off_b) {
      out.dims[i] = broadcast_dim(a.dims[i - off_a], b.dims[i - off_b], conflict);
    } else if (i >= off_a) {
      out.dims[i] = a.dims[i - off_a];
    } else {
      out.dims[i] = b.dims[i - off_b];
    }
  }
  return out;
}

Dim refine_dim(const Dim& a, const Dim& b, bool* conflict) {
  if (a.is_known()) {
    if (b.is_known() && b.value != a.value && conflict) *conflict = true;
    return a;
  }
  if (b.is_known()) return b;
  if (a.is_symbolic()) return a;
  return b;
}

Dim union_dim(const Dim& a, const Dim& b) {
  if (a == b) return a;
  return Dim::unknown();
}

ValueType union_type(const ValueType& a, const ValueType& b) {
  if (!a.is_known() || !b.is_known() || a.kind != b.kind) return ValueType();
  if (!a.is_tensor()) return a.other == b.other ? a : union_other_type(a, b);
  if (a.dtype != b.dtype) return ValueType();
  ValueType out = ValueType::tensor(a.dtype);
  if (a.shape && b.shape && a.shape->rank() == b.shape->rank()) {
    Shape s;
    s.dims.reserve(a.shape->rank());
    for (size_t i = 0; i < a.shape->rank(); ++i)
      s.dims.push_back(union_dim(a.shape->dims[i], b.shape->dims[i]));
    out.shape = std::move(s);
  }
  return out;
}

SymInt sym_add(const SymInt& a, const SymInt& b) {
  if (a.is_known() && b.is_known()) {
    int64_t r;
    if (__builtin_add_overflow(a.value, b.value, &r)) return SymInt::unknown();
    return SymInt::known(r);
  }
  if (a.is_known() && a.value == 0) return b;
  if (b.is_known() && b.value == 0) return a;
  return SymInt::unknown();
}

SymInt sym_sub(const SymInt& a, const SymInt& b) {
  if (a.is_known() && b.is_known()) {
    int64_t r;
    if (__builtin_sub_overflow(a.value, b.value, &r)) return SymInt::unknown();
    return SymInt::known(r);
  }
  if (b.is_known() && b.value == 0) return a;
  if (a.is_symbolic() && b.is_symbolic() && a.symbol == b.symbol) return SymInt::known(0);
  return SymInt::unknown();
}

SymInt sym_mul(const SymInt& a, const SymInt& b) {
  if (a.is_known() && b.is_known()) {
    int64_t r;
    if (__builtin_mul_overflow(a.value, b.value, &r)) return SymInt::unknown();
    return SymInt::known(r);
  }
  if (a.is_known() && a.value == 1) return b;
  if (b.is_known() && b.value == 1) return a;
  if ((a.is_known() && a.value == 0) || (b.is_known() && b.value == 0)) return SymInt::known(0);
  return SymInt::unknown();
}

SymInt sym_div(const SymInt& a, const SymInt& b) {
  if (a.is_known() && b.is_known()) {
    if (b.value == 0 || (b.value == -1 && a.value == std::numeric_limits<int64_t>::min()))
      return SymInt::unknown();
    return SymInt::known(a.value / b.value);
  }
  if (b.is_known() && b.value == 1) return a;
  if (a.is_symbolic() && b.is_symbolic() && a.symbol == b.symbol) return SymInt::known(1);
  return SymInt::unknown();
}

std::optional<int64_t> size_from_double(double v) {
  // 2^63 is exactly representable; everything below it converts without overflow.
  if (!(v >= 0) || v >= 9223372036854775808.0) return std::nullopt;
  return static_cast<int64_t>(std::floor(v));
}

Dim dim_product(const std::vector<Dim>& dims, size_t begin, size_t end) {
  int64_t p = 1;
  const Dim* sym = nullptr;
  bool unknown = false;
  for (size_t i = begin; i < end && i < dims.size(); ++i) {
    const Dim& d = dims[i];
    if (d.is_known()) {
      if (__builtin_mul_overflow(p, d.value, &p)) return Dim::unknown();
    } else if (d.is_symbolic() && !sym) {
      sym = &d;
    } else {
      unknown = true;
    }
  }
  if (p == 0) return Dim::known(0);
  if (unknown) return Dim::unknown();
  if (sym) return p == 1 ? *sym : Dim::unknown();
  return Dim::known(p);
}

std::optional<Shape> shape_of_length(const Shape* s) {
  if (!s || s->rank() != 1 || !s->dims[0].is_known() || s->dims[0].value > kMaxRank)
    return std::nullopt;
  return Shape(std::vector<Dim>(static_cast<size_t>(s->dims[0].value)));
}

void copy_input_type(InferContext& c, size_t in, size_t out) {
  if (c.type(in).is_known()) c.set(out, c.type(in));
}

std::optional<std::vector<int64_t>> attr_ints_opt(const Node& n, std::string_view name) {
  const Attribute* a = n.attr(name);
  if (!a) return std::nullopt;
  if (a->kind == AttrKind::Int) return std::vector<int64_t>{a->i};
  return a->ints;
}

void RuleTable::add(std::string_view op_type, int64_t since, InferFn fn, int64_t until,
                    std::string_view domain) {
  rules_.push_back(OpRule{domain, op_type, since, until, fn});
}

}  // namespace kiln::analysis
