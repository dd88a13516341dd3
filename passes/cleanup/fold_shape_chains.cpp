// fold-shape-chains: shape computations become constants. Shape and Size of values whose shape
// inference knows, and everything computed from them whose contents inference knows or whose
// inputs are then all constant, fold in one sweep; a Reshape whose target is computed from
// dynamic shapes gets a constant target that copies (0) the dims it provably keeps and infers
// (-1) at most one, as ONNX Runtime's Reshape fusion does for exporter-style graphs.
#include <cstdint>
#include <unordered_map>
#include <unordered_set>

#include "core/analysis/shape_inference.h"
#include "passes/cleanup/cleanup_passes.h"
#include "passes/cleanup/constant_folder.h"
#include "passes/framework/opset_gates.h"
#include "passes/framework/rewriter.h"

namespace kiln::passes {
namespace {

using KnownIntsMap = std::unordered_map<const Value*, KnownInts>;

bool is_shape_source(const Node& n) {
  return n.is_onnx_domain() && (n.op_type == "Shape" || n.op_type == "Size");
}

// The contents inference knows for v as a tensor of v's type: every element known, an int64 or
// int32 tensor of the rank the contents have.
TensorPtr known_tensor(const Value* v, const KnownInts& k) {
  if (!k.all_known() || !v->type.is_tensor()) return nullptr;
  std::vector<int64_t> dims;
  if (!k.scalar) dims.push_back(static_cast<int64_t>(k.v.size()));
  if (v->type.shape && v->type.shape->rank() != dims.size()) return nullptr;
  if (v->type.dtype == DataType::Int64) {
    std::vector<int64_t> values;
    for (const SymInt& s : k.v) values.push_back(s.value);
    return Tensor::from_values("", DataType::Int64, dims, values);
  }
  if (v->type.dtype == DataType::Int32) {
    std::vector<int32_t> values;
    for (const SymInt& s : k.v) {
      if (s.value < INT32_MIN || s.value > INT32_MAX) return nullptr;
      values.push_back(static_cast<int32_t>(s.value));
    }
    return Tensor::from_values("", DataType::Int32, dims, values);
  }
  return nullptr;
}

class ShapeChainFolder {
 public:
  ShapeChainFolder(PassContext& ctx, Graph& g, const KnownIntsMap& ints)
      : ctx_(ctx), g_(g), ints_(ints), folder_(ctx, g, ctx.options.get_int("max_bytes")), captured_(g) {}

  void run() {
    // Graph order: the shape computations feeding a node are settled before it is looked at.
    for (Node* n : g_.nodes()) {
      const bool derived = is_shape_source(*n) || reads_derived(*n);
      if (derived)
        for (const Value* o : n->outputs())
          if (o) derived_.insert(o);
      if (n->op_type == "Reshape" && n->is_onnx_domain()) rewrite_reshape(*n);
      if (!derived) continue;
      if (fold_from_shapes(*n)) {
        ctx_.stats.add("shapes_folded");
      } else if (folder_.ready(*n) && folder_.fold(*n)) {
        ctx_.stats.add("nodes_folded");
      }
    }
    // Before materializing, so no initializer is made for a value only the old targets read.
    for (NodeId id : replaced_targets_) {
      Node* p = g_.find_node(id);
      if (p && unread(*p)) ctx_.rw.remove_node(p);
    }
    ctx_.stats.add("initializers_added", folder_.materialize());
  }

 private:
  bool reads_derived(const Node& n) const {
    for (const Value* in : n.inputs())
      if (in && derived_.count(in)) return true;
    return false;
  }

  bool unread(const Node& n) const {
    for (const Value* o : n.outputs())
      if (o && (o->has_uses() || o->is_graph_output() || captured_.contains(o))) return false;
    return true;
  }

  // Every output's contents known from shapes alone.
  bool fold_from_shapes(const Node& n) {
    if (!folder_.may_fold(n)) return false;
    std::vector<TensorPtr> results;
    for (const Value* o : n.outputs()) {
      if (!o) {
        results.push_back(nullptr);
        continue;
      }
      auto it = ints_.find(o);
      TensorPtr t = it == ints_.end() ? nullptr : known_tensor(o, it->second);
      if (!t) return false;
      results.push_back(std::move(t));
    }
    folder_.set_results(n, std::move(results));
    return true;
  }

