#pragma once
// Profiling an optimization recipe step by step: the original model and the model after every
// step are profiled (each step's accuracy against the original), giving one report per step and a
// table of how each step moved latency, memory and accuracy. The steps are plain callbacks so this
// stays below passes/ in the dependency order; the CLI wires the PassManager into them. A step
// that changed nothing reuses the previous report rather than re-measuring noise.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/ir/model.h"
#include "core/profile/profiler.h"
#include "core/profile/report.h"
#include "core/util/json.h"

namespace kiln::profile {

struct Step {
  std::string name;
  std::function<bool(Model&)> apply;  // returns whether the model changed
};

struct StepRow {
  size_t step = 0;  // 0: the original
  std::string name;
  bool changed = false;
  int64_t nodes = 0;
  std::optional<double> p50_ms, latency_change_pct;  // against the original
  std::optional<double> spread_ms;  // p90 - p10 of this step's runs: changes within it are noise
  std::optional<int64_t> peak_activation_bytes, weights_bytes;
  std::optional<double> max_abs_error, min_cosine;
};

struct StepHistory {
  std::vector<Report> reports;  // one per row
  std::vector<StepRow> rows;
  Json to_json() const;
  std::string table() const;
};

StepHistory profile_steps(const Model& original, const std::string& label, const std::vector<Step>& steps,
                          const ProfileOptions& options);

}  // namespace kiln::profile
