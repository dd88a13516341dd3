// fuse-rms-norm: x / Sqrt(ReduceMean(x^2) + eps) * gamma becomes RMSNormalization.
#include "passes/fusion/patterns/norm_match.h"
#include "passes/fusion/patterns/pattern_passes.h"

namespace kiln::passes {
namespace {

using namespace patterns;

// Whether x is y - ReduceMean(y): then the pattern is the tail of a LayerNorm, which
// fuse-layer-norm replaces whole.
bool is_centered(const Value* x) {
  const Node* sub = producer_op(x, "Sub");
  const Node* mean = sub ? producer_op(sub->input(1), "ReduceMean") : nullptr;
  return mean && mean->input(0) == sub->input(0);
}

// From the Sqrt: up to x through the mean square, down through the division and the scale.
std::optional<Fusion> match(Node* sqrt, int64_t opset) {
  const std::optional<RootMeanSquare> rms = match_root_mean_square(sqrt, opset);
  if (!rms) return std::nullopt;
  Value* x = rms->v;
  if (is_centered(x)) return std::nullopt;
  const std::optional<std::vector<Node*>> divide = match_divided_by_sqrt(sqrt, x);
  if (!divide) return std::nullopt;
  const Affine affine = match_affine(divide->back(), x, rms->count, false);
  if (!keeps_type(x, affine.last->output(0))) return std::nullopt;
  Fusion f("RMSNormalization", {x, affine.gamma}, affine.last, {});
  if (!affine.gamma) {
    const std::optional<std::vector<int64_t>> dims = trailing_dims(x, rms->count);
    if (!dims) return std::nullopt;
    f.new_constants.push_back({1, ones(float_dtype(x), *dims)});
  }
  f.attrs = {Attribute::make_int("axis", -rms->count),
             Attribute::make_float("epsilon", static_cast<float>(rms->epsilon))};
  f.nodes.insert(f.nodes.end(), rms->nodes.begin(), rms->nodes.end());
  f.nodes.insert(f.nodes.end(), divide->begin(), divide->end());
  f.nodes.insert(f.nodes.end(), affine.nodes.begin(), affine.nodes.end());
  return f;
}

void run(PassContext& ctx) { fuse_patterns(ctx, onnx_ops({"Sqrt"}), match); }

}  // namespace

void register_fuse_rms_norm(PassRegistry& r) {
  r.add({{"fuse-rms-norm",
          PassCategory::Fusion,
          "Fuse written-out RMSNorm into RMSNormalization",
          "Replaces x / Sqrt(ReduceMean(x^2) + eps), then optionally * gamma, by "
          "RMSNormalization(axis, epsilon) (opset 23), or by ai.kiln RMSNormalization on older "
          "opsets when allow_kiln_ops is set. Accepts x^2 as Pow(x, 2) or x * x, the division also "
          "as x * Reciprocal(...) or x * (1 / ...), ReduceMean axes as attribute or input, operands "
          "of Add and Mul in either order. The ReduceMean must keep dims and cover trailing axes; "
          "gamma must span only those dims. Refuses when an intermediate value has another reader "
          "or is a graph output, or when there is no gamma and the normalised dims are not known "
          "(a scale of ones is made for it), and leaves (x - ReduceMean(x)) / Sqrt(...) to "
          "fuse-layer-norm.",
          {allow_kiln_ops_option()},
          fusion_stats("RMSNorm patterns"),
          true},
         run});
}

}  // namespace kiln::passes
