// fuse-skip-layer-norm: a residual Add (with the bias Add before it) feeding a LayerNormalization
// becomes ai.kiln SkipLayerNormalization, as in ONNX Runtime's BERT optimisations.
#include "core/ir/kiln_domain.h"
#include "core/ir/kiln_pattern_ops.h"
#include "passes/fusion/patterns/pattern_match.h"
#include "passes/fusion/patterns/pattern_passes.h"

namespace kiln::passes {
namespace {

using namespace patterns;

// Whether v has the shape `like` has, every dim known or named (so equal really means equal).
bool same_shape(const Value* v, const Value* like) {
  if (!v || !v->type.shape || !like->type.shape || !(*v->type.shape == *like->type.shape)) return false;
  for (const Dim& d : v->type.shape->dims)
    if (!d.is_known() && !d.is_symbolic()) return false;
  return true;
}

// Whether v holds one value per element of the last axis ([h], or [1, ..., h]) in `dtype`.
bool is_row_vector(const Value* v, int64_t h, DataType dtype) {
  if (!v || float_dtype(v) != dtype || !v->type.shape || v->type.shape->rank() == 0) return false;
  const std::vector<Dim>& d = v->type.shape->dims;
  for (size_t i = 0; i + 1 < d.size(); ++i)
    if (!d[i].is_known() || d[i].value != 1) return false;
  return d.back().is_known() && d.back().value == h;
}

struct Biased {
  Value* input;
  Value* bias;
  Node* add;
};

// v = input + bias (either order), read only by `reader`, with bias a row vector and input of
// the full shape: the bias Add of a MatMul that ONNX Runtime folds into SkipLayerNormalization.
std::optional<Biased> match_bias(Value* v, const Node* reader, const Value* sum, int64_t h, DataType dtype) {
  Node* add = producer_op(v, "Add");
  if (!add || sole_consumer(v) != reader) return std::nullopt;
  for (size_t i = 0; i < 2; ++i)
    if (is_row_vector(add->input(i), h, dtype) && same_shape(add->input(1 - i), sum))
      return Biased{add->input(1 - i), add->input(i), add};
  return std::nullopt;
}

std::optional<Fusion> match(Node* ln) {
  Value* sum = ln->input(0);
  Node* add = producer_op(sum, "Add");
  const DataType dtype = float_dtype(sum);
  const int64_t rank = rank_of(sum);
  if (!add || dtype == DataType::Undefined || rank < 1) return std::nullopt;
  // The op normalises over the last axis only, as ONNX Runtime's does, and yields no statistics.
  const int64_t axis = ln->attr_int("axis", -1);
  if ((axis != -1 && axis != rank - 1) || ln->attr_int("stash_type", 1) != 1) return std::nullopt;
  for (size_t i = 1; i < ln->num_outputs(); ++i)
    if (const Value* o = ln->output(i); o && (o->has_uses() || o->is_graph_output())) return std::nullopt;
  const Dim& last = sum->type.shape->dims.back();
  if (!last.is_known()) return std::nullopt;
  const int64_t h = last.value;
  Value* gamma = ln->input(1);
  Value* beta = ln->input(2);
  if (!is_row_vector(gamma, h, dtype) || (beta && !is_row_vector(beta, h, dtype))) return std::nullopt;

  // The full-shape operand is the input, the other the skip (which may broadcast into it); a
  // bias Add on either operand moves into the op.
  Fusion f(std::string(pattern_ops::kSkipLayerNormalization), {}, ln, {});
  if (add->input(0) == add->input(1)) return std::nullopt;
  Value* input = nullptr;
  Value* skip = nullptr;
  Value* bias = nullptr;
  for (size_t i = 0; i < 2 && !input; ++i)
    if (const std::optional<Biased> bi = match_bias(add->input(i), add, sum, h, dtype)) {
      input = bi->input;
      bias = bi->bias;
      skip = add->input(1 - i);
      f.nodes.push_back(bi->add);
    }
  for (size_t i = 0; i < 2 && !input; ++i)
    if (same_shape(add->input(i), sum)) {
      input = add->input(i);
      skip = add->input(1 - i);
    }
  if (!input || float_dtype(skip) != dtype) return std::nullopt;
  f.inputs = {input, skip, gamma, beta, bias};
  while (!f.inputs.back()) f.inputs.pop_back();
  f.attrs = {Attribute::make_float("epsilon", ln->attr_float("epsilon", 1e-5f))};
  // A residual read elsewhere too comes from the op's second output.
  if (sole_consumer(sum) != ln) f.more_results = {sum};
  f.nodes.insert(f.nodes.end(), {add, ln});
  return f;
}

bool is_layer_norm(const Node* n) {
  return n->op_type == "LayerNormalization" && (n->is_onnx_domain() || n->domain == kKilnDomain);
}

void run(PassContext& ctx) {
  fuse_patterns(ctx, is_layer_norm, [](Node* n, int64_t) { return match(n); });
}

}  // namespace

void register_fuse_skip_layer_norm(PassRegistry& r) {
  r.add({{"fuse-skip-layer-norm",
          PassCategory::Fusion,
          "Fuse a residual Add into the LayerNormalization after it (Kiln's SkipLayerNormalization)",
          "Replaces LayerNormalization(a + b) over the last axis (standard or ai.kiln) by ai.kiln "
          "SkipLayerNormalization(input, skip, gamma, beta, bias) when allow_kiln_ops is set; there "
          "is no standard op for it, so without the option the pass changes nothing. The operand of "
          "the LayerNormalization's full shape is the input, the other the skip; a bias Add of a "
          "row vector on either operand (a MatMul's bias) moves into the op. When the sum is also "
          "read elsewhere, the op's second output carries it. Refuses when the LayerNormalization's "
          "mean or inverse-deviation outputs are read, or when it normalises more than the last "
          "axis. Run it after fuse-layer-norm.",
          {allow_kiln_ops_option()},
          fusion_stats("residual Add + LayerNorm patterns"),
          true},
         run});
}

}  // namespace kiln::passes
