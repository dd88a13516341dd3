#pragma once
// A per-output-channel affine map y*scale[c] + shift[c], as inference BatchNormalization and
// channel-wise Mul/Add apply it, and its folding into the weights and bias of a Conv or
// ConvTranspose in front of it.
#include <optional>
#include <vector>

#include "core/ir/model.h"
#include "passes/framework/rewriter.h"

namespace kiln::passes {

struct ChannelAffine {
  std::vector<double> scale, shift;
};

// An inference-mode BatchNormalization (training_mode 0, is_test 1 before opset 7, per-channel
// statistics) whose scale, bias, mean and variance are constant and whose extra outputs nobody
// reads, as the affine map it computes; nullopt otherwise.
std::optional<ChannelAffine> inference_batchnorm(const Node* bn, const Model& model);

// The number of output channels of a Conv/ConvTranspose whose weights (and bias, if any) are
// constants of a foldable float type, or 0 when they cannot be folded.
int64_t foldable_conv_channels(const Node* conv);

// A Conv/ConvTranspose computing `conv` followed by `affine` (one entry per output channel, see
// foldable_conv_channels), with weights and bias folded in double and rounded once. It takes
// over the readers of `replaced`, the output of the chain's last node, which is removed with
// the rest of the chain; `from` lists the chain's nodes for provenance.
Node* emit_folded_conv(Rewriter& rw, Node* conv, const ChannelAffine& affine, Value* replaced,
                       const std::vector<const Node*>& from);

}  // namespace kiln::passes
