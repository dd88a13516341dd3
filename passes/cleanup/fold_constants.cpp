// fold-constants: a node whose inputs are all constant is computed once, on the reference
// runtime, and its results become initializers. Shape and Size of a value whose shape inference
// fully knows count as constant too, so shape arithmetic over static shapes folds away with them.
#include <algorithm>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/runtime/session.h"
#include "passes/cleanup/captured_names.h"
#include "passes/cleanup/cleanup_passes.h"
#include "passes/framework/rewriter.h"

namespace kiln::passes {
namespace {

using TensorPtr = std::shared_ptr<const Tensor>;

// Random ops differ from run to run. DequantizeLinear of a quantized weight is how QDQ models
// mark what runs in integer arithmetic; folding it would drop the mark (and quadruple the weight).
const std::unordered_set<std::string_view>& never_folded() {
  static const std::unordered_set<std::string_view> ops = {
      "Constant",     "RandomNormal", "RandomNormalLike", "RandomUniform",
      "RandomUniformLike", "Multinomial", "Bernoulli", "DequantizeLinear"};
  return ops;
}

bool is_shape_query(const Node& n) { return n.op_type == "Shape" || n.op_type == "Size"; }

// Shape or Size of an input whose shape is fully known, as the kernels compute it; null otherwise.
TensorPtr static_shape_query(const Node& n) {
  const Value* x = n.input(0);
  if (!x || !x->type.is_tensor() || !x->type.shape || !x->type.shape->is_static()) return nullptr;
  const std::vector<int64_t> dims = x->type.shape->values();
  if (n.op_type == "Size") {
    const std::optional<int64_t> numel = x->type.shape->numel();
    if (!numel) return nullptr;
    return Tensor::from_values("", DataType::Int64, {}, std::vector<int64_t>{*numel});
  }
  const auto rank = static_cast<int64_t>(dims.size());
  auto clamp = [rank](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
  const int64_t start = clamp(n.attr_int("start", 0));
  const int64_t end = n.has_attr("end") ? clamp(n.attr_int("end", rank)) : rank;
  std::vector<int64_t> slice(dims.begin() + start, dims.begin() + std::max(start, end));
  return Tensor::from_values("", DataType::Int64, {static_cast<int64_t>(slice.size())}, slice);
}

// Runs n alone, on its constant inputs, in a model with the same opsets; empty when the reference
// runtime cannot (no kernel, a mode it refuses, a failure while computing).
std::vector<TensorPtr> evaluate(const Model& model, const Node& n, const std::vector<const Tensor*>& inputs) {
  Model m;
  m.ir_version = model.ir_version;
  m.opsets = model.opsets;
  Graph& g = *m.graph;
  std::vector<Value*> ins;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i]) {
      ins.push_back(nullptr);
      continue;
    }
    auto t = std::make_shared<Tensor>(*inputs[i]);
    t->name = "input_" + std::to_string(i);
    ins.push_back(g.add_initializer(std::move(t)));
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < n.num_outputs(); ++i) names.push_back(n.output(i) ? "output_" + std::to_string(i) : "");
  Node* e = g.add_node(n.op_type, ins, names, n.domain);
  e->mutable_attrs() = n.attrs();
  for (Value* o : e->outputs())
    if (o) g.add_output(o);
  try {
    Session session(m, {});
    std::vector<RtTensor> outs = session.run({});
    std::vector<TensorPtr> results;
    for (const RtTensor& t : outs) results.push_back(t.to_tensor(""));
    return results;
  } catch (const std::exception&) {
    return {};
  }
}

class Folder {
 public:
  Folder(PassContext& ctx, Graph& g) : ctx_(ctx), g_(g), captured_(g), max_bytes_(ctx.options.get_int("max_bytes")) {}

  void run() {
    std::vector<Node*> ready;
    g_.for_each_node([&](Node* n) {
      if (!foldable_kind(*n)) return;
      if (is_shape_query(*n) && static_shape_query(*n)) {
        ready.push_back(n);
        return;
      }
      size_t missing = 0;
      for (const Value* in : n->inputs())
        if (in && !constant(in)) ++missing;
      if (missing == 0)
        ready.push_back(n);
      else
        waiting_[n] = missing;
    });
    // Each node is folded at most once and each use looked at once: linear in the graph.
    while (!ready.empty()) {
      Node* n = ready.back();
      ready.pop_back();
      if (!fold(*n)) continue;
      for (Value* o : n->outputs()) {
        if (!o) continue;
        for (const Use& u : o->uses()) {
          auto it = waiting_.find(u.node);
          if (it != waiting_.end() && --it->second == 0) ready.push_back(u.node);
        }
      }
    }
    materialize();
  }

 private:
  const Tensor* constant(const Value* v) const {
    auto it = values_.find(v);
    return it != values_.end() ? it->second.get() : constant_of(v);
  }

