#include "core/profile/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace kiln::profile {
namespace {

enum class Better { Lower, Higher };

DeltaRow row(std::string metric, std::string unit, std::optional<double> a, std::optional<double> b, Better better,
             double noise = 0) {
  DeltaRow r;
  r.metric = std::move(metric);
  r.unit = std::move(unit);
  r.a = a;
  r.b = b;
  if (!a || !b) {
    r.direction = "n/a";
    r.note = !a && !b ? "in neither report" : !a ? "not in A" : "not in B";
    return r;
  }
  r.delta = *b - *a;
  if (*a != 0) r.delta_pct = 100.0 * *r.delta / std::fabs(*a);
  if (*r.delta == 0 || std::fabs(*r.delta) <= noise) {
    r.direction = "same";
    if (*r.delta != 0) r.note = "within the noise";
    return r;
  }
  const bool lower = *r.delta < 0;
  r.direction = (lower == (better == Better::Lower)) ? "better" : "worse";
  return r;
}

template <class T>
std::optional<double> d(const std::optional<T>& v) {
  return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt;
}

// The p90 - p10 spread of a throughput point's latency, converted to inferences/s around its p50.
double throughput_noise(const Report& r) {
  const SummaryCard& c = r.card;
  if (!c.inferences_per_s || !c.p50_ms || !c.spread_ms || *c.p50_ms <= 0) return 0;
  return *c.inferences_per_s * (*c.spread_ms / *c.p50_ms);
}

std::string fmt(std::optional<double> v) {
  if (!v) return "-";
  char buf[40];
  if (*v == std::floor(*v) && std::fabs(*v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", *v);  // byte counts and batches print whole
  else
    std::snprintf(buf, sizeof buf, "%.6g", *v);
  return buf;
}

}  // namespace

std::vector<DeltaRow> compare_reports(const Report& a, const Report& b) {
  const SummaryCard &ca = a.card, &cb = b.card;
  const double latency_noise = std::max(ca.spread_ms.value_or(0), cb.spread_ms.value_or(0));
  std::vector<DeltaRow> rows;
  rows.push_back(row("latency p50", "ms", ca.p50_ms, cb.p50_ms, Better::Lower, latency_noise));
  rows.push_back(row("latency p90", "ms", ca.p90_ms, cb.p90_ms, Better::Lower, latency_noise));
  rows.push_back(row("latency p99", "ms", ca.p99_ms, cb.p99_ms, Better::Lower, latency_noise));
  rows.push_back(row("throughput", "inferences/s", ca.inferences_per_s, cb.inferences_per_s, Better::Higher,
                     std::max(throughput_noise(a), throughput_noise(b))));
  rows.push_back(row("best batch", "", d(ca.best_batch), d(cb.best_batch), Better::Higher));
  rows.push_back(row("file size", "bytes", d(ca.file_bytes), d(cb.file_bytes), Better::Lower));
  rows.push_back(row("weights", "bytes", d(ca.weights_bytes), d(cb.weights_bytes), Better::Lower));
  rows.push_back(row("peak activations", "bytes", d(ca.peak_activation_bytes), d(cb.peak_activation_bytes), Better::Lower));
  // Resident memory moves by a few pages between identical runs (allocator and loader noise).
  const double rss_noise = 0.01 * std::max(ca.peak_rss_bytes.value_or(0), cb.peak_rss_bytes.value_or(0));
  rows.push_back(row("peak RSS", "bytes", d(ca.peak_rss_bytes), d(cb.peak_rss_bytes), Better::Lower, rss_noise));
  rows.push_back(row("energy", "J/inference", ca.joules_per_inference, cb.joules_per_inference, Better::Lower));
  rows.push_back(row("max abs error", "", ca.max_abs_error, cb.max_abs_error, Better::Lower));
  rows.push_back(row("min cosine", "", ca.min_cosine, cb.min_cosine, Better::Higher));
  rows.push_back(row("min SNR", "dB", ca.min_snr_db, cb.min_snr_db, Better::Higher));
  rows.push_back(row("top-1 agreement", "", ca.top1_agreement, cb.top1_agreement, Better::Higher));
  return rows;
}

std::string delta_table(const std::vector<DeltaRow>& rows, const std::string& a_label, const std::string& b_label) {
  std::string out = "A: " + a_label + "\nB: " + b_label + "\n";
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-18s %-13s %14s %14s %14s %9s  %s\n", "metric", "unit", "A", "B", "B-A", "change",
                "direction");
  out += buf;
  for (const DeltaRow& r : rows) {
    char pct[32] = "-";
    if (r.delta_pct) std::snprintf(pct, sizeof pct, "%+.1f%%", *r.delta_pct);
    std::string dir = r.direction;
    if (!r.note.empty()) dir += " (" + r.note + ")";
    std::snprintf(buf, sizeof buf, "%-18s %-13s %14s %14s %14s %9s  %s\n", r.metric.c_str(), r.unit.c_str(),
                  fmt(r.a).c_str(), fmt(r.b).c_str(), fmt(r.delta).c_str(), pct, dir.c_str());
    out += buf;
  }
  return out;
}

Json compare_to_json(const std::vector<DeltaRow>& rows, const std::string& a_label, const std::string& b_label) {
  Json j = Json::object();
  j["version"] = 1;
  j["kind"] = "kiln-compare";
  j["a"] = a_label;
  j["b"] = b_label;
  Json arr = Json::array();
  int64_t better = 0, worse = 0, same = 0;
  for (const DeltaRow& r : rows) {
    Json e = Json::object();
    e["metric"] = r.metric;
    e["unit"] = r.unit;
    e["a"] = r.a ? Json(*r.a) : Json();
    e["b"] = r.b ? Json(*r.b) : Json();
    e["delta"] = r.delta ? Json(*r.delta) : Json();
    e["delta_pct"] = r.delta_pct ? Json(*r.delta_pct) : Json();
    e["direction"] = r.direction;
    e["note"] = r.note;
    arr.push_back(std::move(e));
    better += r.direction == "better";
    worse += r.direction == "worse";
    same += r.direction == "same";
  }
  j["rows"] = std::move(arr);
  j["better"] = better;
  j["worse"] = worse;
  j["same"] = same;
  return j;
}

}  // namespace kiln::profile
