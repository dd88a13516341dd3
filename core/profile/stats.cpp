#include "core/profile/stats.h"

#include <algorithm>
#include <cmath>

namespace kiln::profile {

double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.size() == 1) return sorted[0];
  const double pos = std::clamp(q, 0.0, 100.0) / 100.0 * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

double median(std::vector<double> samples) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  return percentile(samples, 50);
}

SampleStats summarize(std::vector<double> samples) {
  SampleStats s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  s.count = samples.size();
  s.min = samples.front();
  s.max = samples.back();
  s.p10 = percentile(samples, 10);
  s.p50 = percentile(samples, 50);
  s.p90 = percentile(samples, 90);
  s.p99 = percentile(samples, 99);
  double sum = 0;
  for (double x : samples) sum += x;
  s.mean = sum / static_cast<double>(s.count);
  double sq = 0;
  for (double x : samples) sq += (x - s.mean) * (x - s.mean);
  // Sample (n - 1) standard deviation: these are draws from the run-time distribution.
  s.stddev = s.count > 1 ? std::sqrt(sq / static_cast<double>(s.count - 1)) : 0.0;
  return s;
}

Json SampleStats::to_json() const {
  Json j = Json::object();
  j["count"] = static_cast<int64_t>(count);
  j["min"] = min;
  j["p10"] = p10;
  j["p50"] = p50;
  j["p90"] = p90;
  j["p99"] = p99;
  j["max"] = max;
  j["mean"] = mean;
  j["stddev"] = stddev;
  j["spread"] = spread();
  j["spread_pct"] = spread_pct();
  return j;
}

}  // namespace kiln::profile
