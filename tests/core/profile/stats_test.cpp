#include "core/profile/stats.h"

#include <gtest/gtest.h>

#include <cmath>

namespace kiln::profile {
namespace {

TEST(ProfileStats, PercentilesInterpolateBetweenClosestRanks) {
  // 1..10 shuffled: NumPy's default percentile gives p50 5.5, p90 9.1, p99 9.91, p10 1.9.
  SampleStats s = summarize({7, 3, 10, 1, 5, 9, 2, 8, 4, 6});
  EXPECT_EQ(s.count, 10u);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 10);
  EXPECT_NEAR(s.p10, 1.9, 1e-12);
  EXPECT_NEAR(s.p50, 5.5, 1e-12);
  EXPECT_NEAR(s.p90, 9.1, 1e-12);
  EXPECT_NEAR(s.p99, 9.91, 1e-12);
  EXPECT_DOUBLE_EQ(s.mean, 5.5);
  EXPECT_NEAR(s.stddev, std::sqrt(82.5 / 9.0), 1e-12);  // sum of squared deviations 82.5, n - 1 = 9
  EXPECT_NEAR(s.spread(), 7.2, 1e-12);
  EXPECT_NEAR(s.spread_pct(), 100.0 * 7.2 / 5.5, 1e-9);
}

TEST(ProfileStats, OneSampleAndNone) {
  SampleStats one = summarize({4.0});
  EXPECT_DOUBLE_EQ(one.p50, 4.0);
  EXPECT_DOUBLE_EQ(one.p99, 4.0);
  EXPECT_DOUBLE_EQ(one.stddev, 0.0);
  SampleStats none = summarize({});
  EXPECT_EQ(none.count, 0u);
  EXPECT_DOUBLE_EQ(none.spread_pct(), 0.0);
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2.0);
  EXPECT_DOUBLE_EQ(median({4, 1, 2, 3}), 2.5);
}

TEST(ProfileStats, JsonCarriesEveryFigure) {
  Json j = summarize({1, 2, 3}).to_json();
  for (const char* k : {"count", "min", "p10", "p50", "p90", "p99", "max", "mean", "stddev", "spread", "spread_pct"})
    EXPECT_NE(j.find(k), nullptr) << k;
  EXPECT_DOUBLE_EQ(j.find("p50")->as_double(), 2.0);
}

}  // namespace
}  // namespace kiln::profile
