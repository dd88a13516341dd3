#include "passes/cleanup/constant_folder.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <unordered_set>

#include "core/runtime/evaluate.h"
#include "passes/framework/rewriter.h"

namespace kiln::passes {
namespace {

// Random ops differ from run to run. DequantizeLinear of a quantized weight is how QDQ models
// mark what runs in integer arithmetic; folding it would drop the mark (and quadruple the weight).
bool never_folded(const Node& n) {
  static const std::unordered_set<std::string_view> ops = {
      "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike",
      "Multinomial",  "Bernoulli",        "DequantizeLinear"};
  return n.is_onnx_domain() && ops.count(n.op_type) > 0;
}

template <class T>
TensorPtr scalar_or_list(DataType dt, const std::vector<T>& v, bool list) {
  return Tensor::from_values("", dt, list ? std::vector<int64_t>{static_cast<int64_t>(v.size())} : std::vector<int64_t>{}, v);
}

TensorPtr constant_node_value(const Node& n) {
  for (const Attribute& a : n.attrs()) {
    if (a.name == "value") return a.tensors.empty() ? nullptr : a.tensors[0];
    if (a.name == "value_float") return scalar_or_list(DataType::Float32, std::vector<float>{a.f}, false);
    if (a.name == "value_floats") return scalar_or_list(DataType::Float32, a.floats, true);
    if (a.name == "value_int") return scalar_or_list(DataType::Int64, std::vector<int64_t>{a.i}, false);
    if (a.name == "value_ints") return scalar_or_list(DataType::Int64, a.ints, true);
    if (a.name == "value_string" || a.name == "value_strings") {
      auto t = std::make_shared<Tensor>();
      t->dtype = DataType::String;
      t->strings = a.name == "value_string" ? std::vector<std::string>{a.s} : a.strings;
      if (a.name == "value_strings") t->dims = {static_cast<int64_t>(t->strings.size())};
      return t;
    }
  }
  return nullptr;  // sparse_value: a sparse constant stays a Constant node
}

bool has_subgraph(const Node& n) {
  return std::any_of(n.attrs().begin(), n.attrs().end(), [](const Attribute& a) { return !a.graphs.empty(); });
}

int64_t static_bytes(const Value* v) {
  if (!v->type.is_tensor() || !v->type.shape || v->type.dtype == DataType::String) return -1;
  const std::optional<int64_t> n = v->type.shape->numel();
  return n ? dtype_storage_bytes(v->type.dtype, *n) : -1;
}

}  // namespace

TensorPtr constant_tensor(const Value* v) {
  if (!v) return nullptr;
  if (v->constant()) return v->initializer();
  const Node* p = v->producer();
  if (p && p->op_type == "Constant" && p->is_onnx_domain()) return constant_node_value(*p);
  return nullptr;
}

ConstantFolder::ConstantFolder(PassContext& ctx, Graph& g, int64_t max_bytes)
    : ctx_(ctx), g_(g), captured_(g), max_bytes_(max_bytes), onnx_opset_(ctx.model.opset("")) {}

TensorPtr ConstantFolder::known(const Value* v) const {
  auto it = results_.find(v);
  return it != results_.end() ? it->second : constant_tensor(v);
}

bool ConstantFolder::may_fold(const Node& n) const {
  if (n.outputs().empty() || never_folded(n) || has_subgraph(n)) return false;
  if (!n.is_onnx_domain() && !can_evaluate(n, ctx_.model.opset(n.domain))) return false;
  bool read = false;
  for (const Value* o : n.outputs()) {
    if (!o) continue;
    // An initializer cannot take over a graph output, and a subgraph reads the name.
    if (o->is_graph_output() || captured_.contains(o) || o->type.kind == ValueType::Kind::Other) return false;
    read = read || o->has_uses();
  }
  // A node nothing reads is eliminate-dead-code's business.
  return read;
}

bool ConstantFolder::ready(const Node& n) const {
  if (!may_fold(n)) return false;
  for (const Value* in : n.inputs())
    if (in && !known(in)) return false;
  return true;
}

bool ConstantFolder::fold(const Node& n) {
  std::vector<TensorPtr> results;
  if (n.op_type == "Constant" && n.is_onnx_domain()) {
    // Already part of the model, so no size limit: it only changes from node to initializer.
    TensorPtr t = constant_tensor(n.output(0));
    if (!t) {
      ctx_.stats.add("not_evaluated");
      return false;
    }
    results.push_back(std::move(t));
  } else {
    std::vector<TensorPtr> held;
    std::vector<RtTensor> views;
    views.reserve(n.num_inputs());
    int64_t in_bytes = 0;
    for (const Value* in : n.inputs()) {
      TensorPtr t = in ? known(in) : nullptr;
      in_bytes += t ? static_cast<int64_t>(t->byte_size()) : 0;
      views.push_back(t ? RtTensor::view(t) : RtTensor());
      held.push_back(std::move(t));
    }
    std::vector<const RtTensor*> ptrs;
    for (const RtTensor& v : views) ptrs.push_back(v.empty() ? nullptr : &v);
    const int64_t limit = std::max(max_bytes_, in_bytes);
    for (const Value* o : n.outputs())
      if (o && static_bytes(o) > limit) {
        ctx_.stats.add("too_large");
        return false;
      }
    const int64_t opset = n.is_onnx_domain() ? onnx_opset_ : ctx_.model.opset(n.domain);
    std::vector<RtTensor> outs;
    try {
      outs = evaluate_node(n, opset, ptrs, static_cast<size_t>(limit));
    } catch (const OutputTooLarge&) {
      ctx_.stats.add("too_large");
      return false;
    } catch (const std::exception&) {
      // No kernel, a mode the kernel refuses, or inputs it rejects: the node stays as it is and
      // the runtime reports the problem when the model runs.
      ctx_.stats.add("not_evaluated");
      return false;
    }
    for (size_t i = 0; i < outs.size(); ++i) results.push_back(n.output(i) ? outs[i].to_tensor("") : nullptr);
  }
  set_results(n, std::move(results));
  return true;
}

void ConstantFolder::set_results(const Node& n, std::vector<TensorPtr> results) {
  for (size_t i = 0; i < n.num_outputs() && i < results.size(); ++i)
    if (const Value* o = n.output(i)) results_[o] = std::move(results[i]);
  folded_.push_back(n.id());
}

int64_t ConstantFolder::materialize() {
  // A folded node may be gone already: fold-shape-chains removes the shape computations of the
  // Reshapes it rewrote before materializing.
  std::unordered_set<const Node*> folded;
  for (NodeId id : folded_)
    if (const Node* n = g_.find_node(id)) folded.insert(n);
  int64_t added = 0;
  for (NodeId id : folded_) {
    Node* n = g_.find_node(id);
    if (!n) continue;
    for (Value* o : n->outputs()) {
      if (!o) continue;
      const bool read_outside = std::any_of(o->uses().begin(), o->uses().end(),
                                            [&](const Use& u) { return !folded.count(u.node); });
      if (!read_outside) continue;
      Tensor t = *results_.at(o);
      t.name = o->name() + "_folded";
      ctx_.rw.replace_uses(o, ctx_.rw.add_initializer(g_, t));
      ++added;
    }
  }
  // Readers before producers (the sweep was in graph order): removing a reader also removes
  // initializers only it kept alive, and folded producers go as they lose their last reader.
  for (auto it = folded_.rbegin(); it != folded_.rend(); ++it) {
    Node* n = g_.find_node(*it);
    if (n && std::none_of(n->outputs().begin(), n->outputs().end(), [](const Value* o) { return o && o->has_uses(); }))
      ctx_.rw.remove_node(n);
  }
  results_.clear();
  folded_.clear();
  return added;
}

}  // namespace kiln::passes
