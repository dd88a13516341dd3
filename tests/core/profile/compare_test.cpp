#include "core/profile/compare.h"

#include <gtest/gtest.h>

namespace kiln::profile {
namespace {

const DeltaRow& find(const std::vector<DeltaRow>& rows, const std::string& metric) {
  for (const DeltaRow& r : rows)
    if (r.metric == metric) return r;
  static DeltaRow none;
  ADD_FAILURE() << "no row " << metric;
  return none;
}

Report base() {
  Report r;
  r.card.p50_ms = 10;
  r.card.p90_ms = 11;
  r.card.p99_ms = 12;
  r.card.spread_ms = 0.5;
  r.card.inferences_per_s = 100;
  r.card.best_batch = 1;
  r.card.file_bytes = 1000;
  r.card.weights_bytes = 800;
  r.card.peak_activation_bytes = 4096;
  r.card.max_abs_error = 1e-6;
  r.card.min_cosine = 1.0;
  return r;
}

TEST(ProfileCompare, DirectionDependsOnTheMetric) {
  Report a = base(), b = base();
  b.card.p50_ms = 8;               // 2 ms faster: beyond the 0.5 ms spread
  b.card.p90_ms = 11.3;            // within the spread
  b.card.inferences_per_s = 90;    // fewer per second: worse
  b.card.file_bytes = 900;         // smaller: better
  b.card.peak_activation_bytes = 8192;  // more memory: worse
  b.card.max_abs_error = 1e-3;     // more error: worse
  b.card.min_cosine = 0.99;        // lower cosine: worse
  const auto rows = compare_reports(a, b);
  EXPECT_EQ(find(rows, "latency p50").direction, "better");
  EXPECT_DOUBLE_EQ(*find(rows, "latency p50").delta, -2.0);
  EXPECT_DOUBLE_EQ(*find(rows, "latency p50").delta_pct, -20.0);
  EXPECT_EQ(find(rows, "latency p90").direction, "same");
  EXPECT_EQ(find(rows, "latency p99").direction, "same");
  EXPECT_EQ(find(rows, "throughput").direction, "worse");
  EXPECT_EQ(find(rows, "file size").direction, "better");
  EXPECT_EQ(find(rows, "weights").direction, "same");
  EXPECT_EQ(find(rows, "peak activations").direction, "worse");
  EXPECT_EQ(find(rows, "max abs error").direction, "worse");
  EXPECT_EQ(find(rows, "min cosine").direction, "worse");
  EXPECT_EQ(find(rows, "energy").direction, "n/a");  // in neither report
  EXPECT_EQ(find(rows, "energy").note, "in neither report");
}

TEST(ProfileCompare, SwappingTheReportsSwapsTheDirection) {
  Report a = base(), b = base();
  b.card.p50_ms = 5;
  b.card.peak_activation_bytes = 1024;
  const auto ab = compare_reports(a, b), ba = compare_reports(b, a);
  EXPECT_EQ(find(ab, "latency p50").direction, "better");
  EXPECT_EQ(find(ba, "latency p50").direction, "worse");
  EXPECT_EQ(find(ab, "peak activations").direction, "better");
  EXPECT_EQ(find(ba, "peak activations").direction, "worse");
}

TEST(ProfileCompare, JsonHasOneRowPerMetricAndCounts) {
  Report a = base(), b = base();
  b.card.p50_ms = 20;
  const auto rows = compare_reports(a, b);
  Json j = compare_to_json(rows, "a.json", "b.json");
  EXPECT_EQ(j.find("version")->as_int(), 1);
  EXPECT_EQ(j.find("kind")->as_string(), "kiln-compare");
  ASSERT_EQ(j.find("rows")->size(), rows.size());
  EXPECT_EQ(j.find("worse")->as_int(), 1);
  for (const Json& r : j.find("rows")->as_array())
    for (const char* k : {"metric", "unit", "a", "b", "delta", "delta_pct", "direction", "note"})
      EXPECT_NE(r.find(k), nullptr) << k;
  const std::string table = delta_table(rows, "a.json", "b.json");
  EXPECT_NE(table.find("latency p50"), std::string::npos);
  EXPECT_NE(table.find("+100.0%"), std::string::npos) << table;
}

}  // namespace
}  // namespace kiln::profile