  // Whether n is an op folding may compute and whose results may become initializers.
  bool foldable_kind(const Node& n) const {
    if (!n.is_onnx_domain() || n.inputs().empty() || never_folded().count(n.op_type)) return false;
    if (std::any_of(n.attrs().begin(), n.attrs().end(), [](const Attribute& a) { return !a.graphs.empty(); }))
      return false;
    for (const Value* o : n.outputs()) {
      if (!o) continue;
      // An initializer cannot be a graph output's producer, and a subgraph reads the name.
      if (o->is_graph_output() || captured_.contains(o) || o->type.kind == ValueType::Kind::Other) return false;
    }
    return true;
  }

  // Folding may not blow a small constant up into a big one (Expand, Tile, ConstantOfShape,
  // Range): results are limited to max_bytes or to the size of the inputs they replace.
  int64_t byte_limit(const std::vector<const Tensor*>& inputs) const {
    int64_t in_bytes = 0;
    for (const Tensor* t : inputs)
      if (t) in_bytes += static_cast<int64_t>(t->byte_size());
    return std::max(max_bytes_, in_bytes);
  }

  bool fold(Node& n) {
    std::vector<TensorPtr> results;
    if (is_shape_query(n)) {
      if (TensorPtr t = static_shape_query(n)) {
        results.push_back(t);
        ctx_.stats.add("shapes_folded");
      }
    }
    if (results.empty()) {
      std::vector<const Tensor*> inputs;
      for (const Value* in : n.inputs()) inputs.push_back(in ? constant(in) : nullptr);
      const int64_t limit = byte_limit(inputs);
      // Inferred output sizes refuse most oversized results before anything is computed.
      for (const Value* o : n.outputs()) {
        if (!o || !o->type.is_tensor() || !o->type.shape) continue;
        const std::optional<int64_t> numel = o->type.shape->numel();
        if (numel && dtype_storage_bytes(o->type.dtype, *numel) > limit) return false;
      }
      results = evaluate(ctx_.model, n, inputs);
      if (results.empty()) return false;
      for (const TensorPtr& t : results)
        if (static_cast<int64_t>(t->byte_size()) > limit) return false;
    }
    size_t k = 0;
    for (Value* o : n.outputs())
      if (o) values_[o] = results[k++];
    folded_.push_back(n.id());
    done_.insert(&n);
    ctx_.stats.add("nodes_folded");
    return true;
  }

  // Results read by nodes that did not fold become initializers; then the folded nodes go.
  void materialize() {
    for (NodeId id : folded_) {
      Node* n = g_.find_node(id);
      for (Value* o : n->outputs()) {
        if (!o) continue;
        const bool read_outside = std::any_of(o->uses().begin(), o->uses().end(),
                                              [&](const Use& u) { return !done_.count(u.node); });
        if (!read_outside) continue;
        Tensor t = *values_.at(o);
        t.name = o->name() + "_folded";
        ctx_.rw.replace_uses(o, ctx_.rw.add_initializer(g_, t));
        ctx_.stats.add("constants_added");
      }
    }
    // Readers before producers: removing a reader also removes producers only it kept alive.
    for (auto it = folded_.rbegin(); it != folded_.rend(); ++it)
      if (Node* n = g_.find_node(*it)) ctx_.rw.remove_node(n);
  }

  PassContext& ctx_;
  Graph& g_;
  const CapturedNames captured_;
  const int64_t max_bytes_;
  std::unordered_map<const Node*, size_t> waiting_;
  std::unordered_map<const Value*, TensorPtr> values_;
  std::vector<NodeId> folded_;
  std::unordered_set<const Node*> done_;
};

void run(PassContext& ctx) {
  const std::vector<Graph*> graphs = ctx.rw.graphs();
  // Innermost graphs first: removing a node can free the subgraphs it holds.
  for (auto it = graphs.rbegin(); it != graphs.rend(); ++it) Folder(ctx, **it).run();
}

}  // namespace

void register_fold_constants(PassRegistry& r) {
  r.add({{"fold-constants",
          PassCategory::Cleanup,
          "Compute nodes whose inputs are all constant",
          "Runs every node whose inputs are initializers, Constant outputs or results folded before "
          "it on the reference runtime once, and replaces what other nodes read of its results by "
          "initializers; Shape and Size of a value with a fully known shape fold too. Not folded: "
          "random ops, DequantizeLinear (it marks what a QDQ model runs in integers), nodes holding "
          "subgraphs, ops of other domains, nodes whose results are graph outputs or read by a "
          "subgraph by name, ops the reference runtime cannot run, and results larger than both "
          "max_bytes and the constant inputs they come from.",
          {{"max_bytes", OptionType::Int, "largest folded result, in bytes, when it is larger than its inputs",
            int64_t{1} << 20, 0, static_cast<double>(int64_t{1} << 40), {}}},
          {{"nodes_folded", "nodes computed at optimisation time"},
           {"shapes_folded", "Shape and Size nodes answered from inferred shapes"},
           {"constants_added", "initializers added for folded results"}}},
         run});
}

}  // namespace kiln::passes
