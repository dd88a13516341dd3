#include "core/profile/memory.h"

#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/onnx/onnx_export.h"

namespace kiln::profile {
namespace {

namespace fs = std::filesystem;

void add_weights(const Graph& g, std::map<std::string, WeightBytes>& out, std::set<const Tensor*>& seen) {
  for (const Value* v : g.initializers()) {
    const Tensor* t = v->initializer().get();
    if (!t || !seen.insert(t).second) continue;
    WeightBytes& w = out[std::string(dtype_short_name(t->dtype))];
    w.count += 1;
    w.elements += std::max<int64_t>(0, t->numel());
    w.bytes += static_cast<int64_t>(t->byte_size());
  }
  g.for_each_node([&](const Node* n) {
    for (const Graph* sub : n->subgraphs()) add_weights(*sub, out, seen);
  });
}

void external_files(const Graph& g, std::set<std::string>& out) {
  for (const Value* v : g.initializers())
    if (v->initializer() && v->initializer()->external) out.insert(v->initializer()->external->location);
  g.for_each_node([&](const Node* n) {
    for (const Graph* sub : n->subgraphs()) external_files(*sub, out);
  });
}

}  // namespace

std::map<std::string, WeightBytes> weights_by_dtype(const Model& model) {
  std::map<std::string, WeightBytes> out;
  std::set<const Tensor*> seen;  // shared (deduplicated) weights count once
  add_weights(*model.graph, out, seen);
  return out;
}

int64_t model_file_bytes(const Model& model) {
  if (model.source_path.empty()) return -1;
  std::error_code ec;
  auto size = fs::file_size(model.source_path, ec);
  if (ec) return -1;
  int64_t total = static_cast<int64_t>(size);
  std::set<std::string> ext;
  external_files(*model.graph, ext);
  const fs::path dir = fs::path(model.source_path).parent_path();
  for (const std::string& f : ext) {
    auto s = fs::file_size(dir / f, ec);
    if (!ec) total += static_cast<int64_t>(s);
  }
  return total;
}

bool reset_peak_rss() {
  std::ofstream f("/proc/self/clear_refs");
  if (!f) return false;
  f << "5";
  f.flush();
  return static_cast<bool>(f);
}

int64_t peak_rss_bytes() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) != 0) continue;
    std::istringstream in(line.substr(6));
    int64_t kb = -1;
    if (in >> kb) return kb * 1024;
  }
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) == 0) return static_cast<int64_t>(ru.ru_maxrss) * 1024;  // Linux: KiB
  return -1;
}

MemoryReport memory_report(const Model& model, const Session& session) {
  MemoryReport r;
  r.weights_by_dtype = weights_by_dtype(model);
  for (const auto& [k, w] : r.weights_by_dtype) r.weights_bytes += w.bytes;
  if (const MemoryPlan* p = session.plan()) {
    r.peak_activation_bytes = static_cast<int64_t>(p->peak_bytes);
    r.live_peak_bytes = static_cast<int64_t>(p->live_peak_bytes);
  }
  r.file_bytes = model_file_bytes(model);
  r.file_bytes_how = "the .onnx file and its external data on disk";
  if (r.file_bytes < 0) {
    r.file_bytes = static_cast<int64_t>(serialize_model(model).size());
    r.file_bytes_how = "serialized size (the model is not a file on disk)";
  }
  return r;
}

Json MemoryReport::to_json() const {
  Json j = Json::object();
  Json w = Json::object();
  for (const auto& [k, b] : weights_by_dtype) {
    Json e = Json::object();
    e["tensors"] = b.count;
    e["elements"] = b.elements;
    e["bytes"] = b.bytes;
    w[k] = std::move(e);
  }
  j["weights_by_dtype"] = std::move(w);
  j["weights_bytes"] = weights_bytes;
  j["peak_activation_bytes"] = peak_activation_bytes >= 0 ? Json(peak_activation_bytes) : Json();
  j["live_peak_bytes"] = live_peak_bytes >= 0 ? Json(live_peak_bytes) : Json();
  if (peak_activation_bytes < 0) j["peak_activation_note"] = "some intermediate shape is dynamic: no static plan";
  j["peak_rss_bytes"] = peak_rss_bytes >= 0 ? Json(peak_rss_bytes) : Json();
  j["peak_rss_how"] = peak_rss_how;
  j["file_bytes"] = file_bytes >= 0 ? Json(file_bytes) : Json();
  j["file_bytes_how"] = file_bytes_how;
  return j;
}

}  // namespace kiln::profile
