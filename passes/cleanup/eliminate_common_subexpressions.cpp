// eliminate-common-subexpressions: of nodes that compute the same op with the same attributes on
// the same inputs, the first stays and readers of the others read its outputs.
#include <algorithm>
#include <cstring>
#include <functional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/ir/kiln_domain.h"
#include "passes/cleanup/captured_names.h"
#include "passes/cleanup/cleanup_passes.h"
#include "passes/framework/rewriter.h"

namespace kiln::passes {
namespace {

// Two of these on the same inputs give different results, or training-mode results.
const std::unordered_set<std::string_view>& nondeterministic() {
  static const std::unordered_set<std::string_view> ops = {
      "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Multinomial", "Bernoulli", "Dropout"};
  return ops;
}

bool candidate(const Node& n) {
  // Custom ops may keep state; the standard domains and Kiln's own do not.
  if (!n.is_onnx_domain() && n.domain != "ai.onnx.ml" && n.domain != kKilnDomain) return false;
  if (n.outputs().empty() || nondeterministic().count(n.op_type)) return false;
  // Bodies would have to be compared structurally; If/Loop/Scan twins are rare.
  return std::none_of(n.attrs().begin(), n.attrs().end(), [](const Attribute& a) { return !a.graphs.empty(); });
}

bool same_tensor(const Tensor& a, const Tensor& b) {
  if (a.dtype != b.dtype || a.dims != b.dims || a.strings != b.strings) return false;
  if (a.data == b.data) return true;
  return a.byte_size() == b.byte_size() && (a.byte_size() == 0 || std::memcmp(a.raw(), b.raw(), a.byte_size()) == 0);
}

// Floats compare by bits, so NaN attributes match themselves and 0.0 does not match -0.0.
bool same_floats(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

bool same_attr(const Attribute& a, const Attribute& b) {
  if (a.name != b.name || a.kind != b.kind || a.ref_attr_name != b.ref_attr_name || a.i != b.i || a.s != b.s ||
      std::memcmp(&a.f, &b.f, sizeof(float)) != 0 || !same_floats(a.floats, b.floats) || a.ints != b.ints ||
      a.strings != b.strings || a.opaque != b.opaque || a.tensors.size() != b.tensors.size())
    return false;
  for (size_t i = 0; i < a.tensors.size(); ++i)
    if (!same_tensor(*a.tensors[i], *b.tensors[i])) return false;
  return true;
}

std::vector<const Attribute*> sorted_attrs(const Node& n) {
  std::vector<const Attribute*> out;
  for (const Attribute& a : n.attrs()) out.push_back(&a);
  std::sort(out.begin(), out.end(), [](const Attribute* a, const Attribute* b) { return a->name < b->name; });
  return out;
}

// Whether `dup` computes what `kept` computes, and `kept` has every output `dup` has.
bool same_computation(const Node& kept, const Node& dup) {
  if (kept.op_type != dup.op_type || kept.domain != dup.domain || kept.overload != dup.overload ||
      kept.inputs() != dup.inputs() || kept.num_outputs() < dup.num_outputs() || kept.attrs().size() != dup.attrs().size())
    return false;
  for (size_t i = 0; i < dup.num_outputs(); ++i)
    if (dup.output(i) && !kept.output(i)) return false;
  const std::vector<const Attribute*> a = sorted_attrs(kept), b = sorted_attrs(dup);
  for (size_t i = 0; i < a.size(); ++i)
    if (!same_attr(*a[i], *b[i])) return false;
  return true;
}

size_t bytes_hash(const void* p, size_t n) {
  return std::hash<std::string_view>{}(std::string_view(static_cast<const char*>(p), n));
}

// Everything same_computation compares but the outputs: Constant nodes differ only in their
// tensors, and a hash blind to them would put every Constant of a graph in one bucket.
size_t node_hash(const Node& n) {
  size_t h = std::hash<std::string>{}(n.op_type) ^ (std::hash<std::string>{}(n.domain) << 1);
  auto mix = [](size_t& acc, size_t v) { acc ^= v + 0x9e3779b97f4a7c15ull + (acc << 6) + (acc >> 2); };
  for (const Value* v : n.inputs()) mix(h, std::hash<const Value*>{}(v));
  for (const Attribute& a : n.attrs()) {
    size_t ah = std::hash<std::string>{}(a.name);
    mix(ah, std::hash<int64_t>{}(a.i));
    mix(ah, std::hash<std::string>{}(a.s));
    mix(ah, bytes_hash(&a.f, sizeof(float)));
    mix(ah, bytes_hash(a.ints.data(), a.ints.size() * sizeof(int64_t)));
    mix(ah, bytes_hash(a.floats.data(), a.floats.size() * sizeof(float)));
    for (const std::string& s : a.strings) mix(ah, std::hash<std::string>{}(s));
    for (const auto& t : a.tensors) {
      mix(ah, static_cast<size_t>(t->dtype));
      mix(ah, bytes_hash(t->dims.data(), t->dims.size() * sizeof(int64_t)));
      mix(ah, bytes_hash(t->raw(), t->byte_size()));
      for (const std::string& s : t->strings) mix(ah, std::hash<std::string>{}(s));
    }
    // Summed: the order of attributes in the model carries no meaning.
    h += ah;
  }
  return h;
}

void run(PassContext& ctx) {
  const std::vector<Graph*> graphs = ctx.rw.graphs();
  // Innermost graphs first: removing a node can free the subgraphs it holds.
  for (auto it = graphs.rbegin(); it != graphs.rend(); ++it) {
    Graph* g = *it;
    const CapturedNames captured(*g);
    std::unordered_map<size_t, std::vector<Node*>> seen;
    // In graph order, so a merge rewires the readers before they are hashed: chains of
    // duplicates collapse in one sweep.
    for (Node* n : g->nodes()) {
      if (!candidate(*n)) continue;
      std::vector<Node*>& bucket = seen[node_hash(*n)];
      Node* kept = nullptr;
      for (Node* k : bucket)
        if (same_computation(*k, *n)) {
          kept = k;
          break;
        }
      if (!kept) {
        bucket.push_back(n);
        continue;
      }
      bool replaceable = true;
      for (size_t i = 0; i < n->num_outputs(); ++i)
        if (Value* o = n->output(i)) replaceable = replaceable && captured.can_replace(o, kept->output(i));
      if (!replaceable) continue;
      for (size_t i = 0; i < n->num_outputs(); ++i)
        if (Value* o = n->output(i)) ctx.rw.replace_uses(o, kept->output(i));
      // Its inputs are the kept node's, so the removal cascades no further than the node itself.
      ctx.rw.remove_node(n);
      ctx.stats.add("nodes_removed");
    }
  }
}

}  // namespace

void register_eliminate_common_subexpressions(PassRegistry& r) {
  r.add({{"eliminate-common-subexpressions",
          PassCategory::Cleanup,
          "Merge nodes that compute the same thing",
          "Of nodes with the same op, domain, attributes and inputs (the same values, in the same "
          "order), the first stays and every reader of another's outputs reads the first's; chains of "
          "duplicates collapse in one run. Not merged: random ops and Dropout, ops of custom "
          "domains (they may keep state), nodes holding subgraphs, a duplicate whose output is a "
          "graph output the first's output cannot take over, or one a subgraph reads by name.",
          {},
          {{"nodes_removed", "duplicate nodes removed"}}},
         run});
}

}  // namespace kiln::passes
