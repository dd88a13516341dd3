#include "passes/framework/rewriter.h"

#include <algorithm>
#include <unordered_set>

#include "core/util/error.h"

namespace kiln::passes {
namespace {

const char* kind_name(Change::Kind k) {
  switch (k) {
    case Change::Kind::AddNode: return "add-node";
    case Change::Kind::RemoveNode: return "remove-node";
    case Change::Kind::Rewire: return "rewire";
    case Change::Kind::SetAttr: return "set-attr";
    case Change::Kind::AddValue: return "add-value";
    case Change::Kind::RemoveValue: return "remove-value";
    case Change::Kind::Move: return "move";
  }
  return "?";
}

void collect_graphs(Graph* g, std::vector<Graph*>& out) {
  out.push_back(g);
  g->for_each_node([&](Node* n) { n->for_each_subgraph([&](Graph* sub) { collect_graphs(sub, out); }); });
}

}  // namespace

Json ChangeLog::to_json(size_t max_entries) const {
  Json j = Json::object();
  j["nodes_added"] = static_cast<int64_t>(nodes_added);
  j["nodes_removed"] = static_cast<int64_t>(nodes_removed);
  j["nodes_modified"] = static_cast<int64_t>(nodes_modified);
  Json list = Json::array();
  for (size_t i = 0; i < changes.size() && i < max_entries; ++i) {
    const Change& c = changes[i];
    Json e = Json::object();
    e["kind"] = kind_name(c.kind);
    if (c.node) e["node"] = static_cast<int64_t>(c.node);
    e["what"] = c.op;
    if (!c.detail.empty()) e["detail"] = c.detail;
    list.push_back(std::move(e));
  }
  j["changes"] = std::move(list);
  if (changes.size() > max_entries) j["changes_not_listed"] = static_cast<int64_t>(changes.size() - max_entries);
  return j;
}

std::vector<Graph*> Rewriter::graphs() const {
  if (graphs_.empty()) collect_graphs(model_.graph.get(), graphs_);
  return graphs_;
}

void Rewriter::record(Change c) {
  // Any change may add or drop a subgraph (a node removed, a graph attribute set).
  graphs_.clear();
  switch (c.kind) {
    case Change::Kind::AddNode: ++log_.nodes_added; break;
    case Change::Kind::RemoveNode: ++log_.nodes_removed; break;
    case Change::Kind::Rewire: case Change::Kind::SetAttr: ++log_.nodes_modified; break;
    default: break;
  }
  log_.changes.push_back(std::move(c));
}

Node* Rewriter::add_node(Graph& g, std::string op_type, const std::vector<Value*>& inputs,
                         const std::vector<std::string>& output_names, const std::vector<const Node*>& from,
                         std::string domain, Node* before) {
  std::vector<std::string> names;
  for (const std::string& n : output_names) names.push_back(n.empty() ? n : g.unique_name(n));
  Node* n = g.add_node(std::move(op_type), inputs, names, std::move(domain), before);
  if (!from.empty()) {
    n->provenance.clear();
    for (const Node* f : from)
      n->provenance.insert(n->provenance.end(), f->provenance.begin(), f->provenance.end());
    std::sort(n->provenance.begin(), n->provenance.end());
    n->provenance.erase(std::unique(n->provenance.begin(), n->provenance.end()), n->provenance.end());
    if (n->name.empty() && !from.front()->name.empty()) n->name = g.unique_name(from.front()->name + "/" + n->op_type);
  }
  record({Change::Kind::AddNode, n->id(), n->op_type, {}});
  return n;
}

Value* Rewriter::add_initializer(Graph& g, const Tensor& t) {
  auto copy = std::make_shared<Tensor>(t);
  copy->name = g.unique_name(t.name.empty() ? "const" : t.name);
  copy->external.reset();
  Value* v = g.add_initializer(std::move(copy));
  record({Change::Kind::AddValue, 0, v->name(), {}});
  return v;
}

void Rewriter::set_input(Node* n, size_t i, Value* v) {
  if (n->input(i) == v) return;
  n->set_input(i, v);
  record({Change::Kind::Rewire, n->id(), n->op_type, "input " + std::to_string(i)});
}

void Rewriter::set_attr(Node* n, Attribute a) {
  std::string name = a.name;
  n->set_attr(std::move(a));
  record({Change::Kind::SetAttr, n->id(), n->op_type, name});
}

void Rewriter::remove_attr(Node* n, const std::string& name) {
  if (n->remove_attr(name)) record({Change::Kind::SetAttr, n->id(), n->op_type, name});
}

void Rewriter::move_before(Node* n, Node* pos) {
  n->graph()->move_before(n, pos);
  record({Change::Kind::Move, n->id(), n->op_type, {}});
}

bool Rewriter::can_replace(const Value* from, const Value* to) {
  if (from == to || from->graph() != to->graph()) return false;
  if (!from->is_graph_output()) return true;
  return to->producer() && !to->is_graph_output() && !to->is_graph_input() && !to->is_capture();
}

void Rewriter::replace_uses(Value* from, Value* to) {
  if (!can_replace(from, to))
    fail("internal: pass replaced '", from->name(), "' by '", to->name(), "', which would change the model's outputs");
  Graph* g = from->graph();
  const bool output = from->is_graph_output();
  const std::string name = from->name();
  const ValueType declared = from->type;
  const bool had_info = from->has_value_info;
  for (const Use& u : std::vector<Use>(from->uses())) record({Change::Kind::Rewire, u.node->id(), u.node->op_type, "input " + std::to_string(u.index)});
  g->replace_all_uses(from, to);
  if (output) {
    g->rename_value(from, g->unique_name(name + "_replaced"));
    g->rename_value(to, name);
    if (had_info) {
      to->type = declared;
      to->has_value_info = true;
    }
    record({Change::Kind::RemoveValue, 0, name, "output taken over"});
  }
}

void Rewriter::remove_one(Node* n, std::vector<Value*>& freed) {
  for (Value* in : n->inputs())
    if (in) freed.push_back(in);
  record({Change::Kind::RemoveNode, n->id(), n->op_type, {}});
  n->graph()->remove_node(n);
}

void Rewriter::remove_node(Node* n) {
  std::vector<Value*> freed;
  remove_one(n, freed);
  // Values are unique per graph; a set guards against a value listed twice being freed twice.
  std::unordered_set<Value*> gone;
  while (!freed.empty()) {
    Value* v = freed.back();
    freed.pop_back();
    if (gone.count(v) || v->has_uses() || v->is_graph_output() || is_captured(v)) continue;
    if (Node* p = v->producer()) {
      bool dead = true;
      for (Value* o : p->outputs())
        if (o && (o->has_uses() || o->is_graph_output())) dead = false;
      if (dead) {
        for (Value* o : p->outputs())
          if (o) gone.insert(o);
        remove_one(p, freed);
      }
    } else if (v->is_initializer() && !v->is_graph_input()) {
      gone.insert(v);
      remove_value(v);
    }
  }
}

bool Rewriter::is_captured(const Value* v) {
  const Graph* g = v->graph();
  auto it = captured_.find(g);
  if (it == captured_.end()) {
    std::unordered_set<std::string> names;
    g->collect_captured_names(names);
    it = captured_.emplace(g, std::move(names)).first;
  }
  return it->second.count(v->name()) > 0;
}

void Rewriter::remove_value(Value* v) {
  std::string name = v->name();
  v->graph()->remove_value(v);
  record({Change::Kind::RemoveValue, 0, name, {}});
}

Node* sole_consumer(const Value* v) {
  if (!v || v->is_graph_output() || v->uses().empty()) return nullptr;
  Node* n = v->uses().front().node;
  for (const Use& u : v->uses())
    if (u.node != n) return nullptr;
  return n;
}

const Tensor* constant_of(const Value* v) {
  if (!v) return nullptr;
  if (const Tensor* t = v->constant()) return t;
  const Node* p = v->producer();
  if (p && p->op_type == "Constant" && p->is_onnx_domain()) {
    const Attribute* a = p->attr("value");
    if (a && a->kind == AttrKind::Tensor) return a->tensor();
  }
  return nullptr;
}

std::vector<double> constant_values(const Value* v) {
  const Tensor* t = constant_of(v);
  if (!t || !dtype_is_float(t->dtype)) return {};
  return t->to_double();
}

}  // namespace kiln::passes
