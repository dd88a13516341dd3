#include "core/ir/graph.h"

#include <algorithm>
#include <atomic>
#include <unordered_set>

#include "core/util/error.h"

namespace kiln {

// ---------------------------------------------------------------- Node

void Node::set_input(size_t i, Value* v) {
  if (i >= inputs_.size()) inputs_.resize(i + 1, nullptr);
  if (inputs_[i] == v) return;
  if (inputs_[i]) graph_->drop_use(inputs_[i], this, i);
  inputs_[i] = v;
  if (v) graph_->add_use(v, this, i);
}

void Node::remove_input(size_t i) {
  if (i >= inputs_.size()) return;
  for (size_t k = i; k < inputs_.size(); ++k)
    if (inputs_[k]) graph_->drop_use(inputs_[k], this, k);
  inputs_.erase(inputs_.begin() + static_cast<std::ptrdiff_t>(i));
  if (use_slot_.size() > i) use_slot_.erase(use_slot_.begin() + static_cast<std::ptrdiff_t>(i));
  for (size_t k = i; k < inputs_.size(); ++k)
    if (inputs_[k]) graph_->add_use(inputs_[k], this, k);
}

void Node::trim_inputs() {
  while (!inputs_.empty() && inputs_.back() == nullptr) inputs_.pop_back();
  if (use_slot_.size() > inputs_.size()) use_slot_.resize(inputs_.size());
}

const Attribute* Node::attr(std::string_view n) const {
  for (const Attribute& a : attrs_)
    if (a.name == n) return &a;
  return nullptr;
}

void Node::set_attr(Attribute a) {
  for (Graph* g : [&] {
         std::vector<Graph*> gs;
         for (auto& sg : a.graphs) gs.push_back(sg.get());
         return gs;
       }()) {
    // A body attached here allocates ids from this model's id space from now on.
    if (graph_ && g->id_counter_ != graph_->id_counter_) {
      *graph_->id_counter_ = std::max(*graph_->id_counter_, *g->id_counter_);
      std::function<void(Graph&)> rehome = [&](Graph& sg) {
        sg.id_counter_ = graph_->id_counter_;
        for (auto& n : sg.nodes_)
          for (auto& at : n->attrs_)
            for (auto& inner : at.graphs) rehome(*inner);
      };
      rehome(*g);
    }
  }
  for (Attribute& existing : attrs_) {
    if (existing.name == a.name) {
      existing = std::move(a);
      return;
    }
  }
  attrs_.push_back(std::move(a));
}

bool Node::remove_attr(std::string_view n) {
  auto it = std::find_if(attrs_.begin(), attrs_.end(), [&](const Attribute& a) { return a.name == n; });
  if (it == attrs_.end()) return false;
  attrs_.erase(it);
  return true;
}

int64_t Node::attr_int(std::string_view n, int64_t dflt) const {
  const Attribute* a = attr(n);
  return a && a->kind == AttrKind::Int ? a->i : dflt;
}
float Node::attr_float(std::string_view n, float dflt) const {
  const Attribute* a = attr(n);
  return a && a->kind == AttrKind::Float ? a->f : dflt;
}
std::string Node::attr_string(std::string_view n, std::string dflt) const {
  const Attribute* a = attr(n);
  return a && a->kind == AttrKind::String ? a->s : dflt;
}
std::vector<int64_t> Node::attr_ints(std::string_view n, std::vector<int64_t> dflt) const {
  const Attribute* a = attr(n);
  return a && a->kind == AttrKind::Ints ? a->ints : dflt;
}
std::vector<float> Node::attr_floats(std::string_view n, std::vector<float> dflt) const {
  const Attribute* a = attr(n);
  return a && a->kind == AttrKind::Floats ? a->floats : dflt;
}

std::vector<Graph*> Node::subgraphs() const {
  std::vector<Graph*> out;
  if (attrs_.empty()) return out;
  for (const Attribute& a : attrs_)
    for (const auto& g : a.graphs) out.push_back(g.get());
  return out;
}

void Node::collect_captured_names(std::unordered_set<std::string>& out) const {
  for_each_subgraph([&](const Graph* sub) {
    for (const Value* v : sub->captures_) out.insert(v->name());
    sub->collect_captured_names(out);
  });
}

// ---------------------------------------------------------------- Graph

void Graph::collect_captured_names(std::unordered_set<std::string>& out) const {
  for (const auto& n : nodes_) n->collect_captured_names(out);
}

uint64_t Graph::next_walk_mark() {
  static std::atomic<uint64_t> counter{0};
  return ++counter;
}

Graph::Graph() : id_counter_(std::make_shared<NodeId>(0)) {}
Graph::~Graph() = default;

std::unique_ptr<Graph> Graph::new_subgraph() const {
  auto g = std::make_unique<Graph>();
  g->id_counter_ = id_counter_;
  return g;
}

Value* Graph::new_value(std::string name) {
  if (name.empty()) fail("internal: a value needs a name");
  if (by_name_.count(name)) fail("duplicate value name '", name, "'");
  auto v = std::make_unique<Value>();
  v->name_ = std::move(name);
  v->graph_ = this;
  Value* raw = v.get();
  values_.push_back(std::move(v));
  raw->self_ = std::prev(values_.end());
  by_name_.emplace(raw->name_, raw);
  return raw;
}

Value* Graph::find_value(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : it->second;
}

std::string Graph::unique_name(std::string_view hint) const {
  std::string base = hint.empty() ? std::string("v") : std::string(hint);
  if (!by_name_.count(base)) return base;
  size_t& k = next_suffix_[base];
  for (k = std::max<size_t>(k, 1);; ++k) {
    std::string cand = base + "_" + std::to_string(k);
    if (!by_name_.count(cand)) return cand;
  }
}

Value* Graph::add_input(std::string name, ValueType type) {
  Value* v = find_value(name);
  if (v) {
    // An initializer declared first and listed as an input later (ir_version < 4 style).
    if (!v->is_initializer() || v->graph_input_) fail("duplicate graph input '", name, "'");
  } else {
    v = new_value(std::move(name));
  }
  v->type = std::move(type);
  v->has_value_info = v->type.is_known();
  v->graph_input_ = true;
  inputs_.push_back(v);
  return v;
}

Value* Graph::add_initializer(std::shared_ptr<const Tensor> t) {
  if (!t) fail("internal: null initializer");
  Value* v = find_value(t->name);
  if (v) {
    if (!v->graph_input_ || v->initializer_) fail("duplicate initializer '", t->name, "'");
  } else {
    v = new_value(t->name);
    v->type = ValueType::tensor(t->dtype, Shape::of(t->dims));
  }
  v->initializer_ = std::move(t);
  v->init_pos_ = initializer_order_.size();
  initializer_order_.push_back(v);
  return v;
}

void Graph::set_initializer(Value* v, std::shared_ptr<const Tensor> t) {
  if (!v || v->graph_ != this || !v->initializer_) fail("internal: set_initializer on a non-initializer");
  if (t->name != v->name_) {
    auto copy = std::make_shared<Tensor>(*t);
    copy->name = v->name_;
    t = std::move(copy);
  }
  v->type = ValueType::tensor(t->dtype, Shape::of(t->dims));
  v->initializer_ = std::move(t);
}

Value* Graph::add_capture(std::string name) {
  Value* v = new_value(std::move(name));
  v->capture_ = true;
  captures_.push_back(v);
  return v;
}

void Graph::add_output(Value* v) {
  if (!v || v->graph_ != this) fail("internal: graph output from another graph");
  outputs_.push_back(v);
  ++v->output_refs_;
}

void Graph::set_output(size_t i, Value* v) {
  if (i >= outputs_.size() || !v || v->graph_ != this) fail("internal: bad graph output index");
  --outputs_[i]->output_refs_;
  outputs_[i] = v;
  ++v->output_refs_;
}

void Graph::remove_output(size_t i) {
  if (i >= outputs_.size()) fail("internal: bad graph output index");
  --outputs_[i]->output_refs_;
  outputs_.erase(outputs_.begin() + static_cast<std::ptrdiff_t>(i));
}

void Graph::rename_value(Value* v, std::string new_name) {
  if (v->name_ == new_name) return;
  if (new_name.empty()) fail("internal: empty value name");
  if (by_name_.count(new_name)) fail("cannot rename '", v->name_, "': '", new_name, "' exists");
  by_name_.erase(v->name_);
  v->name_ = std::move(new_name);
  by_name_.emplace(v->name_, v);
  if (v->initializer_ && v->initializer_->name != v->name_) {
    auto copy = std::make_shared<Tensor>(*v->initializer_);
    copy->name = v->name_;
    v->initializer_ = std::move(copy);
  }
}

void Graph::remove_value(Value* v) {
  if (v->graph_ != this) fail("internal: remove_value from another graph");
  if (v->producer_ || !v->uses_.empty() || v->output_refs_ > 0)
    fail("cannot remove value '", v->name_, "': it is still produced or used");
  if (v->graph_input_) inputs_.erase(std::find(inputs_.begin(), inputs_.end(), v));
  if (v->capture_) std::erase(captures_, v);
  if (v->initializer_) {
    initializer_order_[v->init_pos_] = nullptr;
    if (++init_tombstones_ * 2 > initializer_order_.size()) {
      std::erase(initializer_order_, nullptr);
      for (size_t i = 0; i < initializer_order_.size(); ++i) initializer_order_[i]->init_pos_ = i;
      init_tombstones_ = 0;
    }
  }
  by_name_.erase(v->name_);
  values_.erase(v->self_);
}

std::vector<Value*> Graph::initializers() const {
  std::vector<Value*> out;
  out.reserve(initializer_order_.size() - init_tombstones_);
  for (Value* v : initializer_order_)
    if (v) out.push_back(v);
  return out;
}


void Graph::add_use(Value* v, Node* n, size_t i) {
  if (v->graph_ != this) fail("internal: value '", v->name_, "' belongs to another graph");
  if (n->use_slot_.size() <= i) n->use_slot_.resize(i + 1);
  n->use_slot_[i] = static_cast<uint32_t>(v->uses_.size());
  v->uses_.push_back(Use{n, i});
}

void Graph::drop_use(Value* v, Node* n, size_t i) {
  size_t pos = i < n->use_slot_.size() ? n->use_slot_[i] : v->uses_.size();
  if (pos >= v->uses_.size() || !(v->uses_[pos] == Use{n, i})) {
    auto it = std::find(v->uses_.begin(), v->uses_.end(), Use{n, i});
    if (it == v->uses_.end()) return;
    pos = static_cast<size_t>(it - v->uses_.begin());
  }
  // Swap with the last use: the order of a use list carries no meaning.
  const Use last = v->uses_.back();
  v->uses_[pos] = last;
  last.node->use_slot_[last.index] = static_cast<uint32_t>(pos);
  v->uses_.pop_back();
}

Node* Graph::add_node(std::string op_type, const std::vector<Value*>& inputs,
                      const std::vector<std::string>& output_names, std::string domain, Node* before) {
  return add_node_with_id((*id_counter_)++, std::move(op_type), inputs, output_names,
                          std::move(domain), before);
}

Node* Graph::add_node_with_id(NodeId id, std::string op_type, const std::vector<Value*>& inputs,
                              const std::vector<std::string>& output_names, std::string domain,
                              Node* before) {
  if (by_id_.count(id)) fail("internal: node id ", std::to_string(id), " already in use");
  for (Value* in : inputs)
    if (in && in->graph_ != this) fail("internal: node input '", in->name_, "' belongs to another graph");
  auto node = std::make_unique<Node>();
  Node* n = node.get();
  n->id_ = id;
  n->graph_ = this;
  n->op_type = std::move(op_type);
  n->domain = std::move(domain);
  n->provenance = {id};
  if (*id_counter_ <= id) *id_counter_ = id + 1;
  auto pos = before ? before->self_ : nodes_.end();
  n->self_ = nodes_.insert(pos, std::move(node));
  by_id_.emplace(id, n);
  for (size_t i = 0; i < inputs.size(); ++i) n->set_input(i, inputs[i]);
  n->outputs_.reserve(output_names.size());
  for (size_t i = 0; i < output_names.size(); ++i) {
    if (output_names[i].empty()) {
      n->outputs_.push_back(nullptr);
      continue;
    }
    Value* v = new_value(by_name_.count(output_names[i]) ? unique_name(output_names[i]) : output_names[i]);
    v->producer_ = n;
    v->producer_index_ = i;
    n->outputs_.push_back(v);
  }
  return n;
}

void Graph::remove_node(Node* n) {
  if (n->graph_ != this) fail("internal: remove_node of another graph's node");
  for (Value* out : n->outputs_) {
    if (!out) continue;
    if (!out->uses_.empty() || out->output_refs_ > 0)
      fail("cannot remove node '", n->name, "' (", n->op_type, "): output '", out->name_, "' is still used");
  }
  for (size_t i = 0; i < n->inputs_.size(); ++i)
    if (n->inputs_[i]) drop_use(n->inputs_[i], n, i);
  for (Value* out : n->outputs_) {
    if (!out) continue;
    out->producer_ = nullptr;
    by_name_.erase(out->name_);
    values_.erase(out->self_);
  }
  by_id_.erase(n->id_);
  nodes_.erase(n->self_);
}

void Graph::replace_all_uses(Value* from, Value* to) {
  if (from == to) return;
  if (to->graph_ != this) fail("internal: replace_all_uses across graphs");
  std::vector<Use> uses = from->uses_;
  for (const Use& u : uses) u.node->set_input(u.index, to);
  for (size_t i = 0; i < outputs_.size(); ++i)
    if (outputs_[i] == from) set_output(i, to);
}

void Graph::move_before(Node* n, Node* pos) {
  auto dst = pos ? pos->self_ : nodes_.end();
  nodes_.splice(dst, nodes_, n->self_);
}

Node* Graph::find_node(NodeId id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

std::vector<Node*> Graph::nodes() const {
  std::vector<Node*> out;
  out.reserve(nodes_.size());
  for (const auto& n : nodes_) out.push_back(n.get());
  return out;
}

size_t Graph::total_node_count() const {
  size_t c = nodes_.size();
  for (const auto& n : nodes_) n->for_each_subgraph([&](const Graph* g) { c += g->total_node_count(); });
  return c;
}

bool Graph::topological_sort() {
  std::vector<Node*> order;
  order.reserve(nodes_.size());
  for (const auto& n : nodes_) {
    n->position_ = order.size();
    order.push_back(n.get());
  }
  // Dependencies of node i: producers of its inputs and of what its subgraphs capture by name.
  std::vector<size_t> deps;
  auto collect_deps = [&](size_t i) {
    deps.clear();
    for (Value* in : order[i]->inputs_)
      if (in && in->producer_ && in->producer_->graph_ == this) deps.push_back(in->producer_->position_);
    std::function<void(const Graph&)> captures = [&](const Graph& g) {
      for (const auto& v : g.values_) {
        if (!v->capture_) continue;
        Value* outer = find_value(v->name_);
        if (outer && outer->producer_) deps.push_back(outer->producer_->position_);
      }
      for (const auto& n : g.nodes_) n->for_each_subgraph([&](const Graph* sg) { captures(*sg); });
    };
    order[i]->for_each_subgraph([&](const Graph* sg) { captures(*sg); });
  };
  // Most calls come after a pass that kept the order: check that first, in one cheap walk.
  bool sorted_already = true;
  for (size_t i = 0; i < order.size() && sorted_already; ++i) {
    collect_deps(i);
    for (size_t d : deps) sorted_already = sorted_already && d < i;
  }
  if (sorted_already) return true;

  // Kahn's algorithm; ties broken by current position (stable).
  std::vector<size_t> pending(order.size(), 0);
  std::vector<std::vector<size_t>> consumers(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    collect_deps(i);
    std::sort(deps.begin(), deps.end());
    deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
    for (size_t d : deps) {
      if (d == i) continue;
      ++pending[i];
      consumers[d].push_back(i);
    }
  }
  // Min-heap on original position keeps the order stable.
  std::vector<size_t> ready;
  auto cmp = [](size_t a, size_t b) { return a > b; };
  for (size_t i = 0; i < order.size(); ++i)
    if (pending[i] == 0) ready.push_back(i);
  std::make_heap(ready.begin(), ready.end(), cmp);
  std::vector<size_t> sorted;
  sorted.reserve(order.size());
  while (!ready.empty()) {
    std::pop_heap(ready.begin(), ready.end(), cmp);
    size_t i = ready.back();
    ready.pop_back();
    sorted.push_back(i);
    for (size_t c : consumers[i]) {
      if (--pending[c] == 0) {
        ready.push_back(c);
        std::push_heap(ready.begin(), ready.end(), cmp);
      }
    }
  }
  if (sorted.size() != order.size()) return false;
  for (size_t i : sorted) nodes_.splice(nodes_.end(), nodes_, order[i]->self_);
  return true;
}

void Graph::clone_into(Graph& dst) const {
  dst.name = name;
  dst.doc_string = doc_string;
  dst.metadata_props = metadata_props;
  dst.unknown_fields = unknown_fields;
  *dst.id_counter_ = *id_counter_;
  std::unordered_map<const Value*, Value*> map;
  auto copy_meta = [](const Value* s, Value* d) {
    d->type = s->type;
    d->doc_string = s->doc_string;
    d->has_value_info = s->has_value_info;
    d->unknown_fields = s->unknown_fields;
  };
  // Non-node values first, in their original order, so inputs/initializers keep their order.
  for (const auto& v : values_) {
    if (v->producer_) continue;
    Value* d = dst.new_value(v->name_);
    d->initializer_ = v->initializer_;
    d->capture_ = v->capture_;
    if (d->capture_) dst.captures_.push_back(d);
    copy_meta(v.get(), d);
    map[v.get()] = d;
  }
  for (Value* in : inputs_) {
    map[in]->graph_input_ = true;
    dst.inputs_.push_back(map[in]);
  }
  for (Value* init : initializer_order_)
    if (init) {
      map[init]->init_pos_ = dst.initializer_order_.size();
      dst.initializer_order_.push_back(map[init]);
    }
  for (const auto& n : nodes_) {
    std::vector<Value*> ins;
    ins.reserve(n->inputs_.size());
    for (Value* in : n->inputs_) ins.push_back(in ? map.at(in) : nullptr);
    std::vector<std::string> outs;
    for (Value* o : n->outputs_) outs.push_back(o ? o->name_ : std::string());
    Node* c = dst.add_node_with_id(n->id_, n->op_type, ins, outs, n->domain, nullptr);
    c->name = n->name;
    c->overload = n->overload;
    c->doc_string = n->doc_string;
    c->provenance = n->provenance;
    c->metadata_props = n->metadata_props;
    c->unknown_fields = n->unknown_fields;
    c->attrs_ = n->attrs_;
    for (Attribute& a : c->attrs_)
      for (auto& g : a.graphs) {
        std::function<void(Graph&)> rehome = [&](Graph& sg) {
          sg.id_counter_ = dst.id_counter_;
          for (auto& sn : sg.nodes_)
            for (auto& sa : sn->attrs_)
              for (auto& inner : sa.graphs) rehome(*inner);
        };
        rehome(*g);
      }
    for (size_t i = 0; i < n->outputs_.size(); ++i) {
      if (!n->outputs_[i]) continue;
      copy_meta(n->outputs_[i], c->outputs_[i]);
      map[n->outputs_[i]] = c->outputs_[i];
    }
  }
  *dst.id_counter_ = std::max(*dst.id_counter_, *id_counter_);
  for (Value* o : outputs_) dst.add_output(map.at(o));
}

std::unique_ptr<Graph> Graph::clone() const {
  auto g = std::make_unique<Graph>();
  clone_into(*g);
  return g;
}

std::vector<std::string> Graph::verify() const {
  std::vector<std::string> problems;
  std::vector<const Graph*> scopes;
  verify_into(problems, scopes, name.empty() ? std::string("graph") : name);
  return problems;
}

void Graph::verify_into(std::vector<std::string>& problems, std::vector<const Graph*>& scopes,
                        const std::string& path) const {
  auto report = [&](std::string msg) { problems.push_back(path + ": " + msg); };
  // Values defined so far (inputs, initializers, captures, then each node's outputs in order)
  // carry this walk's mark: no per-call hash set, which dominated optimizing large graphs.
  const uint64_t defined = next_walk_mark();
  for (const auto& v : values_) {
    if (v->graph_ != this) report("value '" + v->name_ + "' has a wrong owner");
    auto it = by_name_.find(v->name_);
    if (it == by_name_.end() || it->second != v.get()) report("value '" + v->name_ + "' missing from the name index");
    if (v->producer_) {
      if (v->producer_->graph_ != this || v->producer_->output(v->producer_index_) != v.get())
        report("value '" + v->name_ + "' names a producer that does not list it");
      if (v->graph_input_ || v->initializer_ || v->capture_)
        report("value '" + v->name_ + "' is both produced by a node and an input/initializer");
    } else if (!v->graph_input_ && !v->initializer_ && !v->capture_) {
      report("value '" + v->name_ + "' is never defined (no producer, not an input or initializer)");
    } else {
      v->mark_ = defined;
    }
    for (const Use& u : v->uses_)
      if (!u.node || u.node->graph_ != this || u.node->input(u.index) != v.get())
        report("value '" + v->name_ + "' lists a use that does not read it");
    if (v->capture_) {
      bool found = false;
      for (const Graph* s : scopes) found = found || s->find_value(v->name_) != nullptr;
      if (!found) report("'" + v->name_ + "' is read from an enclosing scope that does not define it");
    }
  }
  if (by_name_.size() != values_.size()) report("name index and value list disagree");
  if (by_id_.size() != nodes_.size()) report("node id index and node list disagree");
  size_t capture_count = 0;
  for (const auto& v : values_) capture_count += v->capture_ ? 1 : 0;
  if (capture_count != captures_.size()) report("capture list and value list disagree");
  int output_refs = 0;
  for (Value* o : outputs_) {
    if (!o || o->graph_ != this) report("graph output from another graph");
    ++output_refs;
  }
  size_t declared_refs = 0;
  for (const auto& v : values_) declared_refs += static_cast<size_t>(v->output_refs_);
  if (declared_refs != static_cast<size_t>(output_refs)) report("graph output reference counts are inconsistent");

  scopes.push_back(this);
  for (const auto& n : nodes_) {
    // Built only for a message: making it for every node costs more than the checks.
    auto who = [&n] {
      std::string s = "node '";
      if (n->name.empty()) {
        s += '#';
        s += std::to_string(n->id_);
      } else {
        s += n->name;
      }
      return s + "' (" + n->op_type + ")";
    };
    auto id = by_id_.find(n->id_);
    if (id == by_id_.end() || id->second != n.get()) report(who() + " is missing from the id index or reuses an id");
    if (n->op_type.empty()) report(who() + " has no op type");
    for (size_t i = 0; i < n->inputs_.size(); ++i) {
      Value* in = n->inputs_[i];
      if (!in) continue;
      if (in->graph_ != this) {
        report(who() + " input " + std::to_string(i) + " belongs to another graph");
        continue;
      }
      // The use slot says where in the value's use list this read is recorded.
      const size_t slot = i < n->use_slot_.size() ? n->use_slot_[i] : in->uses_.size();
      if (slot >= in->uses_.size() || !(in->uses_[slot] == Use{n.get(), i}))
        report(who() + " reads '" + in->name_ + "' but is not in its use list");
      if (in->mark_ != defined && in->producer_)
        report(who() + " reads '" + in->name_ + "' before it is produced (cycle or bad order)");
      // an undefined value is reported once, above
    }
    for (size_t i = 0; i < n->outputs_.size(); ++i) {
      Value* out = n->outputs_[i];
      if (!out) continue;
      if (out->producer_ != n.get() || out->producer_index_ != i)
        report(who() + " output '" + out->name_ + "' does not name it as producer");
      out->mark_ = defined;
    }
    for (const Attribute& a : n->attrs_)
      for (size_t gi = 0; gi < a.graphs.size(); ++gi)
        a.graphs[gi]->verify_into(problems, scopes, path + "/" + who() + "." + a.name);
  }
  scopes.pop_back();
  for (Value* o : outputs_)
    if (o && o->mark_ != defined) report("graph output '" + o->name_ + "' is never defined");
}

}  // namespace kiln
