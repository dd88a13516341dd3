#include "core/runtime/session.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <unordered_set>

#include <unistd.h>

#include "core/analysis/shape_inference.h"
#include "core/util/error.h"

namespace kiln {

struct Session::CompiledGraph {
  const Graph* graph = nullptr;
  std::vector<Node*> order;
  std::vector<std::unique_ptr<OpKernel>> kernels;
  std::unordered_map<const Value*, size_t> last_use;
  std::vector<std::vector<const Value*>> free_after;  // per step: values dead once it has run
  std::vector<std::pair<const Value*, RtTensor>> initializers;
};

struct Session::Frame {
  const Graph* graph = nullptr;
  Frame* parent = nullptr;
  std::unordered_map<const Value*, RtTensor> values;

  // The current tensor of v; captures are looked up by name in the enclosing scopes.
  const RtTensor* lookup(const Value* v) const {
    auto it = values.find(v);
    if (it != values.end()) return &it->second;
    if (!v->is_capture()) return nullptr;
    for (const Frame* f = parent; f; f = f->parent) {
      const Value* outer = f->graph->find_value(v->name());
      if (!outer) continue;
      auto o = f->values.find(outer);
      if (o != f->values.end()) return &o->second;
      if (!outer->is_capture()) return nullptr;
    }
    return nullptr;
  }
};

namespace {

std::string op_label(const Node& n) {
  return n.is_onnx_domain() ? n.op_type : n.domain + "::" + n.op_type;
}

std::string node_label(const Node& n) {
  return n.name.empty() ? op_label(n) : "'" + n.name + "' (" + op_label(n) + ")";
}

void sort_all(Graph& g) {
  if (!g.topological_sort()) fail("graph '", g.name, "' has a cycle");
  g.for_each_node([](Node* n) {
    for (Graph* sub : n->subgraphs()) sort_all(*sub);
  });
}

void collect_unsupported(const Model& m, const Graph& g, Backend backend,
                         std::vector<std::pair<std::string, int>>& missing) {
  g.for_each_node([&](const Node* n) {
    if (!KernelRegistry::global().find(n->domain, n->op_type, m.opset(n->domain), backend)) {
      std::string label = op_label(*n);
      auto it = std::find_if(missing.begin(), missing.end(), [&](const auto& p) { return p.first == label; });
      if (it == missing.end())
        missing.emplace_back(label, 1);
      else
        ++it->second;
    }
    for (const Graph* sub : n->subgraphs()) collect_unsupported(m, *sub, backend, missing);
  });
}

}  // namespace

class Session::Context : public KernelContext {
 public:
  Context(Session& s, CompiledGraph& cg, Frame& frame, const Node& node, size_t step, bool use_plan)
      : session_(s), cg_(cg), frame_(frame), node_(node), use_plan_(use_plan) {
    (void)step;
    ins_.reserve(node.num_inputs());
    for (const Value* v : node.inputs()) {
      if (!v) {
        ins_.push_back(nullptr);
        continue;
      }
      const RtTensor* t = frame.lookup(v);
      if (!t) fail("node ", node_label(node), ": input '", v->name(), "' has no value");
      ins_.push_back(t);
    }
    outs_.resize(node.num_outputs());
  }

  size_t input_count() const override { return ins_.size(); }
  const RtTensor* input(size_t i) const override { return i < ins_.size() ? ins_[i] : nullptr; }
  size_t output_count() const override { return outs_.size(); }

  RtTensor& output(size_t i, DataType dtype, std::vector<int64_t> shape) override {
    if (i >= outs_.size())
      fail("node ", node_label(node_), " asked for output ", std::to_string(i), " but has ",
           std::to_string(outs_.size()));
    const Value* v = node_.output(i);
    const PlannedTensor* slot = use_plan_ && v && session_.plan_ ? session_.plan_->find(v) : nullptr;
    if (slot && dtype != DataType::String) {
      int64_t n = 1;
      bool ok = true;
      for (int64_t d : shape) {
        if (d < 0) ok = false;
        n *= std::max<int64_t>(d, 1);
      }
      int64_t bytes = ok ? dtype_storage_bytes(dtype, n) : -1;
      if (bytes >= 0 && static_cast<size_t>(bytes) <= slot->size) {
        uint8_t* p = session_.arena_.get() + slot->offset;
        std::memset(p, 0, static_cast<size_t>(bytes));
        outs_[i] = RtTensor::borrow(dtype, std::move(shape), p);
        return outs_[i];
      }
    }
    outs_[i] = RtTensor::allocate(dtype, std::move(shape));
    return outs_[i];
  }

