#include "views/graph/view_graph.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <unordered_set>

#include "passes/framework/rewriter.h"

namespace kiln {
namespace {

// Input names from the ONNX operator schemas for the operators weights usually feed, so a node
// reads "W ⟨64×3×7×7⟩" rather than an exporter's long initializer name.
const char* schema_input_name(std::string_view op, size_t i) {
  static const std::unordered_map<std::string_view, std::vector<const char*>> names = {
      {"Conv", {"X", "W", "B"}},
      {"ConvTranspose", {"X", "W", "B"}},
      {"Gemm", {"A", "B", "C"}},
      {"MatMul", {"A", "B"}},
      {"BatchNormalization", {"X", "scale", "B", "mean", "var"}},
      {"LayerNormalization", {"X", "scale", "B"}},
      {"InstanceNormalization", {"X", "scale", "B"}},
      {"Add", {"A", "B"}},
      {"Sub", {"A", "B"}},
      {"Mul", {"A", "B"}},
      {"Div", {"A", "B"}},
      {"Pow", {"X", "Y"}},
      {"Reshape", {"data", "shape"}},
      {"Expand", {"input", "shape"}},
      {"Gather", {"data", "indices"}},
      {"Slice", {"data", "starts", "ends", "axes", "steps"}},
      {"Unsqueeze", {"data", "axes"}},
      {"Squeeze", {"data", "axes"}},
      {"Pad", {"data", "pads", "value"}},
      {"Clip", {"input", "min", "max"}},
      {"PRelu", {"X", "slope"}},
      {"Where", {"condition", "X", "Y"}},
      {"Resize", {"X", "roi", "scales", "sizes"}},
      {"QuantizeLinear", {"x", "scale", "zero_point"}},
      {"DequantizeLinear", {"x", "scale", "zero_point"}},
  };
  auto it = names.find(op);
  if (it != names.end() && i < it->second.size()) return it->second[i];
  return nullptr;
}

std::string dims_text(const std::vector<int64_t>& dims) {
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "×" : "") + std::to_string(dims[i]);
  return s;
}

// "W ⟨64×3×7×7⟩", or "B = 0.5" for a scalar worth reading.
std::string constant_text(std::string_view op, size_t input, const Value* v, const Tensor& t) {
  const char* schema = schema_input_name(op, input);
  std::string label = schema ? schema : v->name();
  if (!schema) {
    // Exporters name values by path ("/attention/Constant_4_output_0"): the last part says enough.
    if (const size_t slash = label.rfind('/'); slash != std::string::npos && slash + 1 < label.size())
      label = label.substr(slash + 1);
    if (const size_t out = label.rfind("_output_0"); out != std::string::npos && out > 0) label.resize(out);
  }
  if (label.size() > 24) label = "…" + label.substr(label.size() - 23);
  if (t.numel() == 1) {
    const std::vector<double> x = t.to_double();
    if (!x.empty()) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", x[0]);
      return label + " = " + buf;
    }
  }
  return label + " ⟨" + dims_text(t.dims) + "⟩";
}

// A Constant node read by exactly one node is drawn inside that node.
bool folds_into_consumer(const Node* n) {
  if (n->op_type != "Constant" || !n->is_onnx_domain() || n->num_outputs() != 1 || !n->has_attr("value")) return false;
  const Value* out = n->output(0);
  return out && !out->is_graph_output() && out->uses().size() == 1;
}

double text_width(const std::string& s, double per_char) {
  // UTF-8 continuation bytes take no width of their own.
  size_t chars = 0;
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;
  return static_cast<double>(chars) * per_char;
}

class Builder {
 public:
  Builder(const ViewOptions& o, ViewGraph& out) : opt_(o), vg_(out) {}

