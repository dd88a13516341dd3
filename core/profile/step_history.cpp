#include "core/profile/step_history.h"

#include <cstdio>

namespace kiln::profile {
namespace {

int64_t count_nodes(const Model& m) { return static_cast<int64_t>(m.graph->total_node_count()); }

StepRow row_from(const Report& r, size_t step, std::string name, bool changed, int64_t nodes,
                 std::optional<double> original_p50) {
  StepRow row;
  row.step = step;
  row.name = std::move(name);
  row.changed = changed;
  row.nodes = nodes;
  row.p50_ms = r.card.p50_ms;
  row.spread_ms = r.card.spread_ms;
  if (original_p50 && r.card.p50_ms && *original_p50 > 0)
    row.latency_change_pct = 100.0 * (*r.card.p50_ms - *original_p50) / *original_p50;
  row.peak_activation_bytes = r.card.peak_activation_bytes;
  row.weights_bytes = r.card.weights_bytes;
  row.max_abs_error = r.card.max_abs_error;
  row.min_cosine = r.card.min_cosine;
  return row;
}

template <class T>
Json opt(const std::optional<T>& v) {
  return v ? Json(*v) : Json();
}

}  // namespace

StepHistory profile_steps(const Model& original, const std::string& label, const std::vector<Step>& steps,
                          const ProfileOptions& options) {
  StepHistory h;
  Report base = profile_model(original, label, nullptr, "", options);
  h.rows.push_back(row_from(base, 0, "original", false, count_nodes(original), std::nullopt));
  const std::optional<double> p50 = base.card.p50_ms;
  h.reports.push_back(std::move(base));

  Model current = original.clone();
  current.source_path.clear();  // its size is the serialized size from here on, not the original's file
  for (size_t i = 0; i < steps.size(); ++i) {
    const bool changed = steps[i].apply(current);
    const std::string step_label = label + " after step " + std::to_string(i + 1) + " (" + steps[i].name + ")";
    Report r;
    if (changed) {
      r = profile_model(current, step_label, &original, label, options, &original);
    } else {
      r = h.reports.back();
      r.model = step_label;
      r.sections["unchanged"] = "this step changed nothing: figures of the previous step";
    }
    h.rows.push_back(row_from(r, i + 1, steps[i].name, changed, count_nodes(current), p50));
    h.reports.push_back(std::move(r));
  }
  return h;
}

Json StepHistory::to_json() const {
  Json j = Json::object();
  j["version"] = 1;
  j["kind"] = "kiln-step-history";
  Json rows_j = Json::array();
  for (const StepRow& r : rows) {
    Json e = Json::object();
    e["step"] = static_cast<int64_t>(r.step);
    e["name"] = r.name;
    e["changed"] = r.changed;
    e["nodes"] = r.nodes;
    e["p50_ms"] = opt(r.p50_ms);
    e["latency_change_pct"] = opt(r.latency_change_pct);
    e["spread_ms"] = opt(r.spread_ms);
    e["peak_activation_bytes"] = opt(r.peak_activation_bytes);
    e["weights_bytes"] = opt(r.weights_bytes);
    e["max_abs_error"] = opt(r.max_abs_error);
    e["min_cosine"] = opt(r.min_cosine);
    rows_j.push_back(std::move(e));
  }
  j["table"] = std::move(rows_j);
  Json reps = Json::array();
  for (const Report& r : reports) reps.push_back(r.to_json());
  j["reports"] = std::move(reps);
  return j;
}

std::string StepHistory::table() const {
  std::string out;
  char buf[320];
  std::snprintf(buf, sizeof buf, "%4s  %-44s %6s %10s %9s %9s %14s %12s %12s %10s\n", "step", "pass", "nodes",
                "p50 ms", "spread", "vs orig", "activations B", "weights B", "max abs err", "cosine");
  out += buf;
  auto num = [](std::optional<double> v, const char* f) {
    if (!v) return std::string("-");
    char b[40];
    std::snprintf(b, sizeof b, f, *v);
    return std::string(b);
  };
  for (const StepRow& r : rows) {
    std::string name = r.name + (r.step > 0 && !r.changed ? " (no change)" : "");
    std::snprintf(buf, sizeof buf, "%4zu  %-44s %6lld %10s %9s %9s %14s %12s %12s %10s\n", r.step, name.c_str(),
                  static_cast<long long>(r.nodes), num(r.p50_ms, "%.3f").c_str(), num(r.spread_ms, "%.3f").c_str(),
                  num(r.latency_change_pct, "%+.1f%%").c_str(),
                  r.peak_activation_bytes ? std::to_string(*r.peak_activation_bytes).c_str() : "-",
                  r.weights_bytes ? std::to_string(*r.weights_bytes).c_str() : "-",
                  num(r.max_abs_error, "%.3g").c_str(), num(r.min_cosine, "%.6f").c_str());
    out += buf;
  }
  return out;
}

}  // namespace kiln::profile
