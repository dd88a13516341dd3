#include "passes/fusion/channel_affine.h"

#include <cmath>

#include "passes/fusion/fusion_helpers.h"

namespace kiln::passes {
namespace {

bool extra_outputs_unused(const Node* n) {
  for (size_t i = 1; i < n->num_outputs(); ++i) {
    const Value* o = n->output(i);
    if (o && (o->has_uses() || o->is_graph_output())) return false;
  }
  return true;
}

// "conv1.weight" -> "conv1.bias", as exporters name the pair.
std::string bias_name_for(const std::string& weight) {
  const std::string suffix = ".weight";
  if (weight.size() > suffix.size() && weight.compare(weight.size() - suffix.size(), suffix.size(), suffix) == 0)
    return weight.substr(0, weight.size() - suffix.size()) + ".bias";
  return weight + "_bias";
}

}  // namespace

std::optional<ChannelAffine> inference_batchnorm(const Node* bn, const Model& model) {
  if (bn->attr_int("training_mode", 0) != 0) return std::nullopt;
  // Before opset 7, is_test defaults to 0: training semantics, with batch statistics.
  if (model.opset("") < 7 && bn->attr_int("is_test", 0) != 1) return std::nullopt;
  // spatial=0 (before opset 9) normalises per element, not per channel.
  if (bn->attr_int("spatial", 1) != 1 || !extra_outputs_unused(bn)) return std::nullopt;
  const std::vector<double> gamma = constant_values(bn->input(1));
  const std::vector<double> beta = constant_values(bn->input(2));
  const std::vector<double> mean = constant_values(bn->input(3));
  const std::vector<double> var = constant_values(bn->input(4));
  const size_t c = gamma.size();
  if (c == 0 || beta.size() != c || mean.size() != c || var.size() != c) return std::nullopt;
  const double eps = bn->attr_float("epsilon", 1e-5f);
  ChannelAffine a;
  a.scale.resize(c);
  a.shift.resize(c);
  for (size_t i = 0; i < c; ++i) {
    a.scale[i] = gamma[i] / std::sqrt(var[i] + eps);
    a.shift[i] = beta[i] - mean[i] * a.scale[i];
  }
  return a;
}

int64_t foldable_conv_channels(const Node* conv) {
  const Tensor* w = constant_of(conv->input(1));
  if (!w || !is_foldable_float(w->dtype) || w->dims.size() < 3 || w->numel() <= 0) return 0;
  const int64_t group = conv->attr_int("group", 1);
  if (group < 1) return 0;
  const bool transposed = conv->op_type == "ConvTranspose";
  if (transposed && w->dims[0] % group != 0) return 0;
  const int64_t m = transposed ? w->dims[1] * group : w->dims[0];
  if (const Value* bias = conv->input(2)) {
    const Tensor* b = constant_of(bias);
    if (!b || b->dtype != w->dtype || b->numel() != m) return 0;
  }
  return m;
}

Node* emit_folded_conv(Rewriter& rw, Node* conv, const ChannelAffine& affine, Value* replaced,
                       const std::vector<const Node*>& from) {
  Graph& g = *conv->graph();
  Value* w_in = conv->input(1);
  const Tensor& w = *constant_of(w_in);
  const size_t m = affine.scale.size();

  bool unit_scale = true;
  for (double s : affine.scale) unit_scale = unit_scale && s == 1.0;
  Value* w_out = w_in;
  if (!unit_scale) {
    std::vector<double> wv = w.to_double();
    const bool transposed = conv->op_type == "ConvTranspose";
    // Conv weights are [M, C/group, k...]; ConvTranspose weights are [C, M/group, k...], where
    // input channel c of group c / (C/group) feeds output channels group * M/group + j.
    const size_t d0 = static_cast<size_t>(w.dims[0]), d1 = static_cast<size_t>(w.dims[1]);
    const size_t inner = wv.size() / (d0 * d1);
    const size_t in_per_group = transposed ? d0 / static_cast<size_t>(conv->attr_int("group", 1)) : 1;
    for (size_t i = 0; i < d0; ++i)
      for (size_t j = 0; j < d1; ++j) {
        const size_t channel = transposed ? (i / in_per_group) * d1 + j : i;
        double* p = wv.data() + (i * d1 + j) * inner;
        for (size_t k = 0; k < inner; ++k) p[k] *= affine.scale[channel];
      }
    w_out = rw.add_initializer(g, *float_tensor(w_in->name(), w.dtype, w.dims, wv));
  }

  Value* b_in = conv->input(2);
  std::vector<double> bv = b_in ? constant_of(b_in)->to_double() : std::vector<double>(m, 0.0);
  bool zero_shift = true;
  for (size_t i = 0; i < m; ++i) {
    bv[i] = bv[i] * affine.scale[i] + affine.shift[i];
    zero_shift = zero_shift && affine.shift[i] == 0.0;
  }
  Value* b_out = b_in;
  // A scale alone leaves an absent bias absent (zero stays zero); a unit scale without shift
  // would leave the bias as it is.
  if (b_in ? !(unit_scale && zero_shift) : !zero_shift) {
    const std::string hint = b_in ? b_in->name() : bias_name_for(w_in->name());
    b_out = rw.add_initializer(g, *float_tensor(hint, w.dtype, {static_cast<int64_t>(m)}, bv));
  }

  std::vector<Value*> inputs = {conv->input(0), w_out};
  if (b_out) inputs.push_back(b_out);
  Node* n = rw.add_node(g, conv->op_type, inputs, {replaced->name()}, from, "", replaced->producer());
  copy_attrs(rw, conv, n);
  replace_and_remove(rw, replaced, n->output(0));
  return n;
}

}  // namespace kiln::passes
