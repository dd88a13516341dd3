#pragma once
// A profile report: versioned JSON headed by a one-glance summary card of the five measurable
// qualities (latency, accuracy, size, throughput, energy), followed by the full sections. The card
// is typed (it is what `compare` and the GUI read); the sections are kept as JSON.
//
//   {"version": 1, "kind": "kiln-profile", "summary": {...}, "model": ..., "latency": {...}, ...}
#include <cstdint>
#include <optional>
#include <string>

#include "core/util/json.h"

namespace kiln::profile {

struct SummaryCard {
  // latency, ms
  std::optional<double> p50_ms, p90_ms, p99_ms, spread_ms;
  // accuracy against the reference (when one was given)
  bool accuracy_measured = false;
  std::optional<double> max_abs_error, min_cosine, min_snr_db, top1_agreement;
  std::string accuracy_note;
  // size, bytes
  std::optional<int64_t> file_bytes, weights_bytes, peak_activation_bytes, peak_rss_bytes;
  // throughput
  std::optional<int64_t> best_batch;
  std::optional<double> inferences_per_s;
  // energy
  bool energy_available = false;
  std::optional<double> joules_per_inference;
  std::string energy_note;

  Json to_json() const;
  static SummaryCard from_json(const Json& j);  // throws kiln::Error naming the bad field
  bool operator==(const SummaryCard&) const = default;
};

struct Report {
  static constexpr int kVersion = 1;
  std::string model;      // path or name
  std::string reference;  // --against, "" when none
  std::string backend;
  int threads = 1;
  SummaryCard card;
  Json sections = Json::object();  // latency, throughput, memory, compute, energy, accuracy, steps, machine, ...

  Json to_json() const;
  // Checks "version" (a newer one is refused with the version named) and the card.
  static Report from_json(const Json& j, const std::string& source = "report");
  static Report load(const std::string& path);
  void save(const std::string& path) const;
};

}  // namespace kiln::profile
