// fuse-layer-norm: LayerNorm written out as ReduceMean / Sub / Pow / ReduceMean / Add / Sqrt /
// Div (then scale and bias) becomes LayerNormalization.
#include "passes/fusion/patterns/norm_match.h"
#include "passes/fusion/patterns/pattern_passes.h"

namespace kiln::passes {
namespace {

using namespace patterns;

// From the Sqrt, the rarest op of the pattern: up to d = x - ReduceMean(x) through the variance,
// down through the division by the standard deviation and the optional scale and bias.
std::optional<Fusion> match(Node* sqrt, int64_t opset) {
  const std::optional<RootMeanSquare> rms = match_root_mean_square(sqrt, opset);
  if (!rms) return std::nullopt;
  Value* d = rms->v;
  Node* sub = producer_op(d, "Sub");
  if (!sub) return std::nullopt;
  Value* x = sub->input(0);
  Value* mean = sub->input(1);
  Node* reduce = producer_op(mean, "ReduceMean");
  if (!x || !reduce || reduce->input(0) != x || sole_consumer(mean) != sub) return std::nullopt;
  const std::optional<std::vector<int64_t>> axes = reduce_mean_axes(reduce, rank_of(x), opset);
  if (!axes || static_cast<int64_t>(axes->size()) != rms->count || axes->front() != rank_of(x) - rms->count)
    return std::nullopt;
  const std::optional<std::vector<Node*>> divide = match_divided_by_sqrt(sqrt, d);
  if (!divide) return std::nullopt;
  // d feeds exactly the square and the division.
  if (d->is_graph_output()) return std::nullopt;
  for (const Use& u : d->uses())
    if (u.node != rms->square && u.node != divide->back()) return std::nullopt;

  const Affine affine = match_affine(divide->back(), x, rms->count, true);
  if (!keeps_type(x, affine.last->output(0))) return std::nullopt;
  Fusion f("LayerNormalization", {x, affine.gamma, affine.beta}, affine.last, {reduce, sub});
  if (!affine.gamma) {
    const std::optional<std::vector<int64_t>> dims = trailing_dims(x, rms->count);
    if (!dims) return std::nullopt;
    f.new_constants.push_back({1, ones(float_dtype(x), *dims)});
  }
  if (!affine.beta) f.inputs.pop_back();
  f.attrs = {Attribute::make_int("axis", -rms->count),
             Attribute::make_float("epsilon", static_cast<float>(rms->epsilon))};
  f.nodes.insert(f.nodes.end(), rms->nodes.begin(), rms->nodes.end());
  f.nodes.insert(f.nodes.end(), divide->begin(), divide->end());
  f.nodes.insert(f.nodes.end(), affine.nodes.begin(), affine.nodes.end());
  return f;
}

void run(PassContext& ctx) { fuse_patterns(ctx, onnx_ops({"Sqrt"}), match); }

}  // namespace

void register_fuse_layer_norm(PassRegistry& r) {
  r.add({{"fuse-layer-norm",
          PassCategory::Fusion,
          "Fuse written-out LayerNorm into LayerNormalization",
          "Replaces d = x - ReduceMean(x); d / Sqrt(ReduceMean(d^2) + eps), then optionally * gamma "
          "and + beta, by LayerNormalization(axis, epsilon) (opset 17), or by ai.kiln "
          "LayerNormalization on older opsets when allow_kiln_ops is set. Accepts d^2 as Pow(d, 2) "
          "or d * d, the division also as d * Reciprocal(...) or d * (1 / ...), ReduceMean axes as "
          "attribute or input, operands of Add and Mul in either order. Both ReduceMeans must keep "
          "dims and cover the same trailing axes; gamma and beta must span only those dims. Refuses "
          "when an intermediate value has another reader or is a graph output, or when there is no "
          "gamma and the normalised dims are not known (a scale of ones is made for it).",
          {allow_kiln_ops_option()},
          fusion_stats("LayerNorm patterns"),
          true},
         run});
}

}  // namespace kiln::passes
