#pragma once
// Shared by the reordering passes: which ops commute with data movement, what a Cast does to the
// range and size of values, the parameters of the data-movement ops they move, and the
// compile-time versions of that movement (permute, crop) applied to constant operands, so a moved
// op needs no new node for its constants.
//
// The passes agree on one order, so that no two of them undo each other's work in a recipe:
// crops (Slice, Gather, one-output Split) go up past elementwise ops, layout ops (Transpose,
// Reshape, ...) go down past them, and a Cast goes wherever its tensor is narrower: a widening
// one below data movement, any other one above it.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/ir/model.h"
#include "passes/cleanup/captured_names.h"
#include "passes/framework/rewriter.h"

namespace kiln::passes::reorder {

// One data input and an output of the same shape, each element computed from the element at the
// same position alone: Relu, Exp, Neg, Cast, Clip with constant (or no) bounds, ...
bool is_unary_elementwise(const Node& n);
// Elementwise over inputs broadcast the numpy way: every unary op above, and Add, Mul, Where,
// Max, PRelu, ... at opset 8 or later (earlier Add and friends had a legacy "broadcast" mode).
bool is_broadcast_elementwise(const Node& n, int64_t onnx_opset);

// Element type inference found for v (Undefined when it found none).
DataType dtype_of(const Value* v);
// The target of a Cast whose "to" is an element type number (Cast-6 and later); Undefined else.
DataType cast_to(const Node& n);
// Every value of `from` is exactly representable in `to`: Cast(from -> to) loses nothing and
// Cast(to -> from) restores it.
bool exact_conversion(DataType from, DataType to);
// A Cast whose output has more bits per element than its input (so data movement after it moves
// more bytes than before it).
bool widens(const Node& cast);
// A Cast known not to widen (both element types known): data movement is no cheaper after it.
bool keeps_or_narrows(const Node& cast);

// The shape of v when inference knows v is a tensor of known rank; nullptr otherwise.
const Shape* shape_of(const Value* v);
// Provably the same dim: the same known size or the same symbol.
bool same_dim(const Dim& a, const Dim& b);
// The value nodes read as the data input and that no other input of n reads (shape, axes and
// indices inputs are read once, as parameters).
bool read_only_as_data(const Node& n, const Value* v);

// The permutation of a Transpose (explicit, or reversed axes when perm is absent); empty when the
// rank is unknown or perm is not a permutation of it.
std::vector<int64_t> transpose_perm(const Node& t);
std::vector<int64_t> inverse_perm(const std::vector<int64_t>& p);
bool is_identity_perm(const std::vector<int64_t>& p);

// Elements of t are whole bytes (so it can be permuted and cropped as bytes).
bool byte_addressable(const Tensor& t);
// Which elements of one axis a crop keeps: start, start + step, ... (count of them).
struct AxisRange {
  int64_t start = 0, step = 1, count = 0;
};
// ONNX Slice's clamping of (start, end, step) on an axis of size dim.
AxisRange slice_range(int64_t start, int64_t end, int64_t step, int64_t dim);
// t cropped per axis (one range per dim of t). Requires byte_addressable(t).
Tensor cropped(const Tensor& t, const std::vector<AxisRange>& ranges);
// t with dims[i] = t.dims[perm[i]]. Requires byte_addressable(t).
Tensor permuted(const Tensor& t, const std::vector<int64_t>& perm);
// The same elements under other dims of the same element count.
Tensor with_dims(const Tensor& t, std::vector<int64_t> dims);

// The constant parameters of a Slice: inputs (Slice-10 and later) or attributes (Slice-1).
// Axes as written (possibly negative, empty when absent); steps all 1 when absent.
struct SliceParams {
  std::vector<int64_t> starts, ends, axes, steps;
};
std::optional<SliceParams> slice_params(const Node& slice, int64_t onnx_opset);

// Constants a pass derives from other constants (a bias permuted, a table cropped), kept per pass
// run so that a constant read by many moved ops is derived once and shared, instead of once per
// op (which would also make each new name probe past all the earlier ones).
class DerivedConstants {
 public:
  // The initializer holding t, derived from `source` (may be null) as described by `how`: the
  // one made earlier for the same source and description while it is still in g, else a new one.
  Value* get(Rewriter& rw, Graph& g, const Value* source, const std::string& how, const Tensor& t);

 private:
  struct Entry {
    std::shared_ptr<const Tensor> source;  // kept alive, so its address names it in the key
    Value* value = nullptr;
    std::string name;
  };
  std::unordered_map<std::string, Entry> entries_;
};

// Removes a constant (initializer or Constant node) a rewire left unread, unless a subgraph
// reads it by name.
void remove_if_unread(Rewriter& rw, const CapturedNames& captured, Value* v);

// "1,0,2": integers as part of a DerivedConstants description.
std::string ints_key(const std::vector<int64_t>& v);

// Sets the type of a value whose meaning a pass just changed (a node moved above or below it),
// so later matches in the same run see it without waiting for the next shape inference (which
// re-derives it anyway).
void set_type(Value* v, DataType dtype, std::optional<Shape> shape);

}  // namespace kiln::passes::reorder