  void add_graph(const Graph& g, int depth, int64_t parent_item) {
    // Items first, so every edge below finds both ends.
    g.for_each_node([&](const Node* n) {
      if (folds_into_consumer(n)) return;
      const uint32_t item = item_for(*n, depth);
      vg_.item_of_node[n->id()] = item;
    });
    g.for_each_node([&](const Node* n) {
      if (folds_into_consumer(n)) vg_.item_of_node[n->id()] = vg_.item_of_node.at(n->output(0)->uses()[0].node->id());
    });
    if (parent_item < 0)
      for (const Value* in : g.inputs())
        if (!in->is_initializer() && in->has_uses()) input_item(in);
    g.for_each_node([&](const Node* n) {
      if (folds_into_consumer(n)) return;
      const uint32_t item = vg_.item_of_node.at(n->id());
      for (size_t i = 0; i < n->num_inputs(); ++i) {
        const Value* v = n->input(i);
        if (!v) continue;
        if (const Tensor* t = passes::constant_of(v)) {
          if (vg_.items[item].kind == ViewItem::Kind::Op)
            vg_.items[item].constants.push_back(constant_text(n->op_type, i, v, *t));
          if (v->producer()) vg_.items[item].members.push_back(v->producer()->id());
          continue;
        }
        if (const Node* p = v->producer())
          add_edge(vg_.item_of_node.at(p->id()), item, v->type);
        else if (parent_item >= 0)
          add_edge(static_cast<uint32_t>(parent_item), item, v->type);
        else if (auto it = inputs_.find(v); it != inputs_.end())
          add_edge(it->second, item, v->type);
      }
      if (n->subgraphs().empty() || !opt_.expanded_bodies.count(n->id())) return;
      vg_.items[item].body_expanded = true;
      for (const Graph* body : n->subgraphs()) {
        add_graph(*body, depth + 1, item);
        for (const Value* out : body->outputs())
          if (out->producer()) body_exits_.push_back({vg_.item_of_node.at(out->producer()->id()), n});
      }
    });
    if (parent_item >= 0) return;
    for (const Value* out : g.outputs()) {
      const uint32_t item = new_item(ViewItem::Kind::Output, out->name(), out->name());
      if (out->producer())
        add_edge(vg_.item_of_node.at(out->producer()->id()), item, out->type);
      else if (auto it = inputs_.find(out); it != inputs_.end())
        add_edge(it->second, item, out->type);
    }
    // A body's results flow on to whatever reads the If/Loop node's outputs.
    for (const auto& [exit_item, control] : body_exits_)
      for (const Value* out : control->outputs())
        if (out)
          for (const Use& u : out->uses())
            if (auto it = vg_.item_of_node.find(u.node->id()); it != vg_.item_of_node.end())
              add_edge(exit_item, it->second, out->type);
  }

  void finish() {
    std::vector<std::string> scopes(all_scopes_.begin(), all_scopes_.end());
    vg_.scopes = std::move(scopes);
    for (ViewItem& it : vg_.items) size_item(it);
  }

 private:
  uint32_t new_item(ViewItem::Kind kind, std::string title, std::string name) {
    ViewItem it;
    it.kind = kind;
    it.title = std::move(title);
    it.name = std::move(name);
    vg_.items.push_back(std::move(it));
    return static_cast<uint32_t>(vg_.items.size() - 1);
  }

  void input_item(const Value* in) {
    inputs_[in] = new_item(ViewItem::Kind::Input, in->name(), in->name());
    vg_.items.back().constants.push_back(in->type.str());
  }

  uint32_t item_for(const Node& n, int depth) {
    for (const std::string& s : scopes_of(n.name)) {
      all_scopes_.insert(s);
      if (!opt_.collapsed_scopes.count(s)) continue;
      for (const std::string& inner : scopes_of(n.name)) all_scopes_.insert(inner);
      auto [it, fresh] = groups_.try_emplace(s, 0);
      if (fresh) {
        it->second = new_item(ViewItem::Kind::Group, s.substr(s.rfind('/') + 1), s);
        vg_.items.back().body_depth = depth;
      }
      vg_.items[it->second].members.push_back(n.id());
      vg_.items[it->second].member_ops.push_back(n.op_type + " " + n.name);
      return it->second;
    }
    const uint32_t item = new_item(ViewItem::Kind::Op, n.op_type, n.name);
    ViewItem& it = vg_.items.back();
    it.node = n.id();
    it.category = op_category(n.domain, n.op_type);
    it.members.push_back(n.id());
    it.body_depth = depth;
    it.has_body = !n.subgraphs().empty();
    if (!n.is_onnx_domain()) it.title = n.op_type;
    return item;
  }

