#include "passes/reordering/reorder_helpers.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string_view>
#include <unordered_set>

namespace kiln::passes::reorder {
namespace {

const std::unordered_set<std::string_view>& unary_ops() {
  static const std::unordered_set<std::string_view> ops = {
      "Abs",   "Acos",     "Acosh", "Asin",        "Asinh",      "Atan",    "Atanh",   "BitwiseNot",
      "Cast",  "Ceil",     "Celu",  "Cos",         "Cosh",       "Elu",     "Erf",     "Exp",
      "Floor", "Gelu",     "HardSigmoid", "HardSwish", "IsInf",  "IsNaN",   "LeakyRelu", "Log",
      "Mish",  "Neg",      "Not",   "Reciprocal",  "Relu",       "Round",   "Selu",    "Shrink",
      "Sigmoid", "Sign",   "Sin",   "Sinh",        "Softplus",   "Softsign", "Sqrt",   "Tan",
      "Tanh",  "ThresholdedRelu", "Clip"};
  return ops;
}

// Ops whose every input is broadcast against the others the numpy way (PRelu: the slope towards
// the data, which is the same thing when the data has the output's shape).
const std::unordered_set<std::string_view>& broadcast_ops() {
  static const std::unordered_set<std::string_view> ops = {
      "Add",   "Sub",  "Mul",  "Div",  "Pow",     "Mod",    "BitShift",       "And",
      "Or",    "Xor",  "Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "Max",
      "Min",   "Sum",  "Mean", "Where", "PRelu",  "BitwiseAnd", "BitwiseOr", "BitwiseXor"};
  return ops;
}

// Copies the elements of t at base + sum(idx[d] * strides[d]) (in elements) for every index of
// out_dims, in row-major order.
Tensor strided_copy(const Tensor& t, std::vector<int64_t> out_dims, int64_t base, const std::vector<int64_t>& strides) {
  const size_t es = static_cast<size_t>(dtype_bits(t.dtype) / 8);
  int64_t numel = 1;
  for (int64_t d : out_dims) numel *= d;
  std::vector<uint8_t> out(static_cast<size_t>(numel) * es);
  const uint8_t* src = t.raw();
  std::vector<int64_t> idx(out_dims.size(), 0);
  int64_t off = base;
  for (int64_t n = 0; n < numel; ++n) {
    std::memcpy(out.data() + static_cast<size_t>(n) * es, src + static_cast<size_t>(off) * es, es);
    for (size_t d = out_dims.size(); d-- > 0;) {
      if (++idx[d] < out_dims[d]) {
        off += strides[d];
        break;
      }
      off -= strides[d] * (out_dims[d] - 1);
      idx[d] = 0;
    }
  }
  Tensor r;
  r.name = t.name;
  r.dtype = t.dtype;
  r.dims = std::move(out_dims);
  r.data = Buffer::adopt(std::move(out));
  return r;
}

std::vector<int64_t> row_major_strides(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (size_t d = dims.size(); d-- > 1;) s[d - 1] = s[d] * dims[d];
  return s;
}

}  // namespace

bool is_unary_elementwise(const Node& n) {
  if (!n.is_onnx_domain() || n.num_outputs() != 1 || !n.input(0) || !unary_ops().count(n.op_type)) return false;
  if (n.op_type != "Clip") return n.num_inputs() == 1;
  for (size_t i = 1; i < n.num_inputs(); ++i)
    if (n.input(i) && !constant_of(n.input(i))) return false;
  return n.num_inputs() <= 3;
}

bool is_broadcast_elementwise(const Node& n, int64_t onnx_opset) {
  if (is_unary_elementwise(n)) return true;
  if (onnx_opset < 8 || !n.is_onnx_domain() || n.num_outputs() != 1 || n.num_inputs() == 0 ||
      !broadcast_ops().count(n.op_type))
    return false;
  for (const Value* v : n.inputs())
    if (!v) return false;
  return true;
}

DataType dtype_of(const Value* v) {
  if (!v) return DataType::Undefined;
  if (v->type.is_tensor()) return v->type.dtype;
  if (const Tensor* t = constant_of(v)) return t->dtype;
  return DataType::Undefined;
}

DataType cast_to(const Node& n) {
  if (n.op_type != "Cast" || !n.is_onnx_domain()) return DataType::Undefined;
  const Attribute* a = n.attr("to");
  if (!a || a->kind != AttrKind::Int || !dtype_is_known(static_cast<int32_t>(a->i))) return DataType::Undefined;
  return static_cast<DataType>(a->i);
}

bool exact_conversion(DataType from, DataType to) {
  using D = DataType;
  if (from == to) return true;
  switch (from) {
    case D::Bool:  // 0 and 1 are exact everywhere, and Cast to bool maps them back
      return to != D::String && dtype_bits(to) >= 8 && to != D::Float8E4M3FN && to != D::Float8E4M3FNUZ &&
             to != D::Float8E5M2 && to != D::Float8E5M2FNUZ;
    case D::Float16: case D::BFloat16:
      return to == D::Float32 || to == D::Float64;
    case D::Float32:
      return to == D::Float64;
    case D::Int8:  // |x| <= 128 fits the 8- and 11-bit significands of bf16 and f16
      return to == D::Int16 || to == D::Int32 || to == D::Int64 || to == D::Float16 || to == D::BFloat16 ||
             to == D::Float32 || to == D::Float64;
    case D::UInt8:
      return to == D::UInt16 || to == D::UInt32 || to == D::UInt64 || to == D::Int16 || to == D::Int32 ||
             to == D::Int64 || to == D::Float16 || to == D::BFloat16 || to == D::Float32 || to == D::Float64;
    case D::Int16:
      return to == D::Int32 || to == D::Int64 || to == D::Float32 || to == D::Float64;
    case D::UInt16:
      return to == D::UInt32 || to == D::UInt64 || to == D::Int32 || to == D::Int64 || to == D::Float32 ||
             to == D::Float64;
    case D::Int32:
      return to == D::Int64 || to == D::Float64;
    case D::UInt32:
      return to == D::UInt64 || to == D::Int64 || to == D::Float64;
    default:
      return false;
  }
}

bool widens(const Node& cast) {
  const DataType to = cast_to(cast);
  const DataType from = dtype_of(cast.input(0));
  return to != DataType::Undefined && from != DataType::Undefined && dtype_bits(to) > dtype_bits(from);
}

bool keeps_or_narrows(const Node& cast) {
  const DataType to = cast_to(cast);
  const DataType from = dtype_of(cast.input(0));
  return to != DataType::Undefined && from != DataType::Undefined && dtype_bits(to) <= dtype_bits(from);
}

const Shape* shape_of(const Value* v) {
  if (!v || !v->type.is_tensor() || !v->type.shape) return nullptr;
  return &*v->type.shape;
}

bool same_dim(const Dim& a, const Dim& b) {
  if (a.is_known() || b.is_known()) return a.value == b.value;
  return a.is_symbolic() && b.is_symbolic() && a.symbol == b.symbol;
}

bool read_only_as_data(const Node& n, const Value* v) {
  if (n.input(0) != v) return false;
  for (size_t i = 1; i < n.num_inputs(); ++i)
    if (n.input(i) == v) return false;
  return true;
}

std::vector<int64_t> transpose_perm(const Node& t) {
  const Shape* s = shape_of(t.input(0));
  std::vector<int64_t> p;
  if (const Attribute* a = t.attr("perm")) {
    if (a->kind != AttrKind::Ints) return {};
    p = a->ints;
    if (s && p.size() != s->rank()) return {};
  } else {
    if (!s) return {};
    p.resize(s->rank());
    std::iota(p.rbegin(), p.rend(), int64_t{0});
  }
  std::vector<bool> seen(p.size(), false);
  for (int64_t v : p) {
    if (v < 0 || v >= static_cast<int64_t>(p.size()) || seen[static_cast<size_t>(v)]) return {};
    seen[static_cast<size_t>(v)] = true;
  }
  return p;
}

std::vector<int64_t> inverse_perm(const std::vector<int64_t>& p) {
  std::vector<int64_t> inv(p.size());
  for (size_t i = 0; i < p.size(); ++i) inv[static_cast<size_t>(p[i])] = static_cast<int64_t>(i);
  return inv;
}

bool is_identity_perm(const std::vector<int64_t>& p) {
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] != static_cast<int64_t>(i)) return false;
  return true;
}

