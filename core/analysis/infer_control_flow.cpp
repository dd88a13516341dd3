// Inference rules for If, Loop and Scan: their bodies are inferred recursively (captured values
// take their outer types) and the node's outputs are derived from the bodies' outputs.
#include "core/analysis/infer_context.h"

namespace kiln::analysis {

namespace {

Graph* body(InferContext& c, std::string_view name) {
  const Attribute* a = c.node().attr(name);
  if (!a || !a->graph()) {
    c.warn("attribute '" + std::string(name) + "' (a graph) is missing");
    return nullptr;
  }
  return a->graph();
}

ValueType scalar(DataType dt) { return ValueType::tensor(dt, Shape()); }

ValueType with_leading_dims(const ValueType& t, const std::vector<Dim>& lead) {
  if (!t.is_tensor()) return t;
  ValueType out = ValueType::tensor(t.dtype);
  if (t.shape) {
    Shape s(lead);
    s.dims.insert(s.dims.end(), t.shape->dims.begin(), t.shape->dims.end());
    out.shape = std::move(s);
  }
  return out;
}

void if_op(InferContext& c) {
  Graph* then_g = body(c, "then_branch");
  Graph* else_g = body(c, "else_branch");
  if (!then_g || !else_g) return;
  std::vector<ValueType> then_t = c.infer_subgraph(*then_g, {});
  std::vector<ValueType> else_t = c.infer_subgraph(*else_g, {});
  if (then_t.size() != c.num_outputs() || else_t.size() != c.num_outputs()) {
    c.warn("branches have " + std::to_string(then_t.size()) + " and " +
           std::to_string(else_t.size()) + " outputs for " + std::to_string(c.num_outputs()));
    return;
  }
  // A constant condition picks the branch; otherwise the outputs cover both.
  std::optional<bool> cond;
  if (auto v = c.int_values(0); v && v->size() == 1) cond = (*v)[0] != 0;
  for (size_t i = 0; i < c.num_outputs(); ++i) {
    if (cond) {
      c.set(i, *cond ? then_t[i] : else_t[i]);
    } else {
      c.set(i, union_type(then_t[i], else_t[i]));
    }
  }
}

// A loop-carried type general enough for every iteration: what initial and body output share.
ValueType carried_type(const ValueType& initial, const ValueType& after) {
  if (!after.is_known()) return initial.is_tensor() ? ValueType::tensor(initial.dtype) : ValueType();
  return union_type(initial, after);
}

void loop(InferContext& c) {
  Graph* g = body(c, "body");
  if (!g) return;
  size_t n_carried = c.num_inputs() >= 2 ? c.num_inputs() - 2 : 0;
  if (g->inputs().size() != n_carried + 2) {
    c.warn("body has " + std::to_string(g->inputs().size()) + " inputs for " +
           std::to_string(n_carried) + " loop-carried values");
    return;
  }
  std::vector<ValueType> in{scalar(DataType::Int64), scalar(DataType::Bool)};
  for (size_t i = 0; i < n_carried; ++i) in.push_back(c.type(i + 2));
  // The body may refine its declared inputs; a second pass must start from the declarations.
  std::vector<ValueType> declared;
  for (const Value* v : g->inputs()) declared.push_back(v->type);
  std::vector<ValueType> out;
  // Shapes that change from one iteration to the next are generalized until they are stable;
  // each pass can only lose information, so two passes after the first suffice in practice.
  for (int pass = 0; pass < 3; ++pass) {
    if (pass > 0)
      for (size_t i = 0; i < g->inputs().size(); ++i) g->inputs()[i]->type = declared[i];
    out = c.infer_subgraph(*g, in);
    if (out.size() < n_carried + 1) {
      c.warn("body has too few outputs");
      return;
    }
    bool stable = true;
    for (size_t i = 0; i < n_carried; ++i) {
      ValueType gen = carried_type(in[i + 2], out[i + 1]);
      if (!(gen == in[i + 2])) {
        in[i + 2] = std::move(gen);
        stable = false;
      }
    }
    if (stable) break;
  }
  size_t n_scan = out.size() - 1 - n_carried;
  if (c.num_outputs() != n_carried + n_scan)
    c.warn("node has " + std::to_string(c.num_outputs()) + " outputs; the body makes " +
           std::to_string(n_carried + n_scan));
  for (size_t i = 0; i < n_carried && i < c.num_outputs(); ++i) c.set(i, in[i + 2]);
  for (size_t k = 0; k < n_scan && n_carried + k < c.num_outputs(); ++k)
    c.set(n_carried + k, with_leading_dims(out[1 + n_carried + k], {Dim::unknown()}));
}

// Scan-8: a leading batch axis on every input and output, the scan axis right after it.
void scan8(InferContext& c, Graph& g) {
  int64_t m = c.node().attr_int("num_scan_inputs", 0);
  if (m <= 0 || static_cast<size_t>(m) + 1 > c.num_inputs()) {
    c.warn("attribute 'num_scan_inputs' is missing or too large");
    return;
  }
  size_t n_state = c.num_inputs() - 1 - static_cast<size_t>(m);
  std::vector<ValueType> in;
  Dim batch, seq;
  auto drop = [&](const ValueType& t, size_t k, Dim* first, Dim* second) {
    if (!t.is_tensor() || !t.shape || t.shape->rank() < k) return ValueType::tensor(t.dtype);
    if (first) *first = refine_dim(*first, t.shape->dims[0], nullptr);
    if (second && k > 1) *second = refine_dim(*second, t.shape->dims[1], nullptr);
    return ValueType::tensor(t.dtype, Shape(std::vector<Dim>(t.shape->dims.begin() + static_cast<long>(k), t.shape->dims.end())));
  };
  for (size_t i = 0; i < n_state; ++i) in.push_back(drop(c.type(1 + i), 1, &batch, nullptr));
  for (size_t i = 0; i < static_cast<size_t>(m); ++i)
    in.push_back(drop(c.type(1 + n_state + i), 2, &batch, &seq));
  std::vector<ValueType> out = c.infer_subgraph(g, in);
  for (size_t i = 0; i < out.size() && i < c.num_outputs(); ++i)
    c.set(i, with_leading_dims(out[i], i < n_state ? std::vector<Dim>{batch} : std::vector<Dim>{batch, seq}));
}

void scan(InferContext& c) {
  Graph* g = body(c, "body");
  if (!g) return;
  if (c.opset() < 9) {
    scan8(c, *g);
    return;
  }
  int64_t m = c.node().attr_int("num_scan_inputs", 0);
  if (m <= 0 || static_cast<size_t>(m) > c.num_inputs()) {
    c.warn("attribute 'num_scan_inputs' is missing or too large");
    return;
  }
  size_t n_state = c.num_inputs() - static_cast<size_t>(m);
  auto in_axes = c.node().attr_ints("scan_input_axes", std::vector<int64_t>(static_cast<size_t>(m), 0));
  if (in_axes.size() != static_cast<size_t>(m)) {
    c.warn("attribute 'scan_input_axes' has the wrong length");
    return;
  }
  std::vector<ValueType> in;
  for (size_t i = 0; i < n_state; ++i) in.push_back(c.type(i));
  Dim seq;
  for (size_t i = 0; i < static_cast<size_t>(m); ++i) {
    const ValueType& t = c.type(n_state + i);
    if (!t.is_tensor() || !t.shape) {
      in.push_back(t.is_tensor() ? ValueType::tensor(t.dtype) : ValueType());
      continue;
    }
    auto a = normalize_axis(in_axes[i], static_cast<int64_t>(t.shape->rank()));
    if (!a) {
      c.warn("scan input axis out of range");
      return;
    }
    Shape s = *t.shape;
    seq = refine_dim(seq, s.dims[static_cast<size_t>(*a)], nullptr);
    s.dims.erase(s.dims.begin() + *a);
    in.push_back(ValueType::tensor(t.dtype, std::move(s)));
  }
  std::vector<ValueType> out = c.infer_subgraph(*g, in);
  if (out.size() < n_state) {
    c.warn("body has too few outputs");
    return;
  }
  size_t k = out.size() - n_state;
  auto out_axes = c.node().attr_ints("scan_output_axes", std::vector<int64_t>(k, 0));
  for (size_t i = 0; i < n_state && i < c.num_outputs(); ++i) c.set(i, out[i]);
  for (size_t j = 0; j < k && n_state + j < c.num_outputs(); ++j) {
    const ValueType& t = out[n_state + j];
    if (!t.is_tensor() || !t.shape || j >= out_axes.size()) {
      c.set(n_state + j, t.is_tensor() ? ValueType::tensor(t.dtype) : ValueType());
      continue;
    }
    auto a = normalize_axis(out_axes[j], static_cast<int64_t>(t.shape->rank()) + 1);
    if (!a) {
      c.warn("scan output axis out of range");
      continue;
    }
    Shape s = *t.shape;
    s.dims.insert(s.dims.begin() + *a, seq);
    c.set(n_state + j, ValueType::tensor(t.dtype, std::move(s)));
  }
}

}  // namespace

void add_control_flow_rules(RuleTable& t) {
  t.add("If", 1, if_op);
  t.add("Loop", 1, loop);
  t.add("Scan", 8, scan);
}

}  // namespace kiln::analysis
