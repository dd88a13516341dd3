#include "core/analysis/model_summary.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <set>
#include <sstream>

#include "core/analysis/shape_inference.h"

namespace kiln {
namespace {

void collect_params(const Graph& g, ModelSummary& s) {
  for (Value* v : g.initializers()) {
    const Tensor& t = *v->initializer();
    int64_t n = std::max<int64_t>(t.numel(), 0);
    auto& p = s.params_by_dtype[t.dtype];
    p.count += n;
    p.bytes += static_cast<int64_t>(t.byte_size());
    s.params.count += n;
    s.params.bytes += static_cast<int64_t>(t.byte_size());
    if (t.external) s.external_bytes += static_cast<int64_t>(t.byte_size());
    ++s.initializers;
  }
  g.for_each_node([&](const Node* n) {
    for (Graph* sg : n->subgraphs()) {
      s.subgraph_nodes += sg->total_node_count();
      collect_params(*sg, s);
    }
  });
}

// Replaces symbolic/unknown input dims with concrete values for the compute estimate.
std::map<std::string, Shape> bound_input_shapes(const Model& m, const SummaryOptions& o,
                                                std::vector<std::string>& bindings) {
  std::map<std::string, Shape> out;
  std::set<std::string> reported;
  for (Value* in : m.graph->inputs()) {
    if (in->initializer() || !in->type.is_tensor()) continue;
    auto given = o.input_shapes.find(in->name());
    if (given != o.input_shapes.end()) {
      out[in->name()] = Shape::of(given->second);
      continue;
    }
    if (!in->type.shape) continue;
    Shape s = *in->type.shape;
    bool changed = false;
    for (Dim& d : s.dims) {
      if (d.is_known()) continue;
      auto it = d.is_symbolic() ? o.dims.find(d.symbol) : o.dims.end();
      int64_t v = 1;
      if (it != o.dims.end()) {
        v = it->second;
      } else if (!o.unknown_dims_as_one) {
        continue;
      }
      std::string label = (d.is_symbolic() ? d.symbol : in->name() + "[?]") + "=" + std::to_string(v);
      if (reported.insert(label).second) bindings.push_back(label);
      d = Dim::known(v);
      changed = true;
    }
    if (changed) out[in->name()] = s;
  }
  return out;
}

}  // namespace

ModelSummary summarize_model(const Model& model, const SummaryOptions& options) {
  ModelSummary s;
  s.path = model.source_path;
  std::error_code ec;
  if (!s.path.empty()) {
    auto sz = std::filesystem::file_size(s.path, ec);
    if (!ec) s.file_bytes = static_cast<int64_t>(sz);
  }
  s.producer_name = model.producer_name;
  s.producer_version = model.producer_version;
  s.domain = model.domain;
  s.doc_string = model.doc_string;
  s.ir_version = model.ir_version;
  s.model_version = model.model_version;
  s.opsets = model.opsets;
  s.metadata = model.metadata_props;
  s.graph_name = model.graph->name;

  // Types as declared and inferred, symbols kept, for the I/O listing.
  Model typed = model.clone();
  InferenceReport rep = infer_shapes(typed);
  s.warnings = rep.warnings;
  for (Value* v : typed.graph->inputs())
    if (!v->is_initializer()) s.inputs.push_back({v->name(), v->type.str()});
  for (Value* v : typed.graph->outputs()) s.outputs.push_back({v->name(), v->type.str()});

  s.nodes = model.graph->total_node_count();
  collect_params(*model.graph, s);

  // The estimate needs concrete dims: bind symbols, infer again, count.
  InferenceOptions io;
  io.input_shapes = bound_input_shapes(model, options, s.bindings);
  if (io.input_shapes.empty()) {
    s.cost = estimate_model_cost(typed);
  } else {
    Model bound = model.clone();
    infer_shapes(bound, io);
    s.cost = estimate_model_cost(bound);
  }
  s.unsupported = unsupported_ops(model);
  return s;
}

Json summary_to_json(const ModelSummary& s) {
  Json j = Json::object();
  j["version"] = 1;
  j["path"] = s.path;
  j["file_bytes"] = s.file_bytes;
  j["producer"] = Json::object();
  j["producer"]["name"] = s.producer_name;
  j["producer"]["version"] = s.producer_version;
  j["ir_version"] = s.ir_version;
  j["model_version"] = s.model_version;
  j["domain"] = s.domain;
  j["graph_name"] = s.graph_name;
  Json opsets = Json::array();
  for (const auto& o : s.opsets) {
    Json e = Json::object();
    e["domain"] = o.domain.empty() ? std::string("ai.onnx") : o.domain;
    e["version"] = o.version;
    opsets.push_back(std::move(e));
  }
  j["opsets"] = std::move(opsets);
  Json meta = Json::object();
  for (const auto& [k, v] : s.metadata) meta[k] = v;
  j["metadata"] = std::move(meta);
  auto io = [](const std::vector<ModelSummary::Io>& v) {
    Json a = Json::array();
    for (const auto& x : v) {
      Json e = Json::object();
      e["name"] = x.name;
      e["type"] = x.type;
      a.push_back(std::move(e));
    }
    return a;
  };
  j["inputs"] = io(s.inputs);
  j["outputs"] = io(s.outputs);
  j["nodes"] = static_cast<int64_t>(s.nodes);
  j["subgraph_nodes"] = static_cast<int64_t>(s.subgraph_nodes);
  Json ops = Json::object();
  for (const auto& [op, c] : s.cost.by_op) {
    Json e = Json::object();
    e["count"] = c.count;
    e["macs"] = c.macs;
    e["flops"] = c.flops;
    e["nodes_not_counted"] = c.unknown;
    ops[op] = std::move(e);
  }
  j["ops"] = std::move(ops);
  Json params = Json::object();
  params["count"] = s.params.count;
  params["bytes"] = s.params.bytes;
  params["external_bytes"] = s.external_bytes;
  params["initializers"] = static_cast<int64_t>(s.initializers);
  Json by = Json::object();
  for (const auto& [dt, p] : s.params_by_dtype) {
    Json e = Json::object();
    e["count"] = p.count;
    e["bytes"] = p.bytes;
    by[std::string(dtype_name(dt))] = std::move(e);
  }
  params["by_dtype"] = std::move(by);
  j["parameters"] = std::move(params);
  Json compute = Json::object();
  compute["macs"] = s.cost.total_macs;
  compute["flops"] = s.cost.total_flops;
  compute["nodes_not_counted"] = s.cost.nodes_unknown;
  Json b = Json::array();
  for (const auto& x : s.bindings) b.push_back(x);
  compute["assumed_dims"] = std::move(b);
  j["compute"] = std::move(compute);
  Json un = Json::array();
  for (const auto& u : s.unsupported) {
    Json e = Json::object();
    e["domain"] = u.domain.empty() ? std::string("ai.onnx") : u.domain;
    e["op_type"] = u.op_type;
    e["count"] = u.count;
    e["reason"] = u.reason;
    un.push_back(std::move(e));
  }
  j["unsupported_ops"] = std::move(un);
  Json w = Json::array();
  for (const auto& x : s.warnings) w.push_back(x);
  j["warnings"] = std::move(w);
  return j;
}

std::string format_bytes(int64_t bytes) {
  if (bytes < 0) return "?";
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.2f %s", v, units[u]);
  return buf;
}

std::string format_count(int64_t n) {
  if (n < 0) return "?";
  const char* units[] = {"", " K", " M", " G", " T", " P"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1000 && u < 5) {
    v /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f%s" : "%.2f%s", v, units[u]);
  return buf;
}

std::string summary_to_text(const ModelSummary& s) {
  std::ostringstream o;
  auto pad = [](std::string x, size_t w) {
    if (x.size() < w) x.append(w - x.size(), ' ');
    return x;
  };
  o << "Model       " << (s.path.empty() ? "(in memory)" : s.path);
  if (s.file_bytes >= 0) o << "  (" << format_bytes(s.file_bytes) << ")";
  o << "\n";
  o << "Producer    " << (s.producer_name.empty() ? "(none)" : s.producer_name);
  if (!s.producer_version.empty()) o << " " << s.producer_version;
  o << "\nIR version  " << s.ir_version << "\nOpsets      ";
  for (size_t i = 0; i < s.opsets.size(); ++i)
    o << (i ? ", " : "") << (s.opsets[i].domain.empty() ? "ai.onnx" : s.opsets[i].domain) << " "
      << s.opsets[i].version;
  o << "\nGraph       " << (s.graph_name.empty() ? "(unnamed)" : s.graph_name) << ": " << s.nodes
    << " nodes";
  if (s.subgraph_nodes) o << " (" << s.subgraph_nodes << " in subgraphs)";
  o << ", " << s.initializers << " initializers\n";
  for (const auto& [k, v] : s.metadata) o << "Metadata    " << k << " = " << v << "\n";

  size_t w = 8;
  for (const auto& x : s.inputs) w = std::max(w, x.name.size());
  for (const auto& x : s.outputs) w = std::max(w, x.name.size());
  o << "\nInputs\n";
  for (const auto& x : s.inputs) o << "  " << pad(x.name, w) << "  " << x.type << "\n";
  o << "Outputs\n";
  for (const auto& x : s.outputs) o << "  " << pad(x.name, w) << "  " << x.type << "\n";

  o << "\nOperators                  count        MACs       FLOPs\n";
  std::vector<std::pair<std::string, ModelCost::PerOp>> ops(s.cost.by_op.begin(), s.cost.by_op.end());
  std::stable_sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) {
    if (a.second.flops != b.second.flops) return a.second.flops > b.second.flops;
    return a.second.count > b.second.count;
  });
  char line[160];
  for (const auto& [op, c] : ops) {
    std::snprintf(line, sizeof line, "  %-24s %5lld  %10s  %10s%s\n", op.c_str(),
                  static_cast<long long>(c.count), format_count(c.macs).c_str(),
                  format_count(c.flops).c_str(), c.unknown ? "  (some not counted)" : "");
    o << line;
  }
  std::snprintf(line, sizeof line, "  %-24s %5zu  %10s  %10s\n", "total", s.nodes,
                format_count(s.cost.total_macs).c_str(), format_count(s.cost.total_flops).c_str());
  o << line;
  if (!s.bindings.empty()) {
    o << "  (estimate assumes";
    for (const auto& b : s.bindings) o << " " << b;
    o << ")\n";
  }
  if (s.cost.nodes_unknown)
    o << "  (" << s.cost.nodes_unknown << " nodes not counted: shapes not static)\n";

  o << "\nParameters  " << format_count(s.params.count) << " (" << s.params.count << "), "
    << format_bytes(s.params.bytes);
  if (s.external_bytes) o << ", " << format_bytes(s.external_bytes) << " in external data";
  o << "\n";
  for (const auto& [dt, p] : s.params_by_dtype)
    o << "  " << pad(std::string(dtype_name(dt)), 10) << " " << format_count(p.count) << "  "
      << format_bytes(p.bytes) << "\n";

  o << "\nKiln cannot yet run: ";
  if (s.unsupported.empty()) o << "none (every op is supported)\n";
  else {
    o << "\n";
    for (const auto& u : s.unsupported)
      o << "  " << (u.domain.empty() ? "" : u.domain + "::") << u.op_type << " x" << u.count << "  ("
        << u.reason << ")\n";
  }
  if (!s.warnings.empty()) {
    o << "\nWarnings\n";
    for (const auto& x : s.warnings) o << "  " << x << "\n";
  }
  return o.str();
}

}  // namespace kiln
