#pragma once
// The pieces LayerNormalization and RMSNormalization are written out from, shared by
// fuse-layer-norm and fuse-rms-norm: the root mean square Sqrt(ReduceMean(v^2) + eps) over the
// trailing axes, the division by it, and the optional scale and bias after it.
#include <cstdint>
#include <optional>
#include <vector>

#include "passes/fusion/patterns/pattern_match.h"

namespace kiln::passes::patterns {

// Sqrt(ReduceMean(v^2) + eps) over the trailing `count` axes of v, v^2 as Pow(v, 2) or v * v,
// every intermediate value read only by the next node.
struct RootMeanSquare {
  Value* v = nullptr;
  Node* square = nullptr;
  int64_t count = 0;  // trailing axes reduced
  double epsilon = 0;
  std::vector<const Node*> nodes;  // square, ReduceMean, Add, Sqrt
};
std::optional<RootMeanSquare> match_root_mean_square(Node* sqrt, int64_t opset);

// v / s, v * Reciprocal(s) or v * (1 / s), where s is `sqrt`'s output and read only there; the
// last node computes the quotient.
std::optional<std::vector<Node*>> match_divided_by_sqrt(Node* sqrt, const Value* v);

// After the node `y`: * gamma, then + beta (each optional, operands in either order), where
// gamma and beta cover only the trailing `count` dims of x. `last` computes the result (`y`
// itself when there is neither).
struct Affine {
  Node* last = nullptr;
  Value* gamma = nullptr;
  Value* beta = nullptr;
  std::vector<const Node*> nodes;
};
Affine match_affine(Node* y, const Value* x, int64_t count, bool with_beta);

// The trailing `count` dims of x when all are known.
std::optional<std::vector<int64_t>> trailing_dims(const Value* x, int64_t count);

}  // namespace kiln::passes::patterns
