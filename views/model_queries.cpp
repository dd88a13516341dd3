#include "views/model_queries.h"

#include <cstdio>

namespace kiln {
namespace {

template <class T, class F>
std::string list_text(const std::vector<T>& v, F&& f) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i == 16) {
      s += ", … (" + std::to_string(v.size()) + " values)";
      break;
    }
    s += (i ? ", " : "") + f(v[i]);
  }
  return s + "]";
}

std::string float_text(float f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", static_cast<double>(f));
  return buf;
}

std::string tensor_text(const Tensor* t) {
  if (!t) return "tensor";
  std::string dims;
  for (size_t i = 0; i < t->dims.size(); ++i) dims += (i ? "×" : "") + std::to_string(t->dims[i]);
  return "tensor " + std::string(dtype_short_name(t->dtype)) + " ⟨" + dims + "⟩";
}

}  // namespace

const Node* find_node_anywhere(const Graph& g, NodeId id) {
  if (const Node* n = g.find_node(id)) return n;
  const Node* found = nullptr;
  g.for_each_node([&](const Node* n) {
    for (const Graph* sub : n->subgraphs())
      if (!found) found = find_node_anywhere(*sub, id);
  });
  return found;
}

std::string attribute_text(const Attribute& a) {
  switch (a.kind) {
    case AttrKind::Float: return float_text(a.f);
    case AttrKind::Int: return std::to_string(a.i);
    case AttrKind::String: return "\"" + a.s + "\"";
    case AttrKind::Floats: return list_text(a.floats, float_text);
    case AttrKind::Ints: return list_text(a.ints, [](int64_t v) { return std::to_string(v); });
    case AttrKind::Strings: return list_text(a.strings, [](const std::string& v) { return "\"" + v + "\""; });
    case AttrKind::Tensor: return tensor_text(a.tensor());
    case AttrKind::Tensors: return std::to_string(a.tensors.size()) + " tensors";
    case AttrKind::Graph: return "graph (" + std::to_string(a.graph() ? a.graph()->total_node_count() : 0) + " nodes)";
    case AttrKind::Graphs: return std::to_string(a.graphs.size()) + " graphs";
    default: return std::string(attr_kind_name(a.kind));
  }
}

}  // namespace kiln
