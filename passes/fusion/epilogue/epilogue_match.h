#pragma once
// What the epilogue fusions (fuse-conv-activation, fuse-gemm-activation, fuse-attention) match in
// common: the activations Kiln's fused ops absorb, provable dim equality, the capture check, and
// the activation attributes of the ops they emit (core/ir/kiln_epilogue_ops.h).
#include <optional>
#include <vector>

#include "core/ir/kiln_epilogue_ops.h"
#include "core/ir/model.h"
#include "passes/framework/rewriter.h"

namespace kiln::passes::epilogue {

struct ActivationMatch {
  KilnActivation kind = KilnActivation::None;
  std::vector<float> params;
  std::vector<Node*> nodes;  // the activation's nodes (two for x * Sigmoid(x)), the last one producing `output`
  Value* output = nullptr;
};

// The activation x's consumers apply to x, when they are exactly that activation (x is interior
// to it: no other consumer, not a graph output) and its parameters are constants; nullopt else.
std::optional<ActivationMatch> match_activation(const Model& model, Value* x);

// Whether two dims are provably equal: both known and equal, or the same symbol.
bool same_dim(const Dim& a, const Dim& b);
// Whether v is a tensor provably of shape `s`.
bool same_shape(const Value* v, const Shape& s);
// v's shape when v is a tensor of known rank, else nullptr.
const Shape* shape_of(const Value* v);
// Whether v is a tensor of a floating-point element type the reference kernels compute.
bool is_float_tensor(const Value* v);
// n is `op` of the default ONNX domain / of Kiln's domain.
bool is_onnx(const Node* n, std::string_view op);
bool is_kiln(const Node* n, std::string_view op);

// Whether no output of the nodes a fusion replaces is read by a subgraph by name (captures are
// not uses, so use counts alone would miss them).
bool none_captured(Rewriter& rw, const std::vector<const Node*>& nodes);

// Writes `activation` and `activation_params` on a fused node (nothing for no activation).
void set_activation(Rewriter& rw, Node* n, const ActivationMatch& a);
// Copies every attribute of `from` onto `to`.
void copy_attrs(Rewriter& rw, const Node* from, Node* to);

}  // namespace kiln::passes::epilogue