  // A target computed from shapes, with dims only known at run time: each element is a known
  // number, 0 where it provably is the input's dim at the same position (the same symbol), or
  // the single -1.
  void rewrite_reshape(Node& n) {
    Value* x = n.input(0);
    Value* target = n.input(1);
    if (!x || !target || !derived_.count(target) || folder_.known(target)) return;
    // Shape as an input is Reshape-5; allowzero=1 would read the copied dims as zeros.
    if (!can_emit(ctx_.model, "Reshape") || n.attr_int("allowzero", 0) != 0) return;
    auto it = ints_.find(target);
    if (it == ints_.end() || it->second.scalar || it->second.v.empty() || !x->type.shape) return;
    const Shape& in = *x->type.shape;
    std::vector<int64_t> dims;
    int inferred = 0;
    for (size_t i = 0; i < it->second.v.size(); ++i) {
      const SymInt& e = it->second.v[i];
      if (e.is_known()) {
        if (e.value < -1) return;
        inferred += e.value == -1;
        dims.push_back(e.value);
      } else if (e.is_symbolic() && i < in.rank() && in.dims[i].is_symbolic() && in.dims[i].symbol == e.symbol) {
        dims.push_back(0);
      } else {
        ++inferred;
        dims.push_back(-1);
      }
    }
    if (inferred > 1) return;
    auto t = Tensor::from_values(target->name() + "_folded", DataType::Int64, {static_cast<int64_t>(dims.size())}, dims);
    if (Node* p = target->producer()) replaced_targets_.push_back(p->id());
    ctx_.rw.set_input(&n, 1, ctx_.rw.add_initializer(g_, *t));
    ctx_.stats.add("reshapes_rewritten");
  }

  PassContext& ctx_;
  Graph& g_;
  const KnownIntsMap& ints_;
  ConstantFolder folder_;
  const CapturedNames captured_;
  std::unordered_set<const Value*> derived_;  // computed from Shape or Size
  std::vector<NodeId> replaced_targets_;      // producers of Reshape targets no longer read
};

void run(PassContext& ctx) {
  // The pass manager inferred shapes before this pass; again here to keep what inference knows
  // of integer contents, symbols included, which types do not record.
  KnownIntsMap ints;
  InferenceOptions options;
  options.known_ints = &ints;
  infer_shapes(ctx.model, options);
  for (Graph* g : ctx.rw.graphs()) ShapeChainFolder(ctx, *g, ints).run();
}

}  // namespace

void register_fold_shape_chains(PassRegistry& r) {
  r.add({{"fold-shape-chains",
          PassCategory::Cleanup,
          "Turn shape computations into constants; give dynamic Reshapes constant targets",
          "Replaces Shape (with start/end) and Size of values whose inferred shape is known there by "
          "constants, and folds what is computed from them in the same sweep: nodes whose integer "
          "results inference knows, and nodes whose inputs have all become constant (on the "
          "reference kernels, within max_bytes as fold-constants). A Reshape whose target is "
          "computed from shapes with dims only known at run time (batch, sequence) gets a constant "
          "target instead: 0 where the element is provably the input's dim at the same position, "
          "the known numbers, and -1 for at most one other element; Reshapes with allowzero=1 are "
          "left alone. The shape computations nothing else reads are removed. Nothing crosses into "
          "or out of a subgraph.",
          {{"max_bytes", OptionType::Int, "largest folded result, in bytes, when it is larger than its inputs",
            int64_t{1} << 20, 0, static_cast<double>(int64_t{1} << 40), {}}},
          {{"shapes_folded", "nodes whose results inference knew from shapes"},
           {"nodes_folded", "nodes computed on constants that shapes made"},
           {"reshapes_rewritten", "Reshapes given a constant target with copied or inferred dims"},
           {"initializers_added", "initializers added for folded results"},
           {"too_large", "nodes not folded because a result would exceed max_bytes"},
           {"not_evaluated", "nodes the reference kernels could not compute"}}},
         run});
}

}  // namespace kiln::passes
