#pragma once
// Kiln's own shape and type inference for the ops it supports, with symbolic dims
// (e.g. "batch", or fresh "unk__N" symbols where an op creates a new dynamic dim).
// Types already declared in the model are kept unless inference finds a more precise one that
// agrees with them; a contradiction is reported as a warning, never a crash.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/ir/model.h"

namespace kiln {

// One element of an integer tensor during partial data propagation: a number (any sign), a
// symbol (a dim read by Shape from a symbolic dim) or unknown.
struct SymInt {
  enum class Kind : uint8_t { Unknown, Known, Symbol };
  Kind kind = Kind::Unknown;
  int64_t value = 0;
  std::string symbol;

  static SymInt known(int64_t v) { return SymInt{Kind::Known, v, {}}; }
  static SymInt symbolic(std::string s) { return SymInt{Kind::Symbol, 0, std::move(s)}; }
  static SymInt unknown() { return SymInt{}; }
  static SymInt from_dim(const Dim& d) {
    if (d.is_known()) return known(d.value);
    if (d.is_symbolic()) return symbolic(d.symbol);
    return unknown();
  }
  bool is_known() const { return kind == Kind::Known; }
  bool is_symbolic() const { return kind == Kind::Symbol; }
  // As a dim: negative numbers are not sizes and become unknown.
  Dim to_dim() const {
    if (kind == Kind::Known) return value >= 0 ? Dim::known(value) : Dim::unknown();
    if (kind == Kind::Symbol) return Dim::symbolic(symbol);
    return Dim::unknown();
  }
  bool operator==(const SymInt& o) const {
    return kind == o.kind && value == o.value && symbol == o.symbol;
  }
};

// Integer contents of a 0-D or 1-D tensor as far as they are known. This is the "partial data
// propagation" that lets exporter-style Shape -> Gather -> Concat -> Reshape chains resolve.
struct KnownInts {
  std::vector<SymInt> v;
  bool scalar = false;  // rank 0 (then v has one element)

  bool all_known() const {
    for (const SymInt& d : v)
      if (!d.is_known()) return false;
    return true;
  }
};

struct InferenceOptions {
  // Concrete or symbolic shapes for graph inputs, overriding the declared ones.
  std::map<std::string, Shape> input_shapes;
  // When set, receives the integer contents inference derived for values (shape tensors and
  // what is computed from them), keyed by value; a capture is listed under the outer value.
  std::unordered_map<const Value*, KnownInts>* known_ints = nullptr;
};

struct InferenceReport {
  size_t values_inferred = 0;               // values whose type inference set or refined
  std::set<std::string> ops_not_inferred;   // "domain::Op" or "Op" without an inference rule
  std::vector<std::string> warnings;        // one line each
};

InferenceReport infer_shapes(Model& model, const InferenceOptions& options = {});

}  // namespace kiln