  void add_edge(uint32_t from, uint32_t to, const ValueType& type) {
    if (from == to) return;
    if (!edge_keys_.insert((static_cast<uint64_t>(from) << 32) | to).second) return;
    vg_.edges.push_back({from, to, shape_label(type)});
  }

  // Sizes from character counts: the layout needs no font, and the painter elides what does not
  // fit, so a slightly wrong estimate costs nothing but a little space.
  static void size_item(ViewItem& it) {
    constexpr double kTitleChar = 7.2, kSmallChar = 6.0, kLine = 13;
    double w = std::max(64.0, text_width(it.title, kTitleChar) + 20);
    double h = 26;
    if (it.kind == ViewItem::Kind::Group) {
      w = std::max(w, 110.0);
      h = 38;
    }
    const size_t shown = std::min<size_t>(it.constants.size(), 4);
    for (size_t i = 0; i < shown; ++i) w = std::max(w, text_width(it.constants[i], kSmallChar) + 16);
    h += kLine * static_cast<double>(shown + (it.constants.size() > shown ? 1 : 0));
    it.size = {std::min(w, 260.0), h};
  }

  const ViewOptions& opt_;
  ViewGraph& vg_;
  std::unordered_map<std::string, uint32_t> groups_;
  std::unordered_map<const Value*, uint32_t> inputs_;
  std::unordered_set<uint64_t> edge_keys_;
  std::set<std::string> all_scopes_;
  std::vector<std::pair<uint32_t, const Node*>> body_exits_;
};

}  // namespace

std::vector<std::string> scopes_of(const std::string& node_name) {
  std::vector<std::string> out;
  if (node_name.empty() || node_name[0] != '/') return out;
  for (size_t slash = node_name.find('/', 1); slash != std::string::npos; slash = node_name.find('/', slash + 1))
    if (slash > 1) out.push_back(node_name.substr(0, slash));
  return out;
}

int scope_depth(const std::string& scope) {
  return static_cast<int>(std::count(scope.begin(), scope.end(), '/'));
}

std::string shape_label(const ValueType& type) {
  if (!type.is_tensor()) return "";
  if (!type.shape) return "?";
  std::string s;
  for (size_t i = 0; i < type.shape->dims.size(); ++i) s += (i ? "×" : "") + type.shape->dims[i].str();
  return s.empty() ? "scalar" : s;
}

namespace {

// The shallowest scope level with at least 8 distinct scopes (else the level with the most), and
// those scopes; empty when the graph has no scopes.
std::pair<int, std::set<std::string>> auto_collapse(const Graph& graph) {
  std::map<int, std::set<std::string>> by_depth;
  graph.for_each_node([&](const Node* n) {
    for (std::string& s : scopes_of(n->name)) {
      const int d = scope_depth(s);
      by_depth[d].insert(std::move(s));
    }
  });
  std::pair<int, std::set<std::string>> best{0, {}};
  for (auto& [depth, scopes] : by_depth) {
    if (scopes.size() >= 8) return {depth, std::move(scopes)};
    if (scopes.size() > best.second.size()) best = {depth, std::move(scopes)};
  }
  return best;
}

}  // namespace

ViewGraph build_view_graph(const Graph& graph, const ViewOptions& options) {
  ViewGraph vg;
  ViewOptions effective = options;
  if (options.auto_collapse_above > 0 && graph.node_count() > options.auto_collapse_above &&
      options.collapsed_scopes.empty()) {
    auto [depth, scopes] = auto_collapse(graph);
    vg.auto_collapsed_depth = depth;
    effective.collapsed_scopes = std::move(scopes);
  }
  Builder b(effective, vg);
  b.add_graph(graph, 0, -1);
  b.finish();
  vg.collapsed_scopes = std::move(effective.collapsed_scopes);
  return vg;
}

ViewGraph lay_out_view(const Graph& graph, const ViewOptions& options, const layout::LayoutProgress& progress) {
  ViewGraph vg = build_view_graph(graph, options);
  layout::LayoutInput in;
  in.sizes.reserve(vg.items.size());
  for (const ViewItem& it : vg.items) in.sizes.push_back(it.size);
  in.edges.reserve(vg.edges.size());
  for (const ViewEdge& e : vg.edges) in.edges.push_back({e.from, e.to});
  vg.layout = layout::layered_layout(in, {}, progress);
  return vg;
}

}  // namespace kiln
