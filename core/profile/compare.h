#pragma once
// Two profile reports side by side: one row per measurable quality with both values, the change and
// its direction. Whether a change is better or worse depends on the metric (lower latency is
// better, higher throughput is better); a latency or throughput change within the larger of the two
// reports' spreads is "same" (noise), as is a peak-RSS change under 1%; every other metric is
// "same" only when equal.
#include <optional>
#include <string>
#include <vector>

#include "core/profile/report.h"
#include "core/util/json.h"

namespace kiln::profile {

struct DeltaRow {
  std::string metric;
  std::string unit;
  std::optional<double> a, b;
  std::optional<double> delta, delta_pct;  // b - a, and relative to a
  std::string direction;                   // "better", "worse", "same" or "n/a"
  std::string note;
};

// B against A: "better" means B is better.
std::vector<DeltaRow> compare_reports(const Report& a, const Report& b);
std::string delta_table(const std::vector<DeltaRow>& rows, const std::string& a_label, const std::string& b_label);
// {"version": 1, "kind": "kiln-compare", "a": ..., "b": ..., "rows": [{metric, unit, a, b, delta,
//  delta_pct, direction, note}], "better": N, "worse": N, "same": N}
Json compare_to_json(const std::vector<DeltaRow>& rows, const std::string& a_label, const std::string& b_label);

}  // namespace kiln::profile
