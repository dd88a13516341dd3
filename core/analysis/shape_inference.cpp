// The shape-inference driver: walks each graph in order, runs the rule registered for every node,
// merges what the rule found into the values' types, and keeps the side tables rules share
// (known integer contents of shape tensors, constant values of Constant nodes, captures).
#include "core/analysis/shape_inference.h"

#include <unordered_map>
#include <unordered_set>

#include "core/analysis/infer_context.h"
#include "core/analysis/infer_engine.h"

namespace kiln {
namespace analysis {

namespace {

constexpr size_t kMaxFoldedElements = 4096;  // larger constants are not read as shape data
constexpr int kMaxSubgraphDepth = 64;

const ValueType& unknown_type() {
  static const ValueType t;
  return t;
}

void collect_symbols(const Graph& g, std::unordered_set<std::string>& out) {
  g.for_each_value([&](const Value* v) {
    if (v->type.shape)
      for (const Dim& d : v->type.shape->dims)
        if (d.is_symbolic()) out.insert(d.symbol);
  });
  g.for_each_node([&](const Node* n) {
    for (const Graph* sg : n->subgraphs()) collect_symbols(*sg, out);
  });
}

// Merges an inferred shape into a declared one. Returns false when they contradict.
bool merge_shapes(const Shape& declared, const Shape& inferred, Shape& out) {
  if (declared.rank() != inferred.rank()) return false;
  out = declared;
  for (size_t i = 0; i < declared.rank(); ++i) {
    const Dim& d = declared.dims[i];
    const Dim& n = inferred.dims[i];
    if (d.is_known()) {
      if (n.is_known() && n.value != d.value) return false;
    } else if (n.is_known() || (!d.is_symbolic() && n.is_symbolic())) {
      out.dims[i].value = n.value;
      out.dims[i].symbol = n.symbol;
    }
  }
  return true;
}

}  // namespace

// Merges an inferred type into a declared one: the declared one wins where it is more specific
// or where the two contradict (returns false then).
bool merge_types(const ValueType& declared, const ValueType& inferred, ValueType& out) {
  out = declared;
  if (!inferred.is_known()) return true;
  if (!declared.is_known()) {
    out = inferred;
    return true;
  }
  if (declared.kind != inferred.kind) return false;
  if (!declared.is_tensor()) return true;
  if (declared.dtype == DataType::Undefined) {
    out.dtype = inferred.dtype;
  } else if (inferred.dtype != DataType::Undefined && inferred.dtype != declared.dtype) {
    return false;
  }
  if (!inferred.shape) return true;
  if (!declared.shape) {
    out.shape = inferred.shape;
    return true;
  }
  return merge_shapes(*declared.shape, *inferred.shape, *out.shape);
}

Engine::Engine(Model& model, const InferenceOptions& options, InferenceReport& report)
    : model_(model), options_(options), report_(report) {
  onnx_opset_ = model.opset("");
  if (onnx_opset_ < 0) onnx_opset_ = kNewestOnnxOpset;
}

void Engine::run() {
  if (!model_.graph) return;
  collect_symbols(*model_.graph, symbols_in_use_);
  Graph& g = *model_.graph;
  for (const auto& [name, shape] : options_.input_shapes) {
    Value* v = g.find_value(name);
    if (!v || !v->is_graph_input()) {
      warn("input_shapes names '" + name + "', which is not an input of the graph");
      continue;
    }
    if (!v->type.is_tensor()) v->type = ValueType::tensor(DataType::Undefined);
    v->type.shape = shape;
    for (const Dim& d : shape.dims)
      if (d.is_symbolic()) symbols_in_use_.insert(d.symbol);
  }
  scopes_.push_back(&g);
  infer_body(g);
  scopes_.pop_back();
  report_.values_inferred = changed_.size();
  if (options_.known_ints)
    for (const auto& [v, k] : ints_) (*options_.known_ints)[v] = k;
}

void Engine::infer_body(Graph& g) {
  for (Value* v : g.initializers()) {
    const Tensor& t = *v->initializer();
    if (!v->type.is_known()) v->type = ValueType::tensor(t.dtype, Shape::of(t.dims));
  }
  for (Value* c : g.captures()) {
    const Value* outer = nullptr;
    for (size_t s = scopes_.size() - 1; s-- > 0 && !outer;) outer = scopes_[s]->find_value(c->name());
    if (!outer) continue;
    if (outer->type.is_known() && !c->has_value_info) c->type = outer->type;
    alias_[c] = resolve(outer);
  }
  g.for_each_node([&](Node* n) { infer_node(*n); });
}

const Value* Engine::resolve(const Value* v) const {
  if (v && v->is_capture()) {
    auto it = alias_.find(v);
    if (it != alias_.end()) return it->second;
  }
  return v;
}

int64_t Engine::opset_for(const std::string& domain) {
  if (domain.empty() || domain == "ai.onnx") return onnx_opset_;
  for (const auto& [d, v] : other_opsets_)
    if (d == domain) return v;
  int64_t v = model_.opset(domain);
  if (v < 0) v = 1;
  other_opsets_.emplace_back(domain, v);
  return v;
}

void Engine::infer_node(Node& n) {
  const OpRule* rule = find_rule(n.domain, n.op_type);
  if (!rule) {
    report_.ops_not_inferred.insert(n.is_onnx_domain() ? n.op_type : n.domain + "::" + n.op_type);
    return;
  }
  current_ = &n;
  InferContext ctx(*this, n, opset_for(n.domain));
  try {
    rule->infer(ctx);
  } catch (const std::exception& e) {
    // A rule never throws on purpose; an exception here is a model far outside the op's contract
    // (or an allocation failure on absurd sizes). The node just stays un-inferred.
    warn_node(n, std::string("inference failed: ") + e.what());
  }
  current_ = nullptr;
}

void Engine::apply(Value* v, const ValueType& inferred) {
  if (!v || !inferred.is_known()) return;
  // "Some tensor" says nothing a rule could not decide; the value stays as it is.
  if (inferred.is_tensor() && inferred.dtype == DataType::Undefined && !inferred.shape) return;
  if (!v->has_value_info) {
    if (!(v->type == inferred)) {
      v->type = inferred;
      changed_.insert(v);
    }
    return;
  }
  ValueType merged;
  if (!merge_types(v->type, inferred, merged)) {
    std::string msg = "value '" + v->name() + "' is declared " + v->type.str() +
                      " but inferred as " + inferred.str() + "; keeping the declared type";
    if (current_) {
      warn_node(*current_, msg);
    } else {
      warn(msg);
    }
    return;
  }
  if (!(merged == v->type)) {
    v->type = std::move(merged);
    changed_.insert(v);
  }
}

Dim Engine::fresh() {
  for (;;) {
    std::string s = "unk__" + std::to_string(next_symbol_++);
    if (symbols_in_use_.insert(s).second) return Dim::symbolic(std::move(s));
  }
}

void Engine::warn(std::string msg) { report_.warnings.push_back(std::move(msg)); }

void Engine::warn_node(const Node& n, std::string_view msg) {
  std::string line = "node ";
  if (!n.name.empty()) line += "'" + n.name + "' ";
  line += "(" + (n.is_onnx_domain() ? n.op_type : n.domain + "::" + n.op_type) + "): ";
  line += msg;
  report_.warnings.push_back(std::move(line));
}

const Tensor* Engine::constant_of(const Value* v) const {
  v = resolve(v);
  if (!v) return nullptr;
  if (const Tensor* t = v->constant()) return t;
  // A graph input with a default value (ir_version < 4 models list every initializer as an
  // input): shapes follow the default, as in ONNX's own inference.
  if (v->is_initializer()) return v->initializer().get();
  auto it = consts_.find(v);
  return it == consts_.end() ? nullptr : it->second.get();
}

const KnownInts* Engine::ints_of(const Value* v) {
  v = resolve(v);
  if (!v) return nullptr;
  auto it = ints_.find(v);
  if (it != ints_.end()) return &it->second;
  KnownInts k;
  if (const Tensor* t = constant_of(v)) {
    if (!(dtype_is_integer(t->dtype) || t->dtype == DataType::Bool) || t->dims.size() > 1)
      return nullptr;
    int64_t n = t->numel();
    if (n < 0 || static_cast<size_t>(n) > kMaxFoldedElements) return nullptr;
    std::vector<int64_t> vals = t->to_int64();
    if (vals.size() != static_cast<size_t>(n)) return nullptr;
    k.scalar = t->dims.empty();
    k.v.reserve(vals.size());
    for (int64_t x : vals) k.v.push_back(SymInt::known(x));
  } else if (v->type.is_tensor() && v->type.shape && v->type.shape->rank() == 1 &&
             v->type.shape->dims[0].is_known() && v->type.shape->dims[0].value == 0) {
    // An empty 1-D tensor has known (no) contents whatever computed it.
  } else {
    return nullptr;
  }
  return &ints_.emplace(v, std::move(k)).first->second;
}

void Engine::set_ints(const Value* v, KnownInts k) {
  if (v) ints_[v] = std::move(k);
}

void Engine::set_constant(const Value* v, std::shared_ptr<const Tensor> t) {
  if (v && t) consts_[v] = std::move(t);
}

std::vector<ValueType> Engine::infer_subgraph(Graph& g, const std::vector<ValueType>& input_types) {
  std::vector<ValueType> out;
  if (static_cast<int>(scopes_.size()) > kMaxSubgraphDepth) {
    warn("subgraphs nested deeper than " + std::to_string(kMaxSubgraphDepth) + "; not inferred");
    return out;
  }
  Node* saved = current_;
  for (size_t i = 0; i < g.inputs().size() && i < input_types.size(); ++i)
    apply(g.inputs()[i], input_types[i]);
  scopes_.push_back(&g);
  infer_body(g);
  scopes_.pop_back();
  current_ = saved;
  out.reserve(g.outputs().size());
  for (const Value* v : g.outputs()) out.push_back(v->type);
  return out;
}

// ---- InferContext --------------------------------------------------------------------------------

const ValueType& InferContext::type(size_t i) const {
  const Value* v = node_.input(i);
  return v ? v->type : unknown_type();
}

DataType InferContext::dtype(size_t i) const {
  const ValueType& t = type(i);
  return t.is_tensor() ? t.dtype : DataType::Undefined;
}

const Shape* InferContext::shape(size_t i) const {
  const ValueType& t = type(i);
  return t.is_tensor() && t.shape ? &*t.shape : nullptr;
}

int64_t InferContext::rank(size_t i) const {
  const Shape* s = shape(i);
  return s ? static_cast<int64_t>(s->rank()) : -1;
}

const Tensor* InferContext::constant(size_t i) const { return e_.constant_of(node_.input(i)); }

const KnownInts* InferContext::ints(size_t i) { return e_.ints_of(node_.input(i)); }

std::optional<std::vector<int64_t>> InferContext::int_values(size_t i) {
  const KnownInts* k = ints(i);
  if (!k || !k->all_known()) return std::nullopt;
  std::vector<int64_t> out;
  out.reserve(k->v.size());
  for (const SymInt& s : k->v) out.push_back(s.value);
  return out;
}

std::optional<std::vector<double>> InferContext::double_values(size_t i) const {
  const Tensor* t = constant(i);
  if (!t || t->dims.size() > 1) return std::nullopt;
  int64_t n = t->numel();
  if (n < 0 || static_cast<size_t>(n) > kMaxFoldedElements) return std::nullopt;
  std::vector<double> v = t->to_double();
  if (v.size() != static_cast<size_t>(n)) return std::nullopt;
  return v;
}

void InferContext::set(size_t i, ValueType t) { e_.apply(node_.output(i), t); }

void InferContext::set_ints(size_t i, KnownInts k) { e_.set_ints(node_.output(i), std::move(k)); }

void InferContext::set_constant(size_t i, std::shared_ptr<const Tensor> t) {
  e_.set_constant(node_.output(i), std::move(t));
}

Dim InferContext::fresh() { return e_.fresh(); }

void InferContext::warn(std::string_view msg) { e_.warn_node(node_, msg); }

std::vector<ValueType> InferContext::infer_subgraph(Graph& g,
                                                    const std::vector<ValueType>& input_types) {
  return e_.infer_subgraph(g, input_types);
}

}  // namespace analysis

InferenceReport infer_shapes(Model& model, const InferenceOptions& options) {
  InferenceReport report;
  analysis::Engine engine(model, options, report);
  engine.run();
  return report;
}

}  // namespace kiln
