#include "passes/fusion/fusion_helpers.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace kiln::passes {
namespace {

// double -> float rounding to odd: rounding that float to float16 then equals rounding the double
// to float16 directly (float's 24-bit significand is at least twice float16's 11 bits plus two),
// so the value is rounded once.
float round_to_odd(double d) {
  float f = static_cast<float>(d);
  if (static_cast<double>(f) == d || !std::isfinite(f)) return f;
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  // Neighbouring floats alternate odd and even: if nearest gave the even one, the odd one lies
  // on d's side of it.
  return (bits & 1) ? f : std::nextafter(f, d > f ? INFINITY : -INFINITY);
}

}  // namespace

bool is_foldable_float(DataType t) {
  return t == DataType::Float32 || t == DataType::Float16 || t == DataType::Float64;
}

std::shared_ptr<const Tensor> float_tensor(std::string name, DataType dtype, std::vector<int64_t> dims,
                                           const std::vector<double>& v) {
  switch (dtype) {
    case DataType::Float64: return Tensor::from_values(std::move(name), dtype, std::move(dims), v);
    case DataType::Float16: {
      std::vector<uint16_t> h(v.size());
      for (size_t i = 0; i < v.size(); ++i) h[i] = float_to_half(round_to_odd(v[i]));
      return Tensor::from_values(std::move(name), dtype, std::move(dims), h);
    }
    default: {
      std::vector<float> f(v.begin(), v.end());
      return Tensor::from_values(std::move(name), DataType::Float32, std::move(dims), f);
    }
  }
}

std::shared_ptr<const Tensor> int64_tensor(std::string name, std::vector<int64_t> dims,
                                           const std::vector<int64_t>& v) {
  return Tensor::from_values(std::move(name), DataType::Int64, std::move(dims), v);
}

bool private_to(Rewriter& rw, const Value* v, const Node* reader, size_t index) {
  if (!v || v->is_graph_output() || v->uses().size() != 1 || rw.is_captured(v)) return false;
  const Use& u = v->uses().front();
  return u.node == reader && u.index == index;
}

bool can_take_over(Rewriter& rw, const Value* from, const Value* to) {
  if (!Rewriter::can_replace(from, to) || rw.is_captured(from)) return false;
  return !(from->is_graph_output() && rw.is_captured(to));
}

std::optional<std::vector<int64_t>> constant_ints(const Value* v) {
  const Tensor* t = constant_of(v);
  if (!t || !dtype_is_integer(t->dtype) || t->dims.size() > 1) return std::nullopt;
  std::vector<int64_t> out = t->to_int64();
  if (static_cast<int64_t>(out.size()) != t->numel()) return std::nullopt;
  return out;
}

int64_t known_rank(const Value* v) {
  if (!v || !v->type.is_tensor() || !v->type.shape) return -1;
  return static_cast<int64_t>(v->type.shape->rank());
}

std::optional<std::vector<int64_t>> normalize_axes(const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<int64_t> out;
  out.reserve(axes.size());
  for (int64_t a : axes) {
    const int64_t n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank || std::find(out.begin(), out.end(), n) != out.end()) return std::nullopt;
    out.push_back(n);
  }
  return out;
}

std::optional<std::vector<int64_t>> transpose_perm(const Node* transpose) {
  if (const Attribute* a = transpose->attr("perm")) {
    auto perm = normalize_axes(a->ints, static_cast<int64_t>(a->ints.size()));
    if (!perm || (*perm) != a->ints) return std::nullopt;
    return perm;
  }
  const int64_t rank = known_rank(transpose->input(0));
  if (rank < 0) return std::nullopt;
  std::vector<int64_t> reversed(static_cast<size_t>(rank));
  for (int64_t i = 0; i < rank; ++i) reversed[static_cast<size_t>(i)] = rank - 1 - i;
  return reversed;
}

void copy_attrs(Rewriter& rw, const Node* src, Node* dst, const std::vector<std::string_view>& skip) {
  for (const Attribute& a : src->attrs())
    if (std::find(skip.begin(), skip.end(), a.name) == skip.end()) rw.set_attr(dst, a);
}

void replace_and_remove(Rewriter& rw, Value* old_out, Value* new_out) {
  Node* last = old_out->producer();
  rw.replace_uses(old_out, new_out);
  rw.remove_node(last);
}

std::vector<NodeId> node_ids(const Graph& g) {
  std::vector<NodeId> ids;
  ids.reserve(g.node_count());
  g.for_each_node([&](const Node* n) { ids.push_back(n->id()); });
  return ids;
}

}  // namespace kiln::passes
