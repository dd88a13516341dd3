#pragma once
// Order statistics of timing samples. Percentiles interpolate linearly between closest ranks (as
// NumPy's default does), so small sample counts give stable, comparable figures.
#include <cstddef>
#include <vector>

#include "core/util/json.h"

namespace kiln::profile {

struct SampleStats {
  size_t count = 0;
  double min = 0, p10 = 0, p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0, stddev = 0;
  // p90 - p10: how far two runs of the same model can be expected to differ. Robust to the odd
  // preempted iteration on a shared machine, unlike max - min.
  double spread() const { return p90 - p10; }
  // spread / p50, in percent (0 when p50 is 0).
  double spread_pct() const { return p50 > 0 ? 100.0 * spread() / p50 : 0.0; }
  Json to_json() const;  // values in the samples' unit, keys suffixed by `unit` by the caller
};

// Percentile q in [0, 100] of `sorted` (ascending, not empty).
double percentile(const std::vector<double>& sorted, double q);
double median(std::vector<double> samples);
// Empty samples give a zero SampleStats with count 0.
SampleStats summarize(std::vector<double> samples);

}  // namespace kiln::profile