bool byte_addressable(const Tensor& t) {
  const int bits = dtype_bits(t.dtype);
  if (t.dtype == DataType::String || bits == 0 || bits % 8 != 0) return false;
  const int64_t n = t.numel();
  return n >= 0 && t.byte_size() == static_cast<size_t>(n) * static_cast<size_t>(bits / 8);
}

AxisRange slice_range(int64_t start, int64_t end, int64_t step, int64_t dim) {
  AxisRange r;
  r.step = step;
  if (dim <= 0) return r;
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    r.count = end > start ? (end - start + step - 1) / step : 0;
  } else {
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
    r.count = start > end ? (start - end - step - 1) / -step : 0;
  }
  r.start = start;
  return r;
}

Tensor cropped(const Tensor& t, const std::vector<AxisRange>& ranges) {
  const std::vector<int64_t> in = row_major_strides(t.dims);
  std::vector<int64_t> dims, strides;
  int64_t base = 0;
  for (size_t d = 0; d < ranges.size(); ++d) {
    dims.push_back(ranges[d].count);
    strides.push_back(in[d] * ranges[d].step);
    base += in[d] * ranges[d].start;
  }
  return strided_copy(t, std::move(dims), base, strides);
}

Tensor permuted(const Tensor& t, const std::vector<int64_t>& perm) {
  const std::vector<int64_t> in = row_major_strides(t.dims);
  std::vector<int64_t> dims, strides;
  for (int64_t p : perm) {
    dims.push_back(t.dims[static_cast<size_t>(p)]);
    strides.push_back(in[static_cast<size_t>(p)]);
  }
  return strided_copy(t, std::move(dims), 0, strides);
}

