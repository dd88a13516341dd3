#pragma once
// Preconditions and weight arithmetic shared by the fusion and merge passes in this folder, so
// every pass asks the same questions the same way: is this value private to the chain being
// fused, is this a constant of a type whose folding is exact enough, what does an axis list mean.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ir/graph.h"
#include "passes/framework/rewriter.h"

namespace kiln::passes {

// An op of the default ONNX domain.
inline bool is_onnx_op(const Node* n, std::string_view op) {
  return n && n->op_type == op && n->is_onnx_domain();
}

// Element types whose weights are folded in double and rounded once: the math is the same as in
// float32, only the rounding differs.
bool is_foldable_float(DataType t);

// A tensor of a float type from doubles, each rounded once to `dtype` (float32/float16/float64).
std::shared_ptr<const Tensor> float_tensor(std::string name, DataType dtype, std::vector<int64_t> dims,
                                           const std::vector<double>& v);
std::shared_ptr<const Tensor> int64_tensor(std::string name, std::vector<int64_t> dims,
                                           const std::vector<int64_t>& v);

// Whether `v` may vanish into a fusion with its reader: it is read exactly once, by `reader` at
// input `index`, and is neither a graph output nor read by name from a subgraph.
bool private_to(Rewriter& rw, const Value* v, const Node* reader, size_t index);

// Whether readers of a chain's final output `v` can be moved to a new value: a subgraph reading
// `v` by name would lose it (a graph output keeps its name through Rewriter::replace_uses).
inline bool replaceable(Rewriter& rw, const Value* v) { return !rw.is_captured(v); }

// Rewriter::can_replace, and no subgraph loses a value it reads by name: `from` disappears, and
// `to` is renamed when it takes over a graph output.
bool can_take_over(Rewriter& rw, const Value* from, const Value* to);

// Constant integer data (an initializer or Constant node of an integer type), or nullopt.
std::optional<std::vector<int64_t>> constant_ints(const Value* v);

// The rank of a value when shape inference knows it, else -1.
int64_t known_rank(const Value* v);

// Axes normalised into [0, rank) (negative ones counted from the end), or nullopt when one is
// out of range or listed twice.
std::optional<std::vector<int64_t>> normalize_axes(const std::vector<int64_t>& axes, int64_t rank);

// A Transpose's permutation; its default (reversed axes) needs the input's rank.
std::optional<std::vector<int64_t>> transpose_perm(const Node* transpose);

// The new node takes every attribute of `src` but those named in `skip`.
void copy_attrs(Rewriter& rw, const Node* src, Node* dst, const std::vector<std::string_view>& skip = {});

// The last step of every fusion: readers of `old_out` read `new_out`, and the node producing
// `old_out` goes, with whatever of the fused chain only it kept alive.
void replace_and_remove(Rewriter& rw, Value* old_out, Value* new_out);

// Nodes of `g` by id in graph order; a pass looks each one up again before use, because a rewrite
// may already have removed it.
std::vector<NodeId> node_ids(const Graph& g);

}  // namespace kiln::passes