  bool output_wanted(size_t i) const override {
    const Value* v = node_.output(i);
    return v && (v->has_uses() || v->is_graph_output() || cg_.last_use.count(v));
  }
  int threads() const override { return session_.options_.threads; }

  std::vector<RtTensor> run_subgraph(const Graph& body, const std::vector<RtTensor>& inputs) override {
    return session_.execute(session_.compiled(body), inputs, &frame_, false);
  }

  std::vector<RtTensor>& outputs() { return outs_; }

 private:
  Session& session_;
  CompiledGraph& cg_;
  Frame& frame_;
  const Node& node_;
  bool use_plan_;
  std::vector<const RtTensor*> ins_;
  std::vector<RtTensor> outs_;
};

Session::Session(const Model& model, SessionOptions options) : model_(model.clone()), options_(std::move(options)) {
  if (!model_.graph) fail("the model has no graph");
  Graph& g = *model_.graph;
  InferenceOptions io;
  for (const auto& [name, dims] : options_.input_shapes) {
    Value* v = g.find_value(name);
    if (!v || !v->is_graph_input()) fail("input shape given for '", name, "', which is not an input of the model");
    io.input_shapes[name] = Shape::of(dims);
  }
  sort_all(g);
  infer_shapes(model_, io);

  std::vector<std::pair<std::string, int>> missing;
  collect_unsupported(model_, g, options_.backend, missing);
  if (!missing.empty()) {
    std::string msg = "unsupported op(s): ";
    for (size_t i = 0; i < missing.size(); ++i) {
      if (i) msg += ", ";
      msg += missing[i].first;
      if (missing[i].second > 1) msg += " (x" + std::to_string(missing[i].second) + ")";
    }
    throw Unsupported(msg);
  }

  for (const Value* v : g.inputs()) input_names_.push_back(v->name());
  for (const Value* v : g.outputs()) output_names_.push_back(v->name());
  CompiledGraph& main = compiled(g);
  plan_ = plan_memory(main.order);
  if (plan_ && plan_->peak_bytes > 0) {
    size_t bytes = (plan_->peak_bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
    // With overcommit, an arena larger than the machine "succeeds" and the process is killed
    // later while touching it; refuse it up front instead.
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages > 0 && page > 0 && bytes > static_cast<size_t>(pages) * static_cast<size_t>(page))
      fail("the activation memory plan needs ", std::to_string(bytes), " bytes, more than this machine's ",
           std::to_string(static_cast<size_t>(pages) * static_cast<size_t>(page)), " bytes of memory");
    auto* p = static_cast<uint8_t*>(std::aligned_alloc(kArenaAlignment, bytes));
    if (!p) fail("out of memory allocating the ", std::to_string(bytes), "-byte activation arena");
    arena_ = std::shared_ptr<uint8_t>(p, [](uint8_t* q) { std::free(q); });
  }
}

Session::~Session() = default;

Session::CompiledGraph& Session::compiled(const Graph& g) {
  auto it = graphs_.find(&g);
  if (it != graphs_.end()) return *it->second;
  auto cg = std::make_unique<CompiledGraph>();
  cg->graph = &g;
  cg->order = g.nodes();
  for (Node* n : cg->order) {
    int64_t opset = model_.opset(n->domain);
    const KernelDef* def = KernelRegistry::global().find(n->domain, n->op_type, opset, options_.backend);
    if (!def) fail_unsupported("unsupported op(s): ", op_label(*n));
    cg->kernels.push_back(def->create(KernelInit{*n, opset, options_.backend}));
  }
  cg->last_use = last_uses(cg->order);
  cg->free_after.resize(cg->order.size());
  std::unordered_set<const Value*> outputs(g.outputs().begin(), g.outputs().end());
  for (const auto& [v, step] : cg->last_use)
    if (!outputs.count(v) && v->graph() == &g) cg->free_after[step].push_back(v);
  for (size_t i = 0; i < cg->order.size(); ++i)
    for (const Value* v : cg->order[i]->outputs())
      if (v && !outputs.count(v) && !cg->last_use.count(v)) cg->free_after[i].push_back(v);
  for (const Value* v : g.initializers()) cg->initializers.emplace_back(v, RtTensor::view(v->initializer()));
  return *graphs_.emplace(&g, std::move(cg)).first->second;
}

std::vector<RtTensor> Session::execute(CompiledGraph& cg, std::vector<RtTensor> inputs, Frame* parent,
                                       bool use_plan) {
  const Graph& g = *cg.graph;
  Frame frame;
  frame.graph = &g;
  frame.parent = parent;
  for (const auto& [v, t] : cg.initializers) frame.values[v] = t;
  if (inputs.size() != g.inputs().size())
    fail("graph '", g.name, "' takes ", std::to_string(g.inputs().size()), " inputs, got ",
         std::to_string(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!inputs[i].empty()) frame.values[g.inputs()[i]] = std::move(inputs[i]);

  for (size_t step = 0; step < cg.order.size(); ++step) {
    const Node& n = *cg.order[step];
    if (observer_) observer_(n, true);
    Context ctx(*this, cg, frame, n, step, use_plan);
    try {
      cg.kernels[step]->compute(ctx);
    } catch (const Error& e) {
      std::string what = e.what();
      if (what.rfind("node ", 0) == 0) throw;
      fail("node ", node_label(n), ": ", what);
    }
    for (size_t i = 0; i < n.num_outputs(); ++i)
      if (const Value* v = n.output(i); v && !ctx.outputs()[i].empty()) frame.values[v] = std::move(ctx.outputs()[i]);
    if (observer_) observer_(n, false);
    for (const Value* v : cg.free_after[step]) frame.values.erase(v);
  }

  std::vector<RtTensor> out;
  out.reserve(g.outputs().size());
  for (const Value* v : g.outputs()) {
    const RtTensor* t = frame.lookup(v);
    if (!t) fail("graph output '", v->name(), "' was not computed");
    out.push_back(*t);
  }
  return out;
}

std::vector<RtTensor> Session::run(const std::map<std::string, RtTensor>& inputs) {
  const Graph& g = *model_.graph;
  for (const auto& [name, t] : inputs) {
    const Value* v = g.find_value(name);
    if (!v || !v->is_graph_input()) fail("'", name, "' is not an input of the model");
  }
  std::vector<RtTensor> bound;
  for (const Value* v : g.inputs()) {
    auto it = inputs.find(v->name());
    if (it == inputs.end()) {
      if (v->initializer()) {
        bound.push_back(RtTensor::view(v->initializer()));
        continue;
      }
      fail("input '", v->name(), "' is missing");
    }
    const RtTensor& t = it->second;
    if (v->type.is_tensor()) {
      if (v->type.dtype != DataType::Undefined && t.dtype() != v->type.dtype)
        fail("input '", v->name(), "': expected ", dtype_short_name(v->type.dtype), ", got ",
             dtype_short_name(t.dtype()));
      if (const auto& s = v->type.shape) {
        bool ok = s->rank() == t.rank();
        for (size_t d = 0; ok && d < s->rank(); ++d)
          if (s->dims[d].is_known() && s->dims[d].value != t.dim(d)) ok = false;
        if (!ok)
          fail("input '", v->name(), "': expected shape ", s->str(), ", got ", shape_str(t.shape()));
      }
    }
    bound.push_back(t);
  }
  return execute(compiled(g), std::move(bound), nullptr, true);
}

}  // namespace kiln