Tensor with_dims(const Tensor& t, std::vector<int64_t> dims) {
  Tensor r = t;
  r.dims = std::move(dims);
  r.external.reset();
  return r;
}

std::optional<SliceParams> slice_params(const Node& slice, int64_t onnx_opset) {
  SliceParams p;
  if (onnx_opset >= 10) {
    const Tensor* starts = constant_of(slice.input(1));
    const Tensor* ends = constant_of(slice.input(2));
    if (!starts || !ends) return std::nullopt;
    p.starts = starts->to_int64();
    p.ends = ends->to_int64();
    for (size_t i : {size_t{3}, size_t{4}}) {
      if (!slice.input(i)) continue;
      const Tensor* t = constant_of(slice.input(i));
      if (!t) return std::nullopt;
      (i == 3 ? p.axes : p.steps) = t->to_int64();
    }
  } else {
    p.starts = slice.attr_ints("starts");
    p.ends = slice.attr_ints("ends");
    p.axes = slice.attr_ints("axes");
  }
  const size_t n = p.starts.size();
  if (p.axes.empty()) {
    p.axes.resize(n);
    std::iota(p.axes.begin(), p.axes.end(), int64_t{0});
  }
  if (p.steps.empty()) p.steps.assign(n, 1);
  if (p.ends.size() != n || p.axes.size() != n || p.steps.size() != n) return std::nullopt;
  for (int64_t s : p.steps)
    if (s == 0) return std::nullopt;
  return p;
}

Value* DerivedConstants::get(Rewriter& rw, Graph& g, const Value* source, const std::string& how, const Tensor& t) {
  std::shared_ptr<const Tensor> src;
  if (source && source->constant()) {
    src = source->initializer();
  } else if (const Node* p = source ? source->producer() : nullptr) {
    if (const Attribute* a = p->attr("value"); a && !a->tensors.empty()) src = a->tensors[0];
  }
  const std::string key = std::to_string(reinterpret_cast<uintptr_t>(src.get())) + "|" + how;
  auto it = entries_.find(key);
  if (it != entries_.end() && g.find_value(it->second.name) == it->second.value) return it->second.value;
  Value* v = rw.add_initializer(g, t);
  entries_[key] = Entry{std::move(src), v, v->name()};
  return v;
}

void remove_if_unread(Rewriter& rw, const CapturedNames& captured, Value* v) {
  if (!v || v->has_uses() || v->is_graph_output() || v->is_graph_input() || captured.contains(v)) return;
  if (Node* p = v->producer()) {
    if (p->num_outputs() == 1) rw.remove_node(p);
  } else if (v->is_initializer()) {
    rw.remove_value(v);
  }
}

std::string ints_key(const std::vector<int64_t>& v) {
  std::string s;
  for (int64_t x : v) s += std::to_string(x) + ",";
  return s;
}

void set_type(Value* v, DataType dtype, std::optional<Shape> shape) {
  v->type = ValueType::tensor(dtype);
  v->type.shape = std::move(shape);
}

}  // namespace kiln::passes::reorder
