#include "views/profile/heat_map.h"

#include <algorithm>
#include <cmath>

namespace kiln {
namespace {

const Json::Array* array_at(const Json& root, std::string_view a, std::string_view b, std::string_view c) {
  const Json* j = root.find(a);
  if (!j || !j->is_object() || !(j = j->find(b)) || !j->is_object() || !(j = j->find(c)) || !j->is_array()) return nullptr;
  return &j->as_array();
}

}  // namespace

std::unordered_map<NodeId, float> heat_values(const profile::Report& report, HeatMode mode) {
  std::unordered_map<NodeId, double> raw;
  if (mode == HeatMode::Latency) {
    if (const Json::Array* nodes = array_at(report.sections, "latency", "per_node", "nodes"))
      for (const Json& n : *nodes) raw[static_cast<NodeId>(n.find("id")->as_int())] = n.find("p50_ms")->as_double();
  } else if (mode == HeatMode::Error) {
    if (const Json::Array* nodes = array_at(report.sections, "accuracy", "per_node", "nodes"))
      for (const Json& n : *nodes) {
        const Json* e = n.find("max_abs_error");
        // A node with several outputs is as hot as its worst one.
        double& v = raw[static_cast<NodeId>(n.find("node_id")->as_int())];
        v = std::max(v, e && e->is_number() ? e->as_double() : 0.0);
      }
  }
  double top = 0;
  for (const auto& [id, v] : raw) top = std::max(top, v);
  std::unordered_map<NodeId, float> out;
  out.reserve(raw.size());
  for (const auto& [id, v] : raw) {
    // Latency on a square-root scale of the slowest node: linear, one heavy node turns the rest
    // the same cold colour. Errors span decades (1e-7 next to 1e-2), so they are placed on a
    // log scale over the six decades below the largest.
    float t = 0;
    if (top > 0) {
      if (mode == HeatMode::Latency)
        t = static_cast<float>(std::sqrt(v / top));
      else
        t = v > 0 ? static_cast<float>(std::clamp(1.0 + std::log10(v / top) / 6.0, 0.0, 1.0)) : 0.f;
    }
    out[id] = t;
  }
  return out;
}

}  // namespace kiln
